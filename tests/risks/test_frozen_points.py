"""Frozen is frozen for what else a 附表 prints (issue 12 point 3): a risk point shows on its unit's 附表1 and on
the 附表2 of each of its posts, so editing it through one draft form is refused while another form showing it is
submitted, confirmed or approved; a power item's name is printed as its points' 职权(业务)事项."""

import pytest
from django.core.exceptions import ValidationError

from lianzheng.models import AuditEvent
from risks import services
from risks.models import FormState, PowerItem, RiskForm, RiskPoint

from .conftest import make_point

pytestmark = pytest.mark.django_db

REFUSED = {FormState.SUBMITTED: "退回", FormState.CONFIRMED: "退回", FormState.APPROVED: "开始新版本"}


def _set_state(form, state):
    RiskForm.objects.filter(pk=form.pk).update(state=state)
    form.refresh_from_db()


def _rows():
    points = list(RiskPoint.objects.order_by("pk").values_list("pk", "name", "version"))
    items = list(PowerItem.objects.order_by("pk").values_list("pk", "name", "version"))
    return points, items, AuditEvent.objects.count()


@pytest.mark.parametrize("state", [FormState.DRAFT, *REFUSED])
@pytest.mark.parametrize("action", ["update", "delete", "create"])
def test_a_point_on_a_frozen_unit_form_is_not_changed_through_a_draft_personal_form(
    campaign, unit, post, the_unit_form, personal_form, staff, point_data, state, action
):
    point = make_point(campaign, unit, posts=[post], n=1)
    _set_state(the_unit_form, state)
    before = _rows()
    call = {
        "update": lambda: services.risk_point_update(
            point=point, form=personal_form, actor=staff, version=point.version, **point_data, posts=[post]
        ),
        "delete": lambda: services.risk_point_delete(
            point=point, form=personal_form, actor=staff, version=point.version
        ),
        "create": lambda: services.risk_point_create(form=personal_form, actor=staff, **point_data, posts=[post]),
    }[action]
    if state == FormState.DRAFT:
        call()
        assert _rows() != before
        return
    with pytest.raises(ValidationError) as exc:
        call()
    message = " ".join(exc.value.messages)
    assert str(the_unit_form) in message and the_unit_form.get_state_display() in message
    assert REFUSED[state] in message
    assert _rows() == before


@pytest.mark.parametrize("state", [FormState.DRAFT, FormState.RETURNED, *REFUSED])
def test_a_power_item_named_on_a_frozen_form_keeps_its_name(campaign, unit, the_unit_form, unit_contact, state):
    item = PowerItem.objects.create(unit=unit, name="现金支付审批")
    make_point(campaign, unit, n=1, power_item=item, business_step="")
    _set_state(the_unit_form, state)
    before = _rows()
    rename = lambda: services.power_item_update(  # noqa: E731
        item=item, actor=unit_contact, version=item.version, name="改名的事项"
    )
    delete = lambda: services.power_item_delete(item=item, actor=unit_contact, version=item.version)  # noqa: E731
    if state not in REFUSED:
        rename()
        assert PowerItem.objects.get(pk=item.pk).name == "改名的事项"
        return
    for call in (rename, delete):
        with pytest.raises(ValidationError) as exc:
            call()
        assert REFUSED[state] in " ".join(exc.value.messages)
        assert _rows() == before
    # What the form does not print may still change (the basis of the power).
    services.power_item_update(
        item=item, actor=unit_contact, version=item.version, name=item.name, basis="财务制度第三条"
    )
    assert PowerItem.objects.get(pk=item.pk).basis == "财务制度第三条"
