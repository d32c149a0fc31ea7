"""Pages of risk identification: forms (附表1/附表2) with in-place row editing, lists, coverage, power inventory.

Thin views: fetch through a scoped selector (404 for what the user may not see), bind a form, call one service,
render or redirect. Row editing works with htmx (fragments of the same template) and without JavaScript
(full pages and redirects).
"""

from urllib.parse import parse_qs, urlsplit

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST
from django_htmx.http import retarget

from units.models import Unit
from units.rules import is_unit_manager, sees_all_units
from units.selectors import current_campaign

from . import rules, selectors, services
from .filters import RiskPointFilter
from .forms import ConfirmForm, PowerItemForm, ReturnForm, RiskPointForm, SubmitForm, VersionForm
from .models import FormKind, FormState, PowerItem

TEMPLATE = "risks/form_detail.html"


def _campaign_or_404(request):
    campaign = current_campaign(session=request.session)
    if campaign is None:
        raise Http404(_("尚未设置工作批次。"))
    return campaign


# --- form lists -------------------------------------------------------------------------------------------------
def form_list(request):
    """Unit people: all forms of their unit; reviewers and leaders: every form of the campaign, filterable."""
    user = request.user
    campaign = current_campaign(session=request.session)
    if not sees_all_units(user) and not (is_unit_manager(user) and user.unit_id):
        return redirect("risks:my-forms")
    unit = None
    in_campaign = True
    missing = 0
    if campaign is not None:
        if sees_all_units(user):
            code = request.GET.get("unit", "")
            unit = Unit.objects.filter(code=code).first() if code else None
        else:
            unit = user.unit
            # A GET only reads: forms are opened by services when the campaign starts for the unit.
            in_campaign = campaign.units.filter(pk=unit.pk).exists()
            missing = selectors.unit_forms_missing(campaign=campaign, unit=unit) if in_campaign else 0
        state = request.GET.get("state", "")
        forms = selectors.form_list(
            user, campaign=campaign, unit=unit, state=state if state in FormState.values else None
        )
    else:
        forms = []
    page = Paginator(forms, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "risks/form_list.html",
        {
            "page_obj": page,
            "campaign": campaign,
            "unit": unit,
            "in_campaign": in_campaign,
            "missing": missing,
            "states": FormState.choices,
            "units": Unit.objects.filter(campaigns=campaign) if campaign and sees_all_units(user) else [],
        },
    )


def my_forms(request):
    """The personal forms of the posts the user holds today (R3)."""
    campaign = current_campaign(session=request.session)
    forms, unopened = [], []
    if campaign is not None:
        # A GET only reads: a post's 附表2 is opened when the post is created or its holder begins.
        forms = list(selectors.my_forms(request.user, campaign=campaign))
        unopened = selectors.my_posts_without_form(request.user, campaign=campaign)
    return render(request, "risks/my_forms.html", {"forms": forms, "campaign": campaign, "unopened": unopened})


# --- one form ---------------------------------------------------------------------------------------------------
def _actions(user, form) -> dict:
    return {
        "edit": rules.can_edit_form(user, form),
        "submit": rules.can_submit_form(user, form),
        "confirm": rules.can_confirm_form(user, form),
        "return": rules.can_return_form(user, form),
        "approve": rules.can_approve_form(user, form),
        "reopen": rules.can_reopen_form(user, form),
    }


def _detail_context(request, form, *, page=None, **forms) -> dict:
    context = selectors.form_detail(form, page=page or request.GET.get("page") or 1)
    context["actions"] = _actions(request.user, form)
    context["pledge"] = services.personal_pledge() if form.kind == FormKind.PERSONAL else ""
    context["submit_form"] = forms.get("submit_form") or SubmitForm(initial={"version": form.version})
    context["confirm_form"] = forms.get("confirm_form") or ConfirmForm(form=form, initial={"version": form.version})
    context["return_form"] = forms.get("return_form") or ReturnForm(initial={"version": form.version})
    context["open_panel"] = forms.get("open_panel", "")
    context["colspan"] = 15 if form.kind == FormKind.UNIT else 11
    return context


def form_detail(request, pk):
    form = selectors.form_for(request.user, pk)
    context = _detail_context(request, form)
    if request.htmx and request.GET.get("fragment") == "rows":
        return render(request, f"{TEMPLATE}#rows", context)
    return render(request, TEMPLATE, context)


def _rows_response(request, form, point=None):
    """After a row changed: the whole table again (numbering and order may have moved), at the page where the
    changed row now stands, else at the page the user was looking at."""
    if point is not None:
        page = selectors.page_of_point(form, point.pk)
    else:
        current = urlsplit(request.htmx.current_url or "")
        page = parse_qs(current.query).get("page", ["1"])[0]
    response = render(request, f"{TEMPLATE}#rows", _detail_context(request, form, page=page))
    return retarget(response, "#form-rows")


def _point_url(form, point) -> str:
    """The form page showing a point's row, scrolled to it."""
    page = selectors.page_of_point(form, point.pk)
    return reverse("risks:form-detail", args=[form.pk]) + (f"?page={page}" if page > 1 else "") + f"#point-{point.pk}"


def _point_of(form, point_pk):
    return get_object_or_404(selectors.form_points(form), pk=point_pk)


def _row_form_response(request, form, point_form, point=None, status=200):
    context = {
        "form": form,
        "point_form": point_form,
        "point": point,
        "colspan": 15 if form.kind == FormKind.UNIT else 11,
    }
    if request.htmx:
        return render(request, f"{TEMPLATE}#point-form-row", context, status=status)
    return render(request, "risks/point_edit.html", context, status=status)


def _require_edit(request, form):
    if not rules.can_edit_form(request.user, form):
        if form.state == FormState.APPROVED and rules.is_form_filler(request.user, form):
            messages.error(request, _("这份防控表已审核通过，内容已冻结。如需修改，请先“开始新版本”。"))
        else:
            messages.error(request, _("这份防控表当前不能修改。"))
        return redirect("risks:form-detail", pk=form.pk)
    return None


@require_http_methods(["GET", "POST"])
def point_new(request, pk):
    form = selectors.form_for(request.user, pk)
    if (denied := _require_edit(request, form)) is not None:
        return denied
    if request.method == "GET":
        return _row_form_response(request, form, RiskPointForm(form=form))
    point_form = RiskPointForm(request.POST, form=form)
    if point_form.is_valid():
        try:
            point = services.risk_point_create(form=form, actor=request.user, **point_form.service_data())
        except ValidationError as error:
            point_form.add_service_error(error)
        else:
            if request.htmx:
                return _rows_response(request, form, point)
            messages.success(request, _("已新增风险点“%(name)s”。") % {"name": point.name})
            return redirect(_point_url(form, point))
    return _row_form_response(request, form, point_form, status=422)


@require_http_methods(["GET", "POST"])
def point_edit(request, pk, point_pk):
    form = selectors.form_for(request.user, pk)
    point = _point_of(form, point_pk)
    if (denied := _require_edit(request, form)) is not None:
        return denied
    if request.method == "GET":
        return _row_form_response(
            request, form, RiskPointForm(form=form, initial=RiskPointForm.initial_for(point)), point
        )
    point_form = RiskPointForm(request.POST, form=form)
    status = 422
    if point_form.is_valid():
        try:
            point = services.risk_point_update(
                point=point,
                form=form,
                actor=request.user,
                version=point_form.cleaned_data.get("version") or 0,
                **point_form.service_data(),
            )
        except services.StaleEdit as error:
            point_form.add_service_error(error)
            status = 409
        except ValidationError as error:
            point_form.add_service_error(error)
        else:
            if request.htmx:
                return _rows_response(request, form, point)
            messages.success(request, _("已保存风险点“%(name)s”。") % {"name": point.name})
            return redirect(_point_url(form, point))
    return _row_form_response(request, form, point_form, point, status=status)


def point_row(request, pk, point_pk):
    """One row as displayed (the htmx "cancel" of an edit); without htmx, the form page."""
    form = selectors.form_for(request.user, pk)
    point = selectors.form_points(form).filter(pk=point_pk).first()  # gone meanwhile: the page the user was on
    if not request.htmx:
        return redirect(_point_url(form, point) if point else reverse("risks:form-detail", args=[form.pk]))
    return _rows_response(request, form, point)


@require_POST
def point_delete(request, pk, point_pk):
    form = selectors.form_for(request.user, pk)
    point = _point_of(form, point_pk)
    if (denied := _require_edit(request, form)) is not None:
        return denied
    version_form = VersionForm(request.POST)
    version_form.is_valid()
    try:
        services.risk_point_delete(
            point=point, form=form, actor=request.user, version=version_form.cleaned_data.get("version") or 0
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("已删除风险点“%(name)s”。") % {"name": point.name})
    if request.htmx:
        return _rows_response(request, form)
    return redirect("risks:form-detail", pk=form.pk)


# --- transitions ------------------------------------------------------------------------------------------------
DONE = {
    "submit": gettext_lazy("已提交，已通知本单位负责人和联络员。"),
    "confirm": gettext_lazy("已确认并报送纪委监察室，已通知审核人。"),
    "return": gettext_lazy("已退回，已通知填表人修改。"),
    "approve": gettext_lazy("已审核通过并保存了本版内容，已通知填表人和本单位联络员。"),
    "reopen": gettext_lazy("已开始新版本，可以修改了；已通过的版本保留在历史记录中。"),
}


def _transition_failed(request, form, error, **forms):
    if isinstance(error, ValidationError) and hasattr(error, "error_dict"):
        bound = next(iter(f for f in forms.values() if hasattr(f, "add_service_error")), None)
        if bound is not None:
            bound.add_service_error(error)
            messages.error(request, _("操作未完成，请按提示修改。"))
            return render(request, TEMPLATE, _detail_context(request, form, **forms), status=422)
    messages.error(request, " ".join(error.messages) if isinstance(error, ValidationError) else str(error))
    return redirect("risks:form-detail", pk=form.pk)


@require_POST
def form_submit(request, pk):
    form = selectors.form_for(request.user, pk)
    bound = SubmitForm(request.POST)
    bound.is_valid()
    try:
        services.form_submit(
            form=form,
            actor=request.user,
            pledge=bound.cleaned_data.get("pledge", False),
            version=bound.cleaned_data.get("version"),
        )
    except ValidationError as error:
        return _transition_failed(request, form, error, submit_form=bound, open_panel="submit")
    messages.success(request, DONE["submit"])
    return redirect("risks:form-detail", pk=form.pk)


@require_POST
def form_confirm(request, pk):
    form = selectors.form_for(request.user, pk)
    bound = ConfirmForm(request.POST, form=form)
    if not bound.is_valid():
        messages.error(request, _("操作未完成，请按提示修改。"))
        return render(
            request, TEMPLATE, _detail_context(request, form, confirm_form=bound, open_panel="confirm"), status=422
        )
    try:
        services.form_confirm(
            form=form,
            actor=request.user,
            meeting=bound.cleaned_data.get("meeting"),
            new_meeting=bound.new_meeting(),
            confirmation_text=bound.cleaned_data["confirmation_text"],
            version=bound.cleaned_data.get("version"),
        )
    except ValidationError as error:
        return _transition_failed(request, form, error, confirm_form=bound, open_panel="confirm")
    messages.success(request, DONE["confirm"])
    return redirect("risks:form-detail", pk=form.pk)


@require_POST
def form_return(request, pk):
    form = selectors.form_for(request.user, pk)
    bound = ReturnForm(request.POST)
    if not bound.is_valid():
        messages.error(request, _("退回时必须填写退回意见。"))
        return render(
            request, TEMPLATE, _detail_context(request, form, return_form=bound, open_panel="return"), status=422
        )
    try:
        services.form_return(
            form=form,
            actor=request.user,
            comment=bound.cleaned_data["comment"],
            version=bound.cleaned_data.get("version"),
        )
    except ValidationError as error:
        return _transition_failed(request, form, error, return_form=bound, open_panel="return")
    messages.success(request, DONE["return"])
    return _redirect_next(request, form)


def _redirect_next(request, form):
    if request.POST.get("next") == "queue":
        return redirect("reviews:queue")
    return redirect("risks:form-detail", pk=form.pk)


@require_POST
def form_approve(request, pk):
    form = selectors.form_for(request.user, pk)
    bound = VersionForm(request.POST)
    bound.is_valid()
    try:
        services.form_approve(form=form, actor=request.user, version=bound.cleaned_data.get("version"))
    except ValidationError as error:
        return _transition_failed(request, form, error)
    messages.success(request, DONE["approve"])
    return _redirect_next(request, form)


@require_POST
def form_reopen(request, pk):
    form = selectors.form_for(request.user, pk)
    bound = VersionForm(request.POST)
    bound.is_valid()
    try:
        services.form_reopen(
            form=form,
            actor=request.user,
            comment=bound.cleaned_data.get("comment", ""),
            version=bound.cleaned_data.get("version"),
        )
    except ValidationError as error:
        return _transition_failed(request, form, error)
    messages.success(request, DONE["reopen"])
    return redirect("risks:form-detail", pk=form.pk)


def form_snapshot(request, pk, revision):
    """An approved version as it was frozen: what was in force from its approval on."""
    form = selectors.form_for(request.user, pk)
    snapshot = selectors.snapshot_for(form, revision)
    later = form.snapshots.filter(revision__gt=revision).order_by("revision").only("approved_at").first()
    return render(
        request,
        "risks/form_snapshot.html",
        {
            "form": form,
            "snapshot": snapshot,
            "content": snapshot.content,
            "until": later.approved_at if later else None,
        },
    )


# --- lists ------------------------------------------------------------------------------------------------------
def point_list(request):
    campaign = _campaign_or_404(request)
    if not (sees_all_units(request.user) or is_unit_manager(request.user)):
        raise Http404
    sort = request.GET.get("sort", "")
    qs = selectors.point_list(request.user, campaign=campaign, sort=sort)
    filterset = RiskPointFilter(request.GET or None, queryset=qs, user=request.user, campaign=campaign)
    _narrow_place_choices(filterset, request.GET)
    count = None  # from the kept figures where they hold it, else the paginator counts the rows
    if not filterset.is_bound or filterset.form.is_valid():
        filters = filterset.form.cleaned_data if filterset.is_bound else {}
        count = selectors.kept_point_count(request.user, campaign=campaign, filters=filters)
    paginator = KnownCountPaginator(filterset.qs, 50, count=count)
    page = paginator.get_page(request.GET.get("page"))
    page.object_list = selectors.point_rows(page.object_list.values_list(*selectors.POINT_ROW_FIELDS))
    return render(request, "risks/point_list.html", {"filter": filterset, "page_obj": page, "campaign": campaign})


class KnownCountPaginator(Paginator):
    """A paginator told its count when the kept figures hold it (``count=None``: it counts the rows)."""

    def __init__(self, object_list, per_page, *, count: int | None = None, **kwargs):
        super().__init__(object_list, per_page, **kwargs)
        if count is not None:
            self.__dict__["count"] = count  # the cached_property's slot

    def page(self, number):
        """The page's rows are read as they are, never cut to the count: a kept count that lags a bulk load (until
        ``recompute_stats``) cannot hide a row of the page."""
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        return self._get_page(self.object_list[bottom : bottom + self.per_page], number, self)


def _narrow_place_choices(filterset, params):
    """Offer the offices and posts of the chosen unit only (plus the one asked for), never every post of the school:
    a select of 20,000 posts is a megabyte of HTML on every visit. The unit select submits the form on change."""
    fields = filterset.form.fields
    units = filterset.units
    unit_pk = params.get("unit", "")
    chosen = units.filter(pk=unit_pk) if unit_pk.isdigit() else units.none()
    for name in ("office", "post"):
        queryset = fields[name].queryset
        wanted = params.get(name, "")
        if not (unit_pk.isdigit() or wanted.isdigit()):
            fields[name].queryset = queryset.none()  # no unit chosen: nothing to offer, and no query
            continue
        keep = Q(unit__in=chosen) | Q(pk=wanted) if wanted.isdigit() else Q(unit__in=chosen)
        fields[name].queryset = queryset.filter(keep)


COVERAGE_PAGE_UNITS = 25
COVERAGE_PAGE_ROWS = 50


def coverage(request):
    """R13 不漏岗、不缺项. The campus view: one row per unit from the kept figures, filtered, sorted and paginated;
    a unit's view (``?unit=<code>``, and the only view of a unit's own managers): its uncovered posts and the points
    lacking a stage, each list paginated. Bounded queries whatever the size of the campus."""
    campaign = _campaign_or_404(request)
    user = request.user
    if not (sees_all_units(user) or is_unit_manager(user)):
        raise Http404
    visible = selectors.units_with_records_visible_to(user).filter(campaigns=campaign)
    code = request.GET.get("unit", "")
    unit = get_object_or_404(visible, code=code) if code else None
    if unit is None and not sees_all_units(user):
        unit = visible.order_by("sort_order", "code").first()
    if unit is None:
        state = request.GET.get("state", "")
        rows = selectors.coverage_units(user, campaign=campaign, state=state, sort=request.GET.get("sort", ""))
        page_obj = Paginator(rows, COVERAGE_PAGE_UNITS).get_page(request.GET.get("page"))
        return render(
            request,
            "risks/coverage.html",
            {"campaign": campaign, "page_obj": page_obj, "state": state, "states": COVERAGE_STATES},
        )
    figures = selectors.unit_figures(campaign=campaign, unit=unit)
    posts_page = Paginator(selectors.uncovered_posts(campaign=campaign, unit=unit), COVERAGE_PAGE_ROWS).get_page(
        request.GET.get("posts_page")
    )
    points_page = Paginator(selectors.incomplete_points(campaign=campaign, unit=unit), COVERAGE_PAGE_ROWS).get_page(
        request.GET.get("points_page")
    )
    for point in points_page:
        point.missing_stages = selectors.missing_stages(point)
    return render(
        request,
        "risks/coverage_unit.html",
        {
            "campaign": campaign,
            "unit": unit,
            "figures": figures,
            "posts_page": posts_page,
            "points_page": points_page,
            "campus_view": sees_all_units(user),
        },
    )


COVERAGE_STATES = [
    ("", gettext_lazy("全部单位")),
    ("gaps", gettext_lazy("有缺口的单位")),
    ("complete", gettext_lazy("已全覆盖的单位")),
]


# --- power inventory ----------------------------------------------------------------------------------------------
def _records_unit(request, code) -> Unit:
    return get_object_or_404(selectors.units_with_records_visible_to(request.user), code=code)


@require_http_methods(["GET", "POST"])
def power_items(request, code):
    unit = _records_unit(request, code)
    can_edit = rules.can_manage_unit_records(request.user, unit)
    item_form = PowerItemForm(unit=unit)
    status = 200
    if request.method == "POST":
        if not can_edit:
            raise PermissionDenied
        item_form = PowerItemForm(request.POST, unit=unit)
        if item_form.is_valid():
            try:
                item = services.power_item_create(unit=unit, actor=request.user, **item_form.service_data())
            except ValidationError as error:
                item_form.add_service_error(error)
            else:
                messages.success(request, _("已新增职权事项“%(name)s”。") % {"name": item.name})
                return redirect("risks:power-items", code=unit.code)
        status = 422
    return render(
        request,
        "risks/power_items.html",
        {"unit": unit, "items": selectors.power_items_of(unit), "item_form": item_form, "can_edit": can_edit},
        status=status,
    )


@require_http_methods(["GET", "POST"])
def power_item_edit(request, code, item_pk):
    unit = _records_unit(request, code)
    item = get_object_or_404(PowerItem.objects.filter(unit=unit), pk=item_pk)
    if not rules.can_manage_unit_records(request.user, unit):
        raise PermissionDenied
    status = 200
    if request.method == "POST":
        item_form = PowerItemForm(request.POST, unit=unit)
        status = 422
        if item_form.is_valid():
            try:
                services.power_item_update(
                    item=item,
                    actor=request.user,
                    version=item_form.cleaned_data.get("version") or 0,
                    **item_form.service_data(),
                )
            except ValidationError as error:
                item_form.add_service_error(error)
                status = 409 if isinstance(error, services.StaleEdit) else 422
            else:
                messages.success(request, _("已保存职权事项“%(name)s”。") % {"name": item_form.cleaned_data["name"]})
                return redirect("risks:power-items", code=unit.code)
    else:
        item_form = PowerItemForm(unit=unit, initial=PowerItemForm.initial_for(item))
    return render(
        request, "risks/power_item_edit.html", {"unit": unit, "item": item, "item_form": item_form}, status=status
    )


@require_POST
def power_item_delete(request, code, item_pk):
    unit = _records_unit(request, code)
    item = get_object_or_404(PowerItem.objects.filter(unit=unit), pk=item_pk)
    bound = VersionForm(request.POST)
    bound.is_valid()
    try:
        services.power_item_delete(item=item, actor=request.user, version=bound.cleaned_data.get("version") or 0)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("已删除职权事项“%(name)s”。") % {"name": item.name})
    return redirect("risks:power-items", code=unit.code)
