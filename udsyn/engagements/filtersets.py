"""One FilterSet per model, shared by the web lists (and later the API)."""

from collections.abc import Iterator
from typing import Any

import django_filters as filters
from django.contrib.contenttypes.models import ContentType
from django.db.models import Q, QuerySet
from django.forms.models import ModelChoiceIterator
from django.utils.translation import gettext_lazy as _
from django_filters import fields

from udsyn.core.forms import style
from udsyn.core.models import SearchEntry
from udsyn.core.text import fold
from udsyn.engagements.models import (
    City,
    Engagement,
    ExternalOrganisation,
    Funding,
    FundingProgramme,
    Theme,
    country_name,
)
from udsyn.organisation.models import Department, Municipality


def country_choices() -> list[tuple[str, str]]:
    cities = City.objects.order_by().values_list("country", flat=True)
    organisations = ExternalOrganisation.objects.exclude(country="").order_by().values_list("country", flat=True)
    codes = set(cities.union(organisations))  # one query, distinct codes only
    return sorted(((c, country_name(c)) for c in codes), key=lambda pair: fold(pair[1]))


class DepartmentIterator(ModelChoiceIterator):
    """Departments under their municipality's name when there is more than one municipality, so the
    98 "Teknik og Miljø (TMF)" of a national installation can be told apart."""

    def __iter__(self) -> Iterator[Any]:
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        groups: dict[str, list[Any]] = {}
        for department in self.queryset:
            groups.setdefault(department.municipality.name, []).append(self.choice(department))
        if len(groups) == 1:
            yield from next(iter(groups.values()))
        else:
            yield from groups.items()


class DepartmentField(fields.ModelChoiceField):
    iterator = DepartmentIterator


class DepartmentFilter(filters.ModelChoiceFilter):
    field_class = DepartmentField


DEPARTMENTS = Department.objects.select_related("municipality").only(
    "code", "name", "name_en", "municipality__name", "municipality__code")


class EngagementFilterSet(filters.FilterSet):
    q = filters.CharFilter(label=_("Text"), method="filter_text")
    municipality = filters.ModelChoiceFilter(
        queryset=Municipality.objects.having("engagements"), label=_("Municipality")
    )
    department = DepartmentFilter(queryset=DEPARTMENTS, label=_("Department"), method="filter_department")
    kind = filters.ChoiceFilter(choices=Engagement.Kind.choices, label=_("Kind"))
    status = filters.ChoiceFilter(choices=Engagement.Status.choices, label=_("Status"))
    theme = filters.ModelChoiceFilter(queryset=Theme.objects.all(), field_name="themes", label=_("Theme"))
    country = filters.ChoiceFilter(choices=country_choices, label=_("Country"), method="filter_country")
    partner = filters.CharFilter(label=_("Partner"), method="filter_partner")

    class Meta:
        model = Engagement
        fields = ["q", "municipality", "department", "kind", "status", "theme", "country", "partner"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        municipality = self.data.get("municipality") if self.data else None
        if municipality and str(municipality).isdecimal():
            self.filters["department"].queryset = DEPARTMENTS.filter(  # type: ignore[attr-defined]
                municipality_id=int(municipality))
        style(self.form)

    def filter_text(self, queryset: QuerySet[Engagement], name: str, value: str) -> QuerySet[Engagement]:
        entries = SearchEntry.objects.filter(content_type=ContentType.objects.get_for_model(Engagement))
        for word in fold(value).split():
            entries = entries.filter(folded_text__contains=word)
        return queryset.filter(pk__in=entries.values("object_id"))

    def filter_department(self, queryset: QuerySet[Engagement], name: str, value: Department) -> QuerySet[Engagement]:
        return queryset.filter(
            Q(lead_department=value) | Q(pk__in=Engagement.participating_departments.through.objects.filter(
                department=value).values("engagement_id"))
        )

    def filter_country(self, queryset: QuerySet[Engagement], name: str, value: str) -> QuerySet[Engagement]:
        return queryset.filter(
            Q(pk__in=Engagement.partner_cities.through.objects.filter(city__country=value).values("engagement_id"))
            | Q(pk__in=Engagement.partner_organisations.through.objects.filter(
                externalorganisation__country=value).values("engagement_id"))
        )

    def filter_partner(self, queryset: QuerySet[Engagement], name: str, value: str) -> QuerySet[Engagement]:
        cities = City.objects.filter(Q(name__icontains=value) | Q(aliases__icontains=value))
        orgs = ExternalOrganisation.objects.filter(Q(name__icontains=value) | Q(aliases__icontains=value))
        return queryset.filter(
            Q(pk__in=Engagement.partner_cities.through.objects.filter(city__in=cities).values("engagement_id"))
            | Q(pk__in=Engagement.partner_organisations.through.objects.filter(
                externalorganisation__in=orgs).values("engagement_id"))
        )


class FundingFilterSet(filters.FilterSet):
    municipality = filters.ModelChoiceFilter(
        queryset=Municipality.objects.having("funding"), label=_("Municipality")
    )
    department = DepartmentFilter(queryset=DEPARTMENTS, label=_("Department"))
    status = filters.ChoiceFilter(choices=Funding.Status.choices, label=_("Status"))
    source = filters.ChoiceFilter(
        field_name="programme__source", label=_("Source"),
        choices=FundingProgramme.Source.choices,
    )

    class Meta:
        model = Funding
        fields = ["municipality", "department", "status", "source"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        style(self.form)
