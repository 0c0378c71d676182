"""LegacyOwner moves from accounts to legacy: state only, the table ``legacy_owner`` stays.

accounts.0008 created (and filled) the table; accounts.0010 drops the model from accounts' state
after this adds it to legacy's, so the database is never touched.
"""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("accounts", "0008_legacy_owner"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="LegacyOwner",
                    fields=[
                        (
                            "id",
                            models.PositiveSmallIntegerField(
                                default=1, editable=False, primary_key=True, serialize=False
                            ),
                        ),
                        ("recorded_at", models.DateTimeField(default=django.utils.timezone.now)),
                        (
                            "user",
                            models.OneToOneField(
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                    ],
                    options={
                        "db_table": "legacy_owner",
                        "constraints": [
                            models.CheckConstraint(condition=models.Q(("id", 1)), name="legacy_owner_single_row")
                        ],
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
