from typing import Any

import pytest

from tests.roles import ADMIN
from udsyn.core import search
from udsyn.core.text import fold
from udsyn.engagements.models import City, Engagement


@pytest.mark.parametrize("spelling", ["København", "Kobenhavn", "københavn", "KØBENHAVN", "Koebenhavn"])
def test_danish_spellings_fold_alike(spelling: str) -> None:
    assert fold(spelling) == fold("København")


def test_aa_and_accents_fold() -> None:
    assert fold("Århus") == fold("Aarhus")
    assert fold("Klaksvík") == "klaksvik"
    assert fold("Ängelholm") == fold("Angelholm")


@pytest.mark.parametrize("query", ["Kobenhavn", "københavn", "KOBENHAVN"])
def test_search_finds_copenhagen_however_typed(copenhagen: Any, query: str, login: Any, admin_user: Any) -> None:
    response = login(admin_user).get("/search/", {"q": query})
    assert response.status_code == 200
    assert "Københavns Kommune" in response.content.decode()


def test_search_covers_engagements_cities_and_organisations(eurocities: Engagement, beijing: Engagement) -> None:
    titles = {hit.title for hit in search.query("eurocities", ADMIN)}
    assert "EUROCITIES" in titles
    kinds = {hit.model for hit in search.query("beijing", ADMIN)}
    assert {"city", "engagement"} <= kinds


def test_search_requires_every_word(eurocities: Engagement, beijing: Engagement) -> None:
    assert {h.title for h in search.query("søsterbyaftale beijing", ADMIN)} == {"Søsterbyaftale med Beijing"}


def test_search_tolerates_a_typo(beijing: Engagement) -> None:
    assert "Beijing" in {h.title for h in search.query("Bejing", ADMIN)}


def test_index_follows_renames_and_deletes(beijing: Engagement) -> None:
    city = City.objects.get(name="Beijing")
    city.name = "Peking"
    city.save()
    assert "Peking" in {h.title for h in search.query("peking", ADMIN)}
    city.delete()
    assert "Peking" not in {h.title for h in search.query("peking", ADMIN)}


def test_rebuild_indexes_everything(eurocities: Engagement) -> None:
    from udsyn.core.models import SearchEntry

    SearchEntry.objects.all().delete()
    assert search.rebuild() >= 3
    assert {h.title for h in search.query("eurocities", ADMIN)} >= {"EUROCITIES"}
