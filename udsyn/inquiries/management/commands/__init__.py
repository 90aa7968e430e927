"""``udsyn anonymise``."""
