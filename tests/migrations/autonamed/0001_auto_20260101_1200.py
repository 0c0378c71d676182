"""An auto-named migration, only for proving django-test-migrations' AutoNames check fires
(tests/migrations/test_migration_tools.py points the funders app's MIGRATION_MODULES here)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = []
    operations = []
