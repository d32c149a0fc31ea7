"""Page benchmark: SQL queries and server time of the busiest pages at two campus sizes, next to a floor view.

For each database (a temp SQLite file; PostgreSQL on 127.0.0.1:5432 when reachable) and each size, a child process
(``python -m benchmarks.pages --database-url …``) migrates a fresh database, fills it with ``generate_dataset``'s
synthetic campus, then requests each page in-process through Django's test ``Client``, production-like
(``DEBUG`` off, cached templates): a few warm-up requests, then ``--requests`` rounds in which every page is
requested once, so slow drifts hit all pages alike. It counts the queries of one request per page and reports
median and p95 of the wall time of ``client.get``. The floor view (``benchmarks/floor_urls.py``) renders
``base.html`` with the same frame and context processors and nothing else; its p95 is the yardstick.

The parent (``python -m benchmarks``) creates and drops the databases and writes docs/benchmarks.md ("Pages").
"""

import argparse
import json
import math
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PG_ADMIN_URL = "postgres://postgres@127.0.0.1:5432/postgres"
FLOOR_PATH = "/__bench_floor__/"
#: Targets of issue 8: equal query counts at both sizes; p95 at most this many times the floor's p95.
TARGET_RATIO = 3.0
#: A page whose first request takes longer than this is requested only SLOW_PAGE_REQUESTS times (once if
#: it takes longer than VERY_SLOW_PAGE_S).
SLOW_PAGE_S = 3.0
SLOW_PAGE_REQUESTS = 3
VERY_SLOW_PAGE_S = 20.0
#: Requests per page after emptying the cache (the "cold" column).
COLD_REQUESTS = 5


# --- the child: one database, one size ----------------------------------------------------------------------
def _setup(database_url: str, data_dir: str):
    os.environ["DJANGO_SETTINGS_MODULE"] = "lianzheng.settings"
    os.environ["DATABASE_URL"] = database_url
    os.environ["DJANGO_DATA_DIR"] = data_dir
    os.environ["DJANGO_DEBUG"] = "0"
    os.environ["DJANGO_ALLOWED_HOSTS"] = "testserver"
    os.environ["DJANGO_SECURE_SSL_REDIRECT"] = "0"
    os.environ.pop("REDIS_URL", None)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def _percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, math.ceil(pct / 100 * len(ordered)) - 1)]


def _targets():
    """(label, username, url) of every page measured, floors included."""
    from django.db.models import Count
    from django.urls import reverse

    from risks.models import FormKind, RiskForm
    from units.models import Unit

    largest = Unit.objects.annotate(n=Count("posts")).order_by("-n", "code").first()
    form = RiskForm.objects.get(kind=FormKind.UNIT, unit=largest)
    reviewer, leader = "bench_reviewer", "bench_leader"
    return [
        ("floor", reviewer, FLOOR_PATH),
        ("dashboard", reviewer, reverse("dashboard")),
        ("risks:point-list", reviewer, reverse("risks:point-list")),
        ("risks:form-detail", reviewer, reverse("risks:form-detail", args=[form.pk])),
        ("reviews:queue", reviewer, reverse("reviews:queue")),
        ("floor (leader)", leader, FLOOR_PATH),
        ("dashboard (leader)", leader, reverse("dashboard")),
    ], {"unit": largest.code, "unit_posts": largest.n, "form_points": form.unit.risk_points.count()}


def measure(requests: int, warmup: int) -> dict:
    from django.db import connection
    from django.test import Client

    from units.models import User

    targets, form_info = _targets()
    clients = {}
    for _label, username, _url in targets:
        if username not in clients:
            clients[username] = Client()
            clients[username].force_login(User.objects.get(username=username))
    pages = {}
    for label, username, url in targets:
        client = clients[username]
        client.get(url)  # the first request of all: caches, connections
        captured = []

        def capture(execute, sql, params, many, context, captured=captured):
            started = time.perf_counter()
            try:
                return execute(sql, params, many, context)
            finally:
                captured.append({"sql": sql, "time": time.perf_counter() - started})

        # Counted with an execute wrapper: DEBUG is off, and the request_started signal clears connection.queries.
        with connection.execute_wrapper(capture):
            started = time.perf_counter()
            response = client.get(url)
            first = time.perf_counter() - started
        slow = first >= SLOW_PAGE_S
        for _ in range(0 if slow else warmup - 1):
            client.get(url)
        slowest = sorted(captured, key=lambda q: q["time"], reverse=True)[:3]
        pages[label] = {
            "url": url,
            "user": username,
            "status": response.status_code,
            "bytes": len(response.content),
            "queries": len(captured),
            "slowest_sql": [{"ms": round(float(q["time"]) * 1000, 1), "sql": q["sql"][:600]} for q in slowest],
            # A page that takes seconds is measured a few times only (a minute-long one: just the request that
            # counted its queries), so the whole run stays within its budget; the report shows the smaller n.
            "times": [first] if slow else [],
            "limit": requests if not slow else (SLOW_PAGE_REQUESTS if first < VERY_SLOW_PAGE_S else 1),
        }
    for _ in range(requests):
        for label, username, url in targets:
            if len(pages[label]["times"]) >= pages[label]["limit"]:
                continue
            started = time.perf_counter()
            clients[username].get(url)
            pages[label]["times"].append(time.perf_counter() - started)
    # Cold: each page again right after the shared cache was emptied (what the first view after a write costs:
    # row HTML, counts, layouts and dashboard figures all recomputed).
    from django.core.cache import cache

    for label, username, url in targets:
        cold = []
        for _ in range(COLD_REQUESTS if len(pages[label]["times"]) > 1 else 0):
            cache.clear()
            started = time.perf_counter()
            clients[username].get(url)
            cold.append(time.perf_counter() - started)
        pages[label]["cold_ms"] = round(statistics.median(cold) * 1000, 2) if cold else None
    for page in pages.values():
        times = page.pop("times")
        page.pop("limit")
        page["median_ms"] = round(statistics.median(times) * 1000, 2)
        page["p95_ms"] = round(_percentile(times, 95) * 1000, 2)
        page["n"] = len(times)
    return {"pages": pages, "form": form_info}


def child_main(argv):
    warnings.filterwarnings("ignore", message="No directory at")  # WhiteNoise: no collectstatic needed here
    parser = argparse.ArgumentParser(prog="python -m benchmarks.pages")
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--units", type=int, required=True)
    parser.add_argument("--posts-per-unit", type=int, required=True)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--requests", type=int, default=30)
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--json", required=True, help="where to write the results")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="lz-bench-data-") as data_dir:
        _setup(args.database_url, data_dir)
        from django.conf import settings
        from django.core.management import call_command
        from django.db import connection
        from django.test import override_settings

        from lianzheng.dataset import generate
        from risks.models import RiskPoint

        started = time.perf_counter()
        call_command("migrate", verbosity=0, interactive=False)
        migrate_s = time.perf_counter() - started
        started = time.perf_counter()
        summary = generate(units=args.units, posts_per_unit=args.posts_per_unit, seed=args.seed)
        generate_s = time.perf_counter() - started
        # Planner statistics after the bulk load: what PostgreSQL's autovacuum does by itself soon after. SQLite
        # never gathers them unasked, and without them its planner can pick a posts × points plan (see
        # docs/benchmarks.md); the benchmark measures the pages, on databases in their steady state.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        print(f"    migrate {migrate_s:.1f} s, generate {generate_s:.1f} s", flush=True)
        # The manifest storage of production needs collectstatic; the plain storage resolves the same URLs.
        storages = {
            **settings.STORAGES,
            "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
        }
        with override_settings(ROOT_URLCONF="benchmarks.floor_urls", STORAGES=storages):
            result = measure(args.requests, args.warmup)
        result.update(
            vendor=connection.vendor,
            db_version=_db_version(connection),
            posts=summary.counts["units.Post"],
            units=summary.counts["units.Unit"],
            points=RiskPoint.objects.count(),
            generate_s=round(generate_s, 1),
        )
    Path(args.json).write_text(json.dumps(result, ensure_ascii=False, indent=1), encoding="utf-8")


def _db_version(connection) -> str:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SHOW server_version")
        else:
            cursor.execute("select sqlite_version()")
        return cursor.fetchone()[0].split()[0]


# --- the parent: databases, sizes, report ---------------------------------------------------------------------
def postgres_reachable() -> bool:
    try:
        import psycopg

        with psycopg.connect(PG_ADMIN_URL.replace("postgres://", "postgresql://"), connect_timeout=3):
            return True
    except Exception:  # any failure means "not reachable": the run goes on with SQLite only
        return False


def _pg_admin(sql: str):
    import psycopg

    with psycopg.connect(PG_ADMIN_URL.replace("postgres://", "postgresql://"), autocommit=True) as conn:
        conn.execute(sql)


def create_pg_database() -> tuple[str, str]:
    name = f"lz_bench_{uuid.uuid4().hex[:12]}"
    _pg_admin(f'CREATE DATABASE "{name}"')
    return name, PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + name


def drop_pg_database(name: str):
    _pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def run_one(db: str, size: int, args) -> dict:
    units = max(1, size // args.posts_per_unit)
    with tempfile.TemporaryDirectory(prefix="lz-bench-") as tmp:
        pg_name = None
        if db == "postgres":
            pg_name, url = create_pg_database()
        else:
            url = f"sqlite:///{Path(tmp) / 'pages.sqlite3'}"
        out = Path(tmp) / "result.json"
        print(f"  {db}, {units} units × {args.posts_per_unit} posts …", flush=True)
        try:
            subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "benchmarks.pages",
                    "--database-url",
                    url,
                    "--units",
                    str(units),
                    "--posts-per-unit",
                    str(args.posts_per_unit),
                    "--seed",
                    str(args.seed),
                    "--requests",
                    str(args.requests),
                    "--json",
                    str(out),
                ],
                cwd=ROOT,
                check=True,
                timeout=1800,
            )
            result = json.loads(out.read_text(encoding="utf-8"))
        finally:
            if pg_name:
                drop_pg_database(pg_name)
    result.update(db=db, size=size)
    return result


def run_pages(args) -> list[dict]:
    dbs = ["sqlite", "postgres"] if args.db == "both" else [args.db]
    if "postgres" in dbs and not postgres_reachable():
        print("PostgreSQL on 127.0.0.1:5432 is not reachable: skipping it.", flush=True)
        dbs.remove("postgres")
    results = []
    for db in dbs:
        for size in args.sizes:
            results.append(run_one(db, size, args))
    return results


PAGE_ORDER = ["dashboard", "dashboard (leader)", "risks:point-list", "risks:form-detail", "reviews:queue"]


def report(results: list[dict], info: dict, args) -> str:
    lines = [
        "## Pages",
        "",
        f"`make bench` (`python -m benchmarks --only pages --sizes {','.join(map(str, args.sizes))} "
        f"--db {args.db}`), {info['date']}. Synthetic campus from `generate_dataset` (seed {args.seed}, "
        f"{args.posts_per_unit} posts per unit on average, so the larger campus has more units of the same kind; "
        "about 5 risk points per post, 1–2 measures per stage). Each page is requested in-process through Django's "
        f"test `Client` with `DEBUG` off, {args.requests} rounds after 3 warm-up requests, as `bench_reviewer` "
        "(the dashboard also as `bench_leader`). `ANALYZE` runs after the load on both databases. Times are wall-clock milliseconds of `client.get` (URL "
        "resolution, middleware, session, view, template). **Floor**: `base.html` with the same frame and "
        "context processors and nothing else (`benchmarks/floor_urls.py`); **ratio** = page p95 / floor p95 of "
        "the same user at the larger size. Targets: the same query count at both sizes; ratio ≤ 3. Pages keep "
        "what they can in the shared cache (table bodies under a digest of what they show; counts, orders and "
        "dashboard figures under the data version, which every audited write changes), so the rounds measure a "
        "campus being read; **cold median** is the same page at the larger size right after the cache was "
        f"emptied ({COLD_REQUESTS} requests), what the first view after a write costs.",
        "",
    ]
    by_db: dict = {}
    for result in results:
        by_db.setdefault(result["db"], []).append(result)
    for db, runs in by_db.items():
        runs.sort(key=lambda r: r["size"])
        small, large = runs[0], runs[-1]
        lines += [
            f"### {db} {large['db_version']}",
            "",
            "| size | units | posts | risk points | form page: unit, posts, points | generate (s) |",
            "| ---: | ---: | ---: | ---: | --- | ---: |",
        ]
        for run in runs:
            form = run["form"]
            lines.append(
                f"| {run['size']:,} | {run['units']:,} | {run['posts']:,} | {run['points']:,} | "
                f"{form['unit']}, {form['unit_posts']}, {form['form_points']} | {run['generate_s']} |"
            )
        head = " | ".join(f"{r['size']:,}: queries | median | p95" for r in runs)
        lines += [
            "",
            f"| page | {head} | ratio | cold median | targets |",
            "| --- |" + " ---: | ---: | ---: |" * len(runs) + " ---: | ---: | --- |",
        ]
        labels = ["floor"] + PAGE_ORDER + ["floor (leader)"]
        for label in labels:
            cells, ok = [], []
            for run in runs:
                page = run["pages"].get(label)
                if page is None:
                    cells.append("— | — | —")
                    continue
                status = "" if page["status"] == 200 else f" (HTTP {page['status']})"
                few = f" (n={page['n']})" if page["n"] < args.requests else ""
                cells.append(f"{page['queries']}{status} | {page['median_ms']:.1f} | {page['p95_ms']:.1f}{few}")
            page_l, page_s = large["pages"].get(label), small["pages"].get(label)
            floor = large["pages"]["floor (leader)" if "leader" in label else "floor"]
            ratio = page_l["p95_ms"] / floor["p95_ms"] if page_l and floor["p95_ms"] else 0
            if label.startswith("floor"):
                verdict, ratio_cell = "", "1.00"
            else:
                same = page_s and page_l and page_s["queries"] == page_l["queries"]
                ok = [("queries equal" if same else "**queries differ**")]
                ok.append(f"ratio ≤ {TARGET_RATIO:g}" if ratio <= TARGET_RATIO else f"**ratio > {TARGET_RATIO:g}**")
                if page_l and page_l["status"] != 200:
                    ok.append(f"**HTTP {page_l['status']}**")
                verdict, ratio_cell = ", ".join(ok), f"{ratio:.2f}"
            cold = page_l.get("cold_ms") if page_l else None
            cold_cell = f"{cold:.1f}" if cold is not None else ""
            lines.append(f"| {label} | {' | '.join(cells)} | {ratio_cell} | {cold_cell} | {verdict} |")
        lines.append("")
    lines += [
        "Notes. The form page is the 附表1 of the largest unit, its first page of 50 rows; the order of all its "
        "rows follows the size of that unit, which is the same at both campus sizes, not the size of the "
        "campus. Without `ANALYZE`, SQLite has no statistics and planned the dashboard's coverage count "
        "(`EXISTS` per post over the campaign's post links joined to points) as posts × points: one dashboard "
        "request took about 4 minutes at 20,000 posts (measured on 2026-11-28, before d759ae4 changed that count); with statistics it takes the "
        "time shown above. Slowest statements of each page are printed by the run.",
        "",
        f"Machine: {info['machine']}.",
        "",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    child_main(sys.argv[1:])
