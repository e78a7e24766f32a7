"""`chainward worker`: run queued background tasks (imports, reports, reminders)."""

from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Run the background task worker (the database queue by default)."

    def add_arguments(self, parser):
        parser.add_argument("--batch", action="store_true",
                            help="Run what is queued, then exit.")

    def handle(self, *args, **options):
        from django.utils.crypto import get_random_string

        from chainward.jobs.services import recover_abandoned_jobs, worker_name

        # A job whose worker died (kill -9, power loss) is failed and undone before new work.
        for job in recover_abandoned_jobs():
            self.stderr.write(f"job {job.pk} ({job.title}) had lost its worker: marked failed")
        # The daily digest and the sweep for jobs whose worker died (every JOB_SWEEP_SECONDS,
        # run by whichever worker is free) schedule their own next run; make sure each is
        # queued (no cron).
        from chainward.jobs.tasks import schedule_sweep
        from chainward.notifications.tasks import schedule_next_digest

        schedule_next_digest(today_if_due=True)
        schedule_sweep()
        extra = ["--batch"] if options["batch"] else []
        # The worker id names host and pid, so the next start can tell whether it is alive.
        worker_id = f"{worker_name()}:{get_random_string(8)}"
        call_command("db_worker", "--queue-name", "*", "--no-reload", "--worker-id", worker_id,
                     *extra)
