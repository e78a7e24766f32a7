"""Fixtures of the jobs tests."""

from tests.support.instance import sqlite_instance  # noqa: F401 - a real instance per test
