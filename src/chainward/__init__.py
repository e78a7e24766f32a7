"""Chainward: supply-chain Security Management System (ISO 28000 / ISO 28001)."""

__version__ = "0.1.0"
