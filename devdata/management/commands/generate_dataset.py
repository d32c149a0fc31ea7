"""``manage.py generate_dataset --units N --posts-per-unit M [--seed S] [--force]``: a synthetic campus.

Deterministic from the seed (see ``devdata.dataset``). Point ``DATABASE_URL`` at a fresh database: the command
migrates it first when needed, and refuses one that already holds other data unless ``--force``.
"""

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor

from devdata.dataset import BENCH_PASSWORD, DatasetRefused, generate


class Command(BaseCommand):
    help = "Generate a synthetic campus (units, posts, holders, forms, risk points, measures, complaints)."

    def add_arguments(self, parser):
        parser.add_argument("--units", type=int, required=True, help="number of units")
        parser.add_argument("--posts-per-unit", type=int, required=True, help="mean posts per unit (≥ 2)")
        parser.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
        parser.add_argument(
            "--force", action="store_true", help="write even though the database holds other (e.g. demo) data"
        )

    def handle(self, *args, units, posts_per_unit, seed, force, **options):
        if units < 1 or posts_per_unit < 2:
            raise CommandError("--units 至少为 1，--posts-per-unit 至少为 2。(--units ≥ 1, --posts-per-unit ≥ 2)")
        connection = connections[DEFAULT_DB_ALIAS]
        executor = MigrationExecutor(connection)
        if executor.migration_plan(executor.loader.graph.leaf_nodes()):
            self.stdout.write("数据库尚未迁移，先执行 migrate。(Migrating the database first.)")
            call_command("migrate", verbosity=0, interactive=False)
        self.stdout.write(
            f"生成合成数据 (generating): {units} 个单位 × 平均 {posts_per_unit} 个岗位, seed {seed}, "
            f"{connection.vendor} {connection.settings_dict['NAME']}"
        )
        try:
            summary = generate(units=units, posts_per_unit=posts_per_unit, seed=seed, force=force, stdout=self.stdout)
        except DatasetRefused as error:
            raise CommandError(str(error)) from error
        for label, count in sorted(summary.counts.items()):
            self.stdout.write(f"  {label}: {count}")
        total = dict(summary.timings)["total"]
        self.stdout.write(self.style.SUCCESS(f"完成 (done) in {total:.1f} s; largest unit {summary.largest_unit}."))
        self.stdout.write(f"基准测试用户 (benchmark users), 密码 / password: {BENCH_PASSWORD}")
        for username, role, unit in summary.bench_users:
            self.stdout.write(f"  {username:<18} {role} {unit}")
