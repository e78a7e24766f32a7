"""Real Chainward servers (SQLite) in a subprocess for the browser tests: the demo
(`chainward_server`), or a new installation with only a superuser (`empty_server`).

pytest-django's live_server is not used: it runs on TransactionTestCase, whose flush trips the
ledger's append-only triggers. The server here is `chainward demo` + `chainward serve` in a
throw-away instance folder, exactly as a user would start it (`chainward migrate` and
`createsuperuser` for the empty one).
"""

import os
import re
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from base64 import b32decode
from contextlib import contextmanager
from dataclasses import dataclass

import pytest

from tests.browser import signin
from tests.support import instance

STARTUP_TIMEOUT = 60
DATABASE = "chainward.sqlite3"  # an instance folder's SQLite database (chainward.settings)
# Variables that would point the server at another database, cache or deployment mode.
DROPPED_ENV = ("DATABASE_URL", "REDIS_URL", "CHAINWARD_PRODUCTION", "ALLOWED_HOSTS",
               "TASKS_BACKEND", "SECRET_KEY", "SECRET_KEY_FILE", "LEDGER_KEY", "LEDGER_KEY_FILE")


@dataclass
class Server:
    url: str
    email: str
    password: str
    log_path: str = ""  # the server's output, where the console e-mail backend prints
    pristine: str = ""  # a copy of the instance folder as `chainward demo` left it


def demo_instance(server, home):
    """Fill the folder `home` with the demo as `chainward demo` built it for `server` (its
    database, keys, ledger anchor and files — copied before anything ran against it), for a
    test that needs its own server (other settings, a worker) without building the demo again
    (two to three minutes on a loaded machine)."""
    shutil.copytree(server.pristine, home, dirs_exist_ok=True)


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


def _environment(home, port):
    env = {k: v for k, v in os.environ.items() if k not in DROPPED_ENV}
    env.update(CHAINWARD_HOME=home, DJANGO_SETTINGS_MODULE="chainward.settings",
               PORT=str(port), PYTHONUNBUFFERED="1")
    return env


def _chainward(home, env, *args, timeout=300):
    """Run one `chainward` command in the instance folder; fail the test with its output."""
    done = subprocess.run([sys.executable, "-m", "chainward.cli", *args], cwd=home, env=env,
                          capture_output=True, text=True, timeout=timeout)
    assert done.returncode == 0, f"`chainward {' '.join(args)}` failed:\n{done.stdout}\n" \
                                 f"{done.stderr}"
    return done.stdout


@contextmanager
def _serving(home, env, port, *extra):
    """`chainward serve` until the block ends; yields the log file's path (e-mails are printed
    there: the console backend)."""
    log_path = os.path.join(home, "serve.log")
    with open(log_path, "w+") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "chainward.cli", "serve", "--port", str(port), *extra],
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
            yield log_path
        finally:
            _stop(process)


@pytest.fixture(scope="session")
def migrated_database(tmp_path_factory):
    """The run's database `chainward migrate` built (tests/support/instance.py): each server
    below starts from a copy."""
    return str(instance.migrated_database(tmp_path_factory))


def install_migrated(database, home):
    """Put a copy of the migrated database in the instance folder `home` (SQLite's backup
    API: a consistent copy whatever the journal mode)."""
    source, target = sqlite3.connect(database), sqlite3.connect(os.path.join(home, DATABASE))
    try:
        source.backup(target)
    finally:
        source.close()
        target.close()


@pytest.fixture(scope="session")
def chainward_server(migrated_database):
    """Yield a Server running the demo on a free port; stop it whatever happens."""
    with tempfile.TemporaryDirectory(prefix="chainward-browser-") as home:
        port = _free_port()
        env = _environment(home, port)
        install_migrated(migrated_database, home)
        demo = _chainward(home, env, "demo")
        email = re.search(r"^\s*e-mail:\s+(\S+)\s*$", demo, re.M)
        password = re.search(r"^\s*password:\s+(\S+)\s*$", demo, re.M)
        assert email and password, f"no credentials in `chainward demo` output:\n{demo}"
        # The administrator's authenticator key, printed for the person who ran the demo.
        key = re.search(r"^\s*two-step key:\s+([A-Z2-7 ]+?)\s*$", demo, re.M)
        assert key, f"no two-step key in `chainward demo` output:\n{demo}"
        signin.KEYS[email.group(1)] = b32decode(key.group(1).replace(" ", ""))
        with tempfile.TemporaryDirectory(prefix="chainward-demo-") as pristine:
            shutil.copytree(home, pristine, dirs_exist_ok=True)  # nothing runs in it yet
            with _serving(home, env, port, "--no-worker") as log_path:
                yield Server(url=f"http://127.0.0.1:{port}", email=email.group(1),
                             password=password.group(1), log_path=log_path, pristine=pristine)


@pytest.fixture(scope="module")
def empty_server(migrated_database):
    """Yield a Server on a new installation: migrated, one superuser, no organisation and no
    demo data (catalogues are loaded when the first organisation is created)."""
    with tempfile.TemporaryDirectory(prefix="chainward-browser-empty-") as home:
        port = _free_port()
        env = _environment(home, port)
        email, password = "root@installation.example", "Installation-superuser-2026!"
        install_migrated(migrated_database, home)
        _chainward(home, env, "migrate", "--no-input")  # nothing left to apply
        _chainward(home, {**env, "DJANGO_SUPERUSER_PASSWORD": password}, "createsuperuser",
                   "--no-input", "--email", email)
        with _serving(home, env, port, "--no-worker") as log_path:
            yield Server(url=f"http://127.0.0.1:{port}", email=email, password=password,
                         log_path=log_path)
