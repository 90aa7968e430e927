"""Generic views: list, detail, edit, delete, history and restore. A record type is mostly declarations."""

from typing import Any, ClassVar

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import models, transaction
from django.db.models.deletion import ProtectedError, RestrictedError
from django.forms import ModelForm
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View
from django_filters import FilterSet

from udsyn.core import history, permissions
from udsyn.core.models import StaleVersion
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

    def meta_context(self) -> dict[str, Any]:
        meta = self.model._meta
        return {
            "model": self.model,
            "verbose_name": meta.verbose_name,
            "verbose_name_plural": meta.verbose_name_plural,
            "list_url": reverse(self.model.url_name("list")),  # type: ignore[attr-defined]
            "can_add": permissions.can_create(self.request.user, self.model),
            "add_url": reverse(self.model.url_name("add")),  # type: ignore[attr-defined]
            "deleted_url": reverse(self.model.url_name("deleted")),  # type: ignore[attr-defined]
        }


class ObjectListView(RecordMixin, View):
    filterset_class: ClassVar[type[FilterSet] | None] = None
    columns: ClassVar[list[Column]] = []
    default_sort: ClassVar[str] = ""
    paginate_by: ClassVar[int] = 50
    template_name: ClassVar[str] = "core/object_list.html"

    def get(self, request: HttpRequest) -> HttpResponse:
        queryset = self.get_queryset()
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
        obj = get_object_or_404(self.get_queryset(), pk=pk)
        context = {
            **self.meta_context(),
            "object": obj,
            "fields": [(obj._meta.get_field(name), name) for name in self.fields],
            "related": self.related(obj),
            "can_edit": permissions.can_edit(request.user, obj),
            "edit_url": reverse(self.model.url_name("edit"), args=[obj.pk]),  # type: ignore[attr-defined]
            "delete_url": reverse(self.model.url_name("delete"), args=[obj.pk]),  # type: ignore[attr-defined]
            "history_url": reverse(self.model.url_name("history"), args=[obj.pk]),  # type: ignore[attr-defined]
            "recent_history": history.entries(obj.history.all(), self.model, limit=3),  # type: ignore[attr-defined]
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
            if not permissions.can_create(self.request.user, self.model):
                raise PermissionDenied
            return None
        obj = get_object_or_404(self.get_queryset(), pk=pk)
        if not permissions.can_edit(self.request.user, obj):
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
                with transaction.atomic():
                    saved = form.save()
            except StaleVersion:
                return self.render_form(form, obj, **self.conflict(form, obj))
            verb = _("Created") if obj is None else _("Saved")
            messages.success(request, _("{verb} {name} “{obj}”.").format(
                verb=verb, name=self.model._meta.verbose_name, obj=saved
            ))
            return HttpResponseRedirect(saved.get_absolute_url())
        return self.render_form(form, obj)


class ObjectDeleteView(RecordMixin, View):
    template_name: ClassVar[str] = "core/object_delete.html"

    def get_object(self, pk: int) -> Any:
        obj = get_object_or_404(self.get_queryset(), pk=pk)
        if not permissions.can_edit(self.request.user, obj):
            raise PermissionDenied
        return obj

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        obj = self.get_object(pk)
        return render(request, self.template_name, {**self.meta_context(), "object": obj})

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        obj = self.get_object(pk)
        name = str(obj)
        try:
            with transaction.atomic():
                obj.delete()
        except (ProtectedError, RestrictedError) as error:
            blocking = sorted({str(o) for o in error.protected_objects} if isinstance(error, ProtectedError)
                              else {str(o) for o in error.restricted_objects})
            messages.error(request, _("“{obj}” cannot be deleted while these refer to it: {refs}.").format(
                obj=name, refs=", ".join(blocking[:10])
            ))
            return render(request, self.template_name, {**self.meta_context(), "object": obj}, status=409)
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
        return render(request, "core/object_history.html", {
            **self.meta_context(),
            "object": obj,
            "title": str(obj) if obj else str(records.first()),
            "entries": history.entries(records, self.model),
        })


class DeletedListView(RecordMixin, View):
    def get(self, request: HttpRequest) -> HttpResponse:
        return render(request, "core/object_deleted.html", {
            **self.meta_context(),
            "records": history.deleted_records(self.model),
            "can_restore": permissions.can_create(request.user, self.model),
            "restore_url_name": self.model.url_name("restore"),  # type: ignore[attr-defined]
        })


class RestoreView(RecordMixin, View):
    def post(self, request: HttpRequest, history_id: int) -> HttpResponse:
        record = get_object_or_404(self.model.history, history_id=history_id, history_type="-")  # type: ignore[attr-defined]
        candidate = record.instance
        if not permissions.can_create(request.user, self.model) or not permissions.can_edit(
            request.user, candidate
        ):
            raise PermissionDenied
        try:
            restored = history.restore(record, request.user)
        except Exception as error:  # noqa: BLE001 - shown to the user as it is
            messages.error(request, _("Could not restore “{obj}”: {error}").format(obj=candidate, error=error))
            return HttpResponseRedirect(reverse(self.model.url_name("deleted")))  # type: ignore[attr-defined]
        messages.success(request, _("Restored “{obj}”.").format(obj=restored))
        return HttpResponseRedirect(restored.get_absolute_url())  # type: ignore[attr-defined]
