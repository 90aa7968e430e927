"""``udsyn backup`` and ``udsyn restore``: the whole installation to and from one archive."""
