"""Every route and every API endpoint, as every kind of user, against the policy that docs/permissions.md
tabulates: a page or endpoint answers exactly when the policy allows, and never with a server error."""

from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser, User
from django.db import models
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from rest_framework.test import APIClient

from udsyn.core import usage
from udsyn.core.policy import HISTORY, allows
from udsyn.core.views import RecordMixin
from udsyn.engagements.models import (
    City,
    Engagement,
    ExternalOrganisation,
    Funding,
    FundingProgramme,
    Representative,
    Theme,
)
from udsyn.organisation.models import Committee, Department, Municipality, Person, Role, StatedFigure, Unit
from udsyn.steering.models import Alignment, Indicator, Review
from udsyn.strategy.models import Goal, Principle, Strategy

ROLES = ("anonymous", "admin", "coordinator", "lead editor", "participating editor", "other editor", "reader",
         "other municipality's coordinator", "other municipality's editor", "other municipality's reader")


@pytest.fixture
def world(eurocities: Engagement, beijing: Engagement, atelier: Funding, person: Person, odense: Municipality,
          departments: dict[str, Department]) -> dict[str, Any]:
    """A small registry with a record of every type, and a user of every kind."""
    copenhagen = eurocities.municipality
    Representative.objects.create(engagement=eurocities, person=person, role="Bestyrelse")
    Unit.objects.create(department=departments["ØKF"], name="International enhed")
    Committee.objects.create(municipality=copenhagen, name="Økonomiudvalget")
    StatedFigure.objects.create(municipality=copenhagen, key="networks", label="Netværk", value=Decimal(27))
    strategy = Strategy.objects.create(municipality=copenhagen, name="Internationale strategi")
    goal = Goal.objects.create(municipality=copenhagen, strategy=strategy, title="Vækst", order=1)
    Principle.objects.create(municipality=copenhagen, strategy=strategy, title="Værdi", order=1)
    Alignment.objects.create(engagement=eurocities, goal=goal, justification="Vækst")
    Indicator.objects.create(municipality=copenhagen, name="Netværk", goal=goal, measure="Antal", data_source="Udsyn")
    Review.objects.create(engagement=eurocities, reviewed_on="2026-01-01", recommendation="continue")
    odense_department = Department.objects.create(municipality=odense, code="BKF", name="Borgmesterens Afdeling")
    users: dict[str, Any] = {"anonymous": AnonymousUser()}
    for name, kind, municipality, department in (
            ("admin", Role.Kind.ADMINISTRATOR, None, None),
            ("coordinator", Role.Kind.COORDINATOR, copenhagen, None),
            ("lead editor", Role.Kind.EDITOR, copenhagen, departments["ØKF"]),
            ("participating editor", Role.Kind.EDITOR, copenhagen, departments["TMF"]),
            ("other editor", Role.Kind.EDITOR, copenhagen, departments["SUF"]),
            ("reader", Role.Kind.READER, copenhagen, None),
            ("other municipality's coordinator", Role.Kind.COORDINATOR, odense, None),
            ("other municipality's editor", Role.Kind.EDITOR, odense, odense_department),
            ("other municipality's reader", Role.Kind.READER, odense, None)):
        user = User.objects.create_user(username=name.replace(" ", "-").replace("'", ""))
        Role.objects.create(user=user, kind=kind, municipality=municipality, department=department)
        users[name] = User.objects.get(pk=user.pk)
    return users


def _client(user: Any, api: bool = False) -> Any:
    client = APIClient() if api else Client()
    if user.is_authenticated:
        client.force_login(user)
    return client


def _patterns(resolvers: list[Any], prefix: str = "", namespace: str = "") -> Iterator[tuple[str, str, Any]]:
    for entry in resolvers:
        if isinstance(entry, URLResolver):
            ns = entry.namespace or namespace
            yield from _patterns(entry.url_patterns, prefix + str(entry.pattern), ns)
        elif isinstance(entry, URLPattern):
            name = f"{namespace}:{entry.name}" if namespace and entry.name else (entry.name or "")
            yield name, prefix + str(entry.pattern), entry


def _record_routes() -> dict[str, tuple[type[models.Model], str]]:
    """The standard routes of every record type (udsyn.core.urls_helpers.record_urls) and their action."""
    from django.apps import apps

    routes = {}
    for model in apps.get_models():
        url_name = getattr(model, "url_name", None)
        if url_name is None:
            continue
        for suffix, action in (("detail", "view"), ("edit", "change"), ("delete", "delete"), ("history", HISTORY)):
            routes[url_name(suffix)] = (model, action)
    return routes


def _expected(user: Any, action: str, record: models.Model) -> set[int]:
    if not user.is_authenticated:
        return {302}  # to the login page
    if action != "view" and not allows(user, "view", record):
        return {404}
    if not allows(user, action, record):
        return {404} if action in ("view", HISTORY) else {403}
    return {200}


@pytest.mark.parametrize("role", ROLES)
def test_every_record_page_answers_as_the_policy_says(world: dict[str, Any], role: str) -> None:
    user = world[role]
    client = _client(user)
    routes = _record_routes()
    checked = 0
    for name, route, pattern in _patterns(get_resolver().url_patterns):
        if name not in routes or not issubclass(getattr(pattern.callback, "view_class", object), RecordMixin):
            continue
        model, action = routes[name]
        for record in model._default_manager.all()[:3]:
            url = "/" + route.replace("<int:pk>", str(record.pk)).lstrip("^")
            status = client.get(url).status_code
            assert status in _expected(user, action, record), (role, url, status)
            checked += 1
    assert checked > 60


@pytest.mark.parametrize("role", ROLES)
def test_every_page_without_arguments_answers_without_a_server_error(world: dict[str, Any], role: str) -> None:
    client = _client(world[role])
    checked = 0
    for name, route, _pattern in _patterns(get_resolver().url_patterns):
        if "<" in route or route.startswith("admin/") or "(?P" in route or name in {"logout", "api:token"}:
            continue
        url = "/" + route.lstrip("^").rstrip("$")
        status = client.get(url).status_code
        assert status < 500, (role, url, status)
        if not world[role].is_authenticated and not route.startswith(("public/", "api/", "login/", "inquiries/new")):
            assert status in (302, 404, 405, 200), (url, status)
        checked += 1
    assert checked > 20


API = {"municipalities": Municipality, "departments": Department, "units": Unit, "people": Person,
       "committees": Committee, "stated-figures": StatedFigure, "engagements": Engagement, "funding": Funding,
       "organisations": ExternalOrganisation, "cities": City, "themes": Theme, "programmes": FundingProgramme,
       "strategies": Strategy, "goals": Goal, "principles": Principle}
READ_ONLY = {"municipalities"}


@pytest.mark.parametrize("role", ROLES)
def test_every_api_endpoint_answers_as_the_policy_says(world: dict[str, Any], role: str) -> None:
    user = world[role]
    client = _client(user, api=True)
    for prefix, model in API.items():
        listed = client.get(f"/api/{prefix}/")
        visible = set(model._default_manager.restrict(user, "view").values_list("pk", flat=True))
        if listed.status_code == 200:
            ids = {row["id"] for row in listed.json()["results"]}
            assert ids == visible or (len(ids) == 50 and ids <= visible), (role, prefix)
        else:
            assert listed.status_code in (401, 403) and not user.is_authenticated, (role, prefix)
        for record in model._default_manager.all()[:2]:
            detail = client.get(f"/api/{prefix}/{record.pk}/")
            if detail.status_code == 200:
                assert record.pk in visible, (role, prefix, record.pk)
            else:
                assert detail.status_code in (401, 403, 404), (role, prefix, detail.status_code)
                assert record.pk not in visible or not user.is_authenticated
            deleted = client.delete(f"/api/{prefix}/{record.pk}/")
            if prefix in READ_ONLY:
                assert deleted.status_code in (401, 403, 405), (role, prefix, deleted.status_code)
                forced = client.delete(f"/api/{prefix}/{record.pk}/", HTTP_IF_MATCH='"1"')
                assert forced.status_code in (401, 403, 405), (role, prefix, forced.status_code)
            elif not user.is_authenticated:
                assert deleted.status_code in (401, 403)
            elif record.pk not in visible:
                assert deleted.status_code == 404
            elif not allows(user, "delete", record):
                assert deleted.status_code == 403, (role, prefix, record, deleted.status_code)
            else:
                # Allowed: deleted, or refused because something uses it (never a server error).
                assert deleted.status_code in (204, 409, 412, 428), (role, prefix, record, deleted.status_code)


# -- Need-to-know (issue 17, part 7): people, history and deleted records within the municipality ----------------

@pytest.fixture
def two_registries(world: dict[str, Any], eurocities: Engagement, person: Person, odense: Municipality
                   ) -> dict[str, Any]:
    """Odense beside Copenhagen: a person, an engagement with that person as contact and representative, and a
    deleted person in each municipality."""
    department = Department.objects.get(municipality=odense)
    rahbaek = Person.objects.create(municipality=odense, name="Peter Rahbæk Juel", kind=Person.Kind.POLITICIAN)
    network = Engagement.objects.create(municipality=odense, title="Odense i Eurocities", lead_department=department,
                                        kind=Engagement.Kind.MEMBERSHIP)
    network.contacts.add(rahbaek)
    Representative.objects.create(engagement=network, person=rahbaek, role="Borgmester")
    eurocities.contacts.add(person)
    gone = {}
    for municipality, name in ((eurocities.municipality, "Slettet Københavner"), (odense, "Slettet Odenseaner")):
        doomed = Person.objects.create(municipality=municipality, name=name)
        gone[municipality.code] = doomed.pk
        usage.do_delete(doomed, world["admin"])
    return {"rahbaek": rahbaek, "network": network, "gone": gone, "theme": Theme.objects.get(name="Klima")}


@pytest.mark.parametrize("role", ["reader", "lead editor", "other editor"])
def test_readers_and_editors_see_people_history_and_deleted_records_of_their_own_municipality_only(
        world: dict[str, Any], two_registries: dict[str, Any], eurocities: Engagement, person: Person,
        role: str) -> None:
    client = _client(world[role])
    rahbaek, network = two_registries["rahbaek"], two_registries["network"]
    # People: their own municipality's, not another's, in the detail page, the list, search and the API.
    assert client.get(reverse("organisation:person_detail", args=[person.pk])).status_code == 200
    assert client.get(reverse("organisation:person_detail", args=[rahbaek.pk])).status_code == 404
    listed = client.get(reverse("organisation:person_list")).content.decode()
    assert person.name in listed and rahbaek.name not in listed
    assert rahbaek.name not in client.get(reverse("core:search"), {"q": "Rahbæk"}).content.decode()
    assert person.name in client.get(reverse("core:search"), {"q": "Tiedemann"}).content.decode()
    api = _client(world[role], api=True)
    assert {row["id"] for row in api.get("/api/people/").json()["results"]} == {person.pk}
    assert api.get(f"/api/people/{rahbaek.pk}/").status_code == 404
    # Another municipality's engagement is still read, but without naming its people or showing its history.
    page = client.get(network.get_absolute_url())
    assert page.status_code == 200 and rahbaek.name not in page.content.decode()
    assert reverse("engagements:engagement_history", args=[network.pk]) not in page.content.decode()
    engagement = api.get(f"/api/engagements/{network.pk}/").json()
    assert engagement["contacts"] == [] and engagement["representatives"] == []
    own = api.get(f"/api/engagements/{eurocities.pk}/").json()
    assert own["contacts"] == [person.pk] and [r["person"] for r in own["representatives"]] == [person.pk]
    assert client.get(reverse("engagements:engagement_history", args=[network.pk])).status_code == 404
    assert client.get(reverse("engagements:engagement_history", args=[eurocities.pk])).status_code == 200
    assert client.get(reverse("organisation:person_history", args=[person.pk])).status_code == 200
    # Deleted records: their own municipality's only, in the list and on the deleted record's history.
    deleted = client.get(reverse("organisation:person_deleted")).content.decode()
    assert "Slettet Københavner" in deleted and "Slettet Odenseaner" not in deleted
    gone = two_registries["gone"]
    assert client.get(reverse("organisation:person_history", args=[gone["0461"]])).status_code == 404
    assert client.get(reverse("organisation:person_history", args=[gone["0101"]])).status_code == 200
    # Shared reference records and their history stay open to every signed-in user.
    theme = two_registries["theme"]
    assert client.get(reverse("engagements:theme_history", args=[theme.pk])).status_code == 200


def test_the_other_municipality_sees_its_own_people_and_administrators_see_all(
        world: dict[str, Any], two_registries: dict[str, Any], eurocities: Engagement, person: Person) -> None:
    rahbaek, network = two_registries["rahbaek"], two_registries["network"]
    odense_reader = _client(world["other municipality's reader"])
    assert odense_reader.get(reverse("organisation:person_detail", args=[rahbaek.pk])).status_code == 200
    assert odense_reader.get(reverse("organisation:person_detail", args=[person.pk])).status_code == 404
    assert rahbaek.name in odense_reader.get(network.get_absolute_url()).content.decode()
    assert odense_reader.get(reverse("engagements:engagement_history", args=[eurocities.pk])).status_code == 404
    admin = _client(world["admin"])
    for pk in (person.pk, rahbaek.pk):
        assert admin.get(reverse("organisation:person_detail", args=[pk])).status_code == 200
    deleted = admin.get(reverse("organisation:person_deleted")).content.decode()
    assert "Slettet Københavner" in deleted and "Slettet Odenseaner" in deleted
    assert admin.get(reverse("engagements:engagement_history", args=[network.pk])).status_code == 200
    coordinator = _client(world["coordinator"])
    assert coordinator.get(reverse("organisation:person_detail", args=[rahbaek.pk])).status_code == 404
    assert coordinator.get(reverse("engagements:engagement_history", args=[network.pk])).status_code == 404


def test_a_role_spanning_several_municipalities_reads_the_people_of_each() -> None:
    """The rules read the actor's set of municipalities, so a role spanning chosen municipalities (a later
    issue) needs no new rule."""
    from tests.roles import ActorUser
    from udsyn.core.policy import READER, Actor

    spanning = ActorUser(Actor(READER, municipality_id=1, municipality_ids=frozenset({2})))
    assert allows(spanning, "view", Person(municipality_id=1))
    assert allows(spanning, "view", Person(municipality_id=2))
    assert not allows(spanning, "view", Person(municipality_id=3))


def test_every_record_type_of_a_municipality_names_its_way_to_it() -> None:
    """A record type with no ``scope`` has its history read by every signed-in user who may view it: only the
    shared reference records and the installation's own records may be without one."""
    from udsyn.core.policy import registered

    unscoped = {model._meta.label for model, policy in registered().items() if not policy.scope}
    assert unscoped == {"engagements.City", "engagements.ExternalOrganisation", "engagements.FundingProgramme",
                        "engagements.Theme", "organisation.Municipality", "organisation.Region",
                        "core.ChangeRequest", "engagements.Merge", "interop.TableUpload"}
