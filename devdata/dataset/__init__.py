"""Synthetic campus data for benchmarks and load tests (``manage.py generate_dataset``).

Everything is drawn from ``random.Random(seed)``: the same arguments give the same units, posts, people, forms,
risk points, measures and complaints, row for row (timestamps set by the database aside). Rows are written with
``bulk_create`` in batches, many-to-many links through their through-models, so 20,000 posts take minutes, not
hours. No audit events and no notifications to real people are written: this is data, not a history of actions.

Generated rows are recognisable: unit codes start with ``syn``, user names with ``syn_`` or ``bench_``. The
command refuses a database that holds anything else (the demo, a real campus) unless told ``--force``.

The modules, in the order their steps run (``generator.STEPS``): ``organisation`` (units, offices, posts, people),
``schedule`` (campaign, phases, deliverables, submissions), ``points`` (power items, risk points, measures),
``risk_forms`` (meetings, forms, their events), ``supervision`` (实施细则, complaints, yellow cards, assessments,
notifications). ``words`` holds the vocabulary they draw from, ``build`` the state they share.
"""

from .build import BENCH_PASSWORD, UNIT_CODE_PREFIX, USER_PREFIXES, Summary
from .generator import DatasetRefused, foreign_data_present, generate, generated_data_present
from .organisation import unit_sizes

__all__ = [
    "BENCH_PASSWORD",
    "UNIT_CODE_PREFIX",
    "USER_PREFIXES",
    "DatasetRefused",
    "Summary",
    "foreign_data_present",
    "generate",
    "generated_data_present",
    "unit_sizes",
]
