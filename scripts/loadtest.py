"""Load test (``make loadtest``): 50 logged-in users browsing against gunicorn + PostgreSQL on this machine.

1. Creates a uniquely named PostgreSQL database on 127.0.0.1:5432 and fills it with ``generate_dataset`` (1,000
   posts by default), runs ``collectstatic`` (WhiteNoise serves the hashed, compressed files as in production).
2. Starts ``gunicorn lianzheng.wsgi -w 4`` on a free port of 127.0.0.1 with a production-like environment
   (``DJANGO_DEBUG=0``, a random secret key, ``DJANGO_ALLOWED_HOSTS=127.0.0.1``, no TLS redirect).
3. Logs in ``--users`` sessions through the login form (the benchmark users of the dataset, several sessions each),
   then every user browses in its own thread — dashboard, risk-point list with filters and pages, form pages,
   reviewer queue, unit pages, notifications, by role — with a short think time, until ``--duration`` seconds or
   ``--max-requests`` requests, whichever comes first. Traffic goes to 127.0.0.1 only.
4. Reports throughput, median/p95 latency and errors (overall and per page kind), stops gunicorn, drops the
   database and writes docs/benchmarks.md ("Load").
"""

import argparse
import datetime
import http.client
import json
import os
import random
import re
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
HOST = "127.0.0.1"
PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"
PASSWORD = "bench-12345"  # noqa: S105 — the synthetic dataset's published benchmark password
#: Sessions per benchmark user, in order; 50 users = 10 each.
ROLES = ["bench_reviewer", "bench_leader", "bench_contact", "bench_unit_leader", "bench_staff"]


def parse_args(argv):
    parser = argparse.ArgumentParser(prog="scripts/loadtest.py", description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=50, help="concurrent logged-in users (default 50)")
    parser.add_argument("--duration", type=float, default=180, help="seconds of browsing at most (default 180)")
    parser.add_argument("--max-requests", type=int, default=30000, help="requests at most (default 30000)")
    parser.add_argument("--think", default="0.1,0.5", help="think time range in seconds (default 0.1,0.5)")
    parser.add_argument("--posts", type=int, default=1000, help="posts of the synthetic campus (default 1000)")
    parser.add_argument("--posts-per-unit", type=int, default=50)
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers (default 4)")
    parser.add_argument("--no-write", action="store_true", help="print only; leave docs/benchmarks.md alone")
    return parser.parse_args(argv)


# --- database ------------------------------------------------------------------------------------------------
def pg(sql: str, dbname: str = "postgres", fetch: bool = False):
    import psycopg

    with psycopg.connect(PG_ADMIN.rsplit("/", 1)[0] + "/" + dbname, autocommit=True, connect_timeout=5) as conn:
        cursor = conn.execute(sql)
        return cursor.fetchall() if fetch else None


def sample_urls(dbname: str) -> dict:
    """Real ids to browse: forms, units and the benchmark users' units, read straight from the database."""
    units = pg("SELECT id, code FROM units_unit ORDER BY sort_order", dbname, fetch=True)
    forms = pg("SELECT id, unit_id FROM risks_riskform ORDER BY id", dbname, fetch=True)
    users = dict(pg("SELECT username, unit_id FROM units_user WHERE username LIKE 'bench_%'", dbname, fetch=True))
    staff_post = pg(
        "SELECT f.id FROM risks_riskform f JOIN units_assignment a ON a.post_id = f.post_id "
        "JOIN units_user u ON u.id = a.user_id WHERE u.username = 'bench_staff' AND f.kind = 'personal'",
        dbname,
        fetch=True,
    )
    own_unit = users["bench_contact"]
    return {
        "units": units,
        "forms": [f for f, _u in forms],
        "own_forms": [f for f, u in forms if u == own_unit],
        "own_code": next(code for pk, code in units if pk == own_unit),
        "own_unit": own_unit,
        "staff_forms": [f for (f,) in staff_post],
    }


# --- HTTP ---------------------------------------------------------------------------------------------------------
class Session:
    """One browser: its cookies, its connection to 127.0.0.1, its measurements."""

    def __init__(self, port: int):
        self.port = port
        self.cookies: dict = {}

    def request(self, method: str, path: str, body: bytes | None = None, headers: dict | None = None):
        conn = http.client.HTTPConnection(HOST, self.port, timeout=60)
        try:
            all_headers = {"Host": HOST, "Accept-Language": "zh-hans", **(headers or {})}
            if self.cookies:
                all_headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
            conn.request(method, path, body=body, headers=all_headers)
            response = conn.getresponse()
            data = response.read()
            for header in response.headers.get_all("Set-Cookie") or []:
                name, _, rest = header.partition("=")
                self.cookies[name.strip()] = rest.split(";", 1)[0]
            return response.status, data
        finally:
            conn.close()

    def login(self, username: str):
        status, page = self.request("GET", "/login/")
        token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        if status != 200 or not token:
            raise RuntimeError(f"login page: HTTP {status}")
        body = urlencode(
            {"csrfmiddlewaretoken": token.group(1).decode(), "username": username, "password": PASSWORD}
        ).encode()
        status, _ = self.request(
            "POST", "/login/", body, {"Content-Type": "application/x-www-form-urlencoded", "Referer": "/login/"}
        )
        if status != 302 or "sessionid" not in self.cookies:
            raise RuntimeError(f"login of {username} failed: HTTP {status}")


def next_page(rng: random.Random, role: str, data: dict) -> tuple[str, str]:
    """(kind, path) of the next page this user opens."""
    units = data["units"]
    filters = [
        {},
        {"level": rng.randint(1, 3)},
        {"category": rng.choice(["duty", "process", "system", "external"])},
        {"page": rng.randint(1, 20)},
        {"key_post": "true", "page": rng.randint(1, 3)},
        {"sort": rng.choice(["level", "-level", "name", "category"])},
    ]
    point_list = ("point-list", "/risks/points/?" + urlencode(rng.choice(filters)))
    if role in ("bench_reviewer", "bench_leader"):
        unit_pk, code = rng.choice(units)
        choices = [
            ("dashboard", "/"),
            point_list,
            point_list,
            ("point-list", f"/risks/points/?unit={unit_pk}"),
            ("form", f"/risks/forms/{rng.choice(data['forms'])}/"),
            ("form", f"/risks/forms/{rng.choice(data['forms'])}/"),
            ("unit", f"/units/{code}/"),
            ("notifications", "/notifications/"),
        ]
        if role == "bench_reviewer":
            choices.append(("queue", "/reviews/queue/"))
        else:
            choices.append(("units", "/units/"))
        return rng.choice(choices)
    if role in ("bench_contact", "bench_unit_leader"):
        return rng.choice(
            [
                ("dashboard", "/"),
                point_list,
                ("form-list", "/risks/"),
                ("form", f"/risks/forms/{rng.choice(data['own_forms'])}/"),
                ("form", f"/risks/forms/{rng.choice(data['own_forms'])}/"),
                ("unit", f"/units/{data['own_code']}/"),
                ("notifications", "/notifications/"),
            ]
        )
    return rng.choice(
        [
            ("dashboard", "/"),
            ("my-forms", "/risks/my/"),
            ("form", f"/risks/forms/{rng.choice(data['staff_forms'])}/"),
            ("notifications", "/notifications/"),
        ]
    )


class Run:
    def __init__(self, args, port: int, data: dict):
        self.args, self.port, self.data = args, port, data
        self.lock = threading.Lock()
        self.samples: list[tuple[str, float, int]] = []
        self.errors: list[str] = []
        self.count = 0
        self.deadline = 0.0
        low, _, high = args.think.partition(",")
        self.think = (float(low), float(high or low))

    def _take(self) -> bool:
        with self.lock:
            if self.count >= self.args.max_requests or time.monotonic() >= self.deadline:
                return False
            self.count += 1
            return True

    def user(self, session: Session, role: str, seed: int):
        rng = random.Random(seed)
        while self._take():
            kind, path = next_page(rng, role, self.data)
            started = time.perf_counter()
            try:
                status, _body = session.request("GET", path)
            except (OSError, http.client.HTTPException) as error:
                status = 0
                with self.lock:
                    self.errors.append(f"{path}: {type(error).__name__}: {error}")
            elapsed = time.perf_counter() - started
            with self.lock:
                self.samples.append((kind, elapsed, status))
                if status and status >= 400:
                    self.errors.append(f"{path}: HTTP {status}")
            time.sleep(rng.uniform(*self.think))


def percentile(values, pct):
    ordered = sorted(values)
    return ordered[max(0, -(-len(ordered) * pct // 100) - 1)] if ordered else 0.0


def summarise(run: Run, wall: float) -> dict:
    times = [t for _k, t, _s in run.samples]
    kinds: dict = {}
    for kind, elapsed, status in run.samples:
        kinds.setdefault(kind, {"times": [], "errors": 0})
        kinds[kind]["times"].append(elapsed)
        if status == 0 or status >= 400:
            kinds[kind]["errors"] += 1
    return {
        "requests": len(run.samples),
        "seconds": round(wall, 1),
        "throughput": round(len(run.samples) / wall, 1) if wall else 0,
        "median_ms": round(statistics.median(times) * 1000, 1) if times else 0,
        "p95_ms": round(percentile(times, 95) * 1000, 1),
        "max_ms": round(max(times) * 1000, 1) if times else 0,
        "errors": len(run.errors),
        "kinds": {
            kind: {
                "n": len(v["times"]),
                "median_ms": round(statistics.median(v["times"]) * 1000, 1),
                "p95_ms": round(percentile(v["times"], 95) * 1000, 1),
                "errors": v["errors"],
            }
            for kind, v in sorted(kinds.items())
        },
    }


REDIS_URL = "redis://127.0.0.1:6379/9"


def flush_redis() -> bool:
    """Empty the load test's Redis database; False when no Redis answers on 127.0.0.1:6379."""
    try:
        import redis

        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).flushdb()
    except Exception:
        return False
    return True


def report(result: dict, args, info: dict) -> str:
    lines = [
        "## Load",
        "",
        f"`make loadtest` (`scripts/loadtest.py`), {info['date']}: gunicorn ({args.workers} sync workers) + "
        f"PostgreSQL {info['pg']} on this machine, `DJANGO_DEBUG=0`, static files by WhiteNoise after "
        f"`collectstatic`, cache: {result.get('cache', '')}. Synthetic campus of {args.posts:,} posts "
        f"({info['points']:,} risk points). "
        f"{args.users} users logged in through the login form ({len(ROLES)} benchmark accounts: reviewer, school "
        f"leader, unit contact, unit leader, staff; {args.users // len(ROLES)} sessions each), each browsing in its "
        f"own thread with {args.think.replace(',', '–')} s think time: dashboard, risk-point list with filters and "
        "pages, form pages, queue, unit pages, notifications by role; bounded at "
        f"{args.duration:g} s or {args.max_requests:,} requests. Latency is client-side wall time of the full "
        "response over a new connection to 127.0.0.1.",
        "",
        "| requests | seconds | throughput (req/s) | median (ms) | p95 (ms) | max (ms) | errors |",
        "| ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
        f"| {result['requests']:,} | {result['seconds']} | {result['throughput']} | {result['median_ms']} | "
        f"{result['p95_ms']} | {result['max_ms']} | {result['errors']} |",
        "",
        "| page kind | requests | median (ms) | p95 (ms) | errors |",
        "| --- | ---: | ---: | ---: | ---: |",
    ]
    for kind, k in result["kinds"].items():
        lines.append(f"| {kind} | {k['n']:,} | {k['median_ms']} | {k['p95_ms']} | {k['errors']} |")
    lines += ["", f"Logins ({args.users}, before the measured window): {result['login_s']} s.", ""]
    lines += [f"Machine: {info['machine']}.", ""]
    return "\n".join(lines)


# --- orchestration ------------------------------------------------------------------------------------------------
def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def wait_until_up(port: int, process, timeout: float = 60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError("gunicorn exited during start-up")
        try:
            status, _ = Session(port).request("GET", "/login/")
            if status == 200:
                return
        except OSError:
            pass
        time.sleep(0.5)
    raise RuntimeError("gunicorn did not answer within a minute")


def main(argv=None):
    args = parse_args(argv if argv is not None else sys.argv[1:])
    dbname = f"lz_load_{uuid.uuid4().hex[:12]}"
    try:
        pg("SELECT 1")
    except Exception as error:
        sys.exit(f"PostgreSQL on 127.0.0.1:5432 is not reachable ({error}); the load test needs it.")
    env = {
        **{k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "DJANGO_SETTINGS_MODULE")},
        "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{dbname}",
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_ALLOWED_HOSTS": HOST,
        "DJANGO_SECURE_SSL_REDIRECT": "0",
        "DJANGO_CONN_MAX_AGE": "60",
    }
    python = str(ROOT / ".venv" / "bin" / "python")
    gunicorn_bin = str(ROOT / ".venv" / "bin" / "gunicorn")
    pg(f'CREATE DATABASE "{dbname}"')
    gunicorn = None
    with tempfile.TemporaryDirectory(prefix="lz-load-") as tmp:
        env["DJANGO_DATA_DIR"] = tmp
        log_path = Path(tmp) / "gunicorn.log"
        try:
            units = max(1, args.posts // args.posts_per_unit)
            print(f"database {dbname}: generating {units} units × {args.posts_per_unit} posts …", flush=True)
            subprocess.run(
                [
                    python,
                    "manage.py",
                    "generate_dataset",
                    "--units",
                    str(units),
                    "--posts-per-unit",
                    str(args.posts_per_unit),
                ],
                cwd=ROOT,
                env=env,
                check=True,
                stdout=subprocess.DEVNULL,
            )
            pg("ANALYZE", dbname)
            print("collectstatic …", flush=True)
            subprocess.run(
                [python, "manage.py", "collectstatic", "--noinput", "-v", "0"], cwd=ROOT, env=env, check=True
            )
            data = sample_urls(dbname)
            points = pg("SELECT count(*) FROM risks_riskpoint", dbname, fetch=True)[0][0]
            port = free_port()
            # As in production, the workers share one cache (Redis) when there is one to share.
            server_env = dict(env)
            cache_label = "each worker's own memory (no Redis on 127.0.0.1:6379)"
            if flush_redis():
                server_env["REDIS_URL"] = REDIS_URL
                cache_label = (
                    f"Redis on 127.0.0.1:6379 (database {REDIS_URL.rsplit('/', 1)[-1]}, emptied before and after)"
                )
            print(f"gunicorn on {HOST}:{port} with {args.workers} workers, cache: {cache_label} …", flush=True)
            with open(log_path, "wb") as log:
                gunicorn = subprocess.Popen(
                    [
                        gunicorn_bin,
                        "lianzheng.wsgi",
                        "-w",
                        str(args.workers),
                        "-b",
                        f"{HOST}:{port}",
                        "--timeout",
                        "60",
                    ],
                    cwd=ROOT,
                    env=server_env,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,
                )
            wait_until_up(port, gunicorn)

            print(f"logging in {args.users} users …", flush=True)
            started = time.perf_counter()
            sessions = []
            for i in range(args.users):
                session = Session(port)
                session.login(ROLES[i % len(ROLES)])
                sessions.append((session, ROLES[i % len(ROLES)]))
            login_s = round(time.perf_counter() - started, 1)

            run = Run(args, port, data)
            run.deadline = time.monotonic() + args.duration
            print(f"browsing for at most {args.duration:g} s / {args.max_requests} requests …", flush=True)
            started = time.perf_counter()
            threads = [
                threading.Thread(target=run.user, args=(session, role, 1000 + i), daemon=True)
                for i, (session, role) in enumerate(sessions)
            ]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(timeout=args.duration + 120)
            wall = time.perf_counter() - started
            result = summarise(run, wall)
            result["login_s"] = login_s
            result["cache"] = cache_label
            pg_version = pg("SHOW server_version", fetch=True)[0][0].split()[0]
        finally:
            flush_redis()
            if gunicorn is not None and gunicorn.poll() is None:
                os.killpg(gunicorn.pid, signal.SIGTERM)
                try:
                    gunicorn.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    os.killpg(gunicorn.pid, signal.SIGKILL)
            try:
                pg(f'DROP DATABASE IF EXISTS "{dbname}" WITH (FORCE)')
            except Exception as error:  # the result matters more; say what is left behind
                print(f"could not drop database {dbname}: {error}", file=sys.stderr)
            if log_path.exists():
                tail = log_path.read_text(errors="replace").splitlines()[-15:]
                if any("Error" in line or "Traceback" in line for line in tail):
                    print("gunicorn log (tail):\n" + "\n".join(tail), file=sys.stderr)

    from benchmarks.__main__ import machine_line, write_section

    info = {"date": datetime.date.today().isoformat(), "machine": machine_line(), "pg": pg_version, "points": points}
    text = report(result, args, info)
    print(text)
    if run.errors:
        print("first errors:", *run.errors[:10], sep="\n  ")
    print(json.dumps({k: v for k, v in result.items() if k != "kinds"}))
    if not args.no_write:
        print(f"written to {write_section(text, 'Load')}")


if __name__ == "__main__":
    main()
