"""Register declarations of the certification app."""
