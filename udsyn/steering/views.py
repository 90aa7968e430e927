"""The goal dashboard, conformance, reviews and their schedule, goal links and indicators.

Department editors see and record reviews only of engagements their department leads or takes part in;
coordinators see all of their municipality's; readers read.
"""

import datetime
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from udsyn.core import charts as core_charts
from udsyn.core import usage
from udsyn.core.actions import do_save_form
from udsyn.core.models import StaleVersion
from udsyn.core.policy import allows
from udsyn.engagements.models import Engagement, Funding
from udsyn.organisation.models import Department, Municipality
from udsyn.organisation.policies import own_department, own_departments
from udsyn.organisation.views import chosen_municipality
from udsyn.steering import charts, status
from udsyn.steering.actions import do_end_engagement, do_record_review
from udsyn.steering.forms import (
    AlignmentForm,
    EndForm,
    IndicatorForm,
    ObservationForm,
    ReviewForm,
    ScheduleForm,
    score_forms,
)
from udsyn.steering.models import Alignment, Indicator, Observation, Review, ReviewSchedule
from udsyn.strategy.models import Principle


def _sees_reviews_of(user: Any, engagement: Engagement) -> bool:
    """Editors: their department's engagements; everyone else of the municipality (and admins): all."""
    return allows(user, "view", Review(engagement=engagement))


def _trend(values: Any) -> Any:
    """The indicator's trend chart, drawn once for its values (and language) for every process."""
    indicator = values.indicator
    points = [(d.isoformat(), float(v)) for d, v in values.series]
    return core_charts.kept("trend", (points, indicator.name, indicator.unit),
                               lambda: charts.trend(points, indicator.name, indicator.unit))


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    municipality = chosen_municipality(request)
    choices = Municipality.objects.with_registry().order_by("name")
    context: dict[str, Any] = {"municipality": municipality, "choices": choices}
    if municipality is not None:
        goals, areas = status.dashboard(municipality)
        department = own_department(request.user)
        visible = None if department is None else {
            e.pk for e in Engagement.objects.filter(municipality=municipality).involving(department)  # type: ignore[attr-defined]
        }
        for summary in (*goals, *areas):
            for values in summary.indicators:
                values.chart = _trend(values)  # type: ignore[attr-defined]
        context.update({
            "may_coordinate": allows(request.user, "change", ReviewSchedule(municipality=municipality)),
            "goals": goals, "areas": areas, "visible_reviews": visible,
            "conformance": status.conformance(municipality, department),
            "schedule": status.schedule_of(municipality),
            "frameworks_due": municipality.strategies.exclude(revision_due=None).filter(
                revision_due__lte=timezone.localdate() + datetime.timedelta(days=180)).order_by("revision_due"),
            "today": timezone.localdate(),
        })
    return render(request, "steering/dashboard.html", context)


@login_required
def conformance(request: HttpRequest) -> HttpResponse:
    """Per department: active engagements serving no goal or focus area, and goals no engagement serves.
    Department editors see their own department's; coordinators and readers choose among all."""
    municipality = chosen_municipality(request)
    choices = Municipality.objects.with_registry().order_by("name")
    context: dict[str, Any] = {"municipality": municipality, "choices": choices}
    if municipality is None:
        return render(request, "steering/conformance.html", context)
    mine = own_departments(request.user)
    own: Department | None = None
    department: Department | None
    code = request.GET.get("department", "")
    if len(mine) == 1 and mine[0].municipality_id == municipality.pk:
        departments, department = mine, mine[0]
        own = department
    elif mine and mine[0].municipality_id == municipality.pk:
        # An editor of several departments chooses among theirs ("all" is all of theirs).
        departments = mine
        department = next((d for d in departments if d.code == code), None)
    else:
        departments = list(Department.objects.filter(municipality=municipality).order_by("code"))
        department = next((d for d in departments if d.code == code), None)
    report = status.conformance_by_department(municipality, department, departments)
    linkable = {e.pk for row in report.departments for e in row.unaligned
                if allows(request.user, "add", Alignment(engagement=e))}
    context.update({
        "report": report, "department": department, "departments": departments, "own_department": own,
        "linkable": linkable, "any_unaligned": any(row.unaligned for row in report.departments),
    })
    return render(request, "steering/conformance.html", context)


@login_required
def reviews(request: HttpRequest) -> HttpResponse:
    municipality = chosen_municipality(request)
    if municipality is None:
        return render(request, "steering/reviews.html", {"municipality": None})
    states = status.review_states(municipality, own_department(request.user))
    return render(request, "steering/reviews.html", {
        "municipality": municipality,
        "overdue": [s for s in states if s.state == "overdue"],
        "due": [s for s in states if s.state == "due"],
        "later": [s for s in states if s.state == "ok"],
        "schedule": status.schedule_of(municipality),
        "department": own_department(request.user),
    })


def _funding_brought(engagement: Engagement) -> Any:
    added = Funding.objects.filter(engagements=engagement).total()
    return added.total if added.lines else None


@login_required
def review_new(request: HttpRequest, engagement_pk: int) -> HttpResponse:
    engagement = get_object_or_404(Engagement.objects.select_related("municipality", "lead_department"),
                                   pk=engagement_pk)
    if not allows(request.user, "add", Review(engagement=engagement)):
        raise PermissionDenied
    principles = list(Principle.objects.filter(municipality=engagement.municipality).order_by("order"))
    schedule = status.schedule_of(engagement.municipality)
    today = timezone.localdate()
    initial = {
        "reviewed_on": today, "annual_fee": engagement.annual_fee, "co_financing": engagement.co_financing,
        "funding_brought": _funding_brought(engagement),
    }
    form = ReviewForm(request.POST or None, initial=initial)
    scores = score_forms(principles, request.POST or None)
    if request.method == "POST" and form.is_valid() and all(s.is_valid() for s in scores):
        review = form.save(commit=False)
        review.engagement = engagement
        do_record_review(review, request.user, schedule, [
            (s.principle, s.cleaned_data["score"], s.cleaned_data.get("note", ""))
            for s in scores if s.cleaned_data.get("score")])
        messages.success(request, _("The review is recorded. The next review is due {date}.").format(
            date=review.next_review_due.strftime("%d.%m.%Y")))
        return HttpResponseRedirect(review.get_absolute_url())
    return render(request, "steering/review_form.html", {
        "engagement": engagement, "form": form, "scores": scores, "schedule": schedule,
    }, status=400 if request.method == "POST" else 200)


@login_required
def review_detail(request: HttpRequest, pk: int) -> HttpResponse:
    review = get_object_or_404(
        Review.objects.select_related("engagement__municipality", "engagement__lead_department", "reviewer")
        .prefetch_related("scores__principle", "engagement__participating_departments"), pk=pk)
    if not _sees_reviews_of(request.user, review.engagement):
        raise PermissionDenied
    engagement = review.engagement
    return render(request, "steering/review_detail.html", {
        "review": review, "engagement": engagement,
        "may_end": review.recommendation == Review.Recommendation.END
        and engagement.status == Engagement.Status.ACTIVE and allows(request.user, "change", engagement),
    })


@login_required
def end_engagement(request: HttpRequest, engagement_pk: int) -> HttpResponse:
    engagement = get_object_or_404(Engagement, pk=engagement_pk)
    if not allows(request.user, "change", engagement):
        raise PermissionDenied
    form = EndForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if do_end_engagement(engagement, request.user, form.cleaned_data["reason"]):
            messages.success(request, _("{title} is ended; the reason is kept in its history.").format(
                title=engagement.title))
            return HttpResponseRedirect(engagement.get_absolute_url())
        latest = engagement.history.select_related("history_user").first()  # type: ignore[attr-defined]
        by = latest.history_user if latest is not None else None
        when = timezone.localtime(latest.history_date if latest is not None else timezone.now())
        form.add_error(None, _("{title} is already {status} (saved by {name} on {day} at {time}); it was not ended "
                               "again.").format(title=engagement.title, status=engagement.get_status_display(),
                                                name=(by.get_full_name() or by.get_username()) if by else "?",
                                                day=when.strftime("%d.%m.%Y"), time=when.strftime("%H:%M")))
        return render(request, "steering/end_form.html", {"engagement": engagement, "form": form}, status=409)
    return render(request, "steering/end_form.html", {"engagement": engagement, "form": form},
                  status=400 if request.method == "POST" else 200)


@login_required
def alignment_new(request: HttpRequest, engagement_pk: int) -> HttpResponse:
    engagement = get_object_or_404(Engagement.objects.select_related("municipality"), pk=engagement_pk)
    if not allows(request.user, "add", Alignment(engagement=engagement)):
        raise PermissionDenied
    form = AlignmentForm(request.POST or None, engagement=engagement)
    if request.method == "POST" and form.is_valid():
        do_save_form(form, request.user)
        messages.success(request, _("The link is saved."))
        return HttpResponseRedirect(engagement.get_absolute_url())
    return render(request, "steering/alignment_form.html", {"engagement": engagement, "form": form},
                  status=400 if request.method == "POST" else 200)


@login_required
def alignment_delete(request: HttpRequest, pk: int) -> HttpResponse:
    alignment = get_object_or_404(Alignment.objects.select_related("engagement"), pk=pk)
    if not allows(request.user, "delete", alignment) or request.method != "POST":
        raise PermissionDenied
    usage.do_delete(alignment, request.user)
    messages.success(request, _("The link is removed."))
    return HttpResponseRedirect(alignment.engagement.get_absolute_url())


@login_required
def indicator_detail(request: HttpRequest, pk: int) -> HttpResponse:
    indicator = get_object_or_404(Indicator.objects.select_related("municipality", "owner", "goal", "focus_area"),
                                  pk=pk)
    may_record = allows(request.user, "add", Observation(indicator=indicator))
    form = ObservationForm(request.POST or None, indicator=indicator) if may_record and not indicator.computed \
        else None
    if request.method == "POST":
        if form is None:
            raise PermissionDenied
        if form.is_valid():
            observation = form.save(commit=False)
            observation.recorded_by = request.user  # type: ignore[assignment]
            do_save_form(form, request.user)
            messages.success(request, _("The value is recorded."))
            return HttpResponseRedirect(indicator.get_absolute_url())
    values = status.values_of(indicator, timezone.localdate())
    chart = _trend(values)
    return render(request, "steering/indicator_detail.html", {
        "indicator": indicator, "values": values, "chart": chart, "form": form, "may_edit": may_record,
        # The owner is a person: named within the indicator's municipality only (need-to-know).
        "show_owner": indicator.owner is None or allows(request.user, "view", indicator.owner),
    }, status=400 if request.method == "POST" else 200)


@login_required
def schedule_edit(request: HttpRequest) -> HttpResponse:
    municipality = chosen_municipality(request)
    if municipality is None or not allows(request.user, "change", ReviewSchedule(municipality=municipality)):
        raise PermissionDenied
    schedule = ReviewSchedule.objects.filter(municipality=municipality).first() or ReviewSchedule(
        municipality=municipality)
    form = ScheduleForm(request.POST or None, instance=schedule)
    if request.method == "POST" and form.is_valid():
        do_save_form(form, request.user)
        messages.success(request, _("The review schedule is saved."))
        return HttpResponseRedirect(reverse("steering:reviews") + f"?municipality={municipality.code}")
    return render(request, "steering/schedule_form.html", {"municipality": municipality, "form": form})


def engagement_steering(user: Any, engagement: Engagement) -> dict[str, Any]:
    """What an engagement's page shows of goals and reviews: its goal links, and its review state to
    those who may see its reviews."""
    alignments = list(engagement.alignments.select_related("goal", "focus_area"))
    context: dict[str, Any] = {"alignments": alignments,
                               "may_steer": allows(user, "add", Alignment(engagement=engagement)),
                               "may_review": allows(user, "add", Review(engagement=engagement))}
    if _sees_reviews_of(user, engagement):
        context["review_state"] = status.review_state(
            engagement, status.schedule_of(engagement.municipality), timezone.localdate())
    return context


@login_required
def indicator_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    """Add an indicator (to the chosen municipality) or change one; coordinators and administrators."""
    indicator = get_object_or_404(Indicator, pk=pk) if pk else None
    municipality = indicator.municipality if indicator else chosen_municipality(request)
    if municipality is None or not allows(request.user, "change", indicator or Indicator(municipality=municipality)):
        raise PermissionDenied
    form = IndicatorForm(request.POST or None, instance=indicator, municipality=municipality)
    conflict: dict[str, Any] = {}
    if request.method == "POST" and form.is_valid():
        try:
            saved = do_save_form(form, request.user)
        except StaleVersion:
            latest = indicator.history.select_related("history_user").first()  # type: ignore[union-attr]
            conflict = {"conflict": form.conflict(), "conflict_by": latest and latest.history_user,
                        "conflict_at": latest and latest.history_date}
        else:
            messages.success(request, _("The indicator is saved."))
            return HttpResponseRedirect(saved.get_absolute_url())
    return render(request, "steering/indicator_form.html", {
        "form": form, "indicator": indicator, "municipality": municipality, **conflict,
    }, status=409 if conflict else 400 if request.method == "POST" else 200)
