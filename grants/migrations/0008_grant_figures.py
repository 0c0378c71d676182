"""Per-user grant figures for the dashboard, kept current by triggers on ``grants`` (issue 13).

One transaction: the table, the triggers, then the backfill from a fresh count while writers of
``grants`` wait (``SHARE`` mode: readers never do), so no write falls between the count and the
triggers.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

from grants.figures_sql import INSTALL, REBUILD, UNINSTALL


def backfill(apps, schema_editor):
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("LOCK TABLE grants IN SHARE MODE")
        cursor.execute(REBUILD, {"all": True, "users": []})


class Migration(migrations.Migration):
    dependencies = [
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
        ("grants", "0007_grants_list_indexes"),
    ]

    operations = [
        migrations.CreateModel(
            name="GrantFigures",
            fields=[
                (
                    "user",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.DB_CASCADE,
                        primary_key=True,
                        related_name="+",
                        serialize=False,
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                ("total", models.BigIntegerField(default=0)),
                ("high", models.BigIntegerField(default=0, help_text="Scored 0.7 or more.")),
                ("medium", models.BigIntegerField(default=0, help_text="Scored from 0.4 to under 0.7.")),
                ("low", models.BigIntegerField(default=0, help_text="Scored under 0.4.")),
                ("unscored", models.BigIntegerField(default=0)),
                ("categories", models.JSONField(blank=True, default=dict)),
            ],
            options={
                "verbose_name_plural": "grant figures",
                "db_table": "grant_figures",
            },
        ),
        migrations.RunSQL(INSTALL, UNINSTALL),
        migrations.RunPython(backfill, migrations.RunPython.noop),
    ]
