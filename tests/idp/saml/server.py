"""A TEST-ONLY SAML 2.0 identity provider (pysaml2's IdP) for tests/test_sso.py: it runs on loopback, asks for a
username and password, and answers the service provider with a signed assertion carrying OIOSAML attributes.

    python tests/idp/saml/server.py CONFIG.json

CONFIG.json: {"port": 18xxx, "host": "localhost", "key_file": "...", "cert_file": "...",
"sp_metadata": "path of the SP's metadata",
"accounts": {"username": {"password": "...", "attributes": {"name": ["value", ...]}}}}.

The key and certificate are made by the tests with openssl for one run. The SP's metadata file is read at
the first sign-in (the tests write it after the IdP has started, from the SP's own metadata page). It prints
"listening on <url>" when it answers. Never use it, its keys or its accounts outside the tests.
"""

import html
import json
import shutil
import sys
import uuid
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

import saml2
from saml2.config import IdPConfig
from saml2.metadata import entity_descriptor
from saml2.saml import AUTHN_PASSWORD_PROTECTED, NAME_FORMAT_URI
from saml2.server import Server

CONFIG = json.loads(Path(sys.argv[1]).read_text(encoding="utf-8"))
# It listens on 127.0.0.1; its addresses name `host` (the tests give the live server's, so both are one site).
BASE = "http://{}:{}".format(CONFIG.get("host", "127.0.0.1"), CONFIG["port"])
ACCOUNTS: dict[str, dict[str, Any]] = CONFIG["accounts"]
PENDING: dict[str, tuple[str, str]] = {}  # a login form's key -> (the SAMLRequest, its RelayState)


def idp_config(with_sp: bool) -> IdPConfig:
    conf = IdPConfig()
    conf.load({
        "entityid": BASE + "/metadata",
        "xmlsec_binary": shutil.which("xmlsec1"),
        "key_file": CONFIG["key_file"],
        "cert_file": CONFIG["cert_file"],
        "metadata": {"local": [CONFIG["sp_metadata"]]} if with_sp else {},
        "service": {"idp": {
            "name": "Udsyn test IdP",
            "endpoints": {"single_sign_on_service": [(BASE + "/sso/redirect", saml2.BINDING_HTTP_REDIRECT),
                                                     (BASE + "/sso/post", saml2.BINDING_HTTP_POST)]},
            "name_id_format": [saml2.saml.NAMEID_FORMAT_PERSISTENT, saml2.saml.NAMEID_FORMAT_UNSPECIFIED],
            "policy": {"default": {"lifetime": {"minutes": 5}, "attribute_restrictions": None,
                                   "name_form": NAME_FORMAT_URI}},
            "sign_response": True,
            "sign_assertion": True,
        }},
    })
    return conf


_server: Server | None = None


def server() -> Server:
    global _server
    if _server is None:  # the SP's metadata exists by the first sign-in
        _server = Server(config=idp_config(with_sp=True))
    return _server


def page(body: str) -> bytes:
    return ("<!doctype html><html lang='en'><head><meta charset='utf-8'><title>Test identity provider</title>"
            f"</head><body><main><h1>Test identity provider (SAML)</h1>{body}</main></body></html>").encode()


def login_form(key: str, error: str = "") -> bytes:
    alert = f"<p role='alert'>{html.escape(error)}</p>" if error else ""
    return page(alert + "<form method='post' action='/login'>"
                f"<input type='hidden' name='key' value='{html.escape(key)}'>"
                "<label for='username'>Username</label> <input id='username' name='username'>"
                "<label for='password'>Password</label> <input id='password' name='password' type='password'>"
                "<button type='submit'>Sign in</button></form>")


def app(environ: dict[str, Any], start_response: Any) -> list[bytes]:
    path = environ["PATH_INFO"]
    if environ["REQUEST_METHOD"] == "POST":
        size = int(environ.get("CONTENT_LENGTH") or 0)
        form = {k: v[0] for k, v in parse_qs(environ["wsgi.input"].read(size).decode()).items()}
    else:
        form = {k: v[0] for k, v in parse_qs(environ.get("QUERY_STRING", "")).items()}
    html_type = [("Content-Type", "text/html; charset=utf-8")]
    if path == "/metadata":
        start_response("200 OK", [("Content-Type", "text/xml")])
        return [str(entity_descriptor(idp_config(with_sp=False))).encode()]
    if path in ("/sso/redirect", "/sso/post") and "SAMLRequest" in form:
        binding = saml2.BINDING_HTTP_REDIRECT if path.endswith("redirect") else saml2.BINDING_HTTP_POST
        server().parse_authn_request(form["SAMLRequest"], binding)  # refuses what it cannot read
        key = uuid.uuid4().hex
        PENDING[key] = (form["SAMLRequest"] + "|" + binding, form.get("RelayState", ""))
        start_response("200 OK", html_type)
        return [login_form(key)]
    if path == "/login" and form.get("key") in PENDING:
        account = ACCOUNTS.get(form.get("username", ""))
        if account is None or account["password"] != form.get("password"):
            start_response("200 OK", html_type)
            return [login_form(form["key"], "Wrong username or password.")]
        request_and_binding, relay_state = PENDING.pop(form["key"])
        saml_request, binding = request_and_binding.rsplit("|", 1)
        idp = server()
        request = idp.parse_authn_request(saml_request, binding).message
        args = idp.response_args(request, [saml2.BINDING_HTTP_POST])
        response = idp.create_authn_response(
            account["attributes"], userid=form["username"],
            authn={"class_ref": AUTHN_PASSWORD_PROTECTED, "authn_auth": BASE},
            sign_response=True, sign_assertion=True, **args)
        http_args = idp.apply_binding(args["binding"], str(response), args["destination"], relay_state,
                                      response=True)
        start_response("200 OK", html_type)
        return [http_args["data"].encode() if isinstance(http_args["data"], str) else http_args["data"]]
    start_response("404 Not Found", html_type)
    return [page("<p>Not found.</p>")]


class QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


if __name__ == "__main__":
    httpd: WSGIServer = make_server("127.0.0.1", CONFIG["port"], app, handler_class=QuietHandler)
    print(f"listening on {BASE}", flush=True)
    httpd.serve_forever()
