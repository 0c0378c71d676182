"""WorkerHeartbeat moves from accounts to core: state only, the table ``worker_heartbeats`` stays.

accounts.0004 created the table; accounts.0009 drops the model from accounts' state after this
adds it to core's, so the database is never touched.
"""

from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("accounts", "0004_worker_heartbeats"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="WorkerHeartbeat",
                    fields=[
                        ("worker_id", models.CharField(max_length=64, primary_key=True, serialize=False)),
                        ("hostname", models.CharField(max_length=255)),
                        ("pid", models.PositiveIntegerField()),
                        ("started_at", models.DateTimeField()),
                        ("last_seen_at", models.DateTimeField(db_index=True)),
                    ],
                    options={"db_table": "worker_heartbeats"},
                ),
            ],
            database_operations=[],
        ),
    ]
