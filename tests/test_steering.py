"""Steering by goals: goal links, conformance, review schedules and due dates, reviews with their costs
and scores, ending an engagement, indicators (computed and late), and who may see which reviews."""

import datetime
from decimal import Decimal
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.utils import translation

from udsyn.core.exchange.importer import import_registry
from udsyn.engagements.models import Engagement, Funding
from udsyn.organisation.models import Municipality
from udsyn.steering import status
from udsyn.steering.models import Alignment, Indicator, Observation, Review, ReviewSchedule, council_period
from udsyn.strategy.models import Goal, Principle

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2026, 11, 23)


@pytest.fixture
def goals(copenhagen: Municipality) -> list[Goal]:
    return [Goal.objects.create(municipality=copenhagen, order=i, title=t)
            for i, t in enumerate(["En storby i vækst", "Et sundere København"], start=1)]


@pytest.fixture
def principles(copenhagen: Municipality) -> list[Principle]:
    return [Principle.objects.create(municipality=copenhagen, order=i, title=t)
            for i, t in enumerate(["Værdi", "Viden"], start=1)]


def test_council_periods() -> None:
    assert council_period(2022) == (2022, 2025)
    assert council_period(2025) == (2022, 2025)
    assert council_period(2026) == (2026, 2029)
    assert council_period(2021) == (2018, 2021)


@pytest.mark.parametrize(("interval", "after", "due"), [
    ("yearly", datetime.date(2025, 3, 1), datetime.date(2026, 3, 1)),
    ("two_years", datetime.date(2024, 2, 29), datetime.date(2026, 2, 28)),
    ("council_period", datetime.date(2023, 6, 1), datetime.date(2025, 12, 31)),
])
def test_schedule_next_due(copenhagen: Municipality, interval: str, after: datetime.date,
                           due: datetime.date) -> None:
    assert ReviewSchedule(municipality=copenhagen, interval=interval).next_due(after) == due


def test_review_state_overdue_due_and_ok(copenhagen: Municipality, make_engagement: Any) -> None:
    make_engagement("Gammelt netværk", start_date=datetime.date(2020, 1, 1))
    make_engagement("Nyt netværk", start_date=datetime.date(2026, 1, 1))
    reviewed = make_engagement("Vurderet netværk", start_date=datetime.date(2019, 1, 1))
    Review.objects.create(engagement=reviewed, reviewed_on=datetime.date(2026, 6, 1), recommendation="continue",
                          next_review_due=datetime.date(2027, 6, 1))
    states = {s.engagement.title: s for s in status.review_states(copenhagen, today=TODAY)}
    assert states["Gammelt netværk"].state == "overdue" and states["Gammelt netværk"].due == datetime.date(2021, 1, 1)
    assert states["Nyt netværk"].state == "ok" and states["Nyt netværk"].due == datetime.date(2027, 1, 1)
    assert states["Vurderet netværk"].state == "ok" and states["Vurderet netværk"].due == datetime.date(2027, 6, 1)
    soon = status.review_states(copenhagen, today=datetime.date(2026, 12, 15))
    assert {s.engagement.title: s.state for s in soon}["Nyt netværk"] == "due"


def test_conformance_flags_engagements_without_goal_and_goals_without_engagement(
        copenhagen: Municipality, goals: list[Goal], eurocities: Engagement, beijing: Engagement,
        departments: Any) -> None:
    Alignment.objects.create(engagement=eurocities, goal=goals[0], justification="Vækst")
    result = status.conformance(copenhagen)
    flagged = {e.title for engagements in result.unaligned.values() for e in engagements}
    assert "EUROCITIES" not in flagged
    assert {"Søsterbyaftale med Beijing", "Sundhedssamarbejde med Beijing"} <= flagged
    assert [g.title for g in result.unserved_goals] == ["Et sundere København"]
    # Per department: SUF's own list holds only its engagement.
    suf = status.conformance(copenhagen, departments["SUF"])
    assert {e.title for es in suf.unaligned.values() for e in es} == {"Sundhedssamarbejde med Beijing"}
    # An ended engagement does not serve a goal.
    eurocities.status = Engagement.Status.ENDED
    eurocities.end_date = datetime.date(2025, 1, 1)
    eurocities.save()
    assert len(status.conformance(copenhagen).unserved_goals) == 2


def test_coordinator_reviews_a_membership_and_the_next_review_is_listed(
        login: Any, coordinator: User, eurocities: Engagement, atelier: Funding, principles: list[Principle]) -> None:
    atelier.engagements.add(eurocities)
    client = login(coordinator)
    form = client.get(f"/goals/reviews/new/{eurocities.pk}/").content.decode()
    assert 'value="250000.00"' in form  # the fee as it stands
    assert 'name="funding_brought" value="4971000' in form  # the funding it brought
    response = client.post(f"/goals/reviews/new/{eurocities.pk}/", {
        "reviewed_on": "2026-11-20", "staff_hours": "100", "hourly_cost": "500", "annual_fee": "250000",
        "funding_brought": "4971000", "recommendation": "continue", "summary": "Giver mere, end det koster.",
        f"principle-{principles[0].pk}-score": "5", f"principle-{principles[0].pk}-note": "Klart",
        f"principle-{principles[1].pk}-score": "4",
    })
    review = Review.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/goals/reviews/{review.pk}/"
    assert review.reviewer == coordinator and review.next_review_due == datetime.date(2027, 11, 20)
    assert review.total_cost == Decimal("300000") and review.average_score == Decimal("4.5")
    page = client.get(f"/goals/reviews/{review.pk}/").content.decode()
    assert "300.000 kr." in page and "4.971.000 kr." in page
    listed = client.get("/goals/reviews/?municipality=0101").content.decode()
    assert "20.11.2027" in listed


def test_review_scores_must_be_one_to_five(login: Any, coordinator: User, eurocities: Engagement,
                                           principles: list[Principle]) -> None:
    response = login(coordinator).post(f"/goals/reviews/new/{eurocities.pk}/", {
        "reviewed_on": "2026-11-20", "hourly_cost": "500", "recommendation": "continue",
        f"principle-{principles[0].pk}-score": "7"})
    assert response.status_code == 400 and not Review.objects.exists()


def test_department_editors_see_and_record_only_their_departments_reviews(
        login: Any, tmf_editor: User, beijing: Engagement, eurocities: Engagement) -> None:
    health = Engagement.objects.get(title="Sundhedssamarbejde med Beijing")  # SUF only
    review = Review.objects.create(engagement=health, reviewed_on=TODAY, recommendation="continue")
    client = login(tmf_editor)
    assert client.get(f"/goals/reviews/{review.pk}/").status_code == 403
    assert client.get(f"/goals/reviews/new/{health.pk}/").status_code == 403
    assert client.get(f"/goals/reviews/new/{eurocities.pk}/").status_code == 200
    listed = client.get("/goals/reviews/?municipality=0101").content.decode()
    assert "EUROCITIES" in listed and "Sundhedssamarbejde med Beijing" not in listed


def test_ending_an_engagement_keeps_the_reason_in_history(login: Any, coordinator: User,
                                                          eurocities: Engagement) -> None:
    response = login(coordinator).post(f"/goals/end/{eurocities.pk}/", {"reason": "Giver ikke længere værdi."})
    assert response.status_code == 302
    eurocities.refresh_from_db()
    assert eurocities.status == Engagement.Status.TERMINATED
    assert eurocities.termination_reason == "Giver ikke længere værdi."
    latest = eurocities.history.first()
    assert latest.history_user == coordinator and latest.history_change_reason == "Afsluttet efter en vurdering"


def test_goal_links_from_the_engagement_page(login: Any, okf_editor: User, tmf_editor: User,
                                             eurocities: Engagement, goals: list[Goal]) -> None:
    # A goal link is the engagement's core: the lead department's, not a participating one's.
    refused = login(tmf_editor).post(f"/goals/links/new/{eurocities.pk}/",
                                     {"goal": goals[0].pk, "justification": "-"})
    assert refused.status_code == 403
    client = login(okf_editor)
    response = client.post(f"/goals/links/new/{eurocities.pk}/", {"goal": goals[0].pk, "justification": "Vækst"})
    assert response.status_code == 302
    assert client.post(f"/goals/links/new/{eurocities.pk}/", {"goal": goals[0].pk}).status_code == 400
    assert client.post(f"/goals/links/new/{eurocities.pk}/", {"justification": "?"}).status_code == 400
    page = client.get(eurocities.get_absolute_url()).content.decode()
    assert "En storby i vækst" in page and "Vækst" in page
    dashboard = client.get("/goals/?municipality=0101").content.decode()
    assert "EUROCITIES" in dashboard and "Et sundere København" in dashboard


def test_indicators_computed_and_late(copenhagen: Municipality, goals: list[Goal], atelier: Funding,
                                      beijing: Engagement, person: Any) -> None:
    atelier.start_date = datetime.date(2019, 11, 1)
    atelier.save()
    funding = Indicator.objects.create(municipality=copenhagen, name="Hjemtaget finansiering", measure="Kroner",
                                       data_source="Udsyn", computed="funding_per_year", unit="kr.")
    assert status.values_of(funding, TODAY).series == [(datetime.date(2019, 12, 31), Decimal("4971000"))]
    Alignment.objects.create(engagement=beijing, goal=goals[1])
    partnerships = Indicator.objects.create(municipality=copenhagen, goal=goals[1], name="Partnerskaber",
                                            measure="Antal", data_source="Udsyn", computed="active_partnerships")
    assert status.values_of(partnerships, TODAY).latest == 1
    manual = Indicator.objects.create(municipality=copenhagen, name="Besøg", measure="Antal", data_source="Log",
                                      owner=person, frequency="quarterly")
    Observation.objects.create(indicator=manual, date=datetime.date(2026, 5, 1), value=12)
    assert status.values_of(manual, TODAY).late
    Observation.objects.create(indicator=manual, date=datetime.date(2026, 10, 1), value=14)
    assert not status.values_of(manual, TODAY).late


def test_the_registry_file_links_engagements_to_goals(db: None) -> None:
    text = """
municipality: {code: "0461", name: Odense}
departments: [{code: BMF, name: Borgmesterforvaltningen}]
goals: [{title: En storby i vækst}]
focus_areas: [{title: Netværk}]
engagements:
  - title: SDEO
    kind: membership
    lead: BMF
    serves:
      - goal: En storby i vækst
        justification: EU-midler til vækst
      - focus_area: Netværk
  - title: Forkert
    kind: membership
    lead: BMF
    serves: [{goal: Intet sådant mål}]
"""
    with translation.override("en"):
        result = import_registry(text, filename="odense.yaml")
        assert [str(p) for p in result.problems] == [
            'line 17, engagements[1] "Forkert", serves[0] "Intet sådant mål", goal: '
            'No goal "Intet sådant mål" in Odense.']
    result = import_registry(text.split("  - title: Forkert")[0], filename="odense.yaml")
    assert result.ok
    links = Alignment.objects.filter(engagement__title="SDEO")
    assert {(str(a.target), a.justification) for a in links} == {("En storby i vækst", "EU-midler til vækst"),
                                                                 ("Netværk", "")}


def test_coordinators_add_indicators_readers_cannot(login: Any, coordinator: User, reader: User,
                                                    goals: list[Goal], person: Any) -> None:
    client = login(coordinator)
    response = client.post("/goals/indicators/new/?municipality=0101", {
        "name": "Hjemtaget finansiering", "goal": goals[0].pk, "measure": "Kroner pr. år", "data_source": "Udsyn",
        "owner": person.pk, "frequency": "yearly", "computed": "funding_per_year", "unit": "kr.",
        "target_value": "50000000"})
    indicator = Indicator.objects.get()
    assert response.status_code == 302 and indicator.municipality.code == "0101"
    assert "Hjemtaget finansiering" in client.get("/goals/?municipality=0101").content.decode()
    missing = client.post("/goals/indicators/new/?municipality=0101", {"name": "Uden kilde", "frequency": "yearly"})
    assert missing.status_code == 400 and Indicator.objects.count() == 1
    assert login(reader).get("/goals/indicators/new/?municipality=0101").status_code == 403
    assert login(reader).get(f"/goals/indicators/{indicator.pk}/edit/").status_code == 403


def test_point_in_time_indicators_record_themselves_once_a_period(
        copenhagen: Municipality, goals: list[Goal], beijing: Engagement, atelier: Funding, person: Any) -> None:
    from udsyn.steering.observe import observe

    Alignment.objects.create(engagement=beijing, goal=goals[1])
    partnerships = Indicator.objects.create(municipality=copenhagen, goal=goals[1], name="Partnerskaber",
                                            measure="Antal", data_source="Udsyn", computed="active_partnerships",
                                            frequency="monthly")
    on_time = Indicator.objects.create(municipality=copenhagen, name="Rettidigt vurderet", measure="Andel",
                                       data_source="Udsyn", computed="reviewed_on_time", frequency="quarterly")
    funding = Indicator.objects.create(municipality=copenhagen, name="Hjemtaget finansiering", measure="Kroner",
                                       data_source="Udsyn", computed="funding_per_year")
    manual = Indicator.objects.create(municipality=copenhagen, name="Besøg", measure="Antal", data_source="Log",
                                      owner=person, frequency="monthly")
    day1 = datetime.date(2026, 1, 10)
    assert {(r.indicator.name, r.value) for r in observe(day1)} == {("Partnerskaber", 1),
                                                                    ("Rettidigt vurderet", 100)}
    assert observe(day1) == []  # the same day again: nothing more
    assert Observation.objects.count() == 2
    recorded = Observation.objects.get(indicator=partnerships)
    assert recorded.date == day1 and recorded.recorded_by is None and recorded.note
    assert recorded.history.count() == 1 and recorded.history.first().history_change_reason == recorded.note

    # The values change; within the month nothing is recorded, after it the partnership count is.
    health = Engagement.objects.get(title="Sundhedssamarbejde med Beijing")
    Alignment.objects.create(engagement=health, goal=goals[1])
    assert observe(datetime.date(2026, 2, 9)) == []
    assert [(r.indicator.name, r.value) for r in observe(datetime.date(2026, 2, 10))] == [("Partnerskaber", 2)]
    assert [(o.date, o.value) for o in partnerships.observations.order_by("date")] == [
        (day1, 1), (datetime.date(2026, 2, 10), 2)]
    later = status.values_of(partnerships, datetime.date(2026, 2, 20))
    assert later.series == [(day1, 1), (datetime.date(2026, 2, 10), 2), (datetime.date(2026, 2, 20), 2)]
    assert later.live == datetime.date(2026, 2, 20) and not later.late
    # The quarterly one waits for its quarter; the per-year and the manual ones are not recorded at all.
    assert [r.indicator.name for r in observe(datetime.date(2026, 4, 10))] == ["Partnerskaber", "Rettidigt vurderet"]
    assert on_time.observations.count() == 2
    assert not funding.observations.exists() and not manual.observations.exists()


def test_indicator_page_shows_recorded_values_and_todays(login: Any, reader: User, copenhagen: Municipality,
                                                          goals: list[Goal], beijing: Engagement) -> None:
    Alignment.objects.create(engagement=beijing, goal=goals[1])
    indicator = Indicator.objects.create(municipality=copenhagen, goal=goals[1], name="Partnerskaber",
                                         measure="Antal", data_source="Udsyn", computed="active_partnerships")
    Observation.objects.create(indicator=indicator, date=datetime.date(2025, 1, 1), value=4, note="Beregnet")
    page = login(reader).get(f"/en/goals/indicators/{indicator.pk}/").content.decode()
    assert "01/01/2025" in page and "Beregnet" in page and "computed now" in page
    assert "not updated" not in page.lower()


# Goal conformance per department: /goals/conformance/

@pytest.fixture
def steered(goals: list[Goal], eurocities: Engagement, beijing: Engagement, atelier: Funding) -> dict[str, Any]:
    """EUROCITIES (ØKF, with TMF and KFF) serves the first goal; the sister-city agreement (ØKF, with TMF),
    the health agreement (SUF) and ATELIER (TMF) serve none; no engagement serves the second goal."""
    Alignment.objects.create(engagement=eurocities, goal=goals[0], justification="Vækst")
    return {e.title: e for e in Engagement.objects.all()}


def _flagged(response: Any) -> dict[str, list[str]]:
    return {row.department.code: [e.title for e in row.unaligned]
            for row in response.context["report"].departments if row.unaligned}


def test_conformance_page_flags_engagements_and_goals_per_department(
        login: Any, coordinator: User, steered: dict[str, Any]) -> None:
    client = login(coordinator)
    response = client.get("/goals/conformance/?municipality=0101")
    assert response.status_code == 200
    assert _flagged(response) == {"ØKF": ["Søsterbyaftale med Beijing"], "SUF": ["Sundhedssamarbejde med Beijing"],
                                  "TMF": ["ATELIER"]}
    report = response.context["report"]
    assert [g.title for g in report.unserved_goals] == ["Et sundere København"]
    rows = {row.department.code: row for row in report.departments}
    assert (rows["ØKF"].led, rows["ØKF"].led_unaligned, rows["ØKF"].served) == (2, 1, 1)
    assert (rows["KFF"].led, rows["KFF"].served) == (0, 1)  # takes part in EUROCITIES
    page = response.content.decode()
    assert "EUROCITIES" not in page and "Et sundere København" in page
    for title in ("Søsterbyaftale med Beijing", "Sundhedssamarbejde med Beijing", "ATELIER"):
        assert f'/goals/links/new/{steered[title].pk}/' in page
    # Filtered by a department: what it leads and takes part in, and the goals none of them serve.
    tmf = client.get("/goals/conformance/?municipality=0101&department=TMF")
    assert _flagged(tmf) == {"TMF": ["ATELIER", "Søsterbyaftale med Beijing"]}
    assert [g.title for g in tmf.context["report"].unserved_goals] == ["Et sundere København"]
    suf = client.get("/goals/conformance/?department=SUF")
    assert _flagged(suf) == {"SUF": ["Sundhedssamarbejde med Beijing"]}
    assert [g.title for g in suf.context["report"].unserved_goals] == ["En storby i vækst", "Et sundere København"]
    assert "<strong>SUF</strong>" in suf.content.decode()
    # An unknown department shows them all.
    assert len(_flagged(client.get("/goals/conformance/?department=XYZ"))) == 3
    # The dashboard links to it, in Danish and in English.
    assert "/goals/conformance/?municipality=0101" in client.get("/goals/?municipality=0101").content.decode()
    english = client.get("/en/goals/conformance/?municipality=0101")
    assert english.status_code == 200 and "Goal conformance per department" in english.content.decode()


def test_conformance_page_editors_see_their_department_readers_read(
        login: Any, tmf_editor: User, reader: User, steered: dict[str, Any]) -> None:
    editor = login(tmf_editor).get("/goals/conformance/?municipality=0101&department=SUF")
    assert _flagged(editor) == {"TMF": ["ATELIER", "Søsterbyaftale med Beijing"]}
    page = editor.content.decode()
    assert 'name="department"' not in page and "Sundhedssamarbejde med Beijing" not in page
    assert f'/goals/links/new/{steered["ATELIER"].pk}/' in page
    # TMF takes part in the sister-city agreement but does not lead it: linking goals is the lead's.
    assert f'/goals/links/new/{steered["Søsterbyaftale med Beijing"].pk}/' not in page
    read = login(reader).get("/goals/conformance/?municipality=0101")
    assert len(_flagged(read)) == 3 and "/goals/links/new/" not in read.content.decode()
    assert 'id="choose-department"' in read.content.decode()


def test_conformance_page_needs_a_login(client: Any, copenhagen: Municipality) -> None:
    response = client.get("/goals/conformance/")
    assert response.status_code == 302 and response["Location"].startswith("/login/")


def test_conformance_page_queries_do_not_grow(login: Any, coordinator: User, steered: dict[str, Any],
                                              goals: list[Goal], make_engagement: Any) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def grow(n: int) -> None:
        start = Engagement.objects.count()
        for i in range(start, start + n):
            engagement = make_engagement(f"Engagement {i}", "ØKF", ("TMF", "KFF"))
            if i % 2:
                Alignment.objects.create(engagement=engagement, goal=goals[i % 2])

    def count(url: str) -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    client = login(coordinator)
    for url in ("/goals/conformance/?municipality=0101", "/goals/conformance/?municipality=0101&department=TMF"):
        client.get(url)
        grow(2)
        small = count(url)
        grow(12)
        assert count(url) == small <= 12, url
