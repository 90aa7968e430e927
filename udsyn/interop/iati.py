"""IATI 2.03 activity XML (https://iatistandard.org/) of the municipalities' projects and their funding.

One ``iati-activity`` per engagement of kind project, validated against the IATI 2.03 schema vendored in
``schemas/iati`` (the codes used are in the codelists vendored beside it). Open data only: no people, no
internal notes, no source references, nothing a record marks internal.

Choices, and why:

- **Organisation identifier.** IATI wants ``{RegistrationAgency}-{number}`` from the Organisation Registration
  Agency codelist. It has no list of Danish municipality codes; the Danish agencies are ``DK-CVR`` (the Central
  Business Register, in which every municipality is registered) and ``DK-COA`` (the state's chart of accounts,
  which does not cover municipalities). So a municipality is ``DK-CVR-<its CVR number>``. The registry does not
  keep CVR numbers and none is written into the code unchecked: a deployment gives its own in the setting
  ``UDSYN_IATI_CVR_NUMBERS`` (municipality code → CVR number, from datacvr.virk.dk). A
  municipality without a known CVR number gets ``XX-UDSYN-<municipality code>``: ``XX`` is no agency prefix,
  so the identifier cannot be mistaken for a registered one (the IATI Validator will flag it until the CVR
  number is given). ``iati-identifier`` is that identifier, ``-udsyn-`` and the engagement's key.
- **Organisation types** (OrganisationType): a municipality is 11 Local Government. A funding programme, named
  as the funding organisation, is typed from its source where the type is plain (national 10 Government,
  municipal 11 Local Government, foundation 60 Foundation) and left untyped otherwise (EU, regional, other);
  a partner organisation likewise (university 80, company 70, foundation 60, international body 40).
- **Roles** (OrganisationRole): the funding programmes 1 Funding, the municipality 2 Accountable, its lead
  and participating departments 4 Implementing (with the municipality's identifier: a department is part of
  it), partner organisations 4 Implementing (the registry says they take part, not how).
- **Status** (ActivityStatus): planned 1 Pipeline/identification, active 2 Implementation, ended 4 Closed,
  terminated (stopped before its end) 5 Cancelled.
- **Dates** (ActivityDateType): a start is actual (2) once the engagement is under way and the date has
  passed, else planned (1); an end is actual (4) once the engagement has ended and the date has passed, else
  planned (3). The schema needs at least one date, so a project without any public date is left out.
- **Funding** as transactions (TransactionType): a received line is 1 Incoming Funds, an expected one 13
  Incoming Pledge (expected money is not a firm commitment), dated by the line's start, in its own currency
  (or in DKK when only the DKK amount is public). A line that funds several engagements names its programme as
  a funder of each but carries no transaction: the source does not split the amount, and repeating it would
  count it twice. A line without a public date or amount gives no transaction either.
- **Left out**: recipient-country and recipient-region (the registry knows partner cities, not who benefits
  or in what shares, and IATI wants shares that sum to 100 when there are several), sector (no defensible
  mapping from the registry's themes to the DAC sectors) and budgets (the registry has no budget periods).
- Text is Danish (``xml:lang="da"``), as the registry writes it.

The schema needs at least one ``iati-activity``: a file with no dated project (the function still returns
it) is not valid IATI, and should not be published.
"""

import datetime
import json
from functools import cache
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db.models import Prefetch
from django.utils import timezone, translation
from lxml import etree

from udsyn.engagements.models import Engagement, ExternalOrganisation, Funding, FundingProgramme
from udsyn.organisation.models import Department, Municipality

SCHEMAS = Path(__file__).resolve().parent / "schemas" / "iati"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
LANGUAGE = "da"

CVR_NUMBERS: dict[str, str] = {}  # given by the deployment in UDSYN_IATI_CVR_NUMBERS
UNREGISTERED_PREFIX = "XX-UDSYN"
LOCAL_GOVERNMENT = "11"

STATUS: dict[str, str] = {
    Engagement.Status.PLANNED: "1", Engagement.Status.ACTIVE: "2",
    Engagement.Status.ENDED: "4", Engagement.Status.TERMINATED: "5",
}
PROGRAMME_TYPES: dict[str, str] = {
    FundingProgramme.Source.NATIONAL: "10", FundingProgramme.Source.MUNICIPAL: "11",
    FundingProgramme.Source.FOUNDATION: "60",
}
ORGANISATION_TYPES: dict[str, str] = {
    ExternalOrganisation.Kind.UNIVERSITY: "80", ExternalOrganisation.Kind.COMPANY: "70",
    ExternalOrganisation.Kind.FOUNDATION: "60", ExternalOrganisation.Kind.INTERNATIONAL_BODY: "40",
}
FUNDING, ACCOUNTABLE, IMPLEMENTING = "1", "2", "4"
INCOMING_FUNDS, INCOMING_PLEDGE = "1", "13"


def organisation_ref(municipality: Municipality) -> str:
    """The municipality's IATI organisation identifier (see the module's docstring)."""
    numbers = {**CVR_NUMBERS, **getattr(settings, "UDSYN_IATI_CVR_NUMBERS", {})}
    number = numbers.get(municipality.code)
    return f"DK-CVR-{number}" if number else f"{UNREGISTERED_PREFIX}-{municipality.code}"


@cache
def codelist(name: str) -> dict[str, str]:
    """A vendored IATI codelist (or excerpt): code → English name."""
    data: dict[str, Any] = json.loads((SCHEMAS / "codelists" / f"{name}.json").read_text("utf-8"))
    return data["codes"]


def _add(parent: etree._Element, tag: str, text: str | None = None, *, name: str | None = None,
         **attributes: str) -> etree._Element:
    """A child element with the attributes (``iso_date`` as ``iso-date``) and a narrative: Danish ``text``,
    or a ``name`` (of an organisation, in no particular language)."""
    element = etree.SubElement(parent, tag, {key.replace("_", "-"): value for key, value in attributes.items()})
    if text is not None:
        etree.SubElement(element, "narrative", {XML_LANG: LANGUAGE}).text = text
    if name is not None:
        etree.SubElement(element, "narrative").text = name
    return element


def _dates(engagement: Engagement, today: datetime.date) -> list[tuple[str, datetime.date]]:
    under_way = engagement.status != Engagement.Status.PLANNED
    over = engagement.status in (Engagement.Status.ENDED, Engagement.Status.TERMINATED)
    dates = []
    if engagement.start_date is not None:
        dates.append(("2" if under_way and engagement.start_date <= today else "1", engagement.start_date))
    if engagement.end_date is not None:
        dates.append(("4" if over and engagement.end_date <= today else "3", engagement.end_date))
    return dates


def _transaction(activity: etree._Element, line: Funding) -> None:
    if line.amount is not None and line.currency:
        amount, currency = line.amount, line.currency
    elif line.amount_dkk is not None:
        amount, currency = line.amount_dkk, "DKK"
    else:
        return
    if line.start_date is None:
        return
    transaction = _add(activity, "transaction")
    code = INCOMING_FUNDS if line.status == Funding.Status.RECEIVED else INCOMING_PLEDGE
    _add(transaction, "transaction-type", code=code)
    _add(transaction, "transaction-date", iso_date=line.start_date.isoformat())
    _add(transaction, "value", currency=currency, value_date=line.start_date.isoformat()).text = str(amount)
    _add(transaction, "description", line.title)
    provider = {"type": PROGRAMME_TYPES[line.programme.source]} if line.programme.source in PROGRAMME_TYPES else {}
    _add(transaction, "provider-org", name=line.programme.name, **provider)


def _activity(engagement: Engagement, today: datetime.date) -> etree._Element | None:
    engagement.mask_internal()
    dates = _dates(engagement, today)
    if not dates:
        return None
    municipality = engagement.municipality
    ref = organisation_ref(municipality)
    with translation.override(LANGUAGE):
        name = municipality.official_name
    activity = etree.Element("iati-activity", {
        "last-updated-datetime": engagement.updated.replace(microsecond=0).isoformat(), XML_LANG: LANGUAGE,
    })
    etree.SubElement(activity, "iati-identifier").text = f"{ref}-udsyn-{engagement.pk}"
    _add(activity, "reporting-org", name, ref=ref, type=LOCAL_GOVERNMENT)
    _add(activity, "title", engagement.title)
    _add(activity, "description", engagement.description or engagement.title)
    lines = [line for line in engagement.funding.all() if line.is_public("engagements")]
    for programme in dict.fromkeys(line.programme for line in lines):
        extra = {"type": PROGRAMME_TYPES[programme.source]} if programme.source in PROGRAMME_TYPES else {}
        _add(activity, "participating-org", name=programme.name, role=FUNDING, **extra)
    _add(activity, "participating-org", name, ref=ref, type=LOCAL_GOVERNMENT, role=ACCOUNTABLE)
    departments: list[Department] = [engagement.lead_department]
    if engagement.is_public("participating_departments"):
        departments += [d for d in engagement.participating_departments.all() if d.pk != engagement.lead_department_id]
    for department in departments:
        _add(activity, "participating-org", f"{department.name}, {name}", ref=ref, type=LOCAL_GOVERNMENT,
             role=IMPLEMENTING)
    if engagement.is_public("partner_organisations"):
        for organisation in engagement.partner_organisations.all():
            extra = {"type": ORGANISATION_TYPES[organisation.kind]} if organisation.kind in ORGANISATION_TYPES else {}
            _add(activity, "participating-org", name=organisation.name, role=IMPLEMENTING, **extra)
    _add(activity, "activity-status", code=STATUS[engagement.status])
    for kind, date in dates:
        _add(activity, "activity-date", type=kind, iso_date=date.isoformat())
    for line in lines:
        line.mask_internal()
        if len(line.engagements.all()) == 1:
            _transaction(activity, line)
    return activity


def iati_activities(municipality: Municipality | None = None) -> bytes:
    """The municipality's (or, given None, every municipality's) dated projects as an IATI 2.03 activity file."""
    projects = Engagement.objects.filter(kind=Engagement.Kind.PROJECT)
    if municipality is not None:
        projects = projects.filter(municipality=municipality)
    projects = (
        projects.select_related("municipality", "lead_department")
        .prefetch_related(
            Prefetch("participating_departments", queryset=Department.objects.order_by("code")),
            Prefetch("partner_organisations", queryset=ExternalOrganisation.objects.order_by("name")),
            Prefetch("funding", queryset=Funding.objects.select_related("programme").order_by("start_date", "title")
                     .prefetch_related(Prefetch("engagements", queryset=Engagement.objects.only("id")))),
        )
        .order_by("municipality__code", "title")
    )
    root = etree.Element("iati-activities", {
        "version": "2.03", "generated-datetime": timezone.now().replace(microsecond=0).isoformat(),
    })
    today = timezone.localdate()
    for engagement in projects:
        activity = _activity(engagement, today)
        if activity is not None:
            root.append(activity)
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True))


@cache
def _schema() -> etree.XMLSchema:
    parser = etree.XMLParser(no_network=True, resolve_entities=False)
    return etree.XMLSchema(etree.parse(str(SCHEMAS / "iati-activities-schema.xsd"), parser))


def schema_errors(document: bytes) -> list[str]:
    """The document checked against the vendored IATI 2.03 activity schema (no network): the problems found,
    as ``line 12: ...``; empty when it is valid."""
    schema = _schema()
    parser = etree.XMLParser(no_network=True, resolve_entities=False)
    if schema.validate(etree.fromstring(document, parser)):
        return []
    return [f"line {error.line}: {error.message}" for error in schema.error_log]
