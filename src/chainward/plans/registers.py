"""Register declarations of the plans app (objectives first)."""
