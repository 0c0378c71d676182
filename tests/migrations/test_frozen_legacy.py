"""The legacy code that migrations call does not change (``legacy/__init__.py``).

For every name a migration imports from ``legacy.*``, a digest of its source (a function, and
every module-level function or constant of the same module it uses, transitively) or of its value
(a constant) is recorded below. An edit fails here: write a new function for a new migration
instead, and leave the old one as history needs it.
"""

from __future__ import annotations

import ast
import hashlib
import importlib
import inspect
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
APPS = ("core", "accounts", "billing", "profiles", "grants", "funders", "applications")

FROZEN = {
    "legacy.database.ALEMBIC_VERSION_DDL": "a1f18da58d01fc27",
    "legacy.database.legacy_database_check": "4fe9de09e20c3a91",
    "legacy.database.legacy_has_rows": "2b26f207d50c952f",
    "legacy.database.legacy_owner_find": "0a43f908a99a0d6e",
    "legacy.database.legacy_owner_get_or_create": "f77cac9454dba1d7",
    "legacy.database.legacy_owner_record": "cf71d8abb7370ce1",
    "legacy.database.legacy_schema_create_if_missing": "f44fcb423551878c",
    "legacy.database.sequence_reset_past_max": "505d4928e3d0a0f7",
    "legacy.database.table_exists": "06fbeeabe3162c5a",
    "legacy.remap.history_remap": "44d67de0959d64b6",
}


def _legacy_imports() -> set[tuple[str, str]]:
    names = set()
    for app in APPS:
        for path in (ROOT / app / "migrations").glob("*.py"):
            for node in ast.walk(ast.parse(path.read_text())):
                if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("legacy."):
                    names |= {(node.module, alias.name) for alias in node.names}
    return names


def _closure_source(module, name: str, seen: set[str]) -> str:
    if name in seen or not hasattr(module, name):
        return ""
    seen.add(name)
    value = getattr(module, name)
    if inspect.isfunction(value) or inspect.isclass(value):
        if value.__module__ != module.__name__:
            return ""
        source = inspect.getsource(value)
        used = {node.id for node in ast.walk(ast.parse(source)) if isinstance(node, ast.Name)}
        return source + "".join(_closure_source(module, other, seen) for other in sorted(used))
    if isinstance(value, str | int | tuple | Path):
        text = value.read_text() if isinstance(value, Path) and value.is_file() else repr(value)
        return f"{name}={text}"
    return ""


def digest(module_name: str, name: str) -> str:
    module = importlib.import_module(module_name)
    return hashlib.sha256(_closure_source(module, name, set()).encode()).hexdigest()[:16]


def test_the_legacy_code_migrations_call_is_unchanged():
    current = {f"{module}.{name}": digest(module, name) for module, name in sorted(_legacy_imports())}
    assert current == FROZEN
