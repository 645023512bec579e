"""Choosing one's own password, which ends a one-time password set by an administrator."""

from __future__ import annotations

from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import PasswordChangeForm
from django.http import HttpResponse

from .models import OneTimePassword
from .signals import MUST_CHANGE_PASSWORD


class PasswordChangeView(auth_views.PasswordChangeView):
    def form_valid(self, form: PasswordChangeForm) -> HttpResponse:
        response = super().form_valid(form)
        OneTimePassword.objects.filter(user=form.user).delete()
        self.request.session.pop(MUST_CHANGE_PASSWORD, None)
        return response
