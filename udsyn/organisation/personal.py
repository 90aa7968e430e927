"""Personal data on one person: what the organisation app holds (people, user accounts and their roles), and
the actions that export and erase everything every app holds on a person (``udsyn.core.personal``).

``export_person`` gathers it as one file; ``do_erase_person`` replaces the person by "deleted person" in their
record, their user accounts and the records of other apps (inquiries they sent), and in the history of each.
Coordinators may do both for their municipality's people (the policy's ``erase`` action), administrators for all.
"""

from __future__ import annotations

import json
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from udsyn.core import panels, personal
from udsyn.core.policy import allows
from udsyn.organisation.models import Person, Role

PERSON_FIELDS = ["municipality", "name", "kind", "title", "party", "department", "unit", "email", "phone"]
ACCOUNT_FIELDS = ["username", "first_name", "last_name", "email", "is_active", "date_joined", "last_login"]


def _email_q(field: str, emails: frozenset[str]) -> Q:
    condition = Q(pk__in=[])
    for email in emails:
        condition |= Q(**{field + "__iexact": email})
    return condition


def subject_of(person: Person) -> personal.Subject:
    return personal.Subject(name=person.name, emails=frozenset({person.email.lower()} if person.email else ()),
                            person_id=person.pk, municipality_id=person.municipality_id)


def subject_for_email(email: str) -> personal.Subject:
    """Someone known only by an e-mail address: a requester, or a user account without a person record."""
    return personal.Subject(name=email, emails=frozenset({email.strip().lower()}))


# -- The organisation app's holders -----------------------------------------------------------------------

def _people(subject: personal.Subject) -> models.QuerySet[Person]:
    condition = Q(pk=subject.person_id) if subject.person_id else Q(pk__in=[])
    return Person.objects.filter(condition | _email_q("email", subject.emails)).select_related(
        "municipality", "department", "unit").order_by("pk")


def _find_people(subject: personal.Subject, user: Any) -> personal.Held:
    found = [p for p in _people(subject) if user is None or allows(user, "view", p)]
    records = [{**personal.record(p, PERSON_FIELDS), "history": personal.history_of(Person, p.pk, PERSON_FIELDS)}
               for p in found]
    return personal.Held(_("Person records"), records,
                         erasable=all(user is None or allows(user, "erase", p) for p in found))


def erased_person_name(person: Person) -> str:
    # A number keeps two erased people of one municipality apart (names are unique in a municipality).
    return f"{personal.deleted_person()} {person.pk}"


def _erase_people(subject: personal.Subject, user: Any, replacement: str) -> int:
    count = 0
    for person in _people(subject):
        if user is not None and not allows(user, "erase", person):
            continue
        old_names = [person.name, str(person)]
        values = {"name": erased_person_name(person), "title": "", "party": "", "email": "", "phone": ""}
        for name, value in values.items():
            setattr(person, name, value)
        person._change_reason = _("Personal data erased")  # type: ignore[attr-defined]
        person._history_user = user if getattr(user, "pk", None) else None  # type: ignore[attr-defined]
        person.save()
        personal.erase_history(Person, [person.pk], values)
        personal.erase_in_change_reasons(old_names, values["name"])
        personal.erase_in_admin_log(Person, person.pk, values["name"])
        count += 1
    return count


def _accounts(subject: personal.Subject) -> models.QuerySet[Any]:
    return get_user_model()._default_manager.filter(_email_q("email", subject.emails)).order_by("pk") \
        if subject.emails else get_user_model()._default_manager.none()


def _may_erase_account(user: Any, account: Any) -> bool:
    if user is None:
        return True
    role = Role.objects.filter(user=account).first()
    return allows(user, "erase", role) if role is not None else allows(user, "erase", Role)


def _find_accounts(subject: personal.Subject, user: Any) -> personal.Held:
    records = []
    accounts = list(_accounts(subject))
    for account in accounts:
        data = personal.record(account, ACCOUNT_FIELDS)
        data.pop("password", None)
        role = Role.objects.filter(user=account).select_related("municipality", "department").first()
        if role is not None:
            data["role"] = {"kind": role.get_kind_display(), "municipality": personal.plain(role.municipality),
                            "department": personal.plain(role.department),
                            "history": personal.history_of(Role, role.pk, ["kind", "municipality", "department"])}
        data["changes made"] = _changes_by(account)
        records.append(data)
    return personal.Held(_("User accounts"), records,
                         erasable=all(_may_erase_account(user, account) for account in accounts),
                         note=_("Erasing an account closes it: its name and e-mail are removed, and nobody can "
                                "sign in with it again. The changes it made stay in the history, by a deleted user."))


def _changes_by(account: Any) -> dict[str, int]:
    """How many changes the account made, per record type (the history names the user who made each)."""
    from django.apps import apps

    counts = {}
    for model in apps.get_models():
        if getattr(model, "_meta", None) and model.__name__.startswith("Historical") and any(
                f.name == "history_user" for f in model._meta.concrete_fields):
            count = model._default_manager.filter(history_user=account).count()
            if count:
                counts[str(model._meta.verbose_name)] = count
    return counts


def _erase_accounts(subject: personal.Subject, user: Any, replacement: str) -> int:
    count = 0
    for account in _accounts(subject):
        if not _may_erase_account(user, account):
            continue
        values = {"username": f"deleted-{account.pk}", "first_name": replacement, "last_name": "",
                  "email": ""}
        for name, value in values.items():
            setattr(account, name, value)
        account.is_active = False
        account.set_unusable_password()
        account.save()
        if hasattr(type(account), "history"):
            personal.erase_history(type(account), [account.pk], values)
        personal.erase_in_admin_log(type(account), account.pk, values["username"])
        count += 1
    return count


personal.register(personal.Holder("people", _find_people, _erase_people, order=10))
personal.register(personal.Holder("accounts", _find_accounts, _erase_accounts, order=20))


# -- The actions ----------------------------------------------------------------------------------------------

def may_handle(user: Any, person: Person) -> bool:
    """May the user see and erase what is held on this person? Their municipality's coordinators, administrators."""
    return allows(user, "erase", person)


def export(subject: personal.Subject, user: Any) -> dict[str, Any]:
    """Everything held on the subject that the user may see, as one document."""
    return {
        "subject": {"name": subject.name, "e-mail": sorted(subject.emails)},
        "made": timezone.now().isoformat(),
        "made by": str(user) if getattr(user, "pk", None) else "udsyn privacy export",
        "held": [{"what": held.label, "records": held.records} for held in personal.find(subject, user)],
    }


def export_file(subject: personal.Subject, user: Any) -> bytes:
    """The export as a JSON file."""
    return json.dumps(export(subject, user), ensure_ascii=False, indent=2).encode("utf-8")


def export_person(person: Person, user: Any) -> bytes:
    if user is not None and not may_handle(user, person):
        raise PermissionDenied
    return export_file(subject_of(person), user)


@transaction.atomic
def do_erase_subject(subject: personal.Subject, user: Any) -> dict[str, int]:
    """Erase what every holder keeps on the subject; refused (nothing erased) if the user may not erase all
    of it. ``user`` None: a command run by the installation's operator."""
    found = {held.label: held for held in personal.find(subject, user)}
    refused = [label for label, held in found.items() if not held.erasable]
    if refused:
        raise PermissionDenied(_("You may not erase: {what}.").format(what=", ".join(refused)))
    replacement = personal.deleted_person()
    erased = {}
    for holder in personal.holders():
        if holder.erase is not None:
            count = holder.erase(subject, user, replacement)
            if count:
                erased[holder.key] = count
    return erased


def do_erase_person(person: Person, user: Any) -> dict[str, int]:
    """Replace the person by "deleted person" everywhere: their record and its history, their user accounts
    (closed), and what other apps hold on them by e-mail (inquiries they sent)."""
    if user is not None and not may_handle(user, person):
        raise PermissionDenied
    return do_erase_subject(subject_of(person), user)


def _personal_data_url(person: Person, user: Any) -> str:
    from django.urls import reverse

    return reverse("organisation:person_personal_data", args=[person.pk]) if may_handle(user, person) else ""


panels.register_action(Person, panels.Action(gettext_lazy("Personal data"), _personal_data_url, order=200))
