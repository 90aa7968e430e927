"""Municipalities and their own organisation: departments, units, people and political committees."""

from typing import Any

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from udsyn.core.formatting import language
from udsyn.core.models import RegistryModel
from udsyn.core.policy import RestrictedQuerySet


class Region(RegistryModel):
    code = models.CharField(_("code"), max_length=4, unique=True)
    name = models.CharField(_("name"), max_length=100)
    nuts2 = models.CharField(_("NUTS 2 code"), max_length=4, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("region")
        verbose_name_plural = _("regions")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


# The municipality whose official Danish name takes the genitive, and names with an English exonym.
GENITIVE_NAMES = {"0101": "Københavns"}
ENGLISH_NAMES = {"0101": "Copenhagen"}


class MunicipalityQuerySet(RestrictedQuerySet):
    def with_registry(self) -> "MunicipalityQuerySet":
        """The municipalities that keep a registry (have departments), not just the reference list of 98."""
        return self.having("departments")

    def having(self, related: str) -> "MunicipalityQuerySet":
        """The municipalities with at least one related row (``"engagements"``, ``"funding"`` …): a semi-join
        (EXISTS) on the foreign key's index, not a join over every row made distinct."""
        field = self.model._meta.get_field(related)
        rows = field.related_model._default_manager.filter(  # type: ignore[union-attr]
            **{field.remote_field.name: models.OuterRef("pk")})  # type: ignore[union-attr]
        return self.filter(models.Exists(rows))


class Municipality(RegistryModel):
    """A Danish municipality, identified by its official code (``0101`` is København)."""

    code = models.CharField(
        _("municipality code"), max_length=4, unique=True,
        validators=[RegexValidator(r"^\d{3,4}$", _("The official municipality code has 3 or 4 digits."))],
        help_text=_("The official code, e.g. 0101 for København."),
    )
    name = models.CharField(_("name"), max_length=100)
    region = models.ForeignKey(
        Region, null=True, blank=True, on_delete=models.PROTECT, related_name="municipalities",
        verbose_name=_("region"),
    )
    latitude = models.FloatField(_("latitude"), null=True, blank=True)
    longitude = models.FloatField(_("longitude"), null=True, blank=True)

    search_fields = ("code",)
    objects = MunicipalityQuerySet.as_manager()  # type: ignore[misc]  # a RestrictedQuerySet too
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("municipality")
        verbose_name_plural = _("municipalities")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.official_name

    @property
    def display_name(self) -> str:
        """'København'; in English 'Copenhagen'."""
        if language() == "en":
            return ENGLISH_NAMES.get(self.code, self.name)
        return self.name

    @property
    def official_name(self) -> str:
        """'Københavns Kommune', 'Odense Kommune'; in English 'Copenhagen Municipality'."""
        if language() == "en":
            return f"{ENGLISH_NAMES.get(self.code, self.name)} Municipality"
        return f"{GENITIVE_NAMES.get(self.code, self.name)} Kommune"

    def search_municipality_id(self) -> int | None:
        return self.pk


class BilingualNameMixin:
    name: str
    name_en: str

    @property
    def display_name(self) -> str:
        if self.name_en and language() == "en":
            return self.name_en
        return self.name


class Department(BilingualNameMixin, RegistryModel):
    """A forvaltning, e.g. Økonomiforvaltningen (ØKF)."""

    municipality = models.ForeignKey(
        Municipality, on_delete=models.PROTECT, related_name="departments", verbose_name=_("municipality")
    )
    code = models.CharField(_("short code"), max_length=12, help_text=_("E.g. ØKF, TMF, KFF."))
    name = models.CharField(_("name"), max_length=150)
    name_en = models.CharField(_("name in English"), max_length=150, blank=True)
    international_work = models.TextField(
        _("international work"), blank=True,
        help_text=_("How the department organises its international work and where it is anchored."),
    )
    delegation_handling = models.TextField(
        _("handling of delegation visits"), blank=True,
        help_text=_("How the department receives and handles foreign delegations."),
    )

    search_fields = ("code", "name_en", "international_work")
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("department")
        verbose_name_plural = _("departments")
        ordering = ["municipality__name", "code"]
        constraints = [
            models.UniqueConstraint(fields=["municipality", "code"], name="unique_department_code"),
        ]

    def __str__(self) -> str:
        return f"{self.display_name} ({self.code})"


class Unit(RegistryModel):
    """A kontor, center, team or secretariat within a department."""

    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, related_name="units", verbose_name=_("department")
    )
    name = models.CharField(_("name"), max_length=200)
    international_role = models.TextField(_("international role"), blank=True)

    search_fields = ("department__code", "international_role")
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("unit")
        verbose_name_plural = _("units")
        ordering = ["department__code", "name"]
        constraints = [models.UniqueConstraint(fields=["department", "name"], name="unique_unit_name")]

    def __str__(self) -> str:
        return self.name

    def search_municipality_id(self) -> int | None:
        return self.department.municipality_id


class Person(RegistryModel):
    """A member of staff or a politician. Personal data: never shown on public pages or in open exports."""

    class Kind(models.TextChoices):
        STAFF = "staff", _("staff")
        POLITICIAN = "politician", _("politician")

    municipality = models.ForeignKey(
        Municipality, on_delete=models.PROTECT, related_name="people", verbose_name=_("municipality")
    )
    name = models.CharField(_("name"), max_length=150)
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices, default=Kind.STAFF)
    title = models.CharField(_("title or position"), max_length=200, blank=True)
    party = models.CharField(
        _("party"), max_length=40, blank=True, help_text=_("For politicians: the party letter, e.g. R.")
    )
    department = models.ForeignKey(
        Department, null=True, blank=True, on_delete=models.SET_NULL, related_name="people",
        verbose_name=_("department"),
    )
    unit = models.ForeignKey(
        Unit, null=True, blank=True, on_delete=models.SET_NULL, related_name="people", verbose_name=_("unit")
    )
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)

    search_fields = ("title", "party")
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("people")
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["municipality", "name"], name="unique_person_name")]

    def __str__(self) -> str:
        if self.party:
            return f"{self.name} ({self.party})"
        return self.name


class Committee(BilingualNameMixin, RegistryModel):
    """A political committee (udvalg) and how it treats international matters."""

    municipality = models.ForeignKey(
        Municipality, on_delete=models.PROTECT, related_name="committees", verbose_name=_("municipality")
    )
    name = models.CharField(_("name"), max_length=150)
    name_en = models.CharField(_("name in English"), max_length=150, blank=True)
    department = models.ForeignKey(
        Department, null=True, blank=True, on_delete=models.SET_NULL, related_name="committees",
        verbose_name=_("department serving it"),
    )
    international_treatment = models.TextField(
        _("treatment of international matters"), blank=True,
        help_text=_("How often and in what way the committee treats international matters."),
    )

    search_fields = ("name_en", "international_treatment")
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("political committee")
        verbose_name_plural = _("political committees")
        ordering = ["municipality__name", "name"]
        constraints = [models.UniqueConstraint(fields=["municipality", "name"], name="unique_committee_name")]

    def __str__(self) -> str:
        return self.display_name


class StatedFigure(RegistryModel):
    """A figure as a source document states it (e.g. "27 networks"), kept apart from computed ones."""

    class Unit(models.TextChoices):
        COUNT = "count", _("count")
        DKK = "DKK", _("DKK")

    class Qualifier(models.TextChoices):
        EXACT = "", _("exactly")
        ABOUT = "about", _("about")
        MORE_THAN = "more_than", _("more than")
        AT_LEAST = "at_least", _("at least")
        LESS_THAN = "less_than", _("less than")

    municipality = models.ForeignKey(
        Municipality, on_delete=models.PROTECT, related_name="stated_figures", verbose_name=_("municipality")
    )
    department = models.ForeignKey(
        Department, null=True, blank=True, on_delete=models.PROTECT, related_name="stated_figures",
        verbose_name=_("department"),
    )
    key = models.SlugField(_("key"), max_length=60, help_text=_("A stable name, e.g. networks or eu_funding."))
    label = models.CharField(_("label"), max_length=250)
    value = models.DecimalField(_("value"), max_digits=16, decimal_places=2)
    unit = models.CharField(_("unit"), max_length=8, choices=Unit.choices, default=Unit.COUNT)
    qualifier = models.CharField(
        _("qualifier"), max_length=12, blank=True, choices=Qualifier.choices, default=Qualifier.EXACT,
        help_text=_("How the source qualifies the figure, e.g. 'more than' or 'about'."),
    )
    period = models.CharField(_("period"), max_length=40, blank=True, help_text=_("E.g. 2019 or since 2013."))
    source = models.CharField(_("source"), max_length=250, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("stated figure")
        verbose_name_plural = _("stated figures")
        ordering = ["municipality__name", "department__code", "key"]
        constraints = [
            models.UniqueConstraint(fields=["municipality", "key"], name="unique_stated_figure_key"),
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def display_value(self) -> str:
        from udsyn.core.formatting import format_amount

        text = format_amount(self.value, "DKK" if self.unit == self.Unit.DKK else "")
        return f"{self.get_qualifier_display()} {text}" if self.qualifier else text


class Role(models.Model):
    """What a user may do: one role per user, scoped to a municipality and, for editors, a department."""

    class Kind(models.TextChoices):
        ADMINISTRATOR = "administrator", _("administrator")
        COORDINATOR = "coordinator", _("coordinator")
        EDITOR = "editor", _("department editor")
        READER = "reader", _("reader")

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="udsyn_role", verbose_name=_("user")
    )
    kind = models.CharField(_("role"), max_length=16, choices=Kind.choices, default=Kind.READER)
    municipality = models.ForeignKey(
        Municipality, null=True, blank=True, on_delete=models.PROTECT, related_name="roles",
        verbose_name=_("municipality"),
    )
    department = models.ForeignKey(
        Department, null=True, blank=True, on_delete=models.PROTECT, related_name="roles",
        verbose_name=_("department"),
        help_text=_("A department editor's main department: the one their pages open on."),
    )
    other_departments = models.ManyToManyField(
        Department, blank=True, related_name="further_roles", verbose_name=_("other departments"),
        help_text=_("Further departments a department editor edits, beside the main one."),
    )

    objects = RestrictedQuerySet.as_manager()

    # The other departments are kept in history too; the history row says who changed the role.
    history = HistoricalRecords(m2m_fields=[other_departments])

    class Meta:
        verbose_name = _("role")
        verbose_name_plural = _("roles")

    def __str__(self) -> str:
        return f"{self.user}: {self.get_kind_display()}"

    def department_ids(self) -> frozenset[int]:
        """Every department a department editor edits: the main one and the others (none for other kinds)."""
        if self.kind != self.Kind.EDITOR:
            return frozenset()
        ids = {d.pk for d in self.other_departments.all()} if self.pk else set()
        if self.department_id is not None:
            ids.add(self.department_id)
        return frozenset(ids)

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        if self.kind == self.Kind.COORDINATOR and not self.municipality_id:
            raise ValidationError({"municipality": _("A coordinator needs a municipality.")})
        if self.kind == self.Kind.EDITOR and not self.department_id:
            raise ValidationError({"department": _("A department editor needs a department.")})
        if self.department is not None and self.department.municipality_id != self.municipality_id:
            self.municipality_id = self.department.municipality_id


class Invitation(models.Model):
    """An invitation by e-mail to take up a role: its link works once, until it expires. Only a digest of
    the link's secret is stored, so the table does not hold working links."""

    email = models.EmailField(_("e-mail"))
    kind = models.CharField(_("role"), max_length=16, choices=Role.Kind.choices, default=Role.Kind.READER)
    municipality = models.ForeignKey(
        Municipality, null=True, blank=True, on_delete=models.CASCADE, related_name="invitations",
        verbose_name=_("municipality"),
    )
    department = models.ForeignKey(
        Department, null=True, blank=True, on_delete=models.CASCADE, related_name="invitations",
        verbose_name=_("department"),
    )
    other_departments = models.ManyToManyField(
        Department, blank=True, related_name="further_invitations", verbose_name=_("other departments"),
    )
    token_digest = models.CharField(_("digest of the link's secret"), max_length=64, unique=True, editable=False)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        verbose_name=_("invited by"),
    )
    created = models.DateTimeField(_("sent"), auto_now_add=True)
    expires = models.DateTimeField(_("expires"))
    accepted = models.DateTimeField(_("accepted"), null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        verbose_name=_("accepted by"),
    )
    cancelled = models.DateTimeField(_("cancelled"), null=True, blank=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ["-created"]

    def __str__(self) -> str:
        return f"{self.email}: {self.get_kind_display()}"

    def is_open(self, now: Any = None) -> bool:
        """Neither accepted nor cancelled, and not expired."""
        from django.utils import timezone

        return self.accepted is None and self.cancelled is None and (now or timezone.now()) < self.expires


class ApiToken(models.Model):
    """A key to the API for one user (``Authorization: Token <key>``). Only a digest of the key is stored: the
    key is shown once, when it is made. It expires (``UDSYN_TOKEN_DAYS``) and can be revoked; history keeps
    who made and revoked it (udsyn.organisation.tokens)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens",
                             verbose_name=_("user"))
    name = models.CharField(_("name"), max_length=100, blank=True)
    prefix = models.CharField(_("begins with"), max_length=8, editable=False)
    key_digest = models.CharField(_("digest of the key"), max_length=64, unique=True, editable=False)
    created = models.DateTimeField(_("made"))
    expires = models.DateTimeField(_("expires"))
    last_used = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked = models.DateTimeField(_("revoked"), null=True, blank=True)

    history = HistoricalRecords(excluded_fields=["last_used"])

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created", "-pk"]

    def __str__(self) -> str:
        return f"{self.prefix}…"

    def is_valid(self, now: Any = None) -> bool:
        """Neither revoked nor expired."""
        from django.utils import timezone

        return self.revoked is None and (now or timezone.now()) < self.expires
