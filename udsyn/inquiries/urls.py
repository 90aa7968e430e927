"""Addresses of the public inquiry form, the requester's status page and the staff's inquiry pages."""

from django.urls import path

from udsyn.inquiries import views

app_name = "inquiries"

urlpatterns = [
    path("", views.queue, name="queue"),
    path("new/", views.new, name="new"),
    path("received/<str:token>/", views.received, name="received"),
    path("status/<str:token>/", views.status, name="status"),
    path("status/<str:token>/visit.ics", views.status_calendar, name="status_calendar"),
    path("statistics/", views.statistics, name="statistics"),
    path("settings/", views.settings_list, name="settings_list"),
    path("settings/<int:department_pk>/", views.settings_edit, name="settings"),
    path("feed/<str:token>.ics", views.feed, name="feed"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/visit.ics", views.visit_calendar, name="calendar"),
    path("<int:pk>/<str:action>/", views.act, name="act"),
    path("follow-ups/<int:pk>/done/", views.follow_up_done, name="follow_up_done"),
]
