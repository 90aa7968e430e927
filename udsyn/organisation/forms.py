"""Forms of the users page: a role (kind, municipality, departments), an invitation, and the password a
person sets when they accept an invitation."""

from typing import Any

from django import forms
from django.contrib.auth import password_validation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from udsyn.core.forms import StyledForm
from udsyn.core.policy import allows
from udsyn.organisation.accounts import RoleSpec
from udsyn.organisation.models import Department, Invitation, Municipality, Role


def grantable_kinds(user: Any) -> list[tuple[str, Any]]:
    """The roles the user may give somebody (in some municipality)."""
    return [(value, label) for value, label in Role.Kind.choices
            if any(allows(user, "add", Invitation(kind=value, municipality=m)) for m in _candidates())
            or allows(user, "add", Invitation(kind=value))]


def _candidates() -> list[Municipality]:
    return list(Municipality.objects.order_by("name"))


def grantable_municipalities(user: Any) -> list[Municipality]:
    """The municipalities the user may give roles in."""
    return [m for m in _candidates() if allows(user, "add", Invitation(kind=Role.Kind.READER, municipality=m))]


class RoleForm(StyledForm):
    """A role: kind, municipality, a department editor's main department and other departments."""

    kind = forms.ChoiceField(label=gettext_lazy("Role"), widget=forms.RadioSelect)
    municipality = forms.ModelChoiceField(
        label=gettext_lazy("Municipality"), queryset=Municipality.objects.none(), required=False,
        help_text=gettext_lazy("Administrators may have none."))
    department = forms.ModelChoiceField(
        label=gettext_lazy("Main department"), queryset=Department.objects.none(), required=False,
        help_text=gettext_lazy("For department editors: the department their pages open on."))
    other_departments = forms.ModelMultipleChoiceField(
        label=gettext_lazy("Other departments"), queryset=Department.objects.none(), required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=gettext_lazy("For department editors: further departments they edit."))

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        municipalities = grantable_municipalities(user)
        field: Any = self.fields["kind"]
        field.choices = grantable_kinds(user)
        field = self.fields["municipality"]
        field.queryset = Municipality.objects.filter(pk__in=[m.pk for m in municipalities]).order_by("name")
        if len(municipalities) == 1:
            field.required = True
            field.empty_label = None
            field.help_text = ""
        departments = Department.objects.filter(municipality__in=municipalities).select_related(
            "municipality").order_by("municipality__name", "code")
        for name in ("department", "other_departments"):
            field = self.fields[name]
            field.queryset = departments
            field.label_from_instance = (
                (lambda d: str(d)) if len(municipalities) == 1 else (lambda d: f"{d} – {d.municipality.name}"))

    def spec(self) -> RoleSpec:
        data = self.cleaned_data
        return RoleSpec(data["kind"], data.get("municipality"), data.get("department"),
                        tuple(data.get("other_departments") or ()))


class InvitationForm(RoleForm):
    email = forms.EmailField(label=gettext_lazy("E-mail"))

    field_order = ["email", "kind", "municipality", "department", "other_departments"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.order_fields(self.field_order)
        email: Any = self.fields["email"]
        email.widget.attrs.setdefault("class", "form-input")
        email.widget.attrs["autocomplete"] = "off"


class AcceptInvitationForm(StyledForm):
    """The invited person's name and password (checked by Django's password validators)."""

    first_name = forms.CharField(label=gettext_lazy("First name"), max_length=150, required=False)
    last_name = forms.CharField(label=gettext_lazy("Last name"), max_length=150, required=False)
    password1 = forms.CharField(label=gettext_lazy("Password"), strip=False,
                                widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))
    password2 = forms.CharField(label=gettext_lazy("Password again"), strip=False,
                                widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))

    def __init__(self, *args: Any, email: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.email = email
        first: Any = self.fields["first_name"]
        first.widget.attrs["autocomplete"] = "given-name"
        last: Any = self.fields["last_name"]
        last.widget.attrs["autocomplete"] = "family-name"
        password: Any = self.fields["password1"]
        password.help_text = " ".join(password_validation.password_validators_help_texts())

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        first, second = data.get("password1"), data.get("password2")
        if first and second and first != second:
            self.add_error("password2", _("The two passwords differ."))
        elif first:
            from django.contrib.auth import get_user_model

            probe = get_user_model()(username=self.email, email=self.email, first_name=data.get("first_name", ""),
                                     last_name=data.get("last_name", ""))
            try:
                password_validation.validate_password(first, probe)
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return data
