"""WorkerHeartbeat now belongs to core (core.0001): state only, the table stays as it is."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0008_legacy_owner"),
        ("core", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="WorkerHeartbeat")],
            database_operations=[],
        ),
    ]
