"""Sign-in forms: a second factor's code (an authenticator app's or a recovery code), the reset of
someone else's sign-in, and a new account without a password."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth.models import User
from django.contrib.auth.password_validation import validate_password


class CodeForm(forms.Form):
    code = forms.CharField(
        label="Code",
        max_length=20,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "autofocus": True, "spellcheck": "false"}
        ),
    )

    def clean_code(self) -> str:
        """Spaces and dashes are how codes are shown and often typed: they are not part of it."""
        code = "".join(self.cleaned_data["code"].split()).replace("-", "").lower()
        if not code.isalnum() or not code.isascii():
            raise forms.ValidationError("A code has only letters and digits.")
        return code


class VerifyForm(CodeForm):
    remember = forms.BooleanField(required=False)

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["code"].help_text = "The 6-digit code your authenticator app shows, or a recovery code."
        days = settings.TWO_FACTOR_REMEMBER_DAYS
        if days > 0:
            self.fields["remember"].label = f"Do not ask again on this browser for {days} days"
        else:
            del self.fields["remember"]


class ResetSignInForm(forms.Form):
    """A superuser's or clinic manager's reset of someone else's sign-in."""

    new_password1 = forms.CharField(
        label="New one-time password",
        required=False,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text="They must choose their own at their next sign-in. Leave empty to keep their password "
        "and reset only the second factor (a lost phone).",
    )
    new_password2 = forms.CharField(
        label="The same password again",
        required=False,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    reason = forms.CharField(
        max_length=300,
        help_text="Kept in the audit trail, e.g. “lost phone; identity checked in person”.",
    )

    def __init__(self, account: User, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.account = account

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        first, second = cleaned.get("new_password1", ""), cleaned.get("new_password2", "")
        if first != second:
            self.add_error("new_password2", "The two passwords differ.")
        elif first:
            try:
                validate_password(first, self.account)
            except forms.ValidationError as error:
                self.add_error("new_password1", error)
        return cleaned

    @property
    def password(self) -> str | None:
        return self.cleaned_data.get("new_password1") or None


class AccountCreationForm(forms.ModelForm):
    """A new account made by someone who may not set passwords: it has none until the user sets one
    by e-mail, or a superuser or manager of their clinics resets their sign-in."""

    class Meta:
        model = User
        fields = ("username", "first_name", "last_name", "email")

    def save(self, commit: bool = True) -> User:
        user: User = super().save(commit=False)
        user.set_unusable_password()
        if commit:
            user.save()
        return user
