"""Addresses of the goal dashboard, conformance, reviews, goal links and indicators."""

from django.urls import path

from udsyn.steering import views

app_name = "steering"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("conformance/", views.conformance, name="conformance"),
    path("reviews/", views.reviews, name="reviews"),
    path("reviews/new/<int:engagement_pk>/", views.review_new, name="review_new"),
    path("reviews/<int:pk>/", views.review_detail, name="review_detail"),
    path("end/<int:engagement_pk>/", views.end_engagement, name="end"),
    path("links/new/<int:engagement_pk>/", views.alignment_new, name="alignment_new"),
    path("links/<int:pk>/delete/", views.alignment_delete, name="alignment_delete"),
    path("indicators/new/", views.indicator_edit, name="indicator_new"),
    path("indicators/<int:pk>/", views.indicator_detail, name="indicator_detail"),
    path("indicators/<int:pk>/edit/", views.indicator_edit, name="indicator_edit"),
    path("schedule/", views.schedule_edit, name="schedule"),
]
