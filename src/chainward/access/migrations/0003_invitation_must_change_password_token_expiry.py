import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

import chainward.access.models


def expire_open_ended_tokens(apps, schema_editor):
    """Tokens issued before expiry existed get the default lifetime from today."""
    ApiToken = apps.get_model("access", "ApiToken")
    ApiToken.objects.filter(expires_at__isnull=True).update(
        expires_at=chainward.access.models.default_token_expiry())


class Migration(migrations.Migration):

    dependencies = [
        ('access', '0002_initial'),
        ('supplychain', '0001_initial'),
    ]

    operations = [
        migrations.AddField(
            model_name='user',
            name='must_change_password',
            field=models.BooleanField(default=False, verbose_name='must change password'),
        ),
        migrations.RunPython(expire_open_ended_tokens, migrations.RunPython.noop),
        migrations.AlterField(
            model_name='apitoken',
            name='expires_at',
            field=models.DateTimeField(default=chainward.access.models.default_token_expiry, verbose_name='expires'),
        ),
        migrations.AlterField(
            model_name='roleassignment',
            name='all_sites',
            field=models.BooleanField(default=True, help_text='Tick for the whole organisation, or choose sites below — not both.', verbose_name='whole organisation'),
        ),
        migrations.CreateModel(
            name='Invitation',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('email', models.EmailField(max_length=254, verbose_name='e-mail')),
                ('full_name', models.CharField(blank=True, help_text='Suggested name for a new account.', max_length=150, verbose_name='full name')),
                ('all_sites', models.BooleanField(default=False, help_text='Tick for the whole organisation, or choose sites below — not both.', verbose_name='whole organisation')),
                ('valid_until', models.DateField(blank=True, help_text='The role stops giving access after this day.', null=True, verbose_name='valid until')),
                ('digest', models.CharField(editable=False, max_length=64, unique=True, verbose_name='digest')),
                ('created_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='sent')),
                ('expires_at', models.DateTimeField(verbose_name='expires')),
                ('accepted_at', models.DateTimeField(blank=True, null=True, verbose_name='accepted')),
                ('accepted_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='accepted by')),
                ('invited_by', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='invited by')),
                ('organisation', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='supplychain.organisation', verbose_name='organisation')),
                ('role', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='access.role', verbose_name='role')),
                ('sites', models.ManyToManyField(blank=True, related_name='+', to='supplychain.site', verbose_name='sites')),
            ],
            options={
                'verbose_name': 'invitation',
                'ordering': ('-created_at',),
            },
        ),
    ]
