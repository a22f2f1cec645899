"""Task forms: JSON Schema 2020-12 files in `forms/`, one per user task's form key.

The same schema validates on the server and renders in the browser, so every violation is
reported with its JSON path, all at once, for the form to show at the fields.
"""

from __future__ import annotations

import json
import threading
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator, FormatChecker
from jsonschema.exceptions import SchemaError

from engine.errors import FieldError, NotFound

_KEY_CHARS = set("abcdefghijklmnopqrstuvwxyz0123456789_-.")


class FormCatalog:
    """Loads and caches form schemas from one or more directories (first match wins)."""

    def __init__(self, *directories: Path) -> None:
        self.directories = [Path(d) for d in directories]
        self._validators: dict[str, Draft202012Validator] = {}
        self._lock = threading.Lock()

    def _path(self, key: str) -> Path | None:
        if not key or set(key.lower()) - _KEY_CHARS or ".." in key or not key.endswith(".json"):
            return None
        for directory in self.directories:
            candidate = directory / key
            if candidate.is_file():
                return candidate
        return None

    def exists(self, key: str) -> bool:
        return self._path(key) is not None

    def schema(self, key: str) -> dict[str, Any]:
        path = self._path(key)
        if path is None:
            raise NotFound(f"form '{key}' does not exist")
        loaded: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
        return loaded

    def ui_schema(self, key: str) -> dict[str, Any]:
        path = self._path(key)
        if path is None:
            return {}
        ui = path.with_name(path.stem + ".ui.json")
        if not ui.is_file():
            return {}
        loaded: dict[str, Any] = json.loads(ui.read_text(encoding="utf-8"))
        return loaded

    def validator(self, key: str) -> Draft202012Validator:
        with self._lock:
            hit = self._validators.get(key)
        if hit is not None:
            return hit
        schema = self.schema(key)
        try:
            Draft202012Validator.check_schema(schema)
        except SchemaError as exc:
            raise ValueError(f"form '{key}' is not a valid JSON Schema: {exc.message}") from exc
        validator = Draft202012Validator(schema, format_checker=FormatChecker())
        with self._lock:
            self._validators[key] = validator
        return validator

    def validate(self, key: str, data: Any) -> list[FieldError]:
        errors: list[FieldError] = []
        for err in sorted(
            self.validator(key).iter_errors(data), key=lambda e: list(map(str, e.absolute_path))
        ):
            loc: list[str | int] = list(err.absolute_path)
            if err.validator == "required" and isinstance(err.instance, dict):
                missing = [p for p in err.validator_value if p not in err.instance]
                for name in missing:
                    errors.append(FieldError([*loc, name], f"'{name}' is required"))
                continue
            if err.validator == "additionalProperties" and isinstance(err.instance, dict):
                allowed = set(err.schema.get("properties", {}))
                for name in sorted(set(err.instance) - allowed):
                    errors.append(FieldError([*loc, name], "unknown field"))
                continue
            errors.append(FieldError(loc, err.message))
        unique: dict[tuple[str, ...], FieldError] = {}
        for e in errors:
            unique.setdefault((*map(str, e.loc), e.msg), e)
        return list(unique.values())
