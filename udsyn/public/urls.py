"""Addresses of the public pages and their open-data downloads (no login)."""

from django.urls import path

from udsyn.public import views

app_name = "public"

urlpatterns = [
    path("", views.index, name="index"),
    path("<str:code>/", views.municipality, name="municipality"),
    path("<str:code>/data/<str:fmt>/", views.download, name="download"),
]
