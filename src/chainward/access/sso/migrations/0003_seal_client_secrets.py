"""Client secrets stored sealed (sso.sealing: Fernet under a key derived from SECRET_KEY).

Forward seals every stored plain secret. Backward opens them again (plain text, as before);
it stops, changing nothing, if a secret does not open with this instance's SECRET_KEY (or
SECRET_KEY_FALLBACKS) — run it with the key the secrets were sealed under."""

from django.db import migrations, models

from chainward.access.sso import sealing


def seal_secrets(apps, schema_editor):
    secret_model = apps.get_model("sso", "OidcClientSecret")
    for secret in secret_model.objects.all():
        secret.value = sealing.seal(secret.value)
        secret.save(update_fields=["value"])


def open_secrets(apps, schema_editor):
    secret_model = apps.get_model("sso", "OidcClientSecret")
    opened = []
    for secret in secret_model.objects.all():
        try:
            opened.append((secret, sealing.unseal(secret.value)))
        except sealing.Unreadable:
            raise RuntimeError(
                f"The client secret of provider {secret.provider_id} does not open with this "
                "instance's SECRET_KEY; migrate back with the key it was sealed under."
            ) from None
    for secret, plain in opened:
        secret.value = plain
        secret.save(update_fields=["value"])


class Migration(migrations.Migration):
    dependencies = [
        ("sso", "0002_saml_provider"),
    ]

    operations = [
        migrations.AlterField(
            model_name="oidcclientsecret",
            name="value",
            field=models.TextField(verbose_name="client secret (sealed)"),
        ),
        migrations.RunPython(seal_secrets, open_secrets),
    ]
