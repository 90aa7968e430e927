"""Declarative table columns for list pages and related lists on detail pages."""

from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Column:
    """A table column: ``accessor`` is a dotted attribute path; ``sort`` the ORM field to order by."""

    accessor: str
    label: Any = ""
    sort: str = ""
    link: bool = False
    format: str = ""  # "", "dkk", "date", "list", "badge", "country"

    def value(self, obj: Any) -> Any:
        value = obj
        for attr in self.accessor.split("."):
            if value is None:
                return None
            value = getattr(value, attr)
            if callable(value) and not hasattr(value, "all"):
                value = value()
        if hasattr(value, "all"):
            value = list(value.all())
        return value


TITLE = Column("__str__", _("Name"), link=True)
