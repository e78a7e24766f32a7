"""HTTP load test of a running Chainward (bench/loadtest.py --url URL --email E --password P).

Standard library only. Each of N clients logs in with its own session (GET /login/ for the
CSRF token, POST the form); one API token is created through /account/tokens/ for the API
endpoints. Every endpoint then gets R requests spread over the N concurrent clients, and a
table of requests, errors (anything but HTTP 200), p50 / p95 latency and requests/s is printed.
Requests are not redirected: a redirect to the login page counts as an error.
"""

import argparse
import http.cookiejar
import json
import math
import re
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor

CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken"\s+value="([^"]+)"')
SECRET = re.compile(r"\b(cw_[A-Za-z0-9_\-]{20,})")
ENDPOINTS = ("sites", "site-detail", "partners", "legs", "map", "api-sites", "api-site-detail")


class LoginError(Exception):
    """Logging in or creating the API token failed."""


class NoRedirect(urllib.request.HTTPRedirectHandler):
    """Return 3xx responses as they are instead of following them."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


class Client:
    """One browser-like session: its own cookie jar, optionally an API token."""

    def __init__(self, base, timeout):
        self.base = base.rstrip("/")
        self.timeout = timeout
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar),
                                                  NoRedirect())
        self.token = None

    def request(self, path, data=None, headers=None, method=None):
        """Return `(status, body_text, location)`; HTTP errors are returned, not raised.

        `data` is a dict sent as a form (POST), or bytes sent as they are (give `method`)."""
        body = data if isinstance(data, bytes) or data is None else \
            urllib.parse.urlencode(data).encode()
        req = urllib.request.Request(self.base + path, data=body, headers=headers or {},
                                     method=method)
        try:
            with self.opener.open(req, timeout=self.timeout) as resp:
                return resp.status, resp.read().decode("utf-8", "replace"), None
        except urllib.error.HTTPError as exc:
            text = exc.read().decode("utf-8", "replace")
            return exc.code, text, exc.headers.get("Location")

    def cookie(self, name):
        return next((c.value for c in self.jar if c.name == name), None)

    def csrf_post(self, path, form_path, data):
        """GET `form_path` for the CSRF token, then POST `data` to `path`."""
        status, page, _ = self.request(form_path)
        if status != 200:
            raise LoginError(f"GET {form_path} returned HTTP {status}")
        match = CSRF_INPUT.search(page)
        token = match.group(1) if match else self.cookie("csrftoken")
        if not token:
            raise LoginError(f"no CSRF token on {form_path}")
        return self.request(path, {**data, "csrfmiddlewaretoken": token},
                            headers={"Referer": self.base + form_path})

    def login(self, email, password):
        status, page, location = self.csrf_post("/login/", "/login/",
                                                {"username": email, "password": password})
        if status != 302 or not self.cookie("sessionid"):
            hint = ""
            if "Too many failed attempts" in page:
                hint = " (account locked by login throttling; wait 15 minutes)"
            elif status == 200:
                hint = " (wrong e-mail or password?)"
            raise LoginError(f"login as {email} failed: HTTP {status}{hint}")
        return location

    def create_token(self, scope=None):
        """A new API token for this session's user; `scope="write"` for read and write (new
        tokens are read-only otherwise)."""
        data = {"name": f"bench {time.strftime('%Y-%m-%d %H:%M:%S')}"}
        if scope:
            data["scope"] = scope
        status, page, _ = self.csrf_post("/account/tokens/", "/account/tokens/", data)
        match = SECRET.search(page) if status == 200 else None
        if not match:
            raise LoginError(f"creating an API token failed: HTTP {status}, no cw_ secret")
        self.token = match.group(1)

    def api(self, path, method=None, payload=None):
        """An API request (with the token, if any); `payload` is sent as JSON."""
        headers = {"Accept": "application/json"}
        if self.token:
            headers["Authorization"] = f"Token {self.token}"
        body = None
        if payload is not None:
            body = json.dumps(payload).encode()
            headers["Content-Type"] = "application/json"
        return self.request(path, body, headers=headers, method=method)


def percentile(values, pct):
    """Nearest-rank percentile of a list of numbers."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = max(1, math.ceil(pct / 100 * len(ordered)))
    return ordered[rank - 1]


def run_endpoint(clients, paths, requests, use_api):
    """Issue `requests` requests over the clients; returns (latencies_ms, errors, wall_s)."""
    latencies, errors, lock = [], [], threading.Lock()
    per_client = [requests // len(clients) + (1 if i < requests % len(clients) else 0)
                  for i in range(len(clients))]

    def work(index):
        client = clients[index]
        for n in range(per_client[index]):
            path = paths[(index + n * len(clients)) % len(paths)]
            start = time.perf_counter()
            try:
                status, _, _ = client.api(path) if use_api else client.request(path)
            except OSError as exc:  # timeouts, refused connections
                status = type(exc).__name__
            elapsed = (time.perf_counter() - start) * 1000
            with lock:
                latencies.append(elapsed)
                if status != 200:
                    errors.append(status)

    start = time.perf_counter()
    with ThreadPoolExecutor(max_workers=len(clients)) as pool:
        list(pool.map(work, range(len(clients))))
    return latencies, errors, time.perf_counter() - start


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default="http://127.0.0.1:8000")
    parser.add_argument("--email", default="bench@bench.example")
    parser.add_argument("--password", required=True)
    parser.add_argument("--clients", type=int, default=4, help="concurrent clients (sessions)")
    parser.add_argument("--requests", type=int, default=200, help="requests per endpoint")
    parser.add_argument("--only", help=f"comma-separated subset of: {', '.join(ENDPOINTS)}")
    parser.add_argument("--map-requests", type=int,
                        help="requests for the map endpoint (default: --requests)")
    parser.add_argument("--timeout", type=float, default=120.0, help="seconds per request")
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    wanted = ENDPOINTS if not args.only else tuple(e.strip() for e in args.only.split(","))
    unknown = set(wanted) - set(ENDPOINTS)
    if unknown:
        print(f"error: unknown endpoint(s): {', '.join(sorted(unknown))}", file=sys.stderr)
        return 2
    clients = [Client(args.url, args.timeout) for _ in range(max(1, args.clients))]
    try:
        for client in clients:
            client.login(args.email, args.password)
        clients[0].create_token()
    except LoginError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except OSError as exc:
        print(f"error: cannot reach {args.url}: {exc}", file=sys.stderr)
        return 1
    for client in clients[1:]:
        client.token = clients[0].token

    status, body, _ = clients[0].api("/api/supplychain/sites/?limit=50")
    if status != 200:
        print(f"error: GET /api/supplychain/sites/ returned HTTP {status}", file=sys.stderr)
        return 1
    listing = json.loads(body)
    ids = [row["id"] for row in listing.get("results", listing if isinstance(listing, list)
                                             else [])]
    if not ids:
        print("error: the API lists no sites; run bench/generate.py first", file=sys.stderr)
        return 1
    total = listing.get("count", len(ids)) if isinstance(listing, dict) else len(ids)
    print(f"{args.url}: logged in {len(clients)} clients as {args.email}; "
          f"API token {clients[0].token[:10]}…; {total} sites in the API")

    plan = {
        "sites": ("/supplychain/sites/", False),
        "site-detail": ([f"/supplychain/sites/{pk}/" for pk in ids], False),
        "partners": ("/supplychain/partners/", False),
        "legs": ("/supplychain/legs/", False),
        "map": ("/supplychain/map/", False),
        "api-sites": ("/api/supplychain/sites/?limit=50", True),
        "api-site-detail": ([f"/api/supplychain/sites/{pk}/" for pk in ids], True),
    }
    header = (f"{'endpoint':<16} {'path':<36} {'requests':>8} {'errors':>6} {'p50 ms':>8} "
              f"{'p95 ms':>8} {'max ms':>8} {'req/s':>7}")
    print(header)
    print("-" * len(header))
    failed = False
    for name in wanted:
        paths, use_api = plan[name]
        paths = [paths] if isinstance(paths, str) else paths
        count = args.map_requests if name == "map" and args.map_requests else args.requests
        latencies, errors, wall = run_endpoint(clients, paths, count, use_api)
        shown = paths[0] if len(paths) == 1 else paths[0].rsplit("/", 2)[0] + "/<id>/"
        print(f"{name:<16} {shown:<36} {len(latencies):>8} {len(errors):>6} "
              f"{percentile(latencies, 50):>8.0f} {percentile(latencies, 95):>8.0f} "
              f"{max(latencies):>8.0f} {len(latencies) / wall:>7.1f}", flush=True)
        if errors:
            failed = True
            kinds = sorted({str(e) for e in errors})
            print(f"{'':<16} errors: {', '.join(kinds)}")
    return 3 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
