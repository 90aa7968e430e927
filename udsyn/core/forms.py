"""The base form of every record: DKFDS styling, choices scoped to the user's municipality, and a
permission check on the record as it would be saved (an editor cannot move a record out of reach)."""

from dataclasses import dataclass
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.forms.utils import flatatt
from django.utils import formats
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from udsyn.core import permissions


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class FastSelect(forms.Select):
    """Write the <select> in Python rather than through one template include per option: the same HTML,
    but a list of 500 departments takes a millisecond instead of 30 (national scale, issue 7)."""

    def render(self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: Any = None) -> SafeString:
        final = self.build_attrs(self.attrs, attrs)
        final["name"] = name
        if self.allow_multiple_selected:
            final["multiple"] = True
        chosen = set(self.format_value(value))

        def options(choices: Any) -> str:
            return "".join(
                '<option value="{}"{}>{}</option>'.format(
                    escape(key), " selected" if key in chosen else "", escape(label))
                for key, label in (("" if v is None else str(v), label) for v, label in choices))

        parts = []
        for key, label in self.choices:
            if isinstance(label, list | tuple):
                parts.append(f'<optgroup label="{escape(key)}">{options(label)}</optgroup>')
            else:
                parts.append(options([(key, label)]))
        return format_html("<select{}>{}</select>", flatatt(final), mark_safe("".join(parts)))  # noqa: S308


class FastSelectMultiple(FastSelect, forms.SelectMultiple):
    pass


def _fast(widget: forms.Widget) -> None:
    # Swap the class, not the instance: the widget keeps its choices, attributes and required flag.
    if type(widget) is forms.Select:
        widget.__class__ = FastSelect
    elif type(widget) is forms.SelectMultiple:
        widget.__class__ = FastSelectMultiple


def style(form: forms.BaseForm) -> None:
    """Give every field of the form Det Fælles Designsystem's classes (and a date picker for dates)."""
    for field in form.fields.values():
        widget = field.widget
        if isinstance(widget, forms.CheckboxSelectMultiple | forms.CheckboxInput):
            widget.attrs.setdefault("class", "form-checkbox")
            continue
        if isinstance(widget, forms.RadioSelect):
            widget.attrs.setdefault("class", "form-radio")
            continue
        _fast(widget)
        if isinstance(widget, forms.SelectMultiple):
            widget.attrs.setdefault("class", "form-select udsyn-multiselect")
            widget.attrs.setdefault("size", "8")
        elif isinstance(widget, forms.Select):
            widget.attrs.setdefault("class", "form-select")
        elif isinstance(widget, forms.Textarea):
            widget.attrs.setdefault("class", "form-input")
            widget.attrs.setdefault("rows", "5")
        else:
            widget.attrs.setdefault("class", "form-input")
        if isinstance(field, forms.DateField) and not isinstance(widget, DateInput):
            field.widget = DateInput(attrs=widget.attrs)


class StyledForm(forms.Form):
    """A form in Det Fælles Designsystem's style."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        style(self)


class StyledModelForm(forms.ModelForm):
    """A model form in Det Fælles Designsystem's style."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        style(self)


@dataclass
class ConflictingField:
    """A field someone else changed since the version the form was based on."""

    label: str
    stored: str  # the value saved now
    yours: str  # the value in the form
    kept_yours: bool  # the form keeps the user's value (else it took the stored one: the user had not changed it)


def _shown(field: forms.Field, value: Any) -> str:
    if isinstance(value, QuerySet | list | tuple | set):
        return ", ".join(_shown(field, v) for v in value) or "—"
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    choices = dict(getattr(field, "choices", None) or []) if not isinstance(field, forms.ModelChoiceField) else {}
    if isinstance(value, str) and value in choices:
        return str(choices[value])
    return str(formats.localize(value))


class VersionedForm(forms.ModelForm):
    """A form that carries, in a hidden field, the version of the record it was based on, so that saving it
    over a newer save is refused (``RegistryModel.expect_version``) and shown as a conflict (``conflict()``).
    A post without the version (a script) saves as before."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None:
            self.initial["version"] = self.instance.version

    def _post_clean(self) -> None:
        super()._post_clean()  # type: ignore[misc]
        if self.instance.pk is not None and not self.instance._state.adding:
            self.instance.expect_version(getattr(self, "cleaned_data", {}).get("version"))

    def conflict(self) -> list[ConflictingField]:
        """After a refused save: the fields someone else changed since the form's version, with the value now
        saved and the form's. The form then carries the newest version and keeps what the user typed; a field
        the user left as it was takes the other's change, so that saving again does not undo it."""
        model = self._meta.model  # type: ignore[attr-defined]
        current = model._default_manager.get(pk=self.instance.pk)
        based_on = self.cleaned_data.get("version")
        history = getattr(current, "history", None)
        base = history.filter(version=based_on).order_by("-history_date", "-history_id").first() \
            if history is not None and based_on else None
        data: Any = self.data.copy()  # type: ignore[attr-defined]
        rows = []
        for name, field in self.fields.items():
            try:
                model_field = model._meta.get_field(name)
            except Exception:  # noqa: BLE001 - a form field that is not a model field
                continue
            if name == "version" or name not in self.cleaned_data:
                continue
            many = model_field.many_to_many
            yours = self.cleaned_data[name]
            if many:
                stored_objects = list(getattr(current, name).all())
                stored: Any = {o.pk for o in stored_objects}
                mine: Any = {o.pk for o in yours}
                before = None
                old_rows = getattr(base, name, None) if base is not None else None
                if old_rows is not None and hasattr(old_rows, "all"):
                    before = {getattr(row, model_field.m2m_reverse_field_name() + "_id") for row in old_rows.all()}
            else:
                stored_objects = getattr(current, name)
                stored, mine = getattr(current, model_field.attname), getattr(self.instance, model_field.attname)
                before = getattr(base, model_field.attname) if base is not None else None
            known = base is not None and (not many or before is not None)
            if stored == mine or (known and stored == before):
                continue
            kept = not known or mine != before
            if not kept:  # the user did not change it: take the other's change into the form
                key = self.add_prefix(name)
                value = field.prepare_value(sorted(stored) if many else stored)
                if isinstance(value, list | tuple):
                    data.setlist(key, [str(v) for v in value])
                elif isinstance(value, bool):
                    data[key] = "on" if value else ""
                else:
                    data[key] = "" if value is None else str(value)
            rows.append(ConflictingField(str(field.label), _shown(field, stored_objects), _shown(field, yours), kept))
        data[self.add_prefix("version")] = str(current.version)
        self.data = data
        return rows


class RegistryForm(VersionedForm):
    """Give subclasses ``Meta.model`` and ``Meta.fields``; the rest is shared."""

    scoped_to_municipality = ("municipality",)
    scoped_to_departments = ("department", "lead_department", "participating_departments", "departments")

    def __init__(self, *args: Any, user: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        self._scope_choices()
        style(self)

    def _scope_choices(self) -> None:
        if self.user is None or permissions.is_admin(self.user):
            return
        municipality_id = permissions.home_municipality_id(self.user)
        self._narrow(self.scoped_to_municipality, pk=municipality_id)
        for name in self.scoped_to_municipality:
            field = self.fields.get(name)
            if isinstance(field, forms.ModelChoiceField):
                field.initial = municipality_id
                field.empty_label = None
        self._narrow(self.scoped_to_departments, municipality_id=municipality_id)
        self._narrow(("responsible_unit", "unit"), department__municipality_id=municipality_id)
        self._narrow(("contacts", "parent", "engagements", "strategy"), municipality_id=municipality_id)

    def _narrow(self, names: tuple[str, ...], **lookup: Any) -> None:
        """Offer only the choices that match ``lookup`` (ModelMultipleChoiceField is a ModelChoiceField)."""
        for name in names:
            field = self.fields.get(name)
            if isinstance(field, forms.ModelChoiceField) and field.queryset is not None:
                field.queryset = field.queryset.filter(**lookup)

    def _post_clean(self) -> None:
        super()._post_clean()  # type: ignore[misc]
        if self.user is None or self.errors:
            return
        pending = self.cleaned_data.get("participating_departments")
        if pending is not None:
            # The saved relations are not written yet: judge the record as it would be saved.
            self.instance._pending_department_ids = {d.pk for d in pending}
        if not permissions.can_edit(self.user, self.instance):
            self.add_error(None, _(
                "You may only save records of your own municipality and, as a department editor, "
                "records your department leads or takes part in."
            ))


def registry_form(model: type[Any], fields: list[str], **widgets: forms.Widget) -> type[RegistryForm]:
    """A RegistryForm for a simple record type."""
    meta = type("Meta", (), {"model": model, "fields": fields, "widgets": widgets})
    return type(f"{model.__name__}Form", (RegistryForm,), {"Meta": meta})
