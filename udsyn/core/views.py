"""Generic views: list, detail, edit, delete, history and restore. A record type is mostly declarations."""

from typing import Any, ClassVar

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import models
from django.db.models.deletion import ProtectedError, RestrictedError
from django.forms import ModelForm
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.views import View
from django_filters import FilterSet

from udsyn.core import history, panels, requests, usage
from udsyn.core.actions import do_save_form
from udsyn.core.models import StaleVersion
from udsyn.core.policy import HISTORY, allows, policy_for
from udsyn.core.tables import Column


class FirstRows(list[Any]):
    """The first rows of a related list on a detail page, with the total and the address of the full
    (paginated, filterable) list: a municipality with 300 engagements shows 25 and a link to the rest."""

    LIMIT = 25

    def __init__(self, queryset: Any, more_url: str, limit: int = LIMIT) -> None:
        rows = list(queryset[: limit + 1])
        super().__init__(rows[:limit])
        self.more = len(rows) > limit
        self.total = queryset.count() if self.more else len(self)
        self.more_url = more_url


class RecordMixin(LoginRequiredMixin):
    model: ClassVar[type[models.Model]]
    request: HttpRequest

    def get_queryset(self) -> models.QuerySet[Any]:
        return self.model._default_manager.all()

    def restricted(self, action: str = "view") -> models.QuerySet[Any]:
        """The records of ``get_queryset`` the user may ``action`` (see udsyn.core.policy)."""
        return self.get_queryset().restrict(self.request.user, action)  # type: ignore[attr-defined]

    def meta_context(self) -> dict[str, Any]:
        meta = self.model._meta
        return {
            "model": self.model,
            "verbose_name": meta.verbose_name,
            "verbose_name_plural": meta.verbose_name_plural,
            "list_url": reverse(self.model.url_name("list")),  # type: ignore[attr-defined]
            "can_add": allows(self.request.user, "add", self.model),
            "add_url": reverse(self.model.url_name("add")),  # type: ignore[attr-defined]
            "deleted_url": reverse(self.model.url_name("deleted")),  # type: ignore[attr-defined]
            # History and deleted records are need-to-know: within the record's municipality (policy.HISTORY).
            "can_see_deleted": allows(self.request.user, HISTORY, self.model),
        }


class ObjectListView(RecordMixin, View):
    filterset_class: ClassVar[type[FilterSet] | None] = None
    columns: ClassVar[list[Column]] = []
    default_sort: ClassVar[str] = ""
    paginate_by: ClassVar[int] = 50
    template_name: ClassVar[str] = "core/object_list.html"

    def get(self, request: HttpRequest) -> HttpResponse:
        queryset = self.restricted("view")
        filterset = None
        if self.filterset_class is not None:
            filterset = self.filterset_class(request.GET, queryset=queryset, request=request)
            queryset = filterset.qs
        sorts = {c.sort: c for c in self.columns if c.sort}
        sort = request.GET.get("sort", self.default_sort)
        field = sort.lstrip("-")
        if field not in sorts:
            sort = self.default_sort
        if sort:
            queryset = queryset.order_by(sort, "pk")
        paginator = Paginator(queryset, self.paginate_by)
        page = paginator.get_page(request.GET.get("page"))
        query = request.GET.copy()
        query.pop("page", None)
        sort_query = query.copy()
        sort_query.pop("sort", None)
        context = {
            **self.meta_context(),
            "filterset": filterset,
            "columns": self.columns,
            "page": page,
            "rows": page.object_list,
            "sort": sort,
            "query": query.urlencode(),
            "sort_query": sort_query.urlencode(),
            "total": paginator.count,
        }
        template = "core/object_table.html" if request.htmx else self.template_name  # type: ignore[attr-defined]
        return render(request, template, context)


class ObjectDetailView(RecordMixin, View):
    template_name: ClassVar[str] = "core/object_detail.html"
    fields: ClassVar[list[str]] = []

    def related(self, obj: Any) -> list[tuple[str, list[Any], list[Column]]]:
        return []

    def extra_context(self, obj: Any) -> dict[str, Any]:
        return {}

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        obj = get_object_or_404(self.restricted("view"), pk=pk)
        can_see_history = allows(request.user, HISTORY, obj)
        context = {
            **self.meta_context(),
            "object": obj,
            "fields": [(obj._meta.get_field(name), name) for name in self.fields],
            "related": panels.related_tables(obj, request.user, FirstRows) + self.related(obj),
            "sections": panels.sections(obj, request.user),
            "actions": panels.actions(obj, request.user),
            "can_edit": allows(request.user, "change", obj),
            "can_delete": allows(request.user, "delete", obj),
            "change_request_url": reverse("core:change_request_new", args=[
                obj._meta.app_label, obj._meta.model_name, obj.pk]) if requests.may_ask(request.user, obj) else "",
            "change_requests": requests.for_record(obj).filter(state="open")
            if "request_change" in policy_for(self.model).extra else [],
            "edit_url": reverse(self.model.url_name("edit"), args=[obj.pk]),  # type: ignore[attr-defined]
            "delete_url": reverse(self.model.url_name("delete"), args=[obj.pk]),  # type: ignore[attr-defined]
            "history_url": reverse(self.model.url_name("history"), args=[obj.pk])  # type: ignore[attr-defined]
            if can_see_history else "",
            "recent_history": history.entries(obj.history.all(), self.model, limit=3)  # type: ignore[attr-defined]
            if can_see_history else None,
            **self.extra_context(obj),
        }
        return render(request, self.template_name, context)


class ObjectEditView(RecordMixin, View):
    form_class: ClassVar[type[ModelForm]]
    template_name: ClassVar[str] = "core/object_edit.html"

    def get_form(self, data: Any = None, instance: Any = None) -> ModelForm:
        return self.form_class(data=data, instance=instance, user=self.request.user)  # type: ignore[call-arg]

    def get_object(self, pk: int | None) -> Any:
        if pk is None:
            if not allows(self.request.user, "add", self.model):
                raise PermissionDenied
            return None
        obj = get_object_or_404(self.restricted("view"), pk=pk)
        if not allows(self.request.user, "change", obj):
            raise PermissionDenied
        return obj

    def render_form(self, form: ModelForm, obj: Any, **extra: Any) -> HttpResponse:
        return render(self.request, self.template_name, {
            **self.meta_context(), "form": form, "object": obj, **extra,
        }, status=extra.get("status") or (400 if form.is_bound and form.errors else 200))

    def conflict(self, form: Any, obj: Any) -> dict[str, Any]:
        """What the edit page shows when someone saved the record after the form was opened (status 409)."""
        latest = obj.history.select_related("history_user").first() if hasattr(obj, "history") else None
        return {"status": 409, "conflict": form.conflict(), "conflict_by": latest and latest.history_user,
                "conflict_at": latest and latest.history_date}

    def get(self, request: HttpRequest, pk: int | None = None) -> HttpResponse:
        obj = self.get_object(pk)
        return self.render_form(self.get_form(instance=obj), obj)

    def post(self, request: HttpRequest, pk: int | None = None) -> HttpResponse:
        obj = self.get_object(pk)
        form = self.get_form(data=request.POST, instance=obj)
        if form.is_valid():
            try:
                saved = do_save_form(form, request.user)
            except StaleVersion:
                return self.render_form(form, obj, **self.conflict(form, obj))
            verb = _("Created") if obj is None else _("Saved")
            messages.success(request, _("{verb} {name} “{obj}”.").format(
                verb=verb, name=self.model._meta.verbose_name, obj=saved
            ))
            return HttpResponseRedirect(saved.get_absolute_url())
        return self.render_form(form, obj)


class ObjectDeleteView(RecordMixin, View):
    """Asks before deleting, and lists who uses the record: a record in use is not deleted."""

    template_name: ClassVar[str] = "core/object_delete.html"

    def get_object(self, pk: int) -> Any:
        obj = get_object_or_404(self.restricted("view"), pk=pk)
        if not allows(self.request.user, "delete", obj):
            raise PermissionDenied
        return obj

    def render_page(self, obj: Any, found: list[usage.Use], status: int = 200) -> HttpResponse:
        return render(self.request, self.template_name, {
            **self.meta_context(), "object": obj, "uses": found,
        }, status=status)

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        obj = self.get_object(pk)
        return self.render_page(obj, usage.uses(obj))

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        obj = self.get_object(pk)
        name = str(obj)
        try:
            usage.do_delete(obj, request.user)
        except usage.InUse as error:
            messages.error(request, _("“{obj}” cannot be deleted while other records use it.").format(obj=name))
            return self.render_page(obj, error.uses, status=409)
        except (ProtectedError, RestrictedError):  # a use the check above does not know of
            messages.error(request, _("“{obj}” cannot be deleted while other records use it.").format(obj=name))
            return self.render_page(obj, usage.uses(obj), status=409)
        messages.success(request, _("Deleted “{obj}”. It can be restored from the deleted records.").format(
            obj=name
        ))
        return HttpResponseRedirect(reverse(self.model.url_name("list")))  # type: ignore[attr-defined]


class ObjectHistoryView(RecordMixin, View):
    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        records = self.model.history.filter(id=pk)  # type: ignore[attr-defined]
        if not records.exists():
            raise Http404
        obj = self.model._default_manager.filter(pk=pk).first()
        # The history of a record is read by those who may read it (a deleted one: as it was), and of a
        # municipality's record only within that municipality (need-to-know, docs/permissions.md).
        if not allows(request.user, HISTORY, obj if obj is not None else records.first().instance):
            raise Http404
        entries = history.timeline(self.model, pk)
        return render(request, "core/object_history.html", {
            **self.meta_context(),
            "object": obj,
            "title": str(obj) if obj else str(records.first()),
            "entries": entries,
            "newest_key": entries[0].key if entries else "",
            "can_edit": obj is not None and allows(request.user, "change", obj),
            "revert_url": reverse(self.model.url_name("revert"), args=[pk]),  # type: ignore[attr-defined]
            "restore_version_url": reverse(self.model.url_name("restore_version"), args=[pk]),  # type: ignore[attr-defined]
        })


class DeletedListView(RecordMixin, View):
    def get(self, request: HttpRequest) -> HttpResponse:
        return render(request, "core/object_deleted.html", {
            **self.meta_context(),
            # Only the deleted records the user may read the history of: their municipality's (need-to-know).
            "records": [record for record in history.deleted_records(self.model)
                        if allows(request.user, HISTORY, record.instance)],
            "can_restore": allows(request.user, "add", self.model),
            "restore_url_name": self.model.url_name("restore"),  # type: ignore[attr-defined]
        })


def _report(request: HttpRequest, outcome: history.Outcome) -> None:
    if outcome.skipped:
        messages.warning(request, _("Not reverted because they were changed again later: {fields}.").format(
            fields="; ".join(outcome.skipped)))
    for note in outcome.missing:
        messages.warning(request, note[:1].upper() + note[1:] + ".")


class RestoreView(RecordMixin, View):
    def post(self, request: HttpRequest, history_id: int) -> HttpResponse:
        record = get_object_or_404(self.model.history, history_id=history_id, history_type="-")  # type: ignore[attr-defined]
        candidate = record.instance
        if not allows(request.user, "add", candidate):
            raise PermissionDenied
        notes: list[str] = []
        try:
            restored = history.restore(record, request.user, notes=notes)
        except Exception as error:  # noqa: BLE001 - shown to the user as it is
            messages.error(request, _("Could not restore “{obj}”: {error}").format(obj=candidate, error=error))
            return HttpResponseRedirect(reverse(self.model.url_name("deleted")))  # type: ignore[attr-defined]
        messages.success(request, _("Restored “{obj}”.").format(obj=restored))
        _report(request, history.Outcome(done=True, missing=notes))
        return HttpResponseRedirect(restored.get_absolute_url())  # type: ignore[attr-defined]


class HistoryActionView(RecordMixin, View):
    """Revert one entry of a record's history, or bring the record back to the version after it."""

    action: ClassVar[str] = "revert"

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        obj = get_object_or_404(self.restricted("view"), pk=pk)
        if not allows(request.user, "change", obj):
            raise PermissionDenied
        history_url = reverse(self.model.url_name("history"), args=[pk])  # type: ignore[attr-defined]
        entry = history.find_entry(self.model, pk, request.POST.get("entry", ""))
        if entry is None:
            messages.error(request, _("That change is not in the history of “{obj}”.").format(obj=obj))
            return HttpResponseRedirect(history_url)
        if self.action == "revert" and not entry.can_revert:
            messages.error(request, _("Only a change can be reverted, not a creation or a deletion."))
            return HttpResponseRedirect(history_url)
        for other in history.linked_records(entry, self.model):  # e.g. a funding line: its own rights
            if not allows(request.user, "change", other):
                raise PermissionDenied
        try:
            if self.action == "revert":
                outcome = history.revert(entry, request.user, self.model, pk)
            else:
                outcome = history.restore_version(self.model, pk, entry, request.user)
        except ValueError as error:
            messages.error(request, str(error))
            return HttpResponseRedirect(history_url)
        date = entry.record.history_date
        if not outcome.done:
            messages.info(request, _("Nothing was changed."))
        elif self.action == "revert":
            messages.success(request, history.describe_entry(entry) + ".")
        else:
            messages.success(request, _("Restored “{obj}” as it was on {date}.").format(
                obj=obj, date=formats.date_format(timezone.localtime(date), "SHORT_DATETIME_FORMAT")))
        _report(request, outcome)
        return HttpResponseRedirect(history_url)


class RevertView(HistoryActionView):
    action = "revert"


class RestoreVersionView(HistoryActionView):
    action = "restore_version"
