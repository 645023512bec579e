"""Move each plan's passed next dose change on (Plan.next_change_on): run once a day, e.g. from cron."""

from typing import Any

from django.core.management.base import BaseCommand
from django.utils import timezone

from schedules.models import Plan


class Command(BaseCommand):
    help = (
        "Bring each plan's next dose change up to today. Lists are right without it (they read the step "
        "rows where the date has passed); run daily so they rarely need to."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        today = timezone.localdate()
        moved = Plan.objects.bring_next_change_up_to(today)
        self.stdout.write(f"Next dose changes brought up to {today.isoformat()}: {moved} plans moved on.")
