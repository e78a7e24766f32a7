"""Backup and restore of a whole instance: a consistent database snapshot, the uploaded files,
the instance keys and a manifest that seals them.

`dumpdata`/`loaddata` are not a backup: they round-trip timestamps at reduced precision and
the ledger no longer verifies. A backup copies the database itself — SQLite through its online
backup API (a consistent snapshot while the app keeps running), PostgreSQL through `pg_dump`
(one snapshot transaction) — so every table comes back byte for byte.
"""

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from pathlib import Path

from django.conf import settings
from django.db import connection, connections
from django.utils import timezone

from chainward import __version__
from chainward.ledger import anchor
from chainward.ledger.services import current_head

MANIFEST = "manifest.json"
SQLITE_PART, PG_PART, MEDIA_PART = "database.sqlite3", "database.pgdump", "media.tar"
KEY_FILES = ("ledger_key", "secret_key")


class BackupError(Exception):
    """A backup or restore that cannot go on; the message says why and what to do."""


def _sha256(path):
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def _media_root():
    return Path(settings.STORAGES["default"]["OPTIONS"]["location"])


def _pg_env():
    db = settings.DATABASES["default"]
    env = {**os.environ, "PGDATABASE": db["NAME"]}
    for key, var in (("HOST", "PGHOST"), ("PORT", "PGPORT"), ("USER", "PGUSER"),
                     ("PASSWORD", "PGPASSWORD")):
        if db.get(key):
            env[var] = str(db[key])
    return env


def _pg_tool(name):
    path = shutil.which(name)
    if path is None:
        raise BackupError(f"{name} is not on PATH; install the PostgreSQL client tools.")
    return path


def create_backup(target):
    """Write a backup into the new directory `target`; returns the manifest."""
    target = Path(target)
    if target.exists() and any(target.iterdir()):
        raise BackupError(f"{target} exists and is not empty; name a new directory.")
    target.mkdir(parents=True, exist_ok=True)
    os.chmod(target, 0o700)  # it holds the instance keys
    parts = {}
    vendor = connection.vendor
    seq, head_hash = current_head()
    if vendor == "sqlite":
        connection.ensure_connection()
        snapshot = sqlite3.connect(target / SQLITE_PART)
        with snapshot:
            connection.connection.backup(snapshot)
        snapshot.close()
        parts["database"] = SQLITE_PART
    elif vendor == "postgresql":
        subprocess.run([_pg_tool("pg_dump"), "--format=custom", "--no-owner", "--no-privileges",
                        "--file", str(target / PG_PART)], env=_pg_env(), check=True,
                       capture_output=True)
        parts["database"] = PG_PART
    else:
        raise BackupError(f"backups of {vendor} databases are not supported")
    media = _media_root()
    with tarfile.open(target / MEDIA_PART, "w") as tar:
        if media.exists():
            tar.add(media, arcname="media")
    parts["media"] = MEDIA_PART
    keys = []
    for name in KEY_FILES:
        source = settings.HOME / name
        if source.exists() and not os.environ.get(name.upper()):
            shutil.copy2(source, target / name)
            os.chmod(target / name, 0o600)
            parts[name] = name
            keys.append(name)
    manifest = {
        "format": 1, "chainward": __version__, "created": timezone.now().isoformat(),
        "database": vendor, "ledger": {"seq": seq, "hash": head_hash,
                                       "key_id": settings.LEDGER_KEY_ID},
        "parts": {role: {"file": name, "sha256": _sha256(target / name),
                         "size": (target / name).stat().st_size}
                  for role, name in parts.items()},
        "keys_included": keys,
    }
    (target / MANIFEST).write_text(json.dumps(manifest, indent=2))
    return manifest


def read_manifest(source):
    """The manifest of backup `source`, every part checked against its sha256."""
    source = Path(source)
    try:
        manifest = json.loads((source / MANIFEST).read_text())
    except (OSError, ValueError):
        raise BackupError(f"{source} has no readable {MANIFEST}; is it a Chainward backup?") \
            from None
    for role, part in manifest["parts"].items():
        path = source / part["file"]
        if not path.exists() or _sha256(path) != part["sha256"]:
            raise BackupError(f"the {role} part ({part['file']}) is missing or does not match "
                              "the manifest's sha256; the backup is damaged.")
    return manifest


def instance_is_empty():
    """True when this instance holds no people and no ledger entries (a fresh install)."""
    from django.contrib.auth import get_user_model
    from django.db.utils import DatabaseError

    from chainward.ledger.models import LedgerEntry

    try:
        return not LedgerEntry.objects.exists() and not get_user_model().objects.exists()
    except DatabaseError:  # not migrated yet: nothing to lose
        connection.close()
        return True


def restore_backup(source, *, force=False):
    """Bring backup `source` back into this instance; returns the manifest."""
    source = Path(source)
    manifest = read_manifest(source)
    vendor = connection.vendor
    if manifest["database"] != vendor:
        raise BackupError(f"the backup holds a {manifest['database']} database; this instance "
                          f"uses {vendor}.")
    if not force and not instance_is_empty():
        raise BackupError("this instance already holds data; restore into an empty instance "
                          "or pass --force to replace everything in it.")
    database = source / manifest["parts"]["database"]["file"]
    if vendor == "sqlite":
        connections.close_all()
        target = Path(settings.DATABASES["default"]["NAME"])
        with sqlite3.connect(database) as src, sqlite3.connect(target) as dst:
            src.backup(dst)
        connections.close_all()
    else:
        _restore_postgresql(database)
    media = _media_root()
    with tarfile.open(source / manifest["parts"]["media"]["file"]) as tar:
        with tempfile.TemporaryDirectory(dir=media.parent) as unpacked:
            tar.extractall(unpacked, filter="data")
            if media.exists():
                shutil.rmtree(media)
            if (Path(unpacked) / "media").exists():
                shutil.move(str(Path(unpacked) / "media"), media)
            else:
                media.mkdir(parents=True)
    for name in manifest.get("keys_included", []):
        key = (source / name).read_text().strip()
        if os.environ.get(name.upper()) and os.environ[name.upper()] != key:
            raise BackupError(f"${name.upper()} differs from the backup's {name}; unset it or "
                              "set it to the backed-up key.")
        path = settings.HOME / name
        path.write_text(key)
        os.chmod(path, 0o600)
        setattr(settings, name.upper(), key)  # this process verifies with the restored key
    anchor.write_anchor(manifest["ledger"]["seq"], manifest["ledger"]["hash"], force=True)
    return manifest


def _restore_postgresql(dump):
    connections.close_all()
    subprocess.run([_pg_tool("pg_restore"), "--clean", "--if-exists", "--no-owner",
                    "--no-privileges", "--single-transaction", "--exit-on-error",
                    "--dbname", settings.DATABASES["default"]["NAME"], str(dump)],
                   env=_pg_env(), check=True, capture_output=True)
