"""The user model, preceded by the legacy check and, on a new database, the legacy tables.

Every database reaches the multi-user schema by one path: a new one first gets the legacy
(Alembic d896bf2738fb) tables, empty, then both are converted by the migrations that follow.
"""

import accounts.models
import django.db.models.deletion
import django.db.models.functions.text
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

from legacy.database import legacy_database_check, legacy_schema_create_if_missing


def check_legacy_revision(apps, schema_editor):
    legacy_database_check(schema_editor.connection)


def create_legacy_schema(apps, schema_editor):
    legacy_schema_create_if_missing(schema_editor)


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('auth', '0012_alter_user_first_name_max_length'),
    ]

    operations = [
        # The migrate command runs the same check before anything; this guards partial runs.
        migrations.RunPython(check_legacy_revision, migrations.RunPython.noop, elidable=False),
        # Reversing never drops the legacy tables: downgrade_to_legacy stops before this point.
        migrations.RunPython(create_legacy_schema, migrations.RunPython.noop, elidable=False),
        migrations.CreateModel(
            name='User',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('password', models.CharField(max_length=128, verbose_name='password')),
                ('last_login', models.DateTimeField(blank=True, null=True, verbose_name='last login')),
                ('is_superuser', models.BooleanField(default=False, help_text='Designates that this user has all permissions without explicitly assigning them.', verbose_name='superuser status')),
                ('is_active', models.BooleanField(default=True, help_text='Designates whether this user should be treated as active. Unselect this instead of deleting accounts.', verbose_name='active')),
                ('email', models.EmailField(max_length=254, unique=True, verbose_name='e-mail address')),
                ('auth0_id', models.CharField(blank=True, max_length=255, null=True)),
                ('full_name', models.CharField(blank=True, default='', max_length=255)),
                ('company_name', models.CharField(blank=True, default='', max_length=255)),
                ('subscription_tier', models.CharField(choices=[('free', 'Free'), ('basic', 'Basic'), ('pro', 'Pro')], default='free', max_length=20)),
                ('subscription_status', models.CharField(choices=[('ACTIVE', 'Active'), ('CANCELED', 'Canceled'), ('PAST_DUE', 'Past due'), ('TRIALING', 'Trialing'), ('INCOMPLETE', 'Incomplete'), ('INCOMPLETE_EXPIRED', 'Incomplete (expired)'), ('UNPAID', 'Unpaid')], default='ACTIVE', max_length=20)),
                ('searches_used', models.PositiveIntegerField(default=0)),
                ('searches_limit', models.PositiveIntegerField(default=5)),
                ('applications_used', models.PositiveIntegerField(default=0)),
                ('applications_limit', models.PositiveIntegerField(default=1)),
                ('usage_period_start', models.DateTimeField(blank=True, null=True)),
                ('usage_period_end', models.DateTimeField(blank=True, null=True)),
                ('monthly_ai_cost_cents', models.PositiveIntegerField(default=0)),
                ('is_staff', models.BooleanField(db_column='is_admin', default=False, help_text='Designates whether the user can log into the admin site.', verbose_name='staff status')),
                ('date_joined', models.DateTimeField(db_column='created_at', default=django.utils.timezone.now, verbose_name='created')),
                ('updated_at', models.DateTimeField(auto_now=True)),
                ('groups', models.ManyToManyField(blank=True, help_text='The groups this user belongs to. A user will get all permissions granted to each of their groups.', related_name='user_set', related_query_name='user', to='auth.group', verbose_name='groups')),
                ('user_permissions', models.ManyToManyField(blank=True, help_text='Specific permissions for this user.', related_name='user_set', related_query_name='user', to='auth.permission', verbose_name='user permissions')),
            ],
            options={
                'db_table': 'users',
                'ordering': ['email'],
            },
            managers=[
                ('objects', accounts.models.UserManager()),
            ],
        ),
        migrations.AddConstraint(
            model_name='user',
            constraint=models.UniqueConstraint(django.db.models.functions.text.Lower('email'), name='ix_users_email'),
        ),
        migrations.AddConstraint(
            model_name='user',
            constraint=models.UniqueConstraint(fields=('auth0_id',), name='ix_users_auth0_id'),
        ),
        migrations.AddConstraint(
            model_name='user',
            constraint=models.CheckConstraint(condition=models.Q(('subscription_tier__in', ['free', 'basic', 'pro'])), name='users_subscription_tier_valid'),
        ),
        migrations.AddConstraint(
            model_name='user',
            constraint=models.CheckConstraint(condition=models.Q(('subscription_status__in', ['ACTIVE', 'CANCELED', 'PAST_DUE', 'TRIALING', 'INCOMPLETE', 'INCOMPLETE_EXPIRED', 'UNPAID'])), name='users_subscription_status_valid'),
        ),
    ]
