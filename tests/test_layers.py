"""Imports flow one way: core -> accounts -> billing/profiles -> grants -> funders -> applications -> legacy.

Every module of every app is parsed (imports inside functions too, migrations included): a lower
app importing a higher one fails here. Higher apps reach the lower ones' behaviour through the
hooks those register in ``ready()`` (owner models, stale-task handlers, health reports, first
steps, admin details, ``accounts.signals``).
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
# Each app and the apps it may import.
MAY_IMPORT = {
    "core": set(),
    "accounts": {"core"},
    "billing": {"core", "accounts"},
    "profiles": {"core", "accounts"},
    "grants": {"core", "accounts", "billing", "profiles"},
    "funders": {"core", "accounts", "billing", "profiles", "grants"},
    "applications": {"core", "accounts", "billing", "profiles", "grants", "funders"},
    "legacy": {"core", "accounts", "billing", "profiles", "grants", "funders", "applications"},
}
# Migrations may also call the frozen legacy functions (legacy/__init__.py): history, not layering.
MIGRATIONS_MAY_IMPORT = {"legacy"}


def _imported_apps(path: Path) -> set[str]:
    apps = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        else:
            continue
        apps |= {name.split(".")[0] for name in names} & MAY_IMPORT.keys()
    return apps


@pytest.mark.parametrize("app", sorted(MAY_IMPORT))
def test_an_app_imports_only_the_apps_below_it(app):
    upward = {
        str(path.relative_to(ROOT)): sorted(
            _imported_apps(path)
            - MAY_IMPORT[app]
            - {app}
            - (MIGRATIONS_MAY_IMPORT if "migrations" in path.parts else set())
        )
        for path in sorted((ROOT / app).rglob("*.py"))
    }
    assert {module: apps for module, apps in upward.items() if apps} == {}
