"""Every create, change and delete is kept with who, when and what; deleted records can be restored."""

from typing import Any

from django.utils import translation

from udsyn.core import history
from udsyn.engagements.models import Engagement, ExternalOrganisation


def _edit(client: Any, engagement: Engagement, **changes: Any) -> Any:
    data: dict[str, Any] = {
        "municipality": engagement.municipality_id, "title": engagement.title, "kind": engagement.kind,
        "status": engagement.status, "lead_department": engagement.lead_department_id,
        "participating_departments": [d.pk for d in engagement.participating_departments.all()],
        "annual_fee": engagement.annual_fee or "",
        "themes": [t.pk for t in engagement.themes.all()],
        "partner_organisations": [o.pk for o in engagement.partner_organisations.all()],
        "partner_cities": [c.pk for c in engagement.partner_cities.all()],
    }
    for prefix in ("representatives", "links"):
        data.update({f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0"})
    data.update(changes)
    return client.post(f"/engagements/{engagement.pk}/edit/", data)


def test_a_change_is_kept_with_who_when_and_a_field_diff(login: Any, okf_editor: Any,
                                                         eurocities: Engagement) -> None:
    response = _edit(login(okf_editor), eurocities, annual_fee="300000", status="active")
    assert response.status_code == 302
    with translation.override("en"):
        latest = history.entries(eurocities.history.all(), Engagement)[0]
        assert latest.record.history_user == okf_editor
        assert latest.kind == "~"
        changes = {c.field: (c.old, c.new) for c in latest.changes}
        assert changes == {"annual fee (DKK)": ("250000.00", "300000.00")}
        assert latest.summary == "Changed annual fee (DKK)"
    with translation.override("da"):
        assert history.entries(eurocities.history.all(), Engagement)[0].summary == "Ændret: årligt kontingent (kr.)"


def test_history_page_shows_every_change(login: Any, coordinator: Any, eurocities: Engagement,
                                         departments: Any) -> None:
    client = login(coordinator)
    _edit(client, eurocities, participating_departments=[departments["TMF"].pk])
    page = client.get(f"/en/engagements/{eurocities.pk}/history/").content.decode()
    assert "koordinator" in page
    assert "Changed participating departments" in page
    assert "Created" in page
    # The record's own page shows the latest changes as one-line summaries.
    detail = client.get(f"/en/engagements/{eurocities.pk}/").content.decode()
    assert "Changed participating departments" in detail


def test_deleted_engagement_is_restored_with_its_relations(login: Any, coordinator: Any,
                                                           eurocities: Engagement) -> None:
    client = login(coordinator)
    departments_before = {d.code for d in eurocities.participating_departments.all()}
    assert client.post(f"/engagements/{eurocities.pk}/delete/").status_code == 302
    assert not Engagement.objects.filter(title="EUROCITIES").exists()

    deleted = client.get("/engagements/deleted/")
    assert "EUROCITIES" in deleted.content.decode()
    record = deleted.context["records"][0]
    response = client.post(f"/engagements/restore/{record.history_id}/")
    assert response.status_code == 302

    restored = Engagement.objects.get(title="EUROCITIES")
    assert {d.code for d in restored.participating_departments.all()} == departments_before
    assert restored.partner_organisations.get() == ExternalOrganisation.objects.get(name="EUROCITIES")
    assert restored.history.first().history_user == coordinator
    assert client.get("/engagements/deleted/").context["records"] == []
    # Restored records are searchable again.
    assert "EUROCITIES" in client.get("/search/", {"q": "eurocities"}).content.decode()


def test_history_survives_deletion(login: Any, coordinator: Any, eurocities: Engagement) -> None:
    client = login(coordinator)
    pk = eurocities.pk
    client.post(f"/engagements/{pk}/delete/")
    page = client.get(f"/en/engagements/{pk}/history/").content.decode()
    assert "Deleted" in page and "This record has been deleted." in page
