"""Locust users for the load test: staff reading (70 %), the public (20 %) and a coordinator writing (10 %).

    .venv/bin/python benchmarks/load.py --database-url postgres://...     # the usual way: gunicorn + locust
    .venv/bin/locust -f benchmarks/locustfile.py --headless -u 50 -r 10 --run-time 5m \
        --host http://127.0.0.1:8000                                       # against a server already running

Runs in locust's own process (gevent): it must not import Django or anything from udsyn.

The server's database needs a registry and the demo users (``udsyn create_demo_users``). Before the users
start, record ids are picked from the API (engagements, departments, municipalities) and the public
index, so the test fits any database, three seeded municipalities or the whole country. The writing
user changes real records (an engagement's description, alternately adding and removing a marker, through
the edit form and the API; internal notes on inquiries): run it against a copy, never production.

Environment (all optional):

- ``LOAD_STAFF``: the reading staff's logins, ``user:password`` separated by commas; each simulated user
  takes one in turn (default ``koordinator:koordinator,laeser:laeser``).
- ``LOAD_WRITER``: the writing coordinator's login (default ``koordinator:koordinator``).
- ``LOAD_MUNICIPALITY``: code of the municipality the writer coordinates (default ``0101``, as in the demo).
"""

from __future__ import annotations

import csv
import itertools
import os
import random
import re
import time
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any

import requests
from locust import HttpUser, between, events, task
from locust.env import Environment
from locust.stats import PERCENTILES_TO_REPORT, StatsCSV

MARKER = " [load test]"
# Engagements sampled for reading: this many pages of the API's list, of this size, chosen at random.
SAMPLE_PAGES = 3
SAMPLE_PAGE_SIZE = 200
FIXED_SEARCHES = ["kobenhavn", "eurocities", "partnerskab", "klima", "horizon"]


def _login(value: str) -> tuple[str, str]:
    user, _sep, password = value.partition(":")
    return user.strip(), (password or user).strip()


STAFF = [_login(v) for v in os.environ.get("LOAD_STAFF", "koordinator:koordinator,laeser:laeser").split(",") if v]
WRITER = _login(os.environ.get("LOAD_WRITER", "koordinator:koordinator"))
WRITER_MUNICIPALITY = os.environ.get("LOAD_MUNICIPALITY", "0101")
_staff_turn = itertools.cycle(STAFF)


@dataclass
class Pool:
    """Record ids to visit, picked once before the users start."""

    engagements: list[int] = field(default_factory=list)
    writable: list[int] = field(default_factory=list)  # engagements of the writer's municipality
    departments: list[int] = field(default_factory=list)
    municipalities: list[int] = field(default_factory=list)  # those with a registry (departments)
    public_codes: list[str] = field(default_factory=list)
    searches: list[str] = field(default_factory=list)
    api_pages: int = 1  # pages of the API's engagement list (50 a page) a signed-in user sees


POOL = Pool()
_environment: list[Environment] = []  # the test's environment, for the final statistics
_started: list[float] = []  # when the users started (time.time())
# Every request: seconds since the start when it ended, method, name, response time in ms, failed.
_timeline: list[tuple[float, str, str, float, bool]] = []


# Forms ------------------------------------------------------------------------------------------------

class FormParser(HTMLParser):
    """The forms of a page with the values a browser would send: inputs, checked boxes, selected options,
    textareas. ``forms`` holds (attributes of the form, [(name, value), …])."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[tuple[dict[str, str], list[tuple[str, str]]]] = []
        self._fields: list[tuple[str, str]] | None = None
        self._select: tuple[str, bool, list[tuple[str, bool]]] | None = None  # name, multiple, options
        self._option: list[str] | None = None  # [value or None marker, text]
        self._option_attrs: dict[str, str] = {}
        self._textarea: tuple[str, list[str]] | None = None

    def handle_starttag(self, tag: str, attr_list: list[tuple[str, str | None]]) -> None:
        attrs = {k: v if v is not None else "" for k, v in attr_list}
        if tag == "form":
            self._fields = []
            self.forms.append((attrs, self._fields))
            return
        if self._fields is None or "disabled" in attrs:
            return
        name = attrs.get("name", "")
        if tag == "input" and name:
            kind = attrs.get("type", "text").lower()
            if kind in ("checkbox", "radio"):
                if "checked" in attrs:
                    self._fields.append((name, attrs.get("value", "on")))
            elif kind not in ("submit", "button", "reset", "image", "file"):
                self._fields.append((name, attrs.get("value", "")))
        elif tag == "select" and name:
            self._select = (name, "multiple" in attrs, [])
        elif tag == "option" and self._select is not None:
            self._option_attrs = attrs
            self._option = []
        elif tag == "textarea" and name:
            self._textarea = (name, [])

    def handle_data(self, data: str) -> None:
        if self._textarea is not None:
            self._textarea[1].append(data)
        elif self._option is not None:
            self._option.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "option" and self._select is not None and self._option is not None:
            value = self._option_attrs.get("value", "".join(self._option).strip())
            self._select[2].append((value, "selected" in self._option_attrs))
            self._option = None
        elif tag == "select" and self._select is not None and self._fields is not None:
            name, multiple, options = self._select
            chosen = [value for value, selected in options if selected]
            if not chosen and not multiple and options:
                chosen = [options[0][0]]
            self._fields.extend((name, value) for value in chosen)
            self._select = None
        elif tag == "textarea" and self._textarea is not None and self._fields is not None:
            name, parts = self._textarea
            text = "".join(parts)
            # A newline right after <textarea> is not part of the value (HTML); Django writes one.
            self._fields.append((name, text[1:] if text.startswith("\n") else text))
            self._textarea = None
        elif tag == "form":
            self._fields = None


def page_form(html: str, must_have: str) -> list[tuple[str, str]] | None:
    """The fields of the page's first POST form that has a field named ``must_have``."""
    parser = FormParser()
    parser.feed(html)
    for attrs, fields in parser.forms:
        if attrs.get("method", "get").lower() == "post" and any(name == must_have for name, _v in fields):
            return fields
    return None


def form_errors(html: str) -> str:
    """The form's error messages, short, for the failure table."""
    found = re.findall(r'class="form-error-message"[^>]*>(.*?)</(?:span|p)>', html, re.S)
    text = " ".join(re.sub(r"<[^>]+>", " ", m) for m in found)
    return re.sub(r"\s+", " ", text).strip()[:160] or "no error message on the page"


def toggled(description: str) -> str:
    """The description with the load test's marker added, or removed when it is there."""
    return description[: -len(MARKER)] if description.endswith(MARKER) else description + MARKER


# Picking the records --------------------------------------------------------------------------------

def _results(session: requests.Session, url: str) -> tuple[list[dict[str, Any]], int]:
    response = session.get(url, timeout=120)
    response.raise_for_status()
    body = response.json()
    return body["results"], body["count"]


def pick_records(host: str) -> None:
    session = requests.Session()
    response = session.post(f"{host}/api/token/", data={"username": WRITER[0], "password": WRITER[1]}, timeout=60)
    response.raise_for_status()
    session.headers["Authorization"] = f"Token {response.json()['token']}"

    _first, count = _results(session, f"{host}/api/engagements/?page_size=1")
    POOL.api_pages = max(1, -(-count // 50))
    pages = max(1, -(-count // SAMPLE_PAGE_SIZE))
    sample: list[dict[str, Any]] = []
    for page in random.sample(range(1, pages + 1), min(SAMPLE_PAGES, pages)):
        rows, _count = _results(session, f"{host}/api/engagements/?page_size={SAMPLE_PAGE_SIZE}&page={page}")
        sample += rows
    POOL.engagements = [row["id"] for row in sample]
    words = {w.lower() for row in sample for w in re.findall(r"\w{5,}", row["title"]) if not w.isdigit()}
    POOL.searches = FIXED_SEARCHES + random.sample(sorted(words), min(30, len(words)))

    departments, _count = _results(session, f"{host}/api/departments/?page_size=500")
    POOL.departments = [row["id"] for row in departments]
    POOL.municipalities = sorted({row["municipality"] for row in departments})

    mine, _count = _results(session, f"{host}/api/municipalities/?code={WRITER_MUNICIPALITY}")
    if mine:
        rows, _count = _results(session, f"{host}/api/engagements/?municipality={mine[0]['id']}&page_size=500")
        POOL.writable = [row["id"] for row in rows]

    index = session.get(f"{host}/public/", timeout=60)
    index.raise_for_status()
    POOL.public_codes = sorted(set(re.findall(r'href="/public/(\d+)/"', index.text)))
    if not (POOL.engagements and POOL.departments and POOL.public_codes):
        raise RuntimeError("the database holds no engagements, departments or public municipalities")


@events.test_start.add_listener
def on_test_start(environment: Environment, **_kwargs: Any) -> None:
    _environment.append(environment)
    host = (environment.host or "").rstrip("/")
    try:
        pick_records(host)
    except Exception as error:  # any problem here ends the test, with its reason
        print(f"load test: could not pick records from {host}: {error!r}", flush=True)
        environment.process_exit_code = 3
        if environment.runner is not None:
            environment.runner.quit()
        raise
    _started.append(time.time())
    pool = POOL
    print(f"load test: picked {len(pool.engagements)} engagements ({len(pool.writable)} writable), "
          f"{len(pool.departments)} departments, {len(pool.municipalities)} municipalities, "
          f"{len(pool.public_codes)} public", flush=True)


@events.request.add_listener
def on_request(request_type: str, name: str, response_time: float, exception: Any, **_kwargs: Any) -> None:
    if _started:
        _timeline.append((time.time() - _started[0], request_type, name, response_time, exception is not None))


@events.quit.add_listener
def on_quit(**_kwargs: Any) -> None:
    """Write the final statistics as ``<csv prefix>_final_stats.csv`` and ``_final_failures.csv`` (locust's own
    ``_stats.csv`` is rewritten once a second and can miss the requests of the last second), and every request
    with its time as ``_requests.csv`` (seconds, method, name, ms, failed) for the statistics over time."""
    if not _environment:
        return
    environment = _environment[0]
    prefix = getattr(environment.parsed_options, "csv_prefix", None)
    if not prefix:
        return
    writer = StatsCSV(environment, PERCENTILES_TO_REPORT)
    with open(f"{prefix}_final_stats.csv", "w", newline="") as file:
        writer.requests_csv(csv.writer(file))
    with open(f"{prefix}_final_failures.csv", "w", newline="") as file:
        writer.failures_csv(csv.writer(file))
    with open(f"{prefix}_requests.csv", "w", newline="") as file:
        out = csv.writer(file)
        out.writerow(["seconds", "method", "name", "ms", "failed"])
        out.writerows((f"{t:.3f}", method, name, f"{ms:.1f}", int(failed)) for t, method, name, ms, failed in _timeline)


# Users ----------------------------------------------------------------------------------------------

class SignedIn(HttpUser):
    """A user who signs in through the login form."""

    abstract = True
    username = ""
    password = ""

    def sign_in(self) -> str:
        """Log in; the start page it lands on (empty when the login failed)."""
        form = self.client.get("/login/", name="login form")
        fields = page_form(form.text, "username")
        if fields is None:
            return ""
        data = [(n, v) for n, v in fields if n not in ("username", "password")]
        data += [("username", self.username), ("password", self.password)]
        with self.client.post("/login/", data=data, name="login", catch_response=True) as response:
            if not response.history or response.url is None or "/login/" in response.url:
                response.failure(f"login as {self.username} refused")
                return ""
            return response.text

    def csrf_header(self) -> dict[str, str]:
        return {"X-CSRFToken": self.client.cookies.get("csrftoken") or ""}


class StaffReader(SignedIn):
    """Staff reading the registry: lists with filters, detail pages, search, goals, inquiries, the API."""

    weight = 70
    wait_time = between(1, 3)
    may_see_inquiries = False

    def on_start(self) -> None:
        self.username, self.password = next(_staff_turn)
        start = self.sign_in()
        self.may_see_inquiries = 'href="/inquiries/"' in start

    @task(3)
    def start_page(self) -> None:
        self.client.get("/", name="start page")

    @task(2)
    def engagement_list(self) -> None:
        self.client.get("/engagements/", name="engagement list")

    @task(1)
    def engagement_list_kind(self) -> None:
        kind = random.choice(["membership", "partnership", "project"])
        self.client.get(f"/engagements/?kind={kind}", name="engagement list ?kind")

    @task(1)
    def engagement_list_department(self) -> None:
        department = random.choice(POOL.departments)
        self.client.get(f"/engagements/?department={department}&sort=-start_date",
                        name="engagement list ?department&sort")

    @task(1)
    def engagement_list_text(self) -> None:
        self.client.get("/engagements/", params={"q": random.choice(POOL.searches)}, name="engagement list ?q")

    @task(4)
    def engagement_detail(self) -> None:
        self.client.get(f"/engagements/{random.choice(POOL.engagements)}/", name="engagement detail")

    @task(2)
    def search(self) -> None:
        self.client.get("/search/", params={"q": random.choice(POOL.searches)}, name="search")

    @task(1)
    def department_detail(self) -> None:
        self.client.get(f"/departments/{random.choice(POOL.departments)}/", name="department detail")

    @task(1)
    def municipality_detail(self) -> None:
        self.client.get(f"/municipalities/{random.choice(POOL.municipalities)}/", name="municipality detail")

    @task(1)
    def goals(self) -> None:
        self.client.get("/goals/", name="goals")

    @task(1)
    def inquiry_queue(self) -> None:
        if self.may_see_inquiries:
            self.client.get("/inquiries/", name="inquiry queue")

    @task(1)
    def funding(self) -> None:
        self.client.get("/funding/", name="funding list")

    @task(1)
    def api_engagements(self) -> None:
        page = random.randint(1, min(3, POOL.api_pages))
        self.client.get(f"/api/engagements/?page={page}", name="api engagements")


class Public(HttpUser):
    """Anonymous visitors: the public pages, their open data, the inquiry form (read only) and the API."""

    weight = 20
    wait_time = between(1, 3)

    @task(1)
    def index(self) -> None:
        self.client.get("/public/", name="public index")

    @task(4)
    def municipality(self) -> None:
        prefix = random.choice(["", "", "/en"])
        self.client.get(f"{prefix}/public/{random.choice(POOL.public_codes)}/", name="public municipality")

    @task(1)
    def download(self) -> None:
        self.client.get(f"/public/{random.choice(POOL.public_codes)}/data/csv/", name="public data csv")

    @task(1)
    def inquiry_form(self) -> None:
        code = random.choice(POOL.public_codes)
        self.client.get(f"/en/inquiries/new/?municipality={code}", name="inquiry form (en)")

    @task(1)
    def api(self) -> None:
        self.client.get("/api/engagements/", name="api engagements (anonymous)")


class CoordinatorWriter(SignedIn):
    """A coordinator making changes: engagements through the edit form and the API, notes on inquiries."""

    weight = 10
    wait_time = between(2, 5)
    inquiries: list[int]

    def on_start(self) -> None:
        self.username, self.password = WRITER
        self.sign_in()
        queue = self.client.get("/inquiries/", name="inquiry queue")
        self.inquiries = sorted({int(pk) for pk in re.findall(r'href="/inquiries/(\d+)/"', queue.text)})

    @task(3)
    def edit_engagement(self) -> None:
        if not POOL.writable:
            return
        pk = random.choice(POOL.writable)
        page = self.client.get(f"/engagements/{pk}/edit/", name="engagement edit form")
        fields = page_form(page.text, "description")
        if fields is None:
            return
        data = [(n, toggled(v) if n == "description" else v) for n, v in fields]
        with self.client.post(f"/engagements/{pk}/edit/", data=data, name="engagement edit (post)",
                              allow_redirects=False, catch_response=True) as response:
            if response.status_code == 409:  # another user saved it since the form was read: a conflict, shown
                response.success()
                return
            if response.status_code != 302:
                response.failure(f"edit form answered {response.status_code}: {form_errors(response.text)}")
                return
            location = response.headers.get("Location", "")
        self.client.get(location, name="engagement detail")

    @task(1)
    def patch_engagement(self) -> None:
        if not POOL.writable:
            return
        pk = random.choice(POOL.writable)
        current = self.client.get(f"/api/engagements/{pk}/", name="api engagement")
        if not current.ok:
            return
        description = current.json().get("description") or ""
        # A change names the version it is based on (If-Match: the ETag read); 412 is a conflict with
        # another user's change since, answered as it should be.
        headers = {**self.csrf_header(), "If-Match": current.headers.get("ETag", "")}
        with self.client.patch(f"/api/engagements/{pk}/", json={"description": toggled(description)},
                               headers=headers, name="api engagement patch", catch_response=True) as response:
            if response.status_code in (200, 412):
                response.success()
            else:
                response.failure(f"PATCH answered {response.status_code}")

    @task(2)
    def note_on_inquiry(self) -> None:
        if not self.inquiries:
            self.client.get("/inquiries/", name="inquiry queue")
            return
        pk = random.choice(self.inquiries)
        page = self.client.get(f"/inquiries/{pk}/", name="inquiry detail")
        fields = page_form(page.text, "note-text")
        if fields is None:
            return
        data = [(n, "Noted by the load test." if n == "note-text" else v) for n, v in fields]
        with self.client.post(f"/inquiries/{pk}/note/", data=data, name="inquiry note (post)",
                              allow_redirects=False, catch_response=True) as response:
            if response.status_code != 302:
                response.failure(f"note answered {response.status_code}: {form_errors(response.text)}")
