"""The start page, the municipality a page is about, and the pages of the organisation's records."""

from typing import Any

from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.db import models
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from udsyn.core import panels
from udsyn.core.forms import registry_form
from udsyn.core.policy import actor
from udsyn.core.tables import TITLE, Column
from udsyn.core.views import ObjectDetailView, ObjectEditView, ObjectListView
from udsyn.organisation import sso
from udsyn.organisation.models import Committee, Department, Municipality, Person, StatedFigure, Unit

CODE = Column("code", gettext_lazy("Code"), sort="code")


def chosen_municipality(request: HttpRequest) -> Municipality | None:
    """The municipality a page is about: ``?municipality=<code>``, else the user's own, else the first with
    a registry."""
    code = request.GET.get("municipality")
    if code:
        chosen = Municipality.objects.filter(code=code).first()
        if chosen:
            return chosen
    home_id = actor(request.user).municipality_id
    if home_id:
        return Municipality.objects.filter(pk=home_id).first()
    return Municipality.objects.with_registry().order_by("code").first()


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """The start page: the chosen municipality at a glance (the sections its apps register)."""
    municipality = chosen_municipality(request)
    return render(request, "organisation/home.html", {
        "municipality": municipality,
        "choices": Municipality.objects.with_registry().order_by("name"),
        "sections": panels.sections(municipality, request.user) if municipality else [],
    })


class MunicipalityListView(ObjectListView):
    model = Municipality
    columns = [
        TITLE, CODE, Column("region", gettext_lazy("Region"), sort="region__name"),
        Column("engagement_count", gettext_lazy("Engagements"), sort="engagement_count"),
    ]
    default_sort = "name"
    paginate_by = 100

    def get_queryset(self) -> models.QuerySet[Any]:
        return Municipality.objects.select_related("region").annotate(engagement_count=Count("engagements"))


class MunicipalityDetailView(ObjectDetailView):
    model = Municipality
    template_name = "organisation/municipality_detail.html"

    def get_queryset(self) -> models.QuerySet[Any]:
        return Municipality.objects.select_related("region")

    def related(self, obj: Any) -> list[tuple[str, list[Any], list[Column]]]:
        statement = [Column("order", "#"), TITLE, Column("description", gettext_lazy("Description"))]
        return [
            (_("Departments"), list(obj.departments.all()), [TITLE, CODE]),
            (_("Political committees"), list(obj.committees.select_related("department")),
             [TITLE, Column("international_treatment", gettext_lazy("Treatment of international matters"))]),
            (_("Strategies and plans"), list(obj.strategies.all()),
             [TITLE, Column("get_kind_display", gettext_lazy("Kind")), Column("period", gettext_lazy("Period"))]),
            (_("Political goals"), list(obj.goals.all()), statement),
            (_("Principles"), list(obj.principles.all()), statement),
            (_("Focus areas"), list(obj.focus_areas.all()), statement),
        ]


class MunicipalityEditView(ObjectEditView):
    model = Municipality
    form_class = registry_form(Municipality, ["code", "name", "region", "latitude", "longitude"])


class DepartmentListView(ObjectListView):
    model = Department
    columns = [
        TITLE, CODE, Column("municipality.name", gettext_lazy("Municipality"), sort="municipality__name"),
        Column("led", gettext_lazy("Leads"), sort="led"),
        Column("joined", gettext_lazy("Takes part in"), sort="joined"),
    ]
    default_sort = "municipality__name"

    def get_queryset(self) -> models.QuerySet[Any]:
        return Department.objects.select_related("municipality").annotate(
            led=Count("led_engagements", distinct=True), joined=Count("joined_engagements", distinct=True)
        )


class DepartmentDetailView(ObjectDetailView):
    model = Department
    fields = ["municipality", "code", "name", "name_en", "international_work", "delegation_handling"]

    def get_queryset(self) -> models.QuerySet[Any]:
        return Department.objects.select_related("municipality")

    def related(self, obj: Any) -> list[tuple[str, list[Any], list[Column]]]:
        return [
            (_("Units"), list(obj.units.all()),
             [TITLE, Column("international_role", gettext_lazy("International role"))]),
            (_("Political committees"), list(obj.committees.all()), [TITLE]),
            (_("Strategies and plans"), list(obj.strategies.all()), [TITLE, Column("period", gettext_lazy("Period"))]),
            (_("Stated figures"), list(obj.stated_figures.all()), STATED_COLUMNS),
        ]


class DepartmentEditView(ObjectEditView):
    model = Department
    form_class = registry_form(
        Department, ["municipality", "code", "name", "name_en", "international_work", "delegation_handling"]
    )


class UnitListView(ObjectListView):
    model = Unit
    columns = [
        TITLE, Column("department", gettext_lazy("Department"), sort="department__code"),
        Column("department.municipality.name", gettext_lazy("Municipality"), sort="department__municipality__name"),
    ]
    default_sort = "name"

    def get_queryset(self) -> models.QuerySet[Any]:
        return Unit.objects.select_related("department__municipality")


class UnitDetailView(ObjectDetailView):
    model = Unit
    fields = ["department", "international_role"]

    def get_queryset(self) -> models.QuerySet[Any]:
        return Unit.objects.select_related("department__municipality")


class UnitEditView(ObjectEditView):
    model = Unit
    form_class = registry_form(Unit, ["department", "name", "international_role"])


class PersonListView(ObjectListView):
    model = Person
    columns = [
        TITLE, Column("get_kind_display", gettext_lazy("Kind"), sort="kind"),
        Column("title", gettext_lazy("Title or position"), sort="title"),
        Column("municipality.name", gettext_lazy("Municipality"), sort="municipality__name"),
    ]
    default_sort = "name"

    def get_queryset(self) -> models.QuerySet[Any]:
        return Person.objects.select_related("municipality")


class PersonDetailView(ObjectDetailView):
    model = Person
    fields = ["municipality", "kind", "title", "party", "department", "unit", "email", "phone"]


class PersonEditView(ObjectEditView):
    model = Person
    form_class = registry_form(
        Person, ["municipality", "name", "kind", "title", "party", "department", "unit", "email", "phone"]
    )


class CommitteeListView(ObjectListView):
    model = Committee
    columns = [
        TITLE, Column("municipality.name", gettext_lazy("Municipality"), sort="municipality__name"),
        Column("department", gettext_lazy("Department serving it")),
    ]
    default_sort = "name"

    def get_queryset(self) -> models.QuerySet[Any]:
        return Committee.objects.select_related("municipality", "department")


class CommitteeDetailView(ObjectDetailView):
    model = Committee
    fields = ["municipality", "name", "name_en", "department", "international_treatment"]


class CommitteeEditView(ObjectEditView):
    model = Committee
    form_class = registry_form(
        Committee, ["municipality", "name", "name_en", "department", "international_treatment"]
    )


STATED_COLUMNS = [
    Column("label", gettext_lazy("Figure"), link=True),
    Column("display_value", gettext_lazy("As stated")),
    Column("period", gettext_lazy("Period")),
    Column("source", gettext_lazy("Source")),
]


class StatedFigureListView(ObjectListView):
    model = StatedFigure
    columns = [
        *STATED_COLUMNS[:2], Column("municipality.name", gettext_lazy("Municipality"), sort="municipality__name"),
        *STATED_COLUMNS[2:],
    ]
    default_sort = "municipality__name"

    def get_queryset(self) -> models.QuerySet[Any]:
        return StatedFigure.objects.select_related("municipality", "department")


class StatedFigureDetailView(ObjectDetailView):
    model = StatedFigure
    fields = ["municipality", "department", "key", "label", "value", "unit", "qualifier", "period", "source"]


class StatedFigureEditView(ObjectEditView):
    model = StatedFigure
    form_class = registry_form(
        StatedFigure, ["municipality", "department", "key", "label", "value", "unit", "qualifier", "period", "source"]
    )



class LoginView(auth_views.LoginView):
    """The login page: a button for each single sign-on provider, and the password form unless
    ``UDSYN_PASSWORD_LOGIN=0`` turned password login off (then a posted password is refused)."""

    template_name = "registration/login.html"

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not sso.password_login():
            return self.render_to_response(self.get_context_data(password_refused=True), status=403)
        return super().post(request, *args, **kwargs)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["sso_providers"] = sso.providers(self.get_redirect_url())
        context["password_login"] = sso.password_login()
        return context


def locked_out(request: HttpRequest, original_response: HttpResponse | None = None,
               credentials: dict[str, Any] | None = None) -> HttpResponse:
    """django-axes' answer to a sign-in it refused (``AXES_LOCKOUT_CALLABLE``): 429 with the login page
    saying why and for how long (the admin's login too), or JSON under /api/."""
    from django.contrib.auth.forms import AuthenticationForm
    from django.http import JsonResponse
    from django.utils.http import url_has_allowed_host_and_scheme

    from udsyn.organisation import auth

    message = auth.lockout_message()
    response: HttpResponse
    if request.path.startswith("/api/"):
        response = JsonResponse({"detail": message}, status=429)
    else:
        next_url = request.POST.get("next", "")
        if not url_has_allowed_host_and_scheme(next_url, {request.get_host()}, request.is_secure()):
            next_url = ""
        username = (credentials or {}).get("username") or request.POST.get("username", "")
        response = render(request, "registration/login.html", {
            "form": AuthenticationForm(request, initial={"username": username}), "next": next_url,
            "locked_out": message, "sso_providers": sso.providers(next_url), "password_login": sso.password_login(),
        }, status=429)
    for header, value in auth.retry_after().items():
        response[header] = value
    return response


@login_required
def person_personal_data(request: HttpRequest, pk: int) -> HttpResponse:
    """What Udsyn holds on a person, for their municipality's coordinators: shown, downloaded as a file
    (the right of access), and erased (the right to erasure)."""
    from django.contrib import messages
    from django.core.exceptions import PermissionDenied
    from django.shortcuts import get_object_or_404, redirect

    from udsyn.core import personal as held_data
    from udsyn.organisation import personal

    person = get_object_or_404(Person, pk=pk)
    if not personal.may_handle(request.user, person):
        raise PermissionDenied
    subject = personal.subject_of(person)
    if request.method == "POST":
        if request.POST.get("confirm") != "yes":
            messages.error(request, _("Tick the box to confirm that the personal data is to be erased."))
            return redirect("organisation:person_personal_data", pk=pk)
        erased = personal.do_erase_person(person, request.user)
        messages.success(request, _("The personal data was erased: {count} records now name a deleted person.").format(
            count=sum(erased.values())))
        return redirect(person.get_absolute_url())
    if request.GET.get("download"):
        response = HttpResponse(personal.export_person(person, request.user), content_type="application/json")
        response["Content-Disposition"] = f'attachment; filename="personal-data-{person.pk}.json"'
        return response
    return render(request, "organisation/personal_data.html", {
        "object": person, "held": held_data.find(subject, request.user), "emails": sorted(subject.emails),
    })
