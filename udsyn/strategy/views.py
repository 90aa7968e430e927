"""Pages of strategies, goals, principles and focus areas."""

from typing import Any

from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from udsyn.core.forms import registry_form
from udsyn.core.tables import TITLE, Column
from udsyn.core.views import ObjectDetailView, ObjectEditView, ObjectListView
from udsyn.strategy.models import FocusArea, Goal, Principle, Strategy

MUNICIPALITY = Column("municipality.name", gettext_lazy("Municipality"), sort="municipality__name")


class StrategyListView(ObjectListView):
    model = Strategy
    columns = [
        TITLE, Column("get_kind_display", gettext_lazy("Kind"), sort="kind"), MUNICIPALITY,
        Column("period", gettext_lazy("Period"), sort="start_year"),
        Column("adopted_year", gettext_lazy("Year adopted"), sort="adopted_year"),
    ]
    default_sort = "name"

    def get_queryset(self) -> models.QuerySet[Any]:
        return Strategy.objects.select_related("municipality")


class StrategyDetailView(ObjectDetailView):
    model = Strategy
    template_name = "strategy/strategy_detail.html"
    fields = [
        "municipality", "kind", "departments", "adopted_year", "start_year", "end_year",
        "politically_approved", "revision_due", "description", "source_reference",
    ]

    def get_queryset(self) -> models.QuerySet[Any]:
        return Strategy.objects.select_related("municipality").prefetch_related("departments", "elements")

    def related(self, obj: Any) -> list[tuple[str, list[Any], list[Column]]]:
        columns = [TITLE, Column("description", gettext_lazy("Description"))]
        return [
            (_("Political goals"), list(obj.goals.all()), columns),
            (_("Principles"), list(obj.principles.all()), columns),
            (_("Focus areas"), list(obj.focus_areas.all()), columns),
        ]


class StrategyEditView(ObjectEditView):
    model = Strategy
    form_class = registry_form(Strategy, [
        "municipality", "name", "kind", "departments", "adopted_year", "start_year", "end_year",
        "politically_approved", "revision_due", "description", "source_reference",
    ])


def statement_views(model: type[Any]) -> tuple[type[Any], type[Any], type[Any]]:
    """List, detail and edit views of a goal, principle or focus area: they share one shape."""
    fields = ["municipality", "strategy", "order", "title", "description"]
    list_view = type(f"{model.__name__}ListView", (ObjectListView,), {
        "model": model,
        "columns": [Column("order", "#", sort="order"), TITLE, MUNICIPALITY],
        "default_sort": "order",
        "get_queryset": lambda self: model.objects.select_related("municipality").order_by(
            "municipality__name", "order"),
    })
    detail_view = type(f"{model.__name__}DetailView", (ObjectDetailView,), {
        "model": model, "fields": fields,
    })
    edit_view = type(f"{model.__name__}EditView", (ObjectEditView,), {
        "model": model, "form_class": registry_form(model, fields),
    })
    return list_view, detail_view, edit_view


GOAL_VIEWS = statement_views(Goal)
PRINCIPLE_VIEWS = statement_views(Principle)
FOCUS_AREA_VIEWS = statement_views(FocusArea)
