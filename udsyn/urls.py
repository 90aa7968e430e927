"""The project's addresses: the API without a language prefix, every page with one (Danish unprefixed)."""

from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import URLPattern, URLResolver, include, path

from udsyn.interop.views import export_view
from udsyn.organisation import views_password
from udsyn.organisation.sso import refused_view
from udsyn.organisation.views import LoginView

urlpatterns: list[URLPattern | URLResolver] = [
    # The API is not language-prefixed: its answers are data, not pages.
    path("api/", include("udsyn.api.urls")),
    # Single sign-on: the addresses given to the identity providers, the same in every language.
    path("sso/", include("udsyn.organisation.sso_urls")),
]
urlpatterns += i18n_patterns(
    path("", include("udsyn.core.urls")),
    path("", include("udsyn.organisation.urls")),
    path("", include("udsyn.engagements.urls")),
    path("", include("udsyn.strategy.urls")),
    path("import/", include("udsyn.interop.urls")),
    path("export/", export_view, name="export"),
    path("reports/", include("udsyn.reports.urls")),
    path("public/", include("udsyn.public.urls")),
    path("goals/", include("udsyn.steering.urls")),
    path("inquiries/", include("udsyn.inquiries.urls")),
    path("login/", LoginView.as_view(), name="login"),
    path("login/refused/", refused_view, name="sso_refused"),
    path("login/reset/", views_password.PasswordResetView.as_view(), name="password_reset"),
    path("login/reset/sent/", views_password.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path("login/reset/<uidb64>/<token>/", views_password.PasswordResetConfirmView.as_view(),
         name="password_reset_confirm"),
    path("login/reset/done/", views_password.PasswordResetCompleteView.as_view(), name="password_reset_complete"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("admin/", admin.site.urls),
    prefix_default_language=False,
)
