"""Steering by goals: goal links, conformance, review schedules and due dates, reviews with their costs
and scores, ending an engagement, indicators (computed and late), and who may see which reviews."""

import datetime
from decimal import Decimal
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.utils import translation

from udsyn.engagements.models import Engagement, Funding
from udsyn.interop.registry import import_registry
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


def test_goal_links_from_the_engagement_page(login: Any, tmf_editor: User, eurocities: Engagement,
                                             goals: list[Goal]) -> None:
    client = login(tmf_editor)
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
