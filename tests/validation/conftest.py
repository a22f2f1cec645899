from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from engine.bootstrap import App, build
from engine.config import Settings
from tests.validation.helpers import FORMS


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[App]:
    """An engine for validation only (validate needs no database tables)."""
    db: Path = tmp_path_factory.mktemp("validation") / "unused.db"
    a = build(Settings(database_url=f"sqlite:///{db}", forms_dir=FORMS))
    yield a
    a.close()
