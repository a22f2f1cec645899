"""The JSON Schema forms of forms/ (one per user task form key), written out by generate.py.

Field names follow API.md's data dictionary where one exists; titles are Chinese, descriptions
English. Field builders are in forms_fields.py.
"""

from __future__ import annotations

from typing import Any

from tests.process.forms_case import CASE_FORMS
from tests.process.forms_execution import EXECUTION_FORMS

FORMS: dict[str, dict[str, Any]] = {**CASE_FORMS, **EXECUTION_FORMS}
assert len(FORMS) == len(CASE_FORMS) + len(EXECUTION_FORMS)
