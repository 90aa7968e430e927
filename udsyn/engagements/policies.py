"""The engagements app's permission rules: an engagement's core is its lead department's, a participating
department keeps its own part (its representatives and its funding lines), and a shared reference record
used by more than one municipality is changed by administrators only."""

from udsyn.core import policy as p
from udsyn.engagements.models import (
    City,
    Engagement,
    EngagementLink,
    ExternalOrganisation,
    Funding,
    FundingProgramme,
    Merge,
    Representative,
    Theme,
)

LEAD = p.coordinator() | p.editor("lead_department")
p.register(Engagement, p.Policy(
    view=p.SIGNED_IN | (p.ANONYMOUS_ONLY & p.Where("status", Engagement.Status.ACTIVE)),
    add=LEAD, change=LEAD,
    summary="The municipality's coordinators and the lead department's editors; published when active."))

OWN_PART = (p.coordinator("engagement__municipality") | p.editor("engagement__lead_department")
            | (p.editor("engagement__participating_departments") & p.editor("person__department")))
# A representative names a person: read only within the engagement's municipality (need-to-know).
p.register(Representative, p.Policy(
    view=p.need_to_know("engagement__municipality"), add=OWN_PART, change=OWN_PART,
    scope="engagement__municipality",
    summary="Read in the engagement's municipality only; changed by its coordinators, the lead department's "
            "editors, and a participating department's editors for its own people."))

ENGAGEMENT_CORE = p.coordinator("engagement__municipality") | p.editor("engagement__lead_department")
p.register(EngagementLink, p.Policy(add=ENGAGEMENT_CORE, change=ENGAGEMENT_CORE,
                                    scope="engagement__municipality", summary="As the engagement."))

OWN_FUNDING = p.coordinator() | p.editor("department")
p.register(Funding, p.Policy(view=p.EVERYONE, add=OWN_FUNDING, change=OWN_FUNDING,
                             summary="Coordinators, and the editors of the department the funding line is "
                                     "for."))


def shared(*uses: str) -> p.Policy:
    """A reference record shared by all municipalities: any staff adds one; staff change or delete it
    while no other municipality uses it, administrators always."""
    local = p.ANY_STAFF & p.UsedOnlyBy(uses)
    return p.Policy(view=p.EVERYONE, add=p.ANY_STAFF, change=local, extra={"request_change": p.ANY_STAFF},
                    summary="Shared: staff add; changed by staff while only their municipality uses it, "
                            "else by administrators.")


p.register(ExternalOrganisation, shared("engagements__municipality"))
p.register(City, shared("engagements__municipality"))
p.register(Theme, shared("engagements__municipality"))
p.register(FundingProgramme, shared("funding__municipality"))

# Coordinators see the candidate duplicates and past merges; administrators merge and undo (a merge changes
# records other municipalities use).
p.register(Merge, p.Policy(view=p.Kinds((p.COORDINATOR,)), summary="Coordinators see; administrators merge."))
