"""The engagements app's records in global search (``udsyn.core.search``)."""

from udsyn.core import search
from udsyn.engagements.models import City, Engagement, ExternalOrganisation, Funding, FundingProgramme, Theme

search.register(Engagement, select=("lead_department",))
search.register(ExternalOrganisation)
search.register(City)
search.register(Theme)
search.register(FundingProgramme)
search.register(Funding, select=("department", "programme"))
