# A generated column cannot be altered: the purpose-only search vector replaces the old one
# (the table is new; there is nothing to keep in it that the column does not rebuild).

import django.contrib.postgres.indexes
import django.contrib.postgres.search
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("funders", "0001_initial"),
    ]

    operations = [
        migrations.RemoveIndex(model_name="fundergrant", name="ix_funder_grants_search"),
        migrations.RemoveField(model_name="fundergrant", name="search"),
        migrations.AddField(
            model_name="fundergrant",
            name="search",
            field=models.GeneratedField(
                db_persist=True,
                expression=django.contrib.postgres.search.SearchVector("purpose", config="english"),
                output_field=django.contrib.postgres.search.SearchVectorField(),
            ),
        ),
        migrations.AddIndex(
            model_name="fundergrant",
            index=django.contrib.postgres.indexes.GinIndex(fields=["search"], name="ix_funder_grants_search"),
        ),
    ]
