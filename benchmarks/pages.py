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
#: Targets of issues 8 and 12: equal query counts at both sizes; p95 at most this many times the floor's p95.
TARGET_RATIO = 3.0
#: A page whose first request takes longer than this is requested only SLOW_PAGE_REQUESTS times (once if
#: it takes longer than VERY_SLOW_PAGE_S).
SLOW_PAGE_S = 3.0
SLOW_PAGE_REQUESTS = 3
VERY_SLOW_PAGE_S = 20.0
#: Requests per page right after a service write in another unit (the "cold" column).
COLD_REQUESTS = 10


# --- the child: one database, one size ----------------------------------------------------------------------
def _setup(database_url: str, data_dir: str):
    os.environ["DJANGO_SETTINGS_MODULE"] = "lianzheng.settings"
    os.environ["DATABASE_URL"] = database_url
    os.environ["DJANGO_DATA_DIR"] = data_dir
    os.environ["DJANGO_DEBUG"] = "0"
    os.environ["DJANGO_ALLOWED_HOSTS"] = "testserver"
    os.environ["DJANGO_SECURE_SSL_REDIRECT"] = "0"
    os.environ.setdefault("LIANZHENG_AUDIT_KEY", "benchmark-only audit key, not a secret")
    os.environ.pop("REDIS_URL", None)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def _percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, math.ceil(pct / 100 * len(ordered)) - 1)]


def _targets():
    """(label, username, url) of every page measured, floors included: one floor per user, the yardstick of that
    user's pages (its frame shows that user's menu)."""
    from django.db.models import Count
    from django.urls import reverse

    from risks.models import FormKind, RiskForm
    from units.models import Unit

    largest = Unit.objects.annotate(n=Count("posts")).order_by("-n", "code").first()
    form = RiskForm.objects.filter(kind=FormKind.UNIT, unit=largest).order_by("-campaign__year", "-id").first()
    reviewer, leader, contact = "bench_reviewer", "bench_leader", "bench_contact"
    return [
        ("floor", reviewer, FLOOR_PATH),
        ("dashboard", reviewer, reverse("dashboard")),
        ("risks:point-list", reviewer, reverse("risks:point-list")),
        ("risks:form-detail", reviewer, reverse("risks:form-detail", args=[form.pk])),
        ("reviews:queue", reviewer, reverse("reviews:queue")),
        ("reviews:progress", reviewer, reverse("reviews:progress")),
        ("reviews:unit-progress", reviewer, reverse("reviews:unit-progress", args=[largest.code])),
        ("risks:coverage", reviewer, reverse("risks:coverage")),
        ("floor (leader)", leader, FLOOR_PATH),
        ("dashboard (leader)", leader, reverse("dashboard")),
        ("floor (contact)", contact, FLOOR_PATH),
        ("dashboard (contact)", contact, reverse("dashboard")),
    ], {"unit": largest.code, "unit_posts": largest.n, "form_points": form.unit.risk_points.count()}


def floor_of(label: str) -> str:
    for who in ("leader", "contact"):
        if f"({who})" in label:
            return f"floor ({who})"
    return "floor"


class ElsewhereWriter:
    """A service write in another unit than the pages' (a risk point added to a draft 附表1 by that unit's contact,
    through ``risks.services``): what the "cold" column follows, since any write used to empty every cached figure."""

    def __init__(self, avoid_unit_code: str):
        from risks.models import FormKind, FormState, RiskForm
        from units.models import Role, User

        contacts = User.objects.filter(role=Role.UNIT_CONTACT, is_active=True).exclude(unit__code=avoid_unit_code)
        forms = RiskForm.objects.filter(
            kind=FormKind.UNIT, state__in=[FormState.DRAFT, FormState.RETURNED], unit__in=contacts.values("unit")
        ).order_by("-campaign__year", "id")
        self.form = forms.first()
        if self.form is None:
            raise SystemExit("benchmark: no draft 附表1 of another unit to write into (the cold column needs one)")
        self.actor = contacts.filter(unit=self.form.unit_id).first()
        self.n = 0

    def write(self):
        from risks import services

        self.n += 1
        self.form.refresh_from_db()
        services.risk_point_create(
            form=self.form,
            actor=self.actor,
            name=f"基准写入{self.n}",
            manifestation="基准测试在另一个单位写入的风险点。",
            category="system",
            level=2,
            business_step="基准测试",
            responsible_leader="分管领导",
            responsible_person="科长",
            supervisor="纪委办公室",
        )


def _times(values: list[float]) -> dict:
    return {
        "median_ms": round(statistics.median(values) * 1000, 2),
        "p95_ms": round(_percentile(values, 95) * 1000, 2),
        "n": len(values),
    }


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
    # Cold: each page right after a service write in another unit (nothing is emptied by hand: whatever a write
    # invalidates, kept figures updated or cache entries, is what the first view after it pays). Rounds as above.
    writer = ElsewhereWriter(form_info["unit"])
    cold = {label: [] for label, _u, _url in targets}
    for _ in range(COLD_REQUESTS):
        for label, username, url in targets:
            if len(pages[label]["times"]) <= 1:
                continue
            writer.write()
            started = time.perf_counter()
            clients[username].get(url)
            cold[label].append(time.perf_counter() - started)
    for label, page in pages.items():
        page.update(_times(page.pop("times")))
        page.pop("limit")
        page["cold"] = _times(cold[label]) if cold[label] else None
    return {"pages": pages, "form": form_info, "cold_writes": writer.n}


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
    parser.add_argument(
        "--reuse", action="store_true", help="keep a campus already in the database (for repeated runs while tuning)"
    )
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="lz-bench-data-") as data_dir:
        _setup(args.database_url, data_dir)
        from django.conf import settings
        from django.core.management import call_command
        from django.db import connection
        from django.test import override_settings

        from devdata.dataset import generate
        from risks.models import RiskPoint
        from units.models import Post, Unit

        started = time.perf_counter()
        call_command("migrate", verbosity=0, interactive=False)
        migrate_s = time.perf_counter() - started
        started = time.perf_counter()
        if args.reuse and Unit.objects.exists():
            counts = {"units.Post": Post.objects.count(), "units.Unit": Unit.objects.count()}
        else:
            counts = generate(units=args.units, posts_per_unit=args.posts_per_unit, seed=args.seed).counts
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
            posts=counts["units.Post"],
            units=counts["units.Unit"],
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


PAGE_ORDER = [
    "dashboard",
    "dashboard (leader)",
    "dashboard (contact)",
    "risks:point-list",
    "risks:form-detail",
    "reviews:queue",
    "reviews:progress",
    "reviews:unit-progress",
    "risks:coverage",
]
FLOORS = ["floor", "floor (leader)", "floor (contact)"]


def _ratio(page, floor, key) -> float | None:
    """Cold p95 over the floor's cold p95 (the floor is requested right after a write too)."""
    if not page or not floor or not page.get(key) or not floor.get(key) or not floor[key]["p95_ms"]:
        return None
    return page[key]["p95_ms"] / floor[key]["p95_ms"]


def report(results: list[dict], info: dict, args) -> str:
    lines = [
        "## Pages",
        "",
        f"`make bench` (`python -m benchmarks --only pages --sizes {','.join(map(str, args.sizes))} "
        f"--db {args.db}`), {info['date']}. Synthetic campus from `generate_dataset` (seed {args.seed}, "
        f"{args.posts_per_unit} posts per unit on average, so the larger campus has more units of the same kind; "
        "about 5 risk points per post, 1–2 measures per stage). Each page is requested in-process through Django's "
        f"test `Client` with `DEBUG` off, {args.requests} rounds after 3 warm-up requests, as `bench_reviewer`, "
        "the dashboard also as `bench_leader` (school leader) and `bench_contact` (unit contact of the largest "
        "unit). `ANALYZE` runs after the load on both databases. Times are wall-clock milliseconds of "
        "`client.get` (URL resolution, middleware, session, view, template). **Floor**: `base.html` with the same "
        "frame and context processors and nothing else (`benchmarks/floor_urls.py`), per user. **Warm**: the "
        "rounds above. **Cold**: the page right after a service write in another unit (a risk point added through "
        f"`risks.services` to another unit's draft 附表1; {COLD_REQUESTS} requests per page at each size). "
        "**Ratios** = page p95 / the same user's floor p95 (warm / cold, at the larger size). Targets: the same "
        f"query count at both sizes; both ratios ≤ {TARGET_RATIO:g}. No HTML is cached; figures are kept in tables "
        "by the writes.",
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
        queries_head = " | ".join(f"queries {r['size']:,}" for r in runs)
        times_head = " | ".join(f"{r['size']:,} warm median | warm p95 | cold median | cold p95" for r in runs)
        lines += [
            "",
            f"| page | {queries_head} | {times_head} | ratio warm | ratio cold | targets |",
            "| --- |" + " ---: |" * len(runs) + " ---: | ---: | ---: | ---: |" * len(runs) + " ---: | ---: | --- |",
        ]
        for label in FLOORS + PAGE_ORDER:
            if label not in large["pages"]:
                continue
            queries, cells = [], []
            for run in runs:
                page = run["pages"].get(label)
                if page is None:
                    queries.append("—")
                    cells.append("— | — | — | —")
                    continue
                status = "" if page["status"] == 200 else f" (HTTP {page['status']})"
                queries.append(f"{page['queries']}{status}")
                few = f" (n={page['n']})" if page["n"] < args.requests else ""
                cold = page.get("cold")
                cold_cells = f"{cold['median_ms']:.1f} | {cold['p95_ms']:.1f}" if cold else "— | —"
                cells.append(f"{page['median_ms']:.1f} | {page['p95_ms']:.1f}{few} | {cold_cells}")
            page_l, page_s = large["pages"].get(label), small["pages"].get(label)
            floor = large["pages"].get(floor_of(label))
            if label in FLOORS:
                verdict, warm_cell, cold_cell = "", "1.00", ""
            else:
                warm = page_l and floor and page_l["p95_ms"] / floor["p95_ms"]
                cold = _ratio(page_l, floor, "cold")
                same = page_s and page_l and page_s["queries"] == page_l["queries"]
                ok = ["queries equal" if same else "**queries differ**"]
                for name, ratio in (("warm", warm), ("cold", cold)):
                    if ratio is None:
                        continue
                    ok.append(
                        f"{name} ≤ {TARGET_RATIO:g}" if ratio <= TARGET_RATIO else f"**{name} > {TARGET_RATIO:g}**"
                    )
                if page_l and page_l["status"] != 200:
                    ok.append(f"**HTTP {page_l['status']}**")
                verdict = ", ".join(ok)
                warm_cell = f"{warm:.2f}" if warm else "—"
                cold_cell = f"{cold:.2f}" if cold else "—"
            lines.append(
                f"| {label} | {' | '.join(queries)} | {' | '.join(cells)} | {warm_cell} | {cold_cell} | {verdict} |"
            )
        lines.append("")
    lines += [
        "Notes. The form page is the 附表1 of the largest unit, its first page of 50 rows; the order of all its "
        "rows follows the size of that unit, which is the same at both campus sizes, not the size of the "
        "campus. The unit-progress page is that unit's. Each cold request follows its own write, so the cold "
        "floor is measured the same way (the write's cost is outside the timed request). Slowest statements of "
        "each page are printed by the run.",
        "",
        f"Machine: {info['machine']}.",
        "",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    child_main(sys.argv[1:])
