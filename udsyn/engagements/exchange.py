"""The registry's part of the import/export registry: themes, funding programmes, organisations and cities
(shared by all municipalities), engagements with their representatives, links and funding, and funding
lines, as registry-file sections and as tables (docs/import-format.md)."""

from collections.abc import Callable, Iterator
from typing import Any

from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext as _

from udsyn.core.exchange import values as v
from udsyn.core.exchange.importer import FileImport, Rec
from udsyn.core.exchange.sections import Col, Column, Section, Table, columns, nested, ref, refs, register
from udsyn.core.exchange.values import boolean, choice, date, decimal, floating, texts, upper
from udsyn.engagements import geo
from udsyn.engagements.duplicates import Finder
from udsyn.engagements.models import (
    City,
    Engagement,
    EngagementLink,
    ExternalOrganisation,
    Funding,
    FundingProgramme,
    Representative,
    Theme,
)
from udsyn.organisation.exchange import department, departments_of, optional_department, person, scoped_values
from udsyn.organisation.models import Municipality

ENGAGEMENT_M2M = ("participating_departments", "contacts", "themes", "partner_organisations", "partner_cities")


def engagement(job: FileImport, rec: Rec, key: str, title: str, line: int | None = None) -> Engagement | None:
    """The file's municipality's engagement with that title."""
    missing = _('No engagement titled "{title}" in {municipality}.').format(
        title=title, municipality=job.municipality.name)
    return job.find(rec, key, job.table("engagements"), v.key(title), missing, line)


# --- Shared records ---------------------------------------------------------------------------------


def _load_shared(job: FileImport, _municipality: Any) -> None:
    for model, name in ((Theme, "themes"), (FundingProgramme, "programmes"), (ExternalOrganisation, "organisations")):
        for one in model._default_manager.all():
            job.table(name).add(one, v.key(one.name), [v.key(a) for a in one.aliases])
    for city in City.objects.all():
        aliases = [(v.key(alias), city.country) for alias in city.aliases]
        job.table("cities").add(city, (v.key(city.name), city.country), aliases)


def _write_themes(job: FileImport) -> None:
    for rec in job.records("themes"):
        job.put(rec, Theme, job.table("themes"), rec.natural("name"), rec.values)


def _aliased(section: str, model: type[Any]) -> Callable[[FileImport], None]:
    """A programme or organisation, matched on its name or, failing that, any of its aliases."""
    def write(job: FileImport) -> None:
        table = job.table(section)
        for rec in job.records(section):
            name_key = rec.natural("name")
            alias_keys = [v.key(alias) for alias in rec.values.get("aliases", [])]
            found, existing = job.existing(rec, model, table, table.first([name_key, *alias_keys]))
            obj = job.upsert(rec, model, existing, rec.values) if found else None
            if obj is not None:
                table.add(obj, name_key, alias_keys)
    return write


def _declare_aliased(section: str) -> Callable[[FileImport], None]:
    return lambda job: job.declare_items(section, "name", aliases=True)


def _declare_cities(job: FileImport) -> None:
    for index, item in job.items("cities"):
        country = v.label(item, "country").upper()
        names = [v.label(item, "name"), *v.aliases(item)]
        job.declare_one(job.table("cities"), (v.key(names[0]), country), item, "cities", index, "name",
                        [(v.key(name), country) for name in names[1:]])


def _write_cities(job: FileImport) -> None:
    cities = job.table("cities")
    for rec in job.records("cities"):
        values = dict(rec.values)
        name, country = values.get("name", ""), values.get("country", "")
        aliases: list[str] = values.get("aliases", [])
        found, existing = job.existing(rec, City, cities, cities.first([(v.key(text), country)
                                                                        for text in (name, *aliases)]))
        if not found:
            continue
        given = "latitude" in values or "longitude" in values
        if rec.ok and not given and (existing is None or existing.latitude is None):
            place = geo.lookup(name, country, aliases)
            if place is None:
                rec.problem("latitude", _(
                    'GeoNames does not know "{name}" in {country}; give its latitude and longitude.').format(
                    name=name, country=country))
                continue
            values["latitude"], values["longitude"], values["geonames_id"] = place
        city = job.upsert(rec, City, existing, values)
        if city is not None:
            cities.add(city, (v.key(name), country), [(v.key(alias), country) for alias in aliases])


def _organisation(job: FileImport, rec: Rec, key: str, name: str, line: int) -> ExternalOrganisation | None:
    return job.find(rec, key, job.table("organisations"), v.key(name), _(
        'No organisation "{name}" (by name or alias); list it under organisations:.').format(name=name), line)


def _city(job: FileImport, rec: Rec, key: str, written: str, line: int) -> City | None:
    cities = job.table("cities")
    name, _bar, country = written.rpartition("|") if "|" in written else (written, "", "")
    name, country = name.strip(), country.strip().upper()
    if country:
        return job.find(rec, key, cities, (v.key(name), country), _(
            'No city "{name}" in {country}; list it under cities:.').format(name=name, country=country), line)
    matches = {city for (city_key, _cc), city in cities.saved.items() if city_key == v.key(name)}
    countries = {cc for (city_key, cc) in [*cities.saved, *cities.declared] if city_key == v.key(name)}
    if len(countries) > 1:
        rec.problem(key, _('There are cities called "{name}" in {countries}; write "{name}|{country}".').format(
            name=name, countries=", ".join(sorted(countries)), country=sorted(countries)[0]), line)
    elif len(matches) == 1:
        return matches.pop()
    elif countries:
        rec.blocked = True
    else:
        rec.problem(key, _('No city "{name}"; list it under cities:.').format(name=name), line)
    return None


# --- Engagements ------------------------------------------------------------------------------------


def _load_scoped(job: FileImport, municipality: Municipality) -> None:
    engagements = Engagement.objects.filter(municipality=municipality).select_related(
        "lead_department", "parent").prefetch_related(*ENGAGEMENT_M2M, "representatives", "links")
    for one in engagements:
        job.table("engagements").add(one, v.key(one.title))
    funding = Funding.objects.filter(municipality=municipality).select_related("department", "programme")
    for line in funding.prefetch_related("engagements"):
        job.table("funding").add(line, v.key(line.title))


def _declare_engagements(job: FileImport) -> None:
    job.declare_items("engagements", "title")
    for index, item in job.items("engagements"):
        if not isinstance(item, v.YamlMap):
            continue
        for funding_index, funding in v.list_items(item.get("funding")):
            job.declare_one(job.table("funding"), v.key(v.label(funding, "title")), funding,
                            f"engagements[{index}], funding", funding_index, "title")


def _write_engagements(job: FileImport) -> None:
    records = list(job.records("engagements"))
    pending = {rec.natural("title"): rec for rec in records if "title" in rec.values}
    for rec in records:
        _in_order(job, rec, pending, set())


def _in_order(job: FileImport, rec: Rec, pending: dict[str, Rec], busy: set[str]) -> None:
    """Write the engagement once, after its parent when the parent comes later in the file."""
    key = rec.natural("title")
    if key:
        if pending.get(key) is not rec:
            return  # written already
        del pending[key]
    parent = rec.refs.get("parent")
    parent_key = v.key(parent) if parent else ""
    if parent_key and parent_key == key:
        rec.problem("parent", _("An engagement cannot be its own parent."))
    elif parent_key and parent_key in busy:
        rec.problem("parent", _("The parent agreements form a loop."))
    elif parent_key in pending:
        _in_order(job, pending[parent_key], pending, busy | {key})
    _write_engagement(job, rec)


def _write_engagement(job: FileImport, rec: Rec) -> None:
    children = job.read_children(rec)
    values = scoped_values(job, rec)
    if values is None:
        return
    m2m = _references(job, rec, values)
    job.resolve_children(rec, children)
    if "themes" in rec.refs:
        m2m["themes"] = _themes(job, rec)
    saved = job.put(rec, Engagement, job.table("engagements"), rec.natural("title"), values, m2m)
    if saved is not None:
        job.write_children(rec, saved, children)


def _references(job: FileImport, rec: Rec, values: dict[str, Any]) -> dict[str, list[Any]]:
    """Resolve the engagement's references into ``values``; return its many-to-many lists."""
    lead = department(job, rec, "lead", rec.refs["lead"]) if "lead" in rec.refs else None
    if lead is not None:
        values["lead_department"] = lead
    unit = rec.refs.get("unit")
    if unit is not None and lead is not None:
        values["responsible_unit"] = job.find(rec, "unit", job.table("units"), (v.key(lead.code), v.key(unit)), _(
            'No unit "{name}" in the lead department {code}.').format(name=unit, code=lead.code)) if unit else None
    parent = rec.refs.get("parent")
    if parent is not None:
        values["parent"] = engagement(job, rec, "parent", parent) if parent else None
    m2m: dict[str, list[Any]] = {}
    if "departments" in rec.refs:
        m2m["participating_departments"] = departments_of(job, rec, "departments")
        if lead is not None and lead in m2m["participating_departments"]:
            rec.problem("departments", _(
                "The lead department {code} is listed among the participating departments; list only the others."
            ).format(code=lead.code))
    resolvers: tuple[tuple[str, str, Callable[[FileImport, Rec, str, str, int], Any]], ...] = (
        ("contacts", "contacts", person), ("organisations", "partner_organisations", _organisation),
        ("cities", "partner_cities", _city),
    )
    for key, field_name, resolve in resolvers:
        if key in rec.refs:
            found = [resolve(job, rec, key, text, rec.item_line(key, index))
                     for index, text in enumerate(rec.refs[key])]
            m2m[field_name] = [obj for obj in found if obj is not None]
    return m2m


def _themes(job: FileImport, rec: Rec) -> list[Theme]:
    """The engagement's themes. A theme neither the database nor the files hold is new vocabulary: it is
    listed in the result's ``new_themes``, and created (when the engagement is valid) only when the user
    confirmed it (``create_themes``); otherwise it is a problem."""
    table = job.table("themes")
    themes, unknown = [], []
    for index, name in enumerate(rec.refs["themes"]):
        theme = table.get(v.key(name))
        if theme is None and v.key(name) in table.declared:
            rec.blocked = True
        elif theme is None:
            unknown.append(name)
            job.result.new_themes.setdefault(name, rec.item_line("themes", index))
            if job.create_themes and rec.ok:
                theme = job.upsert(rec, Theme, None, {"name": name})
                if theme is not None:
                    table.add(theme, v.key(name))
        if theme is not None:
            themes.append(theme)
    if unknown and not job.create_themes:
        shown = ", ".join(f'"{name}"' for name in unknown[:10])
        more = _(" and {count} more").format(count=len(unknown) - 10) if len(unknown) > 10 else ""
        rec.problem("themes", _(
            "No theme {names}{more}. List new themes under themes:, or confirm that they are to be created "
            "(the check page's \"Create the new themes\", or udsyn import --create-themes).").format(
            names=shown, more=more))
    return themes


# Nested in an engagement: its representatives, links and funding lines.


def _read_representatives(job: FileImport, rec: Rec) -> list[list[Any]]:
    """[record, its person once resolved] for each representative."""
    return [[sub, None] for sub in job.nested(rec, "representatives")]


def _resolve_representatives(job: FileImport, rec: Rec, items: list[list[Any]]) -> None:
    for item in items:
        sub = item[0]
        item[1] = person(job, sub, "person", sub.refs["person"]) if "person" in sub.refs else None
    job.check_unique([item[0] for item in items], "person")


def _write_representatives(job: FileImport, rec: Rec, saved: Engagement, items: list[list[Any]]) -> None:
    existing = {one.person_id: one for one in saved.representatives.all()}
    for sub, found in items:
        if sub.ok and found is not None:
            job.upsert(sub, Representative, existing.pop(found.pk, None),
                       {**sub.values, "engagement": saved, "person": found})
    for one in existing.values():
        job.delete(one)


def _read_links(job: FileImport, rec: Rec) -> list[Rec]:
    links = job.nested(rec, "links")
    job.check_unique(links, "url")
    return links


def _write_links(job: FileImport, rec: Rec, saved: Engagement, links: list[Rec]) -> None:
    existing = {link.url: link for link in saved.links.all()}
    for sub in links:
        if sub.ok:
            job.upsert(sub, EngagementLink, existing.pop(sub.values["url"], None), {**sub.values, "engagement": saved})
    for link in existing.values():
        job.delete(link)


def _read_engagement_funding(job: FileImport, rec: Rec) -> None:
    """Funding lines given in an engagement are written with the funding section, after every engagement."""
    job.state.setdefault("engagement_funding", []).extend(
        (rec, funding) for funding in job.nested(rec, "funding"))


def _write_funding(job: FileImport) -> None:
    for owner, rec in job.state.get("engagement_funding", []):
        _funding_line(job, rec, owner)
    for rec in job.records("funding"):
        _funding_line(job, rec, None)


def _funding_line(job: FileImport, rec: Rec, owner: Rec | None) -> None:
    """A funding line of its own (``owner`` None) or of one engagement, whose lead it defaults to."""
    values = scoped_values(job, rec)
    if values is None:
        return
    of = optional_department(job, rec, values)
    m2m: dict[str, list[Any]] = {}
    if owner is not None:
        found = job.table("engagements").get(owner.natural("title"))
        rec.blocked = rec.blocked or found is None
        if found is not None:
            m2m["engagements"] = [found]
            if of is None and "department" not in rec.refs:
                values["department"] = found.lead_department
    elif "engagements" in rec.refs:
        listed = [engagement(job, rec, "engagements", title, rec.item_line("engagements", index))
                  for index, title in enumerate(rec.refs["engagements"])]
        m2m["engagements"] = [one for one in listed if one is not None]
    programme = rec.refs.get("programme")
    if programme:
        values["programme"] = job.find(rec, "programme", job.table("programmes"), v.key(programme), _(
            'No funding programme "{name}" (by name or alias); list it under programmes:.').format(name=programme))
    job.put(rec, Funding, job.table("funding"), rec.natural("title"), values, m2m)


_FUNDING_COLS = {
    "title": Col("title", required=True), "programme": ref("programme", required=True),
    "amount": Col("amount", decimal), "currency": Col("currency", upper), "amount_dkk": Col("amount_dkk", decimal),
    "approximate": Col("approximate", boolean), "start": Col("start_date", date(end=False)),
    "end": Col("end_date", date(end=True)), "status": Col("status", choice(Funding.Status)),
    "description": Col("description"), "source_reference": Col("source_reference"),
    "internal_fields": Col("internal_fields", texts),
}


# --- Tables -----------------------------------------------------------------------------------------


def _scope(queryset: QuerySet[Any], municipality: Municipality | None, path: str = "municipality") -> QuerySet[Any]:
    return queryset if municipality is None else queryset.filter(**{path: municipality})


def _engaged(queryset: QuerySet[Any], municipality: Municipality | None, path: str) -> QuerySet[Any]:
    """Shared records (themes, organisations ...): all of them, or those the municipality's records use."""
    if municipality is None:
        return queryset
    return queryset.filter(**{path: municipality}).distinct()


def _theme_rows(municipality: Municipality | None) -> Iterator[dict[str, Any]]:
    for theme in _engaged(Theme.objects.all(), municipality, "engagements__municipality"):
        yield {"id": theme.pk, "name": theme.name, "name_en": theme.name_en}


def _programme_rows(municipality: Municipality | None) -> Iterator[dict[str, Any]]:
    for programme in _engaged(FundingProgramme.objects.all(), municipality, "funding__municipality"):
        yield {"id": programme.pk, "name": programme.name, "name_en": programme.name_en,
               "source": programme.source, "aliases": programme.aliases}


def _organisation_rows(municipality: Municipality | None) -> Iterator[dict[str, Any]]:
    for org in _engaged(ExternalOrganisation.objects.all(), municipality, "engagements__municipality"):
        yield {"id": org.pk, "name": org.name, "kind": org.kind, "country": org.country, "aliases": org.aliases,
               "website": org.website, "description": org.description}


def _city_rows(municipality: Municipality | None) -> Iterator[dict[str, Any]]:
    for city in _engaged(City.objects.all(), municipality, "engagements__municipality"):
        yield {"id": city.pk, "name": city.name, "country": city.country, "latitude": city.latitude,
               "longitude": city.longitude, "aliases": city.aliases}


def _lists(municipality: Municipality | None, name: str, *values: str) -> dict[int, list[Any]]:
    """An engagement many-to-many list for every engagement at once, read from its link table in one query.
    (A prefetch filters on every engagement id: SQLite then probes all 28,000 for each person or city.)"""
    through = getattr(Engagement, name).through
    found: dict[int, list[Any]] = {}
    for engagement_id, *value in _scope(through.objects.all(), municipality, "engagement__municipality").order_by(
            ).values_list("engagement_id", *values):
        found.setdefault(engagement_id, []).append(value[0] if len(value) == 1 else tuple(value))
    return found


def _engagement_rows(municipality: Municipality | None) -> Iterator[dict[str, Any]]:
    departments = _lists(municipality, "participating_departments", "department_id", "department__code")
    themes = _lists(municipality, "themes", "theme__name")
    organisations = _lists(municipality, "partner_organisations", "externalorganisation__name")
    cities = _lists(municipality, "partner_cities", "city__name", "city__country")
    contacts = _lists(municipality, "contacts", "person__name")
    queryset = Engagement.objects.select_related("municipality", "lead_department", "responsible_unit", "parent")
    for e in _scope(queryset, municipality).order_by("municipality__code", "title"):
        yield {
            "id": e.pk, "municipality": e.municipality.code, "title": e.title, "kind": e.kind,
            "partnership_type": e.partnership_type, "parent": e.parent.title if e.parent else "",
            "lead": e.lead_department.code,
            "departments": sorted(code for pk, code in departments.get(e.pk, []) if pk != e.lead_department_id),
            "unit": e.responsible_unit.name if e.responsible_unit else "", "status": e.status,
            "termination_reason": e.termination_reason, "start": e.start_date, "end": e.end_date,
            "annual_fee": e.annual_fee, "co_financing": e.co_financing,
            "themes": sorted(themes.get(e.pk, [])),
            "organisations": sorted(organisations.get(e.pk, [])),
            "cities": sorted(f"{name}|{country}" for name, country in cities.get(e.pk, [])),
            "description": e.description, "website": e.website, "contacts": sorted(contacts.get(e.pk, [])),
            "source_reference": e.source_reference, "notes": e.notes, "internal_fields": e.internal_fields,
            "_internal": e.internal_fields,
        }


def _representative_rows(municipality: Municipality | None) -> Iterator[dict[str, Any]]:
    queryset = Representative.objects.select_related("engagement__municipality", "person")
    for r in _scope(queryset, municipality, "engagement__municipality").order_by(
            "engagement__municipality__code", "engagement__title", "person__name"):
        yield {"municipality": r.engagement.municipality.code, "engagement": r.engagement.title,
               "person": r.person.name, "role": r.role}


def _link_rows(municipality: Municipality | None) -> Iterator[dict[str, Any]]:
    queryset = EngagementLink.objects.select_related("engagement__municipality")
    for link in _scope(queryset, municipality, "engagement__municipality").order_by(
            "engagement__municipality__code", "engagement__title", "url"):
        yield {"municipality": link.engagement.municipality.code, "engagement": link.engagement.title,
               "url": link.url, "title": link.title}


def _funding_rows(municipality: Municipality | None) -> Iterator[dict[str, Any]]:
    queryset = Funding.objects.select_related("municipality", "department", "programme").prefetch_related(
        Prefetch("engagements", queryset=Engagement.objects.only("id", "title").order_by()))  # sorted below
    for f in _scope(queryset, municipality).order_by("municipality__code", "title"):
        yield {
            "id": f.pk, "municipality": f.municipality.code, "title": f.title, "department": f.department.code,
            "programme": f.programme.name, "engagements": sorted(e.title for e in f.engagements.all()),
            "amount": f.amount, "currency": f.currency, "amount_dkk": f.amount_dkk, "approximate": f.approximate,
            "start": f.start_date, "end": f.end_date, "status": f.status, "description": f.description,
            "source_reference": f.source_reference, "internal_fields": f.internal_fields,
            "_internal": f.internal_fields,
        }


register(
    Section("themes", 50, {"name": Col("name", required=True), "name_en": Col("name_en")}, "name",
            models=(Theme,), scoped=False, load=_load_shared, write=_write_themes, near_duplicates=Finder),
    Section("programmes", 52, {
        "name": Col("name", required=True), "name_en": Col("name_en"),
        "source": Col("source", choice(FundingProgramme.Source)), "aliases": Col("aliases", texts),
    }, "name", models=(FundingProgramme,), scoped=False, declare=_declare_aliased("programmes"),
        write=_aliased("programmes", FundingProgramme), near_duplicates=Finder),
    Section("organisations", 54, {
        "name": Col("name", required=True), "kind": Col("kind", choice(ExternalOrganisation.Kind)),
        "country": Col("country", upper), "aliases": Col("aliases", texts), "website": Col("website"),
        "description": Col("description"),
    }, "name", models=(ExternalOrganisation,), scoped=False, declare=_declare_aliased("organisations"),
        write=_aliased("organisations", ExternalOrganisation), near_duplicates=Finder),
    Section("cities", 56, {
        "name": Col("name", required=True), "country": Col("country", upper, required=True),
        "latitude": Col("latitude", floating), "longitude": Col("longitude", floating),
        "aliases": Col("aliases", texts),
    }, "name", models=(City,), scoped=False, declare=_declare_cities, write=_write_cities, near_duplicates=Finder,
        reference=lambda city: f"{city.name}|{city.country}"),
    Section("engagements", 100, {
        "title": Col("title", required=True), "kind": Col("kind", choice(Engagement.Kind), required=True),
        "partnership_type": Col("partnership_type", choice(Engagement.PartnershipType)), "parent": ref("parent"),
        "lead": ref("lead_department", required=True), "departments": refs("participating_departments"),
        "unit": ref("responsible_unit"), "status": Col("status", choice(Engagement.Status)),
        "termination_reason": Col("termination_reason"), "start": Col("start_date", date(end=False)),
        "end": Col("end_date", date(end=True)), "annual_fee": Col("annual_fee", decimal),
        "co_financing": Col("co_financing", decimal), "themes": refs("themes"),
        "organisations": refs("partner_organisations"), "cities": refs("partner_cities"),
        "contacts": refs("contacts"), "representatives": nested(), "links": nested(), "funding": nested(),
        "description": Col("description"), "website": Col("website"), "source_reference": Col("source_reference"),
        "notes": Col("notes"), "internal_fields": Col("internal_fields", texts),
    }, "title", models=(Engagement,), load=_load_scoped, declare=_declare_engagements, write=_write_engagements),
    Section("representatives", 101, {"person": ref("person", required=True), "role": Col("role")}, "person",
            models=(Representative,), parent="engagements", read=_read_representatives,
            resolve=_resolve_representatives, write_nested=_write_representatives),
    Section("links", 102, {"url": Col("url", required=True), "title": Col("title")}, "url",
            models=(EngagementLink,), parent="engagements", read=_read_links, write_nested=_write_links),
    Section("funding", 103, {**_FUNDING_COLS, "department": ref("department")}, "title", parent="engagements",
            read=_read_engagement_funding),
    Section("funding", 110, {
        **_FUNDING_COLS, "department": ref("department", required=True), "engagements": refs("engagements"),
    }, "title", models=(Funding,), write=_write_funding),
    Table("themes", Theme, columns("name", "name_en"), _theme_rows, 50, scoped=False),
    Table("programmes", FundingProgramme, columns("name", "name_en", "source", Column("aliases", "list")),
          _programme_rows, 52, scoped=False),
    Table("organisations", ExternalOrganisation, columns(
        "name", "kind", "country", Column("aliases", "list"), "website", "description"), _organisation_rows, 54,
        scoped=False),
    Table("cities", City, columns(
        "name", "country", Column("latitude", "number"), Column("longitude", "number"), Column("aliases", "list")),
        _city_rows, 56, scoped=False),
    Table("engagements", Engagement, columns(
        "title", "kind", "partnership_type", Column("parent", field="parent"), "lead",
        Column("departments", "list", field="participating_departments"), "unit", "status",
        Column("termination_reason", field="termination_reason"), Column("start", "date", field="start_date"),
        Column("end", "date", field="end_date"), Column("annual_fee", "number", field="annual_fee"),
        Column("co_financing", "number", field="co_financing"), Column("themes", "list", field="themes"),
        Column("organisations", "list", field="partner_organisations"),
        Column("cities", "list", field="partner_cities"), Column("description", field="description"),
        Column("website", field="website"), Column("contacts", "list", internal=True),
        Column("source_reference", internal=True), Column("notes", internal=True),
        Column("internal_fields", "list", internal=True)), _engagement_rows, 100),
    Table("representatives", Representative, columns("person", "role"), _representative_rows, 101,
          parent="engagement", parent_section="engagements", personal=True),
    Table("links", EngagementLink, columns("url", "title"), _link_rows, 102, parent="engagement",
          parent_section="engagements"),
    Table("funding", Funding, columns(
        "title", "department", "programme", Column("engagements", "list", field="engagements"),
        Column("amount", "number", field="amount"), "currency", Column("amount_dkk", "number", field="amount_dkk"),
        Column("approximate", "bool"), Column("start", "date", field="start_date"),
        Column("end", "date", field="end_date"), "status", Column("description", field="description"),
        Column("source_reference", internal=True), Column("internal_fields", "list", internal=True)),
        _funding_rows, 110),
)
