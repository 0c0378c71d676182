"""Adopt the legacy ``user_settings`` table: one row per user, the legacy row to the legacy owner.

Creates the legacy owner (``LEGACY_OWNER_EMAIL`` or the system user) when the database holds
legacy rows; later migrations give it every row that had no owner.
"""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

import core.fields
from legacy.database import (
    legacy_has_rows,
    legacy_owner_get_or_create,
    sequence_reset_past_max,
)


def adopt_user_settings(apps, schema_editor):
    with schema_editor.connection.cursor() as cursor:
        owner = (
            legacy_owner_get_or_create(apps.get_model("accounts", "User"))
            if legacy_has_rows(cursor)
            else None
        )
        # timestamp -> timestamptz keeps the table's storage when the session time zone is UTC.
        cursor.execute("SET LOCAL TIME ZONE 'UTC'")
        cursor.execute(
            """
            ALTER TABLE user_settings
                ADD COLUMN user_id bigint,
                ADD COLUMN email_notifications boolean NOT NULL DEFAULT true,
                ADD COLUMN deadline_reminders boolean NOT NULL DEFAULT true,
                ALTER COLUMN created_at TYPE timestamp with time zone,
                ALTER COLUMN updated_at TYPE timestamp with time zone;
            ALTER TABLE user_settings
                ALTER COLUMN email_notifications DROP DEFAULT,
                ALTER COLUMN deadline_reminders DROP DEFAULT;
            """
        )
        if owner is not None:
            cursor.execute("UPDATE user_settings SET user_id = %s", [owner.pk])
        cursor.execute(
            """
            ALTER TABLE user_settings
                ALTER COLUMN user_id SET NOT NULL,
                ADD CONSTRAINT user_settings_user_id_key UNIQUE (user_id),
                ADD CONSTRAINT user_settings_user_id_fk_users_id FOREIGN KEY (user_id)
                    REFERENCES users (id) DEFERRABLE INITIALLY DEFERRED;
            """
        )
        sequence_reset_past_max(cursor, "user_settings")


def restore_legacy_user_settings(apps, schema_editor):
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SET LOCAL TIME ZONE 'UTC'")
        cursor.execute(
            """
            ALTER TABLE user_settings
                DROP COLUMN user_id,
                DROP COLUMN email_notifications,
                DROP COLUMN deadline_reminders,
                ALTER COLUMN created_at TYPE timestamp without time zone,
                ALTER COLUMN updated_at TYPE timestamp without time zone;
            """
        )


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.RunPython(adopt_user_settings, restore_legacy_user_settings)
            ],
            state_operations=[
                migrations.CreateModel(
                    name="UserSettings",
                    fields=[
                        ("id", models.AutoField(primary_key=True, serialize=False)),
                        (
                            "telegram_enabled",
                            models.BooleanField(blank=True, null=True),
                        ),
                        ("minimum_score", models.FloatField(blank=True, null=True)),
                        (
                            "notify_categories",
                            core.fields.LegacyJSONField(blank=True, null=True),
                        ),
                        (
                            "schedule_frequency",
                            models.CharField(
                                blank=True,
                                choices=[
                                    ("DAILY", "Daily"),
                                    ("WEEKLY", "Weekly"),
                                    ("TWICE_WEEKLY", "Twice a week"),
                                    ("MONTHLY", "Monthly"),
                                ],
                                max_length=20,
                                null=True,
                            ),
                        ),
                        (
                            "schedule_days",
                            core.fields.LegacyJSONField(blank=True, null=True),
                        ),
                        ("schedule_time", models.TextField(blank=True, null=True)),
                        ("email_notifications", models.BooleanField(default=True)),
                        ("deadline_reminders", models.BooleanField(default=True)),
                        (
                            "created_at",
                            models.DateTimeField(
                                default=django.utils.timezone.now, null=True
                            ),
                        ),
                        ("updated_at", models.DateTimeField(auto_now=True, null=True)),
                        (
                            "user",
                            models.OneToOneField(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="settings",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                    ],
                    options={
                        "verbose_name_plural": "user settings",
                        "db_table": "user_settings",
                    },
                ),
            ],
        ),
    ]
