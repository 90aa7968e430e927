"""Ask for a report, follow its progress, download it.

Coordinators (and administrators) make reports of their municipality or any of its departments;
department editors make their own department's report. Readers and anonymous visitors make none.
"""

from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from udsyn.core import csp
from udsyn.core.forms import style
from udsyn.core.policy import actor, allows
from udsyn.organisation.models import Department, Municipality
from udsyn.reports import jobs
from udsyn.reports.models import ReportJob


def _allowed_scope(user: Any) -> tuple[Any, Any]:  # querysets
    """The municipalities and departments the user may report on: coordinators their municipality,
    department editors their department (the policy of a report job, udsyn/reports/policies.py)."""
    who = actor(user)
    if who.is_admin:
        return Municipality.objects.with_registry(), Department.objects.all()
    if not allows(user, "add", ReportJob):
        raise PermissionDenied
    municipality_id: Any = who.municipality_id
    departments = Department.objects.filter(municipality_id=municipality_id)
    if who.editor_department_ids:
        departments = departments.filter(pk__in=who.editor_department_ids)
    return Municipality.objects.filter(pk=municipality_id), departments


class ReportForm(forms.ModelForm):
    class Meta:
        model = ReportJob
        fields = ["municipality", "department", "format", "language", "since_year"]
        widgets = {"format": forms.RadioSelect, "language": forms.RadioSelect}
        help_texts = {
            "department": gettext_lazy("Leave empty for the whole municipality."),
            "since_year": gettext_lazy("The first year of the funding headline; empty: as the source states it."),
        }

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        municipalities, departments = _allowed_scope(user)
        municipality_field: Any = self.fields["municipality"]
        department_field: Any = self.fields["department"]
        municipality_field.queryset = municipalities.order_by("name")
        department_field.queryset = departments.select_related("municipality").order_by("municipality__name", "code")
        if actor(user).editor_department_id is not None:
            department_field.required = True
            department_field.empty_label = None
            self.fields["department"].help_text = _("Department editors make their own department's report.")
        self.fields["format"].required = True
        self.fields["language"].required = True
        style(self)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        department = data.get("department")
        if department and data.get("municipality") and department.municipality_id != data["municipality"].pk:
            self.add_error("department", _("The department belongs to another municipality."))
        return data


@login_required
def index(request: HttpRequest) -> HttpResponse:
    _allowed_scope(request.user)
    initial: dict[str, Any] = {"format": ReportJob.Format.PDF, "language": request.LANGUAGE_CODE[:2]}
    who = actor(request.user)
    if who.municipality_id:
        initial["municipality"] = who.municipality_id
    if who.department_id:
        initial["department"] = who.department_id
    for key in ("municipality", "department"):
        if request.GET.get(key, "").isdecimal():
            initial[key] = int(request.GET[key])
    form = ReportForm(request.POST or None, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        job = form.save(commit=False)
        job.user = request.user
        job.save()
        jobs.start(job)
        return HttpResponseRedirect(job.get_absolute_url())
    user: Any = request.user
    recent = ReportJob.objects.filter(user=user).select_related("municipality", "department")[:10]
    return render(request, "reports/index.html", {"form": form, "recent": recent},
                  status=400 if form.errors else 200)


def _own(request: HttpRequest, pk: int) -> ReportJob:
    job = get_object_or_404(
        ReportJob.objects.select_related("municipality", "department").defer("data"), pk=pk
    )
    if not allows(request.user, "view", job):
        raise PermissionDenied
    return job


@login_required
def job_view(request: HttpRequest, pk: int) -> HttpResponse:
    job = _own(request, pk)
    template = "reports/_progress.html" if request.htmx else "reports/job.html"  # type: ignore[attr-defined]
    response = render(request, template, {"job": job})
    if request.htmx and job.state in (ReportJob.State.DONE, ReportJob.State.FAILED):  # type: ignore[attr-defined]
        response.status_code = 286  # htmx: stop polling
    return response


@login_required
def retry(request: HttpRequest, pk: int) -> HttpResponse:
    """Try a failed report again."""
    if request.method != "POST":
        return HttpResponseRedirect(reverse("reports:job", args=[pk]))
    jobs.do_retry(_own(request, pk), request.user)
    return HttpResponseRedirect(reverse("reports:job", args=[pk]))


@login_required
def download(request: HttpRequest, pk: int) -> HttpResponse:
    job = _own(request, pk)
    if job.state != ReportJob.State.DONE:
        return HttpResponseRedirect(job.get_absolute_url())
    data = ReportJob.objects.filter(pk=job.pk).values_list("data", flat=True).get() or b""
    response = HttpResponse(bytes(data), content_type=job.content_type)
    inline = job.format in (ReportJob.Format.HTML, ReportJob.Format.PDF) and "inline" in request.GET
    response["Content-Disposition"] = '{}; filename="{}"'.format("inline" if inline else "attachment", job.filename)
    if job.format == ReportJob.Format.HTML:
        # The HTML report is one file, its stylesheet inside it (it is read offline too): opened in the browser,
        # its own <style> is admitted by hash, and nothing else inline.
        made = csp.found_in(bytes(data).decode("utf-8"))
        csp.admit(response, csp.InlineStyles(elements=made.elements))
    return response


def report_url(user: Any, municipality: Municipality, department: Department | None = None) -> str:
    """The report form, filled in for this municipality or department, if the user may make that report."""
    if not allows(user, "add", ReportJob(municipality=municipality, department=department)):
        return ""
    query = f"?municipality={municipality.pk}" + (f"&department={department.pk}" if department else "")
    return reverse("reports:index") + query
