"""The strategy app's records in global search (``udsyn.core.search``); a strategy's elements are part of
its text."""

from udsyn.core import search
from udsyn.strategy.models import FocusArea, Goal, Principle, Strategy, StrategyElement

search.register(Strategy, prefetch=("elements",))
search.register(Goal)
search.register(Principle)
search.register(FocusArea)
search.register_part(StrategyElement, "strategy")
