"""A real Chainward server (SQLite, demo data) in a subprocess, for the browser walkthrough.

pytest-django's live_server is not used: it runs on TransactionTestCase, whose flush trips the
ledger's append-only triggers. The server here is `chainward demo` + `chainward serve` in a
throw-away instance folder, exactly as a user would start it.
"""

import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass

import pytest

STARTUP_TIMEOUT = 60
# Variables that would point the server at another database, cache or deployment mode.
DROPPED_ENV = ("DATABASE_URL", "REDIS_URL", "CHAINWARD_PRODUCTION", "ALLOWED_HOSTS",
               "TASKS_BACKEND", "SECRET_KEY", "SECRET_KEY_FILE", "LEDGER_KEY", "LEDGER_KEY_FILE")


@dataclass
class Server:
    url: str
    email: str
    password: str


def _free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _healthy(url):
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.status == 200
    except (urllib.error.URLError, OSError):
        return False


def _stop(process):
    """Terminate the server's whole process group (serve, gunicorn master and workers)."""
    if process.poll() is None:
        try:
            os.killpg(process.pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            pass
    try:  # gunicorn may outlive `serve` briefly; make sure nothing of the group is left.
        os.killpg(process.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    process.wait(timeout=10)


@pytest.fixture(scope="session")
def chainward_server():
    """Yield a Server running the demo on a free port; stop it whatever happens."""
    with tempfile.TemporaryDirectory(prefix="chainward-browser-") as home:
        port = _free_port()
        env = {k: v for k, v in os.environ.items() if k not in DROPPED_ENV}
        env.update(CHAINWARD_HOME=home, DJANGO_SETTINGS_MODULE="chainward.settings",
                   PORT=str(port), PYTHONUNBUFFERED="1")
        demo = subprocess.run([sys.executable, "-m", "chainward.cli", "demo"], cwd=home, env=env,
                              capture_output=True, text=True, timeout=120)
        assert demo.returncode == 0, f"`chainward demo` failed:\n{demo.stdout}\n{demo.stderr}"
        email = re.search(r"^\s*e-mail:\s+(\S+)\s*$", demo.stdout, re.M)
        password = re.search(r"^\s*password:\s+(\S+)\s*$", demo.stdout, re.M)
        assert email and password, f"no credentials in `chainward demo` output:\n{demo.stdout}"

        log_path = os.path.join(home, "serve.log")
        with open(log_path, "w+") as log:
            process = subprocess.Popen(
                [sys.executable, "-m", "chainward.cli", "serve", "--port", str(port),
                 "--no-worker"],
                cwd=home, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
            try:
                base = f"http://127.0.0.1:{port}"
                deadline = time.monotonic() + STARTUP_TIMEOUT
                while not _healthy(f"{base}/healthz"):
                    if process.poll() is not None or time.monotonic() > deadline:
                        log.seek(0)
                        pytest.fail(f"server did not answer /healthz with 200 within "
                                    f"{STARTUP_TIMEOUT}s (exit code {process.poll()}):\n"
                                    f"{log.read()[-4000:]}")
                    time.sleep(0.25)
                yield Server(url=base, email=email.group(1), password=password.group(1))
            finally:
                _stop(process)
