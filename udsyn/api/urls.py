from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.authtoken.views import obtain_auth_token
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
    path("token/", obtain_auth_token, name="token"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api:schema"), name="docs"),
]
