"""The kernel's management commands: ``udsyn worker``."""
