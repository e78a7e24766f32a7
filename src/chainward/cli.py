"""`chainward` console script: Chainward's own commands plus every Django management command."""

import os
import sys

COMMANDS = {
    "demo": "migrate, load catalogues and create (or reuse) the ABC Logistics demo",
    "init": "migrate, create an organisation (catalogues, default risk matrix) and print the "
            "invitation link of its first administrator",
    "installation-admin": "EMAIL [--revoke]: may create organisations from the UI and the API",
    "serve": "serve the web app (gunicorn) with a background worker; PORT overrides 8000",
    "worker": "run the background task worker",
    "verify-ledger": "recompute the ledger hash chain and compare its end with the anchor file; "
                     "non-zero exit names the first broken seq or the missing tail",
    "backup": "backup DIR: consistent database snapshot, uploaded files, keys and a manifest",
    "restore": "restore DIR [--force]: bring a backup back into an empty instance, verify it",
    "check --deploy": "Django's deployment checks (set CHAINWARD_PRODUCTION=1)",
}


def usage():
    """The command list printed by `chainward --help`."""
    lines = ["usage: chainward <command> [options]", "", "Chainward commands:"]
    lines += [f"  {name:<16} {text}" for name, text in COMMANDS.items()]
    lines += ["", "Every Django management command works too (`chainward help` lists them),",
              "e.g. `chainward migrate`, `chainward createsuperuser`."]
    return "\n".join(lines)


def main(argv=None):
    """Entry point of the console script."""
    argv = list(sys.argv if argv is None else argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "chainward.settings")
    if len(argv) < 2 or argv[1] in {"-h", "--help"}:
        print(usage())
        return 0
    argv[1] = argv[1].replace("-", "_")
    from django.core.management import execute_from_command_line

    execute_from_command_line(argv)
    return 0


if __name__ == "__main__":
    sys.exit(main())
