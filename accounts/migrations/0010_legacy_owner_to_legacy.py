"""LegacyOwner now belongs to the legacy app (legacy.0001): state only, the table stays as it is."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0009_worker_heartbeat_to_core"),
        ("legacy", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="LegacyOwner")],
            database_operations=[],
        ),
    ]
