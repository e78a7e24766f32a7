"""Import throughput on SQLite, alone and with concurrent writers (issue 10 finding 18).

Makes a fresh instance folder from a migrated template database, stages N partner rows as a
confirmed import job, starts `chainward worker`, and (with --writers) runs that many threads
in another process that each save a goods category through `save_record` about twice a second
until the import finishes. Prints the import's rows/s and the writers' count, errors and waits.

    .venv/bin/python bench/import_writers.py --rows 5000 --writers 16
    .venv/bin/python bench/import_writers.py --rows 5000 --writers 0       # the import alone

The template is migrated once into --template (default /tmp/chainward-bench-template).
"""

import argparse
import json
import os
import secrets
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

ORG, EMAIL, PASSWORD = "Bench Import", "import@bench.example", "bench import password 1"

PREPARE = textwrap.dedent("""
    import json, uuid
    from chainward.access.models import Role, RoleAssignment, User
    from chainward.core import imports
    from chainward.core.registry import get_register
    from chainward.ledger.context import actor_context
    from chainward.supplychain.models import Organisation
    with actor_context(None, name="bench"):
        org = Organisation.objects.create(name={org!r})
        user = User.objects.create_user({email!r}, {password!r}, full_name="Bench importer")
        RoleAssignment.objects.create(organisation=org, user=user, all_sites=True,
                                      role=Role.objects.get(name="Administrator"))
    register = get_register("supplychain.partner")
    token = uuid.uuid4().hex
    rows = [[n + 2, {{"name": f"Bulk Partner {{n:05d}}", "kind": "carrier", "country": "DE"}}]
            for n in range({rows})]
    imports.write_staged(token, {{"register": register.label, "user": user.pk,
        "organisation": org.pk, "filename": "bulk.csv", "sha256": "0" * 64, "created": "",
        "validated": True, "rows": rows}})
    job = imports.confirm_import(register, token, user, org)
    print(json.dumps({{"job": str(job.pk)}}))
""")

WRITERS = textwrap.dedent("""
    import json, threading, time
    from django.contrib.auth import authenticate
    from django.db import connection
    from chainward.access.models import User
    from chainward.core import services
    from chainward.jobs.models import Job
    from chainward.supplychain.models import GoodsCategory, Organisation
    org, user = Organisation.objects.get(name={org!r}), User.objects.get(email={email!r})
    errors, latencies, logins, deadline = [], [], [], time.monotonic() + {seconds}
    def import_finished():
        return Job.objects.filter(kind="import", status__in=["succeeded", "failed"]).exists()
    def writer(i):
        n = 0
        try:
            while time.monotonic() < deadline and not import_finished():
                started = time.monotonic()
                try:
                    services.save_record(user, GoodsCategory(organisation=org,
                                                             name=f"Writer {{i}}-{{n}}"))
                except Exception as exc:
                    errors.append(f"{{type(exc).__name__}}: {{exc}}")
                latencies.append(time.monotonic() - started)
                if {login} and n % 4 == 0:  # a login check reads beside the writes
                    started = time.monotonic()
                    try:
                        assert authenticate(email={email!r}, password={password!r})
                    except Exception as exc:
                        errors.append(f"login: {{type(exc).__name__}}: {{exc}}")
                    logins.append(time.monotonic() - started)
                n += 1
                time.sleep(0.5)
        finally:
            connection.close()
    threads = [threading.Thread(target=writer, args=(i,)) for i in range({threads})]
    [t.start() for t in threads]
    [t.join() for t in threads]
    latencies.sort()
    pick = lambda q: latencies[min(len(latencies) - 1, int(q * len(latencies)))] if latencies else 0
    print(json.dumps({{"errors": errors, "writes": len(latencies), "p50": pick(0.5),
                       "p99": pick(0.99), "max": max(latencies, default=0),
                       "logins": len(logins), "login_max": max(logins, default=0)}}))
""")


def env_for(home, extra):
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "LEDGER_ANCHOR"}}
    env.update(CHAINWARD_HOME=str(home), DJANGO_SETTINGS_MODULE="chainward.settings",
               PYTHONUNBUFFERED="1", LOG_LEVEL="ERROR", **extra)
    return env


def cli(*args):
    return [sys.executable, "-m", "chainward.cli", *args]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=5000)
    parser.add_argument("--writers", type=int, default=16)
    parser.add_argument("--template", default="/tmp/chainward-bench-template")
    parser.add_argument("--timeout", type=int, default=900)
    parser.add_argument("--no-login", action="store_true",
                        help="leave out the login check every fourth write (PBKDF2 costs CPU)")
    args = parser.parse_args()

    template = Path(args.template)
    if not (template / "chainward.sqlite3").exists():
        template.mkdir(parents=True, exist_ok=True)
        subprocess.run(cli("migrate", "-v0"), env=env_for(template, {}), check=True)
    home = Path(tempfile.mkdtemp(prefix="chainward-bench-import-"))
    shutil.copy(template / "chainward.sqlite3", home / "chainward.sqlite3")
    for name in ("secret_key", "ledger_key"):
        (home / name).write_text(secrets.token_urlsafe(48))
    env = env_for(home, {})

    code = PREPARE.format(org=ORG, email=EMAIL, password=PASSWORD, rows=args.rows)
    out = subprocess.run(cli("shell", "-c", code), env=env, check=True, capture_output=True,
                         text=True).stdout
    job = json.loads(out.strip().splitlines()[-1])["job"]
    worker = subprocess.Popen(cli("worker"), env=env)
    started = time.monotonic()
    report = None
    try:
        if args.writers:
            code = WRITERS.format(org=ORG, email=EMAIL, password=PASSWORD, threads=args.writers,
                                  seconds=args.timeout, login=not args.no_login)
            done = subprocess.run(cli("shell", "-c", code), env=env, capture_output=True,
                                  text=True, timeout=args.timeout + 60)
            if done.returncode:
                print(done.stderr, file=sys.stderr)
            report = json.loads(done.stdout.strip().splitlines()[-1])
        deadline = time.monotonic() + args.timeout
        db = sqlite3.connect(home / "chainward.sqlite3", timeout=30)
        while time.monotonic() < deadline:
            status, began, ended = db.execute(
                "SELECT status, started_at, finished_at FROM jobs_job WHERE id = ?",
                (job.replace("-", ""),)).fetchone()
            if status in {"succeeded", "failed"}:
                break
            time.sleep(0.2)
        db.close()
    finally:
        worker.terminate()
        worker.wait(timeout=60)
    from datetime import datetime

    took = (datetime.fromisoformat(ended) - datetime.fromisoformat(began)).total_seconds()
    print(f"import of {args.rows} rows: {status} in {took:.1f} s = {args.rows / took:.0f} rows/s "
          f"(wall {time.monotonic() - started:.1f} s from worker start)")
    if report is not None:
        print(f"{args.writers} writers: {report['writes']} writes, {len(report['errors'])} errors "
              f"{report['errors'][:3]}, wait p50 {report['p50']:.3f} s, p99 {report['p99']:.3f} s, "
              f"max {report['max']:.3f} s; {report['logins']} login checks, longest "
              f"{report['login_max']:.3f} s")
    verify = subprocess.run(cli("verify-ledger"), env=env, capture_output=True, text=True)
    print("verify-ledger:", verify.returncode, verify.stdout.strip()[-120:])
    shutil.rmtree(home)


if __name__ == "__main__":
    main()
