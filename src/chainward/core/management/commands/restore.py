"""`chainward restore DIR`: bring a backup back into an empty instance, then verify the ledger."""

from django.core.management.base import BaseCommand, CommandError

from chainward.core.backup import BackupError, restore_backup
from chainward.ledger.services import VerificationFailed, verify_ledger


class Command(BaseCommand):
    help = ("Restore a backup written by `chainward backup` into this (empty) instance and "
            "verify the ledger; --force replaces an instance that already holds data.")

    def add_arguments(self, parser):
        parser.add_argument("source", help="the backup directory")
        parser.add_argument("--force", action="store_true",
                            help="replace everything in a non-empty instance")

    def handle(self, *args, **options):
        try:
            manifest = restore_backup(options["source"], force=options["force"])
        except BackupError as exc:
            raise CommandError(str(exc)) from None
        try:
            ok, seq, message, _count = verify_ledger()
        except VerificationFailed as exc:
            raise CommandError(f"restored, but the ledger could not be verified: {exc}; run "
                               f"`chainward verify-ledger --workers 1`") from None
        if not ok:
            raise CommandError(f"restored, but the ledger does not verify at seq {seq}: "
                               f"{message}")
        self.stdout.write(f"restored {options['source']} (made {manifest['created']}); "
                          f"ledger intact: {message}")
