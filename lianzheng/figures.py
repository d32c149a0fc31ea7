"""Figures kept by the writes that change them: the registry every app's kept figures join.

Pages show counts (points by level, coverage, progress, complaints by stage...) from small tables that the services
update inside the same transaction as the rows they count, so a page is fresh after every write without any cache.
Each app that keeps such a table registers a ``Keeper`` in its ``AppConfig.ready()``: how to rebuild every kept row
from the source rows (after a bulk load or a database restore) and how to list the differences between what is kept
and what the rows say, without writing. ``manage.py recompute_stats [--check]`` runs them.

This module is on the ground floor: it imports no app of the project.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.db import transaction


@dataclass(frozen=True)
class Keeper:
    #: A short name, shown by ``recompute_stats`` and accepted by its ``--only``.
    name: str
    #: Recompute every kept row of this keeper from the source rows; returns the number of rows written.
    rebuild: Callable[[], int]
    #: Compare the kept rows with a fresh computation and describe each difference in one line; writes nothing.
    differences: Callable[[], list[str]]


_keepers: dict[str, Keeper] = {}


def register(keeper: Keeper) -> Keeper:
    """Add (or replace, on a reload) a keeper; call from ``AppConfig.ready()``."""
    _keepers[keeper.name] = keeper
    return keeper


def keepers(only: list[str] | None = None) -> list[Keeper]:
    if not only:
        return list(_keepers.values())
    unknown = sorted(set(only) - set(_keepers))
    if unknown:
        raise KeyError(", ".join(unknown))
    return [_keepers[name] for name in only]


def rebuild_all(only: list[str] | None = None) -> dict[str, int]:
    """Rebuild every kept figure in one transaction (a bulk load, a restore, a test's factory data)."""
    with transaction.atomic():
        return {keeper.name: keeper.rebuild() for keeper in keepers(only)}


def differences(only: list[str] | None = None) -> dict[str, list[str]]:
    """Each keeper's differences between kept and recomputed figures; empty lists when all agree."""
    return {keeper.name: keeper.differences() for keeper in keepers(only)}
