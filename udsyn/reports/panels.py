"""What the reports app adds to other apps' pages: "Make a report" on a municipality and a department."""

from django.utils.translation import gettext_lazy as _

from udsyn.core import panels
from udsyn.organisation.models import Department, Municipality
from udsyn.reports.views import report_url

panels.register_action(Municipality, panels.Action(_("Make a report"), lambda m, user: report_url(user, m)))
panels.register_action(Department, panels.Action(
    _("Make a report"), lambda d, user: report_url(user, d.municipality, d)))
