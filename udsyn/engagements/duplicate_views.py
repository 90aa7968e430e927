"""The duplicates page (candidate pairs of shared records, per kind), merging two records, and undoing it.

Coordinators and administrators see the candidates and past merges; only administrators merge and undo,
since shared records are changed only by them.
"""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from udsyn.core.policy import allows
from udsyn.engagements import duplicates, merge
from udsyn.engagements.models import City, ExternalOrganisation, FundingProgramme, Merge, Theme

TABS: dict[str, tuple[Any, Any]] = {
    "organisations": (ExternalOrganisation, gettext_lazy("Organisations")),
    "cities": (City, gettext_lazy("Cities")),
    "themes": (Theme, gettext_lazy("Themes")),
    "programmes": (FundingProgramme, gettext_lazy("Funding programmes")),
}
# The fields the confirm page shows side by side, where the model has them.
SHOWN = ("name", "name_en", "kind", "source", "country", "aliases", "website", "latitude", "longitude")


def may_see(user: Any) -> bool:
    return allows(user, "view", Merge)


def may_merge(user: Any) -> bool:
    return allows(user, "add", Merge)


def _tab(tab: str) -> Any:
    if tab not in TABS:
        raise Http404
    return TABS[tab][0]


def _context(request: HttpRequest, tab: str) -> dict[str, Any]:
    return {
        "tabs": [(key, label, reverse("engagements:duplicates", args=[key])) for key, (_m, label) in TABS.items()],
        "tab": tab, "tab_label": TABS[tab][1] if tab in TABS else _("Merges"),
        "can_merge": may_merge(request.user),
    }


@login_required
def duplicates_page(request: HttpRequest, tab: str = "organisations") -> HttpResponse:
    if not may_see(request.user):
        raise PermissionDenied
    model = _tab(tab)
    return render(request, "engagements/duplicates.html", {
        **_context(request, tab), "pairs": duplicates.find_pairs(model), "verbose_name": model._meta.verbose_name,
    })


def _fields(obj: Any) -> list[tuple[str, Any]]:
    rows = []
    for name in SHOWN:
        try:
            field = obj._meta.get_field(name)
        except Exception:  # noqa: BLE001 - the model has no such field
            continue
        display = getattr(obj, f"get_{name}_display", None)
        value = display() if display else getattr(obj, name)
        if isinstance(value, list):
            value = ", ".join(value)
        rows.append((str(field.verbose_name), value if value not in (None, "") else "—"))
    return rows


@login_required
def merge_page(request: HttpRequest, tab: str, a: int, b: int) -> HttpResponse:
    """Both records with what points at each; an administrator chooses the one to keep and merges."""
    if not may_see(request.user):
        raise PermissionDenied
    model = _tab(tab)
    first = get_object_or_404(model, pk=a)
    second = get_object_or_404(model, pk=b)
    if first.pk == second.pk:
        raise Http404
    error = ""
    if request.method == "POST":
        if not may_merge(request.user):
            raise PermissionDenied
        keep_pk = request.POST.get("keep")
        if keep_pk not in (str(first.pk), str(second.pk)):
            error = _("Choose the record to keep.")
        else:
            keep, drop = (first, second) if keep_pk == str(first.pk) else (second, first)
            try:
                done = merge.merge(keep, drop, request.user)
            except (merge.MergeError, IntegrityError) as problem:
                error = str(problem)
            else:
                messages.success(request, _(
                    "Merged “{merged}” into “{kept}”: {count} relations moved, and the name kept as an alias. "
                    "It can be undone from the list of merges."
                ).format(merged=done.merged_name, kept=done.survivor_name, count=len(done.moved)))
                return HttpResponseRedirect(keep.get_absolute_url())
    score, reason = duplicates.compare(duplicates.entry_of(first), duplicates.entry_of(second))
    records = [
        {"object": obj, "fields": _fields(obj), "uses": merge.uses(obj)} for obj in (first, second)
    ]
    return render(request, "engagements/merge_confirm.html", {
        **_context(request, tab), "records": records, "score": score,
        "reason": duplicates.REASONS.get(reason, ""), "error": error, "verbose_name": model._meta.verbose_name,
        "keep": request.POST.get("keep", str(first.pk)),
    }, status=400 if error else 200)


@login_required
def merges_page(request: HttpRequest) -> HttpResponse:
    if not may_see(request.user):
        raise PermissionDenied
    rows = Merge.objects.select_related("content_type", "user", "undone_by")[:200]
    return render(request, "engagements/merges.html", {**_context(request, "merges"), "merges": rows})


@login_required
@require_POST
def undo_merge(request: HttpRequest, pk: int) -> HttpResponse:
    if not may_merge(request.user):
        raise PermissionDenied
    record = get_object_or_404(Merge, pk=pk)
    try:
        restored, skipped = merge.undo(record, request.user)
    except (merge.MergeError, IntegrityError) as problem:
        messages.error(request, _("Could not undo the merge: {error}").format(error=problem))
        return HttpResponseRedirect(reverse("engagements:merges"))
    messages.success(request, _("Undid the merge: “{name}” is back with its relations.").format(name=restored))
    if skipped:
        messages.warning(request, _("Not moved back: {items}.").format(items="; ".join(skipped)))
    return HttpResponseRedirect(restored.get_absolute_url())
