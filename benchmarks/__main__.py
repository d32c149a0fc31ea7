"""``make bench`` (``python -m benchmarks``): how long the official forms take to build, and how fast pages stay.

Two benchmarks, both by default (``--only exports`` or ``--only pages`` for one):

**Pages** (``benchmarks/pages.py``): SQL queries and median/p95 server time, warm and "cold" (right after a service
write in another unit), of the dashboard per role, the risk-point list, a unit form, the reviewer queue, the progress
matrix, a unit's progress and coverage at two campus sizes (``--sizes 1000,20000`` posts) on SQLite and PostgreSQL
(``--db sqlite|postgres|both``), next to a floor view per user; written to docs/benchmarks.md ("Pages").

**Exports**: for one unit with N risk points (default 200, each with 3 measures per stage), it times — median of R runs —
``appendix_data`` (the database read), ``appendix_xlsx`` and ``appendix_pdf``, and compares the two exports with a
baseline: the same rows written by bare openpyxl (values only, no styles), and rendered by bare WeasyPrint from a
minimal table (the same embedded font, no layout rules). It writes the table to docs/benchmarks.md ("Exports").

It runs against a throw-away SQLite database and data directory, never the project's own.
"""

import argparse
import io
import os
import platform
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _sizes(text: str) -> list[int]:
    return [int(part) for part in text.split(",") if part.strip()]


def parse_args(argv):
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__.splitlines()[0])
    parser.add_argument("--only", choices=["exports", "pages"], help="run one benchmark (default: both)")
    parser.add_argument("--points", type=int, default=200, help="exports: risk points in the unit (default 200)")
    parser.add_argument("--repeat", type=int, default=5, help="exports: runs per measurement; the median is reported")
    parser.add_argument(
        "--sizes", type=_sizes, default=[1000, 20000], help="pages: campus sizes in posts (default 1000,20000)"
    )
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both", help="pages: databases")
    parser.add_argument("--posts-per-unit", type=int, default=50, help="pages: mean posts per unit (default 50)")
    parser.add_argument("--requests", type=int, default=30, help="pages: measured requests per page (default 30)")
    parser.add_argument("--seed", type=int, default=1, help="pages: seed of the synthetic campus")
    parser.add_argument("--no-write", action="store_true", help="print only; leave docs/benchmarks.md alone")
    return parser.parse_args(argv)


def setup_django(workdir: Path):
    os.environ["DJANGO_SETTINGS_MODULE"] = "lianzheng.settings"
    os.environ["DATABASE_URL"] = f"sqlite:///{workdir / 'bench.sqlite3'}"
    os.environ["DJANGO_DATA_DIR"] = str(workdir / "data")
    os.environ.pop("REDIS_URL", None)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


def build_unit(points: int):
    """One unit, 5 offices, 20 posts, ``points`` risk points across the three levels, 3 measures per stage each."""
    from measures.models import Measure
    from risks.models import RiskForm, RiskPoint
    from units.models import Campaign, Office, Post, Unit, User

    unit = Unit.objects.create(code="caiwu", name="财务处", batch=1, is_pilot=True)
    campaign = Campaign.objects.create(name="第一批试点", year=2010, batch=1)
    campaign.units.add(unit)
    offices = [Office.objects.create(unit=unit, name=f"第{i + 1}科", sort_order=i) for i in range(5)]
    posts = [
        Post.objects.create(unit=unit, office=offices[i % 5], name=f"岗位{i + 1:02d}", sort_order=i, is_key=i % 3 == 0)
        for i in range(20)
    ]
    filler = User.objects.create(username="contact", full_name="联络员", role="unit_contact", unit=unit)
    categories = ["duty", "process", "system", "external"]
    created = []
    for i in range(points):
        scope = "unit" if i < points // 10 else "office" if i < points // 4 else "post"
        office = offices[i % 5] if scope != "unit" else None
        created.append(
            RiskPoint(
                campaign=campaign,
                unit=unit,
                office=office,
                scope=scope,
                sort_order=i,
                business_step=f"业务事项{i % 17 + 1}：经费报销审核与资金支付",
                name=f"风险点{i + 1}：审核把关不严",
                manifestation="对不符合规定的票据予以报销，优亲厚友、违规办理。",
                category=categories[i % 4],
                level=i % 3 + 1,
                responsible_leader="分管副处长",
                responsible_person="科长",
                supervisor="纪委监察室",
            )
        )
    RiskPoint.objects.bulk_create(created)
    through = RiskPoint.posts.through
    links = []
    for i, point in enumerate(created):
        if point.scope == "post":
            links.append(through(riskpoint_id=point.pk, post_id=posts[i % 20].pk))
            if i % 7 == 0:
                links.append(through(riskpoint_id=point.pk, post_id=posts[(i + 1) % 20].pk))
    through.objects.bulk_create(links)
    measures = [
        Measure(
            risk_point=point,
            stage=stage,
            sort_order=n,
            content=f"{label}措施{n + 1}：实行双人复核，定期公开办理结果。",
        )
        for point in created
        for stage, label in (("pre", "前期"), ("mid", "中期"), ("post", "后期"))
        for n in range(3)
    ]
    Measure.objects.bulk_create(measures, batch_size=1000)
    return RiskForm.objects.create(kind="unit", campaign=campaign, unit=unit, filled_by=filler)


def median_time(fn, repeat: int):
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def bare_openpyxl(rows):
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    for row in rows:
        ws.append(row)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def bare_weasyprint(rows):
    import weasyprint
    from django.utils.html import escape

    from risks.pdf_fonts import FAMILY, font_faces

    faces = "".join(
        f'@font-face {{ font-family: "{f["family"]}"; font-weight: {f["weight"]}; src: url("{f["url"]}"); }}'
        for f in font_faces()
    )
    body = "".join("<tr>" + "".join(f"<td>{escape(str(v))}</td>" for v in row) + "</tr>" for row in rows)
    html = (
        f'<html><head><meta charset="utf-8"><style>{faces} @page {{ size: A4 landscape }} '
        f'body {{ font-family: "{FAMILY}"; font-size: 10.5pt }} td {{ border: 1px solid; white-space: pre-line }}'
        f"</style></head><body><table>{body}</table></body></html>"
    )
    return weasyprint.HTML(string=html).write_pdf()


def machine() -> dict:
    import django
    import openpyxl
    import weasyprint

    cpu = ""
    try:
        match = re.search(r"^model name\s*:\s*(.+)$", Path("/proc/cpuinfo").read_text(), re.M)
        cpu = match.group(1).strip() if match else ""
    except OSError:
        pass
    return {
        "nproc": os.cpu_count(),
        "cpu": cpu or platform.processor() or "unknown",
        "os": platform.platform(),
        "python": platform.python_version(),
        "django": django.get_version(),
        "openpyxl": openpyxl.__version__,
        "weasyprint": weasyprint.__version__,
    }


def page_count(pdf: bytes) -> int | str:
    try:
        from pypdf import PdfReader
    except ImportError:
        return "?"
    return len(PdfReader(io.BytesIO(pdf)).pages)


def report(results: dict, info: dict, args) -> str:
    r = results
    lines = [
        "## Exports",
        "",
        f"`make bench` (`python -m benchmarks --points {args.points} --repeat {args.repeat}`): one unit with "
        f"{args.points} risk points, 3 measures per stage each (附表1, {r['pages']} PDF pages, "
        f"{r['pdf_bytes'] // 1024} KiB PDF, {r['xlsx_bytes'] // 1024} KiB xlsx). Median of {args.repeat} runs, "
        "seconds. Baselines: the same cell texts written by bare openpyxl (values only, no styles) and rendered by "
        "bare WeasyPrint from a minimal `<table>` with the same embedded font.",
        "",
        "| step | this system | baseline | ratio |",
        "| --- | ---: | ---: | ---: |",
        f"| read the form (`appendix_data`, {r['queries']} queries) | {r['data']:.3f} | | |",
        f"| xlsx (`appendix_xlsx`) vs bare openpyxl | {r['xlsx']:.3f} | {r['xlsx_bare']:.3f} | "
        f"{r['xlsx'] / r['xlsx_bare']:.2f}× |",
        f"| PDF (`appendix_pdf`) vs bare WeasyPrint | {r['pdf']:.3f} | {r['pdf_bare']:.3f} | "
        f"{r['pdf'] / r['pdf_bare']:.2f}× |",
        "",
        f"Machine: {info['nproc']} CPU(s), {info['cpu']}; {info['os']}; Python {info['python']}, "
        f"Django {info['django']}, openpyxl {info['openpyxl']}, WeasyPrint {info['weasyprint']}.",
        "",
    ]
    return "\n".join(lines)


def write_section(text: str, title: str = "Exports") -> Path:
    """Replace the ``## {title}`` section of docs/benchmarks.md (or append it), leaving the others alone."""
    path = ROOT / "docs" / "benchmarks.md"
    path.parent.mkdir(exist_ok=True)
    current = path.read_text(encoding="utf-8") if path.exists() else "# Benchmarks\n\n"
    pattern = re.compile(rf"^## {re.escape(title)}\n.*?(?=^## |\Z)", re.S | re.M)
    if pattern.search(current):
        updated = pattern.sub(lambda _m: text + "\n", current)
    else:
        updated = current.rstrip("\n") + "\n\n" + text + "\n"
    path.write_text(updated, encoding="utf-8")
    return path


def machine_line() -> str:
    """nproc, CPU, memory, OS, Python, Django, SQLite and PostgreSQL (server) versions: no Django set-up needed."""
    import sqlite3

    import django

    cpu = ""
    memory = ""
    try:
        match = re.search(r"^model name\s*:\s*(.+)$", Path("/proc/cpuinfo").read_text(), re.M)
        cpu = match.group(1).strip() if match else ""
        kib = int(re.search(r"^MemTotal:\s*(\d+)", Path("/proc/meminfo").read_text(), re.M).group(1))
        memory = f"{kib / 1024 / 1024:.1f} GiB RAM"
    except (OSError, AttributeError):
        pass
    postgres = "not reachable"
    try:
        import psycopg

        from benchmarks.pages import PG_ADMIN_URL

        with psycopg.connect(PG_ADMIN_URL.replace("postgres://", "postgresql://"), connect_timeout=3) as conn:
            postgres = conn.execute("SHOW server_version").fetchone()[0].split()[0]
    except Exception as error:  # any failure: the line says "not reachable" and why
        postgres = f"not reachable ({type(error).__name__})"
    return (
        f"{os.cpu_count()} CPU(s), {cpu or platform.processor() or 'unknown'}, {memory}; {platform.platform()}; "
        f"Python {platform.python_version()}, Django {django.get_version()}, SQLite {sqlite3.sqlite_version}, "
        f"PostgreSQL {postgres}"
    )


def run_pages(args):
    import datetime

    from benchmarks import pages

    print(f"Pages: sizes {args.sizes}, databases {args.db}", flush=True)
    started = time.perf_counter()
    results = pages.run_pages(args)
    info = {"date": datetime.date.today().isoformat(), "machine": machine_line()}
    text = pages.report(results, info, args)
    print(text)
    print(f"(pages took {time.perf_counter() - started:.0f} s)")
    for result in results:
        for label, page in result["pages"].items():
            print(f"  slowest SQL of {result['db']} {result['size']} {label}:")
            for query in page["slowest_sql"][:2]:
                print(f"    {query['ms']} ms  {query['sql'][:300]}")
    if not args.no_write:
        print(f"written to {write_section(text, 'Pages')}")


def main(argv=None):
    args = parse_args(argv if argv is not None else sys.argv[1:])
    if args.only in (None, "pages"):
        run_pages(args)
    if args.only in (None, "exports"):
        run_exports(args)


def run_exports(args):
    with tempfile.TemporaryDirectory(prefix="lz-bench-") as tmp:
        setup_django(Path(tmp))
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        from risks.appendix import appendix_data, rows_of
        from risks.exports import UNIT_COLUMNS, appendix_pdf, appendix_xlsx, cell_text

        form = build_unit(args.points)
        with CaptureQueriesContext(connection) as ctx:
            data = appendix_data(form)
        appendix_pdf(data)  # warm-up: font extraction and WeasyPrint's first-use costs are not what we measure
        rows = [[cell_text(row, key) for key, _label, _width in UNIT_COLUMNS] for row in rows_of(data)]
        results = {"queries": len(ctx.captured_queries)}
        results["data"], _ = median_time(lambda: appendix_data(form), args.repeat)
        results["xlsx"], xlsx = median_time(lambda: appendix_xlsx(data), args.repeat)
        results["xlsx_bare"], _ = median_time(lambda: bare_openpyxl(rows), args.repeat)
        results["pdf"], pdf = median_time(lambda: appendix_pdf(data), args.repeat)
        results["pdf_bare"], _ = median_time(lambda: bare_weasyprint(rows), args.repeat)
        results.update(pages=page_count(pdf), pdf_bytes=len(pdf), xlsx_bytes=len(xlsx))
        text = report(results, machine(), args)
    print(text)
    if not args.no_write:
        print(f"written to {write_section(text)}")


if __name__ == "__main__":
    main()
