"""Django's admin looks for `schedules.admin`: the admin pages live with their area."""

from schedules.reference import admin as reference_admin

__all__ = ["reference_admin"]
