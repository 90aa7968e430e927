"""Single sign-on: OIDC (Microsoft Entra ID) and SAML 2.0 (Context Handler / NemLog-in) sign users in, and
their claims or attributes give them a municipality, a department and a role (docs/operations.md).

Each provider is set up by a dictionary in the settings (``UDSYN_OIDC``, ``UDSYN_SAML``, made from
``UDSYN_OIDC_*`` and ``UDSYN_SAML_*`` environment variables; ``None`` = off). Its ``mapping`` says which claim
holds what (``MAPPING_DEFAULTS`` below gives the defaults):

- ``username``, ``email``, ``first_name``, ``last_name``: the claims copied to the user.
- ``municipality``: the claim holding the municipality; ``municipality_values`` translates its values into
  municipality codes (e.g. a CVR number into ``0101``), else the value is the code; ``municipality_default``
  is the code when no value maps (one Entra tenant = one municipality).
- ``department``: the claim holding the department's short code (``department_values`` translates).
- ``role``: the claim holding role values (Entra's ``roles`` or ``groups``); ``role_values`` maps each value
  to a role kind (``administrator``, ``coordinator``, ``editor``, ``reader``), optionally with a department
  code (``editor:TMF``). The highest mapped role wins. ``role_default`` is the kind when no value maps.
- ``privileges``: true when the role claim holds OIO Basic Privilege Profile XML in base64 (Context Handler,
  NemLog-in): its privileges are the role values and the CVR numbers of its scopes municipality values.
- ``update_roles``: true (default) = every sign-in sets the role from the claims; false = the first sign-in
  creates it and coordinators manage it afterwards.

A user whose claims give no role is refused with a page that says why (``refused``). A role set or changed
by single sign-on is recorded in its history with the reason "From single sign-on (<provider>)".
"""

import base64
import binascii
import json
import logging
import shutil
import threading
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import requests
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from djangosaml2.backends import Saml2Backend
from lxml import etree
from mozilla_django_oidc.auth import OIDCAuthenticationBackend
from mozilla_django_oidc.utils import import_from_settings
from mozilla_django_oidc.views import OIDCAuthenticationCallbackView, OIDCAuthenticationRequestView

from udsyn.organisation.auth import RoleBackend
from udsyn.organisation.models import Department, Municipality, Role

logger = logging.getLogger(__name__)

OIDC, SAML = "oidc", "saml"
REFUSED_KEY = "udsyn_sso_refused"  # the session key holding why the last sign-in was refused

OIOSAML = "https://data.gov.dk/model/core/eid/"
MAPPING_DEFAULTS: dict[str, dict[str, Any]] = {
    OIDC: {
        "username": "preferred_username", "email": "email", "first_name": "given_name",
        "last_name": "family_name",
        "municipality": None, "municipality_values": {}, "municipality_default": None,
        "department": None, "department_values": {},
        "role": "roles", "role_values": {
            "Udsyn.Administrator": "administrator", "Udsyn.Coordinator": "coordinator",
            "Udsyn.Editor": "editor", "Udsyn.Reader": "reader"},
        "role_default": None, "privileges": False, "update_roles": True,
    },
    SAML: {
        "username": OIOSAML + "email", "email": OIOSAML + "email", "first_name": OIOSAML + "firstName",
        "last_name": OIOSAML + "lastName",
        "municipality": OIOSAML + "professional/cvr", "municipality_values": {}, "municipality_default": None,
        "department": None, "department_values": {},
        "role": OIOSAML + "privilegesIntermediate", "role_values": {},
        "role_default": None, "privileges": True, "update_roles": True,
    },
}
RANK = [Role.Kind.READER, Role.Kind.EDITOR, Role.Kind.COORDINATOR, Role.Kind.ADMINISTRATOR]


class SSORefused(Exception):
    """The provider signed the person in, but Udsyn cannot give them a role; the message says why."""


def provider_settings(provider: str) -> dict[str, Any] | None:
    conf: dict[str, Any] | None = getattr(settings, "UDSYN_OIDC" if provider == OIDC else "UDSYN_SAML", None)
    return conf or None


def mapping(provider: str) -> dict[str, Any]:
    conf = provider_settings(provider) or {}
    return {**MAPPING_DEFAULTS[provider], **(conf.get("mapping") or {})}


def label(provider: str) -> str:
    conf = provider_settings(provider) or {}
    return str(conf.get("label") or ("Microsoft Entra ID" if provider == OIDC else "Context Handler"))


def providers(next_url: str = "") -> list[dict[str, str]]:
    """The configured providers, for the login page's buttons."""
    found = []
    for provider, url_name in ((OIDC, "oidc_authentication_init"), (SAML, "saml2_login")):
        if provider_settings(provider):
            url = reverse(url_name)
            if next_url:
                url += "?" + urlencode({"next": next_url})
            found.append({"name": provider, "label": label(provider), "url": url})
    return found


def password_login() -> bool:
    return bool(getattr(settings, "UDSYN_PASSWORD_LOGIN", True))


# ---- From claims to a role ----

@dataclass(frozen=True)
class Assignment:
    """What the claims give: a role kind, its municipality and department."""

    kind: str
    municipality: Municipality | None
    department: Department | None


def values(claims: dict[str, Any], name: str | None) -> list[str]:
    """A claim's values as a list of strings (claims may be one value or a list; SAML's always lists)."""
    if not name or name not in claims or claims[name] is None:
        return []
    value = claims[name]
    items = value if isinstance(value, list | tuple) else [value]
    return [str(item).strip() for item in items if str(item).strip()]


def privileges(encoded: list[str]) -> tuple[list[str], list[str]]:
    """OIO Basic Privilege Profile XML (base64, the ``privilegesIntermediate`` attribute): its privileges, and
    the CVR numbers of its groups' scopes (``urn:dk:gov:saml:cvrNumberIdentifier:<cvr>``)."""
    found: list[str] = []
    cvrs: list[str] = []
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    for value in encoded:
        try:
            root = etree.fromstring(base64.b64decode(value, validate=False), parser)
        except (binascii.Error, ValueError, etree.XMLSyntaxError):
            logger.warning("A privileges attribute was not base64 XML; ignored")
            continue
        for group in root.iter("{*}PrivilegeGroup"):
            scope = group.get("Scope", "")
            if scope.lower().startswith("urn:dk:gov:saml:cvrnumberidentifier:"):
                cvrs.append(scope.rsplit(":", 1)[1])
            found += [(p.text or "").strip() for p in group.iter("{*}Privilege") if (p.text or "").strip()]
    return found, cvrs


def assignment(provider: str, claims: dict[str, Any]) -> Assignment:
    """The role the claims give, or SSORefused saying what is missing."""
    rules = mapping(provider)
    role_claims = values(claims, rules["role"])
    municipality_claims = values(claims, rules["municipality"])
    if rules.get("privileges"):
        role_claims, scopes = privileges(role_claims)
        municipality_claims += scopes

    best: tuple[int, str, str] | None = None  # (rank, kind, department code)
    for value in role_claims:
        mapped = rules["role_values"].get(value)
        if not mapped:
            continue
        kind, _sep, department_code = str(mapped).partition(":")
        if kind not in Role.Kind.values:
            logger.warning("role_values maps %r to the unknown role %r; ignored", value, kind)
            continue
        if best is None or RANK.index(Role.Kind(kind)) > best[0]:
            best = (RANK.index(Role.Kind(kind)), kind, department_code)
    if best is None and rules.get("role_default") in Role.Kind.values:
        best = (0, str(rules["role_default"]), "")
    if best is None:
        raise SSORefused(_("Your sign-in gave no role in Udsyn (the values of the claim “{claim}” were: {values}).")
                         .format(claim=rules["role"], values=", ".join(role_claims) or _("none")))
    _rank, kind, department_code = best

    municipality = None
    for value in municipality_claims:
        code = rules["municipality_values"].get(value, value)
        municipality = Municipality.objects.filter(code=code).first()
        if municipality:
            break
    if municipality is None and rules.get("municipality_default"):
        municipality = Municipality.objects.filter(code=rules["municipality_default"]).first()
    if municipality is None and kind != Role.Kind.ADMINISTRATOR:
        raise SSORefused(_("Your sign-in named no municipality that Udsyn knows (the values of the claim "
                           "“{claim}” were: {values}).").format(
                               claim=rules["municipality"] or "-", values=", ".join(municipality_claims) or _("none")))

    department = None
    codes = [department_code] if department_code else [
        rules["department_values"].get(v, v) for v in values(claims, rules["department"])]
    if municipality is not None:
        department = Department.objects.filter(municipality=municipality, code__in=codes).first()
    if kind == Role.Kind.EDITOR and department is None:
        raise SSORefused(_("Your sign-in makes you a department editor, but names no department of {municipality} "
                           "that Udsyn knows (given: {values}).").format(
                               municipality=municipality, values=", ".join(codes) or _("none")))
    return Assignment(kind, municipality, department)


def do_sso_role(user: Any, given: Assignment, provider: str) -> Role:
    """Give the user the role their sign-in gave them. A change is kept in the role's history with the reason
    "From single sign-on (<provider>)". No permission is checked: the identity provider vouches for the claims,
    and the installation's settings (the mapping) say what they mean."""
    with transaction.atomic():
        role = Role.objects.select_for_update().filter(user=user).first()
        if role is not None and not mapping(provider).get("update_roles", True):
            return role
        wanted = (given.kind, given.municipality.pk if given.municipality else None,
                  given.department.pk if given.department else None)
        if role is not None and (role.kind, role.municipality_id, role.department_id) == wanted:
            return role
        role = role or Role(user=user)
        role.kind, role.municipality, role.department = given.kind, given.municipality, given.department
        role._change_reason = _("From single sign-on ({provider})").format(  # type: ignore[attr-defined]
            provider=label(provider))
        role._history_user = user  # type: ignore[attr-defined]
        role.save()
    return role


def sso_login_hook(request: HttpRequest | None, user: Any, provider: str, claims: dict[str, Any]) -> bool:
    """Called at every single sign-on, after the user is saved and before the claims are mapped (all in one
    transaction, undone if the sign-in is refused): an invitation opened in this browser (kept in the
    session), or else an open invitation for the user's e-mail address, is accepted for ``user``. True when
    it gave the user a role: the invitation's role then stands, whatever the claims say."""
    from udsyn.organisation import accounts

    return accounts.accept_session_invitation(request, user) is not None


def sign_in(request: HttpRequest | None, provider: str, claims: dict[str, Any]) -> Any:
    """The user the claims name, created at their first sign-in, with the role the claims give.
    Raises SSORefused when they give none."""
    rules = mapping(provider)
    usernames = values(claims, rules["username"])
    if not usernames:
        raise SSORefused(_("Your sign-in did not say who you are (the claim “{claim}” is missing).").format(
            claim=rules["username"]))
    username = usernames[0][:150]
    User = get_user_model()
    with transaction.atomic():  # a refusal undoes the user created for it
        user = User._default_manager.filter(username__iexact=username).first()
        created = user is None
        if user is None:
            user = User(username=username)
            user.set_unusable_password()
        elif not user.is_active:
            raise SSORefused(_("Your Udsyn account has been deactivated."))
        for field in ("email", "first_name", "last_name"):
            found = values(claims, rules.get(field))
            if found:
                setattr(user, field, found[0][:150])
        user.save()
        if sso_login_hook(request, user, provider, claims):
            return user  # invited: the coordinator's choice of role stands
        try:
            given = assignment(provider, claims)
        except SSORefused:
            kept = not created and not rules.get("update_roles", True) and Role.objects.filter(user=user).exists()
            if kept:
                return user
            raise
        do_sso_role(user, given, provider)
    return user


def refuse(request: HttpRequest | None, reason: str) -> None:
    logger.warning("Single sign-on refused: %s", reason)
    if request is not None and hasattr(request, "session"):
        request.session[REFUSED_KEY] = reason


def refused(request: HttpRequest, exception: Any = None, status: int = 403, **kwargs: Any) -> HttpResponse:
    """The page of a refused sign-in: why, and what to do (SAML's failure page; OIDC redirects here)."""
    reason = request.session.pop(REFUSED_KEY, None) if hasattr(request, "session") else None
    if reason is None and exception is not None and not isinstance(exception, PermissionDenied):
        reason = _("The identity provider's answer could not be accepted.")
    return render(request, "registration/sso_refused.html", {"reason": reason}, status=status)


def refused_view(request: HttpRequest) -> HttpResponse:
    return refused(request)


# ---- OIDC (mozilla-django-oidc) ----

_discovered: dict[str, dict[str, Any]] = {}
_discovery_lock = threading.Lock()


def discovery(issuer: str) -> dict[str, Any]:
    """The provider's ``/.well-known/openid-configuration``, fetched once per process."""
    with _discovery_lock:
        if issuer not in _discovered:
            answer = requests.get(issuer.rstrip("/") + "/.well-known/openid-configuration", timeout=10)
            answer.raise_for_status()
            _discovered[issuer] = answer.json()
        return _discovered[issuer]


def oidc_setting(attr: str, *default: Any) -> Any:
    """mozilla-django-oidc's settings, from ``UDSYN_OIDC`` (endpoints from the issuer's discovery document
    unless given)."""
    conf = provider_settings(OIDC)
    if conf is None:
        raise Http404("OIDC is not configured")
    endpoint = {"OIDC_OP_AUTHORIZATION_ENDPOINT": "authorization_endpoint", "OIDC_OP_TOKEN_ENDPOINT": "token_endpoint",
                "OIDC_OP_USER_ENDPOINT": "userinfo_endpoint", "OIDC_OP_JWKS_ENDPOINT": "jwks_uri"}.get(attr)
    if endpoint:
        return conf.get(endpoint) or discovery(conf["issuer"])[endpoint]
    fixed = {
        "OIDC_RP_CLIENT_ID": conf.get("client_id"), "OIDC_RP_CLIENT_SECRET": conf.get("client_secret"),
        "OIDC_RP_SIGN_ALGO": conf.get("sign_algo", "RS256"),
        "OIDC_RP_SCOPES": conf.get("scopes", "openid email profile"),
        "OIDC_USE_PKCE": conf.get("pkce", True), "OIDC_TIMEOUT": 15,
        "OIDC_AUTH_REQUEST_EXTRA_PARAMS": conf.get("extra_params", {}),
        "LOGIN_REDIRECT_URL_FAILURE": reverse("sso_refused"),
    }
    if attr in fixed:
        return fixed[attr]
    return import_from_settings(attr, *default)


class OIDCBackend(OIDCAuthenticationBackend):
    """Signs in from an OIDC provider's answer (the callback); idle when OIDC is not configured."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self.UserModel = get_user_model()  # the provider's settings are read when a sign-in comes

    @staticmethod
    def get_settings(attr: str, *args: Any) -> Any:
        return oidc_setting(attr, *args)

    def authenticate(self, request: Any, **kwargs: Any) -> Any:
        if provider_settings(OIDC) is None or request is None or "nonce" not in kwargs:
            return None
        super().__init__()
        return super().authenticate(request, **kwargs)

    def get_or_create_user(self, access_token: str, id_token: str, payload: dict[str, Any]) -> Any:
        # Entra ID puts roles and groups in the ID token and few claims in userinfo: both are read.
        claims = {**payload, **self.get_userinfo(access_token, id_token, payload)}
        try:
            return sign_in(self.request, OIDC, claims)
        except SSORefused as refusal:
            refuse(self.request, str(refusal))
            return None

    def get_user(self, user_id: Any) -> Any:
        return RoleBackend().get_user(user_id)


class OIDCLoginView(OIDCAuthenticationRequestView):
    get_settings = staticmethod(oidc_setting)


class OIDCCallbackView(OIDCAuthenticationCallbackView):
    get_settings = staticmethod(oidc_setting)


# ---- SAML 2.0 (djangosaml2, pysaml2) ----

_saml_configs: dict[str, tuple[float, Any]] = {}


def saml_config_loader(request: HttpRequest | None = None) -> Any:
    """pysaml2's service-provider configuration, made from ``UDSYN_SAML`` (djangosaml2's SAML_CONFIG_LOADER).
    It is kept for ``metadata_seconds`` (an hour), so the IdP's metadata is not fetched at every request."""
    conf = provider_settings(SAML)
    if conf is None:
        raise Http404("SAML is not configured")
    key = json.dumps(conf, sort_keys=True, default=str)
    with _discovery_lock:
        kept = _saml_configs.get(key)
        if kept is None or time.monotonic() - kept[0] > conf.get("metadata_seconds", 3600):
            kept = _saml_configs[key] = (time.monotonic(), _saml_config(conf))
    return kept[1]


def _saml_config(conf: dict[str, Any]) -> Any:
    import saml2
    from saml2.config import SPConfig
    from saml2.saml import NAME_FORMAT_URI, NAMEID_FORMAT_PERSISTENT

    base = conf.get("base_url", getattr(settings, "UDSYN_BASE_URL", "")).rstrip("/")
    metadata = conf["metadata"]
    key_file, cert_file = conf.get("key_file"), conf.get("cert_file")
    sp = {
        "name": "Udsyn",
        "endpoints": {
            "assertion_consumer_service": [(base + reverse("saml2_acs"), saml2.BINDING_HTTP_POST)],
            "single_logout_service": [(base + reverse("saml2_ls"), saml2.BINDING_HTTP_REDIRECT),
                                      (base + reverse("saml2_ls_post"), saml2.BINDING_HTTP_POST)],
        },
        "name_id_format": conf.get("name_id_format", NAMEID_FORMAT_PERSISTENT),
        "allow_unsolicited": False,
        "authn_requests_signed": bool(key_file),
        "logout_requests_signed": bool(key_file),
        "want_assertions_signed": True,
        "want_response_signed": conf.get("want_response_signed", False),
        "signing_algorithm": saml2.xmldsig.SIG_RSA_SHA256,
        "digest_algorithm": saml2.xmldsig.DIGEST_SHA256,
    }
    # The metadata asks for the attributes the mapping reads (Context Handler's "attribute consuming service").
    rules = {**MAPPING_DEFAULTS[SAML], **(conf.get("mapping") or {})}
    wanted = [rules[k] for k in ("username", "email", "first_name", "last_name", "municipality", "department", "role")]
    sp["optional_attributes"] = list(dict.fromkeys(a for a in wanted if a and a != "name_id"))
    sp["requested_attribute_name_format"] = NAME_FORMAT_URI
    loaded = SPConfig()
    loaded.load({
        "entityid": conf.get("entity_id") or base + reverse("saml2_metadata"),
        "name": "Udsyn",
        "xmlsec_binary": shutil.which("xmlsec1") or "/usr/bin/xmlsec1",
        "allow_unknown_attributes": True,
        "service": {"sp": sp},
        "metadata": ({"remote": [{"url": metadata}]} if metadata.startswith(("http://", "https://"))
                     else {"local": [metadata]}),
        **({"key_file": key_file, "cert_file": cert_file,
            "encryption_keypairs": [{"key_file": key_file, "cert_file": cert_file}]} if key_file else {}),
    })
    return loaded


class SAMLBackend(Saml2Backend):
    """Signs in from a SAML assertion that djangosaml2 has checked; the mapping is ``UDSYN_SAML``'s."""

    def authenticate(self, request: Any, session_info: Any = None, attribute_mapping: Any = None,
                     create_unknown_user: bool = True, assertion_info: Any = None, **kwargs: Any) -> Any:
        if provider_settings(SAML) is None or not session_info or "ava" not in session_info:
            return None
        claims = dict(session_info["ava"])
        name_id = session_info.get("name_id")
        if name_id is not None:
            claims.setdefault("name_id", [name_id.text])
        try:
            user = sign_in(request, SAML, claims)
        except SSORefused as refusal:
            refuse(request, str(refusal))
            return None
        return user if self.user_can_authenticate(user) else None

    def get_user(self, user_id: Any) -> Any:
        return RoleBackend().get_user(user_id)


def saml_only(view: Any) -> Any:
    """A djangosaml2 view that answers 404 while SAML is not configured."""
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if provider_settings(SAML) is None:
            raise Http404("SAML is not configured")
        response: HttpResponse = view(request, *args, **kwargs)
        return response
    wrapped.csrf_exempt = getattr(view, "csrf_exempt", False)  # type: ignore[attr-defined]
    return wrapped


def oidc_only(view: Any) -> Any:
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if provider_settings(OIDC) is None:
            raise Http404("OIDC is not configured")
        response: HttpResponse = view(request, *args, **kwargs)
        return response
    return wrapped
