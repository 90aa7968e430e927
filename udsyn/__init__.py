"""Udsyn: the registry of a municipality's international work."""

__version__ = "0.1.0"
