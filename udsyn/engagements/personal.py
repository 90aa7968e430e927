"""What the engagements app holds on a person, for the export of their personal data (``udsyn.core.personal``):
the engagements they represent the municipality in, and those they are a contact person for. These refer to
the person record, so erasing the record (``udsyn.organisation.personal``) leaves them naming "deleted person"."""

from typing import Any

from django.utils.translation import gettext as _

from udsyn.core import personal
from udsyn.engagements.models import Engagement, Representative


def _find(subject: personal.Subject, user: Any) -> personal.Held | None:
    if not subject.person_id:
        return None
    kind, engagement, role = _("record type"), _("engagement"), _("role")
    records = [{kind: str(Representative._meta.verbose_name), engagement: str(r.engagement), role: r.role}
               for r in Representative.objects.filter(person_id=subject.person_id).select_related("engagement")]
    records += [{kind: _("contact person"), engagement: str(e)}
                for e in Engagement.objects.filter(contacts=subject.person_id)]
    return personal.Held(_("Engagements"), records)


personal.register(personal.Holder("engagements", _find, order=30))
