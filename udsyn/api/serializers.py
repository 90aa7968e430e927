"""Serializers of the main record types. Relations are given by id; ``*_display`` fields carry labels.

Public variants (for anonymous callers) leave out people, internal notes and source references.
"""

from typing import Any

from rest_framework import serializers

from udsyn.core.policy import allows
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

VERSION_HELP = (
    "The record's version: each save adds one (it is also the ETag of the record). Changing or deleting the "
    "record needs the version the change is based on, in an If-Match header or here; a change based on an "
    "older version is refused (412). Ignored when a record is created."
)


class ValidatingSerializer(serializers.ModelSerializer):
    """Runs the model's own ``clean()`` so the API enforces the same rules as the web forms."""

    version = serializers.IntegerField(required=False, min_value=1, help_text=VERSION_HELP)

    def get_field_names(self, declared_fields: Any, info: Any) -> list[str]:
        return [*super().get_field_names(declared_fields, info), "version"]

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        from django.core.exceptions import ValidationError as DjangoValidationError

        attrs.pop("version", None)  # read by the view (the If-Match check), never written

        model = self.Meta.model
        # A detached copy of the record as it would be saved; the record itself stays untouched.
        current = {f.attname: getattr(self.instance, f.attname) for f in model._meta.concrete_fields} \
            if self.instance is not None else {}
        candidate = model(**current)
        m2m = {f.name for f in model._meta.many_to_many}
        for key, value in attrs.items():
            if key not in m2m:
                setattr(candidate, key, value)
        before = {f.attname: getattr(candidate, f.attname) for f in model._meta.concrete_fields}
        try:
            candidate.clean()
        except DjangoValidationError as error:
            raise serializers.ValidationError(
                error.message_dict if hasattr(error, "error_dict") else error.messages
            ) from error
        # What clean() normalised (a currency code in capitals, the amount in DKK filled in) is saved too.
        for f in model._meta.concrete_fields:
            writable = f.name in self.fields and not self.fields[f.name].read_only
            if writable and getattr(candidate, f.attname) != before[f.attname]:
                attrs[f.name] = getattr(candidate, f.name)
        return attrs


def aliases_field(model: type[Any]) -> serializers.ListField:
    """Other names, a list of strings as the web forms keep them (the model's JSON field takes any JSON)."""
    field = model._meta.get_field("aliases")
    return serializers.ListField(child=serializers.CharField(max_length=200), required=False,
                                 label=field.verbose_name, help_text=field.help_text or None)


class MunicipalitySerializer(serializers.ModelSerializer):
    class Meta:
        model = Municipality
        fields = ["id", "code", "name", "official_name", "region", "latitude", "longitude", "version"]


class FiguresSerializer(serializers.Serializer):
    """A municipality's money figures, added up where every other surface adds them up (the engagements'
    ``annual_costs`` and the funding's ``total``). Amounts in DKK."""

    currency = serializers.CharField()
    annual_fees = serializers.DecimalField(max_digits=16, decimal_places=2)
    co_financing = serializers.DecimalField(max_digits=16, decimal_places=2)
    funding_total = serializers.DecimalField(max_digits=18, decimal_places=2)
    funding_expected = serializers.DecimalField(max_digits=18, decimal_places=2)
    funding_lines = serializers.IntegerField()
    funding_lines_without_amount = serializers.IntegerField()


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
    aliases = aliases_field(ExternalOrganisation)

    class Meta:
        model = ExternalOrganisation
        fields = ["id", "name", "kind", "country", "aliases", "website", "description"]


class CitySerializer(ValidatingSerializer):
    aliases = aliases_field(City)

    class Meta:
        model = City
        fields = ["id", "name", "country", "aliases", "latitude", "longitude", "geonames_id"]


class ProgrammeSerializer(ValidatingSerializer):
    aliases = aliases_field(FundingProgramme)

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


ENGAGEMENT_PUBLIC = ["id", *Engagement.OPEN_FIELDS]  # declared on the model


class EngagementSerializer(ValidatingSerializer):
    representatives = RepresentativeSerializer(many=True, read_only=True)
    links = LinkSerializer(many=True, read_only=True)

    class Meta:
        model = Engagement
        fields = [*ENGAGEMENT_PUBLIC, "responsible_unit", "contacts", "representatives", "links",
                  "source_reference", "notes"]

    def to_representation(self, instance: Any) -> dict[str, Any]:
        data: dict[str, Any] = super().to_representation(instance)
        # Contacts and representatives are people: listed within the engagement's municipality only
        # (need-to-know, docs/permissions.md).
        request = self.context.get("request")
        user = getattr(request, "user", None)
        if not allows(user, "view", Person(municipality_id=instance.municipality_id)):
            data["contacts"], data["representatives"] = [], []
        return data


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


class EngagementReadSerializer(EngagementSerializer):
    """An engagement as it is read. Anonymous callers get only the published fields (no responsible unit,
    contacts, representatives, links, source reference or notes), with null, or an empty list, for the
    fields the record marks internal."""

    # Documentation only (the schema of list and detail responses): what anonymous callers may miss is
    # optional, what may be masked is nullable.
    representatives = RepresentativeSerializer(many=True, required=False)
    links = LinkSerializer(many=True, required=False)
    description = serializers.CharField(allow_null=True, allow_blank=True, required=False,
                                        label=Engagement._meta.get_field("description").verbose_name)
    termination_reason = serializers.CharField(allow_null=True, allow_blank=True, required=False,
                                               label=Engagement._meta.get_field("termination_reason").verbose_name)


FUNDING_PUBLIC = ["id", *Funding.OPEN_FIELDS]  # declared on the model


class FundingSerializer(ValidatingSerializer):
    class Meta:
        model = Funding
        fields = [*FUNDING_PUBLIC, "source_reference"]


class PublicFundingSerializer(MaskedSerializer):
    class Meta:
        model = Funding
        fields = FUNDING_PUBLIC


class FundingReadSerializer(FundingSerializer):
    """A funding line as it is read. Anonymous callers get no source reference, and null, or an empty list,
    for the fields the record marks internal."""

    # Documentation only (the schema of list and detail responses).
    description = serializers.CharField(allow_null=True, allow_blank=True, required=False,
                                        label=Funding._meta.get_field("description").verbose_name)


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
