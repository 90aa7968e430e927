"""The open-standard exports: Popolo JSON, IATI 2.03 XML and iCalendar.

Each is checked against the official schemas vendored in ``udsyn/interop/schemas`` (never anything outside
the repository), holds only publishable data, and is read in a fixed number of queries.
"""

import datetime
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import icalendar
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from lxml import etree

from udsyn.engagements.models import City, Engagement, ExternalOrganisation, Funding, FundingProgramme
from udsyn.inquiries.models import Inquiry
from udsyn.interop import iati, popolo
from udsyn.interop.ical import open_calendar
from udsyn.organisation.models import Department, Municipality, Person

pytestmark = pytest.mark.django_db

XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
SECRETS = (
    "INTERNAL-NOTE-123", "§4.1.3", "secret.person@example.dk", "Hemmelig Kontakt", "+45 12 34 56 78",
    "Jes Vissing Tiedemann", "Medlem af bestyrelsen", "250000", "665462", "4971000", "SKJULT-BESKRIVELSE",
    "Hemmelig Besøgende", "besoeg@example.org", "Hemmelig Delegation", "HEMMELIG-BESKED", "Viceborgmester Hansen",
    "INTERN-NOTE-BESØG", "Borger Borgersen",
)
VISIT_START = datetime.datetime(2030, 5, 14, 8, 0, tzinfo=datetime.UTC)  # 10:00 in Copenhagen


def _visit(municipality: Municipality, department: Department, **fields: Any) -> Inquiry:
    start = VISIT_START
    values: dict[str, Any] = {
        "municipality": municipality, "kind": Inquiry.Kind.VISIT, "state": Inquiry.State.PLANNED,
        "country": "CN", "organisation": "Hemmelig Delegation", "organisation_kind": "public_authority",
        "contact_name": "Hemmelig Besøgende", "contact_email": "besoeg@example.org", "message": "HEMMELIG-BESKED",
        "lead_department": department, "visit_start": start, "visit_end": start + datetime.timedelta(hours=3),
        "place": "Københavns Rådhus", "hosts": "Viceborgmester Hansen", "notes": "INTERN-NOTE-BESØG",
    }
    values.update(fields)
    return Inquiry.objects.create(**values)


@pytest.fixture
def registry(eurocities: Engagement, atelier: Funding, person: Person, make_engagement: Callable[..., Engagement],
             departments: dict[str, Department]) -> Municipality:
    """EUROCITIES (a membership), ATELIER (a project with EU funding), an event and a planned visit, each with
    something planted that must not get out: notes, people, an internal fee and amounts, a requester."""
    eurocities.notes = "INTERNAL-NOTE-123: kontingentet genforhandles"
    eurocities.source_reference = "§4.1.3"
    eurocities.start_date = datetime.date(2008, 1, 1)
    eurocities.internal_fields = ["annual_fee"]
    eurocities.save()
    contact = Person.objects.create(municipality=eurocities.municipality, name="Hemmelig Kontakt",
                                    email="secret.person@example.dk", phone="+45 12 34 56 78")
    eurocities.contacts.add(contact)
    eurocities.representatives.create(person=person, role="Medlem af bestyrelsen")

    project = atelier.engagements.get()
    project.start_date, project.end_date = datetime.date(2019, 11, 1), datetime.date(2024, 10, 31)
    project.notes, project.source_reference = "INTERNAL-NOTE-123", "§4.1.3"
    project.participating_departments.add(departments["ØKF"])
    project.partner_cities.add(City.objects.create(name="Bilbao", country="ES"))
    project.partner_organisations.add(ExternalOrganisation.objects.create(name="TU Delft", kind="university"))
    project.contacts.add(contact)
    project.save()
    atelier.start_date = datetime.date(2019, 11, 1)
    atelier.internal_fields = ["amount", "amount_dkk"]
    atelier.source_reference = "§4.1.3"
    atelier.save()
    received = Funding.objects.create(
        municipality=project.municipality, title="ATELIER – medfinansiering", department=departments["TMF"],
        programme=FundingProgramme.objects.create(name="Energistyrelsen", source="national"),
        amount=Decimal("100000"), currency="DKK", start_date=datetime.date(2020, 1, 1),
    )
    received.engagements.add(project)

    make_engagement("UNESCO-UIA World Capital of Architecture 2023", "TMF", kind=Engagement.Kind.EVENT,
                    start_date=datetime.date(2023, 1, 1), end_date=datetime.date(2023, 12, 31),
                    description="Året fejres i hele byen.", notes="INTERNAL-NOTE-123")
    make_engagement("Skjult event", "KFF", kind=Engagement.Kind.EVENT, start_date=datetime.date(2024, 6, 1),
                    description="SKJULT-BESKRIVELSE", internal_fields=["description"])
    make_engagement("Udateret event", "KFF", kind=Engagement.Kind.EVENT)
    _visit(eurocities.municipality, departments["ØKF"])
    _visit(eurocities.municipality, departments["ØKF"], organisation="", organisation_kind="citizen",
           contact_name="Borger Borgersen", country="DK")
    return eurocities.municipality


def _outputs(municipality: Municipality | None) -> dict[str, str]:
    import json

    return {
        "popolo": json.dumps(popolo.popolo(municipality), ensure_ascii=False),
        "iati": iati.iati_activities(municipality).decode(),
        "ics": open_calendar(municipality).decode(),
    }


# --- Popolo -------------------------------------------------------------------------------------------------


def test_popolo_organisations_and_memberships_are_valid(registry: Municipality) -> None:
    data = popolo.popolo(registry)
    assert popolo.schema_errors(data) == []
    assert set(data) == {"organizations", "memberships"}  # no persons
    by_id = {org["id"]: org for org in data["organizations"]}
    assert by_id["udsyn:municipality:0101"]["name"] == "Københavns Kommune"
    assert by_id["udsyn:municipality:0101"]["identifiers"] == [{"scheme": "dk-kommunekode", "identifier": "0101"}]
    assert by_id["udsyn:department:0101:ØKF"]["parent_id"] == "udsyn:municipality:0101"
    network = next(org for org in data["organizations"] if org["name"] == "EUROCITIES")
    assert network["classification"] == "network"
    [membership] = data["memberships"]
    assert membership["label"] == "EUROCITIES" and membership["organization_id"] == network["id"]
    assert membership["member"] == {"@type": "Organization", "id": "udsyn:municipality:0101"}
    assert membership["start_date"] == "2008"  # entered as a year, exported as one


def test_popolo_membership_without_a_partner_organisation_names_its_own(
        copenhagen: Municipality, make_engagement: Callable[..., Engagement]) -> None:
    forum = make_engagement("Nordisk arbejdsgiver-/HR-forum", start_date=datetime.date(2019, 11, 1),
                            end_date=datetime.date(2021, 3, 31))
    make_engagement("Et netværk, vi overvejer", status=Engagement.Status.PLANNED)  # not a member yet
    data = popolo.popolo(copenhagen)
    assert popolo.schema_errors(data) == []
    [membership] = data["memberships"]
    assert membership["organization_id"] == f"udsyn:engagement:{forum.pk}"
    assert (membership["start_date"], membership["end_date"]) == ("2019-11", "2021-03")
    assert {"id": f"udsyn:engagement:{forum.pk}", "name": forum.title} in data["organizations"]


def test_popolo_schema_check_finds_errors() -> None:
    bad = {"organizations": [{"id": 7, "founding_date": "last year"}], "memberships": [{"start_date": "1.1.2020"}]}
    problems = popolo.schema_errors(bad)
    assert len(problems) == 3, problems


# --- IATI ---------------------------------------------------------------------------------------------------


def test_iati_activities_are_valid(registry: Municipality, settings: Any) -> None:
    settings.UDSYN_IATI_CVR_NUMBERS = {"0101": "64942212"}
    document = iati.iati_activities(registry)
    assert iati.schema_errors(document) == []
    root = etree.fromstring(document)
    assert root.get("version") == "2.03"
    [activity] = root.findall("iati-activity")
    ref = "DK-CVR-64942212"
    assert activity.findtext("iati-identifier", "").startswith(f"{ref}-")
    assert activity.find("reporting-org").get("ref") == ref
    assert activity.find("title/narrative").text == "ATELIER"
    assert activity.find("title/narrative").get(XML_LANG) == "da"
    roles = [(org.get("role"), org.findtext("narrative")) for org in activity.findall("participating-org")]
    assert ("1", "Horizon 2020") in roles and ("1", "Energistyrelsen") in roles
    assert ("2", "Københavns Kommune") in roles and ("4", "TU Delft") in roles
    assert ("4", "Teknik- og Miljøforvaltningen, Københavns Kommune") in roles
    assert [(d.get("type"), d.get("iso-date")) for d in activity.findall("activity-date")] == [
        ("2", "2019-11-01"), ("3", "2024-10-31")]
    # The EU line's amounts are internal: only the received national line has a transaction.
    [transaction] = activity.findall("transaction")
    assert transaction.find("transaction-type").get("code") == "1"
    assert transaction.find("value").text == "100000.00" and transaction.find("value").get("currency") == "DKK"
    assert activity.find("recipient-country") is None and activity.find("sector") is None


def test_iati_codes_are_in_the_vendored_codelists(registry: Municipality, settings: Any) -> None:
    settings.UDSYN_IATI_CVR_NUMBERS = {"0101": "64942212"}
    root = etree.fromstring(iati.iati_activities(None))
    uses = {
        "ActivityStatus": root.xpath("//activity-status/@code"),
        "ActivityDateType": root.xpath("//activity-date/@type"),
        "OrganisationRole": root.xpath("//participating-org/@role"),
        "OrganisationType": root.xpath("//reporting-org/@type | //participating-org/@type | //provider-org/@type"),
        "TransactionType": root.xpath("//transaction-type/@code"),
        "Currency": root.xpath("//value/@currency"),
        "Language": root.xpath("//@xml:lang"),
        "OrganisationRegistrationAgency": [
            ref.rsplit("-", 1)[0] for ref in root.xpath("//reporting-org/@ref | //participating-org/@ref")],
    }
    for name, codes in uses.items():
        assert codes, name
        assert set(codes) <= set(iati.codelist(name)), name


def test_iati_expected_funding_is_a_pledge_and_shared_lines_carry_no_amount(
        copenhagen: Municipality, make_engagement: Callable[..., Engagement],
        departments: dict[str, Department]) -> None:
    one = make_engagement("Projekt A", kind=Engagement.Kind.PROJECT, status="planned",
                          start_date=datetime.date(2031, 1, 1))
    two = make_engagement("Projekt B", kind=Engagement.Kind.PROJECT, status="ended",
                          start_date=datetime.date(2018, 1, 1), end_date=datetime.date(2019, 12, 31))
    make_engagement("Projekt uden datoer", kind=Engagement.Kind.PROJECT)
    programme = FundingProgramme.objects.create(name="Interreg", source="eu")
    expected = Funding.objects.create(municipality=copenhagen, title="A alene", department=departments["ØKF"],
                                      programme=programme, amount=Decimal(5000), currency="EUR",
                                      status="expected", start_date=datetime.date(2031, 1, 1))
    expected.engagements.add(one)
    shared = Funding.objects.create(municipality=copenhagen, title="Fælles", department=departments["ØKF"],
                                    programme=programme, amount_dkk=Decimal(777777),
                                    start_date=datetime.date(2018, 1, 1))
    shared.engagements.add(one, two)
    document = iati.iati_activities(copenhagen)
    assert iati.schema_errors(document) == []
    root = etree.fromstring(document)
    assert root.xpath("//iati-activity/title/narrative/text()") == ["Projekt A", "Projekt B"]  # undated left out
    a, b = root.findall("iati-activity")
    assert a.find("activity-status").get("code") == "1" and b.find("activity-status").get("code") == "4"
    assert a.xpath("activity-date/@type") == ["1"] and b.xpath("activity-date/@type") == ["2", "4"]
    assert a.xpath("transaction/transaction-type/@code") == ["13"] and a.xpath("transaction/value/@currency") == ["EUR"]
    assert b.find("transaction") is None and b"777777" not in document
    assert b.xpath("participating-org[@role='1']/narrative/text()") == ["Interreg"]


def test_iati_unknown_cvr_number_gets_an_unregistered_identifier(odense: Municipality, settings: Any) -> None:
    assert iati.organisation_ref(odense) == "XX-UDSYN-0461"
    settings.UDSYN_IATI_CVR_NUMBERS = {"0461": "12345678"}
    assert iati.organisation_ref(odense) == "DK-CVR-12345678"


def test_iati_schema_check_finds_errors(registry: Municipality) -> None:
    root = etree.fromstring(iati.iati_activities(registry))
    activity = root.find("iati-activity")
    activity.remove(activity.find("reporting-org"))
    assert iati.schema_errors(etree.tostring(root))


# --- iCalendar ----------------------------------------------------------------------------------------------


def test_open_calendar_has_dated_events_and_anonymous_planned_visits(registry: Municipality) -> None:
    calendar = icalendar.Calendar.from_ical(open_calendar(registry))
    events = {str(event["uid"]): event for event in calendar.walk("VEVENT")}
    unesco = next(event for event in events.values() if "UNESCO" in str(event["summary"]))
    assert str(unesco["uid"]).startswith("engagement-") and str(unesco["uid"]).endswith("@udsyn")
    assert unesco.decoded("dtstart") == datetime.date(2023, 1, 1)
    assert unesco.decoded("dtend") == datetime.date(2024, 1, 1)  # all-day: the end is exclusive
    assert str(unesco["status"]) == "CONFIRMED"
    assert "Udateret event" not in {str(event["summary"]) for event in events.values()}
    [visit] = [event for event in events.values() if str(event["uid"]).startswith("visit-")]  # not the citizen's
    assert str(visit["summary"]) == "Delegationsbesøg fra Kina"  # the page language: Danish by default
    assert str(visit["location"]) == "Københavns Rådhus"
    assert "Økonomiforvaltningen, Københavns Kommune" in str(visit["description"])
    assert visit.decoded("dtstart") == VISIT_START


def test_open_calendar_leaves_out_visits_not_planned(registry: Municipality,
                                                     departments: dict[str, Department]) -> None:
    _visit(registry, departments["ØKF"], state=Inquiry.State.ACCEPTED, place="Accepteret sted")
    _visit(registry, departments["ØKF"], state=Inquiry.State.PLANNED, visit_start=None, place="Udateret sted")
    text = open_calendar(registry).decode()
    assert "Accepteret sted" not in text and "Udateret sted" not in text


# --- All three ----------------------------------------------------------------------------------------------


def test_nothing_personal_or_internal_gets_out(registry: Municipality) -> None:
    for municipality in (registry, None):
        for name, text in _outputs(municipality).items():
            for secret in SECRETS:
                assert secret not in text, f"{secret!r} in {name}"


def test_all_municipalities(registry: Municipality, odense: Municipality) -> None:
    Department.objects.create(municipality=odense, code="BKF", name="Borgmesterforvaltningen")
    data = popolo.popolo(None)
    assert popolo.schema_errors(data) == []
    ids = {org["id"] for org in data["organizations"]}
    assert {"udsyn:municipality:0101", "udsyn:municipality:0461", "udsyn:department:0461:BKF"} <= ids
    assert popolo.popolo(odense)["memberships"] == []
    assert iati.schema_errors(iati.iati_activities(None)) == []
    assert b"UNESCO" in open_calendar(None) and b"UNESCO" not in open_calendar(odense)


def _grow(n: int, municipality: Municipality, departments: dict[str, Department]) -> None:
    """n more of each: a membership, a funded project with partners, an event and a planned visit."""
    programme, _ = FundingProgramme.objects.get_or_create(name="Interreg", defaults={"source": "eu"})
    start = Engagement.objects.count()
    for i in range(start, start + n):
        org = ExternalOrganisation.objects.create(name=f"Netværk {i}", kind="network", country="BE")
        member = Engagement.objects.create(municipality=municipality, title=f"Medlemskab {i}", kind="membership",
                                           lead_department=departments["ØKF"])
        member.partner_organisations.add(org)
        project = Engagement.objects.create(
            municipality=municipality, title=f"Projekt {i}", kind="project", lead_department=departments["TMF"],
            start_date=datetime.date(2020, 1, 1), internal_fields=["end_date"] if i % 2 else [],
        )
        project.participating_departments.set([departments["KFF"]])
        project.partner_organisations.add(org, ExternalOrganisation.objects.create(name=f"Universitet {i}",
                                                                                   kind="university"))
        project.partner_cities.add(City.objects.create(name=f"By {i}", country="SE"))
        funding = Funding.objects.create(municipality=municipality, title=f"Bevilling {i}", programme=programme,
                                         department=departments["TMF"], amount_dkk=Decimal(1000),
                                         start_date=datetime.date(2020, 1, 1))
        funding.engagements.add(project)
        Engagement.objects.create(municipality=municipality, title=f"Event {i}", kind="event",
                                  lead_department=departments["KFF"], start_date=datetime.date(2025, 5, 1))
        _visit(municipality, departments["ØKF"])


@pytest.mark.parametrize("export", [popolo.popolo, iati.iati_activities, open_calendar])
@pytest.mark.parametrize("scope", ["municipality", "all"])
def test_queries_do_not_grow_with_the_data(export: Callable[[Municipality | None], Any], scope: str,
                                           copenhagen: Municipality, departments: dict[str, Department]) -> None:
    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            export(copenhagen if scope == "municipality" else None)
        return len(queries)

    _grow(1, copenhagen, departments)
    few = count()
    _grow(5, copenhagen, departments)
    assert count() == few <= 8


def test_the_demo_seeds_export_valid_open_standards() -> None:
    from tests.seeds import load

    load()
    copenhagen = Municipality.objects.get(code="0101")
    document = iati.iati_activities(copenhagen)
    assert iati.schema_errors(document) == []
    root = etree.fromstring(document)
    titles = root.xpath("//iati-activity/title/narrative/text()")
    assert "ATELIER" in titles and "Climate-KIC EZEMCONS" in titles
    assert set(root.xpath("//reporting-org/@ref")) == {"XX-UDSYN-0101"}  # no CVR number given
    assert popolo.schema_errors(popolo.popolo(copenhagen)) == []
    assert popolo.schema_errors(popolo.popolo(None)) == []
    assert icalendar.Calendar.from_ical(open_calendar(copenhagen)).walk("VEVENT")
