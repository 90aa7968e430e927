"""Serializers of the main record types. Relations are given by id; ``*_display`` fields carry labels.

Public variants (for anonymous callers) leave out people, internal notes and source references.
"""

from typing import Any

from rest_framework import serializers

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
from udsyn.organisation.models import Committee, Department, Municipality, Person, StatedFigure, Unit
from udsyn.strategy.models import FocusArea, Goal, Principle, Strategy


class ValidatingSerializer(serializers.ModelSerializer):
    """Runs the model's own ``clean()`` so the API enforces the same rules as the web forms."""

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        from django.core.exceptions import ValidationError as DjangoValidationError

        model = self.Meta.model
        # A detached copy of the record as it would be saved; the record itself stays untouched.
        current = {f.attname: getattr(self.instance, f.attname) for f in model._meta.concrete_fields} \
            if self.instance is not None else {}
        candidate = model(**current)
        m2m = {f.name for f in model._meta.many_to_many}
        for key, value in attrs.items():
            if key not in m2m:
                setattr(candidate, key, value)
        try:
            candidate.clean()
        except DjangoValidationError as error:
            raise serializers.ValidationError(
                error.message_dict if hasattr(error, "error_dict") else error.messages
            ) from error
        return attrs


class MunicipalitySerializer(serializers.ModelSerializer):
    class Meta:
        model = Municipality
        fields = ["id", "code", "name", "official_name", "region", "latitude", "longitude"]


class DepartmentSerializer(ValidatingSerializer):
    class Meta:
        model = Department
        fields = ["id", "municipality", "code", "name", "name_en", "international_work", "delegation_handling"]


class UnitSerializer(ValidatingSerializer):
    class Meta:
        model = Unit
        fields = ["id", "department", "name", "international_role"]


class PersonSerializer(ValidatingSerializer):
    class Meta:
        model = Person
        fields = ["id", "municipality", "name", "kind", "title", "party", "department", "unit", "email", "phone"]


class CommitteeSerializer(ValidatingSerializer):
    class Meta:
        model = Committee
        fields = ["id", "municipality", "name", "name_en", "department", "international_treatment"]


class ThemeSerializer(ValidatingSerializer):
    class Meta:
        model = Theme
        fields = ["id", "name", "name_en"]


class OrganisationSerializer(ValidatingSerializer):
    class Meta:
        model = ExternalOrganisation
        fields = ["id", "name", "kind", "country", "aliases", "website", "description"]


class CitySerializer(ValidatingSerializer):
    class Meta:
        model = City
        fields = ["id", "name", "country", "aliases", "latitude", "longitude", "geonames_id"]


class ProgrammeSerializer(ValidatingSerializer):
    class Meta:
        model = FundingProgramme
        fields = ["id", "name", "name_en", "source", "aliases"]


class RepresentativeSerializer(serializers.ModelSerializer):
    class Meta:
        model = Representative
        fields = ["id", "person", "role"]


class LinkSerializer(serializers.ModelSerializer):
    class Meta:
        model = EngagementLink
        fields = ["id", "url", "title"]


ENGAGEMENT_PUBLIC = [
    "id", "municipality", "title", "kind", "partnership_type", "parent", "description", "lead_department",
    "participating_departments", "themes", "partner_organisations", "partner_cities", "start_date", "end_date",
    "status", "termination_reason", "annual_fee", "co_financing",
]


class EngagementSerializer(ValidatingSerializer):
    representatives = RepresentativeSerializer(many=True, read_only=True)
    links = LinkSerializer(many=True, read_only=True)

    class Meta:
        model = Engagement
        fields = [*ENGAGEMENT_PUBLIC, "responsible_unit", "contacts", "representatives", "links",
                  "source_reference", "notes"]


class MaskedSerializer(serializers.ModelSerializer):
    """Leaves out, for anonymous callers, the fields a record marks internal."""

    def to_representation(self, instance: Any) -> dict[str, Any]:
        data: dict[str, Any] = super().to_representation(instance)
        for name in instance.internal_fields or []:
            if name in data:
                data[name] = [] if isinstance(data[name], list) else None
        return data


class PublicEngagementSerializer(MaskedSerializer):
    class Meta:
        model = Engagement
        fields = ENGAGEMENT_PUBLIC


FUNDING_PUBLIC = [
    "id", "municipality", "title", "department", "programme", "engagements", "amount", "currency", "amount_dkk",
    "approximate", "start_date", "end_date", "status", "description",
]


class FundingSerializer(ValidatingSerializer):
    class Meta:
        model = Funding
        fields = [*FUNDING_PUBLIC, "source_reference"]


class PublicFundingSerializer(MaskedSerializer):
    class Meta:
        model = Funding
        fields = FUNDING_PUBLIC


class StrategySerializer(ValidatingSerializer):
    elements = serializers.SlugRelatedField(many=True, read_only=True, slug_field="text")

    class Meta:
        model = Strategy
        fields = ["id", "municipality", "name", "kind", "departments", "adopted_year", "start_year", "end_year",
                  "politically_approved", "revision_due", "description", "source_reference", "elements"]


STATEMENT_FIELDS = ["id", "municipality", "strategy", "order", "title", "description"]


class GoalSerializer(ValidatingSerializer):
    class Meta:
        model = Goal
        fields = STATEMENT_FIELDS


class PrincipleSerializer(ValidatingSerializer):
    class Meta:
        model = Principle
        fields = STATEMENT_FIELDS


class FocusAreaSerializer(ValidatingSerializer):
    class Meta:
        model = FocusArea
        fields = STATEMENT_FIELDS


class StatedFigureSerializer(ValidatingSerializer):
    class Meta:
        model = StatedFigure
        fields = ["id", "municipality", "department", "key", "label", "value", "unit", "qualifier", "period",
                  "source"]
