"""The web application as a coordinator uses it: lists, filters, details both ways, create, edit, delete."""

from typing import Any

import pytest

from udsyn.engagements.models import City, Engagement, Theme


def test_anonymous_visitors_are_sent_to_log_in(client: Any, eurocities: Engagement) -> None:
    for url in ["/", "/engagements/", f"/engagements/{eurocities.pk}/", "/search/?q=x", "/import/"]:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith("/login/")


def test_login_page_is_danish_and_english(client: Any) -> None:
    assert 'lang="da"' in client.get("/login/").content.decode()
    assert 'lang="en"' in client.get("/en/login/").content.decode()


def test_start_page_shows_the_municipality_at_a_glance(login: Any, reader: Any, eurocities: Engagement,
                                                       atelier: Any) -> None:
    page = login(reader).get("/").content.decode()
    assert "Københavns Kommune" in page
    assert "250.000 kr." in page  # annual fee of the active membership
    assert "4.971.000 kr." in page  # funding registered
    english = login(reader).get("/en/").content.decode()
    assert "DKK 4,971,000" in english


def _titles(response: Any) -> set[str]:
    return {row.title for row in response.context["rows"]}


def test_engagement_list_filters(login: Any, reader: Any, eurocities: Engagement, beijing: Engagement,
                                 departments: Any) -> None:
    client = login(reader)
    assert _titles(client.get("/engagements/")) == {
        "EUROCITIES", "Søsterbyaftale med Beijing", "Sundhedssamarbejde med Beijing"
    }
    # A department finds what it leads and what it joins.
    assert _titles(client.get("/engagements/", {"department": departments["TMF"].pk})) == {
        "EUROCITIES", "Søsterbyaftale med Beijing"
    }
    assert _titles(client.get("/engagements/", {"kind": "partnership"})) == {
        "Søsterbyaftale med Beijing", "Sundhedssamarbejde med Beijing"
    }
    assert _titles(client.get("/engagements/", {"country": "CN"})) == {
        "Søsterbyaftale med Beijing", "Sundhedssamarbejde med Beijing"
    }
    assert _titles(client.get("/engagements/", {"country": "BE"})) == {"EUROCITIES"}
    assert _titles(client.get("/engagements/", {"partner": "beij"})) == {
        "Søsterbyaftale med Beijing", "Sundhedssamarbejde med Beijing"
    }
    theme = Theme.objects.get(name="Klima")
    assert _titles(client.get("/engagements/", {"theme": theme.pk})) == {"EUROCITIES"}
    assert _titles(client.get("/engagements/", {"q": "sundhed"})) == {"Sundhedssamarbejde med Beijing"}
    assert _titles(client.get("/engagements/", {"status": "ended"})) == set()


def test_engagement_list_sorts_and_paginates(login: Any, reader: Any, make_engagement: Any) -> None:
    for i in range(60):
        make_engagement(f"Netværk {i:02d}", annual_fee=i * 1000)
    client = login(reader)
    first = client.get("/engagements/", {"sort": "-annual_fee"})
    assert first.context["rows"][0].title == "Netværk 59"
    assert first.context["page"].paginator.num_pages == 2
    second = client.get("/engagements/", {"sort": "-annual_fee", "page": 2})
    assert second.context["rows"][0].title == "Netværk 09"
    # An unknown sort field falls back to the default instead of failing.
    assert client.get("/engagements/", {"sort": "password"}).status_code == 200


def test_htmx_filter_returns_only_the_table(login: Any, reader: Any, eurocities: Engagement) -> None:
    response = login(reader).get("/engagements/", {"kind": "membership"}, HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert "<table" in body and "<html" not in body


def test_relations_show_both_ways(login: Any, reader: Any, beijing: Engagement, eurocities: Engagement,
                                  departments: Any) -> None:
    client = login(reader)
    city_page = client.get("/cities/{}/".format(City.objects.get(name="Beijing").pk)).content.decode()
    assert "Søsterbyaftale med Beijing" in city_page and "Sundhedssamarbejde med Beijing" in city_page
    sister_page = client.get(beijing.get_absolute_url()).content.decode()
    assert "Sundhedssamarbejde med Beijing" in sister_page  # its sub-agreement
    tmf_page = client.get(departments["TMF"].get_absolute_url()).content.decode()
    assert "EUROCITIES" in tmf_page and "Søsterbyaftale med Beijing" in tmf_page
    org_page = client.get(eurocities.partner_organisations.get().get_absolute_url()).content.decode()
    assert "EUROCITIES" in org_page


def test_coordinator_creates_a_shared_engagement(login: Any, coordinator: Any, copenhagen: Any,
                                                departments: Any) -> None:
    response = login(coordinator).post("/engagements/add/", {
        "municipality": copenhagen.pk, "title": "C40", "kind": "membership", "status": "active",
        "lead_department": departments["ØKF"].pk,
        "participating_departments": [departments["TMF"].pk],
        "co_financing": "1130000",
        **_empty_formsets(),
    })
    assert response.status_code == 302
    c40 = Engagement.objects.get(title="C40")
    assert {d.code for d in c40.departments} == {"ØKF", "TMF"}
    assert response["Location"] == c40.get_absolute_url()


def _empty_formsets() -> dict[str, str]:
    data = {}
    for prefix in ("representatives", "links"):
        data.update({
            f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0",
            f"{prefix}-MIN_NUM_FORMS": "0", f"{prefix}-MAX_NUM_FORMS": "1000",
        })
    return data


def test_invalid_form_names_the_field_and_keeps_the_input(login: Any, coordinator: Any, copenhagen: Any,
                                                          departments: Any) -> None:
    response = login(coordinator).post("/engagements/add/", {
        "municipality": copenhagen.pk, "title": "Et netværk der skal afsluttes", "kind": "membership",
        "status": "terminated", "lead_department": departments["ØKF"].pk,
        "start_date": "2020-05-01", "end_date": "2019-01-01", "description": "Min lange beskrivelse",
        **_empty_formsets(),
    })
    assert response.status_code == 400
    form = response.context["form"]
    assert set(form.errors) >= {"termination_reason", "end_date"}
    page = response.content.decode()
    assert "Min lange beskrivelse" in page and "Et netværk der skal afsluttes" in page
    assert not Engagement.objects.filter(title="Et netværk der skal afsluttes").exists()


def test_representatives_are_edited_with_the_engagement(login: Any, coordinator: Any, eurocities: Engagement,
                                                         person: Any) -> None:
    data = {
        "municipality": eurocities.municipality_id, "title": "EUROCITIES", "kind": "membership",
        "status": "active", "lead_department": eurocities.lead_department_id,
        "participating_departments": [d.pk for d in eurocities.participating_departments.all()],
        **_empty_formsets(),
        "representatives-TOTAL_FORMS": "1", "representatives-0-person": person.pk,
        "representatives-0-role": "Medlem af bestyrelsen",
    }
    response = login(coordinator).post(f"/engagements/{eurocities.pk}/edit/", data)
    assert response.status_code == 302
    assert eurocities.representatives.get().role == "Medlem af bestyrelsen"
    assert "Medlem af bestyrelsen" in login(coordinator).get(eurocities.get_absolute_url()).content.decode()


def test_delete_is_refused_while_others_refer_to_the_record(login: Any, coordinator: Any,
                                                            beijing: Engagement) -> None:
    response = login(coordinator).post(f"/engagements/{beijing.pk}/delete/")
    assert response.status_code == 409
    assert "Sundhedssamarbejde med Beijing" in response.content.decode()
    assert Engagement.objects.filter(pk=beijing.pk).exists()


@pytest.mark.parametrize("url", [
    "/municipalities/", "/departments/", "/units/", "/people/", "/committees/", "/stated-figures/",
    "/organisations/", "/cities/", "/themes/", "/programmes/", "/funding/", "/strategies/",
    "/political-goals/", "/principles/", "/focus-areas/", "/engagements/deleted/",
])
def test_every_list_page_answers_in_both_languages(login: Any, reader: Any, eurocities: Engagement,
                                                   atelier: Any, url: str) -> None:
    client = login(reader)
    assert client.get(url).status_code == 200
    assert client.get("/en" + url).status_code == 200


def test_municipality_overview_counts_a_shared_engagement_once(
        login: Any, reader: Any, copenhagen: Any, make_engagement: Any) -> None:
    """An engagement with two participating departments is one engagement in the totals (the count once
    followed the join to its departments and said 3 for 2)."""
    make_engagement("EUROCITIES", "ØKF", ("TMF", "KFF"))
    make_engagement("C40", "TMF")
    overview = login(reader).get(f"/municipalities/{copenhagen.pk}/").context["overview"]
    assert (overview.total, overview.shared_count) == (2, 1)
