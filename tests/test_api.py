"""The REST API: the web app's permissions on every route, public reads without people or internal
fields, the web lists' filters, validation with field names, and a schema with local docs."""

from decimal import Decimal
from typing import Any

import pytest
from django.contrib.auth.models import User
from rest_framework.test import APIClient

from udsyn.engagements.models import Engagement, Funding
from udsyn.organisation.models import Department, Person

pytestmark = pytest.mark.django_db


def _client(user: User | None = None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


def _if_match(client: APIClient, url: str) -> dict[str, str]:
    """Writes say which version they are based on: the ETag of the record as read."""
    return {"HTTP_IF_MATCH": client.get(url)["ETag"]}


@pytest.fixture
def registry(eurocities: Engagement, beijing: Engagement, atelier: Funding, person: Person) -> Engagement:
    eurocities.notes = "INTERNAL-NOTE-123"
    eurocities.save()
    contact = Person.objects.create(municipality=eurocities.municipality, name="Hemmelig Kontakt",
                                    email="secret.person@example.dk")
    eurocities.contacts.add(contact)
    eurocities.representatives.create(person=person, role="Bestyrelsesmedlem")
    return eurocities


def test_anonymous_reads_published_records_without_people_or_notes(registry: Engagement,
                                                                   make_engagement: Any) -> None:
    make_engagement("Afsluttet netværk", status=Engagement.Status.ENDED)
    response = _client().get("/api/engagements/")
    assert response.status_code == 200
    body = response.content.decode()
    assert response.json()["count"] == Engagement.objects.filter(status="active").count() == 4
    assert "Afsluttet netværk" not in body
    for secret in ("INTERNAL-NOTE-123", "secret.person@example.dk", "Hemmelig Kontakt", "Bestyrelsesmedlem",
                   '"contacts"', '"notes"', '"representatives"'):
        assert secret not in body
    for route in ("/api/funding/", "/api/organisations/", "/api/cities/", "/api/municipalities/",
                  f"/api/engagements/{registry.pk}/"):
        answer = _client().get(route)
        assert answer.status_code == 200, route
        assert "INTERNAL-NOTE-123" not in answer.content.decode()


@pytest.mark.parametrize("route", ["/api/people/", "/api/committees/", "/api/strategies/", "/api/goals/",
                                   "/api/units/", "/api/stated-figures/"])
def test_anonymous_cannot_read_internal_record_types(registry: Engagement, route: str) -> None:
    assert _client().get(route).status_code == 401


def test_anonymous_cannot_write(registry: Engagement) -> None:
    assert _client().post("/api/themes/", {"name": "Sport"}).status_code == 401
    assert _client().delete(f"/api/engagements/{registry.pk}/").status_code == 401
    assert Engagement.objects.filter(pk=registry.pk).exists()


def test_signed_in_users_see_everything_as_in_the_web_app(registry: Engagement, reader: User) -> None:
    answer = _client(reader).get(f"/api/engagements/{registry.pk}/").json()
    assert answer["notes"] == "INTERNAL-NOTE-123"
    assert [r["role"] for r in answer["representatives"]] == ["Bestyrelsesmedlem"]
    assert _client(reader).get("/api/people/").json()["count"] == 2


def test_token_authentication(registry: Engagement, coordinator: User) -> None:
    token = APIClient().post("/api/token/", {"username": "koordinator", "password": "secret-pass-123"}).json()
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token['token']}")
    assert client.get("/api/people/").status_code == 200
    client.credentials(HTTP_AUTHORIZATION="Token not-a-token")
    assert client.get("/api/people/").status_code == 401


def test_reader_cannot_write(registry: Engagement, reader: User) -> None:
    assert _client(reader).patch(f"/api/engagements/{registry.pk}/", {"annual_fee": "1"}).status_code == 403
    assert _client(reader).post("/api/themes/", {"name": "Sport"}).status_code == 403


def test_department_editor_changes_only_what_the_department_leads(
        registry: Engagement, beijing: Engagement, okf_editor: User, tmf_editor: User,
        departments: dict[str, Department]) -> None:
    url = f"/api/engagements/{registry.pk}/"
    # TMF only takes part in EUROCITIES: it neither changes nor deletes it.
    tmf = _client(tmf_editor)
    assert tmf.patch(url, {"annual_fee": "1"}, **_if_match(tmf, url)).status_code == 403
    assert tmf.delete(url, **_if_match(tmf, url)).status_code == 403
    client = _client(okf_editor)
    assert client.patch(url, {"annual_fee": "300000"}, **_if_match(client, url)).status_code == 200
    registry.refresh_from_db()
    assert registry.annual_fee == Decimal("300000")
    health = Engagement.objects.get(title="Sundhedssamarbejde med Beijing")  # SUF's
    assert client.patch(f"/api/engagements/{health.pk}/", {"annual_fee": "1"}).status_code == 403
    # Moving an engagement out of the department is refused and leaves it as it was.
    response = client.patch(url, {
        "lead_department": departments["SUF"].pk, "participating_departments": [departments["KFF"].pk]},
        format="json", **_if_match(client, url))
    assert response.status_code == 403
    registry.refresh_from_db()
    assert {d.code for d in registry.departments} == {"ØKF", "TMF", "KFF"}
    # Creating one for another department is refused and writes nothing.
    before = Engagement.objects.count()
    response = client.post("/api/engagements/", {
        "municipality": registry.municipality_id, "title": "Nyt netværk", "kind": "membership",
        "lead_department": departments["SUF"].pk}, format="json")
    assert response.status_code == 403 and Engagement.objects.count() == before


def test_coordinator_creates_a_shared_engagement_kept_in_history(
        registry: Engagement, coordinator: User, departments: dict[str, Department]) -> None:
    response = _client(coordinator).post("/api/engagements/", {
        "municipality": registry.municipality_id, "title": "Øresundsvandsamarbejdet", "kind": "collaboration",
        "lead_department": departments["TMF"].pk, "participating_departments": [departments["ØKF"].pk],
        "status": "active"}, format="json")
    assert response.status_code == 201, response.content
    created = Engagement.objects.get(title="Øresundsvandsamarbejdet")
    assert {d.code for d in created.departments} == {"TMF", "ØKF"}
    assert created.history.first().history_user == coordinator


def test_validation_errors_name_the_field(registry: Engagement, coordinator: User) -> None:
    client, url = _client(coordinator), f"/api/engagements/{registry.pk}/"
    response = client.patch(url, {"start_date": "2020-01-01", "end_date": "2019-01-01"}, format="json",
                            **_if_match(client, url))
    assert response.status_code == 400
    assert "end_date" in response.json()
    response = client.patch(url, {"status": "terminated"}, format="json", **_if_match(client, url))
    assert response.status_code == 400 and "termination_reason" in response.json()


def test_filters_are_the_web_lists_filters(registry: Engagement, reader: User,
                                           departments: dict[str, Department]) -> None:
    client = _client(reader)
    titles = {e["title"] for e in client.get(f"/api/engagements/?department={departments['SUF'].pk}").json()["results"]}
    assert titles == {"Sundhedssamarbejde med Beijing"}
    titles = {e["title"] for e in client.get("/api/engagements/?q=eurocities").json()["results"]}
    assert titles == {"EUROCITIES"}
    assert client.get("/api/engagements/?kind=project").json()["count"] == 1


def test_pagination_counts(registry: Engagement, reader: User) -> None:
    page = _client(reader).get("/api/engagements/?page_size=2").json()
    assert page["count"] == 4 and len(page["results"]) == 2 and page["next"]


def test_schema_and_local_docs(db: None) -> None:
    schema = APIClient().get("/api/schema/")
    assert schema.status_code == 200 and b"openapi: 3" in schema.content
    assert b"/api/engagements/{id}/" in schema.content
    docs = APIClient().get("/api/docs/").content.decode()
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in docs
    assert "cdn" not in docs.lower()


def test_deleting_a_record_others_refer_to_is_a_conflict_not_a_server_error(
        registry: Engagement, atelier: Funding, coordinator: User, departments: dict[str, Department]) -> None:
    client = _client(coordinator)
    url = f"/api/departments/{departments['ØKF'].pk}/"
    response = client.delete(url, **_if_match(client, url))
    assert response.status_code == 409
    assert "EUROCITIES" in response.json()["detail"]  # what uses it, by name
    assert Department.objects.filter(pk=departments["ØKF"].pk).exists()
    parent = Engagement.objects.get(title="Søsterbyaftale med Beijing")  # has a child agreement
    for url, code in ((f"/api/programmes/{atelier.programme_id}/", 409), (f"/api/engagements/{parent.pk}/", 409),
                      (f"/api/funding/{atelier.pk}/", 204)):
        assert client.delete(url, **_if_match(client, url)).status_code == code


def test_unknown_api_addresses_answer_404_in_json(registry: Engagement) -> None:
    # An id the routes do not take (as a number with a dot and an exponent) is an unknown record, not a page.
    response = _client().get("/api/departments/1.5e-07/")
    assert response.status_code == 404 and response["Content-Type"] == "application/json"
    assert "detail" in response.json()
    assert _client().get("/api/themes").status_code == 301  # still redirected to the address with a slash


def test_municipality_filter_that_is_not_a_number_is_a_validation_error(registry: Engagement) -> None:
    # "²" passes str.isdigit() but not int().
    response = _client().get("/api/engagements/?municipality=²")
    assert response.status_code == 400 and "municipality" in response.json()
    response = _client().get(f"/api/engagements/?municipality={registry.municipality_id}")
    assert response.status_code == 200 and response.json()["count"] == 4


def test_what_the_model_normalises_is_saved(registry: Engagement, atelier: Funding, coordinator: User) -> None:
    response = _client(coordinator).post("/api/funding/", {
        "municipality": atelier.municipality_id, "title": "Nordisk Ministerråd", "department": atelier.department_id,
        "programme": atelier.programme_id, "currency": "dkk", "amount": "100000"}, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["currency"] == "DKK" and response.json()["amount_dkk"] == "100000.00"
    funding = Funding.objects.get(title="Nordisk Ministerråd")
    assert (funding.currency, funding.amount_dkk) == ("DKK", Decimal("100000"))


def test_schema_is_the_same_for_every_caller_and_documents_errors(registry: Engagement, coordinator: User) -> None:
    anonymous = _client().get("/api/schema/?format=json").json()
    assert _client(coordinator).get("/api/schema/?format=json").json() == anonymous
    paths = anonymous["paths"]
    # Writes take the full record (not what anonymous callers read).
    body = paths["/api/engagements/"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    assert body == {"$ref": "#/components/schemas/Engagement"}
    # Every operation may be throttled (429).
    assert set(paths["/api/engagements/"]["get"]["responses"]) == {"200", "400", "401", "404", "429"}
    assert set(paths["/api/engagements/"]["post"]["responses"]) == {"201", "400", "401", "403", "415", "429"}
    assert set(paths["/api/themes/{id}/"]["delete"]["responses"]) == {"204", "401", "403", "404", "409", "412",
                                                                     "428", "429"}
    # Changes say which version they are based on; reading a record gives its version as ETag.
    patch = paths["/api/themes/{id}/"]["patch"]
    assert {"412", "428"} <= set(patch["responses"]) and "If-Match" in {p["name"] for p in patch["parameters"]}
    assert "ETag" in paths["/api/themes/{id}/"]["get"]["responses"]["200"]["headers"]
    assert set(paths["/api/token/"]["post"]["responses"]) == {"200", "400", "401", "403", "415", "429"}
    assert set(paths["/api/token/"]["post"]["responses"]["200"]["content"]["application/json"]["schema"]
               ["$ref"].rsplit("/", 1)[1:]) == {"Token"}


def test_fields_marked_internal_are_null_for_anonymous_callers_as_documented(registry: Engagement) -> None:
    registry.description = "Europæiske storbyers netværk"
    registry.internal_fields = ["description", "themes"]
    registry.save()
    answer = _client().get(f"/api/engagements/{registry.pk}/").json()
    assert answer["description"] is None and answer["themes"] == []
    schema = _client().get("/api/schema/?format=json").json()["components"]["schemas"]["EngagementRead"]
    assert schema["properties"]["description"]["nullable"] is True
    assert "representatives" not in schema["required"]  # signed-in callers only


@pytest.mark.parametrize("aliases", [5, "EUROCITIES", {"en": "Eurocities"}, [True], [["x"]], [""], ["a\x00b"]])
def test_aliases_are_a_list_of_names(registry: Engagement, coordinator: User, aliases: Any) -> None:
    # The web forms show them joined by commas; on PostgreSQL a NUL character was a server error.
    response = _client(coordinator).post("/api/organisations/", {"name": "Nyt netværk", "kind": "network",
                                                                 "aliases": aliases}, format="json")
    assert response.status_code == 400 and "aliases" in response.json()
    response = _client(coordinator).post("/api/cities/", {"name": "Malmö", "country": "SE",
                                                          "aliases": ["Malmø", " Malmoe "]}, format="json")
    assert response.status_code == 201 and response.json()["aliases"] == ["Malmø", "Malmoe"]
