"""Writes for campaigns (批次) and their phases. Dates are data (R6): they come from the reviewer's form or from a
copied campaign, never from constants in code. The deliverables of each phase live in ``reviews`` (a higher layer),
which copies them itself (reviews.schedule.services.campaign_copy).
"""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from lianzheng import workflow
from lianzheng.audit import record

from . import signals
from .models import PHASE_ORDER, Batch, Campaign, Phase, PhaseKind, Unit
from .rules import is_admin, is_reviewer


def _require_manager(actor) -> None:
    if not (is_admin(actor) or is_reviewer(actor)):
        raise ValidationError(_("只有纪委监察室审核人或系统管理员可以设置批次与日程。"))


def pilot_units():
    """The first batch (R5): the pilot units 后勤集团、校建办、设备处、财务处、招就处."""
    return Unit.objects.filter(is_pilot=True, batch=Batch.FIRST)


def validate_phase_dates(*, year: int, phases: dict) -> None:
    """R6: four phases, each inside the campaign's year, in the plan's order, not overlapping."""
    errors = []
    missing = [kind for kind in PHASE_ORDER if kind not in phases]
    if missing:
        raise ValidationError(_("四个阶段的起止日期都必须填写。(All four phases need dates.)"))
    previous = None
    for kind in PHASE_ORDER:
        start, end = phases[kind]
        label = PhaseKind(kind).label
        if start is None or end is None:
            errors.append(_("“%(phase)s”阶段的起止日期必须填写。") % {"phase": label})
            continue
        if end < start:
            errors.append(_("“%(phase)s”阶段的结束日期早于开始日期。(End before start.)") % {"phase": label})
        if start.year != year or end.year != year:
            errors.append(
                _("“%(phase)s”阶段的日期必须在 %(year)s 年之内。(Dates must be inside the campaign year.)")
                % {"phase": label, "year": year}
            )
        if previous is not None and start <= previous[1]:
            errors.append(
                _("“%(phase)s”阶段必须在“%(prev)s”阶段结束之后开始，阶段之间不能重叠。(Phases must be in order.)")
                % {"phase": label, "prev": PhaseKind(previous[0]).label}
            )
        previous = (kind, end)
    if errors:
        raise ValidationError(errors)


def validate_batch_units(*, batch: int, units) -> None:
    """R5: the first batch is the five pilot units; other units come in the second batch."""
    units = list(units)
    if not units:
        raise ValidationError(_("请至少选择一个参加单位。"))
    if int(batch) == Batch.FIRST:
        outsiders = [u.name for u in units if not (u.is_pilot and u.batch == Batch.FIRST)]
        if outsiders:
            raise ValidationError(
                _("第一批只包括试点单位，以下单位不是试点单位：%(names)s。(R5: first batch = pilot units.)")
                % {"names": "、".join(outsiders)}
            )


def _write_phases(campaign: Campaign, phases: dict) -> None:
    for kind in PHASE_ORDER:
        start, end = phases[kind]
        Phase.objects.update_or_create(campaign=campaign, kind=kind, defaults={"start": start, "end": end})


@transaction.atomic
def campaign_create(*, actor, name: str, year: int, batch: int, units, phases: dict) -> Campaign:
    _require_manager(actor)
    validate_batch_units(batch=batch, units=units)
    validate_phase_dates(year=year, phases=phases)
    if Campaign.objects.filter(year=year, name=name).exists():
        raise ValidationError(_("%(year)s 年已有名为“%(name)s”的批次。") % {"year": year, "name": name})
    campaign = Campaign.objects.create(name=name, year=year, batch=batch)
    campaign.units.set(units)
    signals.campaign_units_added.send(sender=Campaign, campaign=campaign, unit_ids=[u.pk for u in units], actor=actor)
    _write_phases(campaign, phases)
    record(
        actor=actor,
        action="campaign.create",
        obj=campaign,
        summary={"units": [u.code for u in units], "phases": {k: [str(s), str(e)] for k, (s, e) in phases.items()}},
    )
    return campaign


@transaction.atomic
def campaign_update(
    *,
    actor,
    campaign: Campaign,
    name: str,
    year: int,
    batch: int,
    units,
    phases: dict,
    version: int,
) -> Campaign:
    _require_manager(actor)
    campaign = workflow.locked_for_edit(Campaign, campaign.pk, version=version)
    validate_batch_units(batch=batch, units=units)
    validate_phase_dates(year=year, phases=phases)
    if Campaign.objects.filter(year=year, name=name).exclude(pk=campaign.pk).exists():
        raise ValidationError(_("%(year)s 年已有名为“%(name)s”的批次。") % {"year": year, "name": name})
    campaign.name, campaign.year, campaign.batch = name, year, batch
    campaign.version += 1
    campaign.save(update_fields=["name", "year", "batch", "version"])
    before = set(campaign.units.values_list("pk", flat=True))
    campaign.units.set(units)
    added = [u.pk for u in units if u.pk not in before]
    if added:
        signals.campaign_units_added.send(sender=Campaign, campaign=campaign, unit_ids=added, actor=actor)
    _write_phases(campaign, phases)
    record(
        actor=actor,
        action="campaign.update",
        obj=campaign,
        summary={"units": [u.code for u in units], "phases": {k: [str(s), str(e)] for k, (s, e) in phases.items()}},
    )
    return campaign


def shifted_phases(campaign: Campaign, days: int) -> dict:
    """The campaign's phase dates moved by ``days`` (for a copy)."""
    delta = datetime.timedelta(days=days)
    return {p.kind: (p.start + delta, p.end + delta) for p in campaign.phases.all()}


def phases_of(campaign: Campaign) -> dict:
    return {p.kind: (p.start, p.end) for p in campaign.phases.all()}
