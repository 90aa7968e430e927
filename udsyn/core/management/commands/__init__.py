"""The kernel's management commands: ``udsyn worker``, ``udsyn backup`` and ``udsyn restore``."""
