"""`chainward backup DIR`: a consistent snapshot of the database, the uploaded files, the
instance keys and a manifest (sha256 of every part, the ledger head)."""

from django.core.management.base import BaseCommand, CommandError

from chainward.core.backup import BackupError, create_backup


class Command(BaseCommand):
    help = ("Write a backup of this instance into a new directory: database snapshot (SQLite "
            "online backup or pg_dump), uploaded files, keys and a manifest.")

    def add_arguments(self, parser):
        parser.add_argument("target", help="a new (or empty) directory")

    def handle(self, *args, **options):
        try:
            manifest = create_backup(options["target"])
        except BackupError as exc:
            raise CommandError(str(exc)) from None
        ledger = manifest["ledger"]
        self.stdout.write(f"backup written to {options['target']}: {manifest['database']} "
                          f"database, ledger head seq {ledger['seq']} ({ledger['hash'][:12]}…). "
                          "It contains the instance keys: keep it as safe as the server.")
