"""Inquiries from abroad and from citizens: one entry point, routed to departments, with a status the
requester follows by a private link.

The state of an inquiry changes only through ``udsyn.inquiries.workflow`` (one function per transition),
which writes the timeline (``InquiryEvent``) and sends the e-mails.
"""

import datetime
import secrets
from typing import Any

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from udsyn.core.policy import RestrictedQuerySet
from udsyn.engagements.models import validate_country
from udsyn.organisation.models import Department, Municipality


def new_token() -> str:
    """An unguessable token (256 bits) for a private link."""
    return secrets.token_urlsafe(32)


# The longest message the public form and the status page take (characters); docs/inquiries.md.
MESSAGE_LENGTH = 5000


class SenderLock(models.Model):
    """One row per sender of the public form: a keyed hash of an e-mail address or of a client address.

    Saving an inquiry locks its sender's rows first (``workflow.receive_public``), so that inquiries sent at
    the same moment by one sender are counted one after another and the hourly limit holds across processes.
    Rows not used for a day are deleted daily."""

    key = models.CharField(max_length=80, unique=True)
    used_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("sender lock")
        verbose_name_plural = _("sender locks")

    def __str__(self) -> str:
        return self.key


class OrganisationKind(models.TextChoices):
    PUBLIC_AUTHORITY = "public_authority", _("public authority (national, regional or local)")
    UNIVERSITY = "university", _("university or research institution")
    SCHOOL = "school", _("school or educational institution")
    BUSINESS = "business", _("business or business organisation")
    NGO = "ngo", _("association or non-governmental organisation")
    CITIZEN = "citizen", _("private citizen")
    OTHER = "other", _("other")


class DepartmentInquirySettings(models.Model):
    """How a department handles the inquiries routed to it (seed 000 §8): who handles and approves them,
    where visits usually take place, the usual programme, priority rules and capacity."""

    department = models.OneToOneField(
        Department, on_delete=models.CASCADE, related_name="inquiry_settings", verbose_name=_("department")
    )
    handled_by = models.CharField(
        _("handled by"), max_length=200, blank=True,
        help_text=_("The unit or function that receives and handles inquiries, e.g. Meet Copenhagen City."),
    )
    approved_by = models.CharField(
        _("approved by"), max_length=200, blank=True,
        help_text=_("Who approves a visit, e.g. the relevant head of office."),
    )
    usual_place = models.CharField(_("usual place of visits"), max_length=200, blank=True)
    usual_duration = models.PositiveIntegerField(
        _("usual duration of a visit (minutes)"), null=True, blank=True,
        validators=[MinValueValidator(15), MaxValueValidator(24 * 60)],
    )
    usual_programme = models.TextField(
        _("usual programme"), blank=True,
        help_text=_("One item per line; offered as the programme when a visit is planned."),
    )
    priority_kinds = models.JSONField(
        _("give priority to"), default=list, blank=True,
        help_text=_("Requesters of these kinds come first in the department's queue."),
    )
    monthly_capacity = models.PositiveIntegerField(
        _("visits per month at most"), null=True, blank=True,
        help_text=_("Leave empty for no fixed limit. Accepting more than this asks for confirmation."),
    )
    response_days = models.PositiveIntegerField(
        _("days to answer"), default=10, validators=[MinValueValidator(1), MaxValueValidator(90)],
        help_text=_("The response due date an inquiry routed to the department gets by default."),
    )
    inbox_email = models.EmailField(
        _("shared mailbox"), blank=True,
        help_text=_("Notices of inquiries routed to the department also go here."),
    )
    feed_token = models.CharField(_("calendar feed key"), max_length=64, default=new_token, unique=True,
                                  editable=False)

    objects = RestrictedQuerySet.as_manager()

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("inquiry settings")
        verbose_name_plural = _("inquiry settings")

    def __str__(self) -> str:
        return str(self.department)

    def get_absolute_url(self) -> str:
        return reverse("inquiries:settings", args=[self.department_id])

    @property
    def priority_labels(self) -> list[str]:
        return [str(OrganisationKind(k).label) for k in self.priority_kinds or [] if k in OrganisationKind.values]

    def programme_lines(self) -> list[str]:
        return [line.strip() for line in self.usual_programme.splitlines() if line.strip()]


class DeclineReason(models.Model):
    """A stock reason a department gives when it declines, in Danish and English."""

    department = models.ForeignKey(
        Department, on_delete=models.CASCADE, related_name="decline_reasons", verbose_name=_("department")
    )
    text = models.CharField(_("reason"), max_length=300)
    text_en = models.CharField(_("reason in English"), max_length=300, blank=True)

    objects = RestrictedQuerySet.as_manager()

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("stock reason for declining")
        verbose_name_plural = _("stock reasons for declining")
        ordering = ["department", "pk"]

    def __str__(self) -> str:
        return self.text


class InquiryQuerySet(RestrictedQuerySet):
    def for_department(self, department_id: int) -> "InquiryQuerySet":
        return self.filter(
            models.Q(lead_department_id=department_id) | models.Q(contributing_departments=department_id)
        ).distinct()

    def under_way(self, priority_kinds: list[str] | None = None) -> "InquiryQuerySet":
        """Not yet held, declined or closed: requesters of the priority kinds first, then by answer date."""
        first = models.Case(models.When(organisation_kind__in=priority_kinds or [], then=models.Value(0)),
                            default=models.Value(1), output_field=models.IntegerField())
        return self.exclude(state__in=Inquiry.FINISHED).annotate(priority=first).order_by(
            "priority", "response_due", "received_at")

    def finished(self) -> "InquiryQuerySet":
        return self.filter(state__in=Inquiry.FINISHED).order_by("-received_at")


class Inquiry(models.Model):
    class Kind(models.TextChoices):
        VISIT = "visit", _("delegation visit")
        PARTNERSHIP = "partnership", _("partnership or cooperation")
        IDEA = "idea", _("citizen's idea")
        OTHER = "other", _("other inquiry")

    class State(models.TextChoices):
        RECEIVED = "received", _("received")
        ROUTED = "routed", _("routed")
        ACCEPTED = "accepted", _("accepted")
        DECLINED = "declined", _("declined")
        PLANNED = "planned", _("planned")
        HELD = "held", _("held")
        CLOSED = "closed", _("closed")

    class Language(models.TextChoices):
        DANISH = "da", _("Danish")
        ENGLISH = "en", _("English")
        OTHER = "other", _("another language (say which in the message)")

    FINISHED = (State.HELD, State.DECLINED, State.CLOSED)

    municipality = models.ForeignKey(
        Municipality, on_delete=models.PROTECT, related_name="inquiries", verbose_name=_("municipality")
    )
    kind = models.CharField(_("what the inquiry is about"), max_length=12, choices=Kind.choices,
                            default=Kind.VISIT)
    state = models.CharField(_("status"), max_length=10, choices=State.choices, default=State.RECEIVED,
                             db_index=True)
    organisation = models.CharField(_("organisation"), max_length=200, blank=True,
                                    help_text=_("Leave empty if you write as a private citizen."))
    organisation_kind = models.CharField(_("kind of organisation"), max_length=20,
                                         choices=OrganisationKind.choices, default=OrganisationKind.OTHER)
    country = models.CharField(_("country"), max_length=2, validators=[validate_country],
                               help_text=_("The country you write from."))
    contact_name = models.CharField(_("your name"), max_length=150)
    contact_email = models.EmailField(_("your e-mail"))
    group_size = models.PositiveIntegerField(
        _("number of people"), null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(500)],
    )
    preferred_from = models.DateField(_("preferred dates from"), null=True, blank=True)
    preferred_to = models.DateField(_("preferred dates to"), null=True, blank=True)
    topics = models.CharField(_("topics"), max_length=300, blank=True,
                              help_text=_("E.g. climate adaptation, cycling, elderly care."))
    language = models.CharField(_("language of the visit or meeting"), max_length=8, choices=Language.choices,
                                default=Language.ENGLISH)
    message = models.TextField(_("your message"), max_length=MESSAGE_LENGTH)
    locale = models.CharField(_("language of correspondence"), max_length=8, default="da", editable=False)
    token = models.CharField(max_length=64, unique=True, default=new_token, editable=False)
    client_key = models.CharField(max_length=64, blank=True, editable=False, db_index=True,
                                  help_text="A keyed hash of the sender's IP address, for the rate limit.")
    received_at = models.DateTimeField(_("received"), default=timezone.now, db_index=True)
    receipt_sent = models.BooleanField(
        _("receipt e-mailed"), default=False, editable=False,
        help_text=_("Whether the receipt with the status link was e-mailed. One receipt an hour goes to an address."))

    lead_department = models.ForeignKey(
        Department, null=True, blank=True, on_delete=models.PROTECT, related_name="led_inquiries",
        verbose_name=_("lead department"),
    )
    contributing_departments = models.ManyToManyField(
        Department, blank=True, related_name="contributed_inquiries", verbose_name=_("contributing departments")
    )
    response_due = models.DateField(_("response due"), null=True, blank=True)
    first_response_at = models.DateTimeField(_("first answered"), null=True, blank=True)
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decline_reason = models.TextField(_("reason for declining"), blank=True)

    visit_start = models.DateTimeField(_("starts"), null=True, blank=True)
    visit_end = models.DateTimeField(_("ends"), null=True, blank=True)
    place = models.CharField(_("place"), max_length=300, blank=True)
    hosts = models.CharField(_("hosts"), max_length=500, blank=True,
                             help_text=_("Who receives the visitors, e.g. the deputy mayor and Meet Copenhagen City."))
    calendar_sequence = models.PositiveIntegerField(default=0, editable=False)

    notes = models.TextField(_("notes after the visit"), blank=True,
                             help_text=_("What was learned and agreed. Internal."))
    feedback_score = models.PositiveSmallIntegerField(
        _("score"), null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(5)],
    )
    feedback_comment = models.TextField(_("comment"), blank=True)
    feedback_at = models.DateTimeField(_("feedback given"), null=True, blank=True)

    engagements = models.ManyToManyField(
        "engagements.Engagement", through="InquiryEngagement", blank=True, related_name="inquiries",
        verbose_name=_("engagements"),
    )

    objects = InquiryQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["token", "client_key"], m2m_fields=[contributing_departments])

    class Meta:
        verbose_name = _("inquiry")
        verbose_name_plural = _("inquiries")
        ordering = ["-received_at"]

    def __str__(self) -> str:
        return f"{self.reference}: {self.sender}"

    def get_absolute_url(self) -> str:
        return reverse("inquiries:detail", args=[self.pk])

    @property
    def reference(self) -> str:
        return f"{timezone.localtime(self.received_at).year}-{self.pk or 0:05d}"

    @property
    def sender(self) -> str:
        return self.organisation or self.contact_name

    def get_status_url(self) -> str:
        return reverse("inquiries:status", args=[self.token])

    def is_overdue(self, today: datetime.date | None = None) -> bool:
        """Routed but not answered by its due date."""
        today = today or timezone.localdate()
        return (self.state in (self.State.RECEIVED, self.State.ROUTED) and self.response_due is not None
                and self.response_due < today)

    def progress(self) -> list[dict[str, Any]]:
        """The steps of the inquiry's way, done and current marked, as the requester and staff see them."""
        state = self.State
        if self.decline_reason:
            path = [state.RECEIVED, state.ROUTED, state.DECLINED]
            if self.state == state.CLOSED:
                path.append(state.CLOSED)
        elif self.kind != self.Kind.VISIT and self.visit_start is None:
            path = [state.RECEIVED, state.ROUTED, state.ACCEPTED, state.CLOSED]
        else:
            path = [state.RECEIVED, state.ROUTED, state.ACCEPTED, state.PLANNED, state.HELD, state.CLOSED]
        position = path.index(state(self.state)) if self.state in path else 0
        return [{"label": step.label, "done": i < position, "current": i == position} for i, step in enumerate(path)]

    @property
    def asks_feedback(self) -> bool:
        return self.feedback_at is None and self.state in (self.State.HELD, self.State.DECLINED, self.State.CLOSED)

    def department_ids(self) -> set[int]:
        ids = {d.pk for d in self.contributing_departments.all()}
        if self.lead_department_id:
            ids.add(self.lead_department_id)
        return ids


class InquiryEvent(models.Model):
    """One step in an inquiry's timeline: a change of state, or a message to or from the requester.

    ``public`` events are what the requester sees on the status page; internal notes are not."""

    class Kind(models.TextChoices):
        STATE = "state", _("status change")
        MESSAGE_OUT = "out", _("message to the requester")
        MESSAGE_IN = "in", _("message from the requester")
        NOTE = "note", _("internal note")

    inquiry = models.ForeignKey(Inquiry, on_delete=models.CASCADE, related_name="events",
                                verbose_name=_("inquiry"))
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices)
    state = models.CharField(_("status"), max_length=10, choices=Inquiry.State.choices, blank=True)
    text = models.TextField(_("text"), blank=True)
    department = models.ForeignKey(Department, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                                   verbose_name=_("department"))
    public = models.BooleanField(_("shown to the requester"), default=True)
    at = models.DateTimeField(_("when"), default=timezone.now)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                           related_name="+", verbose_name=_("by"))

    class Meta:
        verbose_name = _("inquiry event")
        verbose_name_plural = _("inquiry events")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.inquiry.reference} {self.get_kind_display()} {self.at:%Y-%m-%d}"


class ProgrammeItem(models.Model):
    inquiry = models.ForeignKey(Inquiry, on_delete=models.CASCADE, related_name="programme",
                                verbose_name=_("inquiry"))
    starts = models.TimeField(_("time"), null=True, blank=True)
    title = models.CharField(_("programme item"), max_length=300)
    presenter = models.CharField(_("by"), max_length=200, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("programme item")
        verbose_name_plural = _("programme items")
        ordering = ["pk"]  # as written: items without a time keep their place

    def __str__(self) -> str:
        return self.title


class FollowUp(models.Model):
    inquiry = models.ForeignKey(Inquiry, on_delete=models.CASCADE, related_name="follow_ups",
                                verbose_name=_("inquiry"))
    text = models.CharField(_("follow-up"), max_length=300)
    due = models.DateField(_("due"), null=True, blank=True)
    done = models.BooleanField(_("done"), default=False)

    objects = RestrictedQuerySet.as_manager()

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("follow-up")
        verbose_name_plural = _("follow-ups")
        ordering = ["done", "due", "pk"]

    def __str__(self) -> str:
        return self.text


class InquiryEngagement(models.Model):
    """An engagement an inquiry relates to, or one it led to (a visit that became a partnership)."""

    class Relation(models.TextChoices):
        RELATES_TO = "relates_to", _("relates to")
        LED_TO = "led_to", _("led to")

    inquiry = models.ForeignKey(Inquiry, on_delete=models.CASCADE, related_name="engagement_links",
                                verbose_name=_("inquiry"))
    engagement = models.ForeignKey("engagements.Engagement", on_delete=models.PROTECT,
                                   related_name="inquiry_links", verbose_name=_("engagement"))
    relation = models.CharField(_("relation"), max_length=12, choices=Relation.choices,
                                default=Relation.RELATES_TO)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("link to an engagement")
        verbose_name_plural = _("links to engagements")
        constraints = [models.UniqueConstraint(fields=["inquiry", "engagement"], name="unique_inquiry_engagement")]

    def __str__(self) -> str:
        return f"{self.inquiry.reference} {self.get_relation_display()} {self.engagement}"
