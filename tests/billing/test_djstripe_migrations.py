"""dj-stripe's migrations run as one squash (billing/djstripe_migrations): it must replace exactly
the migrations the installed dj-stripe ships, or an upgrade's new migrations would be skipped."""

from __future__ import annotations

import pkgutil

import djstripe.migrations
from django.db.migrations.loader import MigrationLoader

SQUASH = ("djstripe", "0001_squashed_2_11")


def test_the_squash_replaces_every_migration_the_installed_dj_stripe_ships(settings):
    settings.MIGRATION_MODULES = {"djstripe": "billing.djstripe_migrations"}  # the suite hides migrations
    shipped = sorted(m.name for m in pkgutil.iter_modules(djstripe.migrations.__path__) if m.name[0].isdigit())
    loader = MigrationLoader(None, ignore_no_migrations=True, load=True)

    replaced = sorted(name for _, name in loader.disk_migrations[SQUASH].replaces)

    assert replaced == shipped, (
        "dj-stripe's migrations changed: regenerate billing/djstripe_migrations (see its README) "
        f"so that it replaces {shipped}"
    )
    assert [key for key in loader.disk_migrations if key[0] == "djstripe"] == [SQUASH]
