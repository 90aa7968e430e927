"""The report as a list of blocks (headings, paragraphs, tables, pictures): what it says and in what order.

The HTML (and, through it, PDF) and Word renderers only draw these blocks, so the three formats always
carry the same text, tables and figures.
"""

from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from udsyn.core.formatting import format_amount, format_date, format_number
from udsyn.engagements.models import Engagement, Funding
from udsyn.reports.charts import Picture
from udsyn.reports.content import DepartmentWork, Report


@dataclass
class Heading:
    level: int  # 2 for a chapter, 3 for a part of one
    text: str
    anchor: str = ""
    number: str = ""
    kind: str = "heading"

    @property
    def full(self) -> str:
        return f"{self.number} {self.text}" if self.number else self.text


@dataclass
class Para:
    text: str
    style: str = ""  # "", "lead" or "note"
    kind: str = "para"


@dataclass
class Bullets:
    items: list[str]
    kind: str = "bullets"


@dataclass
class Table:
    caption: str
    headers: list[str]
    rows: list[list[str]]
    numeric: set[int] = field(default_factory=set)  # columns to align right
    footer: list[str] | None = None
    kind: str = "table"


@dataclass
class Cards:
    """Headline figures: (value, label) pairs."""

    items: list[tuple[str, str]]
    kind: str = "cards"


@dataclass
class Figure:
    picture: Picture
    kind: str = "figure"


Block = Heading | Para | Bullets | Table | Cards | Figure


def _period(engagement: Engagement | Funding) -> str:
    start = format_date(engagement.start_date)
    end = format_date(engagement.end_date, end=True)
    if start and end:
        return f"{start}–{end}"
    if start:
        return _("from {start}").format(start=start)
    return _("until {end}").format(end=end) if end else ""


def _amount(value: Decimal | None) -> str:
    return format_amount(value) if value is not None else ""


def _departments(engagement: Engagement) -> str:
    return ", ".join(d.code for d in engagement.departments)


def _others(engagement: Engagement) -> str:
    return ", ".join(d.code for d in engagement.departments[1:])


def _representatives(engagement: Engagement) -> str:
    return "; ".join(
        f"{r.person}{', ' + r.role if r.role else ''}" for r in engagement.representatives.all()
    )


def _partners(engagement: Engagement) -> str:
    names = [o.name for o in engagement.partner_organisations.all()]
    names += [c.name for c in engagement.partner_cities.all()]
    return ", ".join(names)


def _funding_of(engagement: Engagement) -> str:
    parts = []
    for line in engagement.funding.all():
        amount = format_amount(line.amount, line.currency) if line.amount is not None else ""
        if line.amount_dkk is not None and line.currency != "DKK":
            amount += f" ({format_amount(line.amount_dkk)})"
        parts.append(f"{line.programme}: {amount}".rstrip(": ") if amount else str(line.programme))
    return "; ".join(parts)


def _status(engagement: Engagement) -> str:
    return str(engagement.get_status_display())


def _described(engagement: Engagement) -> str:
    text = engagement.title
    if engagement.description:
        text += " — " + " ".join(engagement.description.split())
    return text


def blocks(report: Report, pictures: dict[str, Picture]) -> list[Block]:
    out: list[Block] = []
    for section in report.sections:
        out.append(Heading(2, section.title, section.anchor, str(section.number)))
        out.extend(SECTIONS[section.anchor](report, pictures, section.number))
    return out


def _introduction(report: Report, pictures: dict[str, Picture], number: int) -> list[Block]:
    out: list[Block] = [Para(_(
        "This report describes {scope}'s international work as it stands in the registry on {date}: "
        "{n} engagements, with their departments, fees, partners and funding. Every figure is computed from "
        "the registry when the report is made."
    ).format(
        scope=report.department.display_name if report.department else report.municipality.display_name,
        date=format_date(report.as_of), n=format_number(report.engagement_count),
    ), "lead")]
    if report.source_title:
        out.append(Para(_("The registry was first filled from “{source}”.").format(source=report.source_title)))
    cards = [(computed.display, label) for label, computed in report.headline]
    since_total = sum((amount for _label, amount in report.funding_since), Decimal(0))
    if report.since_year:
        cards.append((format_amount(since_total), _("external funding since {year}").format(year=report.since_year)))
    out.append(Cards(cards))
    if report.funding_since:
        out.append(Table(
            _("External funding since {year} by source").format(year=report.since_year) if report.since_year
            else _("External funding by source"),
            [_("Source"), _("Amount")],
            [[label, format_amount(amount)] for label, amount in report.funding_since],
            numeric={1}, footer=[_("Total"), format_amount(since_total)],
        ))
    if report.comparisons:
        out.append(Heading(3, _("Stated and computed figures"), f"{report.sections[0].anchor}-figures",
                           f"{number}.1"))
        out.append(Para(_(
            "Where the source documents state a figure, it is shown beside the figure the registry computes, "
            "with what the registry counts, so the council sees one consistent picture."
        )))
        rows = []
        for comparison in report.comparisons:
            stated = comparison.stated
            where = ", ".join(part for part in (stated.period, _section_of(stated.source)) if part)
            rows.append([
                comparison.label + (f" ({comparison.department.code})" if comparison.department else ""),
                stated.display_value + (f" ({where})" if where else ""),
                comparison.computed.display,
                comparison.computed.basis,
            ])
        out.append(Table(_("Stated and computed figures"),
                         [_("Figure"), _("Stated"), _("Registry"), _("What the registry counts")], rows))
    if "engagements" in pictures:
        out.append(Figure(pictures["engagements"]))
    return out


def _section_of(source: str) -> str:
    """The section a stated figure cites ("§1"), without the source's title, which the report names once."""
    return "§" + source.rsplit("§", 1)[1] if "§" in source else source


def _department_summary(work: DepartmentWork) -> str:
    counts = [
        (len(work.memberships), ngettext("{n} membership", "{n} memberships", len(work.memberships))),
        (len(work.partnerships), ngettext("{n} partnership", "{n} partnerships", len(work.partnerships))),
        (len(work.projects), ngettext("{n} project", "{n} projects", len(work.projects))),
        (len(work.other), ngettext("{n} other activity", "{n} other activities", len(work.other))),
    ]
    led = ", ".join(text.format(n=n) for n, text in counts if n)
    summary = _("Leads {led}.").format(led=led) if led else _("Leads no registered engagements.")
    if work.joined:
        summary += " " + ngettext(
            "Takes part in {n} engagement led by another department.",
            "Takes part in {n} engagements led by other departments.", len(work.joined),
        ).format(n=len(work.joined))
    return summary


def _departments_section(report: Report, pictures: dict[str, Picture], number: int) -> list[Block]:
    out: list[Block] = []
    for i, work in enumerate(report.departments, start=1):
        out.append(Heading(3, str(work.department), f"dept-{work.department.pk}", f"{number}.{i}"))
        if work.department.international_work:
            out.extend(Para(p) for p in _paragraphs(work.department.international_work))
        out.append(Para(_department_summary(work), "note"))
        units = [u for u in work.units if u.international_role]
        if units:
            out.append(Table(_("Units with international tasks in {code}").format(code=work.department.code),
                             [_("Unit"), _("International role")],
                             [[u.name, " ".join(u.international_role.split())] for u in units]))
    return out


def _paragraphs(text: str) -> list[str]:
    return [" ".join(p.split()) for p in text.replace("\r\n", "\n").split("\n\n") if p.strip()]


def _strategies(report: Report, pictures: dict[str, Picture], number: int) -> list[Block]:
    if not report.strategies:
        return [Para(_("No strategies or plans are registered."))]
    out: list[Block] = []
    for i, strategy in enumerate(report.strategies, start=1):
        out.append(Heading(3, strategy.name, f"strategy-{strategy.pk}", f"{number}.{i}"))
        facts = [str(strategy.get_kind_display()).capitalize()]
        if strategy.period:
            facts.append(_("period {period}").format(period=strategy.period))
        if strategy.adopted_year:
            facts.append(_("adopted {year}").format(year=strategy.adopted_year))
        departments = ", ".join(d.code for d in strategy.departments.all())
        if departments:
            facts.append(departments)
        if not strategy.politically_approved:
            facts.append(_("not politically approved"))
        if strategy.revision_due:
            facts.append(_("revision due {date}").format(date=format_date(strategy.revision_due, end=True)))
        out.append(Para(" · ".join(facts), "note"))
        if strategy.description:
            out.extend(Para(p) for p in _paragraphs(strategy.description))
        elements = [e.text for e in strategy.elements.all()]
        if elements:
            out.append(Para(_("International elements:")))
            out.append(Bullets(elements))
    return out


def _memberships(report: Report, pictures: dict[str, Picture], number: int) -> list[Block]:
    out: list[Block] = []
    i = 0
    for work in report.departments:
        joined = [e for e in work.joined if e.kind == Engagement.Kind.MEMBERSHIP]
        if not work.memberships and not joined:
            continue
        i += 1
        out.append(Heading(3, str(work.department), f"memberships-{work.department.pk}", f"{number}.{i}"))
        if work.memberships:
            rows = [[
                _described(e), _amount(e.annual_fee), _amount(e.co_financing), _representatives(e),
                _others(e), _status(e),
            ] for e in work.memberships]
            out.append(Table(
                _("Memberships led by {code}").format(code=work.department.code),
                [_("Membership"), _("Annual fee"), _("Co-financing"), _("Representatives"),
                 _("Shared with"), _("Status")],
                rows, numeric={1, 2},
                footer=[_("Total, active memberships"), format_amount(work.annual_fees),
                        format_amount(work.co_financing), "", "", ""],
            ))
        if joined:
            out.append(Para(_("{code} also takes part in: {list}.").format(
                code=work.department.code,
                list="; ".join(_("{title} (led by {code})").format(title=e.title, code=e.lead_department.code)
                               for e in joined),
            )))
    if not i:
        out.append(Para(_("No memberships are registered.")))
    return out


def _partnerships(report: Report, pictures: dict[str, Picture], number: int) -> list[Block]:
    out: list[Block] = []
    if "map" in pictures:
        out.append(Figure(pictures["map"]))
    if report.cities_without_coordinates:
        out.append(Para(_("Not on the map, for want of coordinates: {cities}.").format(
            cities=", ".join(report.cities_without_coordinates)), "note"))
    if not report.partnerships:
        out.append(Para(_("No partner cities or agreements are registered.")))
        return out
    rows: list[list[str]] = []

    def add(engagement: Engagement, depth: int) -> None:
        kind = engagement.get_partnership_type_display() or engagement.get_kind_display()
        cities = ", ".join(f"{c.name} ({c.country_name})" for c in engagement.partner_cities.all())
        title = ("↳ " * depth) + _described(engagement)
        rows.append([title, str(kind), cities or _partners(engagement), _departments(engagement),
                     _period(engagement), _status(engagement)])
        for child in getattr(engagement, "children_list", []):
            add(child, depth + 1)

    for engagement in report.partnerships:
        add(engagement, 0)
    out.append(Table(_("Partner cities and agreements"),
                     [_("Agreement"), _("Type"), _("Partner"), _("Departments"), _("Period"), _("Status")], rows))
    return out


def _projects(report: Report, pictures: dict[str, Picture], number: int) -> list[Block]:
    out: list[Block] = []
    i = 0
    for work in report.departments:
        if not work.projects:
            continue
        i += 1
        out.append(Heading(3, str(work.department), f"projects-{work.department.pk}", f"{number}.{i}"))
        rows = [[_described(e), _partners(e), _period(e), _funding_of(e), _others(e), _status(e)]
                for e in work.projects]
        out.append(Table(_("Projects led by {code}").format(code=work.department.code),
                         [_("Project"), _("Partners"), _("Period"), _("External funding"), _("Shared with"),
                          _("Status")], rows))
    if not i:
        out.append(Para(_("No projects are registered.")))
    return out


def _other(report: Report, pictures: dict[str, Picture], number: int) -> list[Block]:
    rows = [
        [_described(e), str(e.get_kind_display()), _partners(e), _departments(e), _period(e), _status(e)]
        for work in report.departments for e in work.other
    ]
    return [Table(_("Other international activities"),
                  [_("Activity"), _("Kind"), _("Partners"), _("Departments"), _("Period"), _("Status")], rows)]


def _funding(report: Report, pictures: dict[str, Picture], number: int) -> list[Block]:
    out: list[Block] = []
    if not report.funding_sources:
        return [Para(_("No external funding is registered."))]
    out.append(Para(_(
        "The registry holds {total} of external funding in {n} lines, received and expected."
    ).format(total=format_amount(report.funding_total),
             n=format_number(sum(len(s.lines) for s in report.funding_sources)))))
    if report.funding_unknown:
        out.append(Para(ngettext(
            "{n} line names a programme but no amount.", "{n} lines name a programme but no amount.",
            report.funding_unknown,
        ).format(n=report.funding_unknown), "note"))
    if "funding" in pictures:
        out.append(Figure(pictures["funding"]))
    for i, source in enumerate(report.funding_sources, start=1):
        out.append(Heading(3, source.label, f"funding-{i}", f"{number}.{i}"))
        rows = []
        for line in source.lines:
            amount = format_amount(line.amount, line.currency) if line.amount is not None else ""
            dkk = (_("about") + " " if line.approximate else "") + _amount(line.amount_dkk)
            rows.append([
                line.title, str(line.programme), line.department.code, _period(line), amount, dkk.strip(),
                str(line.get_status_display()),
            ])
        out.append(Table(
            source.label, [_("Funding"), _("Programme"), _("Department"), _("Period"), _("Amount"),
                           _("Amount in DKK"), _("Status")],
            rows, numeric={4, 5},
            footer=[_("Total"), "", "", "", "", format_amount(source.received + source.expected),
                    _("{expected} expected").format(expected=format_amount(source.expected))
                    if source.expected else ""],
        ))
    return out


def _delegations(report: Report, pictures: dict[str, Picture], number: int) -> list[Block]:
    out: list[Block] = []
    i = 0
    for work in report.departments:
        figures = [c for c in work.stated if "delegation" in c.stated.key]
        if not work.department.delegation_handling and not figures:
            continue
        i += 1
        out.append(Heading(3, str(work.department), f"delegations-{work.department.pk}", f"{number}.{i}"))
        out.extend(Para(p) for p in _paragraphs(work.department.delegation_handling))
        for comparison in figures:
            stated = comparison.stated
            out.append(Para(_("Stated: {label}: {value} ({period}).").format(
                label=stated.label, value=stated.display_value, period=stated.period), "note"))
    if not i:
        out.append(Para(_("No department has described how it handles delegation visits.")))
    return out


def _committees(report: Report, pictures: dict[str, Picture], number: int) -> list[Block]:
    if not report.committees:
        return [Para(_("No political committees are registered."))]
    rows = [[c.display_name, c.department.code if c.department else "",
             " ".join(c.international_treatment.split())] for c in report.committees]
    return [Table(_("How the political committees treat international matters"),
                  [_("Committee"), _("Department"), _("Treatment of international matters")], rows)]


def _shared(report: Report, pictures: dict[str, Picture], number: int) -> list[Block]:
    if not report.shared:
        return [Para(_("No engagement is shared by several departments."))]
    rows = [[e.title, str(e.get_kind_display()), e.lead_department.code, _others(e), _amount(e.annual_fee)]
            for e in report.shared]
    return [
        Para(_(
            "These engagements are shared by several departments. Each is one record in the registry and is "
            "counted once in the figures above, under the department that leads it."
        )),
        Table(_("Engagements shared by several departments"),
              [_("Engagement"), _("Kind"), _("Lead"), _("Also"), _("Annual fee")], rows, numeric={4}),
    ]


SECTIONS = {
    "introduction": _introduction,
    "departments": _departments_section,
    "strategies": _strategies,
    "memberships": _memberships,
    "partnerships": _partnerships,
    "projects": _projects,
    "other": _other,
    "funding": _funding,
    "delegations": _delegations,
    "committees": _committees,
    "shared": _shared,
}
