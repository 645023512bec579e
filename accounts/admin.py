"""Users, roles and clinic membership in the admin, without a way to escalate.

- Only a superuser makes or changes a superuser, or grants permissions one by one.
- Nobody but a superuser changes their own roles, staff flag, active flag or clinics.
- Clinic membership is changed only by a superuser or a manager of that clinic.
- Every change asks for its reason, kept in the audit trail with the old and new values.
- Only a superuser gives or takes away the Auditor role: the Auditor reads every patient in the
  trail, so an administrator who could make one could read patients through that account.
- No takeover: an administrator creates accounts without a password and cannot set, reset or
  clear anyone's password or second factor. A superuser, or a manager of every clinic of a clinical
  user, resets that user's sign-in (accounts.actions.reset_sign_in: a one-time password they must
  change, their second factors removed, their sessions ended, audited, the user told by e-mail).
  With e-mail configured, a password-reset e-mail can be sent to the user's own address, which only
  a superuser or such a manager may change.
"""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.auth.admin import GroupAdmin, UserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, PasswordResetForm, UserChangeForm
from django.contrib.auth.models import Group, User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp_webauthn.models import WebAuthnAttestation, WebAuthnCredential

import audit
from audit.models import Action
from schedules.models import Clinic

from . import actions
from .forms import AccountCreationForm, ResetSignInForm
from .hardening import HardenedAdminMixin, reason_field
from .models import ClinicManager, OneTimePassword
from .roles import AUDITOR
from .twofactor import factors_of

admin.site.unregister(User)
admin.site.unregister(Group)
# Second factors are not edited in the admin: a reset of the user's sign-in removes them all.
for device_model in (TOTPDevice, StaticDevice, WebAuthnCredential, WebAuthnAttestation):
    if admin.site.is_registered(device_model):
        admin.site.unregister(device_model)

SUPERUSER_ONLY_FIELDS = ("is_superuser", "user_permissions")
OWN_ACCOUNT_FIELDS = ("groups", "is_staff", "is_active")


def manageable_clinics(request: HttpRequest, account: User | None) -> QuerySet[Clinic]:
    """The clinics whose membership this admin user may change for `account`."""
    actor = request.user
    if actor.is_superuser:
        return Clinic.objects.all()
    if account is not None and account.pk == actor.pk:
        return Clinic.objects.none()
    # The admin is reached signed in only (staff_member_required): the actor is a User.
    return Clinic.objects.filter(managers__user_id=cast(int, actor.pk))


ACCOUNT_REASON = "Kept in the audit trail with your name and the time, e.g. 'new prescriber at Riverside'."


class MembershipChangeForm(UserChangeForm):
    clinics = forms.ModelMultipleChoiceField(
        queryset=Clinic.objects.none(),
        required=False,
        # Check boxes, not the admin's two-list filter: its search icon breaks WCAG 4.1.2 (an
        # aria-label on an element with no role), and a clinic list is short.
        widget=forms.CheckboxSelectMultiple,
        help_text="Only the clinics you manage are listed; other memberships are kept as they are.",
    )
    change_reason = reason_field(ACCOUNT_REASON)
    # Set by AccountAdmin.get_form: whether the person editing is a superuser (see the module's docstring).
    grants_auditor = False

    def clean_groups(self) -> Any:
        groups = self.cleaned_data["groups"]
        if self.grants_auditor:
            return groups
        was = self.instance.pk is not None and self.instance.groups.filter(name=AUDITOR).exists()
        if was != any(group.name == AUDITOR for group in groups):
            raise ValidationError(
                "Only a superuser gives or takes away the Auditor role: the Auditor reads the whole audit "
                "trail, patients included."
            )
        return groups


class ReasonedUserCreationForm(AdminUserCreationForm):
    change_reason = reason_field(ACCOUNT_REASON)


class ReasonedAccountCreationForm(AccountCreationForm):
    """What an administrator who is not a superuser fills in for a new account: no password."""

    change_reason = reason_field(ACCOUNT_REASON)


@admin.register(User)
class AccountAdmin(HardenedAdminMixin, UserAdmin):
    form = MembershipChangeForm
    add_form = ReasonedUserCreationForm
    add_fieldsets = (
        *UserAdmin.add_fieldsets,
        ("Why", {"fields": ("change_reason",)}),
    )
    readonly_fields = ("clinic_list", "second_factor", "last_login", "date_joined")
    actions = ["send_password_reset"]
    # Roles as check boxes and permissions as a plain list, for the same reason as the clinics.
    filter_horizontal = ()

    def formfield_for_manytomany(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "groups":
            kwargs["widget"] = forms.CheckboxSelectMultiple
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    @admin.display(description="member of")
    def clinic_list(self, account: User) -> str:
        return ", ".join(clinic.name for clinic in account.clinics.order_by("name")) or "no clinic"

    @admin.display(description="second factor")
    def second_factor(self, account: User) -> str:
        factors = factors_of(account)
        parts = [
            f"{factors.authenticator_apps} authenticator app(s)" if factors.authenticator_apps else "",
            f"{factors.passkeys} passkey(s)" if factors.passkeys else "",
            ""
            if factors.recovery_codes_left is None
            else f"{factors.recovery_codes_left} recovery code(s) left",
        ]
        return ", ".join(part for part in parts if part) or "none yet (set up at the next sign-in)"

    def _may_edit_clinics(self, request: HttpRequest, obj: User | None) -> bool:
        return obj is not None and manageable_clinics(request, obj).exists()

    def get_fieldsets(self, request: HttpRequest, obj: Any = None) -> Any:
        if obj is None and not request.user.is_superuser:
            return (
                (None, {"fields": AccountCreationForm.Meta.fields}),
                ("Why", {"fields": ("change_reason",)}),
            )
        if obj is None:
            return super().get_fieldsets(request, obj)
        access = ["is_active", "is_staff", "is_superuser", "groups", "user_permissions", "clinic_list"]
        if self._may_edit_clinics(request, obj):
            access.append("clinics")
        return (
            (None, {"fields": ("username", "password", "second_factor")}),
            ("Personal info", {"fields": ("first_name", "last_name", "email")}),
            ("Roles and clinics", {"fields": access}),
            ("Important dates", {"fields": ("last_login", "date_joined")}),
            ("Why", {"fields": ("change_reason",)}),
        )

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        readonly = list(super().get_readonly_fields(request, obj))
        if not request.user.is_superuser:
            readonly += SUPERUSER_ONLY_FIELDS
            if obj is not None and obj.pk == request.user.pk:
                readonly += OWN_ACCOUNT_FIELDS
            if obj is not None and not actions.may_reset(request.user, obj):  # type: ignore[arg-type]
                # A reset e-mail goes to this address: whoever may change it could take the account.
                readonly.append("email")
        return readonly

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any) -> Any:
        if obj is None and not request.user.is_superuser:
            # Only a superuser sets a new account's password (see the module's docstring).
            kwargs["form"] = ReasonedAccountCreationForm
            kwargs["fields"] = None
        form_class = super().get_form(request, obj, change=change, **kwargs)
        if issubclass(form_class, MembershipChangeForm):
            form_class.grants_auditor = request.user.is_superuser
        if obj is not None and "clinics" in form_class.base_fields:
            choices = manageable_clinics(request, obj)
            field = form_class.base_fields["clinics"]
            field.queryset = choices  # type: ignore[attr-defined]
            field.initial = list(choices.filter(members=obj))
        return form_class

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if obj is not None and obj.is_superuser and not request.user.is_superuser:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if obj is not None and obj.is_superuser and not request.user.is_superuser:
            return False
        return super().has_delete_permission(request, obj)

    def save_model(self, request: HttpRequest, obj: Any, form: forms.Form, change: bool) -> None:
        if not request.user.is_superuser and not change:
            obj.is_superuser = False
        super().save_model(request, obj, form, change)
        if not change and obj.has_usable_password():
            OneTimePassword.objects.update_or_create(user=obj)

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        if "clinics" in form.cleaned_data:
            self._apply_membership(request, form.instance, set(form.cleaned_data["clinics"]))

    def _apply_membership(self, request: HttpRequest, account: User, chosen: set[Clinic]) -> None:
        for clinic in manageable_clinics(request, account):
            member = clinic.members.filter(pk=account.pk).exists()
            # The audit trail has it from the form: clinics, old and new (HardenedAdminMixin).
            if clinic in chosen and not member:
                clinic.members.add(account)
            elif clinic not in chosen and member:
                clinic.members.remove(account)

    def user_change_password(self, request: HttpRequest, id: str, form_url: str = "") -> HttpResponse:
        """Reset the user's sign-in (not Django's "change password" page: see the module's docstring)."""
        account = self.get_object(request, unquote(id))
        if account is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, id)  # type: ignore[attr-defined]
        if account.pk == request.user.pk:
            # One's own password is changed with the old one, on the ordinary page.
            return redirect("password_change")
        if not actions.may_reset(request.user, account):  # type: ignore[arg-type]
            raise PermissionDenied
        form = ResetSignInForm(account, request.POST or None)
        if form.is_valid():
            actions.reset_sign_in(
                request, account, password=form.password, reason=form.cleaned_data["reason"]
            )
            self.message_user(
                request,
                f"The sign-in of {account.username} was reset: they set up their second factor again "
                "at their next sign-in.",
            )
            return redirect(reverse("admin:auth_user_change", args=[account.pk]))
        context = {
            **self.admin_site.each_context(request),
            "title": f"Reset the sign-in of {account.username}",
            "form": form,
            "account": account,
            "opts": self.opts,
            "original": account,
        }
        return TemplateResponse(request, "admin/auth/user/reset_sign_in.html", context)

    @admin.action(description="Send a password-reset e-mail", permissions=["change"])
    def send_password_reset(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        if not settings.PASSWORD_RESET_ENABLED:
            self.message_user(
                request,
                "E-mail is not configured: a superuser or a manager of the user's clinics resets their "
                "sign-in on the user's page instead.",
                messages.ERROR,
            )
            return
        sent = 0
        for account in queryset.exclude(email=""):
            if account.is_superuser and not request.user.is_superuser:
                continue
            form = PasswordResetForm({"email": account.email})
            if form.is_valid():
                form.save(request=request, use_https=request.is_secure())
                audit.record(
                    request, Action.ADMINISTER, detail=f"sent a password-reset e-mail to {account.username}"
                )
                sent += 1
        self.message_user(request, f"Password-reset e-mail sent to {sent} user(s).")


@admin.register(ClinicManager)
class ClinicManagerAdmin(HardenedAdminMixin, admin.ModelAdmin):
    """Who manages each clinic's membership: set by superusers only."""

    list_display = ("user", "clinic")
    list_filter = ("clinic",)
    search_fields = ("user__username", "clinic__name")
    autocomplete_fields = ("user",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return request.user.is_superuser

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return request.user.is_superuser

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return request.user.is_superuser


@admin.register(Group)
class RoleAdmin(HardenedAdminMixin, GroupAdmin):
    """The roles, as Django shows them; their permissions change by migration only."""


def _harden_lockout_admin() -> None:
    """django-axes' own lists (failed attempts) get the same protection against hostile filters."""
    for model, model_admin in list(admin.site._registry.items()):
        if model._meta.app_label == "axes" and not isinstance(model_admin, HardenedAdminMixin):
            hardened = type(
                f"Hardened{type(model_admin).__name__}", (HardenedAdminMixin, type(model_admin)), {}
            )
            admin.site.unregister(model)
            admin.site.register(model, hardened)


_harden_lockout_admin()
