"""The web page of the registry importer: upload or paste a YAML file, check it, then import it.

Nothing the user uploaded is lost: the file's text stays in the form, with every problem listed by
line, so it can be corrected in place and checked again.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

from udsyn.core import permissions
from udsyn.organisation.models import Role

MAX_UPLOAD = 5 * 1024 * 1024


@login_required
def import_registry_view(request: HttpRequest) -> HttpResponse:
    if permissions.kind_of(request.user) not in (Role.Kind.ADMINISTRATOR, Role.Kind.COORDINATOR):
        raise PermissionDenied
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
        confirm = request.POST.get("action") == "import"
        from udsyn.interop.registry import import_registry

        result = import_registry(text, filename=filename, user=request.user, dry_run=not confirm)
        scope_problem = _outside_scope(request, result)
        context.update({"text": text, "filename": filename, "result": result, "checked": True})
        if scope_problem:
            messages.error(request, scope_problem)
            return render(request, "interop/import.html", context, status=403)
        if confirm and result.ok:
            messages.success(request, _("Imported {filename}.").format(filename=filename))
            return HttpResponseRedirect(reverse("core:home"))
        return render(request, "interop/import.html", context, status=200 if result.ok else 400)
    return render(request, "interop/import.html", context)


def _outside_scope(request: HttpRequest, result: object) -> str:
    """Coordinators import only their own municipality's file."""
    if permissions.is_admin(request.user):
        return ""
    codes: set[str] = getattr(result, "municipality_codes", set())
    role = permissions.role_of(request.user)
    own = role.municipality.code if role and role.municipality else None
    foreign = {c for c in codes if c != own}
    if foreign:
        return _("As a coordinator you may import only your own municipality's file, not {codes}.").format(
            codes=", ".join(sorted(foreign))
        )
    return ""
