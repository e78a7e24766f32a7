"""`chainward init`: migrate, then create an organisation and invite its first administrator.

The same service as the "Add organisation" page and the API
(`supplychain.services.create_organisation`): catalogues loaded, default risk matrix, and an
invitation whose link is printed here (and e-mailed when mail is configured), for scripted
set-ups without anyone signed in.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.urls import reverse

from chainward.ledger.context import actor_context
from chainward.supplychain.services import create_organisation


class Command(BaseCommand):
    help = ("Migrate, create an organisation (catalogues, default risk matrix) and invite its "
            "first administrator; prints the invitation link.")

    def add_arguments(self, parser):
        parser.add_argument("--organisation", required=True, help="Organisation name.")
        parser.add_argument("--email", required=True, help="First administrator's e-mail.")
        parser.add_argument("--name", default="", help="First administrator's full name.")
        parser.add_argument("--country", default="", help="ISO 3166 code, e.g. DE.")
        parser.add_argument("--site-url", default=settings.SITE_URL,
                            help="Address people open Chainward at, for the invitation link "
                                 "(default: SITE_URL).")

    def handle(self, *args, **options):
        call_command("migrate", interactive=False, verbosity=0)
        base = options["site_url"].rstrip("/")
        try:
            with actor_context(None, name="chainward init", reason="initial set-up"):
                organisation, invitation, sent = create_organisation(
                    None, name=options["organisation"], country=options["country"],
                    administrator_email=options["email"], administrator_name=options["name"],
                    accept_url=lambda secret: base + reverse("access:invitation",
                                                             args=[secret]))
        except ValidationError as invalid:
            raise CommandError(" ".join(
                f"{name}: {' '.join(messages)}" if name != "__all__" else " ".join(messages)
                for name, messages in invalid.message_dict.items())) from None
        self.stdout.write(f"Created {organisation} with the default risk matrix; invited "
                          f"{invitation.email} as its administrator.")
        self.stdout.write(f"  invitation link (valid {settings.INVITATION_DAYS} days): "
                          f"{base}{reverse('access:invitation', args=[invitation.secret])}")
        if not sent:
            self.stdout.write("  the e-mail could not be sent; give them the link.")
