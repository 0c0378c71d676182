"""Decode the HTML entities that earlier imports stored in catalog text (issue 11)."""

from django.db import migrations


def repair(apps, schema_editor):
    from grants.services.catalog_text import catalog_text_repair

    catalog_text_repair(model=apps.get_model("grants", "Opportunity"))


class Migration(migrations.Migration):
    dependencies = [("grants", "0003_grants_user_deadline_index")]

    operations = [migrations.RunPython(repair, migrations.RunPython.noop)]
