"""Numbers, amounts and periods as a Danish (or English) reader expects them, via babel."""

import datetime
from decimal import Decimal

from babel import Locale
from babel.numbers import format_decimal
from django.utils.translation import get_language


def language() -> str:
    """The active language as the app knows it: "da" or "en"."""
    return "en" if (get_language() or "da").startswith("en") else "da"


def _locale() -> str:
    return "en_GB" if language() == "en" else "da_DK"


def format_number(value: Decimal | float | int | None) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal) and value == value.to_integral_value():
        value = int(value)
    return format_decimal(value, locale=_locale())


def format_amount(value: Decimal | float | int | None, currency: str = "DKK") -> str:
    """``1.300.000 kr.`` in Danish, ``DKK 1,300,000`` in English; other currencies by their code."""
    if value is None:
        return ""
    number = format_number(value)
    if not currency:
        return number
    if currency == "DKK":
        return f"DKK {number}" if _locale() == "en_GB" else f"{number} kr."
    return f"{number} {currency}" if _locale() == "da_DK" else f"{currency} {number}"


def format_date(value: datetime.date | None, end: bool = False) -> str:
    """A date entered as a year or a month shows as one (1 Jan / 31 Dec, first / last of a month)."""
    if value is None:
        return ""
    if end:
        if value.month == 12 and value.day == 31:
            return str(value.year)
        if (value + datetime.timedelta(days=1)).day == 1:
            return value.strftime("%m.%Y") if _locale() == "da_DK" else value.strftime("%m/%Y")
    else:
        if value.month == 1 and value.day == 1:
            return str(value.year)
        if value.day == 1:
            return value.strftime("%m.%Y") if _locale() == "da_DK" else value.strftime("%m/%Y")
    return value.strftime("%d.%m.%Y") if _locale() == "da_DK" else value.isoformat()


def country_name(code: str) -> str:
    """The country's name in the active language (Danish or English), from the CLDR data babel carries."""
    if not code:
        return ""
    return str(Locale.parse(language()).territories.get(code.upper(), code))
