"""Scale-out on PostgreSQL and Redis: one app server against two, writes, jobs, a killed worker.

    .venv/bin/python bench/scale_out.py [--pg postgres://postgres@127.0.0.1:5432]
        [--redis redis://127.0.0.1:6379] [--redis-db 13] [--scale S] [--sessions 8]
        [--seconds 12] [--repeats 2] [--writers 8] [--write-records 3] [--write-seconds 8]
        [--jobs 6] [--rows 100] [--kill-rows 3000] [--keep]

One command (docs/deploy.md, "Scaling out"), every process configured by the same environment,
as separate machines would be: DATABASE_URL (a scratch PostgreSQL database), REDIS_URL (one
Redis database number, which must be empty: it is flushed at the end, nothing else is),
SESSION_STORE=cache (sessions in Redis), SECRET_KEY and LEDGER_KEY.

1. createdb, then `bench/generate.py --scale S` (migrate + 1,110 ledgered records).
2. Starts TWO app servers (`chainward serve --no-worker --workers 1`: gunicorn, ONE worker
   process of 4 threads each) and TWO task workers (`chainward worker`, the database queue).
3. Reads: --sessions logged-in sessions (logged in through app 1, so also a check that app 2
   accepts sessions it did not create) run a fixed mix of pages and API reads for --seconds,
   first all against app 1 ("1 server"), then half against each ("2 servers"); repeated
   --repeats times, alternating, so that load from other work falls on both. Per phase: req/s,
   p50/p95, errors, the 1-minute load average (os.getloadavg(), sampled twice a second), and
   CPU time in cores of the whole machine, of each app server, of this database's PostgreSQL
   backends and of the client. Prints the scaling ratio (requests/s, 2 servers over 1).
4. Writes: --writers threads (half through each server) read a site through the API and PATCH
   its description with the version they read, over --write-records sites, for --write-seconds.
   Counts successes, refusals (409, stale version) and errors; then a LOST update is a success
   whose change is neither in the ledger (an update entry of that record carrying its value at
   its version) nor, for the last success of a record, the record as stored; two successes
   from the same version count as lost too. Must be 0.
5. Jobs: queues --jobs import jobs (--rows partners each, confirmed as the import page does) and
   shows how they spread over the two workers, each run once (one claim, its partners once).
6. Kills the worker running a --kill-rows import with SIGKILL once a first batch is committed,
   shows the job still "running", then starts a worker again as a supervisor
   (systemd Restart=always) would: its start-up recovery (jobs.services.recover_abandoned_jobs)
   fails the job and undoes what it wrote. The job must end failed, never stay running.
7. `chainward verify-ledger`, then stops every process, drops the database, flushes the Redis
   database and removes the instance folder, also on failure (--keep leaves them).

Exit status 0 when every request answered as expected, no update was lost, every job ran once,
the killed job ended failed and the ledger verifies; 1 otherwise. The scaling ratio is printed
against its target (1.7x) but does not change the exit status: it depends on what else the
machine runs. Client: standard library (bench/loadtest.py's Client); psycopg and redis from the
virtualenv read the database and Redis directly.
"""

import argparse
import json
import os
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import textwrap
import threading
import time
import urllib.parse
from pathlib import Path

import loadtest

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
EMAIL, PASSWORD = "bench@bench.example", "bench-Chainward-2028!"  # generate.py's defaults
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
CORES = os.cpu_count() or 1

# Page and API reads, the same for every session: the dashboard, three lists, a site page, two
# API lists and one API record. `{site}` is filled with the ids of the organisation's sites.
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

# Queue import jobs as the import page's "Confirm" does (core.imports.confirm_import): the staged
# rows go to the shared instance folder, the job row is committed and its task queued on commit.
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
    for k, prefix in enumerate({prefixes!r}):
        token = uuid.uuid4().hex
        rows = [[n + 2, {{"name": f"{{prefix}} {{n:05d}}", "kind": "carrier",
                          "country": "DE"}}] for n in range({rows})]
        imports.write_staged(token, {{"register": register.label, "user": user.pk,
            "organisation": org.pk, "filename": f"scale-{{k}}.csv", "sha256": "0" * 64,
            "created": "", "validated": True, "rows": rows}})
        jobs.append(str(imports.confirm_import(register, token, user, org).pk))
    print(json.dumps(jobs))
""")


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add = parser.add_argument
    add("--pg", default=os.environ.get("SCALE_PG", "postgres://postgres@127.0.0.1:5432"),
        help="PostgreSQL server URL without a database name")
    add("--redis", default=os.environ.get("SCALE_REDIS", "redis://127.0.0.1:6379"),
        help="Redis server URL without a database number")
    add("--redis-db", type=int, default=13,
        help="Redis database number to use; must be empty, flushed at the end (default 13)")
    add("--scale", default="S", type=str.upper, choices=("S", "M"),
        help="bench/generate.py scale (default S)")
    add("--sessions", type=int, default=8,
        help="logged-in sessions reading at once, in both phases (default 8)")
    add("--seconds", type=float, default=12, help="length of each read phase (default 12)")
    add("--repeats", type=int, default=2,
        help="pairs of read phases (1 server, 2 servers), alternating (default 2)")
    add("--writers", type=int, default=8, help="concurrent API writers (default 8)")
    add("--write-records", type=int, default=3, help="sites they all write to (default 3)")
    add("--write-seconds", type=float, default=8, help="length of the writes (default 8)")
    add("--jobs", type=int, default=6, help="import jobs queued (default 6)")
    add("--rows", type=int, default=100, help="partners per job (default 100)")
    add("--kill-rows", type=int, default=3000,
        help="partners of the job whose worker is killed (default 3000)")
    add("--timeout", type=int, default=120,
        help="seconds to wait for the servers, the jobs and the recovery (default 120)")
    add("--keep", action="store_true",
        help="keep the database, the Redis data and the instance folder afterwards")
    return parser.parse_args(argv)


# --- Processes ----------------------------------------------------------------------------------
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


def wait_ready(url, deadline):
    while time.monotonic() < deadline:
        try:
            if loadtest.Client(url, 5).request("/login/")[0] == 200:
                return True
        except OSError:
            pass
        time.sleep(0.5)
    return False


# --- CPU accounting from /proc --------------------------------------------------------------------
def _proc_stats():
    """(pid, process group, cpu seconds, command line) of every process we can read."""
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            fields = Path(entry.path, "stat").read_text().rpartition(")")[2].split()
            cmdline = Path(entry.path, "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        yield int(entry.name), int(fields[2]), (int(fields[11]) + int(fields[12])) / CLOCK_TICKS, \
            cmdline


def cpu_snapshot(groups, db_name):
    """CPU seconds so far per process: those of the process groups in `groups` (by group) and
    the PostgreSQL backends of `db_name` ("pg"); this process; the machine's busy/total
    jiffies."""
    per_pid = {}
    for pid, pgid, seconds, cmdline in _proc_stats():
        if pgid in groups:
            per_pid[pid] = (pgid, seconds)
        elif cmdline.startswith("postgres:") and f" {db_name} " in cmdline:
            per_pid[pid] = ("pg", seconds)
    times = os.times()
    cpu = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    return {"pids": per_pid, "self": times.user + times.system,
            "busy": sum(cpu) - cpu[3] - cpu[4], "total": sum(cpu)}


def cores_used(before, after, wall):
    """Cores used between two snapshots: {group or "pg": cores}, client, whole machine. A
    process that ended in between is not counted (a backend closed by CONN_MAX_AGE)."""
    used = {}
    for pid, (owner, seconds) in after["pids"].items():
        old = before["pids"].get(pid)
        used[owner] = used.get(owner, 0.0) + (seconds - (old[1] if old else 0.0)) / wall
    return used, (after["self"] - before["self"]) / wall, \
        CORES * (after["busy"] - before["busy"]) / max(1, after["total"] - before["total"])


# --- Reads ----------------------------------------------------------------------------------------
def percentile(values, pct):
    """Nearest-rank percentile (ms)."""
    ordered = sorted(values)
    return ordered[max(1, -(-pct * len(ordered) // 100)) - 1] if ordered else float("nan")


def read_phase(plan, seconds, sites):
    """Each (client, base URL) in `plan` loops over the mix for `seconds`, all at once.

    Returns (requests per base, latencies ms, errors, wall seconds, load averages sampled)."""
    counts, latencies, errors = {}, [], []
    lock = threading.Lock()
    deadline = time.monotonic() + seconds

    def drive(n, client, base):
        client.base = base
        i = 0
        while time.monotonic() < deadline:
            kind, path = MIX[i % len(MIX)]
            path = path.format(site=sites[(n + i) % len(sites)])
            started = time.perf_counter()
            try:
                status = (client.api(path) if kind == "api" else client.request(path))[0]
            except OSError as exc:
                status = type(exc).__name__
            ms = (time.perf_counter() - started) * 1000
            with lock:
                counts[base] = counts.get(base, 0) + 1
                latencies.append(ms)
                if status != 200:
                    errors.append(f"{status} {path}")
            i += 1

    threads = [threading.Thread(target=drive, args=(n, client, base), daemon=True)
               for n, (client, base) in enumerate(plan)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    loads = []
    while any(thread.is_alive() for thread in threads):
        loads.append(os.getloadavg()[0])
        time.sleep(0.5)
    for thread in threads:
        thread.join()
    return counts, latencies, errors, time.monotonic() - started, loads


# --- Writes ---------------------------------------------------------------------------------------
def write_phase(clients, ids, seconds):
    """Writers read a site and PATCH its description with the version they read."""
    successes, conflicts, errors = [], [0], []
    lock = threading.Lock()
    deadline = time.monotonic() + seconds

    def write(w, client):
        n = 0
        while time.monotonic() < deadline:
            pk = ids[(w + n) % len(ids)]
            path = f"/api/supplychain/sites/{pk}/"
            status, body, _ = client.api(path)
            if status != 200:
                with lock:
                    errors.append(f"GET {status}")
                n += 1
                continue
            value = f"scale-out writer {w} write {n}"
            status, body, _ = client.api(path, "PATCH", {"description": value,
                                                          "version": json.loads(body)["version"]})
            with lock:
                if status == 200:
                    successes.append((pk, value, json.loads(body)["version"]))
                elif status == 409:
                    conflicts[0] += 1
                else:
                    errors.append(f"PATCH {status} {body[:200]}")
            n += 1

    threads = [threading.Thread(target=write, args=(w, client), daemon=True)
               for w, client in enumerate(clients)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return successes, conflicts[0], errors, time.monotonic() - started


def lost_updates(db, successes, ids):
    """Successes whose change is neither in the ledger nor (the last one) in the stored record,
    plus successes that share a version with another success of the same record."""
    with db.cursor() as cur:
        cur.execute("SELECT object_id, after->>'description', (after->>'version')::int "
                    "FROM ledger_ledgerentry WHERE object_type = 'supplychain.site' "
                    "AND action = 'update' AND object_id = ANY(%s)", [[str(i) for i in ids]])
        ledgered = {(int(pk), value, version) for pk, value, version in cur.fetchall()}
        cur.execute("SELECT id, description, version FROM supplychain_site WHERE id = ANY(%s)",
                    [list(ids)])
        stored = {pk: (value, version) for pk, value, version in cur.fetchall()}
    lost, seen = [], set()
    last = {}
    for pk, value, version in successes:
        if (pk, version) in seen:
            lost.append((pk, value, version, "another success has the same version"))
        seen.add((pk, version))
        if version > last.get(pk, (0, ""))[0]:
            last[pk] = (version, value)
        if (pk, value, version) not in ledgered:
            lost.append((pk, value, version, "not in the ledger"))
    for pk, (version, value) in last.items():
        if stored[pk] != (value, version):
            lost.append((pk, value, version, f"record holds {stored[pk]}"))
    return lost, stored


# --- Jobs -----------------------------------------------------------------------------------------
def job_rows(db, job_ids):
    with db.cursor() as cur:
        cur.execute("SELECT id::text, status, worker, started_at, finished_at, result "
                    "FROM jobs_job WHERE id::text = ANY(%s)", [job_ids])
        return {row[0]: row[1:] for row in cur.fetchall()}


def task_claims(db, job_id):
    """(status, worker ids) of each task queued for the job."""
    with db.cursor() as cur:
        cur.execute("SELECT status, worker_ids FROM django_tasks_database_dbtaskresult "
                    "WHERE task_path LIKE %s AND args_kwargs->'args'->>0 = %s",
                    ["%run_import", job_id])
        return cur.fetchall()


def partners_named(db, prefix):
    with db.cursor() as cur:
        cur.execute("SELECT count(*), count(DISTINCT name) FROM supplychain_partner "
                    "WHERE name LIKE %s", [prefix + " %"])
        return cur.fetchone()


def wait_jobs(db, job_ids, timeout, done=("succeeded", "failed")):
    deadline = time.monotonic() + timeout
    while True:
        rows = job_rows(db, job_ids)
        if all(rows[j][0] in done for j in job_ids) or time.monotonic() > deadline:
            return rows
        time.sleep(0.5)


def worker_label(worker, names):
    return names.get(worker.rpartition(":")[2], worker or "none")


# --- The run --------------------------------------------------------------------------------------
def main(argv=None):
    args = parse_args(argv)
    try:
        import psycopg
        import redis
    except ImportError as exc:
        print(f"error: {exc}; the app servers need redis-py for REDIS_URL "
              "(pip install redis into the virtualenv)", file=sys.stderr)
        return 2
    pg = urllib.parse.urlsplit(args.pg)
    db_name = f"chainward_scale_{os.getpid()}"
    pg_env = {**os.environ}
    pg_args = ["-h", pg.hostname or "127.0.0.1", "-p", str(pg.port or 5432),
               "-U", pg.username or "postgres"]
    if pg.password:
        pg_env["PGPASSWORD"] = pg.password
    redis_url = f"{args.redis.rstrip('/')}/{args.redis_db}"
    cache = redis.Redis.from_url(redis_url)
    if cache.dbsize():
        print(f"error: Redis database {args.redis_db} is not empty; choose another --redis-db "
              "(this benchmark flushes the one it uses)", file=sys.stderr)
        return 2
    home = Path(tempfile.mkdtemp(prefix="chainward-scale-"))
    logs = home / "logs"
    logs.mkdir()
    database_url = urllib.parse.urlunsplit(pg._replace(path=f"/{db_name}"))
    # One configuration for every process, from the environment (docs/deploy.md).
    env = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "LEDGER_ANCHOR"}}
    env.update(DATABASE_URL=database_url, REDIS_URL=redis_url, SESSION_STORE="cache",
               CHAINWARD_HOME=str(home), SECRET_KEY=secrets.token_urlsafe(50),
               LEDGER_KEY=secrets.token_urlsafe(48), DJANGO_SETTINGS_MODULE="chainward.settings",
               PYTHONUNBUFFERED="1", LOG_LEVEL="ERROR", PYTHONPATH=str(ROOT / "src"),
               # Two-step sign-in, when required of Administrators (MFA_REQUIRED_ROLES), would
               # stop the bench user, an Administrator who logs in with a password alone.
               MFA_REQUIRED_ROLES="")
    stack = Stack(env, logs)
    db = None
    ok = False
    created = False
    began = time.monotonic()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # clean up on kill too
    try:
        subprocess.run(["createdb", *pg_args, db_name], env=pg_env, check=True)
        created = True
        print(f"PostgreSQL database {db_name}; Redis {redis_url} (sessions and cache); "
              f"instance folder {home}; {CORES} cores")
        step = time.monotonic()
        built = subprocess.run([sys.executable, str(BENCH / "generate.py"), "--scale",
                                args.scale, "--home", str(home)], env=env, cwd=BENCH,
                               capture_output=True, text=True)
        if built.returncode:
            raise RuntimeError(f"generate.py failed: {built.stderr.strip()[-2000:]}")
        records = next((line for line in built.stdout.splitlines() if "total" in line), "")
        print(f"built Bench Co {args.scale} (cd bench && python generate.py: migrate + "
              f"{records.split()[-1] if records else '?'} ledgered records) in "
              f"{time.monotonic() - step:.0f} s")
        db = psycopg.connect(database_url, autocommit=True)
        with db.cursor() as cur:
            cur.execute("SHOW server_version")
            pg_version = cur.fetchone()[0].split()[0]
        print(f"PostgreSQL {pg_version}, Redis {cache.info('server')['redis_version']}, Python "
              f"{sys.version.split()[0]}, load average {os.getloadavg()[0]:.1f}")

        ports = [free_port(), free_port()]
        apps = [stack.start(f"app{n}", "serve", "--no-worker", "--workers", "1",
                            "--port", str(port)) for n, port in enumerate(ports, 1)]
        workers = [stack.start(f"worker{n}", "worker") for n in (1, 2)]
        urls = [f"http://127.0.0.1:{port}" for port in ports]
        deadline = time.monotonic() + args.timeout
        for url in urls:
            if not wait_ready(url, deadline):
                raise RuntimeError(f"the app server at {url} did not answer; see {logs}")
        print(f"app1 :{ports[0]}, app2 :{ports[1]} (each gunicorn, 1 worker process x 4 "
              f"threads); worker1 pid {workers[0].pid}, worker2 pid {workers[1].pid}")

        # Sessions, all logged in through app 1 (logging in is a password hash, not a read).
        clients = []
        for _ in range(args.sessions):
            client = loadtest.Client(urls[0], 60)
            client.login(EMAIL, PASSWORD)
            clients.append(client)
        status, body, _ = clients[0].api("/api/supplychain/sites/?limit=20")
        if status != 200:
            raise RuntimeError(f"API sites list: HTTP {status}")
        sites = [row["id"] for row in json.loads(body)["results"]]
        # Warm both servers with every session, and check app 2 accepts app 1's sessions.
        warm_errors = []
        for url in (urls[1], urls[0]):
            warm_errors += read_phase([(c, url) for c in clients], 2, sites)[2]
        session_keys = sum(1 for _ in cache.scan_iter(match="*django.contrib.sessions.cache*"))
        with db.cursor() as cur:
            cur.execute("SELECT count(*) FROM django_session")
            session_rows = cur.fetchone()[0]
        print(f"{args.sessions} sessions logged in through app1, used on app1 and app2: "
              f"{len(warm_errors)} errors; Redis db {args.redis_db} holds {session_keys} "
              f"session keys, table django_session {session_rows} rows")

        # --- Reads: 1 server, then 2 servers, alternating ---------------------------------
        print()
        print(f"READS: {args.sessions} sessions, {len(MIX)}-request mix (5 pages, 3 API), "
              f"{args.seconds:.0f} s per phase; CPU in cores of {CORES}")
        print(f"{'phase':<14}{'requests':>9}{'errors':>7}{'req/s':>7}{'p50 ms':>7}"
              f"{'p95 ms':>7}{'load':>6}{'machine':>8}{'app1':>6}{'app2':>6}{'PG':>6}"
              f"{'client':>7}{'req/CPU-s':>10}")
        groups = [proc.pid for proc in apps]
        rates, per_cpu, app_cpu = {1: [], 2: []}, {1: [], 2: []}, {1: [], 2: []}
        read_errors = list(warm_errors)
        for repeat in range(args.repeats):
            for servers in (1, 2):
                plan = [(c, urls[0] if servers == 1 else urls[n % 2])
                        for n, c in enumerate(clients)]
                before = cpu_snapshot(groups, db_name)
                counts, latencies, errors, wall, loads = read_phase(plan, args.seconds, sites)
                used, client_cores, machine = cores_used(before, cpu_snapshot(groups, db_name),
                                                         wall)
                app_cores = used.get(groups[0], 0.0) + used.get(groups[1], 0.0)
                read_errors += errors
                rate = len(latencies) / wall
                rates[servers].append(rate)
                label = f"{servers} server{'s' if servers > 1 else ''} #{repeat + 1}"
                print(f"{label:<14}{len(latencies):>9}{len(errors):>7}{rate:>7.1f}"
                      f"{statistics.median(latencies):>7.0f}{percentile(latencies, 95):>7.0f}"
                      f"{statistics.mean(loads):>6.1f}{machine:>8.2f}"
                      f"{used.get(groups[0], 0.0):>6.2f}{used.get(groups[1], 0.0):>6.2f}"
                      f"{used.get('pg', 0.0):>6.2f}{client_cores:>7.2f}"
                      f"{len(latencies) / wall / max(app_cores, 0.01):>9.1f}")
                per_cpu[servers].append(len(latencies) / max(app_cores * wall, 0.01))
                app_cpu[servers].append(app_cores)
        ratio = sum(rates[2]) / sum(rates[1])
        pairs = ", ".join(f"{b / a:.2f}x" for a, b in zip(rates[1], rates[2], strict=True))
        print(f"scaling: 2 servers / 1 server = {ratio:.2f}x (pairs {pairs}); target 1.7x: "
              f"{'met' if ratio >= 1.7 else 'NOT met on this machine'}")
        efficiency = statistics.mean(per_cpu[2]) / statistics.mean(per_cpu[1])
        print(f"app-server CPU received: 1 server {statistics.mean(app_cpu[1]):.2f} cores, "
              f"2 servers {statistics.mean(app_cpu[2]):.2f} cores; requests per app-server CPU "
              f"second, 2 servers / 1 server = {efficiency:.2f} (1.00: sharing PostgreSQL, "
              f"Redis and the sessions costs nothing); with a whole core per server the ratio "
              f"would be about {2 * efficiency:.2f}x (extrapolated, not measured)")
        for error in sorted(set(read_errors))[:5]:
            print(f"  read error: {error}")

        # --- Writes: concurrent PATCHes with the version read ------------------------------
        clients[0].base = urls[0]
        clients[0].create_token(scope="write")
        writers = []
        for w in range(args.writers):
            writer = loadtest.Client(urls[w % 2], 60)
            writer.token = clients[0].token
            writers.append(writer)
        ids = sites[:args.write_records]
        successes, conflicts, write_errors, wall = write_phase(writers, ids, args.write_seconds)
        lost, stored = lost_updates(db, successes, ids)
        print()
        print(f"WRITES: {args.writers} API writers (half through each server) on "
              f"{len(ids)} sites for {wall:.0f} s, each PATCH carrying the version it read")
        print(f"writes {len(successes) + conflicts + len(write_errors)}: {len(successes)} "
              f"succeeded, {conflicts} refused as stale (409), {len(write_errors)} errors; "
              f"lost updates {len(lost)}; sites now at versions "
              f"{', '.join(str(stored[pk][1]) for pk in ids)}")
        for item in lost[:5]:
            print(f"  lost: site {item[0]} {item[1]!r} v{item[2]}: {item[3]}")
        for error in write_errors[:5]:
            print(f"  write error: {error}")

        # --- Jobs spread over the two workers ---------------------------------------------
        names = {str(proc.pid): f"worker{n}" for n, proc in enumerate(workers, 1)}
        prefixes = [f"Scale job {k}" for k in range(args.jobs)]
        step = time.monotonic()
        job_ids = shell(env, QUEUE_JOBS.format(org=f"Bench Co {args.scale}", email=EMAIL,
                                                prefixes=prefixes, rows=args.rows))
        rows = wait_jobs(db, job_ids, args.timeout)
        per_worker, bad_jobs = {}, []
        for job_id, prefix in zip(job_ids, prefixes, strict=True):
            status, worker, started, finished, _ = rows[job_id]
            claims = task_claims(db, job_id)
            count, distinct = partners_named(db, prefix)
            who = worker_label(worker, names)
            per_worker[who] = per_worker.get(who, 0) + 1
            if not (status == "succeeded" and len(claims) == 1 and len(claims[0][1]) == 1
                    and count == distinct == args.rows):
                bad_jobs.append(f"job {job_id}: {status}, tasks {claims}, {count} partners "
                                f"({distinct} distinct)")
        seconds = [(r[3] - r[2]).total_seconds() for r in rows.values() if r[2] and r[3]]
        print()
        print(f"JOBS: {len(job_ids)} imports of {args.rows} partners queued at once: "
              f"{sum(r[0] == 'succeeded' for r in rows.values())} succeeded, "
              f"{len(bad_jobs)} not run exactly once; ran on "
              f"{', '.join(f'{w}: {c}' for w, c in sorted(per_worker.items()))}; each "
              f"{min(seconds, default=0):.1f}-{max(seconds, default=0):.1f} s, all done in "
              f"{time.monotonic() - step:.0f} s (queueing included)")
        for line in bad_jobs:
            print(f"  {line}")

        # --- A worker killed mid-job --------------------------------------------------------
        prefix = "Scale kill"
        [kill_id] = shell(env, QUEUE_JOBS.format(org=f"Bench Co {args.scale}", email=EMAIL,
                                                  prefixes=[prefix], rows=args.kill_rows))
        deadline = time.monotonic() + args.timeout
        committed = 0
        while time.monotonic() < deadline:
            status, worker = job_rows(db, [kill_id])[kill_id][:2]
            with db.cursor() as cur:
                cur.execute("SELECT count(*) FROM jobs_jobrecord WHERE job_id::text = %s",
                            [kill_id])
                committed = cur.fetchone()[0]
            if status != "queued" and committed or status in ("succeeded", "failed"):
                break
            time.sleep(0.1)
        victim = next((p for p in workers if str(p.pid) == worker.rpartition(":")[2]), None)
        killed_ok = False
        print()
        if status != "running" or victim is None:
            print(f"KILL: job {kill_id} was {status} on {worker!r} before it could be killed; "
                  "use a larger --kill-rows")
        else:
            label = names[str(victim.pid)]
            os.killpg(victim.pid, signal.SIGKILL)
            victim.wait()
            print(f"KILL: SIGKILL to {label} (pid {victim.pid}) while it ran an import of "
                  f"{args.kill_rows} partners, {committed} of them already committed")
            time.sleep(2)
            status = job_rows(db, [kill_id])[kill_id][0]
            claims = task_claims(db, kill_id)
            print(f"  2 s later, nothing restarted: job {status}, its task "
                  f"{', '.join(c[0] for c in claims)}")
            step = time.monotonic()
            restarted = stack.start(f"{label}-restarted", "worker")
            names[str(restarted.pid)] = f"{label} (restarted)"
            status, _, _, _, result = wait_jobs(db, [kill_id], args.timeout)[kill_id]
            claims = task_claims(db, kill_id)
            count, _ = partners_named(db, prefix)
            message = ((result or {}).get("errors") or [[0, "", ""]])[0][2]
            print(f"  {label} started again (as a supervisor would restart it): after "
                  f"{time.monotonic() - step:.1f} s the job is {status}, its task "
                  f"{', '.join(c[0] for c in claims)}; its partners left: {count}")
            print(f"  job message: {message}")
            killed_ok = (status == "failed" and (result or {}).get("abandoned") is True
                         and count == 0 and all(c[0] == "FAILED" for c in claims))

        verify = subprocess.run([sys.executable, "-m", "chainward.cli", "verify-ledger"],
                                env=env, cwd=ROOT, capture_output=True, text=True)
        ledger = (verify.stdout.strip() or verify.stderr.strip()).splitlines()
        print()
        print(f"verify-ledger: exit {verify.returncode}: {ledger[-1] if ledger else ''}")
        print(f"SUMMARY: reads {ratio:.2f}x with two servers; writes {len(successes)} "
              f"succeeded, {conflicts} refused, lost {len(lost)}; jobs on "
              f"{len(per_worker)} workers, {len(bad_jobs)} not once; killed worker's job "
              f"{'failed, not stuck' if killed_ok else 'NOT recovered'}; ledger "
              f"{'intact' if verify.returncode == 0 else 'BROKEN'}")
        ok = (not read_errors and not write_errors and not lost and not bad_jobs
              and killed_ok and verify.returncode == 0)
    finally:
        stack.stop()
        if db is not None:
            db.close()
        if args.keep:
            print(f"kept: database {db_name}, Redis {redis_url}, folder {home}")
        else:
            if not ok and logs.exists():  # the processes' output, for whoever looks into it
                kept_logs = Path(tempfile.gettempdir()) / f"chainward-scale-{os.getpid()}-logs"
                shutil.copytree(logs, kept_logs, dirs_exist_ok=True)
                print(f"logs of the processes: {kept_logs}")
            if created:
                subprocess.run(["dropdb", *pg_args, "--if-exists", db_name], env=pg_env,
                               check=False)
            cache.flushdb()
            shutil.rmtree(home, ignore_errors=True)
        print(f"total {time.monotonic() - began:.0f} s; {'OK' if ok else 'FAILED'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
