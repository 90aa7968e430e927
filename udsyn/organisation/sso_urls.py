"""Addresses of single sign-on, without a language prefix (identity providers are given them once):
/sso/oidc/… (mozilla-django-oidc) and /sso/saml/… (djangosaml2); each answers 404 while its provider is off."""

from django.urls import path
from djangosaml2 import views as saml

from udsyn.organisation.sso import OIDCCallbackView, OIDCLoginView, oidc_only, saml_only

urlpatterns = [
    path("oidc/login/", oidc_only(OIDCLoginView.as_view()), name="oidc_authentication_init"),
    path("oidc/callback/", oidc_only(OIDCCallbackView.as_view()), name="oidc_authentication_callback"),
    path("saml/login/", saml_only(saml.LoginView.as_view()), name="saml2_login"),
    path("saml/acs/", saml_only(saml.AssertionConsumerServiceView.as_view()), name="saml2_acs"),
    path("saml/logout/", saml_only(saml.LogoutInitView.as_view()), name="saml2_logout"),
    path("saml/ls/", saml_only(saml.LogoutView.as_view()), name="saml2_ls"),
    path("saml/ls/post/", saml_only(saml.LogoutView.as_view()), name="saml2_ls_post"),
    path("saml/metadata/", saml_only(saml.MetadataView.as_view()), name="saml2_metadata"),
]
