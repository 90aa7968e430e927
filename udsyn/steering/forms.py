"""Forms of goal links, reviews and their scores, ending an engagement, indicators and the review schedule."""

from typing import Any

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from udsyn.core.forms import StyledForm, StyledModelForm, VersionedForm, style
from udsyn.engagements.models import Engagement
from udsyn.steering.models import Alignment, Indicator, Observation, Review, ReviewSchedule
from udsyn.strategy.models import FocusArea, Goal, Principle


class AlignmentForm(forms.ModelForm):
    class Meta:
        model = Alignment
        fields = ["goal", "focus_area", "justification"]

    def __init__(self, *args: Any, engagement: Engagement, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.instance.engagement = engagement
        goal: Any = self.fields["goal"]
        area: Any = self.fields["focus_area"]
        goal.queryset = Goal.objects.filter(municipality=engagement.municipality).order_by("order")
        area.queryset = FocusArea.objects.filter(municipality=engagement.municipality).order_by("order")
        style(self)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        goal, area = data.get("goal"), data.get("focus_area")
        if bool(goal) == bool(area):
            raise forms.ValidationError(_("Choose either a political goal or a focus area."))
        engagement = self.instance.engagement
        duplicate = Alignment.objects.filter(engagement=engagement, goal=goal, focus_area=area)
        if duplicate.exists():
            raise forms.ValidationError(_("The engagement is already linked to it."))
        return data


class ReviewForm(StyledModelForm):
    class Meta:
        model = Review
        fields = ["reviewed_on", "staff_hours", "hourly_cost", "annual_fee", "co_financing", "funding_brought",
                  "knowledge", "partnerships", "visibility", "recommendation", "summary", "next_review_due"]
        widgets = {
            "recommendation": forms.RadioSelect,
        }
        help_texts = {"next_review_due": gettext_lazy("Empty: as the review schedule says.")}


class ScoreForm(forms.Form):
    """One principle's score (1–5) and note."""

    score = forms.TypedChoiceField(
        choices=[("", "—")] + [(str(n), str(n)) for n in range(1, 6)], coerce=int, empty_value=None,
        required=False, label=gettext_lazy("Score (1–5)"),
    )
    note = forms.CharField(required=False, label=gettext_lazy("Note"), widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, principle: Principle, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.principle = principle
        style(self)


def score_forms(principles: list[Principle], data: Any = None) -> list[ScoreForm]:
    return [ScoreForm(data, principle=p, prefix=f"principle-{p.pk}") for p in principles]


class EndForm(StyledForm):
    reason = forms.CharField(label=gettext_lazy("Reason for ending it"), widget=forms.Textarea(attrs={"rows": 3}),
                             help_text=gettext_lazy("Kept with the engagement and in its history."))


class ObservationForm(forms.ModelForm):
    class Meta:
        model = Observation
        fields = ["date", "value", "note"]

    def __init__(self, *args: Any, indicator: Indicator, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.instance.indicator = indicator
        style(self)

    def clean_date(self) -> Any:
        date = self.cleaned_data["date"]
        if Observation.objects.filter(indicator=self.instance.indicator, date=date).exists():
            raise forms.ValidationError(_("There is already a value for this date."))
        return date


class ScheduleForm(StyledModelForm):
    class Meta:
        model = ReviewSchedule
        fields = ["interval", "remind_days_before"]
        widgets = {"interval": forms.RadioSelect}


class IndicatorForm(VersionedForm):
    class Meta:
        model = Indicator
        fields = ["name", "goal", "focus_area", "measure", "data_source", "owner", "frequency", "computed", "unit",
                  "target_value", "target_date"]
        widgets = {"measure": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args: Any, municipality: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.instance.municipality = municipality
        for name, model in (("goal", Goal), ("focus_area", FocusArea)):
            field: Any = self.fields[name]
            field.queryset = model.objects.filter(municipality=municipality).order_by("order")
        owner: Any = self.fields["owner"]
        owner.queryset = owner.queryset.filter(municipality=municipality).order_by("name")
        style(self)
