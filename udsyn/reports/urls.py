"""Addresses of the report form, its progress and its download."""

from django.urls import path

from udsyn.reports import views

app_name = "reports"

urlpatterns = [
    path("", views.index, name="index"),
    path("<int:pk>/", views.job_view, name="job"),
    path("<int:pk>/retry/", views.retry, name="retry"),
    path("<int:pk>/download/", views.download, name="download"),
]
