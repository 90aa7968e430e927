"""Near-duplicate shared records: the matching (against a hand-labelled list of pairs), the warning on the
edit forms, the duplicates page and its permissions, merging (every relation moved, the name kept as an
alias that later imports match) and undoing a merge."""

import csv
from collections.abc import Callable, Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse
from django.utils import translation

from udsyn.core.exchange.importer import import_registry
from udsyn.engagements import duplicates, merge
from udsyn.engagements.models import (
    City,
    Engagement,
    ExternalOrganisation,
    Funding,
    FundingProgramme,
    Merge,
    Theme,
)
from udsyn.organisation.models import Department, Municipality

PAIRS = Path(__file__).parent / "data" / "duplicate_pairs.csv"
MODELS: dict[str, Any] = {
    "organisation": ExternalOrganisation, "city": City, "theme": Theme, "programme": FundingProgramme,
}


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    with translation.override("en"):
        yield


def _side(row: dict[str, str], side: str) -> duplicates.Entry:
    model = MODELS[row["model"]]
    kind = row[f"kind_{side}"]
    return duplicates.entry(model, row[f"name_{side}"], kind="" if kind == "other" else kind,
                            country=row[f"country_{side}"])


def test_the_labelled_pairs_are_told_apart_with_precision_and_recall() -> None:
    rows = list(csv.DictReader(PAIRS.open(encoding="utf-8")))
    assert len(rows) >= 60
    assert {r["duplicate"] for r in rows} == {"0", "1"}
    true_pos = false_pos = false_neg = 0
    wrong = []
    for row in rows:
        score, _reason = duplicates.compare(_side(row, "a"), _side(row, "b"))
        found, same = score > 0, row["duplicate"] == "1"
        true_pos += found and same
        false_pos += found and not same
        false_neg += same and not found
        if found != same:
            wrong.append((row["name_a"], row["name_b"], score))
    precision = true_pos / (true_pos + false_pos)
    recall = true_pos / (true_pos + false_neg)
    assert precision >= 0.95, wrong
    assert recall >= 0.9, wrong


@pytest.mark.parametrize(("model", "a", "b", "fields"), [
    (ExternalOrganisation, "Eurocities", "EUROCITIES", {"kind": "network", "country": "BE"}),
    (ExternalOrganisation, "Kbh. Universitet", "Københavns Universitet", {"kind": "university", "country": "DK"}),
    (City, "Kbh.", "København", {"country": "DK"}),
    (City, "Gøteborg", "Göteborg", {"country": "SE"}),
])
def test_the_named_examples_are_caught(db: None, model: Any, a: str, b: str, fields: dict[str, str]) -> None:
    existing = model.objects.create(name=b, **fields)
    found = duplicates.find_duplicates(model, a, kind=fields.get("kind"), country=fields.get("country"))
    assert [c.obj for c in found] == [existing]
    assert found[0].score >= 90


@pytest.mark.parametrize(("model", "a", "b", "fields"), [
    (City, "Aarhus", "Aalborg", {"country": "DK"}),
    (ExternalOrganisation, "Region Midt", "Region Syd", {"kind": "public_authority", "country": "DK"}),
    (ExternalOrganisation, "Malmö FF", "Malmö", {"kind": "association", "country": "SE"}),
])
def test_false_pairs_are_not(db: None, model: Any, a: str, b: str, fields: dict[str, str]) -> None:
    model.objects.create(name=b, **fields)
    assert duplicates.find_duplicates(model, a, kind=fields.get("kind"), country=fields.get("country")) == []


def test_kind_country_and_aliases_count(db: None) -> None:
    ExternalOrganisation.objects.create(name="Eurocities", kind="network", country="BE")
    network = ExternalOrganisation.objects.create(name="Union of the Baltic Cities", kind="network",
                                                  aliases=["UBC Sustainable Cities"])
    # Another kind, another country: not the same record.
    assert duplicates.find_duplicates(ExternalOrganisation, "EUROCITIES", kind="company", country="BE") == []
    assert duplicates.find_duplicates(ExternalOrganisation, "EUROCITIES", kind="network", country="FR") == []
    # An unknown country or kind ("other") is compared with all.
    assert len(duplicates.find_duplicates(ExternalOrganisation, "EUROCITIES", kind="other", country="")) == 1
    # A known alias and an acronym.
    found = duplicates.find_duplicates(ExternalOrganisation, "UBC Sustainable Cities", kind="network")
    assert [(c.obj, c.reason) for c in found] == [(network, "alias")]
    assert [c.obj for c in duplicates.find_duplicates(ExternalOrganisation, "UBC", kind="network")] == [network]
    # The record being edited is not its own duplicate.
    assert duplicates.find_duplicates(ExternalOrganisation, "UBC", kind="network", exclude_pk=network.pk) == []


def test_a_few_thousand_records_are_compared_in_a_fixed_number_of_queries(
        db: None, django_assert_max_num_queries: Any) -> None:
    """Speed is measured in benchmarks/, not here (a timed test fails on a loaded machine): what is checked is
    that the records are read once, whatever their number, and that the comparison finds the one match."""
    words = ["Nord", "Syd", "Øst", "Vest", "Grøn", "Blå", "Ny", "Gammel", "Stor", "Lille"]
    kinds = [k for k in ExternalOrganisation.Kind.values if k != "other"]
    countries = ["DK", "SE", "NO", "DE", "FI", "NL", "BE", "FR", "PL", "IT", "ES", "GB", ""]
    ExternalOrganisation.objects.bulk_create([
        ExternalOrganisation(name=f"{words[i % 10]} {words[i // 10 % 10]} {i} Forening",
                             kind=kinds[i % len(kinds)], country=countries[i % len(countries)])
        for i in range(3000)
    ])
    with django_assert_max_num_queries(2):
        found = duplicates.find_duplicates(ExternalOrganisation, "Nord Syd 10 Forening")
    assert [c.name for c in found] == ["Nord Syd 10 Forening"]
    with django_assert_max_num_queries(2):
        assert duplicates.find_pairs(ExternalOrganisation) == []


# --- The warning on the edit forms ---------------------------------------------------------------------


def test_creating_a_near_duplicate_warns_and_keeps_what_was_typed(
    eurocities: Engagement, coordinator: User, login: Callable[[User], Client],
) -> None:
    client = login(coordinator)
    existing = ExternalOrganisation.objects.get(name="EUROCITIES")
    url = reverse("engagements:externalorganisation_add")
    data = {"name": "Eurocities", "kind": "network", "country": "BE", "aliases": "Euro Cities network",
            "website": "https://eurocities.eu", "description": "Netværk af store byer"}
    response = client.post(url, data)
    assert response.status_code == 400
    page = response.content.decode()
    assert existing.get_absolute_url() in page
    assert "score 100" in page
    assert "This is a different record, save anyway" in page
    assert 'value="Euro Cities network"' in page and "Netværk af store byer" in page
    assert ExternalOrganisation.objects.count() == 1
    response = client.post(url, {**data, "not_duplicate": "on"})
    assert response.status_code == 302
    assert ExternalOrganisation.objects.filter(name="Eurocities").exists()


def test_editing_warns_only_when_the_name_changes(
    db: None, coordinator: User, login: Callable[[User], Client],
) -> None:
    client = login(coordinator)
    City.objects.create(name="Göteborg", country="SE", latitude=57.7, longitude=11.97)
    other = City.objects.create(name="Malmö", country="SE", latitude=55.6, longitude=13.0)
    url = reverse("engagements:city_edit", args=[other.pk])
    unchanged = {"name": "Malmö", "country": "SE", "aliases": "", "latitude": "55.6", "longitude": "13.0"}
    assert client.post(url, unchanged).status_code == 302
    response = client.post(url, {**unchanged, "name": "Gøteborg"})
    assert response.status_code == 400 and "Göteborg" in response.content.decode()
    other.refresh_from_db()
    assert other.name == "Malmö"


def test_a_theme_with_a_similar_name_warns(db: None, coordinator: User, login: Callable[[User], Client]) -> None:
    Theme.objects.create(name="Bæredygtig byudvikling", name_en="Sustainable urban development")
    response = login(coordinator).post(reverse("engagements:theme_add"), {
        "name": "Baeredygtig byudvikling", "name_en": "", "aliases": ""})
    assert response.status_code == 400
    assert Theme.objects.count() == 1


# --- The duplicates page --------------------------------------------------------------------------------


@pytest.fixture
def pair(eurocities: Engagement) -> tuple[ExternalOrganisation, ExternalOrganisation]:
    kept = ExternalOrganisation.objects.get(name="EUROCITIES")
    other = ExternalOrganisation.objects.create(name="Eurocities", kind="network", aliases=["Eurocities network"])
    return kept, other


def test_coordinators_and_admins_see_the_pairs_others_do_not(
    pair: tuple[ExternalOrganisation, ExternalOrganisation], coordinator: User, admin_user: User,
    tmf_editor: User, reader: User, login: Callable[[User], Client],
) -> None:
    url = reverse("engagements:duplicates", args=["organisations"])
    page = login(coordinator).get(url)
    assert page.status_code == 200
    text = page.content.decode()
    assert pair[0].get_absolute_url() in text and pair[1].get_absolute_url() in text
    assert "Merge…" not in text  # coordinators see, administrators merge
    assert "Merge…" in login(admin_user).get(url).content.decode()
    assert login(coordinator).get(reverse("engagements:duplicates_index")).status_code == 200
    for user in (tmf_editor, reader):
        assert login(user).get(url).status_code == 403
        assert login(user).get(reverse("engagements:merges")).status_code == 403
    assert Client().get(url).status_code == 302
    merge_url = reverse("engagements:merge", args=["organisations", pair[0].pk, pair[1].pk])
    assert login(coordinator).get(merge_url).status_code == 200
    assert login(coordinator).post(merge_url, {"keep": pair[0].pk}).status_code == 403
    assert ExternalOrganisation.objects.count() == 2


# --- Merging and undoing -----------------------------------------------------------------------------------


def test_merge_moves_every_relation_keeps_the_alias_and_records_history(
    make_engagement: Callable[..., Engagement], admin_user: User, login: Callable[[User], Client],
) -> None:
    kept = City.objects.create(name="Göteborg", country="SE", latitude=57.7, longitude=11.97)
    other = City.objects.create(name="Gothenburg", country="SE", aliases=["Goteborg stad"])
    only_other = make_engagement("Venskabsby Göteborg", kind=Engagement.Kind.PARTNERSHIP)
    only_other.partner_cities.add(other)
    both = make_engagement("Nordisk bynetværk")
    both.partner_cities.add(kept, other)
    client = login(admin_user)
    url = reverse("engagements:merge", args=["cities", kept.pk, other.pk])
    page = client.get(url).content.decode()
    assert "Venskabsby Göteborg" in page and "Nordisk bynetværk" in page
    response = client.post(url, {"keep": kept.pk})
    assert response.status_code == 302
    assert not City.objects.filter(pk=other.pk).exists()
    assert list(only_other.partner_cities.all()) == [kept]
    assert list(both.partner_cities.all()) == [kept]
    kept.refresh_from_db()
    assert kept.aliases == ["Gothenburg", "Goteborg stad"]
    reason = kept.history.first().history_change_reason
    assert reason == "Merged “Gothenburg” into “Göteborg”"
    assert kept.history.first().history_user == admin_user
    deletion = City.history.filter(id=other.pk, history_type="-").get()
    assert deletion.history_change_reason == reason and deletion.history_user == admin_user
    record = Merge.objects.get()
    assert record.user == admin_user and len(record.moved) == 2


def test_merge_moves_foreign_keys_and_a_later_import_matches_the_old_name(
    atelier: Funding, admin_user: User, copenhagen: Municipality, departments: dict[str, Department],
) -> None:
    kept = atelier.programme
    other = FundingProgramme.objects.create(name="H2020 programmet", source="eu")
    second = Funding.objects.create(municipality=copenhagen, title="Andet projekt", department=departments["TMF"],
                                    programme=other, amount_dkk=Decimal("1000"))
    organisation = ExternalOrganisation.objects.create(name="EUROCITIES", kind="network", country="BE")
    merged_away = ExternalOrganisation.objects.create(name="Euro-Cities", kind="network", country="BE")
    merge.merge(kept, other, admin_user)
    merge.merge(organisation, merged_away, admin_user)
    second.refresh_from_db()
    assert second.programme == kept
    result = import_registry("""
municipality: {code: "0101", name: København}
departments: [{code: TMF, name: Teknik- og Miljøforvaltningen}]
engagements:
  - title: Bynetværk
    kind: membership
    lead: TMF
    organisations: [Euro-Cities]
funding:
  - title: Tredje projekt
    department: TMF
    programme: H2020 programmet
    amount: 5000
""", filename="later.yaml", user=admin_user)
    assert result.ok, result.problems
    assert list(Engagement.objects.get(title="Bynetværk").partner_organisations.all()) == [organisation]
    assert Funding.objects.get(title="Tredje projekt").programme == kept
    assert ExternalOrganisation.objects.count() == 1 and FundingProgramme.objects.count() == 1


def test_a_merged_theme_is_matched_by_a_later_import(eurocities: Engagement, admin_user: User) -> None:
    kept = Theme.objects.get(name="Klima")
    other = Theme.objects.create(name="Klimaet", name_en="The climate")
    merge.merge(kept, other, admin_user)
    kept.refresh_from_db()
    assert kept.aliases == ["Klimaet", "The climate"]
    result = import_registry("""
municipality: {code: "0101", name: København}
departments: [{code: ØKF, name: Økonomiforvaltningen}]
engagements:
  - title: Klimanetværk
    kind: membership
    lead: ØKF
    themes: [Klimaet]
""", filename="later.yaml", user=admin_user)
    assert result.ok, result.problems
    assert list(Engagement.objects.get(title="Klimanetværk").themes.all()) == [kept]
    assert Theme.objects.count() == 1


def test_undo_restores_the_record_its_relations_and_the_aliases(
    make_engagement: Callable[..., Engagement], admin_user: User, login: Callable[[User], Client],
) -> None:
    kept = ExternalOrganisation.objects.create(name="EUROCITIES", kind="network", country="BE", aliases=["EC"])
    other = ExternalOrganisation.objects.create(name="Eurocities", kind="network", aliases=["Eurocities network"])
    only_other = make_engagement("Eurocities-medlemskab")
    only_other.partner_organisations.add(other)
    both = make_engagement("Bynetværk")
    both.partner_organisations.add(kept, other)
    only_kept = make_engagement("EUROCITIES Kultur")
    only_kept.partner_organisations.add(kept)
    record = merge.merge(kept, other, admin_user)
    client = login(admin_user)
    merges = client.get(reverse("engagements:merges")).content.decode()
    assert "Eurocities" in merges and reverse("engagements:merge_undo", args=[record.pk]) in merges
    response = client.post(reverse("engagements:merge_undo", args=[record.pk]))
    assert response.status_code == 302
    restored = ExternalOrganisation.objects.get(pk=other.pk)
    assert restored.name == "Eurocities" and restored.aliases == ["Eurocities network"]
    assert list(only_other.partner_organisations.all()) == [restored]
    assert set(both.partner_organisations.all()) == {kept, restored}
    assert list(only_kept.partner_organisations.all()) == [kept]
    kept.refresh_from_db()
    assert kept.aliases == ["EC"]
    assert kept.history.first().history_change_reason == "Undid the merge of “Eurocities” into “EUROCITIES”"
    assert restored.history.first().history_user == admin_user
    record.refresh_from_db()
    assert record.undone is not None and record.undone_by == admin_user
    # Undone once only.
    with pytest.raises(merge.MergeError):
        merge.undo(record, admin_user)


def test_a_failed_merge_changes_nothing(eurocities: Engagement, admin_user: User) -> None:
    kept = ExternalOrganisation.objects.get(name="EUROCITIES")
    with pytest.raises(merge.MergeError):
        merge.merge(kept, kept, admin_user)
    with pytest.raises(merge.MergeError):
        merge.merge(kept, City.objects.create(name="Bruxelles", country="BE"), admin_user)
    assert Merge.objects.count() == 0
    assert list(eurocities.partner_organisations.all()) == [kept]
