"""Addresses of the kernel's pages: global search and change requests."""

from django.urls import path

from udsyn.core import views_pages

app_name = "core"

urlpatterns = [
    path("search/", views_pages.search, name="search"),
    path("change-requests/", views_pages.change_requests, name="change_requests"),
    path("change-requests/new/<str:app_label>/<str:model_name>/<int:pk>/", views_pages.change_request_new,
         name="change_request_new"),
]
