# Opportunity descriptions are cleaned on every write from now on (SanitizedHTMLField); this also
# cleans the rows written before, e.g. through the admin, which only import-time cleaning covered.
# Reversing leaves the cleaned HTML (the unsafe markup is not worth restoring).

from django.db import migrations

import grants.models

BATCH = 2000


def clean_existing(apps, schema_editor):
    from grants.sources.normalize import sanitize_html

    last = 0
    with schema_editor.connection.cursor() as cursor:
        while True:
            cursor.execute(
                "SELECT id, description FROM opportunities WHERE id > %s AND description LIKE '%%<%%' "
                "ORDER BY id LIMIT %s",
                [last, BATCH],
            )
            rows = cursor.fetchall()
            if not rows:
                return
            changed = [(sanitize_html(text), pk) for pk, text in rows if sanitize_html(text) != text]
            if changed:
                cursor.executemany("UPDATE opportunities SET description = %s WHERE id = %s", changed)
            last = rows[-1][0]


class Migration(migrations.Migration):

    dependencies = [
        ('grants', '0005_opportunity_source_ca_portal'),
    ]

    operations = [
        migrations.AlterField(
            model_name='opportunity',
            name='description',
            field=grants.models.SanitizedHTMLField(blank=True, default='', help_text='HTML; cleaned of scripts and the like on save.'),
        ),
        migrations.RunPython(clean_existing, migrations.RunPython.noop),
    ]
