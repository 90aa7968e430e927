"""The kernel's management commands."""
