"""The strategy app's permission rules: strategies, goals, principles and focus areas are the
municipality's coordinators'."""

from udsyn.core import policy as p
from udsyn.strategy.models import FocusArea, Goal, Principle, Strategy, StrategyElement

for model in (Strategy, Goal, Principle, FocusArea):
    p.register(model, p.Policy(add=p.coordinator(), change=p.coordinator(),
                               summary="The municipality's coordinators."))
p.register(StrategyElement, p.Policy(add=p.coordinator("strategy__municipality"),
                                     change=p.coordinator("strategy__municipality"), scope="strategy__municipality",
                                     summary="The municipality's coordinators."))
