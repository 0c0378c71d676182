"""``.env.example`` lists exactly the environment variables the settings and gunicorn read.

Names are found three ways, so none slips by: the literal names in ``env(...)``/``env.<type>(...)``
calls of grantfinder/settings.py (production-only branches included), the names actually read
when the settings are imported (names built at run time, such as ``PLAN_<KEY>_SEARCHES``), and
gunicorn's ``os.environ.get(...)`` calls.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ENV_CALL = re.compile(r"\benv(?:\.\w+)?\(\s*f?\"([A-Z][A-Z0-9_]*)\"")
OS_ENVIRON = re.compile(r"os\.environ(?:\.get\(|\[)\s*\"([A-Z][A-Z0-9_]*)\"")
LISTED = re.compile(r"^#?\s*([A-Z][A-Z0-9_]*)=", re.MULTILINE)

# Imports the settings in a fresh interpreter with environ.Env recording every name it is asked for.
RECORD_READS = """
import environ, json
names = []
get_value = environ.Env.get_value
def recording(self, var, *args, **kwargs):
    names.append(var)
    return get_value(self, var, *args, **kwargs)
environ.Env.get_value = recording
import grantfinder.settings
print(json.dumps(sorted(set(names))))
"""


def _read_at_import() -> set[str]:
    environment = {"PATH": os.environ.get("PATH", ""), "DJANGO_DEBUG": "true"}
    done = subprocess.run(
        [sys.executable, "-c", RECORD_READS], cwd=ROOT, env=environment, capture_output=True, text=True, check=True
    )
    return set(json.loads(done.stdout))


def test_env_example_lists_every_variable_read_and_no_other():
    settings_text = (ROOT / "grantfinder" / "settings.py").read_text()
    gunicorn_text = (ROOT / "grantfinder" / "gunicorn.conf.py").read_text()
    read = set(ENV_CALL.findall(settings_text)) | _read_at_import() | set(OS_ENVIRON.findall(gunicorn_text))
    listed = LISTED.findall((ROOT / ".env.example").read_text())

    assert len(listed) == len(set(listed)), "a variable is listed twice in .env.example"
    assert sorted(read - set(listed)) == [], "read by the settings but missing from .env.example"
    assert sorted(set(listed) - read) == [], "listed in .env.example but read nowhere"
