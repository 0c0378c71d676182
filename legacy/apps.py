from django.apps import AppConfig


class LegacyConfig(AppConfig):
    """Everything about the single-user application's Alembic database, in one place.

    ``database``: the revision check, the schema SQL (``sql/``), the legacy owner and sequences;
    ``remap``: who legacy history belongs to; the ``migrate`` override, ``remap_legacy_users``
    and ``downgrade_to_legacy``. It sits above every app (it converts their tables), and only the
    migrations of the lower apps import it: the functions they call are frozen (see
    ``legacy/__init__.py``).
    """

    default_auto_field = "django.db.models.BigAutoField"
    name = "legacy"

    def ready(self):
        from accounts.signals import email_verified
        from legacy.claim import history_claim

        # A verified e-mail claims the legacy application history that names it.
        email_verified.connect(history_claim, dispatch_uid="legacy.claim.history_claim")
