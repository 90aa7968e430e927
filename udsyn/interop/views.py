"""The web page of the registry importer: upload or paste a YAML file, check it, then import it.

Nothing the user uploaded is lost: the file's text stays in the form, with every problem listed by
line, so it can be corrected in place and checked again. The check lists what the import would change,
field by field, warns of text it would empty or shorten, and lists the themes it would create, which are
created only when the user ticks "Create the new themes". Every record is checked against what the user
may write before anything is written; a refused import writes nothing and answers 403.
"""

import logging
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import caches
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _

from udsyn.core.exchange.importer import import_registry
from udsyn.core.policy import actor, allows
from udsyn.interop import exports, jobs, tabular
from udsyn.interop.models import TableUpload
from udsyn.organisation.models import Municipality

log = logging.getLogger(__name__)

MAX_UPLOAD = 5 * 1024 * 1024


@login_required
def import_registry_view(request: HttpRequest) -> HttpResponse:
    _importer(request)
    context: dict[str, object] = {"text": "", "filename": "registry.yaml"}
    if request.method == "POST":
        upload = request.FILES.get("file")
        text = request.POST.get("text", "")
        filename = request.POST.get("filename") or "registry.yaml"
        if upload is not None:
            if upload.size and upload.size > MAX_UPLOAD:
                messages.error(request, _("The file is larger than 5 MB."))
                return render(request, "interop/import.html", context, status=400)
            raw = upload.read()
            try:
                text = raw.decode("utf-8")
            except UnicodeDecodeError:
                messages.error(request, _("The file is not UTF-8 text."))
                return render(request, "interop/import.html", context, status=400)
            filename = upload.name or filename
        elif text and not text.endswith(("\n", "\r")):
            text += "\n"  # text typed or pasted in the form is whole: the user sees all of it
        filename = jobs.clean(filename)[:250]
        confirm = request.POST.get("action") == "import"
        create_themes = request.POST.get("create_themes") == "1"
        # The check creates (and rolls back) new themes to count what the import would do; the import creates
        # them only when the user ticked that it should.
        result = import_registry(text, filename=filename, user=request.user, dry_run=not confirm,
                                 create_themes=create_themes or not confirm)
        context.update({"text": text, "filename": filename, "result": result, "checked": True,
                        "create_themes": create_themes})
        if result.refused:
            messages.error(request, _("You may not write some of the file's records; nothing was written."))
            return render(request, "interop/import.html", context, status=403)
        if confirm and result.ok:
            messages.success(request, _("Imported {filename}.").format(filename=filename))
            return HttpResponseRedirect(reverse("organisation:home"))
        return render(request, "interop/import.html", context, status=200 if result.ok else 400)
    return render(request, "interop/import.html", context)




# --- Tables: upload, check, import; export --------------------------------------------------------

MAX_TABLE_UPLOAD = 50 * 1024 * 1024


def _coordinator(user: Any) -> bool:
    """Administrators and coordinators import, and export everything (internal data included)."""
    return allows(user, "import", TableUpload)


def _importer(request: HttpRequest) -> None:
    if not _coordinator(request.user):
        raise PermissionDenied


@login_required
def tables_view(request: HttpRequest) -> HttpResponse:
    """Upload tables (CSV, zip of CSV, XLSX, JSON, YAML) to check them; the check's page offers the import."""
    _importer(request)
    user: Any = request.user
    context: dict[str, Any] = {
        "tables": tabular.tables(), "uploads": TableUpload.objects.filter(user=user)[:10],
        "chosen_table": request.POST.get("table", ""),
    }
    if request.method != "POST":
        return render(request, "interop/tables.html", context)
    upload = request.FILES.get("file")
    table = request.POST.get("table", "")
    error = ""
    if upload is None:
        error = _("Choose a file.")
    elif upload.size and upload.size > MAX_TABLE_UPLOAD:
        error = _("The file is larger than 50 MB.")
    if table and table not in tabular.by_name():
        error = _("Choose one of the tables.")
    sheets: list[tabular.Sheet] = []
    if not error and upload is not None:
        content = upload.read()
        try:
            sheets = tabular.read(upload.name or "", content, table)
        except tabular.Unreadable as unreadable:
            error = str(unreadable)
    if error or upload is None:
        context["error"] = error
        return render(request, "interop/tables.html", context, status=400)
    saved = TableUpload.objects.create(
        user=user, filename=jobs.clean(upload.name or "")[:250], table=table, content=content,
        total=sum(len(sheet.rows) for sheet in sheets),
    )
    jobs.start(saved, dry_run=True)
    return HttpResponseRedirect(reverse("interop:upload", args=[saved.pk]))


@login_required
def upload_view(request: HttpRequest, pk: int) -> HttpResponse:
    _importer(request)
    user: Any = request.user
    upload = get_object_or_404(TableUpload, pk=pk, user=user)
    if request.method == "POST":
        create_themes = request.POST.get("create_themes") == "1"
        if request.POST.get("action") == "retry":
            jobs.do_retry(upload, user)
        elif request.POST.get("action") == "import" and upload.state == TableUpload.State.CHECKED:
            if upload.result.get("new_themes") and not create_themes:
                context = {"upload": upload, "error": _(
                    "The file names themes that do not exist yet. Tick \"Create the new themes\" to create them, "
                    "or correct the file and upload it again.")}
                return render(request, "interop/upload.html", context, status=400)
            # Once, however often the button is pressed.
            if TableUpload.objects.filter(pk=upload.pk, state=TableUpload.State.CHECKED).update(
                    state=TableUpload.State.IMPORTING, done=0):
                jobs.start(upload, dry_run=False, create_themes=create_themes)
        return HttpResponseRedirect(reverse("interop:upload", args=[upload.pk]))
    if upload.working:
        upload.done, upload.total = caches["progress"].get(jobs.progress_key(upload.pk), (upload.done, upload.total))
    htmx = getattr(request, "htmx", False)
    response = render(request, "interop/_upload.html" if htmx else "interop/upload.html", {"upload": upload})
    if htmx and not upload.working:
        response.status_code = 286  # htmx: stop polling
    return response


@login_required
def export_view(request: HttpRequest) -> HttpResponse:
    """Download the registry in any export format; internal tables for coordinators and administrators."""
    who = actor(request.user)
    may_internal = _coordinator(request.user)
    own_id: Any = None if who.is_admin else who.municipality_id
    own = Municipality.objects.filter(pk=own_id).first() if own_id is not None else None
    municipalities = [own] if own else list(Municipality.objects.with_registry().order_by("name"))
    context: dict[str, Any] = {
        "formats": exports.FORMATS, "tables": tabular.tables_for(may_internal), "municipalities": municipalities,
        "may_internal": may_internal,
    }
    if "format" not in request.GET:
        return render(request, "interop/export.html", context)
    fmt = request.GET.get("format", "")
    code = request.GET.get("municipality", "")
    municipality = next((m for m in municipalities if m.code == code), None) if code else own
    internal = request.GET.get("internal") == "1"
    table = request.GET.get("table", "")
    error = ""
    if fmt not in exports.FORMATS:
        error = _("Choose a format.")
    elif code and municipality is None:
        error = _("Choose a municipality.")
    elif internal and not may_internal:
        raise PermissionDenied
    if not error:
        try:
            content, extension = exports.export_file(fmt, municipality, internal=internal, table=table)
        except exports.ExportError as export_error:
            error = str(export_error)
    if error:
        context["error"] = error
        return render(request, "interop/export.html", context, status=400)
    return download(content, extension, exports.filename(municipality, extension, table))


def download(content: bytes, extension: str, name: str) -> HttpResponse:
    response = HttpResponse(content, content_type=exports.MEDIA_TYPES[extension])
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response

