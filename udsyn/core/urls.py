from django.urls import path

from udsyn.core import views_pages

app_name = "core"

urlpatterns = [
    path("", views_pages.home, name="home"),
    path("search/", views_pages.search, name="search"),
]
