"""`chainward verify-ledger`: recompute the hash chain, compare its head with the anchor file."""

from django.core.management.base import BaseCommand, CommandError

from chainward.ledger.services import (
    PARALLEL_FROM,
    PARALLEL_MAX,
    VerificationFailed,
    reset_anchor,
    verify_ledger,
)


class Command(BaseCommand):
    help = ("Recompute the ledger's keyed hash chain and compare its end with the anchor file; "
            "exit non-zero naming the first broken seq or the missing tail.")

    def add_arguments(self, parser):
        parser.add_argument(
            "--reset-anchor", metavar="REASON",
            help="After a deliberate database replacement: if the chain itself is intact, "
                 "anchor its current head (recorded in the ledger with REASON).")
        parser.add_argument(
            "--workers", type=int, metavar="N",
            help=f"Check the chain in N processes, one seq range each (1: in this process). "
                 f"Default: one per CPU, at most {PARALLEL_MAX}, from {PARALLEL_FROM:,} "
                 f"entries on.")

    def progress(self, count):
        """One line per PROGRESS_EVERY entries on stderr; stdout keeps only the verdict."""
        self.stderr.write(f"{count:,} entries verified", style_func=lambda line: line)

    def verify(self, workers):
        """`verify_ledger`'s verdict; a check that could not finish is an error of its own."""
        if workers is not None and workers < 1:
            raise CommandError(f"--workers must be 1 or more, not {workers}")
        report = {}
        try:
            verdict = verify_ledger(progress=self.progress, workers=workers, report=report)
        except VerificationFailed as exc:
            raise CommandError(f"ledger not verified: {exc}") from None
        if report["processes"] > 1:
            self.stderr.write(f"checked in {report['processes']} processes",
                              style_func=lambda line: line)
        return verdict

    def handle(self, *args, **options):
        ok, seq, message, count = self.verify(options["workers"])
        if not ok and options["reset_anchor"] and "anchor" in message:
            entry = reset_anchor(options["reset_anchor"])
            self.stdout.write(f"anchor reset to seq {entry.seq} (was: {message})")
            ok, seq, message, count = self.verify(options["workers"])
        if not ok:
            where = f"at seq {seq}" if seq is not None else "(anchor)"
            raise CommandError(f"ledger broken {where}: {message} ({count} entries read)")
        self.stdout.write(f"ledger intact: {message}")
