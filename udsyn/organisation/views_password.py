"""Resetting a forgotten password by e-mail (Django's password-reset views in Udsyn's style). The answer
is the same whether or not an account has the address, and the mail goes out through the task queue; a
link works once, for ``PASSWORD_RESET_TIMEOUT``. Not offered when ``UDSYN_PASSWORD_LOGIN=0``."""

from typing import Any

from django.conf import settings
from django.contrib.auth import forms as auth_forms
from django.contrib.auth import views as auth_views
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import reverse, reverse_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from udsyn.core.forms import style
from udsyn.core.tasks import send_mail_later
from udsyn.core.urls_helpers import absolute_url
from udsyn.organisation import sso


def reset_hours() -> int:
    return max(1, round(int(settings.PASSWORD_RESET_TIMEOUT) / 3600))


class PasswordResetForm(auth_forms.PasswordResetForm):
    """The e-mail address; a mail with a link for each active account with that address and a password
    (accounts that sign in only by single sign-on get none)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["email"].label = gettext_lazy("E-mail")
        style(self)

    def send_mail(self, subject_template_name: str, email_template_name: str, context: dict[str, Any],
                  from_email: str | None, to_email: str, html_email_template_name: str | None = None) -> None:
        user = context["user"]
        link = absolute_url(reverse("password_reset_confirm", kwargs={"uidb64": context["uid"],
                                                                      "token": context["token"]}))
        body = _(
            "Someone, hopefully you, asked to reset the password of the Udsyn account {username}.\n\n"
            "Open this link to choose a new password. It works once, for {hours} hours:\n\n{link}\n\n"
            "If you did not ask, ignore this e-mail: your password stays as it is.\n"
        ).format(username=user.get_username(), hours=reset_hours(), link=link)
        send_mail_later(_("Reset your Udsyn password"), body, [to_email])  # by a worker


class SetPasswordForm(auth_forms.SetPasswordForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        style(self)


class _PasswordLoginOnly:
    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not sso.password_login():
            raise Http404(_("Password login is turned off in this installation."))
        return super().dispatch(request, *args, **kwargs)  # type: ignore[misc]


class PasswordResetView(_PasswordLoginOnly, auth_views.PasswordResetView):
    form_class = PasswordResetForm
    template_name = "registration/password_reset_form.html"
    success_url = reverse_lazy("password_reset_done")


class PasswordResetDoneView(_PasswordLoginOnly, auth_views.PasswordResetDoneView):
    template_name = "registration/password_reset_done.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return {**super().get_context_data(**kwargs), "hours": reset_hours()}


class PasswordResetConfirmView(_PasswordLoginOnly, auth_views.PasswordResetConfirmView):
    form_class = SetPasswordForm
    template_name = "registration/password_reset_confirm.html"
    success_url = reverse_lazy("password_reset_complete")

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        # The new password was chosen from the account's mailbox: the user's own lockout is lifted (one of an
        # address stays).
        from axes.utils import reset

        reset(username=form.user.get_username())
        return response


class PasswordResetCompleteView(_PasswordLoginOnly, auth_views.PasswordResetCompleteView):
    template_name = "registration/password_reset_complete.html"
