"""Pages: the unit measures page (R7), in-place editing with and without htmx, the overdue list, evidence download,
the 实施细则 pages and the public 公示 page (R8)."""

from datetime import date, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from lianzheng.models import RateLimitHit
from measures.models import ImplementationRules, Measure, RulesComment, RulesState
from tests.factories import PostFactory
from tests.measures.conftest import complete, make_measure, make_point, publicising

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n%%EOF\n"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": tmp_path}},
    }
    return tmp_path


# --- the unit measures page -----------------------------------------------------------------------------
def test_r7_unit_page_shows_three_stage_lists_per_point_and_flags_gaps(as_user, campaign, unit, point, unit_contact):
    make_measure(point, "pre", content="印章分人保管")
    html = as_user(unit_contact).get(reverse("measures:unit-measures", args=[unit.code])).content.decode()
    for label in ("前期预防", "中期监控", "后期处置"):
        assert label in html
    assert "印章分人保管" in html
    assert 'data-testid="blocking-gaps"' in html and "缺少 中期监控、后期处置" in html


def test_unit_page_is_404_for_another_unit(as_user, campaign, unit, point, other_contact):
    assert as_user(other_contact).get(reverse("measures:unit-measures", args=[unit.code])).status_code == 404


def test_reviewer_reads_the_unit_page_without_edit_forms(as_user, campaign, unit, point, reviewer):
    make_measure(point)
    html = as_user(reviewer).get(reverse("measures:unit-measures", args=[unit.code])).content.decode()
    assert "前期预防措施" in html
    assert 'data-testid="add-pre"' not in html and "编辑" not in html


def test_overdue_measures_are_highlighted(as_user, campaign, unit, point, unit_contact):
    make_measure(point, due_date=date.today() - timedelta(days=2), content="过期未落实")
    html = as_user(unit_contact).get(reverse("measures:unit-measures", args=[unit.code])).content.decode()
    assert 'data-testid="overdue"' in html and "已逾期 2 天" in html
    assert 'data-testid="overdue-count"' in html


def _grow(campaign, unit, office, n):
    for i in range(n):
        post = PostFactory(unit=unit, office=office)
        p = make_point(campaign, unit, posts=[post], office=office, n=100 + i, level=(i % 3) + 1)
        complete(p)
        make_measure(p, "pre", due_date=date.today() - timedelta(days=1))


def test_unit_measures_page_query_count_does_not_grow_with_the_unit(
    as_user, campaign, unit, office, unit_contact, django_assert_num_queries
):
    client = as_user(unit_contact)
    url = reverse("measures:unit-measures", args=[unit.code])
    _grow(campaign, unit, office, 2)
    client.get(url)  # warm the session
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as small:
        assert client.get(url).status_code == 200
    _grow(campaign, unit, office, 12)
    with django_assert_num_queries(len(small.captured_queries)):
        response = client.get(url)
    assert response.content.decode().count('data-testid="point-card"') == 14


def test_add_measure_without_javascript_redirects_back(as_user, campaign, unit, point, unit_contact):
    page = reverse("measures:unit-measures", args=[unit.code])
    response = as_user(unit_contact).post(
        reverse("measures:point-measures", args=[point.pk]),
        {
            "stage": "mid",
            "content": "每月银行对账",
            "responsible": "会计核算科",
            "due_date": "2010-06-18",
            "next": page,
        },
    )
    assert response.status_code == 302 and response["Location"] == page
    measure = Measure.objects.get()
    assert (measure.stage, measure.due_date) == ("mid", date(2010, 6, 18))


@pytest.mark.parametrize(
    "target", ["0", "measures", "//evil.example/x", "https://evil.example/", "javascript:alert(1)"]
)
def test_a_crafted_next_falls_back_to_the_measures_page(as_user, campaign, unit, point, unit_contact, target):
    """Issue 14 (9): ``next=0`` was taken for a view name (500); a next that is not a path of this site is ignored."""
    response = as_user(unit_contact).post(
        reverse("measures:point-measures", args=[point.pk]),
        {
            "stage": "mid",
            "content": "每月银行对账",
            "responsible": "会计核算科",
            "due_date": "2010-06-18",
            "next": target,
        },
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("measures:unit-measures", args=[unit.code])


def test_add_measure_with_htmx_returns_the_fragment(as_user, campaign, point, unit_contact):
    response = as_user(unit_contact).post(
        reverse("measures:point-measures", args=[point.pk]),
        {"stage": "post", "content": "追责"},
        HTTP_HX_REQUEST="true",
    )
    html = response.content.decode()
    assert response.status_code == 200 and f'id="pm-{point.pk}"' in html and "追责" in html
    assert "<html" not in html


def test_invalid_add_shows_the_error_under_the_field(as_user, campaign, point, unit_contact):
    response = as_user(unit_contact).post(
        reverse("measures:point-measures", args=[point.pk]), {"stage": "pre", "content": ""}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 422 and "invalid-feedback" in response.content.decode()
    assert not Measure.objects.exists()


def test_adding_to_a_point_of_another_unit_is_404(as_user, campaign, other_point, unit_contact):
    response = as_user(unit_contact).post(
        reverse("measures:point-measures", args=[other_point.pk]), {"stage": "pre", "content": "x"}
    )
    assert response.status_code == 404 and not Measure.objects.exists()


def test_reviewer_cannot_add_measures(as_user, campaign, point, reviewer):
    response = as_user(reviewer).post(
        reverse("measures:point-measures", args=[point.pk]), {"stage": "pre", "content": "x"}
    )
    assert response.status_code == 403 and not Measure.objects.exists()


def test_edit_in_place_and_stale_edit_message(as_user, campaign, point, unit_contact):
    measure = make_measure(point, content="旧")
    client = as_user(unit_contact)
    url = reverse("measures:measure-edit", args=[measure.pk])
    form_html = client.get(url, HTTP_HX_REQUEST="true").content.decode()
    assert 'data-testid="edit-measure-form"' in form_html
    ok = client.post(url, {"content": "新", "version": 1}, HTTP_HX_REQUEST="true")
    assert ok.status_code == 200 and "新" in ok.content.decode()
    stale = client.post(url, {"content": "覆盖", "version": 1}, HTTP_HX_REQUEST="true")
    assert stale.status_code == 422 and "已被他人修改" in stale.content.decode()
    measure.refresh_from_db()
    assert measure.content == "新"


def test_evidence_upload_through_the_page_refuses_wrong_type(as_user, campaign, point, unit_contact, _media):
    response = as_user(unit_contact).post(
        reverse("measures:point-measures", args=[point.pk]),
        {"stage": "post", "content": "x", "evidence_file": SimpleUploadedFile("x.html", b"<script></script>")},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 422 and "只能上传" in response.content.decode()
    assert not Measure.objects.exists() and not [p for p in _media.rglob("*") if p.is_file()]


def test_evidence_is_served_only_to_those_who_may_see_the_measure(
    as_user, campaign, point, unit_contact, reviewer, other_contact
):
    as_user(unit_contact).post(
        reverse("measures:point-measures", args=[point.pk]),
        {"stage": "post", "content": "x", "evidence_file": SimpleUploadedFile("报告.pdf", PDF)},
    )
    measure = Measure.objects.get()
    url = reverse("measures:measure-evidence", args=[measure.pk])
    response = as_user(reviewer).get(url)
    assert response.status_code == 200 and b"".join(response.streaming_content) == PDF
    assert "attachment" in response["Content-Disposition"]
    assert as_user(other_contact).get(url).status_code == 404


def test_overdue_list_reviewer_sees_all_units_a_unit_only_its_own(
    as_user, campaign, point, other_point, reviewer, unit_contact
):
    yesterday = date.today() - timedelta(days=1)
    make_measure(point, content="财务处逾期措施", due_date=yesterday)
    make_measure(other_point, content="设备处逾期措施", due_date=yesterday)
    url = reverse("measures:overdue")
    html = as_user(reviewer).get(url).content.decode()
    assert "财务处逾期措施" in html and "设备处逾期措施" in html
    html = as_user(unit_contact).get(url).content.decode()
    assert "财务处逾期措施" in html and "设备处逾期措施" not in html


# --- 实施细则 pages -------------------------------------------------------------------------------------------
def test_contact_generates_the_draft_from_the_list(as_user, campaign, unit, point, unit_contact):
    client = as_user(unit_contact)
    client.post(reverse("units:switch-campaign"), {"campaign": campaign.pk})
    assert "生成实施细则初稿" in client.get(reverse("measures:rules-list")).content.decode()
    response = client.post(reverse("measures:rules-create"))
    rules_doc = ImplementationRules.objects.get()
    assert response["Location"] == reverse("measures:rules-edit", args=[rules_doc.pk])
    assert point.name in rules_doc.body


def test_other_units_cannot_see_a_draft(as_user, rules_doc, other_contact, unit_contact, staff, reviewer):
    url = reverse("measures:rules-detail", args=[rules_doc.pk])
    assert as_user(other_contact).get(url).status_code == 404
    assert as_user(unit_contact).get(url).status_code == 200
    assert as_user(staff).get(url).status_code == 200
    assert as_user(reviewer).get(url).status_code == 200
    assert rules_doc.title not in as_user(other_contact).get(reverse("measures:rules-list")).content.decode()


def test_denied_transition_through_the_page_changes_nothing(as_user, rules_doc, staff, other_contact):
    publicising(rules_doc, start_delta=timedelta(days=-6), end_delta=timedelta(minutes=-1))
    assert as_user(staff).post(reverse("measures:rules-submit", args=[rules_doc.pk]), {"version": 1}).status_code == 403
    assert (
        as_user(other_contact).post(reverse("measures:rules-submit", args=[rules_doc.pk]), {"version": 1}).status_code
        == 404
    )
    rules_doc.refresh_from_db()
    assert rules_doc.state == RulesState.PUBLICISING


def test_r7_submit_refusal_lists_what_is_missing_on_the_page(as_user, campaign, unit, rules_doc, unit_contact):
    make_point(campaign, unit, n=1, name="资金支付", level=1)
    publicising(rules_doc, start_delta=timedelta(days=-6), end_delta=timedelta(minutes=-1))
    client = as_user(unit_contact)
    response = client.post(reverse("measures:rules-submit", args=[rules_doc.pk]), {"version": 1}, follow=True)
    html = response.content.decode()
    assert "资金支付(一级)缺少前期预防、中期监控、后期处置" in html
    rules_doc.refresh_from_db()
    assert rules_doc.state == RulesState.PUBLICISING


def test_publicise_through_the_page(as_user, rules_doc, unit_contact):
    response = as_user(unit_contact).post(
        reverse("measures:rules-publicise", args=[rules_doc.pk]),
        {
            "publicity_start": "2030-06-12T08:00",
            "publicity_end": "2030-06-17T18:00",
            "publicity_scope": "处务公开栏",
            "version": 1,
        },
    )
    assert response.status_code == 302
    rules_doc.refresh_from_db()
    assert rules_doc.state == RulesState.PUBLICISING and rules_doc.publicity_scope == "处务公开栏"


def test_script_in_the_rules_text_is_not_executed_on_the_detail_page(as_user, rules_doc, unit_contact):
    rules_doc.body = (
        "# 细则\n\n<script>alert('x')</script>\n\n[点我](javascript:alert(1))\n\n<img src=x onerror=alert(1)>"
    )
    rules_doc.save()
    html = as_user(unit_contact).get(reverse("measures:rules-detail", args=[rules_doc.pk])).content.decode()
    body = html.split('data-testid="rules-body"')[1].split("</article>")[0]
    assert "<script" not in body and "javascript:" not in body and "onerror" not in body
    assert "<h1>细则</h1>" in body


# --- the public page (R8) -------------------------------------------------------------------------------
def public_url(rules_doc):
    return reverse("measures:rules-public", args=[rules_doc.pk])


def test_r8_public_page_is_404_for_a_draft_and_other_states(client, rules_doc):
    assert client.get(public_url(rules_doc)).status_code == 404
    for state in (RulesState.SUBMITTED, RulesState.APPROVED, RulesState.RETURNED):
        ImplementationRules.objects.filter(pk=rules_doc.pk).update(state=state)
        assert client.get(public_url(rules_doc)).status_code == 404


@pytest.mark.parametrize(
    ("start", "end", "status"),
    [
        (timedelta(hours=2), timedelta(days=3), 404),  # before the window
        (timedelta(hours=-2), timedelta(days=3), 200),  # during
        (timedelta(days=-6), timedelta(seconds=-1), 404),  # after
    ],
    ids=["before", "during", "after"],
)
def test_r8_public_page_is_readable_only_inside_its_window(client, rules_doc, start, end, status):
    publicising(rules_doc, start_delta=start, end_delta=end)
    response = client.get(public_url(rules_doc))
    assert response.status_code == status
    if status == 200:
        assert "财务处廉政风险防范管理实施细则" in response.content.decode()
        assert "处务公开栏+校园网" in response.content.decode()


@pytest.mark.parametrize(
    ("start", "end", "status"),
    [
        (timedelta(hours=2), timedelta(days=3), 404),
        (timedelta(hours=-2), timedelta(days=3), 302),
        (timedelta(days=-6), timedelta(seconds=-1), 404),
    ],
    ids=["before", "during", "after"],
)
def test_r8_public_comments_are_accepted_only_inside_the_window(client, rules_doc, start, end, status):
    publicising(rules_doc, start_delta=start, end_delta=end)
    response = client.post(public_url(rules_doc), {"content": "建议增加公示渠道", "author_name": ""})
    assert response.status_code == status
    assert RulesComment.objects.count() == (1 if status == 302 else 0)


def test_r8_anonymous_comment_is_seen_by_the_unit_and_not_by_the_public(client, as_user, rules_doc, unit_contact):
    publicising(rules_doc)
    client.post(public_url(rules_doc), {"content": "第五条应写明时限"})
    assert "第五条应写明时限" not in client.get(public_url(rules_doc)).content.decode()
    html = as_user(unit_contact).get(reverse("measures:rules-detail", args=[rules_doc.pk])).content.decode()
    assert "第五条应写明时限" in html and "匿名" in html


def test_public_comment_over_1000_characters_is_refused(client, rules_doc):
    publicising(rules_doc)
    response = client.post(public_url(rules_doc), {"content": "长" * 1001})
    assert response.status_code == 422 and "1000" in response.content.decode()
    assert not RulesComment.objects.exists()


def test_public_comments_are_rate_limited_per_address(client, rules_doc):
    publicising(rules_doc)
    for i in range(5):
        assert client.post(public_url(rules_doc), {"content": f"意见{i}"}, REMOTE_ADDR="10.0.0.1").status_code == 302
    response = client.post(public_url(rules_doc), {"content": "第六条"}, REMOTE_ADDR="10.0.0.1")
    assert response.status_code == 429 and "提交过于频繁" in response.content.decode()
    assert RulesComment.objects.count() == 5
    assert client.post(public_url(rules_doc), {"content": "别的地址"}, REMOTE_ADDR="10.0.0.2").status_code == 302
    assert RateLimitHit.objects.filter(key__startswith="rules-comment:").count() == 6


def test_r8_public_sees_only_the_publicised_text_with_scripts_stripped(client, rules_doc):
    rules_doc.body = (
        '# 公示正文\n\n<script>alert(1)</script><a href="javascript:alert(1)">x</a><img src=x onerror="alert(1)">'
    )
    rules_doc.save()
    publicising(rules_doc)
    html = client.get(public_url(rules_doc)).content.decode()
    body = html.split('data-testid="public-body"')[1].split("</article>")[0]
    assert "公示正文" in body
    assert "<script" not in body and "javascript:" not in body and "onerror" not in body
    # No unit navigation, no internal links: the plain public frame.
    assert "lz-sidebar" not in html and reverse("measures:rules-detail", args=[rules_doc.pk]) not in html
    assert "Content-Security-Policy" in client.get(public_url(rules_doc)).headers


def test_edit_page_works_without_javascript(as_user, campaign, unit, point, unit_contact):
    measure = make_measure(point, content="旧")
    client = as_user(unit_contact)
    page = client.get(reverse("measures:measure-edit", args=[measure.pk]))
    assert (
        page.status_code == 200
        and "<html" in page.content.decode()
        and 'data-testid="edit-measure-form"' in page.content.decode()
    )
    back = reverse("measures:unit-measures", args=[unit.code])
    response = client.post(
        reverse("measures:measure-edit", args=[measure.pk]), {"content": "新", "version": 1, "next": back}
    )
    assert response.status_code == 302 and response["Location"] == back
    assert (
        client.post(
            reverse("measures:measure-delete", args=[measure.pk]), {"version": 2, "next": "https://evil.example/"}
        )["Location"]
        == back
    )  # an off-site next is ignored
    assert not Measure.objects.exists()


def test_template_tags_for_the_risk_form_page(rf, campaign, point, personal_form, staff):
    from django.template import engines

    make_measure(point, "mid", content="单位的中期监控措施")
    template = engines["django"].from_string(
        "{% load measures_tags %}{% point_measures point %}{% point_measures point personal_form=form %}{% pledge_block form %}"
    )
    request = rf.get("/risks/forms/1/")
    request.user, request.session = staff, {}
    html = template.render({"point": point, "form": personal_form}, request)
    assert f'id="pm-{point.pk}"' in html and f'id="pm-{point.pk}-f{personal_form.pk}"' in html
    assert "单位的中期监控措施" in html and 'id="pledge-' in html and "我已阅读并作出承诺" in html


def test_a_measure_without_a_stage_is_refused_with_the_reason_not_a_500(as_user, campaign, unit, point, unit_contact):
    """Found by the property-based tests: the refusal named the stage field, which the view read after the form had
    dropped it (KeyError, 500)."""
    response = as_user(unit_contact).post(reverse("measures:point-measures", args=[point.pk]), {"content": "每月对账"})
    assert response.status_code == 422
    assert "请选择前期预防、中期监控或后期处置" in response.content.decode()
