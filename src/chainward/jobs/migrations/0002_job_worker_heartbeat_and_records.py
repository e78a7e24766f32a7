import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('jobs', '0001_initial'),
    ]

    operations = [
        migrations.AddField(
            model_name='job',
            name='heartbeat_at',
            field=models.DateTimeField(blank=True, null=True, verbose_name='last sign of life'),
        ),
        migrations.AddField(
            model_name='job',
            name='request_id',
            field=models.CharField(blank=True, max_length=64, verbose_name='request id'),
        ),
        migrations.AddField(
            model_name='job',
            name='worker',
            field=models.CharField(blank=True, max_length=120, verbose_name='worker'),
        ),
        migrations.CreateModel(
            name='JobRecord',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('model', models.CharField(max_length=100, verbose_name='model')),
                ('object_id', models.CharField(max_length=64, verbose_name='object id')),
                ('row', models.PositiveIntegerField(blank=True, null=True, verbose_name='source row')),
                ('job', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='records', to='jobs.job')),
            ],
            options={
                'ordering': ('id',),
            },
        ),
    ]
