"""Addresses of the start page and of municipalities, departments, units, people, committees and stated figures."""

from django.urls import path

from udsyn.core.urls_helpers import record_urls
from udsyn.organisation import models, views

app_name = "organisation"

urlpatterns = [
    path("", views.home, name="home"),
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
