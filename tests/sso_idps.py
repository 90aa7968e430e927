"""Real identity providers for the single sign-on tests, started on loopback once per test module and stopped
after it: oidc-provider under node (tests/idp/oidc, installed by `make idp`) and a pysaml2 IdP
(tests/idp/saml/server.py) with a key and certificate made by openssl for the run. Also a small HTTP client that
follows a sign-in through forms as a browser would."""

import base64
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlparse

import lxml.html
import pytest
import requests
from django.test import override_settings

from tests.servers import free_port
from udsyn.organisation.models import Department, Municipality

IDP = Path(__file__).resolve().parent / "idp"
NODE = os.environ.get("NODE", "node")

# What the providers say about their users (the same people in both; their claims differ as Entra's and
# Context Handler's do).
OIDC_ACCOUNTS = {
    "kirsten@kk.dk": {"password": "oidc-pass", "claims": {
        "email": "kirsten@kk.dk", "given_name": "Kirsten", "family_name": "Holm",
        "roles": ["Udsyn.Reader", "Udsyn.Editor"], "department": "TMF"}},
    "outsider@kk.dk": {"password": "oidc-pass", "claims": {
        "email": "outsider@kk.dk", "roles": ["Payroll.User"]}},
}
OIDC_MAPPING = {"municipality_default": "0101", "department": "department"}
OIDC_LABEL = "Entra ID (test)"

CVR_COPENHAGEN = "64942212"
OIOSAML = "https://data.gov.dk/model/core/eid/"
COORDINATOR_PRIVILEGE = "http://udsyn.test/roles/usersystemrole/coordinator/1"


def privileges(cvr: str, *granted: str) -> str:
    """An OIO Basic Privilege Profile list, base64-encoded as Context Handler sends it."""
    xml = ('<?xml version="1.0" encoding="UTF-8"?><bpp:PrivilegeList '
           'xmlns:bpp="http://digst.dk/oiosaml/basic_privilege_profile">'
           '<PrivilegeGroup Scope="urn:dk:gov:saml:cvrNumberIdentifier:{}">{}</PrivilegeGroup>'
           '</bpp:PrivilegeList>').format(cvr, "".join(f"<Privilege>{p}</Privilege>" for p in granted))
    return base64.b64encode(xml.encode()).decode()


SAML_ACCOUNTS = {
    "mette": {"password": "saml-pass", "attributes": {
        OIOSAML + "email": ["mette@kk.dk"], OIOSAML + "firstName": ["Mette"], OIOSAML + "lastName": ["Lund"],
        OIOSAML + "professional/cvr": [CVR_COPENHAGEN],
        OIOSAML + "privilegesIntermediate": [privileges(CVR_COPENHAGEN, COORDINATOR_PRIVILEGE)]}},
    "stranger": {"password": "saml-pass", "attributes": {
        OIOSAML + "email": ["stranger@other.dk"], OIOSAML + "professional/cvr": ["11111111"],
        OIOSAML + "privilegesIntermediate": [privileges("11111111", COORDINATOR_PRIVILEGE)]}},
}
SAML_MAPPING = {"municipality_values": {CVR_COPENHAGEN: "0101"},
                "role_values": {COORDINATOR_PRIVILEGE: "coordinator"}}
SAML_LABEL = "Context Handler (test)"


@pytest.fixture
def copenhagen_registry(db: None) -> Municipality:
    """København with two departments: what the providers' claims name."""
    copenhagen = Municipality.objects.create(code="0101", name="København")
    for code, name in [("ØKF", "Økonomiforvaltningen"), ("TMF", "Teknik- og Miljøforvaltningen")]:
        Department.objects.create(municipality=copenhagen, code=code, name=name)
    return copenhagen


@dataclass
class Running:
    url: str
    process: subprocess.Popen[str]


def start(command: list[str], config: dict[str, Any], folder: Path, name: str) -> Running:
    """Start a provider with its JSON configuration and wait until it says it listens."""
    path = folder / f"{name}.json"
    path.write_text(json.dumps(config), encoding="utf-8")
    log = (folder / f"{name}.log").open("w")
    process = subprocess.Popen([*command, str(path)], stdout=subprocess.PIPE, stderr=log, text=True)
    assert process.stdout is not None
    line = process.stdout.readline()
    if "listening on" not in line:
        process.kill()
        raise RuntimeError("{} did not start: {}{}".format(name, line, (folder / f"{name}.log").read_text()))
    return Running(line.split("listening on", 1)[1].strip(), process)


def stop(running: Running) -> None:
    running.process.terminate()
    try:
        running.process.wait(timeout=5)
    except subprocess.TimeoutExpired:
        running.process.kill()
        running.process.wait()


def openssl_pair(folder: Path, name: str) -> tuple[str, str]:
    """A TEST-ONLY key and self-signed certificate, made for this run."""
    key, cert = folder / f"{name}.key", folder / f"{name}.crt"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key),
                    "-out", str(cert), "-days", "2", "-subj", f"/CN={name}"], check=True, capture_output=True)
    return str(key), str(cert)


@pytest.fixture(scope="module")
def identity_providers(live_server: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    """Both providers running, and Udsyn (the live server) set up to use them."""
    if not (IDP / "oidc" / "node_modules" / "oidc-provider").is_dir():
        pytest.fail("The test OIDC provider is not installed: run `make idp` (npm ci in tests/idp/oidc)")
    folder = tmp_path_factory.mktemp("idps")
    base = live_server.url
    # The providers' addresses use the live server's host name (localhost): a browser then sees one site, and
    # sends Udsyn's SameSite=Lax cookies with the answer the SAML IdP posts back (see SAML_SESSION_COOKIE_SAMESITE).
    host = urlparse(base).hostname
    oidc = start([NODE, str(IDP / "oidc" / "server.js")], {
        "port": free_port(), "host": host, "client_id": "udsyn-test", "client_secret": "test-only-secret",
        "redirect_uris": [base + "/sso/oidc/callback/"], "accounts": OIDC_ACCOUNTS}, folder, "oidc")
    idp_key, idp_cert = openssl_pair(folder, "udsyn-test-idp")
    sp_key, sp_cert = openssl_pair(folder, "udsyn-test-sp")
    sp_metadata = folder / "sp-metadata.xml"
    saml = start([sys.executable, str(IDP / "saml" / "server.py")], {
        "port": free_port(), "host": host, "key_file": idp_key, "cert_file": idp_cert, "sp_metadata": str(sp_metadata),
        "accounts": SAML_ACCOUNTS}, folder, "saml")
    overrides = override_settings(
        UDSYN_OIDC={"label": OIDC_LABEL, "issuer": oidc.url, "client_id": "udsyn-test",
                    "client_secret": "test-only-secret", "mapping": OIDC_MAPPING},
        UDSYN_SAML={"label": SAML_LABEL, "metadata": saml.url + "/metadata", "base_url": base,
                    "key_file": sp_key, "cert_file": sp_cert, "mapping": SAML_MAPPING},
        # Plain HTTP here: SameSite=None would need Secure (HTTPS); the providers are on the same site.
        SAML_SESSION_COOKIE_SAMESITE="Lax",
    )
    overrides.enable()
    try:
        # The IdP learns Udsyn's metadata from Udsyn's own metadata page, as Context Handler is given it.
        answer = requests.get(base + "/sso/saml/metadata/", timeout=30)
        answer.raise_for_status()
        sp_metadata.write_bytes(answer.content)
        yield {"oidc": oidc.url, "saml": saml.url}
    finally:
        overrides.disable()
        stop(oidc)
        stop(saml)


def submit(session: requests.Session, answer: requests.Response, fields: dict[str, str] | None = None,
           ) -> requests.Response:
    """Post the page's first form as a browser would: its hidden fields and the given ones."""
    form = lxml.html.fromstring(answer.text).forms[0]
    data = dict(form.form_values())
    data.update(fields or {})
    return session.post(urljoin(answer.url, form.action), data=data, timeout=30)


def sign_in_oidc(base: str, username: str, password: str,
                 session: requests.Session | None = None) -> tuple[requests.Session, requests.Response]:
    session = session or requests.Session()
    login_page = session.get(base + "/sso/oidc/login/", timeout=30)
    assert "Test identity provider (OIDC)" in login_page.text, login_page.text[:500]
    return session, submit(session, login_page, {"username": username, "password": password})


def sign_in_saml(base: str, username: str, password: str,
                 session: requests.Session | None = None) -> tuple[requests.Session, requests.Response]:
    session = session or requests.Session()
    login_page = session.get(base + "/sso/saml/login/", timeout=30)
    assert "Test identity provider (SAML)" in login_page.text, login_page.text[:500]
    to_udsyn = submit(session, login_page, {"username": username, "password": password})
    assert "SAMLResponse" in to_udsyn.text, to_udsyn.text[:500]
    return session, submit(session, to_udsyn)  # the page that posts the signed answer to Udsyn

