"""The synthetic campus of ``generate_dataset`` and the benchmarks: ``generate`` and what callers need."""

from .generator import DatasetRefused, Summary, foreign_data_present, generate, generated_data_present
from .vocabulary import BATCH_SIZE, BENCH_PASSWORD, UNIT_CODE_PREFIX, USER_PREFIXES, unit_sizes

__all__ = [
    "BATCH_SIZE",
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
