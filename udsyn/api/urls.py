"""Addresses of the REST API: a router of the record types, the token, the OpenAPI schema and its docs."""

from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter

from udsyn.api import views

router = DefaultRouter()
router.register("municipalities", views.MunicipalityViewSet, basename="municipality")
router.register("departments", views.DepartmentViewSet, basename="department")
router.register("units", views.UnitViewSet, basename="unit")
router.register("people", views.PersonViewSet, basename="person")
router.register("committees", views.CommitteeViewSet, basename="committee")
router.register("stated-figures", views.StatedFigureViewSet, basename="statedfigure")
router.register("engagements", views.EngagementViewSet, basename="engagement")
router.register("funding", views.FundingViewSet, basename="funding")
router.register("organisations", views.OrganisationViewSet, basename="organisation")
router.register("cities", views.CityViewSet, basename="city")
router.register("themes", views.ThemeViewSet, basename="theme")
router.register("programmes", views.ProgrammeViewSet, basename="programme")
router.register("strategies", views.StrategyViewSet, basename="strategy")
router.register("goals", views.GoalViewSet, basename="goal")
router.register("principles", views.PrincipleViewSet, basename="principle")
router.register("focus-areas", views.FocusAreaViewSet, basename="focusarea")

app_name = "api"

urlpatterns = [
    path("", include(router.urls)),
    path("token/", views.TokenView.as_view(), name="token"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    # Swagger UI with its start-up script as a file of its own (?script) and no inline style: the Content Security
    # Policy admits neither inline.
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api:schema", template_name="api/swagger_ui.html"),
         name="docs"),
    # Last: unknown addresses (e.g. an id the routes do not take, like 1.5e-07) answer in JSON too. Only those
    # ending in a slash, so that CommonMiddleware still redirects /api/themes to /api/themes/.
    re_path(r"^.*/$", views.NotFoundView.as_view()),
]
