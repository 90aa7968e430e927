"""Addresses of the start page and of municipalities, departments, units, people, committees and stated figures."""

from django.urls import path

from udsyn.core.urls_helpers import record_urls
from udsyn.organisation import models, views, views_users

app_name = "organisation"

urlpatterns = [
    path("", views.home, name="home"),
    path("users/", views_users.user_list, name="user_list"),
    path("users/invite/", views_users.invite, name="invite"),
    path("users/<int:pk>/", views_users.user_detail, name="user_detail"),
    path("users/<int:pk>/active/", views_users.user_active, name="user_active"),
    path("users/<int:pk>/tokens/", views_users.token_make, name="token_make"),
    path("users/<int:pk>/tokens/<int:token_pk>/revoke/", views_users.token_revoke, name="token_revoke"),
    path("users/invitations/<int:pk>/cancel/", views_users.invitation_cancel, name="invitation_cancel"),
    path("invitation/<str:token>/", views_users.invitation, name="invitation"),
    *record_urls("municipalities", models.Municipality, views.MunicipalityListView,
                 views.MunicipalityDetailView, views.MunicipalityEditView),
    *record_urls("departments", models.Department, views.DepartmentListView, views.DepartmentDetailView,
                 views.DepartmentEditView),
    *record_urls("units", models.Unit, views.UnitListView, views.UnitDetailView, views.UnitEditView),
    *record_urls("people", models.Person, views.PersonListView, views.PersonDetailView, views.PersonEditView),
    path("people/<int:pk>/personal-data/", views.person_personal_data, name="person_personal_data"),
    *record_urls("committees", models.Committee, views.CommitteeListView, views.CommitteeDetailView,
                 views.CommitteeEditView),
    *record_urls("stated-figures", models.StatedFigure, views.StatedFigureListView,
                 views.StatedFigureDetailView, views.StatedFigureEditView),
]
