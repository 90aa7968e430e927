"""Shared data is safe: who may change or delete what (docs/permissions.md), and nothing in use is deleted."""

from typing import Any

import pytest
from django.contrib.auth.models import User

from udsyn.core.policy import allows, registered
from udsyn.engagements.models import City, Engagement, ExternalOrganisation, Representative
from udsyn.organisation.models import Department, Municipality, Person, Role


@pytest.fixture
def trondheim(odense: Municipality, copenhagen: Municipality) -> City:
    """Odense's twin-city agreement with Trondheim (seed 003)."""
    bmf = Department.objects.create(municipality=odense, code="BMF", name="Borgmesterforvaltningen")
    city = City.objects.create(name="Trondheim", country="NO")
    twin = Engagement.objects.create(municipality=odense, title="Venskabsby: Trondheim", kind="partnership",
                                     partnership_type="twin", lead_department=bmf)
    twin.partner_cities.add(city)
    return city


def test_an_editor_cannot_delete_a_city_another_municipality_uses(login: Any, tmf_editor: User,
                                                                 trondheim: City) -> None:
    """Issue 14: a Copenhagen editor deleted Trondheim, which Odense's agreement uses, without a warning."""
    client = login(tmf_editor)
    assert client.get(f"/cities/{trondheim.pk}/delete/").status_code == 403
    assert client.post(f"/cities/{trondheim.pk}/delete/").status_code == 403
    assert City.objects.filter(pk=trondheim.pk).exists()
    assert Engagement.objects.get(title="Venskabsby: Trondheim").partner_cities.get() == trondheim


def test_deleting_a_used_record_is_refused_and_lists_who_uses_it(login: Any, admin_user: User,
                                                                 trondheim: City) -> None:
    client = login(admin_user)
    page = client.get(f"/cities/{trondheim.pk}/delete/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "Venskabsby: Trondheim" in text and "Odense" in text and "BMF" in text
    assert "button-warning" not in text  # no delete button is offered
    response = client.post(f"/cities/{trondheim.pk}/delete/")
    assert response.status_code == 409
    assert "Venskabsby: Trondheim" in response.content.decode()
    assert Engagement.objects.get(title="Venskabsby: Trondheim").partner_cities.get() == trondheim


def test_an_unused_record_is_deleted_and_kept_in_history(login: Any, tmf_editor: User, copenhagen: Any) -> None:
    city = City.objects.create(name="Ushuaia", country="AR")
    response = login(tmf_editor).post(f"/cities/{city.pk}/delete/")
    assert response.status_code == 302
    assert not City.objects.filter(pk=city.pk).exists()
    deleted = City.history.get(id=city.pk, history_type="-")
    assert deleted.history_user == tmf_editor


def test_a_shared_organisation_used_elsewhere_is_changed_by_administrators_only(
        login: Any, tmf_editor: User, coordinator: User, admin_user: User, odense: Municipality,
        eurocities: Engagement) -> None:
    """Issue 14: the same editor renamed an organisation that Odense uses."""
    network = ExternalOrganisation.objects.get(name="EUROCITIES")
    # Used by Copenhagen alone: Copenhagen's staff keep it up to date.
    assert login(tmf_editor).get(f"/organisations/{network.pk}/edit/").status_code == 200
    bmf = Department.objects.create(municipality=odense, code="BMF", name="Borgmesterforvaltningen")
    theirs = Engagement.objects.create(municipality=odense, title="Eurocities", kind="membership",
                                       lead_department=bmf)
    theirs.partner_organisations.add(network)
    for user in (tmf_editor, coordinator):
        client = login(user)
        assert client.get(f"/organisations/{network.pk}/edit/").status_code == 403
        data = {"name": "Renamed", "kind": "network", "country": "BE", "aliases": "[]"}
        assert client.post(f"/organisations/{network.pk}/edit/", data).status_code == 403
    network.refresh_from_db()
    assert network.name == "EUROCITIES"
    assert login(admin_user).get(f"/organisations/{network.pk}/edit/").status_code == 200


def test_a_participating_department_keeps_its_own_representatives(
        tmf_editor: User, suf_editor: User, eurocities: Engagement, copenhagen: Municipality,
        departments: dict[str, Department]) -> None:
    own = Person.objects.create(municipality=copenhagen, name="Ane TMF", department=departments["TMF"])
    other = Person.objects.create(municipality=copenhagen, name="Bo ØKF", department=departments["ØKF"])
    assert allows(tmf_editor, "add", Representative(engagement=eurocities, person=own))
    assert not allows(tmf_editor, "add", Representative(engagement=eurocities, person=other))
    assert not allows(suf_editor, "add", Representative(engagement=eurocities, person=own))  # SUF is not in it
    assert not allows(tmf_editor, "change", eurocities)


def _users(copenhagen: Municipality, departments: dict[str, Department]) -> list[Any]:
    from django.contrib.auth.models import AnonymousUser

    users: list[Any] = [AnonymousUser()]
    for name, kind, department in (("a", Role.Kind.ADMINISTRATOR, None), ("c", Role.Kind.COORDINATOR, None),
                                   ("e", Role.Kind.EDITOR, departments["TMF"]),
                                   ("l", Role.Kind.EDITOR, departments["ØKF"]), ("r", Role.Kind.READER, None)):
        user = User.objects.create_user(username=name)
        Role.objects.create(user=user, kind=kind, municipality=copenhagen, department=department)
        users.append(User.objects.get(pk=user.pk))
    return users


def test_querysets_and_single_records_get_the_same_answer(
        copenhagen: Municipality, odense: Municipality, departments: dict[str, Department], eurocities: Engagement,
        beijing: Engagement, atelier: Any, person: Person, trondheim: City) -> None:
    """The policy answers twice from one declaration, as a filter and for one record: they agree for every
    record type, record, role and action."""
    Representative.objects.create(engagement=eurocities, person=person)
    users = _users(copenhagen, departments)
    checked = 0
    for model in registered():
        records = list(model._default_manager.all())
        for user in users:
            for action in ("view", "add", "change", "delete"):
                allowed = set(model._default_manager.restrict(user, action).values_list("pk", flat=True))
                for record in records:
                    assert (record.pk in allowed) == allows(user, action, record), (model, user, action, record)
                    checked += 1
    assert checked > 500


def test_docs_permissions_table_matches_the_registered_policy() -> None:
    from pathlib import Path

    from udsyn.core.policy import table

    text = (Path(__file__).resolve().parent.parent / "docs" / "permissions.md").read_text(encoding="utf-8")
    documented = text.split("<!-- policy-table -->\n", 1)[1].split("<!-- /policy-table -->", 1)[0]
    assert documented.strip() == table().strip(), "run scripts/permissions_table.py"


def test_a_coordinator_asks_for_a_change_kept_with_the_record(
        login: Any, coordinator: User, admin_user: User, trondheim: City, eurocities: Engagement,
        smtp: Any, django_capture_on_commit_callbacks: Any) -> None:
    """A shared record another municipality uses: the coordinator cannot change it, asks instead; the request
    is kept with the record, the administrators are told, and an administrator answers it."""
    admin_user.email = "it@kk.dk"
    admin_user.save()
    coordinator.email = "koordinator@kk.dk"
    coordinator.save()
    eurocities.partner_cities.add(trondheim)  # Copenhagen uses it too now; Odense did already
    client = login(coordinator)
    detail = client.get(trondheim.get_absolute_url()).content.decode()
    url = f"/change-requests/new/engagements/city/{trondheim.pk}/"
    assert url in detail
    assert client.post(url, {"text": ""}).status_code == 400
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"text": "Trondheim ligger i Trøndelag; tilføj navnet Nidaros som alias."})
    assert response.status_code == 302
    detail = client.get(trondheim.get_absolute_url()).content.decode()
    assert "Nidaros" in detail
    [mail] = smtp.to("it@kk.dk")
    assert "Nidaros" in smtp.body(mail) and len(smtp.messages) == 1
    # Only administrators answer.
    from udsyn.core.models import ChangeRequest

    asked = ChangeRequest.objects.get()
    assert client.post("/change-requests/", {"request": asked.pk, "state": "done"}).status_code == 403
    admin = login(admin_user)
    assert "Nidaros" in admin.get("/change-requests/").content.decode()
    assert admin.post("/change-requests/", {"request": asked.pk, "state": "done", "answer": "Tilføjet."}
                      ).status_code == 302
    asked.refresh_from_db()
    assert asked.state == "done" and asked.answered_by == admin_user
    assert "Nidaros" not in client.get(trondheim.get_absolute_url()).content.decode()  # no longer open
    # Someone who may change it themselves is not offered the request.
    assert url not in admin.get(trondheim.get_absolute_url()).content.decode()


def test_a_participating_department_edits_its_part_through_the_web(
        login: Any, tmf_editor: User, okf_editor: User, eurocities: Engagement, copenhagen: Municipality,
        departments: dict[str, Department]) -> None:
    own = Person.objects.create(municipality=copenhagen, name="Ane TMF", department=departments["TMF"])
    theirs = Person.objects.create(municipality=copenhagen, name="Bo ØKF", department=departments["ØKF"])
    Representative.objects.create(engagement=eurocities, person=theirs, role="Bestyrelsesmedlem")
    client = login(tmf_editor)
    url = f"/engagements/{eurocities.pk}/part/"
    assert url in client.get(eurocities.get_absolute_url()).content.decode()
    page = client.get(url)
    assert page.status_code == 200 and "Bo ØKF" not in page.content.decode()  # not theirs to change
    data = {"representatives-TOTAL_FORMS": "1", "representatives-INITIAL_FORMS": "0",
            "representatives-0-person": own.pk, "representatives-0-role": "Arbejdsgruppe"}
    assert client.post(url, data).status_code == 302
    assert set(eurocities.representatives.values_list("person__name", flat=True)) == {"Ane TMF", "Bo ØKF"}
    # Someone else's person cannot be slipped in.
    data["representatives-0-person"] = theirs.pk
    assert client.post(url, data).status_code == 400
    # The lead department edits the whole engagement instead; a department not in it has no part.
    assert login(okf_editor).get(url).status_code == 403
