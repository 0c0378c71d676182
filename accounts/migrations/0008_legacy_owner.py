"""Record who the conversion made the legacy owner, so that later commands read it from the database.

``remap_legacy_users`` and ``downgrade_to_legacy`` used to ask ``LEGACY_OWNER_EMAIL`` of their own
environment; run without it, the rollback took the legacy owner for another user and deleted the
legacy settings row and every saved grant. One row; reversing drops it with its table.
"""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

from legacy.database import legacy_owner_record


def record_legacy_owner(apps, schema_editor):
    legacy_owner_record(apps.get_model("accounts", "User"), apps.get_model("accounts", "LegacyOwner"))


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0007_erasure_log'),
    ]

    operations = [
        migrations.CreateModel(
            name='LegacyOwner',
            fields=[
                ('id', models.PositiveSmallIntegerField(default=1, editable=False, primary_key=True, serialize=False)),
                ('recorded_at', models.DateTimeField(default=django.utils.timezone.now)),
                ('user', models.OneToOneField(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'db_table': 'legacy_owner',
                'constraints': [models.CheckConstraint(condition=models.Q(('id', 1)), name='legacy_owner_single_row')],
            },
        ),
        migrations.RunPython(record_legacy_owner, migrations.RunPython.noop),
    ]
