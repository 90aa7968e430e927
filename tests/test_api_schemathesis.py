"""Schemathesis against the API's own schema (/api/schema/): every operation, anonymously and with a
coordinator's token, against a small registry, so that detail routes and references hit real records.

The app is called in-process through WSGI, inside pytest-django's test transaction; each request runs in a
savepoint that is rolled back, so every example sees the same registry. Checks: no server errors, and the
status codes, content types and response bodies the schema documents.

Schemathesis's and Hypothesis's pytest plugins are switched off (pyproject.toml: they slow down every
pytest start), so this uses Schemathesis's Python API: a Hypothesis strategy per operation, run with
``@given`` inside an ordinary pytest test. Deterministic (fixed seeds, no example database) and bounded.
"""

import zlib
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
import schemathesis
from django.contrib.auth.models import User
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, transaction
from hypothesis import HealthCheck, Phase, given, seed, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from udsyn.api.urls import router
from udsyn.engagements.models import City, Engagement, ExternalOrganisation, Funding, Theme
from udsyn.organisation.models import Committee, Department, Person, StatedFigure, Unit
from udsyn.organisation.tokens import do_make_token
from udsyn.strategy.models import FocusArea, Goal, Principle, Strategy

pytestmark = pytest.mark.django_db

# Examples per operation: the whole file (about 90 operations, for two callers) stays well under a minute.
# Anonymous writes all end in 401, so a few of those are enough.
EXAMPLES = 15
ANONYMOUS_WRITES = 3
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
ROUTES = [*(prefix for prefix, _viewset, _basename in router.registry), "token"]

# Body fields and query parameters that refer to records, and the route of the records they refer to.
REFERENCES = {
    "municipality": "municipalities", "department": "departments", "lead_department": "departments",
    "participating_departments": "departments", "departments": "departments", "unit": "units",
    "responsible_unit": "units", "contacts": "people", "parent": "engagements", "engagements": "engagements",
    "themes": "themes", "theme": "themes", "partner_organisations": "organisations",
    "partner_cities": "cities", "programme": "programmes", "strategy": "strategies",
}


@pytest.fixture(autouse=True)
def _fast_passwords(settings: Any) -> None:
    # The token route hashes the password it is given, also for unknown users; the default hasher is slow on
    # purpose. (Autouse: in place before the users are made.)
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(scope="module")
def schema() -> Iterator[Any]:
    """The schema as the app serves it. As under Django's test client (which disconnects the same signal
    handlers), the app keeps the test's database connection: closing it would end the test transaction."""
    from udsyn.wsgi import application

    for signal in (request_started, request_finished):
        signal.disconnect(close_old_connections)
    try:
        yield schemathesis.openapi.from_wsgi("/api/schema/", application)
    finally:
        for signal in (request_started, request_finished):
            signal.connect(close_old_connections)


@pytest.fixture
def ids(eurocities: Engagement, beijing: Engagement, atelier: Funding, person: Person,
        departments: dict[str, Department]) -> dict[str, int]:
    """A small registry; the id of a record of each type, by route. Several of them are referred to by
    others (the department leads engagements, the programme has funding, the engagement has children)."""
    municipality = eurocities.municipality
    eurocities.description = "Europæiske storbyers netværk"
    eurocities.internal_fields = ["description", "annual_fee", "themes"]  # masked for anonymous callers
    eurocities.save()
    atelier.internal_fields = ["description", "amount"]
    atelier.save()
    tmf = departments["TMF"]
    strategy = Strategy.objects.create(municipality=municipality, name="Internationale strategi", start_year=2020,
                                       end_year=2025)
    strategy.departments.add(tmf)
    strategy.elements.create(text="Klimasamarbejde")
    unit = Unit.objects.create(department=tmf, name="Klimasekretariatet")
    return {
        "municipalities": municipality.pk,
        "departments": tmf.pk,
        "units": unit.pk,
        "people": person.pk,
        "committees": Committee.objects.create(municipality=municipality, name="Teknik- og Miljøudvalget",
                                               department=tmf).pk,
        "stated-figures": StatedFigure.objects.create(municipality=municipality, key="networks",
                                                      label="Netværk", value=Decimal("12")).pk,
        "engagements": beijing.pk,
        "funding": atelier.pk,
        "organisations": ExternalOrganisation.objects.get(name="EUROCITIES").pk,
        "cities": City.objects.get(name="Beijing").pk,
        "themes": Theme.objects.get(name="Klima").pk,
        "programmes": atelier.programme_id,
        "strategies": strategy.pk,
        "goals": Goal.objects.create(municipality=municipality, strategy=strategy, title="Grøn omstilling").pk,
        "principles": Principle.objects.create(municipality=municipality, title="Partnerskaber med mål").pk,
        "focus-areas": FocusArea.objects.create(municipality=municipality, title="Klima og energi").pk,
    }


@pytest.fixture
def callers(coordinator: User) -> dict[str, dict[str, str]]:
    return {"anonymous": {}, "coordinator": {"Authorization": f"Token {do_make_token(coordinator, coordinator)[1]}"}}


def _version(route: str, pk: int) -> int:
    viewset = next(v for prefix, v, _basename in router.registry if prefix == route)
    return viewset.serializer_class.Meta.model._default_manager.get(pk=pk).version  # type: ignore[no-any-return]


def _refer_to_registry(ids: dict[str, int], route: str) -> Any:
    """Make a generated request's references (body fields, query parameters) point to real records, and its
    changes say they are based on the record's current version (If-Match), as clients that read it first do."""

    def refer(case: Any) -> Any:
        if case.method.upper() in ("PUT", "PATCH", "DELETE") and route in ids:
            case.headers = {**(case.headers or {}), "If-Match": f'"{_version(route, ids[route])}"'}
        for container in (case.body, case.query):
            if isinstance(container, dict):
                for name, value in container.items():
                    if name in REFERENCES:
                        container[name] = [ids[REFERENCES[name]]] if isinstance(value, list) \
                            else ids[REFERENCES[name]]
        return case

    return refer


def _strategy(operation: Any, ids: dict[str, int], route: str) -> st.SearchStrategy[Any]:
    """Valid and invalid requests; some of them refer to real records, by the id in the path and references."""
    fixed = {"id": ids[route]} if "{id}" in operation.path else None
    strategies = []
    for mode in schemathesis.GenerationMode:
        strategies += [operation.as_strategy(generation_mode=mode),
                       operation.as_strategy(generation_mode=mode, path_parameters=fixed).map(
                           _refer_to_registry(ids, route))]
    return st.one_of(strategies)


def _run(operation: Any, strategy: st.SearchStrategy[Any], headers: dict[str, str], number: int,
         examples: int) -> None:
    @seed(number)
    @settings(max_examples=examples, derandomize=True, deadline=None, database=None, print_blob=False,
              phases=[Phase.explicit, Phase.generate, Phase.shrink], suppress_health_check=list(HealthCheck))
    @given(case=strategy)
    def check(case: Any) -> None:
        if not headers:  # anonymous: no generated credentials either
            case.headers = {k: v for k, v in (case.headers or {}).items() if k.lower() != "authorization"}
        with transaction.atomic():
            response = case.call(headers=headers)
            transaction.set_rollback(True)
        case.validate_response(response, checks=CHECKS, headers=headers)

    check()


@pytest.mark.parametrize("caller", ["anonymous", "coordinator"])
@pytest.mark.parametrize("route", ROUTES)
def test_api_operations(schema: Any, ids: dict[str, int], callers: dict[str, dict[str, str]], route: str,
                        caller: str) -> None:
    operations = [result.ok() for result in schema.include(path_regex=f"^/api/{route}/").get_all_operations()]
    assert operations
    for operation in operations:
        examples = ANONYMOUS_WRITES if caller == "anonymous" and operation.method != "get" else EXAMPLES
        number = zlib.crc32(f"{caller} {operation.label}".encode())  # a seed of its own, the same every run
        _run(operation, _strategy(operation, ids, route), callers[caller], number, examples)


def test_every_operation_is_run(schema: Any) -> None:
    routes = {result.ok().path.split("/")[2] for result in schema.get_all_operations()}
    assert routes == set(ROUTES)
