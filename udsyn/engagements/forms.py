from typing import Any

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from udsyn.core.forms import RegistryForm
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
            "partner_cities", "description", "source_reference", "notes", "internal_fields",
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


class ExternalOrganisationForm(RegistryForm):
    aliases = CommaListField(required=False, label=_("Aliases"), help_text=_("Separate with commas."))

    class Meta:
        model = ExternalOrganisation
        fields = ["name", "kind", "country", "aliases", "website", "description"]


class CityForm(RegistryForm):
    aliases = CommaListField(required=False, label=_("Aliases"), help_text=_("Separate with commas."))

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


class ThemeForm(RegistryForm):
    class Meta:
        model = Theme
        fields = ["name", "name_en"]


class FundingProgrammeForm(RegistryForm):
    aliases = CommaListField(required=False, label=_("Aliases"), help_text=_("Separate with commas."))

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
