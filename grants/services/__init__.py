"""The grants app's writes, one module per workflow; import them from here."""

from grants.services.catalog import (
    catalog_sync_api,
    catalog_sync_ca_portal,
    catalog_sync_demo,
    catalog_sync_grantsgov,
    catalog_sync_xml,
    catalog_upsert,
)
from grants.services.search_runs import (
    UsageLimitReached,
    search_run_execute,
    search_run_start,
    search_runs_fail_stale,
)

__all__ = [
    "UsageLimitReached",
    "catalog_sync_api",
    "catalog_sync_ca_portal",
    "catalog_sync_demo",
    "catalog_sync_grantsgov",
    "catalog_sync_xml",
    "catalog_upsert",
    "search_run_execute",
    "search_run_start",
    "search_runs_fail_stale",
]
