"""Addresses of strategies, goals, principles and focus areas."""

from udsyn.core.urls_helpers import record_urls
from udsyn.strategy import models, views

app_name = "strategy"

urlpatterns = [
    *record_urls("strategies", models.Strategy, views.StrategyListView, views.StrategyDetailView,
                 views.StrategyEditView),
    *record_urls("political-goals", models.Goal, *views.GOAL_VIEWS),
    *record_urls("principles", models.Principle, *views.PRINCIPLE_VIEWS),
    *record_urls("focus-areas", models.FocusArea, *views.FOCUS_AREA_VIEWS),
]
