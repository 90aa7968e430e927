"""Single sign-on end to end: Udsyn (the live server) signs people in through a real OIDC provider
(oidc-provider under node) and a real SAML 2.0 identity provider (pysaml2), both started on loopback for this
module; their claims give the municipality, department and role, a role change is kept in history, a person
whose claims give no role is refused with a page saying why, and password login can be turned off."""

from typing import Any
from urllib.parse import urlsplit

import pytest
import requests
from django.contrib.auth.models import User
from django.test import Client

from tests.sso_idps import (
    COORDINATOR_PRIVILEGE,
    CVR_COPENHAGEN,
    OIDC_LABEL,
    OIOSAML,
    SAML_LABEL,
    privileges,
    sign_in_oidc,
    sign_in_saml,
)
from udsyn.organisation import accounts, sso
from udsyn.organisation.accounts import RoleSpec
from udsyn.organisation.models import Municipality, Role

pytestmark = pytest.mark.django_db(transaction=True)


def role_history(user: User) -> list[tuple[str, str | None]]:
    return [(row.kind, row.history_change_reason)
            for row in Role.history.filter(user=user).order_by("history_date")]  # type: ignore[attr-defined]


def test_login_page_offers_each_provider(live_server: Any, identity_providers: dict[str, str],
                                         copenhagen_registry: Municipality) -> None:
    page = requests.get(live_server.url + "/login/?next=/engagements/", timeout=30).text
    assert f"Log på med {OIDC_LABEL}" in page and f"Log på med {SAML_LABEL}" in page
    assert "/sso/oidc/login/?next=%2Fengagements%2F" in page
    assert 'name="password"' in page  # password login stays on by default


def test_first_oidc_login_creates_the_user_with_the_mapped_role(
        live_server: Any, identity_providers: dict[str, str], copenhagen_registry: Municipality) -> None:
    session, landed = sign_in_oidc(live_server.url, "kirsten@kk.dk", "oidc-pass")
    assert landed.url == live_server.url + "/"
    assert "Københavns Kommune" in landed.text and "Log af" in landed.text
    user = User.objects.get(username="kirsten@kk.dk")
    assert (user.email, user.first_name, user.last_name) == ("kirsten@kk.dk", "Kirsten", "Holm")
    assert not user.has_usable_password()
    role = Role.objects.get(user=user)
    # The highest role among the claim's values (reader, editor), in the department the claims name.
    assert (role.kind, role.municipality, role.department.code) == ("editor", copenhagen_registry, "TMF")
    assert role_history(user) == [("editor", f"Fra single sign-on ({OIDC_LABEL})")]
    # Signed in for real: a page that needs a login answers.
    assert session.get(live_server.url + "/engagements/", timeout=30).url == live_server.url + "/engagements/"


def test_a_later_oidc_login_updates_the_role_and_keeps_the_change_in_history(
        live_server: Any, identity_providers: dict[str, str], copenhagen_registry: Municipality) -> None:
    user = User.objects.create_user("Kirsten@kk.dk", password="local-pass")
    Role.objects.create(user=user, kind=Role.Kind.READER, municipality=copenhagen_registry)
    _session, landed = sign_in_oidc(live_server.url, "kirsten@kk.dk", "oidc-pass")
    assert landed.url == live_server.url + "/"
    assert User.objects.count() == 1  # the same account, found without regard to case
    role = Role.objects.get(user=user)
    assert (role.kind, role.department.code) == ("editor", "TMF")
    assert role_history(user) == [("reader", None), ("editor", f"Fra single sign-on ({OIDC_LABEL})")]
    # Signing in again with the same claims changes nothing and writes no history.
    sign_in_oidc(live_server.url, "kirsten@kk.dk", "oidc-pass")
    assert len(role_history(user)) == 2


def test_roles_left_to_coordinators_are_not_changed_by_a_later_login(
        live_server: Any, identity_providers: dict[str, str], copenhagen_registry: Any, settings: Any) -> None:
    settings.UDSYN_OIDC = {**settings.UDSYN_OIDC,
                           "mapping": {**settings.UDSYN_OIDC["mapping"], "update_roles": False}}
    user = User.objects.create_user("kirsten@kk.dk")
    Role.objects.create(user=user, kind=Role.Kind.COORDINATOR, municipality=copenhagen_registry)
    _session, landed = sign_in_oidc(live_server.url, "kirsten@kk.dk", "oidc-pass")
    assert landed.url == live_server.url + "/"
    assert Role.objects.get(user=user).kind == "coordinator"


def test_oidc_claims_that_give_no_role_are_refused_with_a_page_that_says_why(
        live_server: Any, identity_providers: dict[str, str], copenhagen_registry: Municipality) -> None:
    session, landed = sign_in_oidc(live_server.url, "outsider@kk.dk", "oidc-pass")
    assert landed.status_code == 403 and landed.url == live_server.url + "/login/refused/"
    assert "Payroll.User" in landed.text and "Du kunne ikke logges på" in landed.text
    assert not User.objects.filter(username="outsider@kk.dk").exists()
    assert session.get(live_server.url + "/", timeout=30).url.startswith(live_server.url + "/login/")


def test_saml_login_maps_context_handler_privileges_to_a_coordinator(
        live_server: Any, identity_providers: dict[str, str], copenhagen_registry: Municipality) -> None:
    session, landed = sign_in_saml(live_server.url, "mette", "saml-pass")
    assert landed.url == live_server.url + "/"
    assert "Københavns Kommune" in landed.text and "Log af" in landed.text
    user = User.objects.get(username="mette@kk.dk")
    assert (user.first_name, user.last_name) == ("Mette", "Lund")
    role = Role.objects.get(user=user)
    assert (role.kind, role.municipality, role.department) == ("coordinator", copenhagen_registry, None)
    assert role_history(user) == [("coordinator", f"Fra single sign-on ({SAML_LABEL})")]


def _invited(live_server: Any, municipality: Municipality, email: str, code: str) -> requests.Session:
    """A coordinator invites ``email`` as editor of department ``code``; the person opens the e-mail's link."""
    coordinator = User.objects.create_user("inviting-coordinator")
    Role.objects.create(user=coordinator, kind=Role.Kind.COORDINATOR, municipality=municipality)
    department = municipality.departments.get(code=code)
    _invitation, link = accounts.do_invite(coordinator, email, RoleSpec("editor", municipality, department))
    session = requests.Session()
    page = session.get(live_server.url + urlsplit(link).path, timeout=30)
    assert page.status_code == 200
    assert f"Log på med {OIDC_LABEL}" in page.text and f"Log på med {SAML_LABEL}" in page.text
    return session


def test_an_invited_colleague_signs_in_by_oidc_with_the_role_they_were_given(
        live_server: Any, identity_providers: dict[str, str], copenhagen_registry: Municipality) -> None:
    """Their claims give no role (they would be refused); the invitation opened in this browser gives one."""
    session = _invited(live_server, copenhagen_registry, "outsider@kk.dk", "ØKF")
    session, landed = sign_in_oidc(live_server.url, "outsider@kk.dk", "oidc-pass", session=session)
    assert landed.url == live_server.url + "/", landed.text[:300]
    role = Role.objects.get(user__username="outsider@kk.dk")
    assert (role.kind, role.municipality, role.department.code) == ("editor", copenhagen_registry, "ØKF")
    assert session.get(live_server.url + "/engagements/", timeout=30).url == live_server.url + "/engagements/"


def test_an_invited_colleague_signs_in_by_saml_with_the_role_they_were_given(
        live_server: Any, identity_providers: dict[str, str], copenhagen_registry: Municipality) -> None:
    """Context Handler's privileges would make them coordinator; the coordinator invited them as editor."""
    session = _invited(live_server, copenhagen_registry, "mette@kk.dk", "TMF")
    session, landed = sign_in_saml(live_server.url, "mette", "saml-pass", session=session)
    assert landed.url == live_server.url + "/", landed.text[:300]
    role = Role.objects.get(user__username="mette@kk.dk")
    assert (role.kind, role.department.code) == ("editor", "TMF")
    history = role_history(role.user)
    assert history and history[-1][0] == "editor"


def test_saml_attributes_naming_an_unknown_municipality_are_refused(
        live_server: Any, identity_providers: dict[str, str], copenhagen_registry: Municipality) -> None:
    _session, landed = sign_in_saml(live_server.url, "stranger", "saml-pass")
    assert landed.status_code == 403
    assert "11111111" in landed.text and "Du kunne ikke logges på" in landed.text
    assert not User.objects.filter(username="stranger@other.dk").exists()


def test_the_service_provider_metadata_names_the_assertion_consumer_service(
        live_server: Any, identity_providers: dict[str, str]) -> None:
    metadata = requests.get(live_server.url + "/sso/saml/metadata/", timeout=30).text
    assert f'Location="{live_server.url}/sso/saml/acs/"' in metadata
    assert "X509Certificate" in metadata  # Udsyn signs its requests with its own key
    # It asks for the attributes its mapping reads.
    assert f'RequestedAttribute Name="{OIOSAML}privilegesIntermediate"' in metadata


def test_password_login_can_be_turned_off(settings: Any, copenhagen_registry: Municipality) -> None:
    settings.UDSYN_PASSWORD_LOGIN = False
    settings.UDSYN_OIDC = {"label": OIDC_LABEL, "issuer": "http://127.0.0.1:9", "client_id": "x"}
    User.objects.create_user("local", password="local-pass")
    client = Client()
    page = client.get("/login/").content.decode()
    assert 'name="password"' not in page and f"Log på med {OIDC_LABEL}" in page
    refused = client.post("/login/", {"username": "local", "password": "local-pass"})
    assert refused.status_code == 403 and "Adgangskodelogin er slået fra" in refused.content.decode()
    assert client.get("/").status_code == 302  # not signed in
    assert not client.login(username="local", password="local-pass")
    settings.UDSYN_PASSWORD_LOGIN = True
    assert client.login(username="local", password="local-pass")


def test_single_sign_on_is_off_unless_configured(settings: Any) -> None:
    settings.UDSYN_OIDC = None
    settings.UDSYN_SAML = None
    client = Client()
    assert client.get("/sso/oidc/login/").status_code == 404
    assert client.get("/sso/saml/metadata/").status_code == 404
    assert "sso-providers" not in client.get("/login/").content.decode()



# The mapping itself, without the providers (the claims as a provider would give them).

def claims(**given: Any) -> dict[str, Any]:
    return {"preferred_username": "jens@kk.dk", "email": "jens@kk.dk", **given}


def test_a_role_value_can_name_the_department(settings: Any, copenhagen_registry: Municipality) -> None:
    settings.UDSYN_OIDC = {"mapping": {"municipality_default": "0101",
                                       "role_values": {"KK-Udsyn-OEKF": "editor:ØKF", "KK-Alle": "reader"}}}
    user = sso.sign_in(None, sso.OIDC, claims(roles=["KK-Alle", "KK-Udsyn-OEKF"]))
    role = Role.objects.get(user=user)
    assert (role.kind, role.department.code) == ("editor", "ØKF")


def test_an_editor_without_a_known_department_is_refused(settings: Any, copenhagen_registry: Municipality) -> None:
    settings.UDSYN_OIDC = {"mapping": {"municipality_default": "0101", "department": "department"}}
    with pytest.raises(sso.SSORefused, match="XYZ"):
        sso.sign_in(None, sso.OIDC, claims(roles=["Udsyn.Editor"], department="XYZ"))
    assert not User.objects.exists()


def test_an_administrator_needs_no_municipality(settings: Any, db: None) -> None:
    settings.UDSYN_OIDC = {"mapping": {}}
    user = sso.sign_in(None, sso.OIDC, claims(roles="Udsyn.Administrator"))
    assert Role.objects.get(user=user).kind == "administrator"


def test_a_deactivated_account_is_refused(settings: Any, copenhagen_registry: Municipality) -> None:
    settings.UDSYN_OIDC = {"mapping": {"municipality_default": "0101"}}
    User.objects.create_user("jens@kk.dk", is_active=False)
    with pytest.raises(sso.SSORefused):
        sso.sign_in(None, sso.OIDC, claims(roles=["Udsyn.Reader"]))


def test_privileges_that_are_not_base64_xml_give_no_role(settings: Any, copenhagen_registry: Municipality) -> None:
    settings.UDSYN_SAML = {"mapping": {"municipality_values": {CVR_COPENHAGEN: "0101"},
                                       "role_values": {COORDINATOR_PRIVILEGE: "coordinator"}}}
    attributes = {OIOSAML + "email": ["jens@kk.dk"], OIOSAML + "professional/cvr": [CVR_COPENHAGEN]}
    with pytest.raises(sso.SSORefused):
        sso.sign_in(None, sso.SAML, {**attributes, OIOSAML + "privilegesIntermediate": ["<not base64>"]})
    good = privileges(CVR_COPENHAGEN, COORDINATOR_PRIVILEGE)
    user = sso.sign_in(None, sso.SAML, {**attributes, OIOSAML + "privilegesIntermediate": [good]})
    assert Role.objects.get(user=user).kind == "coordinator"
