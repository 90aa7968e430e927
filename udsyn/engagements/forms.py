"""Edit forms of engagements, funding and the shared records (these warn of near-duplicates)."""

from typing import Any

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from udsyn.core.forms import RegistryForm
from udsyn.engagements import duplicates
from udsyn.engagements.models import (
    City,
    Engagement,
    EngagementLink,
    ExternalOrganisation,
    Funding,
    FundingProgramme,
    Representative,
    Theme,
)


class CommaListField(forms.CharField):
    """A list of short strings typed as comma-separated text (aliases)."""

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, list):
            return ", ".join(value)
        return value

    def to_python(self, value: Any) -> list[str]:  # type: ignore[override]
        text = super().to_python(value) or ""
        return [part.strip() for part in text.split(",") if part.strip()]


class InternalFieldsMixin(forms.Form):
    """Lets the editor keep chosen fields off the public pages, the open API and open exports."""

    internal_fields = forms.MultipleChoiceField(
        required=False, widget=forms.CheckboxSelectMultiple, label=gettext_lazy("Internal fields"),
        help_text=gettext_lazy("Marked fields are kept off the public pages, the open API and open exports. "
                               "People, internal notes and source references are never public."),
    )

    def _offer_internal_fields(self) -> None:
        field = self.fields["internal_fields"]
        assert isinstance(field, forms.MultipleChoiceField)
        instance = getattr(self, "instance", None)
        model = self._meta.model  # type: ignore[attr-defined]
        field.choices = (instance or model()).public_field_choices()


class EngagementForm(InternalFieldsMixin, RegistryForm):
    class Meta:
        model = Engagement
        fields = [
            "municipality", "title", "kind", "partnership_type", "parent", "status", "termination_reason",
            "lead_department", "participating_departments", "responsible_unit", "contacts",
            "start_date", "end_date", "annual_fee", "co_financing", "themes", "partner_organisations",
            "partner_cities", "description", "website", "source_reference", "notes", "internal_fields",
        ]
        widgets = {"participating_departments": forms.CheckboxSelectMultiple}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._offer_internal_fields()
        for name, related in (
            ("lead_department", "municipality"), ("participating_departments", "municipality"),
            ("responsible_unit", "department"),
        ):
            field = self.fields[name]
            assert isinstance(field, forms.ModelChoiceField)
            field.queryset = field.queryset.select_related(related)  # type: ignore[union-attr]

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        municipality = data.get("municipality")
        lead = data.get("lead_department")
        others = data.get("participating_departments") or []
        if municipality:
            strangers = [d for d in others if d.municipality_id != municipality.pk]
            if strangers:
                self.add_error("participating_departments", _(
                    "These departments belong to another municipality: {names}."
                ).format(names=", ".join(str(d) for d in strangers)))
        unit = data.get("responsible_unit")
        if unit and lead and unit.department_id != lead.pk and unit.department_id not in {d.pk for d in others}:
            self.add_error("responsible_unit", _("The unit belongs to a department not involved."))
        if lead and lead in others:
            data["participating_departments"] = [d for d in others if d.pk != lead.pk]
        return data


RepresentativeFormSet = forms.inlineformset_factory(
    Engagement, Representative, fields=["person", "role"], extra=1, can_delete=True
)
LinkFormSet = forms.inlineformset_factory(
    Engagement, EngagementLink, fields=["url", "title"], extra=1, can_delete=True
)


class DuplicateWarningMixin(forms.ModelForm):
    """Warn before saving a record that may already exist under another spelling.

    When the name (or aliases, kind, country) would make a near-duplicate of an existing record, the form is
    shown again with the candidates and a checkbox; ticked, the form saves. Nothing typed is lost.
    """

    not_duplicate = forms.BooleanField(
        required=False, widget=forms.HiddenInput,
        label=gettext_lazy("This is a different record, save anyway"),
    )
    duplicate_fields = ("name", "name_en", "aliases", "kind", "country")
    duplicate_candidates: list[duplicates.Candidate]

    def _post_clean(self) -> None:
        super()._post_clean()  # type: ignore[misc]
        self.duplicate_candidates = []
        data = self.cleaned_data
        if self.errors or data.get("not_duplicate") or not data.get("name"):
            return
        if self.instance.pk and not any(name in self.changed_data for name in self.duplicate_fields):
            return
        found = duplicates.find_duplicates(
            self._meta.model, data["name"], kind=data.get("kind"), country=data.get("country"),  # type: ignore[arg-type]
            exclude_pk=self.instance.pk, aliases=data.get("aliases") or [], name_en=data.get("name_en") or "",
        )
        if found:
            self.duplicate_candidates = found
            self.fields["not_duplicate"].widget = forms.CheckboxInput(attrs={"class": "form-checkbox"})
            self.add_error("not_duplicate", _(
                "This may be a record that already exists (listed above). Use that one, or tick the box to "
                "save this as a different record."
            ))


class ExternalOrganisationForm(DuplicateWarningMixin, RegistryForm):
    aliases = CommaListField(required=False, label=gettext_lazy("Aliases"),
                             help_text=gettext_lazy("Separate with commas."))

    class Meta:
        model = ExternalOrganisation
        fields = ["name", "kind", "country", "aliases", "website", "description"]


class CityForm(DuplicateWarningMixin, RegistryForm):
    aliases = CommaListField(required=False, label=gettext_lazy("Aliases"),
                             help_text=gettext_lazy("Separate with commas."))

    class Meta:
        model = City
        fields = ["name", "country", "aliases", "latitude", "longitude"]

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if data.get("latitude") is None and data.get("longitude") is None and data.get("name"):
            from udsyn.engagements import geo

            found = geo.lookup(data["name"], (data.get("country") or "").upper(), data.get("aliases") or ())
            if found:
                self.instance.geonames_id = found[2]
                data["latitude"], data["longitude"] = found[0], found[1]
        if data.get("country"):
            data["country"] = data["country"].upper()
        return data


class ThemeForm(DuplicateWarningMixin, RegistryForm):
    aliases = CommaListField(required=False, label=gettext_lazy("Aliases"),
                             help_text=gettext_lazy("Separate with commas."))

    class Meta:
        model = Theme
        fields = ["name", "name_en", "aliases"]


class FundingProgrammeForm(DuplicateWarningMixin, RegistryForm):
    aliases = CommaListField(required=False, label=gettext_lazy("Aliases"),
                             help_text=gettext_lazy("Separate with commas."))

    class Meta:
        model = FundingProgramme
        fields = ["name", "name_en", "source", "aliases"]


class FundingForm(InternalFieldsMixin, RegistryForm):
    class Meta:
        model = Funding
        fields = [
            "municipality", "title", "department", "programme", "engagements", "amount", "currency",
            "amount_dkk", "approximate", "start_date", "end_date", "status", "description", "source_reference",
            "internal_fields",
        ]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._offer_internal_fields()
