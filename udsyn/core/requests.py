"""Change requests: a user who may not change a shared record asks an administrator to, and the request is
kept with the record (``ChangeRequest``). Actions: ask, answer."""

from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from udsyn.core.models import ChangeRequest
from udsyn.core.policy import ADMIN, STAFF, Kinds, Policy, allows, register
from udsyn.core.tasks import send_mail_later
from udsyn.core.usage import NotAllowed

# Administrators answer; everyone reads the requests kept with a record they may see.
register(ChangeRequest, Policy(add=Kinds(STAFF), change=Kinds((ADMIN,)),
                               summary="Staff ask; administrators answer."))


def may_ask(user: Any, record: models.Model) -> bool:
    """Staff who may not change the record, where its policy lets them ask for a change."""
    return allows(user, "request_change", record) and not allows(user, "change", record)


def for_record(record: models.Model) -> models.QuerySet[ChangeRequest]:
    content_type = ContentType.objects.get_for_model(type(record))
    return ChangeRequest.objects.filter(content_type=content_type, object_id=record.pk).select_related(
        "requested_by", "answered_by")


def _administrators() -> list[str]:
    users = get_user_model()._default_manager.filter(is_active=True).filter(
        models.Q(is_superuser=True) | models.Q(udsyn_role__kind=ADMIN)).exclude(email="")
    return sorted({u.email for u in users})


def do_ask_change(record: models.Model, user: Any, text: str) -> ChangeRequest:
    if not may_ask(user, record):
        raise NotAllowed(_("You may change “{obj}” yourself, or may not ask for changes to it.").format(obj=record))
    request = ChangeRequest.objects.create(
        content_type=ContentType.objects.get_for_model(type(record)), object_id=record.pk,
        record_name=str(record)[:300], text=text.strip(), requested_by=user)
    recipients = _administrators()
    if recipients:
        from udsyn.core.urls_helpers import absolute_url

        link = absolute_url(record.get_absolute_url())  # type: ignore[attr-defined]
        body = _("{user} asks for a change to “{obj}”:\n\n{text}\n\n{link}").format(
            user=user.get_full_name() or user.get_username(), obj=record, text=request.text, link=link)
        send_mail_later(_("Change requested: {obj}").format(obj=record), body, recipients)
    return request


def do_answer_change(request: ChangeRequest, user: Any, state: str, answer: str = "") -> ChangeRequest:
    if not allows(user, "change", request):
        raise NotAllowed(_("Only administrators answer change requests."))
    with transaction.atomic():
        locked = ChangeRequest.objects.select_for_update().get(pk=request.pk)
        if locked.state != ChangeRequest.State.OPEN:
            raise NotAllowed(_("This request was answered already."))
        locked.state = state
        locked.answer = answer.strip()
        locked.answered_by = user
        locked.answered_at = timezone.now()
        locked.save()
        asker = locked.requested_by
        if asker is not None and asker.email:
            body = _("Your request to change “{obj}” is {state}.\n\n{answer}").format(
                obj=locked.record_name, state=locked.get_state_display(), answer=locked.answer)
            send_mail_later(_("Change request: {obj}").format(obj=locked.record_name), body, [asker.email])
    return locked


def client_address(request: Any) -> str:
    """The address of the client that sent ``request``: what sign-in lockouts (django-axes) and rate limits
    count by. For now the connection's own address (``REMOTE_ADDR``); trusted proxies are handled here."""
    return str(request.META.get("REMOTE_ADDR", ""))
