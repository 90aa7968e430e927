"""The inquiry pages: the public form and status page (no login), and the staff's queue, inquiry page,
department settings, calendars and statistics."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from udsyn.core.actions import do_save, do_save_form
from udsyn.core.formatting import language
from udsyn.core.forms import style
from udsyn.core.requests import client_address
from udsyn.inquiries import calendar, forms, rules, stats, workflow
from udsyn.inquiries.models import DepartmentInquirySettings, FollowUp, Inquiry
from udsyn.organisation.models import Department, Municipality
from udsyn.organisation.policies import own_department
from udsyn.organisation.views import chosen_municipality

State = Inquiry.State


def _private(response: HttpResponse) -> HttpResponse:
    """Pages reached by a private link: not indexed, not cached, and the link not leaked to other sites."""
    response["X-Robots-Tag"] = "noindex, nofollow"
    # same-origin, not no-referrer: with no-referrer browsers send "Origin: null" on the page's own forms,
    # which Django's CSRF check rightly refuses.
    response["Referrer-Policy"] = "same-origin"
    response["Cache-Control"] = "private, no-store"
    return response


@never_cache
def new(request: HttpRequest) -> HttpResponse:
    initial: dict[str, Any] = {"language": language()}
    code = request.GET.get("municipality")
    if code:
        initial["municipality"] = Municipality.objects.filter(code=code).first()
    form = forms.PublicInquiryForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST":
        if form.is_robot:
            # Robots get the same answer as people, and nothing is saved or sent.
            return render(request, "inquiries/received.html", {"inquiry": None})
        if form.is_valid():
            inquiry = form.save(commit=False)
            inquiry.locale = language()
            try:
                workflow.receive_public(inquiry, client_address(request))
            except workflow.TooMany as refused:
                form.add_error(None, str(refused))
                status = 429
            else:
                return HttpResponseRedirect(reverse("inquiries:received", args=[inquiry.token]))
        else:
            status = 400
    return render(request, "inquiries/new.html", {"form": form}, status=status)


def received(request: HttpRequest, token: str) -> HttpResponse:
    inquiry = get_object_or_404(Inquiry.objects.select_related("municipality"), token=token)
    return _private(render(request, "inquiries/received.html", {
        "inquiry": inquiry, "status_url": request.build_absolute_uri(inquiry.get_status_url())}))


@never_cache
def status(request: HttpRequest, token: str) -> HttpResponse:
    inquiry = get_object_or_404(
        Inquiry.objects.select_related("municipality", "lead_department").prefetch_related("programme", "events"),
        token=token)
    reply = forms.ReplyForm(prefix="reply")
    feedback = forms.FeedbackForm(prefix="feedback")
    code = 200
    if request.method == "POST":
        try:
            if "reply-text" in request.POST:
                reply = forms.ReplyForm(request.POST, prefix="reply")
                if reply.is_valid():
                    try:
                        workflow.reply(inquiry, reply.cleaned_data["text"])
                    except workflow.TooMany as refused:
                        reply.add_error(None, str(refused))
                        code = 429
                    else:
                        messages.success(request, _("Your message is sent."))
                        return HttpResponseRedirect(inquiry.get_status_url())
            else:
                feedback = forms.FeedbackForm(request.POST, prefix="feedback")
                if feedback.is_valid():
                    workflow.give_feedback(inquiry, feedback.cleaned_data["score"],
                                           feedback.cleaned_data["comment"])
                    messages.success(request, _("Thank you for your feedback."))
                    return HttpResponseRedirect(inquiry.get_status_url())
        except workflow.TransitionError as error:
            messages.error(request, str(error))
            return HttpResponseRedirect(inquiry.get_status_url())
        code = code if code != 200 else 400
    events = [e for e in inquiry.events.all() if e.public]
    return _private(render(request, "inquiries/status.html", {
        "inquiry": inquiry, "events": events, "reply_form": reply,
        "feedback_form": feedback,
    }, status=code))


def status_calendar(request: HttpRequest, token: str) -> HttpResponse:
    inquiry = get_object_or_404(Inquiry, token=token, visit_start__isnull=False)
    body = calendar.visit_calendar(inquiry, request.build_absolute_uri(inquiry.get_status_url()),
                                   language(), requester=True)
    return _private(_ics(body, f"visit-{inquiry.reference}.ics"))


def _ics(body: bytes, filename: str, attachment: bool = True) -> HttpResponse:
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    if attachment:
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


# Staff pages.

@login_required
def queue(request: HttpRequest) -> HttpResponse:
    if not rules.may_use_inquiries(request.user):
        raise PermissionDenied
    municipality = chosen_municipality(request)
    if municipality is None:
        raise Http404
    department = own_department(request.user)
    inquiries = rules.visible(request.user, Inquiry.objects.filter(municipality=municipality)).select_related(
        "lead_department").prefetch_related("contributing_departments")
    priority = workflow.settings_of(department).priority_kinds if department else []
    under_way = list(inquiries.under_way(priority))
    return render(request, "inquiries/queue.html", {
        "municipality": municipality, "department": department, "priority": priority,
        "choices": Municipality.objects.with_registry().order_by("name") if department is None else [],
        "new": [i for i in under_way if i.state == State.RECEIVED],
        "overdue": [i for i in under_way if i.state != State.RECEIVED and i.is_overdue()],
        # New and overdue ones all need someone now; the rest of those under way come 50 at a time.
        "open": Paginator([i for i in under_way if i.state != State.RECEIVED and not i.is_overdue()], 50).get_page(
            request.GET.get("open")),
        "finished": Paginator(inquiries.finished(), 25).get_page(request.GET.get("page")),
    })


def _get(request: HttpRequest, pk: int) -> Inquiry:
    inquiry = get_object_or_404(
        Inquiry.objects.select_related("municipality", "lead_department").prefetch_related(
            "contributing_departments", "programme", "follow_ups", "events__by", "events__department",
            "engagement_links__engagement"), pk=pk)
    if not rules.may_see(request.user, inquiry):
        raise PermissionDenied
    return inquiry


@login_required
def detail(request: HttpRequest, pk: int, bound: forms.StaffForm | None = None, code: int = 200) -> HttpResponse:
    """The staff's inquiry page; after a failed action, with that action's form as it was sent."""
    inquiry = _get(request, pk)
    action_forms = {action: form_class(inquiry=inquiry, prefix=action)
                    for action, form_class in forms.ACTIONS.items()}
    if bound is not None:
        action_forms[bound.prefix or ""] = bound
    lead_settings = workflow.settings_of(inquiry.lead_department) if inquiry.lead_department else None
    return render(request, "inquiries/detail.html", {
        "inquiry": inquiry, "forms": action_forms, "settings": lead_settings,
        "may_route": rules.may_route(request.user, inquiry) and inquiry.state in (State.RECEIVED, State.ROUTED),
        "may_decide": rules.may_decide(request.user, inquiry),
        "capacity_note": workflow.capacity_note(inquiry) if inquiry.state == State.ROUTED else "",
        "overdue": inquiry.is_overdue(), "priority": lead_settings is not None
        and inquiry.organisation_kind in (lead_settings.priority_kinds or []),
        "status_url": request.build_absolute_uri(inquiry.get_status_url()),
    }, status=code)


@login_required
@require_POST
def act(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """One of the staff's actions on an inquiry, by the form that carries it out (``forms.ACTIONS``)."""
    if action not in forms.ACTIONS:
        raise Http404
    inquiry = _get(request, pk)
    form = forms.ACTIONS[action](request.POST, inquiry=inquiry, prefix=action)
    if form.is_valid():
        try:
            done = form.act(request.user)
        except workflow.TransitionError as error:
            # Said at the top of the page: when someone decided first (just now, or before this request
            # was read), the page no longer shows the form this came from.
            messages.error(request, str(error))
        else:
            messages.success(request, done)
            return HttpResponseRedirect(inquiry.get_absolute_url())
    return detail(request, pk, bound=form, code=400)


@login_required
@require_POST
def follow_up_done(request: HttpRequest, pk: int) -> HttpResponse:
    follow_up = get_object_or_404(FollowUp.objects.select_related("inquiry"), pk=pk)
    if not rules.may_see(request.user, follow_up.inquiry):
        raise PermissionDenied
    follow_up.done = not follow_up.done
    do_save(follow_up, request.user)  # a contributing department reads the follow-ups, never ticks them
    return HttpResponseRedirect(follow_up.inquiry.get_absolute_url() + "#follow-ups")


@login_required
def visit_calendar(request: HttpRequest, pk: int) -> HttpResponse:
    inquiry = _get(request, pk)
    if inquiry.visit_start is None:
        raise Http404
    body = calendar.visit_calendar(inquiry, request.build_absolute_uri(inquiry.get_absolute_url()),
                                   language())
    return _ics(body, f"visit-{inquiry.reference}.ics")


def feed(request: HttpRequest, token: str) -> HttpResponse:
    """A department's calendar of visits, for subscribing in Outlook: the unguessable key is the login."""
    found = get_object_or_404(DepartmentInquirySettings.objects.select_related("department"), feed_token=token)
    department = found.department
    visits = Inquiry.objects.filter(visit_start__isnull=False).filter(
        Q(lead_department=department) | Q(contributing_departments=department)).distinct().prefetch_related(
        "programme").order_by("visit_start")
    return _private(_ics(calendar.department_feed(department, visits), f"visits-{department.code}.ics",
                         attachment=False))


@login_required
def settings_list(request: HttpRequest) -> HttpResponse:
    if not rules.may_use_inquiries(request.user):
        raise PermissionDenied
    municipality = chosen_municipality(request)
    if municipality is None:
        raise Http404
    departments = Department.objects.filter(municipality=municipality).select_related(
        "inquiry_settings").prefetch_related("decline_reasons").order_by("code")
    return render(request, "inquiries/settings_list.html", {
        "municipality": municipality,
        "departments": [(d, rules.may_configure(request.user, d)) for d in departments],
    })


@login_required
def settings_edit(request: HttpRequest, department_pk: int) -> HttpResponse:
    department = get_object_or_404(Department.objects.select_related("municipality"), pk=department_pk)
    if not rules.may_configure(request.user, department):
        raise PermissionDenied
    current = workflow.settings_of(department)
    form = forms.SettingsForm(request.POST or None, instance=current)
    reasons = forms.ReasonFormSet(request.POST or None, instance=department, prefix="reasons")
    for reason_form in reasons:
        style(reason_form)
    if request.method == "POST" and form.is_valid() and reasons.is_valid():
        do_save_form(form, request.user, parts=lambda _saved: [
            forms.ReasonFormSet(request.POST, instance=department, prefix="reasons")])
        messages.success(request, _("The settings of {department} are saved.").format(department=department.code))
        return HttpResponseRedirect(reverse("inquiries:settings", args=[department.pk]))
    return render(request, "inquiries/settings_form.html", {
        "department": department, "form": form, "reasons": reasons,
        "feed_url": request.build_absolute_uri(reverse("inquiries:feed", args=[current.feed_token])),
    }, status=400 if request.method == "POST" else 200)


@login_required
def statistics(request: HttpRequest) -> HttpResponse:
    if not rules.may_use_inquiries(request.user):
        raise PermissionDenied
    municipality = chosen_municipality(request)
    if municipality is None:
        raise Http404
    table = stats.table(municipality)
    stated = stats.stated_history(municipality)
    return render(request, "inquiries/statistics.html", {
        "municipality": municipality, "table": table, "chart": stats.chart(table, stated), "stated": stated,
        "choices": Municipality.objects.with_registry().order_by("name"),
    })
