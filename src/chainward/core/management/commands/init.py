"""`chainward init`: an empty installation with one organisation and its first administrator."""

import secrets

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from chainward.access.models import Role, RoleAssignment, User
from chainward.access.roles import ADMINISTRATOR
from chainward.ledger.context import actor_context
from chainward.supplychain.models import Organisation


class Command(BaseCommand):
    help = "Migrate, create an organisation and its administrator (random password printed once)."

    def add_arguments(self, parser):
        parser.add_argument("--organisation", required=True, help="Organisation name.")
        parser.add_argument("--email", required=True, help="Administrator's e-mail address.")
        parser.add_argument("--country", default="", help="ISO 3166 code, e.g. DE.")

    def handle(self, *args, **options):
        call_command("migrate", interactive=False, verbosity=0)
        email = options["email"].strip().lower()
        if Organisation.objects.filter(name=options["organisation"]).exists():
            raise CommandError(f"An organisation named {options['organisation']!r} exists "
                               "already; choose another name.")
        password = None
        with actor_context(None, name="chainward init", reason="initial set-up"), \
                transaction.atomic():
            organisation = Organisation(name=options["organisation"], country=options["country"])
            organisation.full_clean()
            organisation.save()
            user = User.objects.filter(email=email).first()
            if user is None:
                password = secrets.token_urlsafe(12)
                user = User.objects.create_user(email, password, must_change_password=True)
            RoleAssignment.objects.create(organisation=organisation, user=user,
                                          role=Role.objects.get(name=ADMINISTRATOR))
        self.stdout.write(f"Created {organisation}; administrator {email}")
        if password:
            self.stdout.write(f"  one-time password: {password}")
