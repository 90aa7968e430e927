"""Single sign-on in a real browser: a person signs in through the OIDC provider and, in a fresh session, through
the SAML identity provider (both real, on loopback), and lands on the start page with the role their claims
give; a person whose claims give no role gets the refusal page. Every Udsyn page passes axe."""

from typing import Any

import pytest

from tests.browser import assert_accessible
from tests.sso_idps import (
    OIDC_LABEL,
    SAML_LABEL,
)
from udsyn.organisation.models import Municipality, Role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in(page: Any, base: str, provider_label: str, username: str, password: str) -> None:
    page.goto(base + "/")
    assert page.url.startswith(base + "/login/")
    page.click(f"#sso-providers a:has-text('Log på med {provider_label}')")
    page.wait_for_selector("#username")
    page.fill("#username", username)
    page.fill("#password", password)
    page.click("button[type=submit]")


def test_signs_in_through_each_provider_with_the_mapped_role(
        page: Any, live_server: Any, identity_providers: dict[str, str], copenhagen_registry: Municipality) -> None:
    base = live_server.url
    page.goto(base + "/login/")
    assert_accessible(page)

    sign_in(page, base, OIDC_LABEL, "kirsten@kk.dk", "oidc-pass")
    page.wait_for_url(base + "/")
    assert "Københavns Kommune" in page.inner_text("h1")
    assert "Kirsten Holm" in page.inner_text(".portal-user")
    assert "forvaltningsredaktør, TMF" in page.inner_text(".portal-user")
    assert Role.objects.get(user__username="kirsten@kk.dk").kind == Role.Kind.EDITOR
    assert_accessible(page)

    page.context.clear_cookies()
    sign_in(page, base, SAML_LABEL, "mette", "saml-pass")
    page.wait_for_url(base + "/")  # through the IdP's page that posts the signed answer to Udsyn
    assert "Københavns Kommune" in page.inner_text("h1")
    assert "Mette Lund" in page.inner_text(".portal-user")
    assert "koordinator" in page.inner_text(".portal-user")
    assert Role.objects.get(user__username="mette@kk.dk").kind == Role.Kind.COORDINATOR
    # A coordinator's menu: the duplicates page is theirs.
    assert page.locator("nav a:has-text('Dubletter')").count() == 1

    page.context.clear_cookies()
    sign_in(page, base, SAML_LABEL, "stranger", "saml-pass")
    page.wait_for_selector("#sso-reason")
    assert "11111111" in page.inner_text("#sso-reason")
    assert_accessible(page)
