"""The Content Security Policy: every page is served with a strict policy (everything from Udsyn itself, no
'unsafe-inline' or 'unsafe-eval'), Udsyn's own templates carry no inline script or style, and the pages of other
packages (the admin, DRF's browsable API, Swagger UI) and the HTML report opened in the browser get only the
exact inline styles they need, by hash. tests/test_browser_csp.py checks the same in a real browser."""

import re
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client

from udsyn.core.csp import source
from udsyn.engagements.models import Engagement
from udsyn.reports.models import ReportJob

ROOT = Path(__file__).resolve().parent.parent
UDSYN = ROOT / "udsyn"
# A standalone document, not a page of the app: the HTML report is one file with its stylesheet inside, read
# offline too; opened in the browser it is served with its own <style> admitted by hash (tested below).
STANDALONE = {UDSYN / "reports" / "templates" / "reports" / "report.html"}
INLINE = [
    (re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/(?:ld\+)?json\")[^>]*>", re.I), "inline <script>"),
    (re.compile(r"<style\b", re.I), "<style> element"),
    (re.compile(r"\sstyle\s*=", re.I), "style attribute"),
    (re.compile(r"\son[a-z]+\s*=", re.I), "event handler attribute"),
    (re.compile(r"\shx-on", re.I), "hx-on attribute (htmx evaluates it)"),
    (re.compile(r"javascript:", re.I), "javascript: address"),
    (re.compile(r"\shx-vals\s*=\s*['\"]\s*js:", re.I), "hx-vals with js:"),
]


def _policy(response: Any) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    return {part.split()[0]: part.split()[1:] for part in header.split(";") if part.strip()}


def _assert_strict(policy: dict[str, list[str]]) -> None:
    assert policy["default-src"] == ["'self'"]
    assert policy["script-src"] == ["'self'"]  # no nonce unless a page asks for one
    assert policy["style-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"] and policy["base-uri"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"] and policy["form-action"] == ["'self'"]
    for directive, sources in policy.items():
        for found in sources:
            assert found in ("'self'", "'none'", "'unsafe-hashes'") or found.startswith("'sha256-") or (
                directive == "img-src" and found == "data:"), (directive, found)  # no other origin, nothing unsafe
        if "'unsafe-hashes'" in sources:
            assert directive == "style-src-attr", directive


def _templates() -> list[Path]:
    return sorted(path for path in UDSYN.rglob("templates/**/*.html") if "vendor" not in path.parts)


def test_udsyn_templates_carry_no_inline_script_or_style() -> None:
    templates = _templates()
    assert len(templates) > 80
    found = []
    for path in templates:
        if path in STANDALONE:
            continue
        text = path.read_text(encoding="utf-8")
        for pattern, what in INLINE:
            for match in pattern.finditer(text):
                line = text.count("\n", 0, match.start()) + 1
                found.append(f"{path.relative_to(ROOT)}:{line}: {what}")
    assert not found, "\n".join(found)


def test_python_code_writes_no_inline_style_or_script_into_pages() -> None:
    found = [f"{path.relative_to(ROOT)}: {match.group(0)}"
             for path in sorted(UDSYN.rglob("*.py")) if "migrations" not in path.parts
             for match in re.finditer(r"<\w+[^<>]*\s(?:style|on[a-z]+)=|<script>",
                                      path.read_text(encoding="utf-8"))]
    assert not found, found


def test_the_check_finds_what_it_looks_for() -> None:
    """The patterns above are not blind: each catches the markup it names."""
    for markup in ('<script>alert(1)</script>', '<style>p{}</style>', '<p style="color: red">',
                   '<a onclick="x()">', '<div hx-on:click="x()">', '<a href="javascript:x()">',
                   "<div hx-vals='js:{a: 1}'>"):
        assert any(pattern.search(markup) for pattern, _what in INLINE), markup
    for allowed in ('<script src="/static/x.js" defer></script>', '<p class="note">',
                    '<script type="application/json" id="data">{}</script>'):
        assert not any(pattern.search(allowed) for pattern, _what in INLINE), allowed


def test_pages_are_served_with_the_strict_policy(eurocities: Engagement, coordinator: User) -> None:
    anonymous = Client()
    signed_in = Client()
    signed_in.force_login(coordinator)
    for client, path in ((anonymous, "/login/"), (anonymous, "/public/0101/"), (anonymous, "/inquiries/new/"),
                         (anonymous, "/en/inquiries/new/"), (signed_in, "/"), (signed_in, "/engagements/"),
                         (signed_in, f"/engagements/{eurocities.pk}/"),
                         (signed_in, f"/engagements/{eurocities.pk}/edit/"),
                         (signed_in, "/goals/"), (signed_in, "/inquiries/")):
        response = client.get(path)
        assert response.status_code == 200, path
        policy = _policy(response)
        _assert_strict(policy)
        assert policy["img-src"] == ["'self'", "data:"]  # charts and maps are SVG pictures in data: addresses
        assert "style-src-elem" not in policy and "style-src-attr" not in policy, path
    partial = signed_in.get("/engagements/?kind=project", HTTP_HX_REQUEST="true")  # the list's HTMX part
    _assert_strict(_policy(partial))
    page = anonymous.get("/login/").content.decode()
    assert '"includeIndicatorStyles": false' in page  # htmx adds no <style> of its own


def test_swagger_ui_runs_its_script_from_a_file_and_carries_no_inline_style(db: None) -> None:
    client = Client()
    docs = client.get("/api/docs/")
    _assert_strict(_policy(docs))
    page = docs.content.decode()
    assert "<style" not in page and not re.search(r"<script>", page)
    script = client.get("/api/docs/?script=")
    assert script["Content-Type"].startswith("application/javascript") and b"SwaggerUIBundle" in script.content


def test_the_browsable_api_and_the_admin_admit_only_their_own_inline_styles(eurocities: Engagement,
                                                                            coordinator: User) -> None:
    client = Client()
    client.force_login(coordinator)
    api = client.get("/api/engagements/", HTTP_ACCEPT="text/html")
    assert api.status_code == 200 and api["Content-Type"].startswith("text/html")
    policy = _policy(api)
    _assert_strict(policy)
    page = api.content.decode()
    for style in set(re.findall(r'\sstyle="([^"]*)"', page)):
        assert source(style) in policy["style-src-attr"], style
    for style in re.findall(r"<style>(.*?)</style>", page, re.S):
        assert source(style) in policy["style-src-elem"]
    assert source("color: red") not in policy["style-src-attr"]
    assert "Content-Security-Policy" in client.get("/api/engagements/", HTTP_ACCEPT="application/json")

    root = User.objects.create_superuser("root", password="x")
    client.force_login(root)
    history = client.get(f"/admin/engagements/engagement/{eurocities.pk}/history/")
    assert history.status_code == 200
    policy = _policy(history)
    _assert_strict(policy)
    for style in set(re.findall(r'\sstyle="([^"]*)"', history.content.decode())):
        assert source(style) in policy["style-src-attr"], style


def test_the_html_report_opened_in_the_browser_admits_its_own_stylesheet_only(
        eurocities: Engagement, coordinator: User) -> None:
    client = Client()
    client.force_login(coordinator)
    client.post("/reports/", {"municipality": eurocities.municipality_id, "format": "html", "language": "da"})
    job = ReportJob.objects.get()
    assert job.state == ReportJob.State.DONE
    report = client.get(f"/reports/{job.pk}/download/?inline=1")
    policy = _policy(report)
    _assert_strict(policy)
    styles = re.findall(r"<style>(.*?)</style>", report.content.decode(), re.S)
    assert len(styles) == 1 and policy["style-src-elem"] == ["'self'", source(styles[0])]
    assert "style-src-attr" not in policy


@pytest.mark.parametrize("path", ["/login/", "/public/"])
def test_no_page_of_udsyn_needs_a_nonce(db: None, path: str) -> None:
    """A nonce is added only when a page asks for one (djangosaml2's form that posts to the identity provider);
    Udsyn's own pages never do."""
    assert "nonce" not in Client().get(path)["Content-Security-Policy"]
