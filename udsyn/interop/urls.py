"""Addresses of the import pages (registry files and tables)."""

from django.urls import path

from udsyn.interop import views

app_name = "interop"

urlpatterns = [
    path("", views.import_registry_view, name="import"),
    path("tables/", views.tables_view, name="tables"),
    path("tables/<int:pk>/", views.upload_view, name="upload"),
]
