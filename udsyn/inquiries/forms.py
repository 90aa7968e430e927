"""Forms of the inquiry pages: the public request form, and the staff's forms for each transition."""

import datetime
from typing import Any

import pycountry
from babel import Locale
from django import forms
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from udsyn.core.forms import style
from udsyn.core.text import fold
from udsyn.inquiries.models import (
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
    territories = Locale.parse("en" if (get_language() or "da").startswith("en") else "da").territories
    names = [(c.alpha_2, str(territories.get(c.alpha_2, c.name))) for c in pycountry.countries]
    return sorted(names, key=lambda pair: fold(pair[1]))


class PublicInquiryForm(forms.ModelForm):
    """No login. ``website`` is a honeypot: hidden from people, filled in by robots."""

    website = forms.CharField(required=False, label=_("Leave this field empty"))

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


class StaffForm(forms.Form):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        style(self)


class RouteForm(StaffForm):
    lead = forms.ModelChoiceField(Department.objects.none(), label=_("Lead department"))
    contributing = forms.ModelMultipleChoiceField(
        Department.objects.none(), required=False, label=_("Contributing departments"),
        widget=forms.CheckboxSelectMultiple)
    due = forms.DateField(label=_("Answer due"), required=False,
                          help_text=_("Leave empty for the lead department's usual number of days."))
    note = forms.CharField(label=_("Note to the departments"), required=False, widget=forms.Textarea)

    def __init__(self, *args: Any, inquiry: Inquiry, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        departments = Department.objects.filter(municipality_id=inquiry.municipality_id).order_by("code")
        self.fields["lead"].queryset = departments  # type: ignore[attr-defined]
        self.fields["contributing"].queryset = departments  # type: ignore[attr-defined]
        self.fields["lead"].label_from_instance = lambda d: f"{d.code} – {d.display_name}"  # type: ignore[attr-defined]
        self.fields["contributing"].label_from_instance = self.fields["lead"].label_from_instance  # type: ignore[attr-defined]
        self.fields["contributing"].widget.attrs["class"] = "form-checkbox"
        self.fields["note"].widget.attrs["rows"] = "3"

    def clean_due(self) -> datetime.date | None:
        due: datetime.date | None = self.cleaned_data.get("due")
        if due and due < timezone.localdate():
            raise forms.ValidationError(_("The date has passed."))
        return due


class AcceptForm(StaffForm):
    message = forms.CharField(label=_("Message to the requester"), required=False, widget=forms.Textarea,
                              help_text=_("Sent with the acceptance."))
    over_capacity = forms.BooleanField(label=_("Accept even though the month is fully booked"), required=False)


class DeclineForm(StaffForm):
    reason = forms.ChoiceField(label=_("Reason"), widget=forms.RadioSelect, required=False)
    other_reason = forms.CharField(label=_("Another reason"), required=False)
    message = forms.CharField(label=_("Message to the requester"), required=False, widget=forms.Textarea)

    def __init__(self, *args: Any, inquiry: Inquiry, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        english = inquiry.locale.startswith("en")
        reasons = DeclineReason.objects.filter(department=inquiry.lead_department) if inquiry.lead_department_id \
            else DeclineReason.objects.none()
        self.fields["reason"].choices = [  # type: ignore[attr-defined]
            ((r.text_en or r.text) if english else r.text, (r.text_en or r.text) if english else r.text)
            for r in reasons]
        if not reasons:
            del self.fields["reason"]
            self.fields["other_reason"].label = _("Reason")
            self.fields["other_reason"].required = True
            return
        self.fields["reason"].help_text = (_("The requester wrote in English and reads the reason in English.")
                                           if english else _("The requester reads the reason in Danish."))
        self.fields["message"].widget.attrs["rows"] = "3"

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        reason = data.get("other_reason") or data.get("reason")
        if not reason and "reason" in self.fields:
            self.add_error("reason", _("Choose a reason or write another."))
        data["chosen_reason"] = reason
        return data


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

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("start") and data.get("end") and data["end"] <= data["start"]:
            self.add_error("end", _("The visit must end after it starts."))
        return data

    def steps(self) -> list[Any]:
        from udsyn.inquiries.workflow import Step

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
            steps.append(Step(starts, rest.strip()))
        return steps


class TextForm(StaffForm):
    text = forms.CharField(label=_("Message"), widget=forms.Textarea)

    def __init__(self, *args: Any, label: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if label:
            self.fields["text"].label = label
        self.fields["text"].widget.attrs["rows"] = "4"


class HoldForm(StaffForm):
    notes = forms.CharField(label=_("Notes after the visit"), required=False, widget=forms.Textarea,
                            help_text=_("What was learned and agreed. Internal."))


class FollowUpForm(forms.ModelForm):
    class Meta:
        model = FollowUp
        fields = ["text", "due"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        style(self)


class LinkForm(forms.ModelForm):
    class Meta:
        model = InquiryEngagement
        fields = ["engagement", "relation"]

    def __init__(self, *args: Any, inquiry: Inquiry, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from udsyn.engagements.models import Engagement

        self.fields["engagement"].queryset = Engagement.objects.filter(  # type: ignore[attr-defined]
            municipality_id=inquiry.municipality_id).order_by("title")
        style(self)


class ReplyForm(forms.Form):
    text = forms.CharField(label=_("Your message"), widget=forms.Textarea(attrs={"rows": 5}))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        style(self)


class FeedbackForm(forms.Form):
    score = forms.TypedChoiceField(
        label=_("How satisfied are you with the visit and our handling of your inquiry?"), coerce=int,
        widget=forms.RadioSelect,
        choices=[(5, _("5 – very satisfied")), (4, _("4 – satisfied")), (3, _("3 – neither")),
                 (2, _("2 – dissatisfied")), (1, _("1 – very dissatisfied"))])
    comment = forms.CharField(label=_("Comment"), required=False, widget=forms.Textarea(attrs={"rows": 4}))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        style(self)


class SettingsForm(forms.ModelForm):
    priority_kinds = forms.MultipleChoiceField(
        label=_("Give priority to"), required=False, widget=forms.CheckboxSelectMultiple,
        choices=OrganisationKind.choices,
        help_text=_("Requesters of these kinds come first in the department's queue."))

    class Meta:
        model = DepartmentInquirySettings
        fields = ["handled_by", "approved_by", "usual_place", "usual_duration", "usual_programme",
                  "priority_kinds", "monthly_capacity", "response_days", "inbox_email"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        style(self)


ReasonFormSet = forms.inlineformset_factory(
    Department, DeclineReason, fields=["text", "text_en"], extra=2, can_delete=True)
