"""The grants app's writes, one module per workflow; import them from here."""

from grants.services.catalog import catalog_sync_api, catalog_sync_demo, catalog_sync_xml, catalog_upsert

__all__ = ["catalog_sync_api", "catalog_sync_demo", "catalog_sync_xml", "catalog_upsert"]
