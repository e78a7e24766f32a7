"""`chainward installation-admin EMAIL [--revoke]`: who may create organisations.

An installation administrator creates organisations and invites their first administrator
(the "Add organisation" page, the API); the capability sits above organisations and shows
none of their records. The account must exist (e.g. `chainward createsuperuser` or an
accepted invitation)."""

from django.core.management.base import BaseCommand, CommandError

from chainward.access.models import User
from chainward.ledger.context import actor_context
from chainward.ledger.events import record_event


class Command(BaseCommand):
    help = "Make an existing account an installation administrator (or --revoke it)."

    def add_arguments(self, parser):
        parser.add_argument("email", help="The account's e-mail address.")
        parser.add_argument("--revoke", action="store_true", help="Take the capability away.")

    def handle(self, *args, **options):
        user = User.objects.filter(email__iexact=options["email"].strip()).first()
        if user is None:
            raise CommandError(f"No account has the address {options['email']}; create it "
                               "first (chainward createsuperuser, or an invitation).")
        granted = not options["revoke"]
        with actor_context(None, name="chainward installation-admin",
                           reason="installation administrator " + ("granted" if granted
                                                                   else "revoked")):
            user.installation_admin = granted
            user.save(update_fields=["installation_admin"])
            record_event("installation_admin_" + ("granted" if granted else "revoked"),
                         object_type="access.user", object_repr=user.email,
                         details={"user": user.pk})
        self.stdout.write(f"{user.email} {'is' if granted else 'is no longer'} an installation "
                          "administrator.")
