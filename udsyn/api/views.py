"""REST API viewsets: list, detail, create, update and delete for every main record type."""

from typing import Any

from django.db import transaction
from django.db.models import Model, ProtectedError, QuerySet
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers, status, viewsets
from rest_framework.authtoken.serializers import AuthTokenSerializer
from rest_framework.decorators import action
from rest_framework.exceptions import APIException, NotFound, PermissionDenied, ValidationError
from rest_framework.response import Response
from rest_framework.serializers import BaseSerializer
from rest_framework.settings import api_settings
from rest_framework.views import APIView

from udsyn.api import serializers as s
from udsyn.api.schema import RegistrySchema
from udsyn.api.throttles import TokenThrottle
from udsyn.core import usage
from udsyn.core.actions import do_save
from udsyn.core.models import StaleVersion
from udsyn.core.usage import NotAllowed
from udsyn.engagements.filtersets import EngagementFilterSet, FundingFilterSet
from udsyn.engagements.models import City, Engagement, ExternalOrganisation, Funding, FundingProgramme, Theme
from udsyn.organisation import auth, tokens
from udsyn.organisation.models import Committee, Department, Municipality, Person, StatedFigure, Unit
from udsyn.strategy.models import FocusArea, Goal, Principle, Strategy

IN_USE = _("Other records refer to this one ({names}); change or delete them first.")
NOT_ALLOWED = (
    "You may only save records of your own municipality and, as a department editor, records your department "
    "leads or takes part in."
)


class Conflict(APIException):
    status_code = status.HTTP_409_CONFLICT
    default_code = "conflict"


class PreconditionFailed(APIException):
    status_code = status.HTTP_412_PRECONDITION_FAILED
    default_code = "stale_version"


class PreconditionRequired(APIException):
    status_code = status.HTTP_428_PRECONDITION_REQUIRED
    default_code = "version_required"
    default_detail = _(
        "Say which version of the record the change is based on, so that it does not overwrite someone else's "
        "newer change: send the ETag of the record (from GET of the record) in an If-Match header, or the "
        "record's \"version\" in the body.")


def tagged(response: Response) -> Response:
    """The record's version as its ETag."""
    if isinstance(response.data, dict) and "version" in response.data:
        response["ETag"] = f'"{response.data["version"]}"'
    return response


def if_match(request: Any) -> set[int] | None:
    """The versions an If-Match header names (None without the header; an unreadable tag names none)."""
    header = request.headers.get("If-Match")
    if header is None:
        return None
    versions = set()
    for tag in header.split(","):
        tag = tag.strip().removeprefix("W/").strip('"')
        if tag == "*":
            raise PreconditionRequired(_("If-Match: * does not say which version the change is based on; send "
                                         "the record's ETag."))
        if tag.isdigit():
            versions.add(int(tag))
    return versions


def stale(instance: Model, based_on: Any) -> PreconditionFailed:
    version = instance.version  # type: ignore[attr-defined]
    error = PreconditionFailed(_(
        "The {name} was changed by someone else after version {based_on}; it is now at version {version}. Read "
        "it again, apply your change to it and send it with If-Match: \"{version}\"."
    ).format(name=instance._meta.verbose_name, based_on=based_on, version=version))
    error.detail = {"detail": error.detail, "version": version}  # type: ignore[assignment]  # the number as such
    return error


class TaggedMixin:
    """ETag (the record's version) on reading one record."""

    def retrieve(self, request: Any, *args: Any, **kwargs: Any) -> Response:
        return tagged(super().retrieve(request, *args, **kwargs))  # type: ignore[misc]


class VersionedMixin(TaggedMixin):
    """If-Match (or ``version`` in the body) required on changing or deleting one record: a change based on
    an older version answers 412 and changes nothing, a change that names no version 428. The version is
    checked again in the UPDATE itself (see RegistryModel). Only for viewsets that write: a read-only one
    would otherwise be routed DELETE and PUT it cannot carry out."""

    request: Any
    get_object: Any

    def based_on(self, instance: Model, body: Any = None) -> int:
        """The version the caller's change is based on, if it is the record's current one."""
        tags = if_match(self.request)
        if tags is None and isinstance(body, dict) and body.get("version") not in (None, ""):
            try:
                tags = {int(body["version"])}
            except (TypeError, ValueError):
                tags = set()
        if tags is None:
            raise PreconditionRequired()
        if instance.version not in tags:  # type: ignore[attr-defined]
            raise stale(instance, ", ".join(str(t) for t in sorted(tags)) or "?")
        return instance.version  # type: ignore[attr-defined, no-any-return]

    def update(self, request: Any, *args: Any, **kwargs: Any) -> Response:
        self.based_on(self.get_object(), request.data)
        return tagged(super().update(request, *args, **kwargs))  # type: ignore[misc]

    def destroy(self, request: Any, *args: Any, **kwargs: Any) -> Response:
        self.based_on(self.get_object())
        return super().destroy(request, *args, **kwargs)  # type: ignore[misc, no-any-return]


class RegistryViewSet(VersionedMixin, viewsets.ModelViewSet):
    # Writes run in a transaction and are checked again as saved, like the web forms.

    schema = RegistrySchema()
    public = False  # may anonymous callers read it?
    public_serializer_class: type[BaseSerializer] | None = None

    def get_serializer_class(self) -> type[BaseSerializer]:
        # The schema is the same for every caller: it documents the signed-in caller's serializer.
        if self.public_serializer_class and not self.request.user.is_authenticated \
                and not getattr(self, "swagger_fake_view", False):
            return self.public_serializer_class
        assert self.serializer_class is not None
        return self.serializer_class

    def filter_queryset(self, queryset: QuerySet[Any]) -> QuerySet[Any]:
        # Whatever is read – lists, counts, details, and the record a write starts from – is what the
        # policy lets the caller view.
        return super().filter_queryset(queryset.restrict(self.request.user, "view"))  # type: ignore[attr-defined]

    def _checked(self, serializer: BaseSerializer) -> None:
        if serializer.instance is not None:
            serializer.instance.expect_version(  # type: ignore[attr-defined]
                self.based_on(serializer.instance, self.request.data))
        try:
            do_save(serializer.instance, self.request.user, write=serializer.save)
        except NotAllowed as error:
            raise PermissionDenied(NOT_ALLOWED) from error
        except StaleVersion as error:
            current = type(error.instance)._default_manager.get(pk=error.instance.pk)
            raise stale(current, error.expected) from error

    def perform_create(self, serializer: BaseSerializer) -> None:
        self._checked(serializer)

    def perform_update(self, serializer: BaseSerializer) -> None:
        self._checked(serializer)

    def perform_destroy(self, instance: Model) -> None:
        # Records others use (a partner city, a funding line's programme, …) stay; the answer names the uses.
        try:
            with transaction.atomic():
                # Lock the row and check its version again: a change saved since the check is not deleted.
                current = type(instance)._default_manager.select_for_update().order_by().filter(pk=instance.pk) \
                    .first()
                if current is None or current.version != instance.version:  # type: ignore[attr-defined]
                    raise stale(current or instance, instance.version)  # type: ignore[attr-defined]
                usage.do_delete(instance, self.request.user)
        except usage.InUse as error:
            names = sorted({f"{use.kind} “{use.record}”" for use in error.uses})
            raise Conflict(IN_USE.format(names="; ".join(names))) from error
        except ProtectedError as error:
            names = sorted({str(o._meta.verbose_name_plural) for o in error.protected_objects})
            raise Conflict(IN_USE.format(names=", ".join(names))) from error


class ReadOnlyRegistryViewSet(TaggedMixin, viewsets.ReadOnlyModelViewSet):
    schema = RegistrySchema()
    public = True

    def filter_queryset(self, queryset: QuerySet[Any]) -> QuerySet[Any]:
        return super().filter_queryset(queryset.restrict(self.request.user, "view"))  # type: ignore[attr-defined]


@extend_schema(tags=["organisation"])
class MunicipalityViewSet(ReadOnlyRegistryViewSet):
    """Denmark's municipalities with their official codes and regions."""

    queryset = Municipality.objects.select_related("region").order_by("code")
    serializer_class = s.MunicipalitySerializer
    filterset_fields = ["code", "region"]

    @extend_schema(responses=s.FiguresSerializer)
    @action(detail=True, filter_backends=[], pagination_class=None)
    def figures(self, request: Any, pk: Any = None) -> Response:
        """The municipality's annual costs of engagements under way and its external funding, as its
        overview, report and public page show them. Anonymous callers get the public figures: amounts
        marked internal are left out."""
        municipality = self.get_object()
        public = not request.user.is_authenticated
        costs = Engagement.objects.filter(municipality=municipality).annual_costs(public=public)
        funding = Funding.objects.filter(municipality=municipality)
        added = (funding.public_amounts() if public else funding).total()
        return Response(s.FiguresSerializer({
            "currency": "DKK", "annual_fees": costs.annual_fee, "co_financing": costs.co_financing,
            "funding_total": added.total, "funding_expected": added.expected, "funding_lines": added.lines,
            "funding_lines_without_amount": added.unknown,
        }).data)


@extend_schema(tags=["organisation"])
class DepartmentViewSet(RegistryViewSet):
    """A municipality's departments (forvaltninger) and how they organise international work."""

    public = True
    queryset = Department.objects.select_related("municipality").order_by("municipality__code", "code")
    serializer_class = s.DepartmentSerializer
    filterset_fields = ["municipality", "code"]


@extend_schema(tags=["organisation"])
class UnitViewSet(RegistryViewSet):
    """Units (kontorer, centre) of the departments with international tasks."""

    queryset = Unit.objects.select_related("department").order_by("department__code", "name")
    serializer_class = s.UnitSerializer
    filterset_fields = ["department"]


@extend_schema(tags=["organisation"])
class PersonViewSet(RegistryViewSet):
    """Staff and politicians. Personal data: only for signed-in users."""

    queryset = Person.objects.order_by("name")
    serializer_class = s.PersonSerializer
    filterset_fields = ["municipality", "department", "kind"]


@extend_schema(tags=["organisation"])
class CommitteeViewSet(RegistryViewSet):
    """Political committees and how they treat international matters."""

    queryset = Committee.objects.order_by("municipality__code", "name")
    serializer_class = s.CommitteeSerializer
    filterset_fields = ["municipality", "department"]


@extend_schema(tags=["organisation"])
class StatedFigureViewSet(RegistryViewSet):
    """Figures as the source documents state them, kept apart from computed ones."""

    queryset = StatedFigure.objects.order_by("municipality__code", "key")
    serializer_class = s.StatedFigureSerializer
    filterset_fields = ["municipality", "department", "key"]


@extend_schema(tags=["engagements"])
@extend_schema_view(list=extend_schema(responses=s.EngagementReadSerializer(many=True)),
                    retrieve=extend_schema(responses=s.EngagementReadSerializer))
class EngagementViewSet(RegistryViewSet):
    """Memberships, partnerships, projects, events and collaborations.

    Anonymous callers see active engagements without people or internal fields."""

    public = True
    serializer_class = s.EngagementSerializer
    public_serializer_class = s.PublicEngagementSerializer
    filterset_class = EngagementFilterSet

    def get_queryset(self) -> QuerySet[Engagement]:
        qs = Engagement.objects.select_related("lead_department").prefetch_related(
            "participating_departments", "themes", "partner_organisations", "partner_cities"
        ).order_by("municipality__code", "title")
        if not self.request.user.is_authenticated:
            return qs  # the policy publishes the active ones
        return qs.prefetch_related("contacts", "representatives", "links")

    def perform_create(self, serializer: BaseSerializer) -> None:
        self._pending(serializer)
        super().perform_create(serializer)

    def perform_update(self, serializer: BaseSerializer) -> None:
        self._pending(serializer)
        super().perform_update(serializer)

    @staticmethod
    def _pending(serializer: Any) -> None:
        """Judge the departments as they will be saved, before the many-to-many rows are written."""
        for name in ("participating_departments",):
            chosen = serializer.validated_data.get(name)
            if chosen is not None and serializer.instance is not None:
                setattr(serializer.instance, "_pending_" + name, list(chosen))


@extend_schema(tags=["engagements"])
@extend_schema_view(list=extend_schema(responses=s.FundingReadSerializer(many=True)),
                    retrieve=extend_schema(responses=s.FundingReadSerializer))
class FundingViewSet(RegistryViewSet):
    """External funding lines: programme, amount, currency, amount in DKK, period, status."""

    public = True
    queryset = Funding.objects.select_related("programme", "department").prefetch_related("engagements").order_by(
        "municipality__code", "title")
    serializer_class = s.FundingSerializer
    public_serializer_class = s.PublicFundingSerializer
    filterset_class = FundingFilterSet


@extend_schema(tags=["shared"])
class OrganisationViewSet(RegistryViewSet):
    """External organisations and networks, shared by all municipalities."""

    public = True
    queryset = ExternalOrganisation.objects.order_by("name")
    serializer_class = s.OrganisationSerializer
    filterset_fields = ["kind", "country"]


@extend_schema(tags=["shared"])
class CityViewSet(RegistryViewSet):
    """Foreign cities with ISO country codes and coordinates, shared by all municipalities."""

    public = True
    queryset = City.objects.order_by("name")
    serializer_class = s.CitySerializer
    filterset_fields = ["country"]


@extend_schema(tags=["shared"])
class ThemeViewSet(RegistryViewSet):
    """Themes of the international work, shared by all municipalities."""

    public = True
    queryset = Theme.objects.order_by("name")
    serializer_class = s.ThemeSerializer


@extend_schema(tags=["shared"])
class ProgrammeViewSet(RegistryViewSet):
    """Funding programmes (Horizon 2020, Interreg, …), shared by all municipalities."""

    public = True
    queryset = FundingProgramme.objects.order_by("name")
    serializer_class = s.ProgrammeSerializer
    filterset_fields = ["source"]


@extend_schema(tags=["strategy"])
class StrategyViewSet(RegistryViewSet):
    """Strategies, plans and policies with their international elements."""

    queryset = Strategy.objects.prefetch_related("departments", "elements").order_by("municipality__code", "name")
    serializer_class = s.StrategySerializer
    filterset_fields = ["municipality", "kind"]


@extend_schema(tags=["strategy"])
class GoalViewSet(RegistryViewSet):
    """Political goals that international work must serve."""

    queryset = Goal.objects.order_by("municipality__code", "order")
    serializer_class = s.GoalSerializer
    filterset_fields = ["municipality", "strategy"]


@extend_schema(tags=["strategy"])
class PrincipleViewSet(RegistryViewSet):
    """Principles for choosing international activities, with guidance text."""

    queryset = Principle.objects.order_by("municipality__code", "order")
    serializer_class = s.PrincipleSerializer
    filterset_fields = ["municipality", "strategy"]


@extend_schema(tags=["strategy"])
class FocusAreaViewSet(RegistryViewSet):
    """Focus areas of the international work."""

    queryset = FocusArea.objects.order_by("municipality__code", "order")
    serializer_class = s.FocusAreaSerializer
    filterset_fields = ["municipality", "strategy"]


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField(help_text="Send it as ``Authorization: Token <token>``; shown only now.")
    expires = serializers.DateTimeField(help_text="When the token stops working.")


class TokenView(APIView):
    """A new token for a user name and password; send it as ``Authorization: Token <token>``. Each call
    makes a new token, listed on the user's page, which expires after the installation's token lifetime
    (90 days unless changed). Failed passwords count towards the sign-in lockout (429 when locked out)."""

    schema = RegistrySchema()
    authentication_classes: list[Any] = []
    permission_classes: list[Any] = []
    throttle_classes = [TokenThrottle]
    throttle_scope = "token"
    # The API's parsers, which refuse bodies nested too deep.
    parser_classes = api_settings.DEFAULT_PARSER_CLASSES
    serializer_class = AuthTokenSerializer

    @extend_schema(request=AuthTokenSerializer, responses={200: TokenSerializer})
    def post(self, request: Any, *args: Any, **kwargs: Any) -> Response:
        serializer = AuthTokenSerializer(data=request.data, context={"request": request})
        if not serializer.is_valid():
            if getattr(request, "axes_locked_out", False):  # django-axes flags the request it refused
                return Response({"detail": auth.lockout_message()}, status=status.HTTP_429_TOO_MANY_REQUESTS,
                                headers=auth.retry_after())
            raise ValidationError(serializer.errors)
        user = serializer.validated_data["user"]
        token, key = tokens.do_make_token(user, user, name="POST /api/token/")
        return Response({"token": key, "expires": token.expires})


class NotFoundView(APIView):
    """Any other address under /api/: 404 in JSON, like the rest of the API (not the site's HTML page)."""

    authentication_classes: list[Any] = []
    permission_classes: list[Any] = []
    schema = None

    def initial(self, request: Any, *args: Any, **kwargs: Any) -> None:
        raise NotFound()
