"""Strategies, plans and policies with their international elements, and the political goals,
principles and focus areas that international work must serve."""

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from udsyn.core.models import RegistryModel
from udsyn.organisation.models import Department, Municipality


class Strategy(RegistryModel):
    class Kind(models.TextChoices):
        STRATEGY = "strategy", _("strategy")
        PLAN = "plan", _("plan")
        ACTION_PLAN = "action_plan", _("action plan")
        POLICY = "policy", _("policy")
        AGENDA = "agenda", _("agenda")
        VISION = "vision", _("vision")
        FRAMEWORK = "framework", _("framework")
        GUIDELINES = "guidelines", _("guidelines")
        OTHER = "other", _("other")

    municipality = models.ForeignKey(
        Municipality, on_delete=models.PROTECT, related_name="strategies", verbose_name=_("municipality")
    )
    name = models.CharField(_("name"), max_length=250)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.STRATEGY)
    departments = models.ManyToManyField(
        Department, blank=True, related_name="strategies", verbose_name=_("departments")
    )
    adopted_year = models.PositiveSmallIntegerField(_("year adopted"), null=True, blank=True)
    start_year = models.PositiveSmallIntegerField(_("first year"), null=True, blank=True)
    end_year = models.PositiveSmallIntegerField(_("last year"), null=True, blank=True)
    politically_approved = models.BooleanField(_("politically approved"), default=True)
    revision_due = models.DateField(_("revision due"), null=True, blank=True)
    description = models.TextField(_("description"), blank=True)
    source_reference = models.CharField(_("source reference"), max_length=120, blank=True)

    search_fields = ("description",)
    history = HistoricalRecords(m2m_fields=[departments])

    class Meta:
        verbose_name = _("strategy or plan")
        verbose_name_plural = _("strategies and plans")
        ordering = ["municipality__name", "name"]
        constraints = [models.UniqueConstraint(fields=["municipality", "name"], name="unique_strategy_name")]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.start_year and self.end_year and self.end_year < self.start_year:
            raise ValidationError({"end_year": _("The last year lies before the first.")})

    def search_text(self) -> str:
        return " ".join([super().search_text(), *(e.text for e in self.elements.all())])

    @property
    def period(self) -> str:
        if self.start_year and self.end_year:
            return f"{self.start_year}–{self.end_year}"
        return str(self.start_year or self.end_year or "")


class StrategyElement(RegistryModel):
    """An international element of a strategy: one goal, point or aim it states."""

    strategy = models.ForeignKey(
        Strategy, on_delete=models.CASCADE, related_name="elements", verbose_name=_("strategy")
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    text = models.TextField(_("text"))

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("international element")
        verbose_name_plural = _("international elements")
        ordering = ["strategy", "order", "pk"]

    def __str__(self) -> str:
        return self.text[:80]

    def get_absolute_url(self) -> str:
        return self.strategy.get_absolute_url()


class OrderedStatement(RegistryModel):
    """A goal, principle or focus area: a numbered statement of a municipality, from a framework."""

    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT, verbose_name=_("municipality"))
    strategy = models.ForeignKey(
        Strategy, null=True, blank=True, on_delete=models.SET_NULL, verbose_name=_("stated in"),
        help_text=_("The strategy or framework that states it."),
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    title = models.CharField(_("title"), max_length=250)
    description = models.TextField(_("description"), blank=True)

    search_fields = ("description",)

    class Meta:
        abstract = True
        ordering = ["municipality__name", "order", "title"]

    def __str__(self) -> str:
        return self.title


class Goal(OrderedStatement):
    """A political goal that international activities must support (Odense: ten goals)."""

    history = HistoricalRecords()

    class Meta(OrderedStatement.Meta):
        verbose_name = _("political goal")
        verbose_name_plural = _("political goals")
        default_related_name = "goals"
        constraints = [models.UniqueConstraint(fields=["municipality", "title"], name="unique_goal_title")]


class Principle(OrderedStatement):
    """A principle for choosing international activities, with guidance text (Odense: five)."""

    history = HistoricalRecords()

    class Meta(OrderedStatement.Meta):
        verbose_name = _("principle")
        verbose_name_plural = _("principles")
        default_related_name = "principles"
        constraints = [
            models.UniqueConstraint(fields=["municipality", "title"], name="unique_principle_title")
        ]


class FocusArea(OrderedStatement):
    """A focus area of the international work (Høje-Taastrup: four)."""

    history = HistoricalRecords()

    class Meta(OrderedStatement.Meta):
        verbose_name = _("focus area")
        verbose_name_plural = _("focus areas")
        default_related_name = "focus_areas"
        constraints = [
            models.UniqueConstraint(fields=["municipality", "title"], name="unique_focus_area_title")
        ]
