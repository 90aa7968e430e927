"""The reports app's permission rules: a report being made is its requester's."""

from udsyn.core import policy as p
from udsyn.reports.models import ReportJob

p.register(ReportJob, p.Policy(
    view=p.Owner(), add=p.coordinator() | p.editor("department"), change=p.Owner(),
    summary="Coordinators report on their municipality, department editors on their department; a report "
            "being made is its requester's."))
