"""One schedule: README's cron block, bin/periodic and grantfinder/periodic.py agree, and every
command of the README block runs with its exact arguments."""

# ruff: noqa: DTZ001 - cron reads naive local times, and so does the schedule
from __future__ import annotations

import io
import os
import re
import shlex
import subprocess
import zipfile
from datetime import datetime
from pathlib import Path

import pytest
from django.core.management import call_command
from django.utils import timezone

from grantfinder.periodic import SCHEDULE, crontab, due, is_due
from grants.models import CatalogSync, Opportunity, SearchRunStatus
from tests.grants.fake_ckan import FakeCkan
from tests.grants.fake_grantsgov import RECORDED, FakeGrantsGov

ROOT = Path(__file__).resolve().parents[2]


def readme_cron_lines() -> list[str]:
    readme = (ROOT / "README.md").read_text()
    block = re.search(r"```cron\n(.*?)```", readme, re.DOTALL)
    assert block, "README.md has no ```cron block"
    return [line for line in block.group(1).splitlines() if line.strip()]


def readme_commands() -> list[list[str]]:
    """Each README cron line's manage.py arguments, split as the shell would split them."""
    commands = []
    for line in readme_cron_lines():
        words = shlex.split(line.split("&&", 1)[1])
        assert words[:2] == [".venv/bin/python", "manage.py"], line
        commands.append(words[2:])
    return commands


def test_the_readme_cron_block_is_the_schedule():
    assert readme_cron_lines() == crontab()


def test_bin_periodic_runs_what_the_schedule_says_is_due_and_nothing_else():
    script = (ROOT / "bin" / "periodic").read_text()
    invocations = re.findall(r'"\$PY" manage\.py ([^|)\n]*)', script)
    assert [i.strip() for i in invocations] == ["periodic --due", "$command"]


def test_the_schedule_says_what_is_due_when():
    assert is_due("*/5 * * * *", datetime(2026, 12, 1, 4, 10)) and not is_due(
        "*/5 * * * *", datetime(2026, 12, 1, 4, 11)
    )
    assert is_due("0 9 * * 1-5", datetime(2026, 11, 30, 9, 0))  # a Monday
    assert not is_due("0 9 * * 1-5", datetime(2026, 11, 29, 9, 0))  # a Sunday
    assert is_due("0 0 1 * 0", datetime(2026, 11, 29, 0, 0))  # day-of-month OR day-of-week, as cron
    assert due(datetime(2026, 12, 1, 4, 0)) == [
        "fail_stale_tasks --verbosity 0",
        "run_scheduled_searches --verbosity 0",
        "send_grant_alerts --verbosity 0",
        "sync_grants --source grantsgov --verbosity 0",
    ]
    with pytest.raises(ValueError):
        is_due("61 * * * *", datetime(2026, 12, 1))


def test_the_periodic_command_prints_the_due_commands_for_bin_periodic():
    answer = subprocess.run(
        [str(ROOT / ".venv" / "bin" / "python"), "manage.py", "periodic", "--due", "--at", "2026-12-01T04:15"],
        cwd=ROOT,
        env={**os.environ, "DJANGO_DEBUG": "true"},
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    assert answer.stdout.splitlines() == [
        "fail_stale_tasks --verbosity 0",
        "run_scheduled_searches --verbosity 0",
        "sync_grants --source ca-portal --no-alerts --verbosity 0",
    ]


def _extract_zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.write(RECORDED / "extract_131073_usgs.xml", "GrantsDBExtract20261130v2.xml")
    return buffer.getvalue()


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("method", ["api", "xml"])
def test_each_readme_cron_command_runs(settings, method):
    commands = readme_commands()
    assert len(commands) == len(SCHEDULE) == 8
    grantsgov = FakeGrantsGov().start()
    try:
        settings.GRANTSGOV_API_BASE = grantsgov.base_url
        settings.GRANTSGOV_TIMEOUT_SECONDS = 5
        settings.GRANTSGOV_SYNC_METHOD = method
        grantsgov.serve("fetch_356612_dod_zero_ceiling.json", "fetch_363621_nsf_rolling_2076.json")
        today = timezone.localdate()
        settings.GRANTSGOV_EXTRACT_URL = (
            grantsgov.base_url.replace("/v1/api", "") + "/extracts/GrantsDBExtract{date}v2.zip"
        )
        grantsgov.files[f"/extracts/GrantsDBExtract{today:%Y%m%d}v2.zip"] = _extract_zip()
        with FakeCkan() as ckan:
            settings.CA_GRANTS_API_BASE = ckan.base_url
            for args in commands:
                call_command(*args)  # raises CommandError (or worse) when a command fails
    finally:
        grantsgov.stop()
    syncs = {sync.source: sync for sync in CatalogSync.objects.all()}
    assert syncs[f"grantsgov-{method}"].status == SearchRunStatus.SUCCESS
    assert syncs["ca-portal-api"].status == SearchRunStatus.SUCCESS
    expected = {"api": {"356612", "363621"}, "xml": {"131073"}}[method]
    assert expected <= set(Opportunity.objects.filter(source="grantsgov").values_list("external_id", flat=True))
