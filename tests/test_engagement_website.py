"""An engagement's website (issue 15, "adding a field touches one app"): kept by the edit form with its history,
shown on the engagement's page, open data in the anonymous API and the open exports unless marked internal,
and imported from a registry file and from tables."""

from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client
from rest_framework.test import APIClient

from tests.test_history import _edit
from udsyn.core.exchange.importer import import_registry
from udsyn.engagements.models import Engagement
from udsyn.interop import tabular

pytestmark = pytest.mark.django_db

SITE = "https://eurocities.eu/"


def test_an_editor_gives_the_website_and_everyone_may_read_it(
        login: Any, okf_editor: User, eurocities: Engagement) -> None:
    client = login(okf_editor)
    refused = _edit(client, eurocities, website="not a link")
    assert refused.status_code == 400 and 'value="not a link"' in refused.content.decode()  # kept in the form
    response = _edit(client, eurocities, website=SITE)
    assert response.status_code == 302
    eurocities.refresh_from_db()
    assert eurocities.website == SITE
    assert eurocities.history.latest("history_date").history_user == okf_editor  # type: ignore[attr-defined]
    assert f'<a href="{SITE}">{SITE}</a>' in client.get(eurocities.get_absolute_url()).content.decode()

    anonymous = APIClient().get(f"/api/engagements/{eurocities.pk}/").json()
    assert anonymous["website"] == SITE
    rows = list(tabular.export_rows(tabular.by_name()["engagements"]))
    assert [row["website"] for row in rows] == [SITE]

    eurocities.internal_fields = ["website"]
    eurocities.save()
    assert APIClient().get(f"/api/engagements/{eurocities.pk}/").json()["website"] is None
    assert [row["website"] for row in tabular.export_rows(tabular.by_name()["engagements"])] == [None]
    assert [row["website"] for row in tabular.export_rows(tabular.by_name()["engagements"], internal=True)] == [SITE]


def test_the_website_is_imported_from_a_registry_file_and_from_tables(
        coordinator: User, eurocities: Engagement, client: Client) -> None:
    result = import_registry(
        'municipality:\n  code: "0101"\n  name: København\nengagements:\n  - title: EUROCITIES\n'
        f"    kind: membership\n    lead: ØKF\n    website: {SITE}\n", filename="kbh.yaml", user=coordinator)
    assert result.ok, result.problems
    eurocities.refresh_from_db()
    assert eurocities.website == SITE

    content = f"municipality,title,kind,lead,website\r\n0101,EUROCITIES,membership,ØKF,{SITE}x\r\n".encode()
    result = tabular.import_tables(tabular.read("engagements.csv", content), user=coordinator)
    assert result.ok, result.problems
    eurocities.refresh_from_db()
    assert eurocities.website == SITE + "x"

    bad = b"municipality,title,kind,lead,website\r\n0101,EUROCITIES,membership,\xc3\x98KF,no link\r\n"
    result = tabular.import_tables(tabular.read("engagements.csv", bad), user=coordinator)
    assert [(problem.line, problem.field) for problem in result.problems] == [(2, "website")]
