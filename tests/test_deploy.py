"""The operations guide's files work: systemd units pass systemd-analyze, and the nginx site proxies a real Udsyn.

docs/operations.md installs deploy/systemd/*.service|timer and deploy/nginx/udsyn.conf on a Debian server.
Here the units are checked by systemd's own verifier (with the checkout standing in for /srv/udsyn), and
nginx, started with the site as shipped (TLS with a certificate made for the test, ports moved to free ones),
proxies gunicorn running Udsyn with production settings: a coordinator signs in over HTTPS through it.
"""

import http.client
import json
import os
import re
import secrets
import shutil
import ssl
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from django.contrib.auth.models import User

from tests.servers import answers, csrf_token, database_url, free_port, production_password

ROOT = Path(__file__).resolve().parent.parent
DEPLOY = ROOT / "deploy"


def _need(tool: str) -> str:
    found = shutil.which(tool) or shutil.which(tool, path="/usr/sbin:/sbin")
    if found is None:
        pytest.fail(f"{tool} is missing: scripts/setup-system.sh installs it")
    return found


def test_the_systemd_units_pass_systemd_analyze(tmp_path: Path) -> None:
    units = sorted(DEPLOY.glob("systemd/*.service")) + sorted(DEPLOY.glob("systemd/*.timer"))
    assert {u.name for u in units} >= {"udsyn-web.service", "udsyn-worker@.service", "udsyn-backup.service",
                                       "udsyn-backup.timer"}
    for unit in units:  # a template is verified as one of its instances
        (tmp_path / unit.name.replace("@.", "@1.")).write_text(unit.read_text().replace("/srv/udsyn", str(ROOT)))
    result = subprocess.run([_need("systemd-analyze"), "verify", *[u.name.replace("@.", "@1.") for u in units]],
                            cwd=tmp_path,
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    broken = tmp_path / "udsyn-web.service"
    broken.write_text(broken.read_text().replace(".venv/bin/gunicorn", ".venv/bin/no-such-gunicorn"))
    refused = subprocess.run([_need("systemd-analyze"), "verify", broken.name], cwd=tmp_path,
                             capture_output=True, text=True)
    assert refused.returncode != 0 and "no-such-gunicorn" in refused.stderr  # the check can fail


def test_each_unit_runs_a_command_udsyn_has() -> None:
    worker = (DEPLOY / "systemd" / "udsyn-worker@.service").read_text()
    backup = (DEPLOY / "systemd" / "udsyn-backup.service").read_text()
    commands = subprocess.run([str(ROOT / ".venv" / "bin" / "udsyn"), "help", "--commands"],
                              capture_output=True, text=True, check=True).stdout.split()
    for text in (worker, backup):
        command = re.search(r"bin/udsyn (\w+)", text)
        assert command and command.group(1) in commands, command


def _documented_environment(tmp_path: Path, **changes: str) -> dict[str, str]:
    """The settings of deploy/udsyn.env.example (docs/operations.md, "Settings"), with what the guide says to
    make for each installation made here: a generated SECRET_KEY, and a database and data folder of the test's."""
    env = {key: value for key, value in os.environ.items()
           if not key.startswith(("UDSYN_", "DJANGO_")) and key not in ("DEBUG", "SECRET_KEY", "DATABASE_URL")}
    for line in (DEPLOY / "udsyn.env.example").read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            key, value = line.split("=", 1)
            env[key] = value
    env.update(SECRET_KEY=secrets.token_urlsafe(50), DATABASE_URL=f"sqlite:///{tmp_path / 'udsyn.sqlite3'}",
               UDSYN_DATA_DIR=str(tmp_path / "data"), **changes)
    return env


def _udsyn(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "udsyn", *args], cwd=ROOT, env=env, capture_output=True, text=True)


def test_check_deploy_is_clean_with_the_documented_production_settings(tmp_path: Path) -> None:
    checked = _udsyn(_documented_environment(tmp_path), "check", "--deploy", "--fail-level", "WARNING")
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "no issues (0 silenced)" in checked.stdout + checked.stderr
    # and the check is not blind: switching HTTPS redirection off is reported
    unsafe = _udsyn(_documented_environment(tmp_path, UDSYN_SSL_REDIRECT="0"), "check", "--deploy",
                    "--fail-level", "WARNING")
    assert unsafe.returncode != 0 and "security.W008" in unsafe.stdout + unsafe.stderr


SHOW_SETTINGS = ("from django.conf import settings; import json; print(json.dumps([settings.SECURE_HSTS_SECONDS, "
                 "settings.SECURE_HSTS_INCLUDE_SUBDOMAINS, settings.SECURE_HSTS_PRELOAD, settings.SECURE_SSL_REDIRECT, "
                 "settings.SESSION_COOKIE_SECURE, settings.CSRF_COOKIE_SECURE, "
                 "getattr(settings, 'SECURE_PROXY_SSL_HEADER', None)]))")


def test_production_switches_https_on_and_each_setting_can_be_changed(tmp_path: Path) -> None:
    def shown(env: dict[str, str]) -> list[Any]:
        done = _udsyn(env, "shell", "-c", SHOW_SETTINGS)
        assert done.returncode == 0, done.stderr
        return list(json.loads(done.stdout.strip().splitlines()[-1]))

    assert shown(_documented_environment(tmp_path)) == [31536000, True, True, True, True, True, None]
    changed = _documented_environment(tmp_path, UDSYN_HSTS_SECONDS="3600", UDSYN_HSTS_INCLUDE_SUBDOMAINS="0",
                                      UDSYN_HSTS_PRELOAD="0", UDSYN_SSL_REDIRECT="0", UDSYN_SECURE_COOKIES="0",
                                      UDSYN_PROXY_SSL_HEADER="X-Forwarded-Proto")
    assert shown(changed) == [3600, False, False, False, False, False, ["HTTP_X_FORWARDED_PROTO", "https"]]
    development = {key: value for key, value in _documented_environment(tmp_path).items()
                   if key not in ("UDSYN_PRODUCTION",)}
    assert shown(development) == [0, False, False, False, False, False, None]


def _site(port: int, tls_port: int, upstream: int, certificate: Path, key: Path) -> str:
    """The shipped site, with the test's ports and certificate."""
    site = (DEPLOY / "nginx" / "udsyn.conf").read_text()
    site = site.replace("listen 80;", f"listen 127.0.0.1:{port};").replace("listen [::]:80;", "")
    site = site.replace("listen 443 ssl http2;", f"listen 127.0.0.1:{tls_port} ssl http2;")
    site = site.replace("listen [::]:443 ssl http2;", "")
    site = site.replace("server 127.0.0.1:8000;", f"server 127.0.0.1:{upstream};")
    site = site.replace("/etc/ssl/certs/udsyn.example.dk.pem", str(certificate))
    site = site.replace("/etc/ssl/private/udsyn.example.dk.key", str(key))
    return site.replace("udsyn.example.dk", "localhost")


def _main_conf(prefix: Path, site: Path) -> str:
    return f"""
pid {prefix}/nginx.pid;
error_log {prefix}/error.log;
worker_processes 1;
events {{ worker_connections 64; }}
http {{
    include /etc/nginx/mime.types;
    access_log {prefix}/access.log;
    client_body_temp_path {prefix}/body;
    proxy_temp_path {prefix}/proxy;
    fastcgi_temp_path {prefix}/fastcgi;
    uwsgi_temp_path {prefix}/uwsgi;
    scgi_temp_path {prefix}/scgi;
    include {site};
}}
"""


def _wait(port: int, process: subprocess.Popen[Any], what: str) -> None:
    for _ in range(300):
        if process.poll() is not None:
            raise AssertionError(f"{what} stopped: {process.stdout.read() if process.stdout else ''}")
        if answers(port):
            return
        time.sleep(0.1)
    raise AssertionError(f"{what} did not answer on port {port}")


@pytest.fixture
def proxied(tmp_path: Path, transactional_db: None) -> Iterator[dict[str, Any]]:
    """nginx with the shipped site in front of gunicorn running Udsyn with production settings."""
    certificate, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj",
                    "/CN=localhost", "-keyout", str(key), "-out", str(certificate)], check=True,
                   capture_output=True)
    port, tls_port, upstream = free_port(), free_port(), free_port()
    site = tmp_path / "udsyn.conf"
    site.write_text(_site(port, tls_port, upstream, certificate, key))
    conf = tmp_path / "nginx.conf"
    conf.write_text(_main_conf(tmp_path, site))
    nginx = _need("nginx")
    checked = subprocess.run([nginx, "-t", "-c", str(conf), "-p", str(tmp_path)], capture_output=True, text=True)
    assert checked.returncode == 0, checked.stderr
    env = {**os.environ, "UDSYN_PRODUCTION": "1", "SECRET_KEY": "a-test-only-secret-key-" + "x" * 40,
           "ALLOWED_HOSTS": "localhost", "UDSYN_BASE_URL": f"https://localhost:{tls_port}",
           "DATABASE_URL": database_url(), "UDSYN_DATA_DIR": str(tmp_path / "data"), "DEBUG": "0",
           "UDSYN_TRUSTED_PROXIES": "127.0.0.1"}  # as deploy/udsyn.env.example
    gunicorn = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "udsyn.wsgi:application", "--bind", f"127.0.0.1:{upstream}",
         "--workers", "1", "--no-control-socket"], cwd=ROOT, env=env, stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT, text=True)
    proxy = subprocess.Popen([nginx, "-c", str(conf), "-p", str(tmp_path), "-g", "daemon off;"],
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        _wait(upstream, gunicorn, "gunicorn")
        _wait(tls_port, proxy, "nginx")
        yield {"https": f"https://localhost:{tls_port}", "http": f"http://localhost:{port}", "tls_port": tls_port}
    finally:
        for process in (proxy, gunicorn):
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()


def test_nginx_config_is_refused_when_broken(tmp_path: Path) -> None:
    site = tmp_path / "udsyn.conf"
    site.write_text((DEPLOY / "nginx" / "udsyn.conf").read_text().replace("proxy_pass http://udsyn;",
                                                                         "proxy_pass http://udsyn"))
    conf = tmp_path / "nginx.conf"
    conf.write_text(_main_conf(tmp_path, site))
    checked = subprocess.run([_need("nginx"), "-t", "-c", str(conf), "-p", str(tmp_path)], capture_output=True,
                             text=True)
    assert checked.returncode != 0  # the check the guide relies on can fail


def test_a_coordinator_signs_in_over_https_through_the_proxy(proxied: dict[str, Any], coordinator: User) -> None:
    site = proxied["https"]
    production_password(coordinator, "a long passphrase for the test")
    plain = requests.get(f"{proxied['http']}/login/", timeout=10, allow_redirects=False)
    assert plain.status_code == 301 and plain.headers["Location"].startswith("https://localhost")
    session = requests.Session()
    session.trust_env = False  # an environment's CA bundle would override verify=False
    session.verify = False  # the test's own certificate
    login = session.get(f"{site}/login/", timeout=10)
    assert login.status_code == 200
    # Udsyn's production settings: HSTS (once: nginx leaves it to the application), secure cookies, a strict CSP.
    assert login.raw.headers.getlist("Strict-Transport-Security") == ["max-age=31536000; includeSubDomains; preload"]
    assert "default-src 'self'" in login.headers["Content-Security-Policy"]
    assert all(cookie.secure for cookie in session.cookies) and "csrftoken" in session.cookies
    # As a browser posts it: with its origin, which Django checks against the scheme and host it was reached by.
    signed_in = session.post(f"{site}/login/", data={
        "csrfmiddlewaretoken": csrf_token(login.text), "username": coordinator.username,
        "password": "a long passphrase for the test"}, headers={"Origin": site, "Referer": f"{site}/login/"},
        timeout=10)
    assert signed_in.status_code == 200, signed_in.text[:500]
    assert signed_in.url == f"{site}/", signed_in.url  # the start page, not the login page again
    assert "/logout/" in signed_in.text
    assert "sessionid" in session.cookies and all(cookie.secure for cookie in session.cookies)
    static = session.get(f"{site}/static/vendor/dkfds/css/dkfds.min.css", timeout=10)
    assert static.status_code == 200 and "text/css" in static.headers["Content-Type"]


def test_the_proxy_refuses_a_body_larger_than_any_upload(proxied: dict[str, Any]) -> None:
    context = ssl.create_default_context()
    context.check_hostname, context.verify_mode = False, ssl.CERT_NONE
    request = http.client.HTTPSConnection("localhost", proxied["tls_port"], context=context, timeout=10)
    request.putrequest("POST", "/import/")
    request.putheader("Content-Length", str(60 * 1024 * 1024))
    request.endheaders()
    assert request.getresponse().status == 413  # before a byte of the body is read
    request.close()


def test_through_the_proxy_a_client_cannot_choose_its_own_address(proxied: dict[str, Any],
                                                                   copenhagen: Any, departments: Any) -> None:
    """nginx replaces the X-Forwarded-For a client sends, so writing another address into it does not give a
    sender a fresh hourly budget on the inquiry form."""
    site = proxied["https"]
    session = requests.Session()
    session.trust_env = False
    session.verify = False
    codes = []
    for n in range(6):
        form = session.get(f"{site}/en/inquiries/new/?municipality=0101", timeout=60)
        codes.append(session.post(f"{site}/en/inquiries/new/", data={
            "csrfmiddlewaretoken": csrf_token(form.text), "municipality": copenhagen.pk, "kind": "idea",
            "organisation_kind": "citizen", "country": "NL", "contact_name": "Anna", "language": "en",
            "contact_email": f"anna{n}@example.org", "message": "An idea", "website": ""},
            headers={"Origin": site, "Referer": f"{site}/en/inquiries/new/", "X-Forwarded-For": f"203.0.113.{n}"},
            timeout=60, allow_redirects=False).status_code)
    assert codes == [302] * 5 + [429], codes
