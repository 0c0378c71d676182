"""Indexes serving each sort of a user's grants list and its text filter (issue 13).

Built ``CONCURRENTLY`` on the big legacy table, which the legacy app keeps reading and writing
meanwhile, so the migration is not atomic; every step is idempotent (a rerun after an interrupted
build drops the invalid index and builds it again). The new score and deadline indexes cover the
two they replace (they lead with the same columns), which go last, once their successors exist
(grants 0001 and 0003 no longer build those two on the way: see there).
"""

import django.contrib.postgres.indexes
import django.db.models.functions.text
from django.conf import settings
from django.contrib.postgres.operations import BtreeGinExtension, TrigramExtension
from django.db import migrations, models

from core.migration_ops import AddIndexConcurrentlyIfMissing, RemoveIndexConcurrentlyIfPresent


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("grants", "0006_sanitize_descriptions"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        # Both are trusted extensions: the database's owner may create them.
        TrigramExtension(),
        BtreeGinExtension(),
        AddIndexConcurrentlyIfMissing(
            model_name="grant",
            index=models.Index(
                models.F("user"),
                models.OrderBy(models.F("overall_composite_score"), descending=True, nulls_last=True),
                models.OrderBy(models.F("id"), descending=True),
                name="ix_grants_user_score",
            ),
        ),
        AddIndexConcurrentlyIfMissing(
            model_name="grant",
            index=models.Index(
                models.F("user"),
                models.OrderBy(models.F("deadline"), nulls_last=True),
                models.F("id"),
                name="ix_grants_user_deadline_id",
            ),
        ),
        AddIndexConcurrentlyIfMissing(
            model_name="grant",
            index=models.Index(
                models.F("user"),
                models.OrderBy(models.F("funding_amount"), descending=True, nulls_last=True),
                models.OrderBy(models.F("id"), descending=True),
                name="ix_grants_user_amount",
            ),
        ),
        AddIndexConcurrentlyIfMissing(
            model_name="grant",
            index=models.Index(
                models.F("user"),
                models.OrderBy(models.F("created_at"), descending=True, nulls_last=True),
                models.OrderBy(models.F("id"), descending=True),
                name="ix_grants_user_newest",
            ),
        ),
        AddIndexConcurrentlyIfMissing(
            model_name="grant",
            index=django.contrib.postgres.indexes.GinIndex(
                models.F("user"),
                django.contrib.postgres.indexes.OpClass(
                    django.db.models.functions.text.Upper(
                        django.db.models.functions.text.Concat(
                            "title",
                            models.Value(" "),
                            "funder_name",
                            models.Value(" "),
                            "description",
                            output_field=models.TextField(),
                        )
                    ),
                    name="gin_trgm_ops",
                ),
                name="ix_grants_user_text",
            ),
        ),
        RemoveIndexConcurrentlyIfPresent(model_name="grant", name="ix_grants_user_id"),
        # grants 0003 declares this index without building it (see there); databases migrated
        # when 0003 still built it lose it here. Nothing to build back on the way down.
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.RemoveIndex(model_name="grant", name="ix_grants_user_deadline")],
            database_operations=[
                migrations.RunSQL('DROP INDEX CONCURRENTLY IF EXISTS "ix_grants_user_deadline"', migrations.RunSQL.noop)
            ],
        ),
    ]
