"""Fixtures of the ledger tests."""

from tests.support.instance import sqlite_instance, sqlite_template  # noqa: F401 - fixtures
