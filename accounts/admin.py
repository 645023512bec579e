"""Users, roles and clinic membership in the admin, without a way to escalate.

- Only a superuser makes or changes a superuser, or grants permissions one by one.
- Nobody but a superuser changes their own roles, staff flag, active flag or clinics.
- Clinic membership is changed only by a superuser or a manager of that clinic.
- Every change asks for its reason, kept in the audit trail with the old and new values.
- A password set here is a one-time password: its owner must choose their own at the next sign-in.
  With e-mail configured, a password-reset e-mail can be sent instead.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.auth.admin import GroupAdmin, UserAdmin
from django.contrib.auth.forms import (
    AdminPasswordChangeForm,
    AdminUserCreationForm,
    PasswordResetForm,
    UserChangeForm,
)
from django.contrib.auth.models import Group, User
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from schedules.models import Clinic

from .hardening import HardenedAdminMixin, reason_field
from .models import ClinicManager, OneTimePassword

admin.site.unregister(User)
admin.site.unregister(Group)

SUPERUSER_ONLY_FIELDS = ("is_superuser", "user_permissions")
OWN_ACCOUNT_FIELDS = ("groups", "is_staff", "is_active")


def manageable_clinics(request: HttpRequest, account: User | None) -> QuerySet[Clinic]:
    """The clinics whose membership this admin user may change for `account`."""
    actor = request.user
    if actor.is_superuser:
        return Clinic.objects.all()
    if account is not None and account.pk == actor.pk:
        return Clinic.objects.none()
    return Clinic.objects.filter(managers__user_id=actor.pk)


class OneTimePasswordForm(AdminPasswordChangeForm):
    def save(self, commit: bool = True) -> Any:
        user = super().save(commit=commit)
        if commit and user.has_usable_password():
            OneTimePassword.objects.update_or_create(user=user)
        return user


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


class ReasonedUserCreationForm(AdminUserCreationForm):
    change_reason = reason_field(ACCOUNT_REASON)


@admin.register(User)
class AccountAdmin(HardenedAdminMixin, UserAdmin):
    form = MembershipChangeForm
    add_form = ReasonedUserCreationForm
    add_fieldsets = (
        *UserAdmin.add_fieldsets,
        ("Why", {"fields": ("change_reason",)}),
    )
    change_password_form = OneTimePasswordForm
    readonly_fields = ("clinic_list", "last_login", "date_joined")
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

    def _may_edit_clinics(self, request: HttpRequest, obj: User | None) -> bool:
        return obj is not None and manageable_clinics(request, obj).exists()

    def get_fieldsets(self, request: HttpRequest, obj: Any = None) -> Any:
        if obj is None:
            return super().get_fieldsets(request, obj)
        access = ["is_active", "is_staff", "is_superuser", "groups", "user_permissions", "clinic_list"]
        if self._may_edit_clinics(request, obj):
            access.append("clinics")
        return (
            (None, {"fields": ("username", "password")}),
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
        return readonly

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any) -> Any:
        form_class = super().get_form(request, obj, change=change, **kwargs)
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
        account = self.get_object(request, unquote(id))
        if account is not None and account.pk == request.user.pk:
            # One's own password is changed with the old one, on the ordinary page.
            return redirect("password_change")
        return super().user_change_password(request, id, form_url)

    @admin.action(description="Send a password-reset e-mail", permissions=["change"])
    def send_password_reset(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        if not settings.PASSWORD_RESET_ENABLED:
            self.message_user(
                request,
                "E-mail is not configured: set a one-time password on the user's page instead.",
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
