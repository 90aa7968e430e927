"""What the engagements app adds to other apps' pages: the engagements and funding of a municipality,
department, unit or person, and a municipality's overview (on its page and the start page)."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from udsyn.core import panels
from udsyn.engagements.overview import municipality_overview
from udsyn.engagements.views import ENGAGEMENT_COLUMNS, FUNDING_COLUMNS, engagement_queryset, funding_queryset
from udsyn.organisation.models import Department, Municipality, Person, Unit


def _list(name: str, key: str):  # type: ignore[no-untyped-def]
    return lambda obj: f"{reverse(name)}?{key}={obj.pk}"


panels.register_section(Municipality, panels.Section(
    "engagements/_overview_section.html", lambda m, user: {"overview": municipality_overview(m)}, order=10))
panels.register_related(Municipality, panels.Related(
    _("Engagements"), lambda m, user: engagement_queryset().filter(municipality=m), ENGAGEMENT_COLUMNS,
    more_url=_list("engagements:engagement_list", "municipality"), order=10))

panels.register_related(Department, panels.Related(
    _("Engagements the department leads"), lambda d, user: engagement_queryset().filter(lead_department=d),
    ENGAGEMENT_COLUMNS, more_url=_list("engagements:engagement_list", "department"), order=10))
panels.register_related(Department, panels.Related(
    _("Engagements the department takes part in"),
    lambda d, user: engagement_queryset().filter(participating_departments=d),
    ENGAGEMENT_COLUMNS, more_url=_list("engagements:engagement_list", "department"), order=20))
panels.register_related(Department, panels.Related(
    _("Funding"), lambda d, user: funding_queryset().filter(department=d), FUNDING_COLUMNS,
    more_url=_list("engagements:funding_list", "department"), order=30))

panels.register_related(Unit, panels.Related(
    _("Engagements the unit is responsible for"), lambda u, user: engagement_queryset().filter(responsible_unit=u),
    ENGAGEMENT_COLUMNS))

panels.register_related(Person, panels.Related(
    _("Represents the municipality in"),
    lambda p, user: engagement_queryset().filter(representatives__person=p).distinct(), ENGAGEMENT_COLUMNS))
panels.register_related(Person, panels.Related(
    _("Contact person for"), lambda p, user: engagement_queryset().filter(contacts=p), ENGAGEMENT_COLUMNS))
