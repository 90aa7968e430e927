"""Users and roles: invitations by e-mail, department editors of several departments, the users page, the
role's history, the superusers' admin and ``udsyn users``."""

import re
from collections.abc import Callable
from datetime import timedelta
from io import StringIO
from typing import Any

import pytest
from django.contrib import admin
from django.contrib.auth.models import User
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.mail import Inbox
from udsyn.core.policy import actor, allows
from udsyn.engagements.models import Engagement
from udsyn.organisation import accounts
from udsyn.organisation.accounts import AccountError, RoleSpec
from udsyn.organisation.models import Department, Invitation, Municipality, Role


def _link(inbox: Inbox, address: str) -> str:
    body = Inbox.body(inbox.to(address)[-1])
    found = re.search(r"https?://\S+/invitation/\S+/", body)
    assert found, body
    return _path(found.group(0))


def _path(link: str) -> str:
    """The path of an absolute link."""
    return "/" + link.split("://", 1)[1].split("/", 1)[1]


@pytest.fixture
def odense_coordinator(odense: Municipality) -> User:
    user = User.objects.create_user("koordinator-odense", password="secret-pass-123")
    Role.objects.create(user=user, kind=Role.Kind.COORDINATOR, municipality=odense)
    return user


# -- Invitations -----------------------------------------------------------------------------------------

def test_coordinator_invites_an_editor_of_two_departments_who_sets_a_password_and_is_signed_in(
        login: Callable[[User], Client], coordinator: User, departments: dict[str, Department], smtp: Inbox,
        django_capture_on_commit_callbacks: Any) -> None:
    client = login(coordinator)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/users/invite/", {
            "email": "Mette@kk.dk", "kind": "editor", "municipality": departments["TMF"].municipality_id,
            "department": departments["TMF"].pk, "other_departments": [departments["KFF"].pk]})
    assert response.status_code == 302
    assert Inbox.subject(smtp.to("Mette@kk.dk")[0]) == "Invitation til Udsyn"
    link = _link(smtp, "Mette@kk.dk")

    page = Client().get(link)
    assert page.status_code == 200 and "Mette@kk.dk" in page.content.decode()
    weak = Client().post(link, {"password1": "1234", "password2": "1234"})
    assert weak.status_code == 200 and 'id="id_password1_error"' in weak.content.decode()
    assert not User.objects.filter(email="Mette@kk.dk").exists()

    newcomer = Client()
    done = newcomer.post(link, {"first_name": "Mette", "last_name": "Holm", "password1": "Udsyn-kontor-2026",
                                "password2": "Udsyn-kontor-2026"})
    assert done.status_code == 302
    user = User.objects.get(email="Mette@kk.dk")
    assert user.get_full_name() == "Mette Holm" and user.check_password("Udsyn-kontor-2026")
    assert newcomer.get("/users/").status_code == 403  # signed in, as an editor
    who = actor(User.objects.get(pk=user.pk))
    assert who.kind == "editor" and who.departments == {departments["TMF"].pk, departments["KFF"].pk}
    again = Client().get(link)
    assert again.status_code == 410 and "brugt" in again.content.decode()


def test_an_expired_or_cancelled_or_unknown_link_shows_a_clear_page(
        login: Callable[[User], Client], coordinator: User, copenhagen: Municipality, settings: Any) -> None:
    settings.UDSYN_INVITATION_DAYS = 2
    invitation, link = accounts.do_invite(coordinator, "a@kk.dk", RoleSpec("reader", copenhagen))
    assert timedelta(days=1, hours=23) < invitation.expires - timezone.now() <= timedelta(days=2)
    path = _path(link)
    Invitation.objects.filter(pk=invitation.pk).update(expires=timezone.now() - timedelta(minutes=1))
    expired = Client().get(path)
    assert expired.status_code == 410 and "udløbet" in expired.content.decode()
    assert Client().post(path, {"password1": "Udsyn-kontor-2026", "password2": "Udsyn-kontor-2026"}).status_code == 410
    assert not User.objects.filter(email="a@kk.dk").exists()

    second, link2 = accounts.do_invite(coordinator, "b@kk.dk", RoleSpec("reader", copenhagen))
    response = login(coordinator).post(f"/users/invitations/{second.pk}/cancel/")
    assert response.status_code == 302
    cancelled = Client().get(_path(link2))
    assert cancelled.status_code == 410 and "annulleret" in cancelled.content.decode()
    assert Client().get("/invitation/no-such-secret/").status_code == 404


def test_a_new_invitation_to_the_same_address_cancels_the_older_one(coordinator: User,
                                                                    copenhagen: Municipality) -> None:
    first, _ = accounts.do_invite(coordinator, "a@kk.dk", RoleSpec("reader", copenhagen))
    accounts.do_invite(coordinator, "A@kk.dk", RoleSpec("coordinator", copenhagen))
    first.refresh_from_db()
    assert first.cancelled is not None
    assert Invitation.objects.filter(cancelled=None).count() == 1


def test_coordinator_invites_neither_administrators_nor_to_another_municipality(
        login: Callable[[User], Client], coordinator: User, odense: Municipality, copenhagen: Municipality,
        admin_user: User) -> None:
    with pytest.raises(AccountError):
        accounts.do_invite(coordinator, "x@kk.dk", RoleSpec("administrator", copenhagen))
    with pytest.raises(AccountError):
        accounts.do_invite(coordinator, "x@kk.dk", RoleSpec("reader", odense))
    page = login(coordinator).get("/users/invite/").content.decode()
    assert 'value="administrator"' not in page and 'value="coordinator"' in page
    posted = login(coordinator).post("/users/invite/", {"email": "x@kk.dk", "kind": "administrator",
                                                        "municipality": copenhagen.pk})
    assert posted.status_code == 200 and not Invitation.objects.exists()
    assert 'value="x@kk.dk"' in posted.content.decode()  # what was typed is kept
    # An administrator invites anywhere, also as administrator.
    invitation, _ = accounts.do_invite(admin_user, "it@kk.dk", RoleSpec("administrator"))
    assert invitation.kind == "administrator" and invitation.municipality is None
    # A coordinator may not invite the address of someone whose role they may not change.
    admin_user.email = "boss@kk.dk"
    admin_user.save()
    with pytest.raises(AccountError):
        accounts.do_invite(coordinator, "boss@kk.dk", RoleSpec("reader", copenhagen))


def test_editor_needs_a_department_of_the_invitations_municipality(
        coordinator: User, copenhagen: Municipality, odense: Municipality, departments: dict[str, Department]) -> None:
    with pytest.raises(AccountError) as missing:
        accounts.do_invite(coordinator, "x@kk.dk", RoleSpec("editor", copenhagen))
    assert missing.value.field == "department"
    elsewhere = Department.objects.create(municipality=odense, code="BUF", name="Børn")
    with pytest.raises(AccountError) as foreign:
        accounts.do_invite(coordinator, "x@kk.dk", RoleSpec("editor", copenhagen, departments["TMF"], (elsewhere,)))
    assert foreign.value.field == "other_departments"


def test_single_sign_on_accepts_the_open_invitation_for_the_users_address(
        coordinator: User, copenhagen: Municipality, settings: Any, departments: dict[str, Department]) -> None:
    settings.UDSYN_OIDC = {"label": "Microsoft Entra ID", "issuer": "https://login.example.dk", "client_id": "udsyn",
                           "client_secret": "", "scopes": "openid email", "mapping": {}}
    invitation, link = accounts.do_invite(coordinator, "sso@kk.dk", RoleSpec("editor", copenhagen, departments["SUF"]))
    page = Client().get(_path(link)).content.decode()
    assert 'href="/sso/oidc/login/"' in page and "Log på med Microsoft Entra ID" in page
    user = User.objects.create_user("sso-user", email="SSO@kk.dk")  # as the SSO backend would make them
    role = accounts.accept_open_invitation(user)
    assert role is not None and role.kind == "editor" and role.department == departments["SUF"]
    assert accounts.accept_open_invitation(user) is None  # it worked once
    invitation.refresh_from_db()
    assert invitation.accepted_by == user


# -- Several departments ---------------------------------------------------------------------------------

def test_an_editor_of_two_departments_edits_what_both_lead(
        coordinator: User, departments: dict[str, Department], make_engagement: Callable[..., Engagement]) -> None:
    led_by_tmf = make_engagement("Cykelbyer", "TMF")
    led_by_kff = make_engagement("Kulturbyer", "KFF")
    led_by_okf = make_engagement("Budgetnetværk", "ØKF")
    user = User.objects.create_user("to-afdelinger")
    Role.objects.create(user=user, kind=Role.Kind.READER, municipality=departments["TMF"].municipality)
    accounts.do_set_role(user, coordinator, RoleSpec("editor", None, departments["TMF"], (departments["KFF"],)))
    user = User.objects.get(pk=user.pk)
    assert allows(user, "change", led_by_tmf) and allows(user, "change", led_by_kff)
    assert not allows(user, "change", led_by_okf)
    assert set(Engagement.objects.restrict(user, "change")) == {led_by_tmf, led_by_kff}


# -- The users page and the actions ----------------------------------------------------------------------

def test_users_page_lists_the_coordinators_municipality_only(
        login: Callable[[User], Client], coordinator: User, tmf_editor: User, reader: User,
        odense_coordinator: User, admin_user: User, copenhagen: Municipality, odense: Municipality) -> None:
    tmf_editor.last_login = timezone.now()
    tmf_editor.save()
    accounts.do_invite(coordinator, "ny@kk.dk", RoleSpec("reader", copenhagen))
    accounts.do_invite(odense_coordinator, "ny@odense.dk", RoleSpec("reader", odense))
    page = login(coordinator).get("/users/").content.decode()
    assert "tmf" in page and "reader" in page and "koordinator-odense" not in page
    assert "ny@kk.dk" in page and "ny@odense.dk" not in page
    assert "aldrig" in page  # the reader never logged in
    assert login(coordinator).get(f"/users/{odense_coordinator.pk}/").status_code == 404
    for outsider in (tmf_editor, reader):
        assert login(outsider).get("/users/").status_code == 403
    assert 'href="/users/"' in login(coordinator).get("/").content.decode()
    assert 'href="/users/"' not in login(reader).get("/").content.decode()
    everyone = login(admin_user).get("/users/").content.decode()
    assert "koordinator-odense" in everyone and "ny@odense.dk" in everyone
    odense_only = login(admin_user).get("/users/?municipality=0461").content.decode()
    assert "koordinator-odense" in odense_only and ">tmf<" not in odense_only


def test_coordinator_changes_a_role_and_the_history_says_who(
        login: Callable[[User], Client], coordinator: User, tmf_editor: User,
        departments: dict[str, Department]) -> None:
    client = login(coordinator)
    response = client.post(f"/users/{tmf_editor.pk}/", {
        "kind": "editor", "municipality": departments["TMF"].municipality_id, "department": departments["TMF"].pk,
        "other_departments": [departments["SUF"].pk, departments["KFF"].pk]})
    assert response.status_code == 302
    role = Role.objects.get(user=tmf_editor)
    assert {d.code for d in role.other_departments.all()} == {"SUF", "KFF"}
    latest = role.history.order_by("-history_date", "-history_id").first()
    assert latest is not None and latest.history_user == coordinator
    assert {r.department.code for r in latest.other_departments.all()} == {"SUF", "KFF"}
    client.post(f"/users/{tmf_editor.pk}/", {"kind": "reader", "municipality": departments["TMF"].municipality_id})
    role.refresh_from_db()
    assert role.kind == "reader" and role.department is None and not role.other_departments.exists()
    page = client.get(f"/users/{tmf_editor.pk}/").content.decode()
    history = page.split('id="role-history"', 1)[1]
    assert history.count("koordinator") >= 2 and "TMF, KFF, SUF" in history


def test_coordinator_makes_nobody_administrator_and_leaves_other_municipalities_and_themselves_alone(
        login: Callable[[User], Client], coordinator: User, tmf_editor: User, odense_coordinator: User,
        admin_user: User, copenhagen: Municipality) -> None:
    with pytest.raises(AccountError):
        accounts.do_set_role(tmf_editor, coordinator, RoleSpec("administrator", copenhagen))
    with pytest.raises(AccountError):
        accounts.do_set_role(odense_coordinator, coordinator, RoleSpec("reader", copenhagen))
    with pytest.raises(AccountError):
        accounts.do_set_role(coordinator, coordinator, RoleSpec("reader", copenhagen))
    with pytest.raises(AccountError):
        accounts.do_deactivate(coordinator, coordinator)
    with pytest.raises(AccountError):
        accounts.do_deactivate(odense_coordinator, coordinator)
    admin_user.udsyn_role.municipality = copenhagen
    admin_user.udsyn_role.save()
    with pytest.raises(AccountError):  # an administrator placed in the municipality is still out of reach
        accounts.do_set_role(admin_user, coordinator, RoleSpec("reader", copenhagen))
    assert Role.objects.get(user=tmf_editor).kind == "editor"
    assert Role.objects.get(user=admin_user).kind == "administrator"
    posted = login(coordinator).post(f"/users/{tmf_editor.pk}/", {"kind": "administrator",
                                                                  "municipality": copenhagen.pk})
    assert posted.status_code == 200 and Role.objects.get(user=tmf_editor).kind == "editor"
    own_page = login(coordinator).get(f"/users/{coordinator.pk}/").content.decode()
    assert "Deaktivér" not in own_page and "Gem rollen" not in own_page


def test_deactivated_account_cannot_log_in_until_reactivated(
        login: Callable[[User], Client], coordinator: User, reader: User) -> None:
    client = login(coordinator)
    assert client.post(f"/users/{reader.pk}/active/", {"active": "0"}).status_code == 302
    reader.refresh_from_db()
    assert not reader.is_active
    assert not Client().login(username="reader", password="secret-pass-123")
    assert Role.objects.get(user=reader).history.first().history_change_reason == "Konto deaktiveret"
    client.post(f"/users/{reader.pk}/active/", {"active": "1"})
    assert Client().login(username="reader", password="secret-pass-123")


# -- The Django admin ------------------------------------------------------------------------------------

def test_superuser_opens_every_registered_models_list_and_nobody_else_gets_in(
        login: Callable[[User], Client], coordinator: User, eurocities: Engagement, person: Any) -> None:
    from django.apps import apps

    superuser = User.objects.create_superuser("root", "root@kk.dk", "secret-pass-123")
    client = login(superuser)
    registered = set(admin.site._registry)
    ours = {m for c in apps.get_app_configs() if c.name.startswith("udsyn.") for m in c.get_models()
            if not m._meta.auto_created and not m.__name__.startswith("Historical")}
    assert ours <= registered
    for model in registered:
        url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
        assert client.get(url).status_code == 200, url
    engagement_url = reverse("admin:engagements_engagement_change", args=[eurocities.pk])
    assert client.get(engagement_url).status_code == 200
    coordinator.is_staff = True  # even staff status does not open the admin without being a superuser
    coordinator.save()
    for url in ("/admin/", reverse("admin:engagements_engagement_changelist")):
        response = login(coordinator).get(url)
        assert response.status_code == 302 and "/admin/login/" in response["Location"]


# -- udsyn users -----------------------------------------------------------------------------------------

def _run(*args: str) -> str:
    out = StringIO()
    call_command("users", *args, stdout=out)
    return out.getvalue()


def test_users_command_adds_lists_sets_roles_and_deactivates(
        copenhagen: Municipality, departments: dict[str, Department], monkeypatch: Any) -> None:
    monkeypatch.setenv("NEW_PASSWORD", "Udsyn-kontor-2026")
    added = _run("add", "mette", "--email", "mette@kk.dk", "--role", "editor", "--municipality", "0101",
                 "--department", "TMF", "--department", "KFF", "--password-env", "NEW_PASSWORD")
    assert "mette" in added and "TMF, KFF" in added
    listing = _run("list", "--municipality", "0101")
    assert re.search(r"mette\s+mette@kk.dk\s+active\s+never\s+.*TMF, KFF", listing), listing
    assert Client().login(username="mette", password="Udsyn-kontor-2026")
    _run("set-role", "mette", "--role", "coordinator", "--municipality", "0101")
    role = Role.objects.get(user__username="mette")
    assert role.kind == "coordinator" and role.department is None
    assert "kommandolinje" in (role.history.first().history_change_reason or "")
    _run("deactivate", "mette")
    assert not User.objects.get(username="mette").is_active
    _run("deactivate", "mette", "--reactivate")
    assert User.objects.get(username="mette").is_active
    invited = _run("add", "x", "--invite", "--email", "ny@kk.dk", "--role", "reader", "--municipality", "0101")
    assert "/invitation/" in invited and Invitation.objects.filter(email="ny@kk.dk").exists()


@pytest.mark.parametrize(("args", "message"), [
    (("set-role", "nobody", "--role", "reader", "--municipality", "0101"), "No user is called 'nobody'"),
    (("add", "y", "--role", "boss", "--municipality", "0101"), "--role: 'boss' is not a role"),
    (("add", "y", "--role", "reader", "--municipality", "9999"), "--municipality: no municipality has the code"),
    (("add", "y", "--role", "editor", "--municipality", "0101", "--department", "XYZ"), "has no department 'XYZ'"),
    (("add", "y", "--role", "editor", "--municipality", "0101"), "needs at least one department"),
    (("add", "y", "--role", "reader"), "--municipality: "),
    (("add", "y", "--role", "reader", "--municipality", "0101", "--password-env", "UNSET_VAR_X"),
     "UNSET_VAR_X is empty"),
])
def test_users_command_names_the_argument_at_fault(departments: dict[str, Department], args: tuple[str, ...],
                                                   message: str) -> None:
    with pytest.raises(CommandError) as error:
        _run(*args)
    assert message in str(error.value)
    assert not User.objects.filter(username="y").exists()


def test_an_editor_of_two_departments_chooses_among_them_on_the_goals_conformance_page(
        login: Callable[[User], Client], coordinator: User, tmf_editor: User,
        departments: dict[str, Department]) -> None:
    accounts.do_set_role(tmf_editor, coordinator, RoleSpec("editor", None, departments["TMF"], (departments["KFF"],)))
    page = login(User.objects.get(pk=tmf_editor.pk)).get("/goals/conformance/?municipality=0101").content.decode()
    options = re.findall(r'<option value="([^"]*)"', page.split('name="department"', 1)[1].split("</select>", 1)[0])
    assert options == ["", "TMF", "KFF"]  # the main department first
    assert 'value="SUF"' not in page


def test_single_sign_on_after_opening_the_link_accepts_that_invitation_whatever_the_address(
        coordinator: User, copenhagen: Municipality, settings: Any) -> None:
    from django.test import RequestFactory

    invitation, link = accounts.do_invite(coordinator, "privat@example.org", RoleSpec("coordinator", copenhagen))
    browser = Client()
    assert browser.get(_path(link)).status_code == 200
    request = RequestFactory().get("/")
    request.session = browser.session  # the session the invitation page kept it in
    user = User.objects.create_user("mh@kk.dk", email="mh@kk.dk")  # the provider gave another address
    role = accounts.accept_session_invitation(request, user)
    assert role is not None and role.kind == "coordinator" and role.municipality == copenhagen
    assert accounts.accept_session_invitation(request, user) is None  # used, and gone from the session
    invitation.refresh_from_db()
    assert invitation.accepted_by == user
