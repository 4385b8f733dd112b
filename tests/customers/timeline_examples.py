"""Params of every registered timeline kind, as their writers give them: the tests write and
read one event of each kind with these. A kind registered without an example here fails
tests/customers/test_timeline.py until one is added."""

EXAMPLES = {
    "created": {},
    "follow_up": {"channel": "phone", "note": "确认下月进货计划"},
    "edited": {"fields": ["name", "phone", "tags"]},
    "graded": {"old_grade": "二级", "old_category": "ordinary", "new_grade": "一级",
               "new_category": "key", "reason": "年度评级"},
    "status": {"old": "prospect", "new": "onboarded", "note": "资料齐全"},
    "status_request": {"old": "active", "new": "offboarded", "note": ""},
    "deleted": {},
    "restored": {},
    "contact_added": {"name": "张伟"},
    "contact_edited": {"name": "张伟"},
    "contact_deleted": {"name": "张伟"},
    "contact_restored": {"name": "张伟"},
    "attachment_added": {"name": "营业执照.pdf"},
    "attachment_deleted": {"name": "营业执照.pdf"},
    "pool_claim": {"actor": "王芳"},
    "pool_release": {"actor": "王芳", "reason": "客户经营范围变更"},
    "pool_reclaim": {"days": 90},
    "handover": {"from": "王芳", "to": "李强", "actor": "赵主管", "reason": "岗位调整"},
    "work_order_created": {"title": "门店陈列升级"},
    "work_order_submitted": {"title": "门店陈列升级"},
    "work_order_decided": {"title": "门店陈列升级", "stage": "briefing"},
    "work_order_stage": {"title": "门店陈列升级", "stage": "proposal"},
    "promotion_recommended": {"name": "春节促销"},
    "promotion_handout": {"name": "春节促销", "signer": "张伟"},
    "visit_recorded": {"kind": "special", "people": "钱经理、孙主任"},
    "commitment_fulfilled": {"text": "下周补送畅销品", "due": "2026-12-14"},
}
