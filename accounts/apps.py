from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Users and clinic membership"

    def ready(self) -> None:
        from . import signals  # noqa: F401  (stamps the sign-in time on the session)
