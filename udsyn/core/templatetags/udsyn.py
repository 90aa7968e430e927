"""Template filters and tags: amounts, dates, table cells and field values as a Danish reader expects them."""

from decimal import Decimal
from typing import Any

from django import template
from django.db import models
from django.urls import NoReverseMatch
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from udsyn.core import formatting
from udsyn.core.tables import Column

register = template.Library()

STATUS_BADGES = {"active": "success", "planned": "info", "ended": "", "terminated": "warning"}


def _link(obj: Any) -> SafeString:
    try:
        return format_html('<a href="{}">{}</a>', obj.get_absolute_url(), obj)
    except (AttributeError, NoReverseMatch):
        return format_html("{}", obj)


@register.filter
def dkk(value: Any) -> str:
    return formatting.format_amount(value, "DKK")


@register.filter
def number(value: Any) -> str:
    return formatting.format_number(value)


@register.simple_tag
def amount(value: Any, currency: str) -> str:
    return formatting.format_amount(value, currency)


@register.filter
def period(obj: Any) -> str:
    start = formatting.format_date(getattr(obj, "start_date", None))
    end = formatting.format_date(getattr(obj, "end_date", None), end=True)
    if start and end:
        return f"{start}–{end}"
    if start:
        return _("from {start}").format(start=start)
    if end:
        return _("until {end}").format(end=end)
    return ""


@register.simple_tag
def cell(obj: Any, column: Column) -> SafeString:
    value = column.value(obj)
    if column.format == "codes":
        return format_html_join(" ", '<abbr title="{}">{}</abbr>', ((d.display_name, d.code) for d in value))
    if value is None or value == "":
        return mark_safe("")
    if column.format == "dkk":
        return format_html("{}", formatting.format_amount(value, "DKK"))
    if column.format in {"date", "enddate"}:
        return format_html("{}", formatting.format_date(value, end=column.format == "enddate"))
    if column.format == "badge":
        return format_html('<span class="badge badge-small">{}</span>', value)
    if isinstance(value, list):
        return format_html_join(", ", "{}", ((_link(v),) for v in value))
    if isinstance(value, Decimal | int | float) and not isinstance(value, bool):
        return format_html("{}", formatting.format_number(value))
    if column.link:
        return format_html('<a href="{}">{}</a>', obj.get_absolute_url(), value)
    if isinstance(value, models.Model):
        return _link(value)
    return format_html("{}", value)


@register.simple_tag
def field_value(obj: Any, name: str) -> SafeString:
    field = obj._meta.get_field(name)
    if field.many_to_many:
        items = list(getattr(obj, name).all())
        return format_html_join(", ", "{}", ((_link(v),) for v in items)) if items else mark_safe("—")
    value = getattr(obj, name)
    if value is None or value == "" or value == []:
        return mark_safe("—")
    if field.is_relation:
        return _link(value)
    if getattr(field, "choices", None):
        return format_html("{}", getattr(obj, f"get_{name}_display")())
    if isinstance(value, bool):
        return format_html("{}", _("Yes") if value else _("No"))
    if isinstance(value, list):
        return format_html("{}", ", ".join(str(v) for v in value))
    if isinstance(value, Decimal | float | int):
        if name in {"annual_fee", "co_financing", "amount_dkk"}:
            return format_html("{}", formatting.format_amount(value, "DKK"))
        return format_html("{}", formatting.format_number(value))
    if name == "country":
        return format_html("{} ({})", formatting.country_name(value), value)
    if name == "website" or name == "url":
        return format_html('<a href="{}">{}</a>', value, value)
    if hasattr(value, "year"):
        return format_html("{}", formatting.format_date(value, end=name.startswith("end")))
    return format_html("{}", value)


@register.simple_tag
def sort_href(sort_query: str, current: str, column: Column) -> str:
    target = column.sort
    if current == column.sort:
        target = "-" + column.sort
    prefix = sort_query + "&" if sort_query else ""
    return f"?{prefix}sort={target}"


@register.simple_tag
def aria_sort(current: str, column: Column) -> str:
    if current == column.sort:
        return "ascending"
    if current == "-" + column.sort:
        return "descending"
    return "none"


@register.filter
def get_item(mapping: dict[Any, Any], key: Any) -> Any:
    return mapping.get(key, "")


@register.filter
def add_amounts(first: Any, second: Any) -> Any:
    """The sum of two amounts, either of which may be empty."""
    return (first or 0) + (second or 0)


@register.filter
def length_of_values(mapping: dict[Any, Any]) -> int:
    """How many items a mapping of lists holds in all."""
    return sum(len(values) for values in mapping.values())


@register.filter
def country(code: str) -> str:
    """The country's name in the active language, from its ISO code."""
    return formatting.country_name(code)
