"""Writes to users and roles: invite by e-mail, accept an invitation, set a role, deactivate and reactivate
an account, cancel an invitation. Each action checks the permission policy (``udsyn/organisation/policies.py``),
writes in one transaction, keeps the role's history (who changed it and why) and sends mail on commit.

``by=None`` means the command line (``udsyn users …``): whoever runs it has the installation's shell and
is trusted as an administrator; the history then names no user and says "command line".

Single sign-on calls ``accept_open_invitation(user)`` after a login: an open invitation for the user's
e-mail address gives them its role.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from udsyn.core.policy import allows, forget_actor
from udsyn.core.tasks import send_mail_later
from udsyn.core.urls_helpers import absolute_url
from udsyn.organisation.models import Department, Invitation, Municipality, Role


class AccountError(Exception):
    """A request the action refuses: not allowed, or bad input. ``field`` names the form field at fault."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


@dataclass
class RoleSpec:
    """A role as asked for: its kind, municipality, main department and other departments."""

    kind: str
    municipality: Municipality | None = None
    department: Department | None = None
    other_departments: tuple[Department, ...] = ()

    def cleaned(self) -> RoleSpec:
        """The role made consistent, or AccountError naming the field at fault."""
        if self.kind not in Role.Kind.values:
            raise AccountError(_("Unknown role “{kind}”.").format(kind=self.kind), "kind")
        others = tuple(d for d in self.other_departments if d != self.department)
        if self.kind != Role.Kind.EDITOR:
            department, others = None, ()
        else:
            department = self.department or (others[0] if others else None)
            others = tuple(d for d in others if d != department)
            if department is None:
                raise AccountError(_("A department editor needs at least one department."), "department")
        municipality = self.municipality
        if municipality is None and department is not None:
            municipality = department.municipality
        if self.kind != Role.Kind.ADMINISTRATOR and municipality is None:
            raise AccountError(_("Choose the municipality of the role."), "municipality")
        for d in (department, *others):
            if d is not None and municipality is not None and d.municipality_id != municipality.pk:
                raise AccountError(_("The department {code} belongs to another municipality.").format(code=d.code),
                                   "other_departments" if d in others else "department")
        return RoleSpec(self.kind, municipality, department, others)

    def as_role(self, role: Role) -> Role:
        """``role`` (saved or not) carrying this specification, for the policy to judge before it is saved."""
        role.kind, role.municipality, role.department = self.kind, self.municipality, self.department
        role._pending_other_departments = list(self.other_departments)  # type: ignore[attr-defined]
        return role


def _check(by: Any, action: str, obj: Any, message: str) -> None:
    if by is not None and not allows(by, action, obj):
        raise AccountError(message)


def _reason(by: Any, text: str) -> str:
    return text if by is not None else "{} ({})".format(text, _("command line"))


def role_of_user(user: Any) -> Role:
    """The user's role, or an unsaved reader role without a municipality when they have none."""
    return Role.objects.filter(user=user).first() or Role(user=user, kind=Role.Kind.READER)


def _write_role(user: Any, spec: RoleSpec, by: Any, reason: str) -> Role:
    """Save the role with its other departments as one history entry naming who changed it."""
    role = Role.objects.select_for_update().filter(user=user).first()
    new = role is None
    if role is None:
        role = Role(user=user)
    role.kind, role.municipality, role.department = spec.kind, spec.municipality, spec.department
    # The departments are written without history, then one save records the whole new state.
    role.skip_history_when_saving = True  # type: ignore[attr-defined]
    if new:
        role.save()
    role.other_departments.set(spec.other_departments)
    del role.skip_history_when_saving  # type: ignore[attr-defined]
    role._history_user = by  # type: ignore[attr-defined]
    role._change_reason = reason  # type: ignore[attr-defined]
    role.save()
    forget_actor(user)
    return role


# -- Invitations -----------------------------------------------------------------------------------------

def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def invitation_days() -> int:
    return int(getattr(settings, "UDSYN_INVITATION_DAYS", 7))


def find_invitation(token: str) -> Invitation | None:
    """The invitation a link's secret belongs to (open or not), or None."""
    return Invitation.objects.select_related("municipality", "department", "invited_by").filter(
        token_digest=_digest(token)).first()


def do_invite(by: Any, email: str, spec: RoleSpec) -> tuple[Invitation, str]:
    """Invite a person by e-mail to a role. Returns the invitation and its link (also sent by mail). An older
    open invitation to the same address is cancelled."""
    email = email.strip()
    try:
        validate_email(email)
    except ValidationError:
        raise AccountError(_("Enter a valid e-mail address."), "email") from None
    spec = spec.cleaned()
    invitation = Invitation(email=email, kind=spec.kind, municipality=spec.municipality,
                            department=spec.department, invited_by=by)
    _check(by, "add", invitation, _("You may not invite anyone to this role."))
    existing = get_user_model()._default_manager.filter(email__iexact=email).first()
    if existing is not None:
        role = Role.objects.filter(user=existing).first()
        if role is not None:
            _check(by, "change", role, _("{email} has a role you may not change.").format(email=email))
    token = secrets.token_urlsafe(32)
    invitation.token_digest = _digest(token)
    invitation.expires = timezone.now() + timedelta(days=invitation_days())
    with transaction.atomic():
        Invitation.objects.filter(email__iexact=email, accepted=None, cancelled=None).update(cancelled=timezone.now())
        invitation.save()
        invitation.other_departments.set(spec.other_departments)
        with translation.override(settings.LANGUAGE_CODE):  # the link in the mail's language
            link = absolute_url(reverse("organisation:invitation", args=[token]))
        _mail_invitation(invitation, link)
    return invitation, link


def _mail_invitation(invitation: Invitation, link: str) -> None:
    by = invitation.invited_by
    with translation.override(settings.LANGUAGE_CODE):
        where = str(invitation.municipality) if invitation.municipality else _("the whole installation")
        subject = _("Invitation to Udsyn")
        body = _(
            "{inviter} invites you to Udsyn, the registry of {where}'s international work, as {role}.\n\n"
            "Open this link to set your password and sign in. It works once, until {expires}:\n\n{link}\n"
        ).format(inviter=(by.get_full_name() or by.get_username()) if by else "Udsyn", where=where,
                 role=invitation.get_kind_display(), link=link,
                 expires=formats.date_format(timezone.localtime(invitation.expires), "DATETIME_FORMAT"))
    address = invitation.email
    send_mail_later(subject, body, [address])  # by a worker, once the invitation is committed


def _refusal(invitation: Invitation) -> str | None:
    if invitation.accepted is not None:
        return _("This invitation has been used already.")
    if invitation.cancelled is not None:
        return _("This invitation has been cancelled.")
    if not invitation.is_open():
        return _("This invitation has expired.")
    return None


def accept_invitation(invitation: Invitation, user: Any) -> Role:
    """Give ``user`` the invitation's role and close the invitation (it works once). The user proved they
    read the invitation's e-mail (by its link, or by single sign-on with that address)."""
    with transaction.atomic():
        locked = Invitation.objects.select_for_update().get(pk=invitation.pk)
        refusal = _refusal(locked)
        if refusal:
            raise AccountError(refusal)
        current = Role.objects.filter(user=user).first()
        if current is not None and locked.invited_by is not None and not allows(locked.invited_by, "change", current):
            raise AccountError(_("Your account has a role the invitation may not change."))
        if not user.email:
            user.email = locked.email
            user.save(update_fields=["email"])
        spec = RoleSpec(locked.kind, locked.municipality, locked.department, tuple(locked.other_departments.all()))
        inviter = locked.invited_by
        role = _write_role(user, spec, inviter, _("Accepted the invitation from {name}").format(
            name=(inviter.get_full_name() or inviter.get_username()) if inviter else _("command line")))
        locked.accepted, locked.accepted_by = timezone.now(), user
        locked.save(update_fields=["accepted", "accepted_by"])
    invitation.accepted, invitation.accepted_by = locked.accepted, user
    return role


def accept_open_invitation(user: Any) -> Role | None:
    """After a single sign-on: accept the newest open invitation for the user's e-mail address, if any."""
    if not user.email:
        return None
    now = timezone.now()
    invitation = Invitation.objects.filter(email__iexact=user.email, accepted=None, cancelled=None,
                                           expires__gt=now).order_by("-created").first()
    return accept_invitation(invitation, user) if invitation is not None else None


SESSION_KEY = "udsyn_invitation"


def remember_invitation(request: Any, invitation: Invitation) -> None:
    """The invitation page keeps the opened invitation in the session, for a single sign-on that follows."""
    if hasattr(request, "session"):
        request.session[SESSION_KEY] = invitation.pk


def accept_session_invitation(request: Any, user: Any) -> Role | None:
    """For the single sign-on hook: accept the invitation opened in this browser (its link proved the
    e-mail address; the sign-on proves the person), else an open invitation for the user's e-mail address.
    None when there is none (or it is no longer open)."""
    pk = request.session.pop(SESSION_KEY, None) if request is not None and hasattr(request, "session") else None
    invitation = Invitation.objects.filter(pk=pk).first() if pk else None
    if invitation is not None and _refusal(invitation) is None:
        return accept_invitation(invitation, user)
    return accept_open_invitation(user)


def create_invited_user(invitation: Invitation, password: str, first_name: str = "", last_name: str = "") -> Any:
    """The person who opened the invitation's link: their account (made now, or the one with that e-mail
    address) gets the password and the invitation's role."""
    User = get_user_model()
    with transaction.atomic():
        refusal = _refusal(invitation)
        if refusal:
            raise AccountError(refusal)
        user = User._default_manager.filter(email__iexact=invitation.email).first()
        if user is None:
            username = invitation.email.lower()
            if User._default_manager.filter(username=username).exists():
                username = f"{username}-{secrets.token_hex(3)}"
            user = User(username=username, email=invitation.email)
        user.first_name = first_name.strip() or user.first_name
        user.last_name = last_name.strip() or user.last_name
        user.is_active = True
        user.set_password(password)
        user.save()
        accept_invitation(invitation, user)
    return user


def do_cancel_invitation(invitation: Invitation, by: Any) -> None:
    _check(by, "change", invitation, _("You may not cancel this invitation."))
    with transaction.atomic():
        locked = Invitation.objects.select_for_update().get(pk=invitation.pk)
        if locked.accepted is not None:
            raise AccountError(_("This invitation has been used already."))
        if locked.cancelled is None:
            locked.cancelled = timezone.now()
            locked.save(update_fields=["cancelled"])


# -- Roles and accounts ----------------------------------------------------------------------------------

def do_set_role(user: Any, by: Any, spec: RoleSpec, reason: str = "") -> Role:
    """Give ``user`` the role. The role as it stands and as it would be saved are both judged: a coordinator
    changes their own municipality's roles and makes nobody administrator."""
    spec = spec.cleaned()
    if by is not None and user.pk == by.pk:
        raise AccountError(_("You cannot change your own role; ask another coordinator or an administrator."))
    current = role_of_user(user)
    _check(by, "change" if current.pk else "add", current, _("You may not change this user's role."))
    _check(by, "change", spec.as_role(Role(user=user)), _("You may not give this role."), )
    with transaction.atomic():
        return _write_role(user, spec, by, _reason(by, reason or _("Role changed")))


def _set_active(user: Any, by: Any, active: bool) -> None:
    if by is not None and user.pk == by.pk:
        raise AccountError(_("You cannot deactivate your own account."))
    role = role_of_user(user)
    _check(by, "deactivate", role, _("You may not deactivate or reactivate this account."))
    with transaction.atomic():
        user.is_active = active
        user.save(update_fields=["is_active"])
        if role.pk:  # the role's history tells who (de)activated the account
            role._history_user = by  # type: ignore[attr-defined]
            reason = _("Account reactivated") if active else _("Account deactivated")
            role._change_reason = _reason(by, reason)  # type: ignore[attr-defined]
            role.save()


def do_deactivate(user: Any, by: Any) -> None:
    """The user can no longer sign in; their role and history stay."""
    _set_active(user, by, False)


def do_reactivate(user: Any, by: Any) -> None:
    _set_active(user, by, True)


def departments_of(role: Role | None) -> list[Department]:
    """A role's departments, the main one first."""
    if role is None or role.department is None:
        return []
    return [role.department, *sorted(role.other_departments.all(), key=lambda d: d.code)]


def role_history(role: Role) -> list[dict[str, Any]]:
    """The role's history rows, newest first, each with its role's name and its departments (the main one
    first), in three queries however long the history."""
    rows = (role.history.select_related("history_user", "municipality", "department")  # type: ignore[attr-defined]
            .prefetch_related("historicalrole_other_departments_set__department")
            .order_by("-history_date", "-history_id"))
    out = []
    for row in rows:
        others = sorted(link.department.code for link in row.historicalrole_other_departments_set.all())
        main = [row.department.code] if row.department else []
        out.append({"row": row, "departments": ", ".join(main + others),
                    "kind": Role.Kind(row.kind).label if row.kind in Role.Kind.values else row.kind})
    return out


def departments_of_invitation(invitation: Invitation) -> list[Department]:
    if invitation.department is None:
        return []
    return [invitation.department, *sorted(invitation.other_departments.all(), key=lambda d: d.code)]


def names(departments: Iterable[Department]) -> str:
    return ", ".join(d.code for d in departments)
