"""What the steps of the generator share: one ``Build`` per run (arguments, random source, clock, the rows made so
far) and the ``Summary`` it returns.
"""

import datetime
import random
import time
from dataclasses import dataclass, field

from django.utils import timezone

UNIT_CODE_PREFIX = "syn"
USER_PREFIXES = ("syn_", "bench_")
#: The password of the benchmark users (and only theirs); every other generated person cannot log in.
BENCH_PASSWORD = "bench-12345"  # noqa: S105 — published test password of synthetic data, never of real people
BATCH_SIZE = 2000


@dataclass
class Summary:
    counts: dict = field(default_factory=dict)
    timings: list = field(default_factory=list)
    bench_users: list = field(default_factory=list)
    largest_unit: str = ""


class Build:
    """One run of the generator. The steps run in a fixed order, read what the earlier ones made and add to it:

    - ``organisation``: ``units``, ``posts`` and ``largest`` (the unit with the most posts);
    - ``people``: ``bench`` (the benchmark users by name) and ``reviewer``;
    - ``campaign_and_schedule``: ``campaign``;
    - ``risk_points``: ``points``, which ``measures`` drops again once it is done with them.

    The model instances carry the generator's own attributes too (``unit.post_list``, ``unit.leader``,
    ``post.holder``, ``post.is_head``...), so later steps need no queries to find them.

    Every random draw comes from ``rng``, in the order the steps make them: changing that order changes the data a
    seed gives.
    """

    def __init__(self, *, units: int, posts_per_unit: int, seed: int, stdout=None):
        self.n_units = units
        self.posts_per_unit = posts_per_unit
        self.rng = random.Random(seed)
        self.seed = seed
        self.stdout = stdout
        self.summary = Summary()
        self.today = timezone.localdate()
        self.now = timezone.now()
        self.started = time.perf_counter()

    def record_timing(self, label: str, started: float):
        elapsed = time.perf_counter() - started
        self.summary.timings.append((label, elapsed))
        if self.stdout is not None:
            self.stdout.write(f"  {label}: {elapsed:.1f} s")

    def bulk(self, model, rows):
        """Insert ``rows`` in batches (their primary keys are set afterwards) and count them in the summary."""
        model.objects.bulk_create(rows, batch_size=BATCH_SIZE)
        self.summary.counts[model._meta.label] = self.summary.counts.get(model._meta.label, 0) + len(rows)
        return rows

    def at(self, days_ago: float) -> datetime.datetime:
        return self.now - datetime.timedelta(days=days_ago)
