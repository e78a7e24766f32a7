"""Register declarations of the risk app."""
