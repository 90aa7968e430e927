"""The Content Security Policy's exceptions, one response at a time: the exact inline styles of pages Udsyn does
not write itself (Django's admin, django-simple-history's admin pages, DRF's browsable API) and of the HTML report
opened in the browser, admitted by their SHA-256 hashes on those responses only. Never 'unsafe-inline':
settings.CONTENT_SECURITY_POLICY is the policy of every page, and tests/test_csp.py checks that Udsyn's own
templates need no exception."""

import base64
import hashlib
import re
from dataclasses import dataclass
from functools import cache
from importlib.util import find_spec
from pathlib import Path
from typing import Any

from csp.constants import SELF, UNSAFE_HASHES

STYLE_ELEMENT = re.compile(r"<style[^>]*>(.*?)</style>", re.DOTALL | re.IGNORECASE)
STYLE_ATTRIBUTE = re.compile(r"""\sstyle=(?:"([^"]*)"|'([^']*)')""", re.IGNORECASE)


def source(text: str) -> str:
    """The policy's hash source for one inline style (or script): its text exactly as the browser reads it."""
    digest = hashlib.sha256(text.encode("utf-8")).digest()
    return "'sha256-{}'".format(base64.b64encode(digest).decode("ascii"))


@dataclass(frozen=True)
class InlineStyles:
    """The texts of <style> elements and of style="" attributes one response may carry."""

    elements: frozenset[str] = frozenset()
    attributes: frozenset[str] = frozenset()

    def __or__(self, other: "InlineStyles") -> "InlineStyles":
        return InlineStyles(self.elements | other.elements, self.attributes | other.attributes)

    def directives(self) -> dict[str, list[str]]:
        """style-src-elem and style-src-attr take precedence over style-src for what they cover: stylesheets from
        Udsyn itself stay allowed, attributes need 'unsafe-hashes' (which admits only the hashed values)."""
        found: dict[str, list[str]] = {}
        if self.elements:
            found["style-src-elem"] = [SELF, *sorted(source(text) for text in self.elements)]
        if self.attributes:
            found["style-src-attr"] = [UNSAFE_HASHES, *sorted(source(text) for text in self.attributes)]
        return found


def found_in(html: str) -> InlineStyles:
    """The inline styles of a document Udsyn made itself (the HTML report)."""
    return InlineStyles(frozenset(STYLE_ELEMENT.findall(html)),
                        frozenset(a or b for a, b in STYLE_ATTRIBUTE.findall(html)))


@cache
def in_templates(package: str) -> InlineStyles:
    """The literal inline styles in a package's own templates. Parts made by template tags are left out: they
    cannot be known in advance, so whatever they render stays refused."""
    spec = find_spec(package)
    assert spec is not None and spec.origin, package
    found = InlineStyles()
    for path in sorted((Path(spec.origin).parent / "templates").rglob("*.html")):
        styles = found_in(path.read_text(encoding="utf-8"))
        found |= InlineStyles(frozenset(t for t in styles.elements if _literal(t)),
                              frozenset(t for t in styles.attributes if _literal(t)))
    return found


def _literal(text: str) -> bool:
    return not any(mark in text for mark in ("{{", "{%", "&"))


def admit(response: Any, styles: InlineStyles) -> Any:
    """Widen the policy of this one response by exactly these inline styles (django-csp's per-response update)."""
    update = dict(getattr(response, "_csp_update", None) or {})
    for directive, sources in styles.directives().items():
        update[directive] = [*update.get(directive, []), *sources]
    response._csp_update = update
    return response
