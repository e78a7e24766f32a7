"""Register declarations of the audits app."""
