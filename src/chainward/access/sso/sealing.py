"""Client secrets sealed at rest: Fernet (AES-128-CBC with HMAC-SHA256, from `cryptography`)
under a key derived from the deployment's SECRET_KEY.

The key: HKDF-SHA256 over SECRET_KEY (UTF-8), no salt, info = CONTEXT, 32 bytes, URL-safe
base64 — the form Fernet takes. The fixed context label keeps it apart from every other use
of SECRET_KEY (sessions, signing). SECRET_KEY comes from the environment, SECRET_KEY_FILE or
the instance folder (chainward.settings.instance_secret), so a database copy alone does not
open the secrets. Rotating SECRET_KEY: list the old one in SECRET_KEY_FALLBACKS and stored
secrets still open (and are sealed under the new key when next saved); without it they
cannot be read and the administrator is asked, on the provider's page, to enter them again.
"""

import base64

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings

CONTEXT = b"chainward sso client secret v1"


class Unreadable(Exception):
    """A sealed value this deployment's keys do not open (SECRET_KEY changed, or the value was
    altered)."""


def derive_key(secret_key):
    """The Fernet key of one SECRET_KEY (documented above: HKDF-SHA256, info=CONTEXT)."""
    if isinstance(secret_key, str):
        secret_key = secret_key.encode()
    raw = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=CONTEXT).derive(secret_key)
    return base64.urlsafe_b64encode(raw)


def _fernet():
    keys = [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", ())]
    return MultiFernet([Fernet(derive_key(key)) for key in keys])


def seal(plain):
    """The Fernet token (text) of `plain`, under the current SECRET_KEY."""
    return _fernet().encrypt(plain.encode()).decode("ascii")


def unseal(token):
    """The plain text of a token sealed under SECRET_KEY or one of SECRET_KEY_FALLBACKS;
    Unreadable otherwise."""
    try:
        return _fernet().decrypt(token.encode("ascii")).decode()
    except (InvalidToken, UnicodeError, ValueError) as error:
        raise Unreadable(
            "the stored value cannot be decrypted with this deployment's key"
        ) from error
