"""Forms of the inquiry pages: the public request form, and the staff's forms for each transition."""

import datetime
from typing import Any

import pycountry
from babel import Locale
from django import forms
from django.core.validators import MaxLengthValidator
from django.http import QueryDict
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from udsyn.core.formatting import language
from udsyn.core.forms import StyledForm, StyledModelForm, style
from udsyn.core.text import fold
from udsyn.engagements.models import Engagement
from udsyn.inquiries import workflow
from udsyn.inquiries.models import (
    MESSAGE_LENGTH,
    DeclineReason,
    DepartmentInquirySettings,
    FollowUp,
    Inquiry,
    InquiryEngagement,
    OrganisationKind,
)
from udsyn.organisation.models import Department, Municipality


def all_countries() -> list[tuple[str, str]]:
    """Every ISO 3166 country, named in the active language."""
    territories = Locale.parse(language()).territories
    names = [(c.alpha_2, str(territories.get(c.alpha_2, c.name))) for c in pycountry.countries]
    return sorted(names, key=lambda pair: fold(pair[1]))


# The most any other value of the public form may be when it is shown again: its choices, numbers and dates
# are far shorter (a refused post is shown back no longer than the form's fields take).
ECHO_LENGTH = 100


class Bounded:
    """A form anyone may post: every field has a maximum length, and a refused post is shown again cut to the
    lengths the fields take (never echoed whole), with error messages that do not repeat the value."""

    fields: dict[str, forms.Field]
    data: Any
    is_bound: bool
    _errors: Any

    def bound_lengths(self) -> None:
        for field in self.fields.values():
            if isinstance(field, forms.ChoiceField):
                field.error_messages["invalid_choice"] = _(
                    "Select a valid choice. That choice is not one of the available choices.")
            if isinstance(field, forms.CharField) and field.max_length is None:
                field.max_length = ECHO_LENGTH
                field.validators.append(MaxLengthValidator(ECHO_LENGTH))
                field.widget.attrs["maxlength"] = str(ECHO_LENGTH)

    def full_clean(self) -> None:
        super().full_clean()  # type: ignore[misc]
        if self.is_bound and self._errors:
            self.data = self._shown_again(self.data)

    def _shown_again(self, data: Any) -> QueryDict:
        """The post as the form shows it again: its own fields only, each cut to the length the field takes."""
        shown = QueryDict(mutable=True)
        for name, field in self.fields.items():
            key = self.add_prefix(name)  # type: ignore[attr-defined]
            if key not in data:
                continue
            limit = getattr(field, "max_length", None) or ECHO_LENGTH
            values = data.getlist(key) if hasattr(data, "getlist") else [data[key]]
            shown.setlist(key, [str(v)[:limit] for v in values[:ECHO_LENGTH]])
        return shown


class PublicInquiryForm(Bounded, forms.ModelForm):
    """No login. ``website`` is a honeypot: hidden from people, filled in by robots."""

    website = forms.CharField(required=False, label=_("Leave this field empty"), max_length=200)

    class Meta:
        model = Inquiry
        fields = ["municipality", "kind", "organisation", "organisation_kind", "country", "contact_name",
                  "contact_email", "group_size", "preferred_from", "preferred_to", "topics", "language",
                  "message"]
        widgets = {"kind": forms.RadioSelect, "message": forms.Textarea(attrs={"rows": 8})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        municipality = self.fields["municipality"]
        municipality.queryset = Municipality.objects.with_registry().order_by("name")  # type: ignore[attr-defined]
        municipality.label_from_instance = lambda m: m.official_name  # type: ignore[attr-defined]
        municipality.empty_label = None  # type: ignore[attr-defined]
        municipality.label = _("Which municipality do you write to?")
        self.fields["country"] = forms.ChoiceField(
            label=_("Country"), choices=[("", "---------"), *all_countries()],
            help_text=_("The country you write from."))
        self.fields["kind"].choices = Inquiry.Kind.choices  # type: ignore[attr-defined]  # no empty radio
        self.fields["group_size"].help_text = _("For a visit: how many people will come.")
        style(self)
        autocomplete = {"contact_name": "name", "contact_email": "email", "organisation": "organization",
                        "country": "country", "website": "off"}
        for name, value in autocomplete.items():
            self.fields[name].widget.attrs["autocomplete"] = value
        self.fields["website"].widget.attrs["tabindex"] = "-1"
        self.fields["message"].help_text = _("At most {n} characters.").format(n=MESSAGE_LENGTH)
        self.bound_lengths()

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("preferred_from"), data.get("preferred_to")
        if start and start < timezone.localdate():
            self.add_error("preferred_from", _("The date has passed. Choose a date from today on."))
        if start and end and end < start:
            self.add_error("preferred_to", _("The last date comes before the first."))
        if end and not start:
            self.add_error("preferred_from", _("Give the first date too."))
        if data.get("kind") == Inquiry.Kind.VISIT:
            if not data.get("group_size") and "group_size" not in self.errors:
                self.add_error("group_size", _("Tell us how many people will come."))
            if not start and "preferred_from" not in self.errors:
                self.add_error("preferred_from", _("Tell us when you would like to come."))
        return data

    @property
    def is_robot(self) -> bool:
        return bool(self.data.get("website"))


class StaffForm(StyledForm):
    """A form of the staff's inquiry page: made for one inquiry; ``act`` carries out its action through the
    workflow and says what was done (a ``TransitionError`` says why not)."""

    def __init__(self, data: Any = None, *, inquiry: Inquiry, prefix: str | None = None) -> None:
        self.inquiry = inquiry
        super().__init__(data, prefix=prefix, initial=self.initial_for(inquiry))

    def initial_for(self, inquiry: Inquiry) -> dict[str, Any]:
        return {}

    def act(self, user: Any) -> str:
        raise NotImplementedError


class RouteForm(StaffForm):
    lead = forms.ModelChoiceField(Department.objects.none(), label=_("Lead department"))
    contributing = forms.ModelMultipleChoiceField(
        Department.objects.none(), required=False, label=_("Contributing departments"),
        widget=forms.CheckboxSelectMultiple)
    due = forms.DateField(label=_("Answer due"), required=False,
                          help_text=_("Leave empty for the lead department's usual number of days."))
    note = forms.CharField(label=_("Note to the departments"), required=False, widget=forms.Textarea)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        departments = Department.objects.filter(municipality_id=self.inquiry.municipality_id).order_by("code")
        for name in ("lead", "contributing"):
            self.fields[name].queryset = departments  # type: ignore[attr-defined]
            self.fields[name].label_from_instance = lambda d: f"{d.code} – {d.display_name}"  # type: ignore[attr-defined]
        self.fields["note"].widget.attrs["rows"] = "3"

    def initial_for(self, inquiry: Inquiry) -> dict[str, Any]:
        return {"lead": inquiry.lead_department_id, "due": inquiry.response_due,
                "contributing": [d.pk for d in inquiry.contributing_departments.all()]}

    def clean_due(self) -> datetime.date | None:
        due: datetime.date | None = self.cleaned_data.get("due")
        if due and due < timezone.localdate():
            raise forms.ValidationError(_("The date has passed."))
        return due

    def act(self, user: Any) -> str:
        data = self.cleaned_data
        workflow.route(self.inquiry, user, data["lead"], list(data["contributing"]), data["due"], data["note"])
        return gettext("The inquiry is routed to {department}.").format(department=data["lead"].code)


class AcceptForm(StaffForm):
    message = forms.CharField(label=_("Message to the requester"), required=False, widget=forms.Textarea,
                              help_text=_("Sent with the acceptance."))
    over_capacity = forms.BooleanField(label=_("Accept even though the month is fully booked"), required=False)

    def act(self, user: Any) -> str:
        workflow.accept(self.inquiry, user, self.cleaned_data["message"],
                        over_capacity=self.cleaned_data["over_capacity"])
        return gettext("The inquiry is accepted and the requester told.")


class DeclineForm(StaffForm):
    reason = forms.ChoiceField(label=_("Reason"), widget=forms.RadioSelect, required=False)
    other_reason = forms.CharField(label=_("Another reason"), required=False)
    message = forms.CharField(label=_("Message to the requester"), required=False, widget=forms.Textarea)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        english = self.inquiry.locale == "en"
        reasons = DeclineReason.objects.filter(department=self.inquiry.lead_department) \
            if self.inquiry.lead_department else DeclineReason.objects.none()
        texts = [(r.text_en or r.text) if english else r.text for r in reasons]
        self.fields["message"].widget.attrs["rows"] = "3"
        if not texts:
            del self.fields["reason"]
            self.fields["other_reason"].label = _("Reason")
            self.fields["other_reason"].required = True
            return
        self.fields["reason"].choices = [(text, text) for text in texts]  # type: ignore[attr-defined]
        self.fields["reason"].help_text = (_("The requester wrote in English and reads the reason in English.")
                                           if english else _("The requester reads the reason in Danish."))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not (data.get("other_reason") or data.get("reason")) and "reason" in self.fields:
            self.add_error("reason", _("Choose a reason or write another."))
        return data

    def act(self, user: Any) -> str:
        data = self.cleaned_data
        workflow.decline(self.inquiry, user, data.get("other_reason") or data.get("reason") or "", data["message"])
        return gettext("The inquiry is declined and the requester told why.")


class PlanForm(StaffForm):
    start = forms.DateTimeField(label=_("Starts"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"},
                                                                                format="%Y-%m-%dT%H:%M"))
    end = forms.DateTimeField(label=_("Ends"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"},
                                                                            format="%Y-%m-%dT%H:%M"))
    place = forms.CharField(label=_("Place"), max_length=300)
    hosts = forms.CharField(label=_("Hosts"), max_length=500, required=False)
    programme = forms.CharField(
        label=_("Programme"), required=False, widget=forms.Textarea,
        help_text=_("One item per line, starting with its time if it has one, e.g. “10:00 Welcome at the city hall”."))
    message = forms.CharField(label=_("Message to the requester"), required=False, widget=forms.Textarea)

    def initial_for(self, inquiry: Inquiry) -> dict[str, Any]:
        """The plan so far; before there is one, the lead department's usual place, hosts and programme."""
        if inquiry.visit_start:
            return {"start": timezone.localtime(inquiry.visit_start),
                    "end": timezone.localtime(inquiry.visit_end) if inquiry.visit_end else None,
                    "place": inquiry.place, "hosts": inquiry.hosts,
                    "programme": "\n".join(f"{s.starts:%H:%M} {s.title}" if s.starts else s.title
                                           for s in inquiry.programme.all())}
        if inquiry.lead_department is None:
            return {}
        usual = workflow.settings_of(inquiry.lead_department)
        return {"place": usual.usual_place, "hosts": usual.handled_by, "programme": usual.usual_programme}

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("start") and data.get("end") and data["end"] <= data["start"]:
            self.add_error("end", _("The visit must end after it starts."))
        return data

    def steps(self) -> list[workflow.Step]:
        steps = []
        for line in self.cleaned_data.get("programme", "").splitlines():
            line = line.strip()
            if not line:
                continue
            head, _sep, rest = line.partition(" ")
            try:
                starts = datetime.time.fromisoformat(head.replace(".", ":").zfill(5))
            except ValueError:
                starts, rest = None, line
            steps.append(workflow.Step(starts, rest.strip()))
        return steps

    def act(self, user: Any) -> str:
        data = self.cleaned_data
        workflow.plan(self.inquiry, user, data["start"], data["end"], data["place"], data["hosts"], self.steps(),
                      data["message"])
        return gettext("The visit is planned and the requester has it in their calendar.")


class HoldForm(StaffForm):
    notes = forms.CharField(label=_("Notes after the visit"), required=False, widget=forms.Textarea,
                            help_text=_("What was learned and agreed. Internal."))

    def initial_for(self, inquiry: Inquiry) -> dict[str, Any]:
        return {"notes": inquiry.notes}

    def act(self, user: Any) -> str:
        workflow.hold(self.inquiry, user, self.cleaned_data["notes"])
        return gettext("The visit is marked as held; the requester is asked for feedback.")


class WriteForm(StaffForm):
    text = forms.CharField(label=_("Message to the requester"), widget=forms.Textarea(attrs={"rows": 4}))

    def act(self, user: Any) -> str:
        workflow.write(self.inquiry, user, self.cleaned_data["text"])
        return gettext("The message is sent to the requester.")


class CloseForm(StaffForm):
    text = forms.CharField(label=_("Message to the requester"), required=False,
                           widget=forms.Textarea(attrs={"rows": 4}))

    def act(self, user: Any) -> str:
        workflow.close(self.inquiry, user, self.cleaned_data["text"])
        return gettext("The inquiry is closed.")


class NoteForm(StaffForm):
    text = forms.CharField(label=_("Internal note"), widget=forms.Textarea(attrs={"rows": 4}))

    def act(self, user: Any) -> str:
        workflow.note(self.inquiry, user, self.cleaned_data["text"])
        return gettext("The note is saved.")


class FollowUpForm(StaffForm):
    text = forms.CharField(label=capfirst(FollowUp._meta.get_field("text").verbose_name), max_length=300)
    due = forms.DateField(label=capfirst(FollowUp._meta.get_field("due").verbose_name), required=False)

    def act(self, user: Any) -> str:
        FollowUp.objects.create(inquiry=self.inquiry, **self.cleaned_data)
        return gettext("The follow-up is added.")


class LinkForm(StaffForm):
    engagement = forms.ModelChoiceField(
        Engagement.objects.none(), label=capfirst(InquiryEngagement._meta.get_field("engagement").verbose_name))
    relation = forms.ChoiceField(label=capfirst(InquiryEngagement._meta.get_field("relation").verbose_name),
                                 choices=InquiryEngagement.Relation.choices)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["engagement"].queryset = Engagement.objects.filter(  # type: ignore[attr-defined]
            municipality_id=self.inquiry.municipality_id).order_by("title")

    def act(self, user: Any) -> str:
        InquiryEngagement.objects.update_or_create(
            inquiry=self.inquiry, engagement=self.cleaned_data["engagement"],
            defaults={"relation": self.cleaned_data["relation"]})
        return gettext("The link is saved.")


# The forms of the staff's inquiry page, by the action each carries out (the last part of its URL).
ACTIONS: dict[str, type[StaffForm]] = {
    "route": RouteForm, "accept": AcceptForm, "decline": DeclineForm, "plan": PlanForm, "hold": HoldForm,
    "close": CloseForm, "write": WriteForm, "note": NoteForm, "follow_up": FollowUpForm, "link": LinkForm,
}


class ReplyForm(Bounded, StyledForm):
    text = forms.CharField(label=_("Your message"), widget=forms.Textarea(attrs={"rows": 5}),
                           max_length=MESSAGE_LENGTH)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.bound_lengths()


class FeedbackForm(Bounded, StyledForm):
    score = forms.TypedChoiceField(
        label=_("How satisfied are you with the visit and our handling of your inquiry?"), coerce=int,
        widget=forms.RadioSelect,
        choices=[(5, _("5 – very satisfied")), (4, _("4 – satisfied")), (3, _("3 – neither")),
                 (2, _("2 – dissatisfied")), (1, _("1 – very dissatisfied"))])
    comment = forms.CharField(label=_("Comment"), required=False, widget=forms.Textarea(attrs={"rows": 4}),
                              max_length=MESSAGE_LENGTH)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.bound_lengths()


class SettingsForm(StyledModelForm):
    priority_kinds = forms.MultipleChoiceField(
        label=_("Give priority to"), required=False, widget=forms.CheckboxSelectMultiple,
        choices=OrganisationKind.choices,
        help_text=_("Requesters of these kinds come first in the department's queue."))

    class Meta:
        model = DepartmentInquirySettings
        fields = ["handled_by", "approved_by", "usual_place", "usual_duration", "usual_programme",
                  "priority_kinds", "monthly_capacity", "response_days", "inbox_email"]


ReasonFormSet = forms.inlineformset_factory(
    Department, DeclineReason, fields=["text", "text_en"], extra=2, can_delete=True)
