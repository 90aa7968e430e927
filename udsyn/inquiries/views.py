"""The inquiry pages: the public form and status page (no login), and the staff's queue, inquiry page,
department settings, calendars and statistics."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Case, IntegerField, Q, QuerySet, Value, When
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from udsyn.core.forms import style
from udsyn.core.views_pages import chosen_municipality
from udsyn.inquiries import calendar, forms, rules, stats, workflow
from udsyn.inquiries.models import DepartmentInquirySettings, FollowUp, Inquiry, InquiryEngagement
from udsyn.organisation.models import Department, Municipality

State = Inquiry.State
STEPS: list[str] = [State.RECEIVED, State.ROUTED, State.ACCEPTED, State.PLANNED, State.HELD, State.CLOSED]


def _private(response: HttpResponse) -> HttpResponse:
    """Pages reached by a private link: not indexed, not cached, and the link not leaked to other sites."""
    response["X-Robots-Tag"] = "noindex, nofollow"
    # same-origin, not no-referrer: with no-referrer browsers send "Origin: null" on the page's own forms,
    # which Django's CSRF check rightly refuses.
    response["Referrer-Policy"] = "same-origin"
    response["Cache-Control"] = "private, no-store"
    return response


def _client_address(request: HttpRequest) -> str:
    return request.META.get("REMOTE_ADDR", "")


@never_cache
def new(request: HttpRequest) -> HttpResponse:
    initial: dict[str, Any] = {"language": "en" if (get_language() or "da").startswith("en") else "da"}
    code = request.GET.get("municipality")
    if code:
        initial["municipality"] = Municipality.objects.filter(code=code).first()
    form = forms.PublicInquiryForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST":
        if form.is_robot:
            # Robots get the same answer as people, and nothing is saved or sent.
            return render(request, "inquiries/received.html", {"inquiry": None})
        key = workflow.client_key(_client_address(request))
        if form.is_valid():
            if workflow.too_many(form.cleaned_data["contact_email"], key):
                form.add_error(None, _("We have received several inquiries from you within the last hour. "
                                       "Please wait an hour and send it again; what you wrote is kept below."))
                status = 429
            else:
                inquiry = form.save(commit=False)
                inquiry.locale = "en" if (get_language() or "da").startswith("en") else "da"
                inquiry.client_key = key
                workflow.receive(inquiry)
                return HttpResponseRedirect(reverse("inquiries:received", args=[inquiry.token]))
        else:
            status = 400
    return render(request, "inquiries/new.html", {"form": form}, status=status)


def received(request: HttpRequest, token: str) -> HttpResponse:
    inquiry = get_object_or_404(Inquiry.objects.select_related("municipality"), token=token)
    return _private(render(request, "inquiries/received.html", {
        "inquiry": inquiry, "status_url": request.build_absolute_uri(inquiry.get_status_url())}))


def _steps(inquiry: Inquiry) -> list[dict[str, Any]]:
    if inquiry.state == State.DECLINED:
        path: list[str] = [State.RECEIVED, State.ROUTED, State.DECLINED]
    elif inquiry.state == State.CLOSED and inquiry.decline_reason:
        path = [State.RECEIVED, State.ROUTED, State.DECLINED, State.CLOSED]
    elif inquiry.kind != Inquiry.Kind.VISIT and inquiry.visit_start is None:
        path = [State.RECEIVED, State.ROUTED, State.ACCEPTED, State.CLOSED]
    else:
        path = STEPS
    reached = {e.state for e in inquiry.events.all() if e.state} | {inquiry.state}
    position = path.index(inquiry.state) if inquiry.state in path else 0
    return [{"state": s, "label": State(s).label, "done": i < position or (s in reached and i < position),
             "current": i == position} for i, s in enumerate(path)]


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
                    workflow.reply(inquiry, reply.cleaned_data["text"])
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
        code = 400
    events = [e for e in inquiry.events.all() if e.public]
    return _private(render(request, "inquiries/status.html", {
        "inquiry": inquiry, "steps": _steps(inquiry), "events": events, "reply_form": reply,
        "feedback_form": feedback,
    }, status=code))


def status_calendar(request: HttpRequest, token: str) -> HttpResponse:
    inquiry = get_object_or_404(Inquiry, token=token, visit_start__isnull=False)
    body = calendar.visit_calendar(inquiry, request.build_absolute_uri(inquiry.get_status_url()),
                                   get_language() or "da")
    return _private(_ics(body, f"visit-{inquiry.reference}.ics"))


def _ics(body: bytes, filename: str, attachment: bool = True) -> HttpResponse:
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    if attachment:
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


# Staff pages.

def _queue(user: Any, municipality: Municipality) -> QuerySet[Inquiry]:
    return rules.visible(user, Inquiry.objects.filter(municipality=municipality)).select_related(
        "lead_department").prefetch_related("contributing_departments")


@login_required
def queue(request: HttpRequest) -> HttpResponse:
    if not rules.may_use_inquiries(request.user):
        raise PermissionDenied
    municipality = chosen_municipality(request)
    if municipality is None:
        raise Http404
    department = _own_department(request.user)
    inquiries = _queue(request.user, municipality)
    priority = (workflow.settings_of(department).priority_kinds if department else []) or []
    open_items = inquiries.exclude(state__in=[State.DECLINED, State.CLOSED, State.HELD]).annotate(
        priority=Case(When(organisation_kind__in=priority, then=Value(0)), default=Value(1),
                      output_field=IntegerField()),
    ).order_by("priority", "response_due", "received_at")
    today = timezone.localdate()
    rows = list(open_items)
    finished = Paginator(inquiries.filter(state__in=[State.DECLINED, State.CLOSED, State.HELD])
                         .order_by("-received_at"), 25).get_page(request.GET.get("page"))
    return render(request, "inquiries/queue.html", {
        "municipality": municipality, "department": department, "priority": priority,
        "choices": Municipality.objects.with_registry().order_by("name") if department is None else [],
        "new": [i for i in rows if i.state == State.RECEIVED],
        "overdue": [i for i in rows if i.state != State.RECEIVED and i.is_overdue(today)],
        "open": [i for i in rows if i.state != State.RECEIVED and not i.is_overdue(today)],
        "finished": finished, "today": today,
        "may_route": rules.may_route(request.user, Inquiry(municipality=municipality)),
    })


def _own_department(user: Any) -> Department | None:
    from udsyn.core import permissions
    from udsyn.organisation.models import Role

    role = permissions.role_of(user)
    if role is not None and permissions.kind_of(user) == Role.Kind.EDITOR:
        return role.department
    return None


def _get(request: HttpRequest, pk: int) -> Inquiry:
    inquiry = get_object_or_404(
        Inquiry.objects.select_related("municipality", "lead_department").prefetch_related(
            "contributing_departments", "programme", "follow_ups", "events__by", "events__department",
            "engagement_links__engagement"), pk=pk)
    if not rules.may_see(request.user, inquiry):
        raise PermissionDenied
    return inquiry


ACTIONS = {"route", "accept", "decline", "plan", "hold", "close", "write", "note", "follow_up", "link"}


def _forms(inquiry: Inquiry, bound: dict[str, Any] | None = None) -> dict[str, Any]:
    settings_ = workflow.settings_of(inquiry.lead_department) if inquiry.lead_department else None
    plan_initial: dict[str, Any] = {}
    if inquiry.visit_start:
        plan_initial = {"start": timezone.localtime(inquiry.visit_start),
                        "end": timezone.localtime(inquiry.visit_end) if inquiry.visit_end else None,
                        "place": inquiry.place, "hosts": inquiry.hosts,
                        "programme": "\n".join(f"{s.starts:%H:%M} {s.title}" if s.starts else s.title
                                               for s in inquiry.programme.all())}
    elif settings_ is not None:
        plan_initial = {"place": settings_.usual_place, "hosts": settings_.handled_by,
                        "programme": settings_.usual_programme}
    made = {
        "route": forms.RouteForm(prefix="route", inquiry=inquiry, initial={
            "lead": inquiry.lead_department_id, "due": inquiry.response_due,
            "contributing": [d.pk for d in inquiry.contributing_departments.all()]}),
        "accept": forms.AcceptForm(prefix="accept"),
        "decline": forms.DeclineForm(prefix="decline", inquiry=inquiry),
        "plan": forms.PlanForm(prefix="plan", initial=plan_initial),
        "hold": forms.HoldForm(prefix="hold", initial={"notes": inquiry.notes}),
        "close": forms.TextForm(prefix="close", label=_("Message to the requester")),
        "write": forms.TextForm(prefix="write", label=_("Message to the requester")),
        "note": forms.TextForm(prefix="note", label=_("Internal note")),
        "follow_up": forms.FollowUpForm(prefix="follow_up"),
        "link": forms.LinkForm(prefix="link", inquiry=inquiry),
    }
    made["close"].fields["text"].required = False
    if bound:
        made.update(bound)
    return made


@login_required
def detail(request: HttpRequest, pk: int, bound: dict[str, Any] | None = None, code: int = 200) -> HttpResponse:
    inquiry = _get(request, pk)
    lead_settings = workflow.settings_of(inquiry.lead_department) if inquiry.lead_department else None
    return render(request, "inquiries/detail.html", {
        "inquiry": inquiry, "forms": _forms(inquiry, bound), "settings": lead_settings,
        "may_route": rules.may_route(request.user, inquiry) and inquiry.state in (State.RECEIVED, State.ROUTED),
        "may_decide": rules.may_decide(request.user, inquiry),
        "capacity_note": workflow.capacity_note(inquiry) if inquiry.state == State.ROUTED else "",
        "overdue": inquiry.is_overdue(), "priority": lead_settings is not None
        and inquiry.organisation_kind in (lead_settings.priority_kinds or []),
        "steps": _steps(inquiry),
        "status_url": request.build_absolute_uri(inquiry.get_status_url()),
    }, status=code)


@login_required
@require_POST
def act(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    if action not in ACTIONS:
        raise Http404
    inquiry = _get(request, pk)
    form = _bound(action, request, inquiry)
    if not form.is_valid():
        return detail(request, pk, bound={action: form}, code=400)
    data = form.cleaned_data
    user = request.user
    try:
        if action == "route":
            workflow.route(inquiry, user, data["lead"], list(data["contributing"]), data["due"], data["note"])
            done = _("The inquiry is routed to {department}.").format(department=data["lead"].code)
        elif action == "accept":
            workflow.accept(inquiry, user, data["message"], over_capacity=data["over_capacity"])
            done = _("The inquiry is accepted and the requester told.")
        elif action == "decline":
            workflow.decline(inquiry, user, data["chosen_reason"], data["message"])
            done = _("The inquiry is declined and the requester told why.")
        elif action == "plan":
            workflow.plan(inquiry, user, data["start"], data["end"], data["place"], data["hosts"],
                          form.steps(), data["message"])  # type: ignore[attr-defined]
            done = _("The visit is planned and the requester has it in their calendar.")
        elif action == "hold":
            workflow.hold(inquiry, user, data["notes"])
            done = _("The visit is marked as held; the requester is asked for feedback.")
        elif action == "close":
            workflow.close(inquiry, user, data["text"])
            done = _("The inquiry is closed.")
        elif action == "write":
            workflow.write(inquiry, user, data["text"])
            done = _("The message is sent to the requester.")
        elif action == "note":
            workflow.note(inquiry, user, data["text"])
            done = _("The note is saved.")
        elif action == "follow_up":
            follow_up = form.save(commit=False)  # type: ignore[attr-defined]
            follow_up.inquiry = inquiry
            follow_up.save()
            done = _("The follow-up is added.")
        else:
            link = form.save(commit=False)  # type: ignore[attr-defined]
            link.inquiry = inquiry
            with transaction.atomic():
                InquiryEngagement.objects.update_or_create(
                    inquiry=inquiry, engagement=link.engagement, defaults={"relation": link.relation})
            done = _("The link is saved.")
    except workflow.TransitionError as error:
        form.add_error(None, str(error))
        return detail(request, pk, bound={action: form}, code=400)
    messages.success(request, done)
    return HttpResponseRedirect(inquiry.get_absolute_url())


def _bound(action: str, request: HttpRequest, inquiry: Inquiry) -> Any:
    data = request.POST
    if action == "route":
        return forms.RouteForm(data, prefix="route", inquiry=inquiry)
    if action == "decline":
        return forms.DeclineForm(data, prefix="decline", inquiry=inquiry)
    if action == "link":
        return forms.LinkForm(data, prefix="link", inquiry=inquiry)
    form_class = {"accept": forms.AcceptForm, "plan": forms.PlanForm, "hold": forms.HoldForm,
                  "follow_up": forms.FollowUpForm}.get(action)
    if form_class is not None:
        return form_class(data, prefix=action)
    form = forms.TextForm(data, prefix=action)
    if action == "close":
        form.fields["text"].required = False
    return form


@login_required
@require_POST
def follow_up_done(request: HttpRequest, pk: int) -> HttpResponse:
    follow_up = get_object_or_404(FollowUp.objects.select_related("inquiry"), pk=pk)
    if not rules.may_see(request.user, follow_up.inquiry):
        raise PermissionDenied
    follow_up.done = not follow_up.done
    follow_up.save()
    return HttpResponseRedirect(follow_up.inquiry.get_absolute_url() + "#follow-ups")


@login_required
def visit_calendar(request: HttpRequest, pk: int) -> HttpResponse:
    inquiry = _get(request, pk)
    if inquiry.visit_start is None:
        raise Http404
    body = calendar.visit_calendar(inquiry, request.build_absolute_uri(inquiry.get_absolute_url()),
                                   get_language() or "da")
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
        with transaction.atomic():
            form.save()
            reasons.save()
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
