"""Known-vulnerability matching for `make audit`, offline: advisories in OSV form (the PyPA advisory database
for PyPI, GitHub's advisory database for npm) against installed versions. PyPI versions are compared with
`packaging` (ECOSYSTEM ranges), npm versions with the small semver comparator below (SEMVER ranges and
node-semver range strings such as "<1.6.5 || >=1.7.0 <1.7.2")."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version

PYPI, NPM = "PyPI", "npm"


# -- npm: semantic versions and node-semver ranges --------------------------------------------------------------

_SEMVER = re.compile(r"^v?(\d+)(?:\.(\d+|[xX*]))?(?:\.(\d+|[xX*]))?(?:-([0-9A-Za-z.-]+))?(?:\+[0-9A-Za-z.-]+)?$")


@dataclass(frozen=True, order=True)
class SemVer:
    """A semantic version, ordered as semver.org says (a pre-release comes before its release)."""

    major: int
    minor: int
    patch: int
    release: int  # 1 for a release, 0 for a pre-release
    pre: tuple[tuple[int, int | str], ...] = ()

    @classmethod
    def parse(cls, text: str) -> SemVer:
        match = _SEMVER.match(text.strip())
        if not match or any(part in ("x", "X", "*") for part in match.groups()[1:3] if part):
            raise ValueError(f"not a version: {text!r}")
        major, minor, patch, pre = match.groups()
        ids = tuple((0, int(p)) if p.isdigit() else (1, p) for p in pre.split(".")) if pre else ()
        return cls(int(major), int(minor or 0), int(patch or 0), 0 if pre else 1, ids)


def _lowest(major: int, minor: int = 0, patch: int = 0) -> SemVer:
    """The lowest version at or above major.minor.patch, pre-releases included."""
    return SemVer(major, minor, patch, 0, ())


def _comparators(token: str) -> list[tuple[str, SemVer]]:
    """One node-semver comparator (``>=1.2.3``, ``^1.2``, ``~1.2.3``, ``1.2.x``, ``*``) as plain ones."""
    op_match = re.match(r"^(<=|>=|<|>|=|\^|~>?)?(.*)$", token)
    assert op_match is not None
    op, text = op_match.group(1) or "", op_match.group(2)
    if text in ("", "*", "x", "X"):
        return []
    match = _SEMVER.match(text)
    if not match:
        raise ValueError(f"not a version range: {token!r}")
    major_s, minor_s, patch_s, pre = match.groups()
    wild = [p is None or p in ("x", "X", "*") for p in (major_s, minor_s, patch_s)]
    major = int(major_s)
    minor = 0 if wild[1] else int(minor_s)
    patch = 0 if wild[2] else int(patch_s)
    full = SemVer.parse(text) if not any(wild) else _lowest(major, minor, patch)
    if op == "^":
        upper = (_lowest(major + 1) if major or wild[1] else
                 _lowest(0, minor + 1) if minor or wild[2] else _lowest(0, 0, patch + 1))
        return [(">=", full), ("<", upper)]
    if op in ("~", "~>"):
        return [(">=", full), ("<", _lowest(major + 1) if wild[1] else _lowest(major, minor + 1))]
    if not any(wild):
        return [(op or "=", full)]
    # A partial version: 1.2.x is every 1.2 version.
    upper = _lowest(major + 1) if wild[1] else _lowest(major, minor + 1)
    if op in ("", "="):
        return [(">=", full), ("<", upper)]
    if op == ">":
        return [(">=", upper)]
    if op == "<=":
        return [("<", upper)]
    return [(op, full)]  # >=1.2 and <1.2 mean >=1.2.0 and <1.2.0


_TESTS: dict[str, Callable[[SemVer, SemVer], bool]] = {
    "<": lambda a, b: a < b, "<=": lambda a, b: a <= b, ">": lambda a, b: a > b, ">=": lambda a, b: a >= b,
    "=": lambda a, b: a == b,
}


def satisfies(version: str, spec: str) -> bool:
    """Does the npm version fall in the node-semver range (``<1.6.5 || >=1.7.0 <1.7.2``)? Pre-releases are
    compared plainly (node-semver's rule that ranges skip pre-releases of other versions is not applied: an
    audit should rather say too much)."""
    v = SemVer.parse(version)
    for alternative in spec.split("||"):
        text = re.sub(r"(<=|>=|<|>|=|\^|~>?)\s+", r"\1", alternative.strip())
        hyphen = re.match(r"^(\S+)\s+-\s+(\S+)$", text)
        tokens = [">=" + hyphen.group(1), "<=" + hyphen.group(2)] if hyphen else text.split()
        if all(_TESTS[op](v, bound) for token in tokens for op, bound in _comparators(token)):
            return True
    return False


# -- OSV records ---------------------------------------------------------------------------------------------------

def _key(ecosystem: str) -> Callable[[str], Any]:
    return Version if ecosystem == PYPI else SemVer.parse


def _in_range(events: list[dict[str, str]], version: Any, key: Callable[[str], Any]) -> bool:
    """OSV's evaluation of a range's events (introduced, fixed, last_affected), in version order."""
    affected = False
    parsed: list[tuple[str, Any]] = []
    for event in events:
        kind, value = next(iter(event.items()))
        if kind == "limit":
            continue
        try:
            parsed.append((kind, None if value == "0" else key(value)))
        except (InvalidVersion, ValueError):
            continue
    lowest = [item for item in parsed if item[1] is None]  # introduced "0": below every version
    parsed = lowest + sorted((item for item in parsed if item[1] is not None), key=lambda item: item[1])
    for kind, bound in parsed:
        if kind == "introduced":
            affected = affected or bound is None or version >= bound
        elif bound is not None and (version > bound if kind == "last_affected" else version >= bound):
            affected = False  # fixed, or past the last affected version
    return affected


def affects(advisory: dict[str, Any], ecosystem: str, name: str, version: str) -> bool:
    """Does the OSV advisory name this version of this package as vulnerable?"""
    if advisory.get("withdrawn"):
        return False
    wanted = canonicalize_name(name) if ecosystem == PYPI else name
    key = _key(ecosystem)
    try:
        parsed = key(version)
    except (InvalidVersion, ValueError):
        return False
    for affected in advisory.get("affected", []):
        package = affected.get("package", {})
        if package.get("ecosystem") != ecosystem:
            continue
        found = canonicalize_name(package.get("name", "")) if ecosystem == PYPI else package.get("name")
        if found != wanted:
            continue
        if version in affected.get("versions", []):
            return True
        npm_range = (affected.get("database_specific") or {}).get("vulnerable_versions")
        if npm_range and ecosystem == NPM and satisfies(version, npm_range):
            return True
        for span in affected.get("ranges", []):
            if span.get("type") in ("ECOSYSTEM", "SEMVER") and _in_range(span.get("events", []), parsed, key):
                return True
    return False


@dataclass(frozen=True)
class Finding:
    ecosystem: str
    name: str
    version: str
    advisory: str  # its id
    aliases: tuple[str, ...]
    summary: str
    fixed: tuple[str, ...]  # versions that fix it, as the advisory names them

    @property
    def ids(self) -> set[str]:
        return {self.advisory, *self.aliases}


def _fixed(advisory: dict[str, Any], ecosystem: str, name: str) -> tuple[str, ...]:
    versions = []
    for affected in advisory.get("affected", []):
        if affected.get("package", {}).get("ecosystem") == ecosystem:
            for span in affected.get("ranges", []):
                if span.get("type") in ("ECOSYSTEM", "SEMVER"):
                    versions += [e["fixed"] for e in span.get("events", []) if "fixed" in e]
            patched = (affected.get("database_specific") or {}).get("patched_versions")
            if patched:
                versions.append(patched)
    return tuple(versions)


def findings(advisories: Iterable[dict[str, Any]], ecosystem: str, installed: dict[str, str]) -> list[Finding]:
    """Every advisory that names an installed version (``installed``: name to version)."""
    normal = {(canonicalize_name(n) if ecosystem == PYPI else n): (n, v) for n, v in installed.items()}
    found = []
    for advisory in advisories:
        for affected in advisory.get("affected", []):
            package = affected.get("package", {})
            raw = package.get("name", "")
            name = canonicalize_name(raw) if ecosystem == PYPI else raw
            if package.get("ecosystem") != ecosystem or name not in normal:
                continue
            shown, version = normal[name]
            if affects(advisory, ecosystem, shown, version):
                text = advisory.get("summary") or advisory.get("details", "")
                found.append(Finding(ecosystem, shown, version, advisory["id"], tuple(advisory.get("aliases", [])),
                                     text.strip().splitlines()[0][:160] if text.strip() else "",
                                     _fixed(advisory, ecosystem, shown)))
                break
    return sorted(set(found), key=lambda f: (f.name, f.advisory))


def load_snapshot(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data
