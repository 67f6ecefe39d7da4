"""The sidecar: `python -m jobs migrate|preload|refresh|scheduler|status`."""
