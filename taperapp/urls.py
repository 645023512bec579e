from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponsePermanentRedirect
from django.templatetags.static import static
from django.urls import URLPattern, URLResolver, include, path
from django.views.i18n import JavaScriptCatalog
from django_otp_webauthn import views as passkey_views

from accounts import views as accounts
from accounts.views import PasswordChangeView

# Signing in and out and changing one's password; password reset only when e-mail is configured
# (without a mail server the reset e-mail would silently go nowhere).
account_urls: list[URLPattern | URLResolver] = [
    path(
        "login/",
        auth_views.LoginView.as_view(
            redirect_authenticated_user=True,
            extra_context={"password_reset_enabled": settings.PASSWORD_RESET_ENABLED},
        ),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password_change/", PasswordChangeView.as_view(), name="password_change"),
    path("password_change/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    # The second factor: asked at every sign-in, enrolled at the first.
    path("two-factor/", accounts.verify, name="two_factor_verify"),
    path("two-factor/enrol/", accounts.enrol, name="two_factor_enrol"),
    path("two-factor/recovery-codes/", accounts.recovery_codes, name="two_factor_recovery_codes"),
]

# django-otp-webauthn's passkey ceremonies (its URL names), the completions audited.
passkey_urls: list[URLPattern | URLResolver] = [
    path(
        "registration/begin/",
        passkey_views.BeginCredentialRegistrationView.as_view(),
        name="credential-registration-begin",
    ),
    path(
        "registration/complete/",
        accounts.PasskeyRegisterView.as_view(),
        name="credential-registration-complete",
    ),
    path(
        "authentication/begin/",
        passkey_views.BeginCredentialAuthenticationView.as_view(),
        name="credential-authentication-begin",
    ),
    path(
        "authentication/complete/",
        accounts.PasskeyVerifyView.as_view(),
        name="credential-authentication-complete",
    ),
    path("jsi18n/", JavaScriptCatalog.as_view(packages=["django_otp_webauthn"]), name="js-i18n-catalog"),
]
if settings.PASSWORD_RESET_ENABLED:
    account_urls += [
        path("password_reset/", auth_views.PasswordResetView.as_view(), name="password_reset"),
        path("password_reset/done/", auth_views.PasswordResetDoneView.as_view(), name="password_reset_done"),
        path(
            "reset/<uidb64>/<token>/",
            accounts.PasswordResetConfirmView.as_view(),
            name="password_reset_confirm",
        ),
        path("reset/done/", auth_views.PasswordResetCompleteView.as_view(), name="password_reset_complete"),
    ]


@login_not_required
def favicon(request: HttpRequest) -> HttpResponsePermanentRedirect:
    # Resolved per request: the hashed name exists only once collectstatic has run.
    return HttpResponsePermanentRedirect(static("favicon.svg"))


urlpatterns = [
    # Browsers ask for /favicon.ico on every page, the admin's included.
    path("favicon.ico", favicon),
    path("admin/", admin.site.urls),
    path("accounts/", include(account_urls)),
    path("accounts/passkeys/", include((passkey_urls, "otp_webauthn"))),
    path("", include("followup.urls")),
    path("", include("schedules.urls")),
]

# A request past its limits (too many fields, too large a body, too many rows): a page saying which.
handler400 = "taperapp.errors.bad_request"
