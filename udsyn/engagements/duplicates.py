"""Near-duplicate shared records (organisations, cities, themes, programmes): found by name, and merged.

Two records are candidates when one of these holds (see docs/duplicates.md):

- a name or alias of one, normalised, equals a name or alias of the other ("Eurocities" and "EUROCITIES",
  "Gøteborg" and "Göteborg", "Kbh. Universitet" and "Københavns Universitet");
- one is an acronym of the other ("DTU" and "Danmarks Tekniske Universitet");
- (cities) both are the same place in GeoNames ("Gothenburg" and "Göteborg");
- the spellings are close (rapidfuzz ratio, words in any order) and every word one has and the other lacks
  is a misspelling of a word the other has, not another word ("Region Midt" and "Region Syd" are not
  candidates), and the numbers in them agree ("Horizon 2020" and "Horizon 2021" are not).

Only records of the same kind and country are compared where the model has them; an empty country and the
kind "other" are unknown and compared with every country and kind.

Normalising folds case, accents and the Danish letters as search does (``udsyn.core.text.fold``: "Gøteborg",
"Göteborg" and "Goeteborg" are one), drops punctuation and little words ("of", "the", "og", "i" ...), and
writes the abbreviations of ``ABBREVIATIONS`` in full.
"""

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _
from rapidfuzz import fuzz, process

from udsyn.core.text import fold

# A candidate is shown from this score up. Tuned on tests/data/duplicate_pairs.csv.
THRESHOLD = 87
# Two words that differ but score this much (ratio) are one word misspelt, not two words.
SAME_WORD = 75

# One word (folded) -> how it is written in full. Words of one meaning in several languages share one form.
ABBREVIATIONS: dict[str, str] = {
    # København
    "kbh": "kobenhavn", "kbhs": "kobenhavn", "cph": "kobenhavn", "copenhagen": "kobenhavn",
    "kopenhagen": "kobenhavn", "kobenhavns": "kobenhavn",
    # universities
    "univ": "universitet", "uni": "universitet", "university": "universitet", "universitets": "universitet",
    "universitat": "universitet", "universitaet": "universitet", "universite": "universitet",
    "universidad": "universitet", "universita": "universitet", "universidade": "universitet",
    "uniwersytet": "universitet", "yliopisto": "universitet",
    # international
    "intl": "international", "int'l": "international", "internat": "international",
    "internationale": "international", "internationalt": "international", "internacional": "international",
    "internazionale": "international",
    # other common short forms
    "assoc": "association", "assn": "association", "ass": "association",
    "inst": "institut", "institute": "institut", "instituttet": "institut", "institutet": "institut",
    "ctr": "center", "centre": "center", "centret": "center", "centeret": "center",
    "dept": "department", "dep": "department",
    "org": "organisation", "organization": "organisation",
    "fdn": "fond", "foundation": "fond", "fonden": "fond", "fondation": "fond", "fondazione": "fond",
    "stiftung": "fond",
    "skt": "sankt", "st": "sankt", "saint": "sankt", "sct": "sankt",
    "kommune": "kommune", "kom": "kommune",
    "eur": "europa", "europe": "europa",
    "natl": "national", "nat": "national",
    "reg": "region",
}
# Several words (folded, after the words above) -> how they are written in full: Danish regions.
PHRASES: dict[str, str] = {
    "region h": "region hovedstaden", "region midt": "region midtjylland", "region syd": "region syddanmark",
    "region nord": "region nordjylland", "region sj": "region sjaelland",
    "washington dc": "washington", "washington d c": "washington",
}
# Little words left out before comparing (folded).
STOP_WORDS = frozenset([
    "a", "an", "and", "af", "at", "de", "del", "della", "der", "des", "di", "do", "du", "e", "el", "en", "et",
    "for", "i", "in", "la", "le", "les", "med", "of", "og", "on", "the", "til", "und", "van", "von", "y",
])
# Words a city's name may carry or leave out ("Iksan-City", "Iksan").
CITY_WORDS = frozenset({"city", "by", "stadt", "stad", "ville", "citta", "ciudad", "kommune"})
_ROMAN = frozenset({"ii", "iii", "iv", "v", "vi", "vii", "viii", "ix", "x", "xi", "xii"})
_PARTS = re.compile(r"\s[-–—]\s|\s*[()\[\]:]\s*|\s[/]\s")


@dataclass(frozen=True)
class Name:
    """One name or alias of a record, normalised."""

    text: str  # the normalised words, space-separated
    key: str  # the text without spaces: "sektor samarbejde" and "sektorsamarbejde" are one name
    words: tuple[str, ...]
    numbers: frozenset[str]
    initials: str  # of its words, when it has at least three


def _words(text: str, city: bool = False) -> list[str]:
    folded = fold(text.replace("'", ""))
    words = [ABBREVIATIONS.get(w, w) for w in folded.split()]
    joined = " ".join(words)
    for short, full in PHRASES.items():
        joined = re.sub(rf"(?<!\w){re.escape(short)}(?!\w)", full, joined)
    result = [w for w in joined.split() if w not in STOP_WORDS] or joined.split()
    if city and len(result) > 1:
        result = [w for w in result if w not in CITY_WORDS] or result
    return result


def name_of(text: str, city: bool = False) -> Name | None:
    raw = [w for w in fold(text).split() if w not in STOP_WORDS]
    words = _words(text, city)
    if not words:
        return None
    numbers = frozenset(w for w in words if w.isdigit() or w in _ROMAN)
    initials = "".join(w[0] for w in raw) if len(raw) >= 3 else ""
    return Name(" ".join(words), "".join(words), tuple(words), numbers, initials)


def normalise(text: str) -> str:
    """The form names are compared in: "Kbh. Univ." -> "kobenhavn universitet"."""
    return " ".join(_words(text))


def _texts(text: str) -> list[str]:
    """A name and its parts: "ICLEI – Local Governments for Sustainability" is also "ICLEI"."""
    parts = [p for p in _PARTS.split(text) if p and p.strip()]
    return [text, *(p for p in parts if len(parts) > 1 and len(fold(p)) >= 3)]


@dataclass
class Entry:
    """A record (or a name being typed) as compared: its names, kind, country and GeoNames place."""

    pk: int | None
    label: str
    kind: str = ""
    country: str = ""
    names: list[Name] = field(default_factory=list)
    place: int | None = None
    obj: Any = None


def entry(model: type[models.Model], label: str, *, texts: Iterable[str] = (), kind: str | None = None,
          country: str | None = None, pk: int | None = None, place: int | None = None, obj: Any = None) -> Entry:
    city = model._meta.model_name == "city"
    names: list[Name] = []
    seen: set[str] = set()
    for text in (label, *texts):
        for part in _texts(text or ""):
            name = name_of(part, city)
            if name is not None and name.text not in seen:
                seen.add(name.text)
                names.append(name)
    country = (country or "").upper()
    if city and place is None and country:
        from udsyn.engagements import geo

        found = geo.lookup(label, country, [t for t in texts if t])
        place = found[2] if found else None
    return Entry(pk, label, kind or "", country, names, place, obj)


def entry_of(obj: Any) -> Entry:
    model = type(obj)
    texts = [*(getattr(obj, "aliases", None) or []), getattr(obj, "name_en", "") or ""]
    return entry(model, obj.name, texts=texts, kind=_kind(obj), country=getattr(obj, "country", ""),
                 pk=obj.pk, place=getattr(obj, "geonames_id", None), obj=obj)


def _kind(obj: Any) -> str:
    kind = getattr(obj, "kind", "") or ""
    return "" if kind == "other" else kind


def comparable(a: Entry, b: Entry) -> bool:
    """Same kind and same country, where both are known."""
    return (not a.kind or not b.kind or a.kind == b.kind) and (
        not a.country or not b.country or a.country == b.country)


def _same_words(a: Name, b: Name) -> bool:
    """Every word only one name has is a misspelling of a word only the other has (or there is none)."""
    only_a = [w for w in a.words if w not in b.words]
    only_b = [w for w in b.words if w not in a.words]
    if not only_a or not only_b:
        return True
    for word in only_a:
        if max(fuzz.ratio(word, other) for other in only_b) < SAME_WORD:
            return False
    return all(max(fuzz.ratio(word, other) for other in only_a) >= SAME_WORD for word in only_b)


def _fuzzy(a: Name, b: Name) -> float:
    if a.numbers != b.numbers or not _same_words(a, b):
        return 0.0
    return fuzz.token_sort_ratio(a.text, b.text)


REASONS = {
    "name": _("same name"),
    "alias": _("known alias"),
    "acronym": _("abbreviation"),
    "place": _("same place in GeoNames"),
    "spelling": _("similar spelling"),
}


def compare(a: Entry, b: Entry) -> tuple[int, str]:
    """The score (0-100) of two records being one, and why."""
    if not comparable(a, b) or not a.names or not b.names:
        return 0, ""
    first_a, first_b = a.names[0].key, b.names[0].key
    keys_b = {n.key for n in b.names}
    for name in a.names:
        if name.key in keys_b:
            return 100, "name" if name.key == first_a and name.key == first_b else "alias"
    for x, y in ((a, b), (b, a)):
        acronyms = {n.text for n in x.names if len(n.words) == 1 and 3 <= len(n.text) <= 8 and n.text.isalpha()}
        if acronyms & {n.initials for n in y.names if n.initials}:
            return 90, "acronym"
    if a.place is not None and a.place == b.place:
        return 95, "place"
    if a.place is not None and b.place is not None:
        return 0, ""  # two places GeoNames knows apart ("Kristiansund" and "Kristiansand")
    best = max(_fuzzy(x, y) for x in a.names for y in b.names)
    if best >= THRESHOLD:
        return round(best), "spelling"
    return 0, ""


@dataclass
class Candidate:
    """A record that may be the same as the one named, with the score and its reason."""

    obj: Any
    score: int
    reason: str

    @property
    def pk(self) -> int:
        return int(self.obj.pk)

    @property
    def name(self) -> str:
        return str(self.obj)

    @property
    def reason_text(self) -> str:
        return str(REASONS.get(self.reason, self.reason))

    @property
    def url(self) -> str:
        return str(self.obj.get_absolute_url())


@dataclass
class Pair:
    a: Any
    b: Any
    score: int
    reason: str

    @property
    def reason_text(self) -> str:
        return str(REASONS.get(self.reason, self.reason))


def _entries(model: type[models.Model], exclude_pk: int | None = None) -> list[Entry]:
    return [entry_of(obj) for obj in model._default_manager.exclude(pk=exclude_pk).order_by("pk")]


class _Index:
    """The records of one model for finding matches: exact names and acronyms, GeoNames places, and the
    names' texts blocked by kind and country (rapidfuzz runs only over the blocks a record may match)."""

    def __init__(self, entries: Sequence[Entry]) -> None:
        self.entries = entries
        self.exact: dict[str, list[int]] = {}
        self.places: dict[int, list[int]] = {}
        self.blocks: dict[tuple[str, str], tuple[list[str], list[int]]] = {}
        for i, e in enumerate(entries):
            if e.place is not None:
                self.places.setdefault(e.place, []).append(i)
            texts, owners = self.blocks.setdefault((e.kind, e.country), ([], []))
            for name in e.names:
                self.exact.setdefault(name.key, []).append(i)
                if name.initials:
                    self.exact.setdefault(name.initials, []).append(i)
                texts.append(name.text)
                owners.append(i)

    def matches(self, query: Entry) -> set[int]:
        """The positions of entries that may match the query: a cheap first pass, checked with ``compare``."""
        found: set[int] = set()
        for name in query.names:
            found.update(self.exact.get(name.key, ()))
            if name.initials:
                found.update(self.exact.get(name.initials, ()))
        if query.place is not None:
            found.update(self.places.get(query.place, ()))
        for (kind, country), (texts, owners) in self.blocks.items():
            if (query.kind and kind and kind != query.kind) or (query.country and country and country != query.country):
                continue
            for name in query.names:
                for _text, _score, position in process.extract(
                    name.text, texts, scorer=fuzz.token_sort_ratio, score_cutoff=THRESHOLD, limit=None,
                ):
                    found.add(owners[position])
        return found


def find_duplicates(model: type[models.Model], name: str, *, kind: str | None = None, country: str | None = None,
                    exclude_pk: int | None = None, aliases: Iterable[str] = (), name_en: str = "",
                    ) -> list[Candidate]:
    """Existing records of ``model`` that may be the record named ``name``, best first.

    For the forms and the importer: ``kind`` and ``country`` where the model has them, ``exclude_pk`` the
    record being edited, ``aliases`` and ``name_en`` its other names.
    """
    query = entry(model, name, texts=[*aliases, name_en], kind="" if kind == "other" else kind,
                  country=country)
    return _candidates(query, _entries(model, exclude_pk))


def _candidates(query: Entry, entries: Sequence[Entry]) -> list[Candidate]:
    found = []
    for position in _Index(entries).matches(query):
        score, reason = compare(query, entries[position])
        if score:
            found.append(Candidate(entries[position].obj, score, reason))
    return sorted(found, key=lambda c: (-c.score, c.name))


class Finder:
    """``find_duplicates`` for one model asked many times in a row (an import's new records): the existing
    records are read and their names normalised once, and kept up to date by ``saved`` and ``deleted``, which
    the caller calls for every record of the model it writes meanwhile."""

    def __init__(self, model: type[models.Model]) -> None:
        self.model = model
        self._entries: dict[Any, Entry] | None = None

    def find(self, name: str, *, kind: str | None = None, country: str | None = None, aliases: Iterable[str] = (),
             name_en: str = "") -> list[Candidate]:
        if self._entries is None:
            self._entries = {e.pk: e for e in _entries(self.model)}
        query = entry(self.model, name, texts=[*aliases, name_en], kind="" if kind == "other" else kind,
                      country=country)
        return _candidates(query, [self._entries[pk] for pk in sorted(self._entries)])

    def saved(self, obj: Any) -> None:
        if self._entries is not None:
            self._entries[obj.pk] = entry_of(obj)

    def deleted(self, pk: Any) -> None:
        if self._entries is not None:
            self._entries.pop(pk, None)


def find_pairs(model: type[models.Model]) -> list[Pair]:
    """Every pair of records of ``model`` that may be one record, best first."""
    entries = _entries(model)
    index = _Index(entries)
    pairs = []
    for i, e in enumerate(entries):
        for j in index.matches(e):
            if j <= i:
                continue
            score, reason = compare(e, entries[j])
            if score:
                pairs.append(Pair(e.obj, entries[j].obj, score, reason))
    return sorted(pairs, key=lambda p: (-p.score, str(p.a), str(p.b)))
