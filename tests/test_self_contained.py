"""The repository needs nothing beside it: a clone anywhere runs ``make test`` (issue 11).

The workspace this project grew in keeps reference material in a ``shared`` folder next to the
checkout; tests and benchmarks once read the legacy schema from there and failed on a clone.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from django.conf import settings

ROOT = Path(settings.BASE_DIR)
# Spelled in pieces so that this file does not match itself.
OUTSIDE = re.compile("|".join([r"\.\./" + "shared", r"parent\s*/\s*['\"]" + "shared['\"]"]))
# What git ignores (the virtualenv, the database, collected static files) and binary files.
SKIP_DIRS = {".git", ".venv", ".ruff_cache", ".pytest_cache", "__pycache__", "var", "staticfiles", "media"}
TEXT_SUFFIXES = {".py", ".sql", ".md", ".txt", ".toml", ".cfg", ".ini", ".yaml", ".yml", ".json", ".html", ".sh", ""}


def test_no_file_reads_the_folder_beside_the_checkout():
    offenders = []
    for folder, dirs, files in os.walk(ROOT):
        dirs[:] = [d for d in dirs if d not in SKIP_DIRS]
        for name in files:
            path = Path(folder) / name
            if path.suffix not in TEXT_SUFFIXES:
                continue
            text = path.read_text(errors="replace")
            offenders += [f"{path.relative_to(ROOT)}: {m.group(0)}" for m in OUTSIDE.finditer(text)]
    assert offenders == []
