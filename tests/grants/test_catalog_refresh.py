"""The scheduled catalog refresh (sync_grants --source grantsgov), --reprocess, and the sync history in the admin."""

from __future__ import annotations

import io
import zipfile
from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from grants.models import CatalogSync, Opportunity, SearchRunStatus
from tests.factories import OpportunityFactory
from tests.grants.fake_grantsgov import RECORDED

pytestmark = pytest.mark.django_db


def _serve_extract(fake, settings, day) -> None:
    settings.GRANTSGOV_SYNC_METHOD = "xml"
    settings.GRANTSGOV_EXTRACT_URL = fake.base_url.replace("/v1/api", "") + "/extracts/GrantsDBExtract{date}v2.zip"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.write(RECORDED / "extract_131073_usgs.xml", f"GrantsDBExtract{day:%Y%m%d}v2.xml")
    fake.files[f"/extracts/GrantsDBExtract{day:%Y%m%d}v2.zip"] = buffer.getvalue()


def test_the_xml_method_takes_yesterdays_extract_before_todays_is_posted(fake_grantsgov, settings, capsys):
    yesterday = timezone.localdate() - timedelta(days=1)
    _serve_extract(fake_grantsgov, settings, yesterday)
    call_command("sync_grants", "--source", "grantsgov", "--no-alerts")
    assert "grantsgov-xml: success - new 1" in capsys.readouterr().out
    assert Opportunity.objects.filter(external_id="131073").exists()


def test_a_missing_or_broken_download_is_a_failed_sync_in_the_history(fake_grantsgov, settings):
    settings.GRANTSGOV_SYNC_METHOD = "xml"
    settings.GRANTSGOV_EXTRACT_URL = fake_grantsgov.base_url.replace("/v1/api", "") + "/extracts/X{date}.zip"
    stored = OpportunityFactory()
    with pytest.raises(CommandError, match="no extract for"):
        call_command("sync_grants", "--source", "grantsgov", "--no-alerts")
    today = timezone.localdate()
    fake_grantsgov.files[f"/extracts/X{today:%Y%m%d}.zip"] = b"PK\x03\x04 cut off"
    with pytest.raises(CommandError, match="not a complete zip archive"):
        call_command("sync_grants", "--source", "grantsgov", "--no-alerts")
    assert list(CatalogSync.objects.values_list("status", flat=True)) == [SearchRunStatus.FAILED] * 2
    assert Opportunity.objects.get() == stored


def test_the_api_method_is_the_default(fake_grantsgov, capsys):
    fake_grantsgov.serve("fetch_363621_nsf_rolling_2076.json")
    call_command("sync_grants", "--source", "grantsgov", "--no-alerts")
    assert "grantsgov-api: success - new 1" in capsys.readouterr().out


def test_reprocess_cleans_stored_text(capsys):
    broken = OpportunityFactory(title="USDA FNS SNAP E&amp;T Pilots")
    call_command("sync_grants", "--reprocess")
    assert "reprocessed: 1 opportunity(ies)" in capsys.readouterr().out
    broken.refresh_from_db()
    assert broken.title == "USDA FNS SNAP E&T Pilots"
    with pytest.raises(CommandError, match="takes no source"):
        call_command("sync_grants", "--reprocess", "--source", "demo")
    with pytest.raises(CommandError, match="Say which source"):
        call_command("sync_grants")


def test_staff_see_the_sync_history_newest_first(staff_client):
    now = timezone.now()
    CatalogSync.objects.create(
        source="grantsgov-api", status=SearchRunStatus.SUCCESS, new=12, finished_at=now, started_at=now
    )
    CatalogSync.objects.create(
        source="grantsgov-api",
        status=SearchRunStatus.PARTIAL,
        failed=3,
        started_at=now + timedelta(minutes=1),
        finished_at=now + timedelta(minutes=3),
        error_message="3 opportunity detail(s) could not be fetched from Grants.gov; their stored records were kept.",
    )
    page = staff_client.get("/admin/grants/catalogsync/").content.decode()
    assert page.index("3 opportunity detail(s) could not be fetched") < page.index(">12<")
    assert "2 min 0 s" in page
    assert staff_client.get("/admin/grants/catalogsync/add/").status_code == 403
