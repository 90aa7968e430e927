"""Saving a record as an action: check permission before and after, write in one transaction, record who and why.

Every form, API write and formset of the registry saves through ``do_save``; state changes with a meaning of
their own (accepting an inquiry, ending an engagement, deleting, merging) have their own ``do_…`` action in
the app that owns them, built the same way. Notifications are queued with ``transaction.on_commit`` by the
action that sends them.
"""

from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from django.db import models, transaction
from django.forms import BaseModelFormSet, ModelForm

from udsyn.core.policy import allows
from udsyn.core.usage import NotAllowed

M = TypeVar("M", bound=models.Model)


def _recorded(record: models.Model, user: Any, reason: str) -> None:
    """Who and why, for the history row the save writes (also outside a web request: commands, workers)."""
    if user is not None and getattr(user, "is_authenticated", False):
        record._history_user = user  # type: ignore[attr-defined]
    if reason:
        record._change_reason = reason  # type: ignore[attr-defined]


def do_save(record: M | None, user: Any, *, write: Callable[[], M] | None = None, reason: str = "",
            parts: Callable[[M], Iterable[BaseModelFormSet]] | None = None) -> M:
    """Save ``record`` for ``user``: a change needs "change" on the record as stored, and the saved record
    (with its many-to-many relations) needs "add" or "change" too, so nobody moves a record out of their
    reach or into someone else's. ``write`` does the writing (e.g. a form's ``save``; default
    ``record.save()``); ``parts(saved)`` gives the inline formsets of its parts, bound to the saved record and
    saved with it, each added, changed or removed row checked the same way.

    ``record`` is None for a new record that ``write`` makes (an API serializer's ``save``).
    Raises ``NotAllowed`` (nothing is written; a 403 where a view lets it through) or ``StaleVersion``
    (someone saved the record since).
    """
    adding = record is None or record._state.adding or record.pk is None
    if record is not None and not adding:
        stored = type(record)._default_manager.filter(pk=record.pk).first()
        if stored is None or not allows(user, "change", stored):
            raise NotAllowed
    if record is not None:
        _recorded(record, user, reason)
    with transaction.atomic():
        if write is not None:
            saved = write()
        else:
            assert record is not None
            saved = _plain_save(record)
        if not allows(user, "add" if adding else "change", saved):
            raise NotAllowed
        for formset in parts(saved) if parts is not None else ():
            _save_part(formset, user, reason)
    return saved


def do_save_form(form: ModelForm, user: Any, *, reason: str = "",
                 parts: Callable[[Any], Iterable[BaseModelFormSet]] | None = None) -> Any:
    """``do_save`` of a valid model form (its instance, many-to-many fields included)."""
    return do_save(form.instance, user, write=form.save, reason=reason, parts=parts)


def _plain_save(record: M) -> M:
    record.save()
    return record


def do_save_parts(formset: BaseModelFormSet, user: Any, reason: str = "") -> None:
    """Save a valid inline formset of a record's parts on its own (a department's part of an engagement):
    each added, changed or removed row must be allowed, or nothing is written."""
    with transaction.atomic():
        _save_part(formset, user, reason)


def _save_part(formset: BaseModelFormSet, user: Any, reason: str) -> None:
    """Save an inline formset of a record's parts; each added, changed or removed row must be allowed."""
    if not formset.is_valid():  # validated before the record was saved; bound to the saved record now
        raise NotAllowed
    for form in formset.forms:
        if not form.has_changed():
            continue
        part = form.instance
        deleting = formset.can_delete and formset._should_delete_form(form)  # type: ignore[attr-defined]
        part_action = "delete" if deleting else ("add" if part.pk is None else "change")
        if not allows(user, part_action, part):
            raise NotAllowed
        _recorded(part, user, reason)
    formset.save()
