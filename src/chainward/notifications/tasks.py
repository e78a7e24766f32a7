"""Tasks of the notification service, run by the existing worker (`chainward worker`, which
`make run`/`chainward serve` starts): sending one notification, and the daily digest, which
schedules its own next run (no cron)."""

import datetime
import logging

from django.conf import settings
from django.utils import timezone
from django_tasks import default_task_backend, task

logger = logging.getLogger(__name__)

# Local hour (TIME_ZONE) at which the daily digest goes out.
DIGEST_HOUR = getattr(settings, "NOTIFICATIONS_DIGEST_HOUR", 6)


@task()
def send_notification(notification_id):
    """E-mail one notification (queued after the transaction that created it commits)."""
    from .models import Notification
    from .services import send_notification_email

    notification = Notification.objects.select_related("recipient").filter(
        pk=notification_id).first()
    if notification is not None:
        send_notification_email(notification)


def next_digest_time(now=None):
    """The next DIGEST_HOUR o'clock, local time."""
    now = timezone.localtime(now or timezone.now())
    at = now.replace(hour=DIGEST_HOUR, minute=0, second=0, microsecond=0)
    return at if at > now else at + datetime.timedelta(days=1)


_daily_jobs = []


def daily_job(func):
    """Register `func(today)` to run once a day before the digest (e.g. partner reminders)."""
    _daily_jobs.append(func)
    return func


def run_daily_jobs(today=None):
    """Every registered daily job; one failing does not stop the others or the digest."""
    for func in _daily_jobs:
        try:
            func(today)
        except Exception:  # noqa: BLE001 - logged; the digest still goes out
            logger.exception("daily job %s failed", func.__name__)


@task()
def run_daily_digest():
    """Run the daily jobs and send today's digests (idempotent: a person already sent one
    today is skipped), then queue tomorrow's run when the backend can run tasks later."""
    from .digest import send_daily_digests

    try:
        run_daily_jobs()
        sent = send_daily_digests()
    finally:
        schedule_next_digest()
    return sent


def _digest_queued():
    """A digest run is waiting in the database queue."""
    if "django_tasks_db" not in settings.INSTALLED_APPS:
        return False
    from django_tasks.base import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    return DBTaskResult.objects.filter(status=TaskResultStatus.READY,
                                       task_path=run_daily_digest.module_path).exists()


def schedule_next_digest(now=None, *, today_if_due=False):
    """Queue the next digest run unless one is queued already; None when the task backend
    cannot run tasks later (the immediate backend of the tests). `today_if_due` (the worker
    starting) queues today's run at once when its hour has passed: the digest itself skips
    whoever had theirs today."""
    if not default_task_backend.supports_defer or _digest_queued():
        return None
    now = timezone.localtime(now or timezone.now())
    when = next_digest_time(now)
    if today_if_due and when.date() > now.date():
        when = now
    return run_daily_digest.using(run_after=when).enqueue()
