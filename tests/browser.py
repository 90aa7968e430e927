"""Helpers for browser tests: Debian's Chromium driven by Playwright, with axe-core injected into pages, and every
Content Security Policy violation a page reports failing the test that caused it."""

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

# Playwright's sync API runs an event loop in this thread; the tests' own ORM calls are still synchronous.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

ROOT = Path(__file__).resolve().parent.parent
AXE = ROOT / "frontend" / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
ARTIFACTS = ROOT / "test-artifacts"


# What pages reported of the Content Security Policy since the test began: Chromium's console message for each
# thing refused ("Refused to apply inline style because it violates the following Content Security Policy
# directive ..."), and the page's securitypolicyviolation events, which the script below logs.
CSP_VIOLATIONS: list[str] = []
REPORT_VIOLATIONS = """document.addEventListener("securitypolicyviolation", (e) => console.error(
    "CSP violation: " + e.effectiveDirective + " refused " + (e.blockedURI || "inline") + " at " + e.sourceFile
    + ":" + e.lineNumber + " " + JSON.stringify(e.sample)));"""


def _watch(message: Any) -> None:
    if "Content Security Policy" in message.text or message.text.startswith("CSP violation"):
        CSP_VIOLATIONS.append(f"{message.location.get('url', '')}: {message.text}")


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run"],
        )
        opened = browser.new_context

        def new_context(**options: Any) -> Any:
            """Every context a test opens reports its pages' violations of the Content Security Policy."""
            context = opened(**options)
            context.add_init_script(REPORT_VIOLATIONS)
            context.on("console", _watch)
            return context

        browser.new_context = new_context
        yield browser
        browser.close()


@pytest.fixture(autouse=True)
def _no_csp_violations() -> Iterator[None]:
    """A browser test fails when any page it opened reported a violation of the Content Security Policy."""
    CSP_VIOLATIONS.clear()
    yield
    found, CSP_VIOLATIONS[:] = list(CSP_VIOLATIONS), []
    assert not found, "pages reported Content Security Policy violations:\n" + "\n".join(found)


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(locale="da-DK", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    yield page
    context.close()


def assert_accessible(page: Any) -> None:
    """Run axe-core (WCAG 2.1 A and AA rules) on the page and fail with every violation listed."""
    # Evaluated by the browser's debugging protocol: the page's policy admits no inline script, rightly.
    page.evaluate(AXE.read_text(encoding="utf-8"))
    result = page.evaluate(
        "async () => await axe.run(document, {runOnly: {type: 'tag', values: "
        "['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}})"
    )
    violations = [
        {"id": v["id"], "impact": v["impact"], "help": v["help"],
         "nodes": [n["target"] for n in v["nodes"]][:5]}
        for v in result["violations"]
    ]
    if violations:
        ARTIFACTS.mkdir(exist_ok=True)
        name = page.url.split("://", 1)[-1].replace("/", "_").replace(":", "_")
        page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
    assert not violations, f"axe found violations on {page.url}:\n{json.dumps(violations, indent=2)}"


def log_in(page: Any, base: str, username: str, password: str = "secret-pass-123") -> None:
    """Sign in through the login page (the test users' password by default) and wait for the start page."""
    page.goto(base + "/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("main button[type=submit]")
    page.wait_for_url(base + "/")
