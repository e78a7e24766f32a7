"""`chainward verify-ledger`: recompute the hash chain, compare its head with the anchor file."""

from django.core.management.base import BaseCommand, CommandError

from chainward.ledger.services import reset_anchor, verify_ledger


class Command(BaseCommand):
    help = ("Recompute the ledger's keyed hash chain and compare its end with the anchor file; "
            "exit non-zero naming the first broken seq or the missing tail.")

    def add_arguments(self, parser):
        parser.add_argument(
            "--reset-anchor", metavar="REASON",
            help="After a deliberate database replacement: if the chain itself is intact, "
                 "anchor its current head (recorded in the ledger with REASON).")

    def progress(self, count):
        """One line per PROGRESS_EVERY entries on stderr; stdout keeps only the verdict."""
        self.stderr.write(f"{count:,} entries verified", style_func=lambda line: line)

    def handle(self, *args, **options):
        ok, seq, message, count = verify_ledger(progress=self.progress)
        if not ok and options["reset_anchor"] and "anchor" in message:
            entry = reset_anchor(options["reset_anchor"])
            self.stdout.write(f"anchor reset to seq {entry.seq} (was: {message})")
            ok, seq, message, count = verify_ledger(progress=self.progress)
        if not ok:
            where = f"at seq {seq}" if seq is not None else "(anchor)"
            raise CommandError(f"ledger broken {where}: {message} ({count} entries read)")
        self.stdout.write(f"ledger intact: {message}")
