"""Start the real OpenID Connect provider of tests/support/oidc_provider in its own process on
the loopback, with an RSA signing key generated here and a fresh SQLite file."""

import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from contextlib import contextmanager
from dataclasses import dataclass

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from tests.support.oidc_provider.run import CLIENT_ID, CLIENT_SECRET

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


@dataclass
class Provider:
    issuer: str
    client_id: str = CLIENT_ID
    client_secret: str = CLIENT_SECRET


def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def new_rsa_key():
    """A fresh 2048-bit RSA private key, PEM."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()


@contextmanager
def oidc_provider(redirect_uris):
    """A running provider accepting `redirect_uris`; yields its Provider; stops it after."""
    port = _free_port()
    issuer = f"http://127.0.0.1:{port}/o"
    with tempfile.TemporaryDirectory(prefix="oidc-provider-") as folder:
        env = {k: v for k, v in os.environ.items() if k not in ("DJANGO_SETTINGS_MODULE",)}
        env.update(
            OIDC_TEST_DB=os.path.join(folder, "provider.sqlite3"),
            OIDC_TEST_RSA_KEY=new_rsa_key(),
            OIDC_TEST_ISSUER=issuer,
            OIDC_TEST_PORT=str(port),
            OIDC_TEST_REDIRECT_URIS=" ".join(redirect_uris),
            OAUTHLIB_INSECURE_TRANSPORT="1",
            DJANGO_SETTINGS_MODULE="tests.support.oidc_provider.settings",
        )
        log = open(os.path.join(folder, "provider.log"), "w+")
        process = subprocess.Popen(
            [sys.executable, "-m", "tests.support.oidc_provider.run"],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            deadline = time.monotonic() + 60
            while True:
                try:
                    with urllib.request.urlopen(
                        f"{issuer}/.well-known/openid-configuration", timeout=2
                    ) as answer:
                        if answer.status == 200:
                            break
                except OSError:
                    pass
                if process.poll() is not None or time.monotonic() > deadline:
                    log.seek(0)
                    raise RuntimeError(f"the test OIDC provider did not start:\n{log.read()}")
                time.sleep(0.2)
            yield Provider(issuer)
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
            log.close()
