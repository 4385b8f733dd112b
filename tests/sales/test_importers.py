"""Orders and receipts from a sheet (SAL-1): the dry run lists each bad row with its column
and reason and posts nothing; the run posts through the ledger's services (scope, credit
check); a sheet imported again posts nothing twice."""

from decimal import Decimal

import pytest

from qiao.dataio import services
from qiao.dataio.models import ImportRun
from qiao.sales import selectors
from qiao.sales.models import ManagerMonth, Order, Receipt
from tests.dataio.conftest import csv_file

from .factories import make_product

pytestmark = pytest.mark.django_db

ORDER_HEADER = ["订单号", "客户名称", "订货日期", "订货方式", "产品编码", "数量", "单价", "优惠"]
RECEIPT_HEADER = ["收款单号", "客户名称", "收款日期", "付款方式", "金额", "期票到期日"]


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def _import(user, importer, rows, header, *, all_or_none=True):
    run = services.import_upload(actor=user, importer=importer,
                                 upload=csv_file([header, *rows], name="销售.csv"))
    run = services.import_configure(actor=user, run=run, sheet=run.sheet, mapping=run.mapping,
                                    duplicates="skip", all_or_none=all_or_none)
    checked = services.import_check(actor=user, run=run)
    return checked, services.import_run(actor=user, run=checked)


def test_orders_from_a_sheet_with_bad_rows_reported_and_nothing_posted(personas):
    am01 = personas["am01"]
    mine, theirs = personas.customers["am01"][0], personas.customers["am02"][0]
    make_product("ZH-YH", "450.00", "338.00")
    rows = [["ERP-1", mine.name, "2026年11月3日", "推销订货", "ZH-YH", "2", "", ""],
            ["ERP-2", theirs.name, "2026-11-04", "电话", "ZH-YH", "1", "", ""],
            ["ERP-3", mine.name, "2026-11-05", "电话", "NOPE", "1", "", ""],
            ["ERP-4", mine.name, "2026-11-05", "传真", "ZH-YH", "1", "", ""],
            ["ERP-5", mine.name, "2026-11-06", "", "ZH-YH", "-1", "", ""],
            ["ERP-6", mine.name, "2026-11-07", "通信", "ZH-YH", "1", "440", "¥10.00"]]
    checked, run = _import(am01, "sales_orders", rows, ORDER_HEADER)
    assert (checked.created, checked.failed) == (2, 4)
    assert {(e["row"], e["header"]) for e in checked.errors} == {
        (3, "客户名称"), (4, "产品编码"), (5, "订货方式"), (6, "数量")}
    assert run.status == ImportRun.Status.FAILED and Order.objects.count() == 0
    assert not ManagerMonth.objects.exists()


def test_orders_and_receipts_post_once_however_often_the_sheet_comes(personas):
    am01, customer = personas["am01"], personas.customers["am01"][0]
    make_product("ZH-YH", "450.00", "338.00")
    orders = [["ERP-1", customer.name, "2026-11-03", "推销", "ZH-YH", "2", "", ""],
              ["ERP-2", customer.name, "2026-11-07", "通信订货", "ZH-YH", "1", "440", "10"]]
    for _ in range(2):
        _checked, run = _import(am01, "sales_orders", orders, ORDER_HEADER)
        assert run.status == ImportRun.Status.DONE
    assert Order.objects.count() == 2
    assert sorted(Order.objects.values_list("channel", "amount", "discount")) == [
        ("phone", Decimal("440.00"), Decimal("10.00")), ("visit", Decimal("900.00"), Decimal("0"))]
    receipts = [["R-1", customer.name, "2026-11-20", "转账", "¥900.00", ""],
                ["R-2", customer.name, "2026-11-25", "银行承兑汇票", "430", "2027年1月20日"],
                ["R-3", customer.name, "2026-11-26", "期票", "10", ""]]
    checked, run = _import(am01, "sales_receipts", receipts, RECEIPT_HEADER, all_or_none=False)
    assert (run.created, run.failed) == (2, 1) and checked.errors[0]["row"] == 4
    _import(am01, "sales_receipts", receipts, RECEIPT_HEADER, all_or_none=False)
    assert Receipt.objects.count() == 2
    assert Receipt.objects.get(external_id="R-2").method == "note"
    assert selectors.customer_receivable(customer) == Decimal("0.00")
