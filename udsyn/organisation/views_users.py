"""The users page: coordinators administer their municipality's users (roles, departments, active or not,
invitations), administrators every municipality's; and the page where an invited person accepts. Every user
sees their own page, where they make and revoke their API tokens."""

from typing import Any

from django.contrib import messages
from django.contrib.auth import get_user_model, login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch, Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from udsyn.core.policy import allows
from udsyn.organisation import accounts, sso, tokens
from udsyn.organisation.forms import AcceptInvitationForm, InvitationForm, RoleForm, grantable_municipalities
from udsyn.organisation.models import ApiToken, Department, Invitation, Municipality, Role

NEW_KEY = "udsyn_new_token"


def _may_administer(user: Any) -> None:
    if not allows(user, "view", Role):
        raise PermissionDenied


def _visible_users(user: Any) -> QuerySet[Any]:
    """The users whose role the user may see; those with no role only for whoever may see a role of no
    municipality (administrators)."""
    visible = Q(udsyn_role__in=Role.objects.restrict(user, "view"))
    if allows(user, "view", Role(kind=Role.Kind.READER)):
        visible |= Q(udsyn_role=None)
    return get_user_model()._default_manager.filter(visible).select_related(
        "udsyn_role__municipality", "udsyn_role__department").prefetch_related(
        Prefetch("udsyn_role__other_departments", queryset=Department.objects.order_by("code")))


@login_required
def user_list(request: HttpRequest) -> HttpResponse:
    _may_administer(request.user)
    kept = Municipality.objects.filter(Q(pk__in=Department.objects.values("municipality"))
                                       | Q(pk__in=Role.objects.values("municipality")))
    municipalities = [m for m in kept.order_by("name") if allows(request.user, "view", Role(municipality=m))]
    code = request.GET.get("municipality", "")
    chosen = next((m for m in municipalities if m.code == code), None)
    users = _visible_users(request.user)
    invitations = Invitation.objects.restrict(request.user, "view").filter(accepted=None, cancelled=None)
    if chosen is not None:
        users = users.filter(udsyn_role__municipality=chosen)
        invitations = invitations.filter(municipality=chosen)
    return render(request, "organisation/user_list.html", {
        "users": users.order_by("username"),
        "invitations": invitations.select_related("municipality", "department", "invited_by").prefetch_related(
            "other_departments"),
        "municipalities": municipalities if len(municipalities) > 1 else [],
        "chosen": chosen,
        "may_invite": bool(grantable_municipalities(request.user)) or allows(request.user, "add", Invitation),
    })


def _person(request: HttpRequest, pk: int) -> Any:
    """The user whose page this is: oneself, or a user whose role the signed-in user may see."""
    if pk == request.user.pk:
        return get_object_or_404(get_user_model()._default_manager.select_related(
            "udsyn_role__municipality", "udsyn_role__department"), pk=pk)
    _may_administer(request.user)
    return get_object_or_404(_visible_users(request.user), pk=pk)


@login_required
def user_detail(request: HttpRequest, pk: int) -> HttpResponse:
    person = _person(request, pk)
    role = Role.objects.filter(user=person).first()
    administers = allows(request.user, "view", Role)
    may_change = administers and (allows(request.user, "change", role) if role else allows(request.user, "add", Role))
    may_change = may_change and person.pk != request.user.pk
    initial: dict[str, Any] = {"kind": Role.Kind.READER}
    if role is not None:
        initial = {"kind": role.kind, "municipality": role.municipality, "department": role.department,
                   "other_departments": list(role.other_departments.all())}
    form = RoleForm(request.POST or None, user=request.user, initial=initial) if may_change else None
    if request.method == "POST" and form is not None and form.is_valid():
        try:
            accounts.do_set_role(person, request.user, form.spec())
        except accounts.AccountError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            messages.success(request, _("The role of {user} is saved.").format(user=person.get_username()))
            return redirect("organisation:user_detail", pk=person.pk)
    return render(request, "organisation/user_detail.html", {
        "person": person, "role": role, "departments": accounts.departments_of(role), "form": form,
        "administers": administers,
        "may_deactivate": person.pk != request.user.pk and allows(
            request.user, "deactivate", role or Role(user=person, kind=Role.Kind.READER)),
        "history": accounts.role_history(role) if role is not None else [],
        "tokens": tokens.tokens_of(person), "token_days": tokens.token_days(),
        "may_make_token": tokens.may_make(request.user, person),
        "may_revoke_token": tokens.may_revoke(request.user, person),
        "new_key": request.session.pop(NEW_KEY, None) if person.pk == request.user.pk else None,
        "token_history": tokens.history_of(person),
    })


@login_required
@require_POST
def token_make(request: HttpRequest, pk: int) -> HttpResponse:
    """The user makes a token for themself; its key is shown once, on the page this redirects to."""
    person = _person(request, pk)
    try:
        token, key = tokens.do_make_token(person, request.user, request.POST.get("name", ""))
    except accounts.AccountError as error:
        messages.error(request, error.message)
    else:
        request.session[NEW_KEY] = {"key": key, "pk": token.pk}
    return redirect("organisation:user_detail", pk=person.pk)


@login_required
@require_POST
def token_revoke(request: HttpRequest, pk: int, token_pk: int) -> HttpResponse:
    person = _person(request, pk)
    token = get_object_or_404(ApiToken, pk=token_pk, user=person)
    try:
        tokens.do_revoke_token(token, request.user)
    except accounts.AccountError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The token {token} is revoked: it no longer works.").format(token=token))
    return redirect("organisation:user_detail", pk=person.pk)


@login_required
@require_POST
def user_active(request: HttpRequest, pk: int) -> HttpResponse:
    _may_administer(request.user)
    person = get_object_or_404(_visible_users(request.user), pk=pk)
    activate = request.POST.get("active") == "1"
    try:
        (accounts.do_reactivate if activate else accounts.do_deactivate)(person, request.user)
    except accounts.AccountError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, (_("{user} can sign in again.") if activate else
                                   _("{user} can no longer sign in.")).format(user=person.get_username()))
    return redirect("organisation:user_detail", pk=person.pk)


@login_required
def invite(request: HttpRequest) -> HttpResponse:
    if not allows(request.user, "add", Invitation):
        raise PermissionDenied
    municipality = Municipality.objects.filter(code=request.GET.get("municipality", "")).first()
    form = InvitationForm(request.POST or None, user=request.user,
                          initial={"kind": Role.Kind.READER, "municipality": municipality})
    if request.method == "POST" and form.is_valid():
        try:
            invitation, _link = accounts.do_invite(request.user, form.cleaned_data["email"], form.spec())
        except accounts.AccountError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            messages.success(request, _("An invitation is sent to {email}. The link works for {days} days.").format(
                email=invitation.email, days=accounts.invitation_days()))
            return redirect("organisation:user_list")
    return render(request, "organisation/invite.html", {"form": form, "days": accounts.invitation_days()})


@login_required
@require_POST
def invitation_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    invitation = get_object_or_404(Invitation.objects.restrict(request.user, "view"), pk=pk)
    try:
        accounts.do_cancel_invitation(invitation, request.user)
    except accounts.AccountError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The invitation to {email} is cancelled.").format(email=invitation.email))
    return redirect("organisation:user_list")


def sso_links(next_url: str = "") -> list[tuple[str, str]]:
    """The single sign-on buttons of the invitation page: each configured provider, (label, url) pairs."""
    return [(p["label"], p["url"]) for p in sso.providers(next_url)]


def invitation(request: HttpRequest, token: str) -> HttpResponse:
    """The link in the invitation's e-mail: set a password (or sign in by single sign-on) and take the role."""
    found = accounts.find_invitation(token)
    refusal = None if found is None else accounts._refusal(found)
    if found is None or refusal:
        return render(request, "organisation/invitation_closed.html", {
            "message": refusal or _("This invitation link is not known. Check that the whole link was copied."),
        }, status=410 if found else 404)
    accounts.remember_invitation(request, found)  # a single sign-on from this page accepts it
    form = AcceptInvitationForm(request.POST or None, email=found.email)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user = accounts.create_invited_user(found, data["password1"], data["first_name"], data["last_name"])
        except accounts.AccountError as error:
            return render(request, "organisation/invitation_closed.html", {"message": error.message}, status=410)
        login(request, user, backend="udsyn.organisation.auth.RoleBackend")
        messages.success(request, _("Welcome to Udsyn. You are signed in as {user}.").format(user=user.get_username()))
        return redirect("organisation:home")
    return render(request, "organisation/invitation.html", {
        "invitation": found, "departments": accounts.departments_of_invitation(found), "form": form,
        "sso": sso_links(),
    })
