"""Who may do what: one permission policy per model, registered by the app that owns the model, asked
through ``Model.objects.restrict(user, action)`` for querysets and ``allows(user, action, obj)`` for one
record. The kernel knows no app: it knows actors (the user's role, loaded by a registered function) and
rules, and the apps declare their rules from their own ``policies.py``. docs/permissions.md is the table.

A rule answers twice from one declaration: as a ``Q`` to filter a queryset, and in Python for one record
(a record about to be saved, whose relations are not written yet, has no row to filter). A test checks
that both answers agree for every record of the seed data, every role and every action.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db import models
from django.db.models import Q

ADMIN, COORDINATOR, EDITOR, READER, ANONYMOUS = "administrator", "coordinator", "editor", "reader", "anonymous"
STAFF = (COORDINATOR, EDITOR)


@dataclass(frozen=True)
class Actor:
    """The user as the policy sees them: a kind, and the municipality and departments the role names. A
    department editor has a main department (``department_id``) and may edit further ones
    (``department_ids`` holds them all, the main one included)."""

    kind: str
    municipality_id: int | None = None
    department_id: int | None = None
    user_id: int | None = None
    department_ids: frozenset[int] = frozenset()
    # Further municipalities the role covers (a regional role spanning chosen municipalities would fill it;
    # no role does yet). Every rule about "their municipality" reads ``municipalities``.
    municipality_ids: frozenset[int] = frozenset()

    @property
    def municipalities(self) -> frozenset[int]:
        """Every municipality the role covers: its own and any further ones."""
        if self.municipality_id is None:
            return self.municipality_ids
        return self.municipality_ids | {self.municipality_id}

    @property
    def departments(self) -> frozenset[int]:
        """Every department the role names: the main one and the others."""
        if self.department_id is None:
            return self.department_ids
        return self.department_ids | {self.department_id}

    @property
    def is_admin(self) -> bool:
        return self.kind == ADMIN

    @property
    def signed_in(self) -> bool:
        return self.kind != ANONYMOUS

    def coordinates(self, municipality_id: int | None) -> bool:
        """Administrators, and the coordinators of that municipality: they steer it as a whole."""
        return self.is_admin or (
            self.kind == COORDINATOR and municipality_id is not None and municipality_id == self.municipality_id
        )

    @property
    def editor_department_id(self) -> int | None:
        """The main department of a department editor; None for everyone else."""
        return self.department_id if self.kind == EDITOR else None

    @property
    def editor_department_ids(self) -> frozenset[int]:
        """Every department a department editor edits; empty for everyone else."""
        return self.departments if self.kind == EDITOR else frozenset()


_ANONYMOUS = Actor(ANONYMOUS)
_actor_loader: list[Callable[[Any], Actor]] = []


def register_actor_loader(loader: Callable[[Any], Actor]) -> None:
    """The organisation app tells the kernel how a signed-in user's role becomes an actor."""
    _actor_loader[:] = [loader]


def actor(user: Any) -> Actor:
    if user is None or not getattr(user, "is_authenticated", False):
        return _ANONYMOUS
    cached = getattr(user, "_udsyn_actor", None)
    if cached is None:
        cached = _actor_loader[0](user) if _actor_loader else Actor(ADMIN if user.is_superuser else READER)
        user._udsyn_actor = cached
    return cached


def forget_actor(user: Any) -> None:
    """After a role changes, the next check loads it again."""
    user.__dict__.pop("_udsyn_actor", None)
    user.__dict__.pop("_udsyn_role", None)


# -- Rules -----------------------------------------------------------------------------------------------

def _relation(item: Any, name: str) -> Any:
    """The model field (or reverse relation) called ``name`` on a record, or None for a plain attribute."""
    try:
        return item._meta.get_field(name) if hasattr(item, "_meta") else None
    except Exception:  # noqa: BLE001 - not a field: an attribute or property
        return None


def _values(obj: Any, path: str) -> set[Any]:
    """The values at ``path`` (Django's ``__`` notation) of one record, following many-to-many lists. A
    record being saved may carry its many-to-many values not yet written as ``_pending_<name>``."""
    current: list[Any] = [obj]
    parts = path.split("__")
    for i, part in enumerate(parts):
        last = i == len(parts) - 1
        following: list[Any] = []
        for item in current:
            pending = getattr(item, "_pending_" + part, None)
            if pending is not None:
                following.extend(pending)
                continue
            rel = _relation(item, part)
            if rel is not None and (rel.many_to_many or rel.one_to_many):
                if item.pk is not None:
                    accessor = part if rel.concrete else rel.get_accessor_name()
                    following.extend(getattr(item, accessor).all())
            elif rel is not None and rel.is_relation and last:
                following.append(getattr(item, rel.attname))
            else:
                following.append(getattr(item, part, None))
        current = [v for v in following if v is not None]
    return {v.pk if isinstance(v, models.Model) else v for v in current}


def _multi_valued(model: type[models.Model], path: str) -> bool:
    """Does ``path`` pass through a list (a many-to-many or a reverse foreign key)?"""
    current: Any = model
    for part in path.split("__"):
        if current is None:
            return False
        rel = _relation(current, part)
        if rel is None:
            return False
        if rel.many_to_many or rel.one_to_many:
            return True
        current = rel.related_model
    return False


class Rule:
    """A condition on an actor and a record. ``q`` filters a queryset (True: all rows, False: none);
    ``test`` judges one record, or, without one, whether the actor may do it to any record at all."""

    def q(self, who: Actor, model: type[models.Model]) -> Q | bool:
        raise NotImplementedError

    def test(self, who: Actor, obj: Any) -> bool:
        raise NotImplementedError

    def __or__(self, other: Rule) -> Rule:
        return Any_(self, other)

    def __and__(self, other: Rule) -> Rule:
        return All_(self, other)


class Any_(Rule):
    def __init__(self, *rules: Rule) -> None:
        self.rules = rules

    def q(self, who: Actor, model: type[models.Model]) -> Q | bool:
        result: Q | bool = False
        for rule in self.rules:
            part = rule.q(who, model)
            if part is True:
                return True
            if part is False:
                continue
            result = part if result is False else result | part  # type: ignore[operator]
        return result

    def test(self, who: Actor, obj: Any) -> bool:
        return any(rule.test(who, obj) for rule in self.rules)


class All_(Rule):
    def __init__(self, *rules: Rule) -> None:
        self.rules = rules

    def q(self, who: Actor, model: type[models.Model]) -> Q | bool:
        result: Q | bool = True
        for rule in self.rules:
            part = rule.q(who, model)
            if part is False:
                return False
            if part is True:
                continue
            result = part if result is True else result & part  # type: ignore[operator]
        return result

    def test(self, who: Actor, obj: Any) -> bool:
        return all(rule.test(who, obj) for rule in self.rules)


@dataclass(frozen=True)
class Kinds(Rule):
    """Actors of these kinds, whatever the record."""

    kinds: tuple[str, ...]

    def q(self, who: Actor, model: type[models.Model]) -> Q | bool:
        return who.kind in self.kinds

    def test(self, who: Actor, obj: Any) -> bool:
        return who.kind in self.kinds


@dataclass(frozen=True)
class _Matches(Rule):
    """Actors of ``kinds`` one of whose municipalities (or departments) is the record's value at ``path``."""

    kinds: tuple[str, ...]
    path: str
    attribute: str = "municipalities"

    def _mine(self, who: Actor) -> frozenset[Any]:
        """The actor's values: their municipality, or every department they edit."""
        if who.kind not in self.kinds:
            return frozenset()
        value = getattr(who, self.attribute)
        if isinstance(value, frozenset):
            return value
        return frozenset() if value is None else frozenset({value})

    def q(self, who: Actor, model: type[models.Model]) -> Q | bool:
        mine = self._mine(who)
        if not mine:
            return False
        lookup = {self.path: next(iter(mine))} if len(mine) == 1 else {self.path + "__in": sorted(mine)}
        if self.path == "pk":
            return Q(**lookup)
        if _multi_valued(model, self.path):
            # A join on a list would repeat rows: ask for the ids instead.
            return Q(pk__in=model._default_manager.filter(**lookup).values("pk"))
        return Q(**lookup)

    def test(self, who: Actor, obj: Any) -> bool:
        mine = self._mine(who)
        if not mine:
            return False
        if obj is None:
            return True
        return bool(mine & _values(obj, self.path))


@dataclass(frozen=True)
class Where(Rule):
    """Records whose field has this value (e.g. published ones: ``Where("status", "active")``)."""

    name: str
    value: Any

    def q(self, who: Actor, model: type[models.Model]) -> Q | bool:
        return Q(**{self.name: self.value})

    def test(self, who: Actor, obj: Any) -> bool:
        return obj is None or getattr(obj, self.name) == self.value


@dataclass(frozen=True)
class OneOf(Rule):
    """Records whose field has one of these values (e.g. roles that are not administrators')."""

    name: str
    values: tuple[Any, ...]

    def q(self, who: Actor, model: type[models.Model]) -> Q | bool:
        return Q(**{self.name + "__in": self.values})

    def test(self, who: Actor, obj: Any) -> bool:
        return obj is None or getattr(obj, self.name) in self.values


@dataclass(frozen=True)
class Owner(Rule):
    """Records the signed-in user made themselves (an upload, a report being made)."""

    path: str = "user"

    def q(self, who: Actor, model: type[models.Model]) -> Q | bool:
        return Q(**{self.path: who.user_id}) if who.user_id is not None else False

    def test(self, who: Actor, obj: Any) -> bool:
        if who.user_id is None:
            return False
        return obj is None or who.user_id in _values(obj, self.path)


def coordinator(path: str = "municipality") -> Rule:
    """The coordinators of the record's municipality (found at ``path``)."""
    return _Matches((COORDINATOR,), path)


def staff(path: str = "municipality") -> Rule:
    """Coordinators and department editors of the record's municipality."""
    return _Matches(STAFF, path)


def member(path: str = "municipality") -> Rule:
    """Everyone with a role in the record's municipality: coordinators, department editors and readers."""
    return _Matches((COORDINATOR, EDITOR, READER), path)


def need_to_know(path: str = "municipality") -> Rule:
    """Personal data, history and deleted records: read only within the record's municipality (by everyone
    with a role there; administrators read all). Shared records have no municipality: see ``Policy.scope``."""
    return member(path)


def editor(path: str) -> Rule:
    """Department editors one of whose departments is the record's value at ``path``."""
    return _Matches((EDITOR,), path, "departments")


@dataclass(frozen=True)
class UsedOnlyBy(Rule):
    """Records that no municipality but the actor's uses, following each of ``paths`` to a municipality
    (e.g. ``engagements__municipality``). A shared record used elsewhere is changed by administrators."""

    paths: tuple[str, ...]

    def _others(self, who: Actor, model: type[models.Model]) -> models.QuerySet[Any]:
        # "Some use in another municipality": less or greater than the actor's, in one filter, so that each
        # condition is about one related row (an exclude() would mean "no use in the actor's").
        mine = who.municipality_id
        used = Q()
        for path in self.paths:
            used |= Q(**{path + "__lt": mine}) | Q(**{path + "__gt": mine})
        return model._default_manager.filter(used).values("pk")

    def q(self, who: Actor, model: type[models.Model]) -> Q | bool:
        if who.municipality_id is None:
            return False
        return ~Q(pk__in=self._others(who, model))

    def test(self, who: Actor, obj: Any) -> bool:
        if who.municipality_id is None:
            return False
        if obj is None or obj.pk is None:
            return True
        return not self._others(who, type(obj)).filter(pk=obj.pk).exists()


HISTORY = "history"  # the action of reading a record's history and its deleted versions
AUTO = "<auto>"

ANONYMOUS_ONLY = Kinds((ANONYMOUS,))
EVERYONE = Kinds((ADMIN, COORDINATOR, EDITOR, READER, ANONYMOUS))
SIGNED_IN = Kinds((ADMIN, COORDINATOR, EDITOR, READER))
ANY_STAFF = Kinds(STAFF)
NOBODY = Kinds(())


@dataclass
class Policy:
    """The rules of one model, an action each. Administrators may do everything unless ``admin_too`` is
    False for an action (nobody deletes a municipality). Unknown actions are refused."""

    view: Rule = SIGNED_IN
    add: Rule = NOBODY
    change: Rule = NOBODY
    delete: Rule | None = None  # None: as change
    extra: dict[str, Rule] = field(default_factory=dict)
    summary: str = ""  # one line for docs/permissions.md and the role walk test
    # The path from a record to its municipality ("municipality", "engagement__municipality"); None for a
    # shared or installation-wide record (themes, cities, organisations, programmes, regions). AUTO: the
    # model's own ``municipality`` field if it has one (filled in by ``register``).
    scope: str | None = AUTO
    # Who reads a record's history and its deleted versions (action "history"). None: those who may view it,
    # and of a municipality's records only those with a role in it (need-to-know); of shared records every
    # signed-in user who may view it.
    history: Rule | None = None

    def rule(self, action: str) -> Rule:
        if action == "delete" and self.delete is None:
            return self.change
        if action == HISTORY:
            if self.history is not None:
                return self.history
            return self.view & (need_to_know(self.scope) if self.scope else SIGNED_IN)
        found = getattr(self, action, None) if action in {"view", "add", "change", "delete"} else self.extra.get(action)
        return found if isinstance(found, Rule) else NOBODY


_policies: dict[type[models.Model], Policy] = {}


def register(model: type[models.Model], policy: Policy) -> None:
    if policy.scope == AUTO:
        names = {f.name for f in model._meta.get_fields()}
        policy.scope = "municipality" if "municipality" in names else None
    _policies[model] = policy


def registered() -> dict[type[models.Model], Policy]:
    return dict(_policies)


def policy_for(model: type[models.Model]) -> Policy:
    model = model._meta.concrete_model or model
    try:
        return _policies[model]
    except KeyError:
        raise LookupError(f"No permission policy is registered for {model._meta.label}.") from None


def allows(user: Any, action: str, target: models.Model | type[models.Model]) -> bool:
    """May the user do ``action`` to this record (or, given a model, to some record of it)?"""
    who = actor(user)
    model = target if isinstance(target, type) else type(target)
    if who.is_admin:
        return True
    obj = None if isinstance(target, type) else target
    return policy_for(model).rule(action).test(who, obj)


def restrict_queryset(queryset: models.QuerySet[Any], user: Any, action: str = "view") -> models.QuerySet[Any]:
    who = actor(user)
    if who.is_admin:
        return queryset
    condition = policy_for(queryset.model).rule(action).q(who, queryset.model)
    if condition is True:
        return queryset
    if condition is False:
        return queryset.none()
    return queryset.filter(condition)


class RestrictedQuerySet(models.QuerySet[Any]):
    """Every registry model's queryset: ``Model.objects.restrict(user, "change")``."""

    def restrict(self, user: Any, action: str = "view") -> Any:
        return restrict_queryset(self, user, action)




KIND_LABELS = ((ADMIN, "admin"), (COORDINATOR, "coordinator"), (EDITOR, "editor"), (READER, "reader"),
               (ANONYMOUS, "anonymous"))


def table() -> str:
    """The policy as the Markdown table in docs/permissions.md: for each record type and action, the kinds
    of user who may do it to some record (the summary says which records)."""
    lines = ["| record type | view | add | change | delete | history | which records |",
             "|---|---|---|---|---|---|---|"]
    for model, policy in sorted(_policies.items(), key=lambda item: item[0]._meta.label):
        cells = []
        for action in ("view", "add", "change", "delete", HISTORY):
            allowed = [label for kind, label in KIND_LABELS
                       if (kind == ADMIN or policy.rule(action).test(
                           Actor(kind, 1, 1, None if kind == ANONYMOUS else 1), None))]
            cells.append(", ".join(allowed) or "—")
        lines.append("| {} | {} | {} |".format(model._meta.label, " | ".join(cells), policy.summary))
    return "\n".join(lines) + "\n"
