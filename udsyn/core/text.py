"""Folding Danish text for search: the same function runs over the stored text and the query.

"København", "Kobenhavn", "Koebenhavn" and "KØBENHAVN" all fold to "kobenhavn"; "Århus" and "Aarhus"
both fold to "arhus"; accents elsewhere are dropped ("Klaksvík" -> "klaksvik").
"""

import re
import unicodedata

_LETTERS = str.maketrans({"æ": "ae", "ø": "oe", "å": "aa", "ß": "ss", "đ": "d", "ł": "l"})
_DIGRAPHS = (("aa", "a"), ("oe", "o"), ("ae", "a"))
_NON_WORD = re.compile(r"[^0-9a-z]+")


def fold(text: str) -> str:
    """Lower-case, transliterate æ/ø/å, strip accents and collapse punctuation to single spaces."""
    text = (text or "").lower().translate(_LETTERS)
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    for digraph, single in _DIGRAPHS:
        text = text.replace(digraph, single)
    return _NON_WORD.sub(" ", text).strip()


def terms(query: str) -> list[str]:
    """The folded words of a search query, longest first, without duplicates."""
    words = {w for w in fold(query).split() if w}
    return sorted(words, key=lambda w: (-len(w), w))
