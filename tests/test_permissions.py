"""Who may do what, checked on the server: by URL, by form and by POST, not only by hidden buttons."""

from typing import Any

import pytest

from udsyn.engagements.models import Engagement, Funding


def _form_data(engagement: Engagement, **changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "municipality": engagement.municipality_id, "title": engagement.title, "kind": engagement.kind,
        "status": engagement.status, "lead_department": engagement.lead_department_id,
        "participating_departments": [d.pk for d in engagement.participating_departments.all()],
    }
    for prefix in ("representatives", "links"):
        data.update({f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0"})
    data.update(changes)
    return data


def test_lead_department_editor_edits_the_engagement(login: Any, okf_editor: Any, eurocities: Engagement) -> None:
    client = login(okf_editor)
    assert client.get(f"/engagements/{eurocities.pk}/edit/").status_code == 200
    response = client.post(f"/engagements/{eurocities.pk}/edit/", _form_data(eurocities, title="Eurocities"))
    assert response.status_code == 302
    eurocities.refresh_from_db()
    assert eurocities.title == "Eurocities"


def test_participating_department_neither_changes_nor_deletes_the_core(
        login: Any, tmf_editor: Any, eurocities: Engagement) -> None:
    """Issue 14: a department that only participates could delete an engagement another department leads."""
    client = login(tmf_editor)
    assert client.get(f"/engagements/{eurocities.pk}/edit/").status_code == 403
    assert client.post(f"/engagements/{eurocities.pk}/edit/", _form_data(eurocities, title="X")).status_code == 403
    assert client.get(f"/engagements/{eurocities.pk}/delete/").status_code == 403
    assert client.post(f"/engagements/{eurocities.pk}/delete/").status_code == 403
    eurocities.refresh_from_db()
    assert eurocities.title == "EUROCITIES"
    page = client.get(eurocities.get_absolute_url()).content.decode()
    assert f"/engagements/{eurocities.pk}/delete/" not in page


def test_editor_cannot_open_or_post_another_departments_record(login: Any, suf_editor: Any,
                                                              eurocities: Engagement) -> None:
    client = login(suf_editor)
    assert client.get(f"/engagements/{eurocities.pk}/edit/").status_code == 403
    response = client.post(f"/engagements/{eurocities.pk}/edit/", _form_data(eurocities, title="Hacked"))
    assert response.status_code == 403
    assert client.post(f"/engagements/{eurocities.pk}/delete/").status_code == 403
    eurocities.refresh_from_db()
    assert eurocities.title == "EUROCITIES"
    # The detail page does not offer what the server refuses.
    page = client.get(eurocities.get_absolute_url()).content.decode()
    assert f"/engagements/{eurocities.pk}/edit/" not in page


def test_editor_cannot_move_a_record_out_of_the_department(login: Any, okf_editor: Any, eurocities: Engagement,
                                                          departments: Any) -> None:
    data = _form_data(eurocities, lead_department=departments["KFF"].pk)
    response = login(okf_editor).post(f"/engagements/{eurocities.pk}/edit/", data)
    assert response.status_code == 400
    assert response.context["form"].non_field_errors()
    eurocities.refresh_from_db()
    assert eurocities.lead_department == departments["ØKF"]


def test_editor_creates_only_for_own_department(login: Any, tmf_editor: Any, copenhagen: Any,
                                               departments: Any) -> None:
    client = login(tmf_editor)
    base = {"municipality": copenhagen.pk, "kind": "project", "status": "active"}
    for prefix in ("representatives", "links"):
        base.update({f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0"})
    refused = client.post("/engagements/add/", {**base, "title": "Andres projekt",
                                                "lead_department": departments["SUF"].pk})
    assert refused.status_code == 400
    assert not Engagement.objects.filter(title="Andres projekt").exists()
    joined = client.post("/engagements/add/", {**base, "title": "Fælles projekt",
                                               "lead_department": departments["SUF"].pk,
                                               "participating_departments": [departments["TMF"].pk]})
    assert joined.status_code == 400  # only the lead department's editors create it
    led = client.post("/engagements/add/", {**base, "title": "Eget projekt",
                                            "lead_department": departments["TMF"].pk})
    assert led.status_code == 302


def test_editor_sees_only_own_municipality_in_choices(login: Any, tmf_editor: Any, odense: Any) -> None:
    form = login(tmf_editor).get("/engagements/add/").context["form"]
    assert odense not in form.fields["municipality"].queryset
    assert all(d.municipality.code == "0101" for d in form.fields["lead_department"].queryset)


def test_editor_funding_is_scoped_too(login: Any, suf_editor: Any, tmf_editor: Any, atelier: Funding) -> None:
    assert login(suf_editor).get(f"/funding/{atelier.pk}/edit/").status_code == 403
    assert login(tmf_editor).get(f"/funding/{atelier.pk}/edit/").status_code == 200


def test_editor_cannot_change_municipality_records(login: Any, tmf_editor: Any, departments: Any) -> None:
    client = login(tmf_editor)
    assert client.get("/departments/{}/edit/".format(departments["TMF"].pk)).status_code == 403
    assert client.get("/departments/add/").status_code == 403
    # Shared reference records (partner organisations, cities) any editor may keep up to date.
    assert client.get("/cities/add/").status_code == 200


def test_coordinator_edits_everything_of_own_municipality_only(login: Any, coordinator: Any,
                                                              eurocities: Engagement, odense: Any,
                                                              make_engagement: Any) -> None:
    from udsyn.organisation.models import Department

    client = login(coordinator)
    assert client.get(f"/engagements/{eurocities.pk}/edit/").status_code == 200
    bmf = Department.objects.create(municipality=odense, code="BMF", name="Borgmesterforvaltningen")
    brno = Engagement.objects.create(municipality=odense, title="Venskabsby: Brno", kind="partnership",
                                     lead_department=bmf)
    assert client.get(f"/engagements/{brno.pk}/edit/").status_code == 403
    assert client.get(f"/departments/{bmf.pk}/edit/").status_code == 403


def test_reader_reads_but_never_writes(login: Any, reader: Any, eurocities: Engagement) -> None:
    client = login(reader)
    assert client.get(eurocities.get_absolute_url()).status_code == 200
    assert client.get("/engagements/add/").status_code == 403
    assert client.get(f"/engagements/{eurocities.pk}/edit/").status_code == 403
    assert client.post(f"/engagements/{eurocities.pk}/delete/").status_code == 403
    assert client.get("/import/").status_code == 403


def test_changeable_engagements_match_the_rules(okf_editor: Any, tmf_editor: Any, suf_editor: Any,
                                                coordinator: Any, reader: Any, eurocities: Engagement,
                                                beijing: Engagement) -> None:
    everything = Engagement.objects.all()
    assert set(everything.restrict(okf_editor, "change")) == {eurocities, beijing}
    assert not everything.restrict(tmf_editor, "change").exists()  # TMF only takes part
    assert set(everything.restrict(suf_editor, "change")) == {beijing.children.get()}
    assert set(everything.restrict(coordinator, "change")) == set(everything)
    assert not everything.restrict(reader, "change").exists()


@pytest.mark.parametrize("kind", ["editor", "reader"])
def test_restore_is_refused_without_rights(login: Any, kind: str, suf_editor: Any, reader: Any,
                                           eurocities: Engagement) -> None:
    eurocities.delete()
    record = Engagement.history.filter(history_type="-").get()
    user = suf_editor if kind == "editor" else reader
    response = login(user).post(f"/engagements/restore/{record.history_id}/")
    assert response.status_code == 403
    assert not Engagement.objects.filter(title="EUROCITIES").exists()
