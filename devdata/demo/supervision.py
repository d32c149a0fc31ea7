"""Demo data for supervision (demo-data.md §6): the 信访举报 that lead to a yellow card on 后勤集团's 采购员 post
(HQ-P10) with key supervision of its head (HQ-P18 物资采购供应中心主任), an unfounded complaint on 财务处 FN-P05,
two complaints still in hand, 后勤集团's 2011 assessment (民主测评 46/56 = 82.1%) capped at 较好 by the card (R10),
and a 招就处 assessment whose low satisfaction proposes a 谈话提醒 (R11).

Everything goes through the services, so the audit log and notifications look as they would in real use.
Idempotent: complaints are found by the hash of their fixed demo query code, and every later step is skipped when
its result is already there.
"""

import datetime

from django.utils import timezone

from devdata.demo.units import post_by_code, unit_by_code
from lianzheng.audit import record
from lianzheng.figures import rebuild_all
from reviews import services
from reviews.models import (
    Assessment,
    Complaint,
    ComplaintChannel,
    KeySupervision,
    Warning,
    WarningKind,
    WarningTarget,
    YellowCard,
    YellowCardState,
)
from units.models import Assignment, Post, Role, User

#: Fixed query codes (demo-data.md's codes, lengthened to the 16+ characters the system requires) so that a demo
#: visitor can try the public status page. Real codes are random and never stored.
DEMO_COMPLAINTS = [
    {
        "code": "JX2011-A7K3Q9-HQ10-DEMO",
        "post": "HQ-P10",
        "received": datetime.date(2011, 3, 2),
        "anonymous": True,
        "channel": ComplaintChannel.ONLINE,
        "content": "反映后勤集团物资采购供应中心采购员在大宗食材采购中不走比选程序，长期指定个别供货商供货，"
        "并收受供货商购物卡。食堂大米、食用油进价明显高于市场价。",
        "steps": ["check", "verify", "close"],
        "findings": "经初步核实，该采购员2010年下半年起多次未经比选直接向同一供货商订货，收受购物卡属实，金额较小。",
        "disposition": "给予诫勉谈话；责令退还购物卡；后勤集团重新组织大宗食材公开招标。",
        "reply": "您反映的问题经初步核实基本属实，已按规定作出处理，并督促相关单位整改。感谢您的监督。",
    },
    {
        "code": "JX2011-B2M8T4-HQ10-DEMO",
        "post": "HQ-P10",
        "received": datetime.date(2011, 9, 15),
        "anonymous": False,
        "reporter": ("王某", "0791-8382****"),
        "channel": ComplaintChannel.LETTER,
        "content": "来信反映后勤集团采购员在食堂肉类供货合同续签中与供货商私下约定返点，验收时对短斤少两不予追究。",
        "steps": ["check", "verify", "close"],
        "findings": "经初步核实，该采购员与供货商约定返点并收受返点款属实。",
        "disposition": "给予党内警告处分；调离采购岗位；供货商列入黑名单、终止供货。",
        "reply": "您来信反映的问题经核查属实，已依纪依规处理。感谢您的监督。",
    },
    {
        "code": "JX2011-C5R1W6-FN05-DEMO",
        "post": "FN-P05",
        "received": datetime.date(2011, 5, 20),
        "anonymous": True,
        "channel": ComplaintChannel.ONLINE,
        "content": "反映财务处报销审核会计对部分教师的报销单据故意拖延审核，对熟人的不合规票据予以放行。",
        "steps": ["check", "unfound", "close"],
        "findings": "经谈话函询并抽查2011年1–5月报销单据，未发现拖延审核或放行不合规票据的情况，反映问题不实，已予澄清。",
        "disposition": "予以澄清；提醒财务处进一步公开报销审核时限。",
        "reply": "经核查，您反映的问题不属实。财务处将进一步公开报销审核的时限和标准。感谢您的监督。",
    },
    {
        "code": "JXDEMO-SHEBEI-RECV-0001",
        "post": "EQ-P07",
        "unit": "shebei",
        "received": None,  # today: a fresh complaint waiting to be taken in hand
        "anonymous": True,
        "channel": ComplaintChannel.ONLINE,
        "content": "反映设备处在实验室仪器设备采购验收中，验收人员未对照合同核对配置，签字走过场。",
        "steps": [],
    },
    {
        "code": "JXDEMO-XIAOJIAN-CHK-0002",
        "post": None,
        "unit": "xiaojian",
        "received": None,
        "anonymous": False,
        "reporter": ("李某", "138****5678"),
        "channel": ComplaintChannel.PHONE,
        "content": "电话反映校建办在学生公寓维修工程中，现场签证工程量明显大于实际完成量。",
        "steps": ["check"],
    },
]

YELLOW_CARD_DOCUMENT_NO = "校纪监发〔2011〕9号"


def _reviewer() -> User:
    return User.objects.filter(role=Role.REVIEWER, is_active=True).order_by("id").first()


def _post_or_none(code):
    if not code:
        return None
    try:
        return post_by_code(code)
    except Post.DoesNotExist:  # a demo post missing from the fixtures only drops the link to it
        return None


def _seed_complaint(item: dict, reviewer: User) -> tuple[Complaint, bool]:
    found = Complaint.objects.filter(query_code_hash__in=services.query_code_hashes(item["code"])).first()
    if found is not None:
        return found, False
    post = _post_or_none(item["post"])
    unit = post.unit if post is not None else unit_by_code(item["unit"])
    received = item["received"] or timezone.localdate()
    name, contact = item.get("reporter", ("", ""))
    complaint = Complaint.objects.create(
        year=received.year,
        received_on=received,
        channel=item["channel"],
        anonymous=item["anonymous"],
        reporter_name=name,
        reporter_contact=contact,
        unit=unit,
        post=post,
        content=item["content"],
        query_code_hash=services.hash_query_code(item["code"]),
        registered_by=None if item["channel"] == ComplaintChannel.ONLINE else reviewer,
    )
    record(actor=None, action="complaint.receive", obj=complaint, summary={"channel": item["channel"], "demo": True})
    for step in item["steps"]:
        complaint = services.complaint_transition(
            complaint=complaint,
            actor=reviewer,
            action=step,
            version=complaint.version,
            findings=item.get("findings") if step in ("verify", "unfound") else None,
            disposition=item.get("disposition") if step == "close" else None,
            public_reply=item.get("reply") if step == "close" else None,
        )
    return complaint, True


def _seed_yellow_card(reviewer: User, stdout) -> None:
    post = post_by_code("HQ-P10")
    card = YellowCard.objects.filter(post=post, year=2011).first()
    if card is None:
        stdout.write("reviews: 注意：HQ-P10 未生成黄牌建议 (no yellow-card proposal for HQ-P10)")
        return
    if card.state == YellowCardState.PROPOSED:
        card = services.yellow_card_issue(
            card=card,
            actor=reviewer,
            version=card.version,
            document_no=YELLOW_CARD_DOCUMENT_NO,
            issued_on=datetime.date(2011, 10, 10),
            supervision_end=datetime.date(2012, 10, 9),
            plan="物资采购供应中心主任每季度向纪委监察室书面报告采购比选、验收和供货商管理情况；"
            "纪委监察室每半年抽查一次采购台账和供货合同。",
        )
    supervision = KeySupervision.objects.filter(yellow_card=card).first()
    if supervision is not None and not supervision.reports.exists() and supervision.person is not None:
        services.supervision_add_report(
            supervision=supervision,
            actor=supervision.person,
            period="2011年第四季度",
            content="本季度大宗食材全部重新公开比选，确定供货商3家；采购、验收、保管三岗分设，采购台账逐笔登记并已归档。",
        )


def _seed_admonishment(reviewer: User) -> None:
    """The 诫勉谈话 that followed the first verified complaint: a 诫勉纠错 on the holder of HQ-P10."""
    first = Complaint.objects.filter(query_code_hash=services.hash_query_code(DEMO_COMPLAINTS[0]["code"])).first()
    if first is None or Warning.objects.filter(complaints=first).exists():
        return
    post = first.post
    holding = Assignment.objects.current().filter(post=post).select_related("user").order_by("-start").first()
    holder = holding.user if holding else None
    services.warning_create(
        actor=reviewer,
        kind=WarningKind.ADMONISH,
        target=WarningTarget.PERSON if holder else WarningTarget.POST,
        unit=post.unit,
        post=post,
        person=holder,
        reason="经核查，该同志在大宗食材采购中未经比选直接订货并收受供货商购物卡，予以诫勉谈话，责令限期整改。",
        complaints=[first],
        issued_on=datetime.date(2011, 4, 8),
        year=2011,
    )


def _seed_assessments(reviewer: User) -> None:
    houqin = unit_by_code("houqin")
    if not Assessment.objects.filter(unit=houqin, year=2011).exists():
        # demo-data.md §6 民主测评: issued 60, returned 58, valid 56 (好32 较好14 一般8 差2), 2 invalid.
        services.assessment_save(
            actor=reviewer,
            version=None,
            unit=houqin,
            year=2011,
            raw_score=92,
            score_basis="检查考核 46/50，工作目标考核 28/30，职责绩效考核 18/20。",
            ballots_issued=60,
            ballots_good=32,
            ballots_fairly_good=14,
            ballots_average=8,
            ballots_poor=2,
            ballots_invalid=2,
        )
    zhaojiu = unit_by_code("zhaojiu")
    if not Assessment.objects.filter(unit=zhaojiu, year=2011).exists():
        # 26/40 = 65% is below the 70% threshold: the system proposes a 谈话提醒 (R11).
        services.assessment_save(
            actor=reviewer,
            version=None,
            unit=zhaojiu,
            year=2011,
            raw_score=84,
            score_basis="检查考核 42/50，工作目标考核 25/30，职责绩效考核 17/20。",
            ballots_issued=42,
            ballots_good=10,
            ballots_fairly_good=16,
            ballots_average=12,
            ballots_poor=2,
            ballots_invalid=1,
        )


def seed(*, stdout) -> None:
    from devdata.demo import schedule as demo_schedule

    demo_schedule.seed(stdout=stdout)
    reviewer = _reviewer()
    if reviewer is None:
        stdout.write("reviews: 没有审核人账号，跳过监督演示数据 (no reviewer user; skipped)")
        return
    created = 0
    for item in DEMO_COMPLAINTS:
        _, new = _seed_complaint(item, reviewer)
        created += int(new)
    _seed_yellow_card(reviewer, stdout)
    _seed_admonishment(reviewer)
    _seed_assessments(reviewer)
    # Part of the demo is written directly, not through the services: keep the figures from the rows.
    rebuild_all(["reviews.supervision"])
    stdout.write(
        f"reviews: {Complaint.objects.count()} 件信访举报 (本次新增 {created})，"
        f"{YellowCard.objects.count()} 张黄牌，{Assessment.objects.count()} 份考核。"
        f"\n  演示查询码 (demo query codes, try /reviews/complaints/status/): "
        + "、".join(item["code"] for item in DEMO_COMPLAINTS)
    )
