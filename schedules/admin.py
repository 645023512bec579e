"""Django's admin looks for `schedules.admin`: the admin pages live with their area."""

from django.contrib import admin
from django_tasks_db.models import DBTaskResult

from schedules.reference import admin as reference_admin

# The task queue's rows hold document ids only; a printed document's state, and the reason it
# failed, are on the document itself. The queue's own admin pages are left out.
admin.site.unregister(DBTaskResult)

__all__ = ["reference_admin"]
