"""Steering by political goals: which goals an engagement serves, reviews that weigh what it costs
against what it brings, review schedules, and indicators with observations over time."""

import datetime
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from udsyn.core.models import RegistryModel
from udsyn.core.policy import RestrictedQuerySet
from udsyn.engagements.models import Engagement
from udsyn.organisation.models import Municipality, Person
from udsyn.strategy.models import FocusArea, Goal, Principle


def council_period(year: int) -> tuple[int, int]:
    """The Danish municipal council period a year falls in: 2018–2021, 2022–2025, 2026–2029, …"""
    start = year - (year - 2018) % 4
    return start, start + 3


class Alignment(RegistryModel):
    """An engagement serves a political goal or a focus area, and why."""

    engagement = models.ForeignKey(
        Engagement, on_delete=models.CASCADE, related_name="alignments", verbose_name=_("engagement")
    )
    goal = models.ForeignKey(
        Goal, null=True, blank=True, on_delete=models.PROTECT, related_name="alignments",
        verbose_name=_("political goal"),
    )
    focus_area = models.ForeignKey(
        FocusArea, null=True, blank=True, on_delete=models.PROTECT, related_name="alignments",
        verbose_name=_("focus area"),
    )
    justification = models.TextField(_("justification"), blank=True,
                                     help_text=_("In a sentence or two: how the engagement serves it."))

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("goal link")
        verbose_name_plural = _("goal links")
        ordering = ["engagement__title"]
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(goal__isnull=False) & models.Q(focus_area__isnull=True))
                | (models.Q(goal__isnull=True) & models.Q(focus_area__isnull=False)),
                name="alignment_goal_or_focus_area",
            ),
            models.UniqueConstraint(fields=["engagement", "goal"], name="unique_alignment_goal"),
            models.UniqueConstraint(fields=["engagement", "focus_area"], name="unique_alignment_focus_area"),
        ]

    def __str__(self) -> str:
        return f"{self.engagement} → {self.goal or self.focus_area}"

    @property
    def target(self) -> Goal | FocusArea | None:
        return self.goal or self.focus_area

    def clean(self) -> None:
        if bool(self.goal_id) == bool(self.focus_area_id):
            raise ValidationError(_("Link to either a political goal or a focus area."))
        target = self.goal or self.focus_area
        if target is not None and self.engagement_id and target.municipality_id != self.engagement.municipality_id:
            raise ValidationError(_("The goal belongs to another municipality."))

    def get_absolute_url(self) -> str:
        return self.engagement.get_absolute_url()

    def search_municipality_id(self) -> int | None:
        return self.engagement.municipality_id


class ReviewSchedule(models.Model):
    """How often a municipality reviews its engagements."""

    class Interval(models.TextChoices):
        YEARLY = "yearly", _("every year")
        TWO_YEARS = "two_years", _("every second year")
        COUNCIL_PERIOD = "council_period", _("once every council period")

    municipality = models.OneToOneField(
        Municipality, on_delete=models.CASCADE, related_name="review_schedule", verbose_name=_("municipality")
    )
    interval = models.CharField(_("interval"), max_length=16, choices=Interval.choices, default=Interval.YEARLY)
    remind_days_before = models.PositiveSmallIntegerField(_("remind this many days before"), default=30)

    objects = RestrictedQuerySet.as_manager()

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("review schedule")
        verbose_name_plural = _("review schedules")

    def __str__(self) -> str:
        return f"{self.municipality}: {self.get_interval_display()}"

    def next_due(self, after: datetime.date) -> datetime.date:
        """The date the next review falls due, counted from a review (or a start) on ``after``."""
        if self.interval == self.Interval.COUNCIL_PERIOD:
            _start, end = council_period(after.year)
            return datetime.date(end, 12, 31)
        years = 2 if self.interval == self.Interval.TWO_YEARS else 1
        try:
            return after.replace(year=after.year + years)
        except ValueError:  # 29 February
            return after.replace(year=after.year + years, day=28)


class Review(RegistryModel):
    """A value review of an engagement: what it costs against what it brings, and what to do next."""

    class Recommendation(models.TextChoices):
        CONTINUE = "continue", _("continue")
        ADJUST = "adjust", _("adjust")
        END = "end", _("end")

    engagement = models.ForeignKey(
        Engagement, on_delete=models.CASCADE, related_name="reviews", verbose_name=_("engagement")
    )
    reviewed_on = models.DateField(_("reviewed on"))
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="reviews",
        verbose_name=_("reviewer"),
    )
    staff_hours = models.PositiveIntegerField(
        _("staff time (hours a year)"), null=True, blank=True, help_text=_("An estimate is enough.")
    )
    hourly_cost = models.DecimalField(
        _("cost of an hour (DKK)"), max_digits=8, decimal_places=2, default=Decimal("500"),
        help_text=_("Used to turn the staff time into money."),
    )
    annual_fee = models.DecimalField(_("annual fee (DKK)"), max_digits=14, decimal_places=2, null=True,
                                     blank=True, help_text=_("As it stood when reviewed."))
    co_financing = models.DecimalField(_("annual co-financing (DKK)"), max_digits=14, decimal_places=2,
                                       null=True, blank=True, help_text=_("As it stood when reviewed."))
    funding_brought = models.DecimalField(
        _("funding brought home (DKK)"), max_digits=16, decimal_places=2, null=True, blank=True,
        help_text=_("External funding tied to the engagement, as registered when reviewed."),
    )
    knowledge = models.TextField(_("knowledge gained"), blank=True)
    partnerships = models.TextField(_("partnerships formed"), blank=True)
    visibility = models.TextField(_("visibility and reputation"), blank=True)
    recommendation = models.CharField(_("recommendation"), max_length=10, choices=Recommendation.choices)
    summary = models.TextField(_("summary"), blank=True)
    next_review_due = models.DateField(_("next review due"), null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("review")
        verbose_name_plural = _("reviews")
        ordering = ["-reviewed_on", "-pk"]

    def __str__(self) -> str:
        return f"{self.engagement} ({self.reviewed_on:%d.%m.%Y})"

    def get_absolute_url(self) -> str:
        return reverse("steering:review_detail", args=[self.pk])

    def search_municipality_id(self) -> int | None:
        return self.engagement.municipality_id

    @property
    def staff_cost(self) -> Decimal:
        return Decimal(self.staff_hours or 0) * self.hourly_cost

    @property
    def total_cost(self) -> Decimal:
        return (self.annual_fee or Decimal(0)) + (self.co_financing or Decimal(0)) + self.staff_cost

    @property
    def average_score(self) -> Decimal | None:
        scores = [s.score for s in self.scores.all()]
        return (Decimal(sum(scores)) / len(scores)).quantize(Decimal("0.1")) if scores else None


class ReviewScore(models.Model):
    """How well the engagement lives up to one principle, 1 (not at all) to 5 (fully)."""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="scores", verbose_name=_("review"))
    principle = models.ForeignKey(Principle, on_delete=models.PROTECT, related_name="scores",
                                  verbose_name=_("principle"))
    score = models.PositiveSmallIntegerField(_("score"), validators=[MinValueValidator(1), MaxValueValidator(5)])
    note = models.TextField(_("note"), blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("score")
        verbose_name_plural = _("scores")
        ordering = ["principle__order"]
        constraints = [
            models.UniqueConstraint(fields=["review", "principle"], name="unique_review_principle"),
            models.CheckConstraint(condition=models.Q(score__gte=1, score__lte=5), name="score_1_to_5"),
        ]

    def __str__(self) -> str:
        return f"{self.principle}: {self.score}"


class Indicator(RegistryModel):
    """A measure tied to a goal or focus area, with its data source, owner and publication frequency."""

    class Frequency(models.TextChoices):
        MONTHLY = "monthly", _("monthly")
        QUARTERLY = "quarterly", _("quarterly")
        YEARLY = "yearly", _("yearly")

    class Computed(models.TextChoices):
        MANUAL = "", _("entered by its owner")
        FUNDING_PER_YEAR = "funding_per_year", _("external funding brought home per year (DKK)")
        ACTIVE_PARTNERSHIPS = "active_partnerships", _("active partnerships serving the goal")
        REVIEWED_ON_TIME = "reviewed_on_time", _("share of engagements reviewed on time (%)")
        DELEGATION_VISITS = "delegation_visits", _("delegation visits held per year")

    municipality = models.ForeignKey(
        Municipality, on_delete=models.PROTECT, related_name="indicators", verbose_name=_("municipality")
    )
    goal = models.ForeignKey(Goal, null=True, blank=True, on_delete=models.SET_NULL, related_name="indicators",
                             verbose_name=_("political goal"))
    focus_area = models.ForeignKey(FocusArea, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="indicators", verbose_name=_("focus area"))
    name = models.CharField(_("name"), max_length=200)
    measure = models.TextField(_("measure"), help_text=_("What is counted or measured, and how."))
    data_source = models.CharField(_("data source"), max_length=250)
    owner = models.ForeignKey(Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="indicators",
                              verbose_name=_("owner"))
    frequency = models.CharField(_("publication frequency"), max_length=10, choices=Frequency.choices,
                                 default=Frequency.YEARLY)
    computed = models.CharField(_("computed by the registry"), max_length=32, choices=Computed.choices,
                                blank=True, default=Computed.MANUAL)
    unit = models.CharField(_("unit"), max_length=20, blank=True, help_text=_("E.g. DKK, %, visits."))
    target_value = models.DecimalField(_("target value"), max_digits=16, decimal_places=2, null=True, blank=True)
    target_date = models.DateField(_("target date"), null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")
        ordering = ["municipality__name", "name"]
        constraints = [models.UniqueConstraint(fields=["municipality", "name"], name="unique_indicator_name")]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("steering:indicator_detail", args=[self.pk])

    def clean(self) -> None:
        for target in (self.goal, self.focus_area):
            if target is not None and self.municipality_id and target.municipality_id != self.municipality_id:
                raise ValidationError(_("The goal belongs to another municipality."))
        if self.computed == self.Computed.ACTIVE_PARTNERSHIPS and not (self.goal_id or self.focus_area_id):
            raise ValidationError({"computed": _("Counting partnerships per goal needs a goal or focus area.")})

    @property
    def period_days(self) -> int:
        return {"monthly": 31, "quarterly": 92, "yearly": 366}[self.frequency]


class Observation(models.Model):
    """A value an indicator had on a date, entered by its owner."""

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="observations",
                                  verbose_name=_("indicator"))
    date = models.DateField(_("date"))
    value = models.DecimalField(_("value"), max_digits=16, decimal_places=2)
    note = models.CharField(_("note"), max_length=250, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    verbose_name=_("recorded by"))

    objects = RestrictedQuerySet.as_manager()

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("observation")
        verbose_name_plural = _("observations")
        ordering = ["indicator", "date"]
        constraints = [models.UniqueConstraint(fields=["indicator", "date"], name="unique_observation_date")]

    def __str__(self) -> str:
        return f"{self.indicator}: {self.value} ({self.date})"


class Reminder(models.Model):
    """An e-mail reminder that was sent, so the same one is not sent again within a week."""

    key = models.CharField(_("what it is about"), max_length=120, db_index=True)
    recipients = models.TextField(_("recipients"))
    subject = models.CharField(_("subject"), max_length=250)
    sent = models.DateTimeField(_("sent"), auto_now_add=True)

    class Meta:
        verbose_name = _("reminder")
        verbose_name_plural = _("reminders")
        ordering = ["-sent"]

    def __str__(self) -> str:
        return self.subject
