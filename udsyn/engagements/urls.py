"""Addresses of engagements, funding and the shared records, and of the duplicates page and merges."""

from django.urls import path

from udsyn.core.urls_helpers import record_urls
from udsyn.engagements import duplicate_views, models, views

app_name = "engagements"

urlpatterns = [
    path("engagements/<int:pk>/part/", views.EngagementPartView.as_view(), name="engagement_part"),
    *record_urls("engagements", models.Engagement, views.EngagementListView, views.EngagementDetailView,
                 views.EngagementEditView),
    *record_urls("organisations", models.ExternalOrganisation, views.ExternalOrganisationListView,
                 views.ExternalOrganisationDetailView, views.ExternalOrganisationEditView),
    *record_urls("cities", models.City, views.CityListView, views.CityDetailView, views.CityEditView),
    *record_urls("themes", models.Theme, views.ThemeListView, views.ThemeDetailView, views.ThemeEditView),
    *record_urls("programmes", models.FundingProgramme, views.FundingProgrammeListView,
                 views.FundingProgrammeDetailView, views.FundingProgrammeEditView),
    *record_urls("funding", models.Funding, views.FundingListView, views.FundingDetailView,
                 views.FundingEditView),
    path("duplicates/", duplicate_views.duplicates_page, name="duplicates_index"),
    path("duplicates/merges/", duplicate_views.merges_page, name="merges"),
    path("duplicates/merges/<int:pk>/undo/", duplicate_views.undo_merge, name="merge_undo"),
    path("duplicates/<str:tab>/", duplicate_views.duplicates_page, name="duplicates"),
    path("duplicates/<str:tab>/merge/<int:a>/<int:b>/", duplicate_views.merge_page, name="merge"),
]
