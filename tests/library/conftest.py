"""Fixtures of the catalogue tests."""

from tests.support.instance import sqlite_instance, sqlite_template  # noqa: F401 - fixtures
