"""The steering app's permission rules: goal links and reviews belong to the engagement's core (its
municipality's coordinators and the lead department's editors); indicators and the review schedule to
the coordinators. Reviews are read within the municipality, by editors for their own engagements."""

from udsyn.core import policy as p
from udsyn.steering.models import Alignment, Indicator, Observation, Review, ReviewSchedule

CORE = p.coordinator("engagement__municipality") | p.editor("engagement__lead_department")
p.register(Alignment, p.Policy(add=CORE, change=CORE, scope="engagement__municipality",
                               summary="As the engagement's core."))
p.register(Review, p.Policy(
    view=(p.Kinds((p.COORDINATOR, p.READER)) & p.member("engagement__municipality"))
    | p.editor("engagement__lead_department") | p.editor("engagement__participating_departments"),
    add=CORE | p.editor("engagement__participating_departments"), change=CORE, scope="engagement__municipality",
    summary="Read in the municipality (editors: their department's engagements); recorded by every "
            "department in the engagement, changed as the core."))
p.register(Indicator, p.Policy(add=p.coordinator(), change=p.coordinator(),
                               summary="The municipality's coordinators."))
p.register(Observation, p.Policy(add=p.coordinator("indicator__municipality"),
                                 change=p.coordinator("indicator__municipality"), scope="indicator__municipality",
                                 summary="The municipality's coordinators."))
p.register(ReviewSchedule, p.Policy(add=p.coordinator(), change=p.coordinator(),
                                    summary="The municipality's coordinators."))
