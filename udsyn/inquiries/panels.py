"""What the inquiries app adds to other apps' pages: the inquiries that led to or relate to an engagement."""

from typing import Any

from udsyn.core import panels
from udsyn.engagements.models import Engagement
from udsyn.inquiries import rules


def _inquiry_links(engagement: Engagement, user: Any) -> dict[str, Any] | None:
    # Inquiries hold personal data: only those the user may see, and only the reference and sender.
    links = list(engagement.inquiry_links.select_related("inquiry").filter(  # type: ignore[attr-defined]
        inquiry__in=rules.visible(user)).order_by("inquiry__received_at"))
    return {"inquiry_links": links} if links else None


panels.register_section(Engagement, panels.Section("inquiries/_engagement_inquiries.html", _inquiry_links, order=20))
