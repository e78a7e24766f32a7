"""`chainward serve`: gunicorn plus one background worker, stopped together."""

import os
import signal
import subprocess
import sys
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

from chainward import __version__


def collect_static_once():
    """Run collectstatic when this version's assets are not collected yet (it takes a while)."""
    stamp = Path(settings.STATIC_ROOT) / ".chainward-version"
    if stamp.exists() and stamp.read_text() == __version__:
        return
    call_command("collectstatic", interactive=False, verbosity=0)
    stamp.write_text(__version__)


class Command(BaseCommand):
    help = "Serve Chainward on 127.0.0.1:$PORT (default 8000) with a background task worker."

    def add_arguments(self, parser):
        parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
        parser.add_argument("--port", default=os.environ.get("PORT", "8000"))
        parser.add_argument("--workers", type=int, default=int(os.environ.get("WEB_WORKERS", 2)))
        parser.add_argument("--no-worker", action="store_true",
                            help="Do not start the background task worker.")

    def handle(self, *args, **options):
        call_command("migrate", interactive=False, verbosity=0)
        if settings.PRODUCTION:
            collect_static_once()
        children = []
        if not options["no_worker"]:
            children.append(subprocess.Popen(
                [sys.executable, "-m", "chainward.cli", "worker"]))
        bind = f"{options['host']}:{options['port']}"
        self.stdout.write(f"Chainward is serving on http://{bind}/  (Ctrl+C stops it)")
        web = subprocess.Popen([
            sys.executable, "-m", "gunicorn", "chainward.wsgi", "--bind", bind,
            "--workers", str(options["workers"]), "--threads", "4",
            "--access-logfile", "-", "--graceful-timeout", "5"])
        children.append(web)
        try:
            web.wait()
        except KeyboardInterrupt:
            pass
        finally:
            for child in children:
                if child.poll() is None:
                    child.send_signal(signal.SIGTERM)
            for child in children:
                try:
                    child.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    child.kill()
