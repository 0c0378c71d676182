"""Adopt the legacy ``application_history`` table, remap its string owners, add generated applications.

``user_id`` (a string) becomes ``user_id_old``; the new integer ``user_id`` starts as the legacy
owner (a constant default, no row rewritten), then the remap rules of ``legacy.remap``
move the rows whose string names a user. ``migrate`` prints what each rule did.
Last, ``alembic_version`` is retired: from here on Django's migrations describe the schema.
"""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

from legacy.database import (
    ALEMBIC_VERSION_DDL,
    legacy_has_rows,
    legacy_owner_find,
    sequence_reset_past_max,
    table_exists,
)
from legacy.remap import history_remap


def adopt_application_history(apps, schema_editor):
    with schema_editor.connection.cursor() as cursor:
        owner_col = "user_id bigint NOT NULL"
        if legacy_has_rows(cursor):
            owner = legacy_owner_find(apps.get_model("accounts", "User"))
            owner_col += f" DEFAULT {int(owner.pk)}"
        cursor.execute("SET LOCAL TIME ZONE 'UTC'")
        cursor.execute(
            f"""
            ALTER TABLE application_history RENAME COLUMN user_id TO user_id_old;
            ALTER INDEX ix_application_history_user_id RENAME TO ix_application_history_user_id_old;
            ALTER TABLE application_history ALTER COLUMN user_id_old DROP NOT NULL;
            ALTER TABLE application_history
                ADD COLUMN {owner_col},
                ALTER COLUMN application_date TYPE timestamp with time zone,
                ALTER COLUMN created_at TYPE timestamp with time zone,
                ALTER COLUMN updated_at TYPE timestamp with time zone;
            ALTER TABLE application_history ALTER COLUMN user_id DROP DEFAULT;
            """
        )
        sequence_reset_past_max(cursor, "application_history")


def remap_legacy_owners(apps, schema_editor):
    User = apps.get_model("accounts", "User")
    with schema_editor.connection.cursor() as cursor:
        if not legacy_has_rows(cursor):
            return
        owner = legacy_owner_find(User)
        report = history_remap(
            cursor, owner_id=owner.pk, owner_email=owner.email, dry_run=False
        )
        cursor.execute(
            "SELECT count(*) FROM user_settings WHERE user_id = %s", [owner.pk]
        )
        (settings_rows,) = cursor.fetchone()
        # Planner estimates: exact counts would scan the two biggest tables once more.
        cursor.execute(
            "SELECT relname, greatest(reltuples, 0)::bigint FROM pg_class"
            " WHERE relname IN ('grants', 'search_runs') AND relkind = 'r'"
        )
        estimates = dict(cursor.fetchall())
    report.extra_lines = [
        f"grants without an owner given to the legacy owner: all (about {estimates.get('grants', 0):,})",
        f"search_runs without an owner given to the legacy owner: all (about {estimates.get('search_runs', 0):,})",
        f"user_settings (and so every saved grant) given to the legacy owner: {settings_rows}",
    ]
    print("\n  Legacy data remap:")
    for line in report.lines():
        print(f"    {line}")


def add_history_constraints(apps, schema_editor):
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(
            """
            SET LOCAL maintenance_work_mem = '256MB';
            -- The index first: the foreign key check then reads it instead of the whole table.
            CREATE INDEX ix_application_history_user_id ON application_history (user_id);
            CREATE INDEX ix_application_history_grant_id ON application_history (grant_id);
            ALTER TABLE application_history
                ADD CONSTRAINT application_history_user_id_fk_users_id FOREIGN KEY (user_id)
                    REFERENCES users (id) DEFERRABLE INITIALLY DEFERRED;
            """
        )


def drop_history_constraints(apps, schema_editor):
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(
            """
            DROP INDEX ix_application_history_grant_id;
            DROP INDEX ix_application_history_user_id;
            ALTER TABLE application_history DROP CONSTRAINT application_history_user_id_fk_users_id;
            """
        )


def restore_legacy_application_history(apps, schema_editor):
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SET LOCAL TIME ZONE 'UTC'")
        cursor.execute(
            """
            -- Rows written since the migration have no legacy string: keep their owner's e-mail.
            UPDATE application_history h SET user_id_old = u.email
            FROM users u WHERE u.id = h.user_id AND h.user_id_old IS NULL;
            ALTER TABLE application_history
                DROP COLUMN user_id,
                ALTER COLUMN application_date TYPE timestamp without time zone,
                ALTER COLUMN created_at TYPE timestamp without time zone,
                ALTER COLUMN updated_at TYPE timestamp without time zone;
            ALTER TABLE application_history RENAME COLUMN user_id_old TO user_id;
            ALTER INDEX ix_application_history_user_id_old RENAME TO ix_application_history_user_id;
            -- After the rename, so that PostgreSQL 18 names the constraint as the legacy one.
            ALTER TABLE application_history ALTER COLUMN user_id SET NOT NULL;
            """
        )


def retire_alembic_version(apps, schema_editor):
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS alembic_version")


def restore_alembic_version(apps, schema_editor):
    with schema_editor.connection.cursor() as cursor:
        if not table_exists(cursor, "alembic_version"):
            cursor.execute(ALEMBIC_VERSION_DDL)


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("grants", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.RunPython(
                    adopt_application_history, restore_legacy_application_history
                ),
                migrations.RunPython(remap_legacy_owners, migrations.RunPython.noop),
                migrations.RunPython(add_history_constraints, drop_history_constraints),
            ],
            state_operations=[
                migrations.CreateModel(
                    name="ApplicationHistory",
                    fields=[
                        ("id", models.AutoField(primary_key=True, serialize=False)),
                        (
                            "user_id_old",
                            models.TextField(
                                blank=True,
                                help_text="The legacy owner string, if any.",
                                null=True,
                            ),
                        ),
                        (
                            "application_date",
                            models.DateTimeField(blank=True, null=True),
                        ),
                        (
                            "status",
                            models.CharField(
                                choices=[
                                    ("NOT_APPLIED", "Not applied"),
                                    ("DRAFTING", "Drafting"),
                                    ("APPLIED", "Applied"),
                                    ("UNDER_REVIEW", "Under review"),
                                    ("AWARDED", "Awarded"),
                                    ("REJECTED", "Rejected"),
                                    ("WITHDRAWN", "Withdrawn"),
                                ],
                                default="NOT_APPLIED",
                                max_length=20,
                            ),
                        ),
                        ("status_reason", models.TextField(blank=True, null=True)),
                        ("award_amount", models.FloatField(blank=True, null=True)),
                        ("feedback_notes", models.TextField(blank=True, null=True)),
                        (
                            "is_successful_outcome",
                            models.BooleanField(blank=True, null=True),
                        ),
                        (
                            "created_at",
                            models.DateTimeField(
                                default=django.utils.timezone.now, null=True
                            ),
                        ),
                        ("updated_at", models.DateTimeField(auto_now=True, null=True)),
                        (
                            "grant",
                            models.ForeignKey(
                                db_index=False,
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="application_history",
                                to="grants.grant",
                            ),
                        ),
                        (
                            "user",
                            models.ForeignKey(
                                db_index=False,
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="application_history",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                    ],
                    options={
                        "verbose_name_plural": "application history",
                        "db_table": "application_history",
                        "indexes": [
                            models.Index(
                                fields=["user"], name="ix_application_history_user_id"
                            ),
                            models.Index(
                                fields=["user_id_old"],
                                name="ix_application_history_user_id_old",
                            ),
                            models.Index(
                                fields=["grant"], name="ix_application_history_grant_id"
                            ),
                        ],
                    },
                ),
            ],
        ),
        migrations.CreateModel(
            name="GeneratedApplication",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True,
                        primary_key=True,
                        serialize=False,
                        verbose_name="ID",
                    ),
                ),
                ("generated_content", models.TextField(blank=True, default="")),
                ("sections", models.JSONField(blank=True, default=dict)),
                ("generation_date", models.DateTimeField(blank=True, null=True)),
                ("last_edited", models.DateTimeField(blank=True, null=True)),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("DRAFT", "Draft"),
                            ("GENERATED", "Generated"),
                            ("EDITED", "Edited"),
                            ("SUBMITTED", "Submitted"),
                            ("AWARDED", "Awarded"),
                            ("REJECTED", "Rejected"),
                        ],
                        default="DRAFT",
                        max_length=20,
                    ),
                ),
                ("feedback_notes", models.TextField(blank=True, default="")),
                ("user_edits", models.JSONField(blank=True, default=dict)),
                (
                    "model_used",
                    models.CharField(blank=True, default="", max_length=100),
                ),
                ("generation_time_seconds", models.FloatField(blank=True, null=True)),
                ("tokens_used", models.PositiveIntegerField(default=0)),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                ("updated_at", models.DateTimeField(auto_now=True)),
                (
                    "grant",
                    models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="generated_applications",
                        to="grants.grant",
                    ),
                ),
                (
                    "user",
                    models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="generated_applications",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "db_table": "generated_applications",
                "indexes": [
                    models.Index(
                        fields=["user", "-created_at"],
                        name="ix_generated_applications_user_id",
                    ),
                    models.Index(
                        fields=["grant"], name="ix_generated_applications_grant_id"
                    ),
                ],
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(
                            (
                                "status__in",
                                [
                                    "DRAFT",
                                    "GENERATED",
                                    "EDITED",
                                    "SUBMITTED",
                                    "AWARDED",
                                    "REJECTED",
                                ],
                            )
                        ),
                        name="generated_applications_status_valid",
                    )
                ],
            },
        ),
        migrations.RunPython(retire_alembic_version, restore_alembic_version),
    ]
