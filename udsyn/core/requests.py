"""Change requests (a user who may not change a shared record asks an administrator to, and the request is
kept with the record: ``ChangeRequest``; actions ask and answer), and the real address of a request's client
behind trusted reverse proxies (``client_address``)."""

import functools
import ipaddress
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ImproperlyConfigured
from django.db import models, transaction
from django.http import HttpRequest
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


Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@functools.cache
def _networks(proxies: tuple[str, ...]) -> tuple[Network, ...]:
    try:
        return tuple(ipaddress.ip_network(p, strict=False) for p in proxies)
    except ValueError as error:
        raise ImproperlyConfigured(f"UDSYN_TRUSTED_PROXIES: {error}") from error


def _trusted(address: str, networks: tuple[Network, ...]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    return any(ip.version == n.version and ip in n for n in networks)


def _address(text: str) -> str | None:
    """The address an X-Forwarded-For entry names, or None when it names none."""
    text = text.strip()
    try:
        return str(ipaddress.ip_address(text))
    except ValueError:
        return None


def client_address(request: HttpRequest) -> str:
    """The address of the client that sent the request.

    ``REMOTE_ADDR`` is the peer that connected. Only when that peer is a trusted proxy
    (``UDSYN_TRUSTED_PROXIES``: addresses or networks) is its ``X-Forwarded-For`` believed, and then read from
    the right: each trusted proxy appends the address it was connected from, so the rightmost address that is
    not a trusted proxy is the client. Whatever stands left of it the client wrote itself, and is ignored. An
    entry that names no address ends the walk at the last proxy before it."""
    remote = request.META.get("REMOTE_ADDR", "") or ""
    networks = _networks(tuple(settings.UDSYN_TRUSTED_PROXIES))
    if not networks or not _trusted(remote, networks):
        return remote
    client = remote
    for entry in reversed(request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")):
        address = _address(entry)
        if address is None:
            break
        client = address
        if not _trusted(address, networks):
            break
    return client
