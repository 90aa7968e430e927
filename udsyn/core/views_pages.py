"""Global search, and change requests for shared records."""

from django import forms
from django.apps import apps
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from udsyn.core import requests
from udsyn.core import search as search_index
from udsyn.core.forms import StyledForm
from udsyn.core.models import ChangeRequest
from udsyn.core.policy import actor
from udsyn.core.usage import NotAllowed


@login_required
def search(request: HttpRequest) -> HttpResponse:
    q = request.GET.get("q", "").strip()
    hits = search_index.query(q, request.user) if q else []
    page = Paginator(hits, 50).get_page(request.GET.get("page"))
    return render(request, "core/search.html", {"q": q, "page": page, "total": len(hits)})



class ChangeRequestForm(StyledForm):
    text = forms.CharField(label=gettext_lazy("What should be changed, and why?"), max_length=4000,
                           widget=forms.Textarea)


@login_required
def change_request_new(request: HttpRequest, app_label: str, model_name: str, pk: int) -> HttpResponse:
    """Ask an administrator to change a shared record; the request is kept with the record."""
    try:
        model = apps.get_model(app_label, model_name)
    except LookupError as error:
        raise Http404 from error
    record = get_object_or_404(model._default_manager.restrict(request.user, "view"), pk=pk)
    if not requests.may_ask(request.user, record):
        raise PermissionDenied
    form = ChangeRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        requests.do_ask_change(record, request.user, form.cleaned_data["text"])
        messages.success(request, _("Your request is sent to the administrators and kept with “{obj}”.").format(
            obj=record))
        return HttpResponseRedirect(record.get_absolute_url())
    return render(request, "core/change_request_form.html", {
        "record": record, "form": form, "open_requests": requests.for_record(record).filter(state="open"),
    }, status=400 if form.is_bound and form.errors else 200)


@login_required
def change_requests(request: HttpRequest) -> HttpResponse:
    """Administrators: the open requests to answer. Everyone else: the requests they made."""
    may_answer = actor(request.user).is_admin
    queryset = ChangeRequest.objects.select_related("content_type", "requested_by", "answered_by")
    if not may_answer:
        queryset = queryset.filter(requested_by_id=request.user.pk)
    if request.method == "POST":
        if not may_answer:
            raise PermissionDenied
        chosen = get_object_or_404(queryset, pk=request.POST.get("request"))
        state = request.POST.get("state", "")
        if state not in (ChangeRequest.State.DONE, ChangeRequest.State.DECLINED):
            raise PermissionDenied
        try:
            requests.do_answer_change(chosen, request.user, state, request.POST.get("answer", ""))
        except NotAllowed as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("The request is answered."))
        return HttpResponseRedirect(reverse("core:change_requests"))
    return render(request, "core/change_requests.html", {
        "open": list(queryset.filter(state=ChangeRequest.State.OPEN)[:200]),
        "answered": list(queryset.exclude(state=ChangeRequest.State.OPEN)[:50]),
        "may_answer": may_answer,
    })
