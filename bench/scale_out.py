"""Scale-out on one PostgreSQL: two app servers and two task workers share one database.

    .venv/bin/python bench/scale_out.py [--pg postgres://postgres@127.0.0.1:5432]
                                        [--scale S] [--clients 3] [--rounds 10]
                                        [--jobs 6] [--rows 100] [--keep]

What it does, from one command (docs/deploy.md, "Scaling out"):

1. creates a scratch PostgreSQL database (`createdb`) and a scratch instance folder, with the
   secret and ledger keys passed in the environment, the same for every process — as several
   machines would be configured;
2. builds the benchmark organisation with `bench/generate.py` (scale S by default: 50 sites,
   500 partners, 500 legs, every record through the ledgered save);
3. starts TWO app servers (`chainward serve --no-worker --workers 1`, gunicorn, one worker
   process of 4 threads each, on two ports) and TWO task workers (`chainward worker`);
4. queues --jobs real import jobs (each --rows partners, staged and confirmed the way the import
   page does it) and, at the same time, drives a fixed mix of logged-in page and API requests
   at both servers (--clients sessions per server, each making --rounds passes over the mix);
5. waits for the jobs and checks that each ran exactly once: its task claimed by one worker,
   the job succeeded, and each of its partners exists once; then runs `verify-ledger`;
6. prints requests, errors, median/p95 latency and req/s per server, jobs done per worker,
   duplicate jobs (must be 0) and the ledger check; stops every process it started and drops
   the database and the folder (--keep leaves them).

Exit status: 0 when every request answered 200, every job ran once and the ledger verifies; 1
otherwise. Standard library only on the client side (urllib and threads, bench/http.py's Client).
"""

import os
import sys

# bench/ holds http.py: drop this folder from the import path before the standard library's
# `http` package is imported (urllib does).
if sys.path and os.path.abspath(sys.path[0] or ".") == os.path.dirname(os.path.abspath(__file__)):
    del sys.path[0]

import argparse  # noqa: E402
import importlib.util  # noqa: E402
import json  # noqa: E402
import secrets  # noqa: E402
import shutil  # noqa: E402
import signal  # noqa: E402
import socket  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import tempfile  # noqa: E402
import textwrap  # noqa: E402
import threading  # noqa: E402
import time  # noqa: E402
import urllib.parse  # noqa: E402
from pathlib import Path  # noqa: E402

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent


def _load(name, filename):
    """A bench/ script as a module (bench/ is not a package and must not be on sys.path)."""
    spec = importlib.util.spec_from_file_location(name, BENCH / filename)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# Page and API requests, the same for every client: lists, a detail page, the dashboard and
# the API lists and a record. `{site}` is filled with the ids of the organisation's sites.
MIX = (
    ("page", "/"),
    ("page", "/supplychain/sites/"),
    ("page", "/supplychain/partners/"),
    ("page", "/supplychain/legs/"),
    ("page", "/supplychain/sites/{site}/"),
    ("api", "/api/supplychain/sites/?limit=50"),
    ("api", "/api/supplychain/partners/?limit=50"),
    ("api", "/api/supplychain/sites/{site}/"),
)

# Queue the import jobs as the import page's "Confirm" does (core.imports.confirm_import):
# the staged rows are written to the shared instance folder, the job row and its task are
# committed together. Prints the job ids.
QUEUE_JOBS = textwrap.dedent("""
    import json, uuid
    from chainward.access.models import User
    from chainward.core import imports
    from chainward.core.registry import get_register
    from chainward.supplychain.models import Organisation
    org = Organisation.objects.get(name={org!r})
    user = User.objects.get(email={email!r})
    register = get_register("supplychain.partner")
    jobs = []
    for k in range({jobs}):
        token = uuid.uuid4().hex
        rows = [[n + 2, {{"name": f"Scale job {{k}} partner {{n:04d}}", "kind": "carrier",
                          "country": "DE"}}] for n in range({rows})]
        imports.write_staged(token, {{"register": register.label, "user": user.pk,
            "organisation": org.pk, "filename": f"scale-{{k}}.csv", "sha256": "0" * 64,
            "created": "", "validated": True, "rows": rows}})
        jobs.append(str(imports.confirm_import(register, token, user, org).pk))
    print(json.dumps(jobs))
""")

# Job states, which worker ran each, how many workers claimed its task, and how many of its
# partners exist (each must exist once).
JOB_REPORT = textwrap.dedent("""
    import json
    from django.db.models import Count
    from django_tasks_db.models import DBTaskResult
    from chainward.jobs.models import Job
    from chainward.supplychain.models import Partner
    ids = {ids!r}
    claims = {{}}
    for result in DBTaskResult.objects.filter(task_path__endswith="run_import"):
        args = (result.args_kwargs or {{}}).get("args") or [None]
        if args[0] in ids:
            claims.setdefault(args[0], []).append(
                {{"status": result.status, "workers": result.worker_ids}})
    out = []
    for k, job_id in enumerate(ids):
        job = Job.objects.get(pk=job_id)
        names = Partner.objects.filter(name__startswith=f"Scale job {{k}} partner ")
        out.append({{"job": job_id, "status": job.status, "worker": job.worker,
                     "seconds": (job.finished_at - job.started_at).total_seconds()
                     if job.finished_at and job.started_at else None,
                     "partners": names.count(),
                     "distinct": names.values("name").distinct().count(),
                     "tasks": claims.get(job_id, [])}})
    digests = DBTaskResult.objects.filter(task_path__endswith="run_daily_digest",
                                          status="READY").count()
    print(json.dumps({{"jobs": out, "digests_queued": digests}}))
""")


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pg", default=os.environ.get("SCALE_PG",
                                                       "postgres://postgres@127.0.0.1:5432"),
                        help="PostgreSQL server URL without a database name "
                             "(default postgres://postgres@127.0.0.1:5432)")
    parser.add_argument("--scale", default="S", type=str.upper, choices=("S", "M"),
                        help="bench/generate.py scale (default S)")
    parser.add_argument("--clients", type=int, default=3,
                        help="logged-in sessions per app server (default 3)")
    parser.add_argument("--rounds", type=int, default=10,
                        help="passes over the request mix per client (default 10)")
    parser.add_argument("--jobs", type=int, default=6, help="import jobs queued (default 6)")
    parser.add_argument("--rows", type=int, default=100, help="partners per job (default 100)")
    parser.add_argument("--timeout", type=int, default=300,
                        help="seconds to wait for the servers and for the jobs (default 300)")
    parser.add_argument("--keep", action="store_true",
                        help="keep the database and the instance folder afterwards")
    return parser.parse_args(argv)


class Stack:
    """The processes this benchmark started, each in its own process group, stopped together."""

    def __init__(self, env, logs):
        self.env, self.logs, self.procs = env, logs, []

    def start(self, name, *args):
        log = open(self.logs / f"{name}.log", "w")  # noqa: SIM115 — closed in stop()
        proc = subprocess.Popen([sys.executable, "-m", "chainward.cli", *args], env=self.env,
                                cwd=ROOT, stdout=log, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL, start_new_session=True)
        self.procs.append((name, proc, log))
        return proc

    def stop(self):
        for _, proc, _ in self.procs:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)  # the server's gunicorn children too
        for name, proc, log in self.procs:
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
                print(f"  {name} did not stop on SIGTERM; killed")
            log.close()
            try:  # gunicorn workers left behind in the group, if any
                os.killpg(proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def shell(env, code, timeout=300):
    """Run `code` in `chainward shell` against the instance; the last output line as JSON."""
    done = subprocess.run([sys.executable, "-m", "chainward.cli", "shell", "-c", code], env=env,
                          cwd=ROOT, capture_output=True, text=True, timeout=timeout)
    if done.returncode:
        raise RuntimeError(done.stderr.strip()[-2000:])
    return json.loads(done.stdout.strip().splitlines()[-1])


def percentile(values, pct):
    """Nearest-rank percentile (ms)."""
    ordered = sorted(values)
    return ordered[max(1, -(-pct * len(ordered) // 100)) - 1] if ordered else float("nan")


def wait_ready(client_class, url, deadline):
    while time.monotonic() < deadline:
        try:
            if client_class(url, 5).request("/login/")[0] == 200:
                return True
        except OSError:
            pass
        time.sleep(0.5)
    return False


def drive(client, mix, rounds, record):
    """One logged-in session: `rounds` passes over the mix; each (ms, ok) goes to `record`."""
    for _ in range(rounds):
        for kind, path in mix:
            started = time.perf_counter()
            try:
                status = (client.api(path) if kind == "api" else client.request(path))[0]
            except OSError:
                status = None
            record((time.perf_counter() - started) * 1000, status == 200, path)


def main(argv=None):
    args = parse_args(argv)
    web = _load("bench_http", "http.py")
    generate = _load("bench_generate", "generate.py")
    pg = urllib.parse.urlsplit(args.pg)
    db_name = f"chainward_scale_{os.getpid()}"
    pg_env = {**os.environ}
    pg_args = ["-h", pg.hostname or "127.0.0.1", "-p", str(pg.port or 5432),
               "-U", pg.username or "postgres"]
    if pg.password:
        pg_env["PGPASSWORD"] = pg.password
    home = Path(tempfile.mkdtemp(prefix="chainward-scale-"))
    logs = home / "logs"
    logs.mkdir()
    database_url = urllib.parse.urlunsplit(pg._replace(path=f"/{db_name}"))
    # One configuration for every process, from the environment (docs/deploy.md).
    env = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "LEDGER_ANCHOR"}}
    env.update(DATABASE_URL=database_url, CHAINWARD_HOME=str(home),
               SECRET_KEY=secrets.token_urlsafe(50), LEDGER_KEY=secrets.token_urlsafe(48),
               DJANGO_SETTINGS_MODULE="chainward.settings", PYTHONUNBUFFERED="1",
               LOG_LEVEL="ERROR", PYTHONPATH=str(ROOT / "src"))
    stack = Stack(env, logs)
    ok = False
    began = time.monotonic()
    try:
        subprocess.run(["createdb", *pg_args, db_name], env=pg_env, check=True)
        print(f"database {db_name} on {pg.hostname}:{pg.port or 5432}; instance folder {home}")
        step = time.monotonic()
        # Run with the repository as the current folder, not bench/ (bench/http.py would
        # shadow the standard library's http for Django).
        argv_ = ["generate.py", "--scale", args.scale, "--home", str(home)]
        code = (f"import runpy, sys; sys.argv = {argv_!r}; "
                f"runpy.run_path({str(BENCH / 'generate.py')!r}, run_name='__main__')")
        built = subprocess.run([sys.executable, "-c", code], env=env, cwd=ROOT,
                               capture_output=True, text=True)
        if built.returncode:
            raise RuntimeError(f"generate.py failed: {built.stderr.strip()[-2000:]}")
        records = next((line for line in built.stdout.splitlines() if "total" in line), "")
        print(f"built Bench Co {args.scale} (migrate + generate.py) in "
              f"{time.monotonic() - step:.0f} s: {records.split()[-1] if records else '?'} "
              "records through the ledger")

        ports = [free_port(), free_port()]
        for n, port in enumerate(ports, 1):
            stack.start(f"app{n}", "serve", "--no-worker", "--workers", "1", "--port", str(port))
        workers = [stack.start(f"worker{n}", "worker") for n in (1, 2)]
        deadline = time.monotonic() + args.timeout
        for port in ports:
            if not wait_ready(web.Client, f"http://127.0.0.1:{port}", deadline):
                raise RuntimeError(f"the app server on port {port} did not answer; see {logs}")
        print(f"2 app servers (ports {ports[0]}, {ports[1]}; gunicorn 1 process x 4 threads "
              f"each), 2 workers (pids {workers[0].pid}, {workers[1].pid})")

        # Sessions first (logging in is a password hash, not part of the mix).
        clients = {}
        for port in ports:
            clients[port] = []
            for _ in range(args.clients):
                client = web.Client(f"http://127.0.0.1:{port}", 60)
                client.login(generate.BENCH_EMAIL, generate.BENCH_PASSWORD)
                clients[port].append(client)
        status, body, _ = clients[ports[0]][0].api("/api/supplychain/sites/?limit=20")
        sites = [row["id"] for row in json.loads(body)["results"]] if status == 200 else [0]
        load_before = os.getloadavg()[0]

        job_ids = shell(env, QUEUE_JOBS.format(org=f"Bench Co {args.scale}",
                                                email=generate.BENCH_EMAIL, jobs=args.jobs,
                                                rows=args.rows))
        queued_at = time.monotonic()
        print(f"queued {len(job_ids)} import jobs of {args.rows} partners each")

        results = {port: [] for port in ports}
        lock = threading.Lock()
        threads = []
        for port in ports:
            for n, client in enumerate(clients[port]):
                mix = [(kind, path.format(site=sites[(n + i) % len(sites)]))
                       for i, (kind, path) in enumerate(MIX)]

                def record(ms, good, path, port=port):
                    with lock:
                        results[port].append((ms, good, path))

                threads.append(threading.Thread(target=drive,
                                                args=(client, mix, args.rounds, record)))
        started = time.monotonic()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        wall = time.monotonic() - started
        load_after = os.getloadavg()[0]

        deadline = time.monotonic() + args.timeout
        while True:
            report = shell(env, JOB_REPORT.format(ids=job_ids))
            finished = [j for j in report["jobs"] if j["status"] in ("succeeded", "failed")]
            if len(finished) == len(job_ids) or time.monotonic() > deadline:
                break
            time.sleep(2)
        jobs_wall = time.monotonic() - queued_at
        verify = subprocess.run([sys.executable, "-m", "chainward.cli", "verify-ledger"],
                                env=env, cwd=ROOT, capture_output=True, text=True)

        print()
        print(f"HTTP: {len(threads)} sessions ({args.clients} per server) x {args.rounds} "
              f"passes over {len(MIX)} requests (5 pages, 3 API), all at once; "
              f"{wall:.1f} s wall; load average {load_before:.1f} -> {load_after:.1f}")
        print(f"{'server':<12}{'requests':>9}{'errors':>8}{'p50 ms':>9}{'p95 ms':>9}"
              f"{'req/s':>8}")
        errors = 0
        everything = []
        for n, port in enumerate(ports, 1):
            rows = results[port]
            times = [ms for ms, _, _ in rows]
            bad = sum(1 for _, good, _ in rows if not good)
            errors += bad
            everything += times
            print(f"{f'app{n} :{port}':<12}{len(rows):>9}{bad:>8}"
                  f"{statistics.median(times):>9.0f}{percentile(times, 95):>9.0f}"
                  f"{len(rows) / wall:>8.1f}")
        print(f"{'both':<12}{len(everything):>9}{errors:>8}{statistics.median(everything):>9.0f}"
              f"{percentile(everything, 95):>9.0f}{len(everything) / wall:>8.1f}")
        for port in ports:
            failed = sorted({path for _, good, path in results[port] if not good})
            if failed:
                print(f"  errors on :{port}: {', '.join(failed[:5])}")

        pids = {str(proc.pid): f"worker{n}" for n, proc in enumerate(workers, 1)}
        per_worker = {}
        duplicates = 0
        done = 0
        for job in report["jobs"]:
            who = pids.get(job["worker"].rpartition(":")[2], job["worker"] or "none")
            per_worker[who] = per_worker.get(who, 0) + 1
            claims = sum(len(task["workers"]) for task in job["tasks"])
            extra = job["partners"] - args.rows
            once = (job["status"] == "succeeded" and len(job["tasks"]) == 1 and claims == 1
                    and extra == 0 and job["distinct"] == args.rows)
            done += job["status"] == "succeeded"
            if claims > 1 or extra > 0:
                duplicates += 1
            if not once:
                print(f"  job {job['job']}: {job['status']}, tasks {job['tasks']}, "
                      f"{job['partners']} partners ({job['distinct']} distinct)")
        seconds = [j["seconds"] for j in report["jobs"] if j["seconds"] is not None]
        print()
        print(f"jobs: {len(job_ids)} queued, {done} succeeded, duplicates {duplicates}; "
              f"ran on {', '.join(f'{w}: {c}' for w, c in sorted(per_worker.items()))}; "
              f"{args.rows * done} partners imported through the ledger; each job "
              f"{min(seconds, default=0):.1f}-{max(seconds, default=0):.1f} s, all done "
              f"{jobs_wall:.0f} s after queueing")
        print(f"daily digest tasks queued by the two worker starts: {report['digests_queued']}")
        ledger = (verify.stdout.strip() or verify.stderr.strip()).splitlines()
        print(f"verify-ledger: exit {verify.returncode}: {ledger[-1] if ledger else ''}")
        ok = (errors == 0 and duplicates == 0 and done == len(job_ids)
              and verify.returncode == 0)
    finally:
        stack.stop()
        if args.keep:
            print(f"kept: database {db_name}, folder {home}")
        else:
            subprocess.run(["dropdb", *pg_args, "--if-exists", db_name], env=pg_env,
                           check=False)
            shutil.rmtree(home, ignore_errors=True)
        print(f"total {time.monotonic() - began:.0f} s; "
              f"{'OK' if ok else 'FAILED'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
