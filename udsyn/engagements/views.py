"""Pages of engagements, the shared records (organisations, cities, themes, programmes) and funding."""

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from udsyn.core.actions import do_save_form, do_save_parts
from udsyn.core.models import StaleVersion
from udsyn.core.policy import actor, allows
from udsyn.core.tables import TITLE, Column
from udsyn.core.views import ObjectDetailView, ObjectEditView, ObjectListView, RecordMixin
from udsyn.engagements import filtersets, forms
from udsyn.engagements.models import (
    City,
    Engagement,
    ExternalOrganisation,
    Funding,
    FundingProgramme,
    Theme,
)
from udsyn.organisation.models import Person
from udsyn.organisation.policies import own_departments

ENGAGEMENT_COLUMNS = [
    Column("title", gettext_lazy("Title"), sort="title", link=True),
    Column("get_kind_display", gettext_lazy("Kind"), sort="kind"),
    Column("departments", gettext_lazy("Departments"), sort="lead_department__code", format="codes"),
    Column("get_status_display", gettext_lazy("Status"), sort="status", format="badge"),
    Column("start_date", gettext_lazy("Start"), sort="start_date", format="date"),
    Column("end_date", gettext_lazy("End"), sort="end_date", format="enddate"),
    Column("annual_fee", gettext_lazy("Annual fee"), sort="annual_fee", format="dkk"),
]
# The edit page of a shared record: warns of near-duplicates (see udsyn.engagements.duplicates).
SHARED_EDIT_TEMPLATE = "engagements/shared_record_edit.html"
MUNICIPALITY_COLUMN = Column("municipality.name", gettext_lazy("Municipality"), sort="municipality__name")
FUNDING_COLUMNS = [
    Column("title", gettext_lazy("Title"), sort="title", link=True),
    Column("programme", gettext_lazy("Programme"), sort="programme__name"),
    Column("department.code", gettext_lazy("Department"), sort="department__code"),
    Column("get_status_display", gettext_lazy("Status"), sort="status"),
    Column("start_date", gettext_lazy("Start"), sort="start_date", format="date"),
    Column("end_date", gettext_lazy("End"), sort="end_date", format="enddate"),
    Column("amount_dkk", gettext_lazy("Amount in DKK"), sort="amount_dkk", format="dkk"),
]


def engagement_queryset() -> models.QuerySet[Engagement]:
    """Everything a row of the engagement table shows, in a constant number of queries."""
    from udsyn.organisation.models import Department

    return Engagement.objects.select_related("municipality", "lead_department").prefetch_related(
        Prefetch("participating_departments", queryset=Department.objects.order_by("code"))
    )


class EngagementListView(ObjectListView):
    model = Engagement
    filterset_class = filtersets.EngagementFilterSet
    columns = [*ENGAGEMENT_COLUMNS[:2], MUNICIPALITY_COLUMN, *ENGAGEMENT_COLUMNS[2:]]
    default_sort = "title"
    template_name = "engagements/engagement_list.html"

    def get_queryset(self) -> models.QuerySet[Any]:
        return engagement_queryset()


class EngagementDetailView(ObjectDetailView):
    model = Engagement
    template_name = "engagements/engagement_detail.html"

    def get_queryset(self) -> models.QuerySet[Any]:
        return engagement_queryset().select_related("parent", "responsible_unit").prefetch_related(
            "themes", "partner_organisations", "partner_cities", "contacts", "links", "children",
            "representatives__person", "funding__programme",
        )

    def extra_context(self, obj: Any) -> dict[str, Any]:
        # Goal links and reviews (steering) and inquiries are sections their apps register (panels.py).
        participating = {d.pk for d in obj.participating_departments.all()}
        takes_part = any(d.pk in participating for d in own_departments(self.request.user))
        # Contacts and representatives are people: shown within the engagement's municipality (need-to-know).
        show_people = allows(self.request.user, "view", Person(municipality_id=obj.municipality_id))
        return {"overdue": obj.is_overdue(timezone.localdate()), "show_people": show_people,
                "part_url": reverse("engagements:engagement_part", args=[obj.pk]) if takes_part else ""}


class EngagementEditView(ObjectEditView):
    model = Engagement
    form_class = forms.EngagementForm
    template_name = "engagements/engagement_edit.html"

    def formsets(self, data: Any, instance: Any) -> list[Any]:
        instance = instance or Engagement()
        municipality_id = instance.municipality_id or actor(self.request.user).municipality_id
        sets: list[Any] = [
            forms.RepresentativeFormSet(data=data, instance=instance, prefix="representatives"),
            forms.LinkFormSet(data=data, instance=instance, prefix="links"),
        ]
        for formset in sets:
            for form in formset.forms:
                for name, field in form.fields.items():
                    field.widget.attrs.setdefault("class", "form-checkbox" if name == "DELETE" else "form-input")
                if "person" in form.fields and municipality_id:
                    form.fields["person"].queryset = Person.objects.filter(municipality_id=municipality_id)
        return sets

    def render_form(self, form: Any, obj: Any, **extra: Any) -> HttpResponse:
        sets = extra.pop("formsets", None) or self.formsets(None, obj)
        invalid = form.is_bound and (form.errors or any(not fs.is_valid() for fs in sets))
        return render(self.request, self.template_name, {
            **self.meta_context(), "form": form, "object": obj, "formsets": sets, **extra,
        }, status=extra.get("status") or (400 if invalid else 200))

    def post(self, request: HttpRequest, pk: int | None = None) -> HttpResponse:
        obj = self.get_object(pk)
        form = self.get_form(data=request.POST, instance=obj)
        sets = self.formsets(request.POST, obj)
        if form.is_valid() and all(fs.is_valid() for fs in sets):
            try:
                saved = do_save_form(form, request.user, parts=lambda saved: self.formsets(request.POST, saved))
            except StaleVersion:
                return self.render_form(form, obj, formsets=sets, **self.conflict(form, obj))
            messages.success(request, _("Saved engagement “{obj}”.").format(obj=saved))
            return HttpResponseRedirect(saved.get_absolute_url())
        return self.render_form(form, obj, formsets=sets)


class ExternalOrganisationListView(ObjectListView):
    model = ExternalOrganisation
    columns = [
        TITLE, Column("get_kind_display", gettext_lazy("Kind"), sort="kind"),
        Column("country_name", gettext_lazy("Country"), sort="country"),
    ]
    default_sort = "name"


class ExternalOrganisationDetailView(ObjectDetailView):
    model = ExternalOrganisation
    fields = ["kind", "country", "aliases", "website", "description"]

    def related(self, obj: Any) -> list[tuple[str, list[Any], list[Column]]]:
        rows = engagement_queryset().filter(partner_organisations=obj)
        return [(_("Engagements with this organisation"), list(rows), [MUNICIPALITY_COLUMN, *ENGAGEMENT_COLUMNS])]


class ExternalOrganisationEditView(ObjectEditView):
    model = ExternalOrganisation
    form_class = forms.ExternalOrganisationForm
    template_name = SHARED_EDIT_TEMPLATE


class CityListView(ObjectListView):
    model = City
    columns = [
        TITLE, Column("country_name", gettext_lazy("Country"), sort="country"),
        Column("latitude", gettext_lazy("Latitude")), Column("longitude", gettext_lazy("Longitude")),
    ]
    default_sort = "name"


class CityDetailView(ObjectDetailView):
    model = City
    fields = ["country", "aliases", "latitude", "longitude", "geonames_id"]

    def related(self, obj: Any) -> list[tuple[str, list[Any], list[Column]]]:
        rows = engagement_queryset().filter(partner_cities=obj)
        return [(_("Engagements with this city"), list(rows), [MUNICIPALITY_COLUMN, *ENGAGEMENT_COLUMNS])]


class CityEditView(ObjectEditView):
    model = City
    form_class = forms.CityForm
    template_name = SHARED_EDIT_TEMPLATE


class ThemeListView(ObjectListView):
    model = Theme
    columns = [TITLE, Column("name_en", gettext_lazy("Name in English"), sort="name_en")]
    default_sort = "name"


class ThemeDetailView(ObjectDetailView):
    model = Theme
    fields = ["name", "name_en", "aliases"]

    def related(self, obj: Any) -> list[tuple[str, list[Any], list[Column]]]:
        rows = engagement_queryset().filter(themes=obj)
        return [(_("Engagements with this theme"), list(rows), [MUNICIPALITY_COLUMN, *ENGAGEMENT_COLUMNS])]


class ThemeEditView(ObjectEditView):
    model = Theme
    form_class = forms.ThemeForm
    template_name = SHARED_EDIT_TEMPLATE


class FundingProgrammeListView(ObjectListView):
    model = FundingProgramme
    columns = [TITLE, Column("get_source_display", gettext_lazy("Source"), sort="source")]
    default_sort = "name"


class FundingProgrammeDetailView(ObjectDetailView):
    model = FundingProgramme
    fields = ["name", "name_en", "source", "aliases"]

    def related(self, obj: Any) -> list[tuple[str, list[Any], list[Column]]]:
        rows = funding_queryset().filter(programme=obj)
        return [(_("Funding from this programme"), list(rows), [MUNICIPALITY_COLUMN, *FUNDING_COLUMNS])]


class FundingProgrammeEditView(ObjectEditView):
    model = FundingProgramme
    form_class = forms.FundingProgrammeForm
    template_name = SHARED_EDIT_TEMPLATE


def funding_queryset() -> models.QuerySet[Funding]:
    return Funding.objects.select_related("municipality", "department", "programme")


class FundingListView(ObjectListView):
    model = Funding
    filterset_class = filtersets.FundingFilterSet
    columns = [FUNDING_COLUMNS[0], MUNICIPALITY_COLUMN, *FUNDING_COLUMNS[1:]]
    default_sort = "-start_date"

    def get_queryset(self) -> models.QuerySet[Any]:
        return funding_queryset()


class FundingDetailView(ObjectDetailView):
    model = Funding
    fields = [
        "municipality", "department", "programme", "engagements", "amount", "currency", "amount_dkk",
        "approximate", "start_date", "end_date", "status", "description", "source_reference",
    ]

    def get_queryset(self) -> models.QuerySet[Any]:
        return funding_queryset().prefetch_related("engagements")


class FundingEditView(ObjectEditView):
    model = Funding
    form_class = forms.FundingForm


class EngagementPartView(RecordMixin, View):
    """A participating department's own part of an engagement another department leads: its own people as
    representatives, and its funding lines. The core stays the lead department's (docs/permissions.md)."""

    model = Engagement

    def setup_part(self, pk: int) -> tuple[Engagement, Any]:
        engagement = get_object_or_404(self.restricted("view").select_related("municipality", "lead_department"),
                                       pk=pk)
        participating = {d.pk for d in engagement.participating_departments.all()}
        department = next((d for d in own_departments(self.request.user) if d.pk in participating), None)
        if department is None:
            raise PermissionDenied
        return engagement, department

    def formset(self, engagement: Engagement, department: Any, data: Any = None) -> Any:
        formset = forms.RepresentativeFormSet(
            data=data, instance=engagement, prefix="representatives",
            queryset=engagement.representatives.filter(person__department=department).select_related("person"))
        for form in formset.forms:
            for name, field in form.fields.items():
                field.widget.attrs.setdefault("class", "form-checkbox" if name == "DELETE" else "form-input")
            person: Any = form.fields["person"]
            person.queryset = Person.objects.filter(department=department).order_by("name")
        return formset

    def render_part(self, engagement: Engagement, department: Any, formset: Any, status: int = 200) -> HttpResponse:
        funding = funding_queryset().filter(engagements=engagement, department=department)
        return render(self.request, "engagements/engagement_part.html", {
            **self.meta_context(), "object": engagement, "department": department, "formset": formset,
            "funding": funding, "funding_add_url": reverse("engagements:funding_add"),
        }, status=status)

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        engagement, department = self.setup_part(pk)
        return self.render_part(engagement, department, self.formset(engagement, department))

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        engagement, department = self.setup_part(pk)
        formset = self.formset(engagement, department, request.POST)
        if not formset.is_valid():
            return self.render_part(engagement, department, formset, status=400)
        do_save_parts(formset, request.user)
        messages.success(request, _("Saved {department}'s part of “{obj}”.").format(
            department=department.code, obj=engagement))
        return HttpResponseRedirect(engagement.get_absolute_url())
