"""Popolo JSON (http://www.popoloproject.com/): the municipalities, their departments and the external
organisations they engage with as ``organizations``, and the municipalities' memberships as ``memberships``.

Open data only, read in a fixed number of queries:

- no people at all (Popolo's ``persons`` stay out: contacts and representatives are personal data), no
  internal notes, no source references, and nothing a record marks internal (``Publishable.internal_fields``);
- a membership is an engagement of kind membership, unless only planned: the municipality is the member
  (the legal party; the lead department handles it) of each partner organisation, labelled with the
  engagement's title. A membership engagement without a public partner organisation makes one organisation
  of its own, ``udsyn:engagement:<pk>``, named by the engagement's title (which then names the network or
  forum);
- dates entered as a year or a month stay one (``2019``, ``2019-11``), as Popolo allows and the registry
  shows them; a day is given only when one was entered;
- no ``areas`` or ``posts``: the registry has no geography of its own to offer as areas, and posts belong
  to people.

Identifiers are stable across exports: ``udsyn:municipality:0101`` (the official municipality code),
``udsyn:department:0101:ØKF`` (municipality code and the department's short code),
``udsyn:organisation:<pk>`` and ``udsyn:engagement:<pk>`` (database keys of shared records).
"""

import datetime
import json
from pathlib import Path
from typing import Any

from django.db.models import Prefetch
from django.utils import translation

from udsyn.engagements.models import Engagement, ExternalOrganisation
from udsyn.organisation.models import Department, Municipality

SCHEMAS = Path(__file__).resolve().parent / "schemas" / "popolo"
SCHEMA_BASE = "http://www.popoloproject.com/schemas/"
MUNICIPALITY_CODE_SCHEME = "dk-kommunekode"  # the official Danish municipality code, e.g. 0101
DEPARTMENT_CODE_SCHEME = "udsyn-department-code"


def municipality_id(municipality: Municipality) -> str:
    return f"udsyn:municipality:{municipality.code}"


def department_id(municipality_code: str, department_code: str) -> str:
    return f"udsyn:department:{municipality_code}:{department_code}"


def organisation_id(organisation: ExternalOrganisation) -> str:
    return f"udsyn:organisation:{organisation.pk}"


def popolo_date(value: datetime.date | None, end: bool = False) -> str | None:
    """``2019`` for a year, ``2019-11`` for a month, else ``2019-11-05`` (a start on the first of January or
    of a month, an end on the last of December or of a month, as ``udsyn.core.formatting.format_date``)."""
    if value is None:
        return None
    first_or_last = (value + datetime.timedelta(days=1)).day == 1 if end else value.day == 1
    if first_or_last and value.month == (12 if end else 1):
        return str(value.year)
    if first_or_last:
        return value.strftime("%Y-%m")
    return value.isoformat()


def _compact(data: dict[str, Any]) -> dict[str, Any]:
    """Leave out empty values: Popolo's fields are optional, and absent says "not known" best."""
    return {key: value for key, value in data.items() if value not in (None, "", [])}


def _municipality(municipality: Municipality) -> dict[str, Any]:
    with translation.override("da"):
        name = municipality.official_name
    with translation.override("en"):
        english = municipality.official_name
    return _compact({
        "id": municipality_id(municipality),
        "name": name,
        "other_names": [{"name": english, "note": "English"}] if english != name else [],
        "classification": "municipality",
        "identifiers": [{"scheme": MUNICIPALITY_CODE_SCHEME, "identifier": municipality.code}],
    })


def _department(department: Department) -> dict[str, Any]:
    code = department.municipality.code
    return _compact({
        "id": department_id(code, department.code),
        "name": department.name,
        "other_names": [{"name": department.name_en, "note": "English"}] if department.name_en else [],
        "classification": "department",
        "parent_id": municipality_id(department.municipality),
        "identifiers": [{"scheme": DEPARTMENT_CODE_SCHEME, "identifier": department.code}],
    })


def _organisation(organisation: ExternalOrganisation) -> dict[str, Any]:
    return _compact({
        "id": organisation_id(organisation),
        "name": organisation.name,
        "other_names": [{"name": alias} for alias in organisation.aliases or []],
        "classification": organisation.kind,
        "links": [{"url": organisation.website}] if organisation.website else [],
    })


def popolo(municipality: Municipality | None = None) -> dict[str, Any]:
    """The municipality's (or, given None, every registry municipality's) organisations and memberships."""
    municipalities = (
        [municipality] if municipality is not None else list(Municipality.objects.with_registry().order_by("code"))
    )
    departments = (
        Department.objects.filter(municipality__in=municipalities).select_related("municipality")
        .order_by("municipality__code", "code")
    )
    engagements = list(
        Engagement.objects.filter(municipality__in=municipalities)
        .select_related("municipality")
        .only("id", "title", "kind", "status", "start_date", "end_date", "internal_fields", "municipality__code",
              "municipality__name")
        .prefetch_related(Prefetch("partner_organisations", queryset=ExternalOrganisation.objects.order_by("name")))
        .order_by("municipality__code", "title")
    )
    organizations = [_municipality(m) for m in municipalities] + [_department(d) for d in departments]
    partners: dict[int, ExternalOrganisation] = {}
    memberships = []
    for engagement in engagements:
        engagement.mask_internal()
        public = list(engagement.partner_organisations.all()) if engagement.is_public("partner_organisations") else []
        partners.update((org.pk, org) for org in public)
        if engagement.kind != Engagement.Kind.MEMBERSHIP or engagement.status == Engagement.Status.PLANNED:
            continue
        targets = [organisation_id(org) for org in public]
        if not targets:
            targets = [f"udsyn:engagement:{engagement.pk}"]
            organizations.append({"id": targets[0], "name": engagement.title})
        for target in targets:
            memberships.append(_compact({
                "id": f"udsyn:membership:{engagement.pk}:{target.removeprefix('udsyn:')}",
                "label": engagement.title,
                "member": {"@type": "Organization", "id": municipality_id(engagement.municipality)},
                "organization_id": target,
                "start_date": popolo_date(engagement.start_date),
                "end_date": popolo_date(engagement.end_date, end=True),
            }))
    organizations += [_organisation(org) for org in sorted(partners.values(), key=lambda o: o.name)]
    return {"organizations": organizations, "memberships": memberships}


def schema_errors(data: dict[str, Any]) -> list[str]:
    """Each organization and membership checked against the vendored Popolo schemas (no network): the problems
    found, as ``organizations[3].name: ...``; empty when all is valid."""
    import jsonschema
    from referencing import Registry
    from referencing.jsonschema import DRAFT3

    resources = []
    for path in sorted(SCHEMAS.glob("*.json")):
        resources.append((SCHEMA_BASE + path.name, DRAFT3.create_resource(json.loads(path.read_text("utf-8")))))
    registry: Registry = Registry().with_resources(resources)
    problems = []
    for key, schema in (("organizations", "organization.json"), ("memberships", "membership.json")):
        validator = jsonschema.Draft3Validator(registry.contents(SCHEMA_BASE + schema), registry=registry)
        for index, item in enumerate(data.get(key, [])):
            problems += [f"{key}[{index}].{'.'.join(map(str, error.absolute_path))}: {error.message}"
                         for error in validator.iter_errors(item)]
    return problems
