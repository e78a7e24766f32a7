"""`chainward catalogs list|load [FILE…]`: see and load the standards libraries."""

from django.core.management.base import BaseCommand, CommandError
from django.db.models import Count, Q

from chainward.ledger.context import actor_context
from chainward.library import loader
from chainward.library.models import Library


class Command(BaseCommand):
    help = "List the loaded catalogue libraries, or load/upgrade catalogue files."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("list", help="Each library with version, node count and licence note.")
        load = sub.add_parser("load", help="Load or upgrade files (default: every shipped one).")
        load.add_argument("files", nargs="*", help="Catalogue YAML files.")

    def handle(self, *args, **options):
        if options["action"] == "list":
            return self.list()
        files = options["files"] or loader.shipped_files()
        with actor_context(None, name="chainward catalogs", reason="catalogue load"):
            for path in files:
                try:
                    result = loader.load(path)
                except (loader.CatalogError, OSError) as exc:
                    raise CommandError(str(exc)) from None
                nodes = sum(v for v in result.counts.values())
                self.stdout.write(f"{result.outcome:9} {result.urn} v{result.version}"
                                  + (f" ({nodes} objects)" if nodes else ""))

    def list(self):
        libraries = Library.objects.annotate(
            requirements=Count("frameworks__requirements",
                               filter=Q(frameworks__requirements__retired=False)),
        ).order_by("name")
        if not libraries:
            self.stdout.write("No libraries loaded; run `chainward catalogs load`.")
        for library in libraries:
            entries = library.entries.filter(retired=False).count()
            mappings = library.mappings.filter(retired=False).count()
            nodes = library.requirements + entries + mappings
            licence = " ".join(library.licence.split())
            self.stdout.write(f"{library.urn}  v{library.version}  {nodes} nodes  "
                              f"{library.name}\n    licence: {licence[:160]}"
                              f"{'…' if len(licence) > 160 else ''}")
