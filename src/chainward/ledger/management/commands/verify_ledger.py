"""`chainward verify-ledger`: recompute the hash chain and name the first broken entry."""

from django.core.management.base import BaseCommand, CommandError

from chainward.ledger.services import verify_ledger


class Command(BaseCommand):
    help = "Recompute the ledger's keyed hash chain; exit non-zero naming the first broken seq."

    def handle(self, *args, **options):
        ok, seq, message, count = verify_ledger()
        if not ok:
            raise CommandError(f"ledger broken at seq {seq}: {message} ({count} entries read)")
        self.stdout.write(f"ledger intact: {message}")
