"""Adopt the legacy ``grants``, ``analyses``, ``search_runs`` and ``saved_grants`` tables.

Every legacy row gets the legacy owner through a constant column default, which PostgreSQL
stores in the catalog: the big tables keep their storage and no row is rewritten.
"""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

import core.fields
from legacy.database import legacy_has_rows, legacy_owner_find, sequence_reset_past_max

GRANT_STATUSES = "'ACTIVE', 'EXPIRED', 'DRAFT', 'ARCHIVED'"
RUN_TYPES = "'AUTOMATED', 'MANUAL', 'SCHEDULED'"
RUN_STATUSES = "'SUCCESS', 'FAILED', 'PARTIAL', 'IN_PROGRESS'"


def owner_column(cursor, apps) -> str:
    """``user_id`` for a legacy table: defaulting to the legacy owner while it is added."""
    if not legacy_has_rows(cursor):
        return "user_id bigint NOT NULL"
    owner = legacy_owner_find(apps.get_model("accounts", "User"))
    return f"user_id bigint NOT NULL DEFAULT {int(owner.pk)}"


def adopt_grant_tables(apps, schema_editor):
    with schema_editor.connection.cursor() as cursor:
        owner_col = owner_column(cursor, apps)
        # timestamp -> timestamptz keeps the table's storage when the session time zone is UTC.
        cursor.execute("SET LOCAL TIME ZONE 'UTC'")
        # Index builds on the big tables sort in memory rather than in temporary files.
        cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
        cursor.execute(
            f"""
            ALTER TABLE grants
                ADD COLUMN {owner_col},
                ADD COLUMN external_id text,
                ADD COLUMN funder_name text,
                ADD COLUMN funding_min double precision,
                ADD COLUMN funding_max double precision,
                ADD COLUMN funding_display text,
                ADD COLUMN open_date timestamp with time zone,
                ADD COLUMN keywords jsonb NOT NULL DEFAULT '[]',
                ADD COLUMN categories jsonb NOT NULL DEFAULT '[]',
                ADD COLUMN sector_relevance_score double precision,
                ADD COLUMN geographic_relevance_score double precision,
                ADD COLUMN operational_alignment_score double precision,
                ADD COLUMN business_logic_alignment_score double precision,
                ADD COLUMN feasibility_score double precision,
                ADD COLUMN strategic_synergy_score double precision,
                ADD COLUMN score_reasons jsonb NOT NULL DEFAULT '{{}}',
                ADD COLUMN record_status varchar(20) NOT NULL DEFAULT 'ACTIVE',
                ALTER COLUMN deadline TYPE timestamp with time zone,
                ALTER COLUMN created_at TYPE timestamp with time zone,
                ALTER COLUMN updated_at TYPE timestamp with time zone,
                ALTER COLUMN last_enriched_at TYPE timestamp with time zone;
            -- No ix_grants_user_id here (the state below still declares it): grants 0007 replaces it
            -- with ix_grants_user_score, built concurrently, and drops it if present. Building it
            -- here cost a scan and a sort of the whole table under the ACCESS EXCLUSIVE lock that
            -- the legacy app's readers queue behind (0.4 s of 1.1 s on 1,000,000 grants), only
            -- for the index to be thrown away minutes later. 0007's reverse builds it back.
            ALTER TABLE grants
                ALTER COLUMN user_id DROP DEFAULT,
                ALTER COLUMN keywords DROP DEFAULT,
                ALTER COLUMN categories DROP DEFAULT,
                ALTER COLUMN score_reasons DROP DEFAULT,
                ALTER COLUMN record_status DROP DEFAULT,
                ADD CONSTRAINT grants_record_status_valid CHECK (record_status IN ({GRANT_STATUSES})),
                ADD CONSTRAINT grants_user_id_fk_users_id FOREIGN KEY (user_id)
                    REFERENCES users (id) DEFERRABLE INITIALLY DEFERRED;

            ALTER TABLE analyses
                ALTER COLUMN analysis_date TYPE timestamp with time zone,
                ALTER COLUMN created_at TYPE timestamp with time zone,
                ALTER COLUMN updated_at TYPE timestamp with time zone;
            CREATE INDEX ix_analyses_grant_id ON analyses (grant_id);

            ALTER TABLE search_runs
                ADD COLUMN {owner_col},
                ADD COLUMN run_type varchar(20) NOT NULL DEFAULT 'AUTOMATED',
                ADD COLUMN status varchar(20) NOT NULL DEFAULT 'SUCCESS',
                ADD COLUMN duration_seconds double precision,
                ADD COLUMN error_message text,
                ADD COLUMN error_details jsonb,
                ADD COLUMN search_query text,
                ADD COLUMN user_triggered boolean NOT NULL DEFAULT false,
                ADD COLUMN sources_searched integer,
                ADD COLUMN api_calls_made integer,
                ADD COLUMN processing_time_ms integer,
                ALTER COLUMN "timestamp" TYPE timestamp with time zone,
                ALTER COLUMN created_at TYPE timestamp with time zone;
            CREATE INDEX ix_search_runs_user_id ON search_runs (user_id, "timestamp" DESC);
            ALTER TABLE search_runs
                ALTER COLUMN user_id DROP DEFAULT,
                ALTER COLUMN run_type DROP DEFAULT,
                ALTER COLUMN status DROP DEFAULT,
                ALTER COLUMN user_triggered DROP DEFAULT,
                ADD CONSTRAINT search_runs_run_type_valid CHECK (run_type IN ({RUN_TYPES})),
                ADD CONSTRAINT search_runs_status_valid CHECK (status IN ({RUN_STATUSES})),
                ADD CONSTRAINT search_runs_user_id_fk_users_id FOREIGN KEY (user_id)
                    REFERENCES users (id) DEFERRABLE INITIALLY DEFERRED;

            ALTER TABLE saved_grants ALTER COLUMN saved_at TYPE timestamp with time zone;
            CREATE INDEX ix_saved_grants_grant_id ON saved_grants (grant_id);
            """
        )
        for table in ("grants", "analyses", "search_runs"):
            sequence_reset_past_max(cursor, table)


def restore_legacy_grant_tables(apps, schema_editor):
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SET LOCAL TIME ZONE 'UTC'")
        cursor.execute(
            """
            DROP INDEX ix_saved_grants_grant_id;
            ALTER TABLE saved_grants ALTER COLUMN saved_at TYPE timestamp without time zone;

            DROP INDEX ix_search_runs_user_id;
            ALTER TABLE search_runs
                DROP COLUMN user_id,
                DROP COLUMN run_type,
                DROP COLUMN status,
                DROP COLUMN duration_seconds,
                DROP COLUMN error_message,
                DROP COLUMN error_details,
                DROP COLUMN search_query,
                DROP COLUMN user_triggered,
                DROP COLUMN sources_searched,
                DROP COLUMN api_calls_made,
                DROP COLUMN processing_time_ms,
                ALTER COLUMN "timestamp" TYPE timestamp without time zone,
                ALTER COLUMN created_at TYPE timestamp without time zone;

            DROP INDEX ix_analyses_grant_id;
            ALTER TABLE analyses
                ALTER COLUMN analysis_date TYPE timestamp without time zone,
                ALTER COLUMN created_at TYPE timestamp without time zone,
                ALTER COLUMN updated_at TYPE timestamp without time zone;

            DROP INDEX IF EXISTS ix_grants_user_id;
            ALTER TABLE grants
                DROP COLUMN user_id,
                DROP COLUMN external_id,
                DROP COLUMN funder_name,
                DROP COLUMN funding_min,
                DROP COLUMN funding_max,
                DROP COLUMN funding_display,
                DROP COLUMN open_date,
                DROP COLUMN keywords,
                DROP COLUMN categories,
                DROP COLUMN sector_relevance_score,
                DROP COLUMN geographic_relevance_score,
                DROP COLUMN operational_alignment_score,
                DROP COLUMN business_logic_alignment_score,
                DROP COLUMN feasibility_score,
                DROP COLUMN strategic_synergy_score,
                DROP COLUMN score_reasons,
                DROP COLUMN record_status,
                ALTER COLUMN deadline TYPE timestamp without time zone,
                ALTER COLUMN created_at TYPE timestamp without time zone,
                ALTER COLUMN updated_at TYPE timestamp without time zone,
                ALTER COLUMN last_enriched_at TYPE timestamp without time zone;
            """
        )


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("accounts", "0002_adopt_user_settings"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.RunPython(adopt_grant_tables, restore_legacy_grant_tables)
            ],
            state_operations=[
                migrations.CreateModel(
                    name="Grant",
                    fields=[
                        ("id", models.AutoField(primary_key=True, serialize=False)),
                        ("title", models.TextField()),
                        ("description", models.TextField(blank=True, null=True)),
                        ("funding_amount", models.FloatField(blank=True, null=True)),
                        ("deadline", models.DateTimeField(blank=True, null=True)),
                        ("source_url", models.TextField(blank=True, null=True)),
                        ("source_name", models.TextField(blank=True, null=True)),
                        ("identified_sector", models.TextField(blank=True, null=True)),
                        (
                            "identified_sub_sector",
                            models.TextField(blank=True, null=True),
                        ),
                        ("geographic_scope", models.TextField(blank=True, null=True)),
                        (
                            "specific_location_mentions",
                            core.fields.LegacyJSONField(blank=True, null=True),
                        ),
                        (
                            "raw_source_data",
                            core.fields.LegacyJSONField(blank=True, null=True),
                        ),
                        (
                            "enrichment_log",
                            core.fields.LegacyJSONField(blank=True, null=True),
                        ),
                        (
                            "last_enriched_at",
                            models.DateTimeField(blank=True, null=True),
                        ),
                        (
                            "overall_composite_score",
                            models.FloatField(blank=True, null=True),
                        ),
                        ("external_id", models.TextField(blank=True, null=True)),
                        ("funder_name", models.TextField(blank=True, null=True)),
                        ("funding_min", models.FloatField(blank=True, null=True)),
                        ("funding_max", models.FloatField(blank=True, null=True)),
                        ("funding_display", models.TextField(blank=True, null=True)),
                        ("open_date", models.DateTimeField(blank=True, null=True)),
                        ("keywords", models.JSONField(blank=True, default=list)),
                        ("categories", models.JSONField(blank=True, default=list)),
                        (
                            "sector_relevance_score",
                            models.FloatField(blank=True, null=True),
                        ),
                        (
                            "geographic_relevance_score",
                            models.FloatField(blank=True, null=True),
                        ),
                        (
                            "operational_alignment_score",
                            models.FloatField(blank=True, null=True),
                        ),
                        (
                            "business_logic_alignment_score",
                            models.FloatField(blank=True, null=True),
                        ),
                        ("feasibility_score", models.FloatField(blank=True, null=True)),
                        (
                            "strategic_synergy_score",
                            models.FloatField(blank=True, null=True),
                        ),
                        ("score_reasons", models.JSONField(blank=True, default=dict)),
                        (
                            "record_status",
                            models.CharField(
                                choices=[
                                    ("ACTIVE", "Active"),
                                    ("EXPIRED", "Expired"),
                                    ("DRAFT", "Draft"),
                                    ("ARCHIVED", "Archived"),
                                ],
                                default="ACTIVE",
                                max_length=20,
                            ),
                        ),
                        (
                            "created_at",
                            models.DateTimeField(
                                default=django.utils.timezone.now, null=True
                            ),
                        ),
                        ("updated_at", models.DateTimeField(auto_now=True, null=True)),
                        (
                            "user",
                            models.ForeignKey(
                                db_index=False,
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="grants",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                    ],
                    options={
                        "db_table": "grants",
                    },
                ),
                migrations.CreateModel(
                    name="Analysis",
                    fields=[
                        ("id", models.AutoField(primary_key=True, serialize=False)),
                        (
                            "analysis_date",
                            models.DateTimeField(
                                default=django.utils.timezone.now, null=True
                            ),
                        ),
                        ("final_score", models.FloatField(blank=True, null=True)),
                        ("relevance_score", models.FloatField(blank=True, null=True)),
                        ("compliance_score", models.FloatField(blank=True, null=True)),
                        ("feasibility_score", models.FloatField(blank=True, null=True)),
                        (
                            "relevance_details",
                            core.fields.LegacyJSONField(blank=True, null=True),
                        ),
                        (
                            "compliance_details",
                            core.fields.LegacyJSONField(blank=True, null=True),
                        ),
                        (
                            "feasibility_details",
                            core.fields.LegacyJSONField(blank=True, null=True),
                        ),
                        ("overall_summary", models.TextField(blank=True, null=True)),
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
                                related_name="analyses",
                                to="grants.grant",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name_plural": "analyses",
                        "db_table": "analyses",
                    },
                ),
                migrations.CreateModel(
                    name="SavedGrant",
                    fields=[
                        (
                            "pk",
                            models.CompositePrimaryKey(
                                "user_settings_id",
                                "grant_id",
                                blank=True,
                                editable=False,
                                primary_key=True,
                                serialize=False,
                            ),
                        ),
                        (
                            "saved_at",
                            models.DateTimeField(
                                default=django.utils.timezone.now, null=True
                            ),
                        ),
                        (
                            "grant",
                            models.ForeignKey(
                                db_index=False,
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="saves",
                                to="grants.grant",
                            ),
                        ),
                        (
                            "user_settings",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="saved_grants",
                                to="accounts.usersettings",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "saved_grants",
                    },
                ),
                migrations.CreateModel(
                    name="SearchRun",
                    fields=[
                        ("id", models.AutoField(primary_key=True, serialize=False)),
                        (
                            "timestamp",
                            models.DateTimeField(
                                default=django.utils.timezone.now, null=True
                            ),
                        ),
                        ("grants_found", models.IntegerField(blank=True, null=True)),
                        ("high_priority", models.IntegerField(blank=True, null=True)),
                        (
                            "search_filters",
                            core.fields.LegacyJSONField(blank=True, null=True),
                        ),
                        (
                            "run_type",
                            models.CharField(
                                choices=[
                                    ("AUTOMATED", "Automated"),
                                    ("MANUAL", "Manual"),
                                    ("SCHEDULED", "Scheduled"),
                                ],
                                default="MANUAL",
                                max_length=20,
                            ),
                        ),
                        (
                            "status",
                            models.CharField(
                                choices=[
                                    ("SUCCESS", "Succeeded"),
                                    ("FAILED", "Failed"),
                                    ("PARTIAL", "Partly succeeded"),
                                    ("IN_PROGRESS", "In progress"),
                                ],
                                default="IN_PROGRESS",
                                max_length=20,
                            ),
                        ),
                        ("duration_seconds", models.FloatField(blank=True, null=True)),
                        ("error_message", models.TextField(blank=True, null=True)),
                        ("error_details", models.JSONField(blank=True, null=True)),
                        ("search_query", models.TextField(blank=True, null=True)),
                        ("user_triggered", models.BooleanField(default=False)),
                        (
                            "sources_searched",
                            models.IntegerField(blank=True, null=True),
                        ),
                        ("api_calls_made", models.IntegerField(blank=True, null=True)),
                        (
                            "processing_time_ms",
                            models.IntegerField(blank=True, null=True),
                        ),
                        (
                            "created_at",
                            models.DateTimeField(
                                default=django.utils.timezone.now, null=True
                            ),
                        ),
                        (
                            "user",
                            models.ForeignKey(
                                db_index=False,
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="search_runs",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                    ],
                    options={
                        "db_table": "search_runs",
                    },
                ),
                migrations.AddIndex(
                    model_name="grant",
                    index=models.Index(
                        fields=["user", "-overall_composite_score"],
                        name="ix_grants_user_id",
                    ),
                ),
                migrations.AddIndex(
                    model_name="grant",
                    index=models.Index(fields=["title"], name="ix_grants_title"),
                ),
                migrations.AddIndex(
                    model_name="grant",
                    index=models.Index(fields=["deadline"], name="ix_grants_deadline"),
                ),
                migrations.AddIndex(
                    model_name="grant",
                    index=models.Index(
                        fields=["identified_sector"], name="ix_grants_identified_sector"
                    ),
                ),
                migrations.AddIndex(
                    model_name="grant",
                    index=models.Index(
                        fields=["identified_sub_sector"],
                        name="ix_grants_identified_sub_sector",
                    ),
                ),
                migrations.AddIndex(
                    model_name="grant",
                    index=models.Index(
                        fields=["overall_composite_score"],
                        name="ix_grants_overall_composite_score",
                    ),
                ),
                migrations.AddConstraint(
                    model_name="grant",
                    constraint=models.CheckConstraint(
                        condition=models.Q(
                            (
                                "record_status__in",
                                ["ACTIVE", "EXPIRED", "DRAFT", "ARCHIVED"],
                            )
                        ),
                        name="grants_record_status_valid",
                    ),
                ),
                migrations.AddIndex(
                    model_name="analysis",
                    index=models.Index(
                        fields=["final_score"], name="ix_analyses_final_score"
                    ),
                ),
                migrations.AddIndex(
                    model_name="analysis",
                    index=models.Index(fields=["grant"], name="ix_analyses_grant_id"),
                ),
                migrations.AddIndex(
                    model_name="savedgrant",
                    index=models.Index(
                        fields=["grant"], name="ix_saved_grants_grant_id"
                    ),
                ),
                migrations.AddIndex(
                    model_name="searchrun",
                    index=models.Index(
                        fields=["user", "-timestamp"], name="ix_search_runs_user_id"
                    ),
                ),
                migrations.AddConstraint(
                    model_name="searchrun",
                    constraint=models.CheckConstraint(
                        condition=models.Q(
                            ("run_type__in", ["AUTOMATED", "MANUAL", "SCHEDULED"])
                        ),
                        name="search_runs_run_type_valid",
                    ),
                ),
                migrations.AddConstraint(
                    model_name="searchrun",
                    constraint=models.CheckConstraint(
                        condition=models.Q(
                            (
                                "status__in",
                                ["SUCCESS", "FAILED", "PARTIAL", "IN_PROGRESS"],
                            )
                        ),
                        name="search_runs_status_valid",
                    ),
                ),
            ],
        ),
    ]
