"""Imports (DAT-1): rows validated by the customer pages' own forms and services, duplicates by
the archive's rule, dry run, all-or-none and partial runs, re-runs after a crash."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from qiao.core.exceptions import ConflictError
from qiao.customers.models import Contact, Customer
from qiao.dataio import services
from qiao.dataio.models import ImportedRow, ImportRun
from qiao.demo.generator import credit_code

from ..factories import make_customer
from .conftest import csv_file, xlsx_file

HEADER = ["客户名称", "统一社会信用代码", "联系电话", "联系人", "手机", "地址"]


def code(n):
    return credit_code(900_000 + n, "310115", individual=False)


def upload(user, rows, *, header=HEADER, importer="customers", **kwargs):
    return services.import_upload(actor=user, importer=importer,
                                  upload=csv_file([header, *rows], **kwargs))


def configure(user, run, *, duplicates="skip", all_or_none=True, mapping=None):
    return services.import_configure(actor=user, run=run, sheet=run.sheet,
                                     mapping=mapping if mapping is not None else run.mapping,
                                     duplicates=duplicates, all_or_none=all_or_none)


def check_and_run(user, run, **kwargs):
    run = configure(user, run, **kwargs)
    run = services.import_check(actor=user, run=run)
    return services.import_run(actor=user, run=run)


def names():
    return set(Customer.objects.filter(name__startswith="导入").values_list("name", flat=True))


def test_mapping_is_suggested_from_chinese_and_english_headers(personas):
    run = upload(personas["am01"], [["导入甲公司", code(1), "021-12345678", "张三",
                                     "13812345678", "上海"]])
    assert run.mapping == {"0": "name", "1": "credit_code", "2": "phone", "3": "contact_name",
                           "4": "contact_mobile", "5": "address"}
    english = upload(personas["am01"], [["导入乙公司", "x", "y"]],
                     header=["Company Name", "Credit Code *", "Tel"])
    assert english.mapping == {"0": "name", "1": "credit_code", "2": "phone"}


def test_a_changed_mapping_is_remembered_for_the_same_layout(personas):
    am01 = personas["am01"]
    header = ["客户名称", "备用列"]
    run = upload(am01, [["导入丙公司", "上海市"]], header=header)
    assert run.mapping == {"0": "name"}
    configure(am01, run, mapping={"0": "name", "1": "address"})
    again = upload(am01, [["导入丁公司", "北京市"]], header=header)
    assert again.mapping == {"0": "name", "1": "address"}
    # Another user's layout is their own.
    assert upload(personas["sup1"], [["导入戊公司", "x"]], header=header).mapping == {"0": "name"}


@pytest.mark.parametrize("encoding,shown", [("utf-8", "UTF-8"), ("utf-8-sig", "UTF-8 (BOM)"),
                                            ("gbk", "GBK"), ("gb18030", "GB18030")])
def test_csv_encodings_are_recognised(personas, encoding, shown):
    # 𠀀 (U+20000) exists in GB18030 only, so that file cannot be read as GBK.
    name = "导入𠀀公司" if encoding == "gb18030" else "导入镕公司"
    run = upload(personas["am01"], [[name, code(2), "", "", "", "上海"]], encoding=encoding)
    assert run.encoding == shown
    run = check_and_run(personas["am01"], run)
    assert run.errors == [] and run.status == ImportRun.Status.DONE and names() == {name}


def test_unknown_encoding_and_empty_files_are_refused_before_anything_is_kept(personas):
    from django.core.files.uploadedfile import SimpleUploadedFile

    for data, reason in ((b"abc\xff\xfe\xff,\xff\n", "编码"), (b"", "空"),
                         ("客户名称,地址\n".encode(), "表头")):
        with pytest.raises(ValidationError) as refused:
            services.import_upload(actor=personas["am01"], importer="customers",
                                   upload=SimpleUploadedFile("a.csv", data, "text/csv"))
        assert list(refused.value.message_dict) == ["file"]
        assert reason in refused.value.message_dict["file"][0], refused.value.message_dict
    assert not ImportRun.objects.exists()


def test_xlsx_sheet_choice_dates_and_full_width_text(personas):
    am01 = personas["am01"]
    file = xlsx_file({"说明": [["这一页不是数据"]],
                      "旧客户": [["名称"], ["导入旧表公司"]],
                      "客户": [["客户名称", "信用代码", "电话", "合作开始日期", "员工人数"],
                               ["导入ＡＢＣ１２３公司", code(3), 13812345678, "2024年3月5日", "1,200人"],
                               ["导入己公司", code(4), "+86 138 1234 5679", 45356, 30.0],
                               ["导入庚公司", code(5), "(021)6123-4567", "2024/3/5", None]]})
    run = services.import_upload(actor=am01, importer="customers", upload=file)
    assert run.sheets == ["说明", "旧客户", "客户"] and run.sheet == "旧客户"  # the first with rows
    run = services.import_configure(actor=am01, run=run, sheet="客户", mapping={},
                                    duplicates="skip", all_or_none=True)
    assert run.headers[0] == "客户名称"
    run.mapping["3"] = "start_date"  # 合作开始日期 is suggested already; staff count too
    run = check_and_run(am01, run)
    assert run.errors == [] and run.created == 3
    abc = Customer.objects.get(name="导入ABC123公司")
    assert (abc.phone, str(abc.start_date), abc.staff_count) == ("13812345678", "2024-03-05", 1200)
    assert str(Customer.objects.get(name="导入己公司").start_date) == "2024-03-05"  # serial
    assert Customer.objects.get(name="导入庚公司").phone == "021-61234567"


def test_formula_like_names_are_imported_as_text(personas):
    run = upload(personas["am01"], [["=1+1导入公司", code(6), "", "", "", "@SUM(A1)"]])
    check_and_run(personas["am01"], run)
    customer = Customer.objects.get(credit_code=code(6))
    assert (customer.name, customer.address) == ("=1+1导入公司", "@SUM(A1)")


def test_bad_rows_are_reported_with_row_column_and_reason_and_all_or_none_writes_nothing(personas):
    am01 = personas["am01"]
    bad_check_digit = code(8)[:-1] + ("0" if code(8)[-1] != "0" else "1")
    rows = [["导入好公司一", code(7), "021-12345678", "", "", ""],
            ["导入坏公司一", bad_check_digit, "", "", "", ""],
            ["", code(9), "", "", "", ""],
            ["导入坏公司三", code(10), "12345", "", "", ""],
            ["导入坏公司四", code(11), "", "周九", "138000", ""],
            ["导入好公司二", code(12), "", "李四", "13900001111", ""]]
    run = upload(am01, rows)
    run = services.import_check(actor=am01, run=configure(am01, run))
    assert (run.status, run.created, run.failed) == (ImportRun.Status.CHECKED, 2, 4)
    assert {(e["row"], e["column"], e["header"]) for e in run.errors} == {
        (3, "B", "统一社会信用代码"), (4, "A", "客户名称"), (5, "C", "联系电话"), (6, "E", "手机")}
    assert all(e["reason"] for e in run.errors)
    assert names() == set() and not Contact.objects.filter(name="李四").exists()  # a dry run
    run = services.import_run(actor=am01, run=run)
    assert (run.status, run.created, run.failed) == (ImportRun.Status.FAILED, 0, 4)
    assert names() == set() and not ImportedRow.objects.exists()
    assert not Contact.objects.filter(name="李四").exists()


def test_partial_mode_writes_exactly_the_good_rows(personas):
    am01 = personas["am01"]
    rows = [["导入好公司一", code(13), "", "", "", ""], ["导入坏公司", "123", "", "", "", ""],
            ["导入好公司二", code(14), "", "王五", "13900002222", ""]]
    run = check_and_run(am01, upload(am01, rows), all_or_none=False)
    assert (run.status, run.created, run.failed) == (ImportRun.Status.DONE, 2, 1)
    assert names() == {"导入好公司一", "导入好公司二"}
    second = Customer.objects.get(name="导入好公司二")
    assert second.owner == am01
    assert list(second.contacts.values_list("name", "mobile", "is_key_person")) == [
        ("王五", "13900002222", True)]


def test_secret_level_and_owner_are_checked_as_the_form_checks_them(personas):
    sup1 = personas["sup1"]  # confidential clearance, may classify and reassign
    header = ["客户名称", "统一社会信用代码", "密级", "客户经理"]
    rows = [["导入机密公司", code(15), "3", ""],                # above sup1's clearance
            ["导入外区公司", code(16), "", personas["am05"].username],  # out of sup1's scope
            ["导入秘密公司", code(17), "2", ""],  # allowed: sup1's own
            ["导入主管分配公司", code(22), "内部", personas["am02"].username]]  # in scope
    run = check_and_run(sup1, upload(sup1, rows, header=header), all_or_none=False)
    assert {e["row"]: e["header"] for e in run.errors} == {2: "密级", 3: "客户经理"}
    assert names() == {"导入秘密公司", "导入主管分配公司"}
    made = Customer.objects.get(name="导入秘密公司")
    assert (made.secret_level, made.owner) == (2, sup1)
    assert Customer.objects.get(name="导入主管分配公司").owner == personas["am02"]
    # An account manager may neither classify nor give a customer to someone else.
    am01 = personas["am01"]
    run = check_and_run(am01, upload(am01, [["导入内部公司", code(18), "2", ""],
                                            ["导入他人公司", code(19), "", "am02"]],
                                     header=header), all_or_none=False)
    assert {e["row"]: e["header"] for e in run.errors} == {2: "密级", 3: "客户经理"}
    assert "导入内部公司" not in names() and "导入他人公司" not in names()


def test_duplicates_skip_update_or_create(personas):
    am01 = personas["am01"]
    existing = make_customer(am01, name="导入老客户有限公司", address="旧地址")
    header = ["客户名称", "统一社会信用代码", "地址"]
    row = [["导入老客户有限公司", existing.credit_code, "新地址"]]
    skipped = check_and_run(am01, upload(am01, row, header=header))
    assert (skipped.created, skipped.updated, skipped.skipped) == (0, 0, 1)
    assert f"#{existing.pk}" in skipped.results[0]["note"]
    updated = check_and_run(am01, upload(am01, row + [["导入新客户", code(20), "新地址"]],
                                         header=header), duplicates="update")
    assert (updated.created, updated.updated) == (1, 1)
    existing.refresh_from_db()
    assert existing.address == "新地址" and existing.name == "导入老客户有限公司"
    # "create": a name like an existing one is another customer; a taken credit code never is.
    created = check_and_run(am01, upload(am01, [["导入老客户", code(21), ""],
                                                ["导入重复码", existing.credit_code, ""]],
                                         header=header), duplicates="create", all_or_none=False)
    assert (created.created, created.failed) == (1, 1)
    assert created.errors[0]["column"] == "B"
    # A duplicate the importer cannot see is not updated, and not named.
    other = make_customer(personas["am02"], name="导入别人的客户")
    run = check_and_run(am01, upload(am01, [["导入别人的客户", "", ""]], header=header),
                        duplicates="update")
    reason = run.errors[0]["reason"]
    assert run.failed == 1 and f"#{other.pk}" not in reason and other.name not in reason
    other.refresh_from_db()
    assert other.address == ""


def test_a_rerun_after_a_crash_writes_no_duplicates(personas, monkeypatch):
    am01 = personas["am01"]
    monkeypatch.setattr(services, "BATCH", 2)
    rows = [[f"导入批量{i}公司", code(30 + i), "", "", "", ""] for i in range(5)]
    run = configure(am01, upload(am01, rows), all_or_none=False, duplicates="create")
    run = services.import_check(actor=am01, run=run)
    from qiao.customers import importers

    real = importers.CustomerRows.__call__
    calls = {"n": 0}

    def crash_on_the_fourth(self, values, **kwargs):
        calls["n"] += 1
        if calls["n"] == 4:
            raise RuntimeError("killed")
        return real(self, values, **kwargs)

    monkeypatch.setattr(importers.CustomerRows, "__call__", crash_on_the_fourth)
    with pytest.raises(RuntimeError):
        services.import_run(actor=am01, run=run)
    assert len(names()) == 2  # the first batch committed, the second rolled back whole
    monkeypatch.setattr(importers.CustomerRows, "__call__", real)
    run = services.import_run(actor=am01, run=ImportRun.objects.get(pk=run.pk))
    assert (run.created, run.skipped) == (3, 2)
    assert len(names()) == 5 and Customer.objects.filter(name__startswith="导入批量").count() == 5
    # The same file uploaded again: every row was imported already.
    again = check_and_run(am01, upload(am01, rows), all_or_none=False, duplicates="create")
    assert (again.created, again.skipped) == (0, 5)


def test_importing_needs_the_importers_actions(personas):
    with pytest.raises(PermissionDenied):
        upload(personas["agent01"], [["导入公司", "", "", "", "", ""]])


def test_contacts_join_customers_the_importer_sees(personas):
    am01 = personas["am01"]
    mine = personas.customers["am01"][0]
    theirs = personas.customers["am02"][0]
    header = ["客户名称", "联系人", "手机", "生日", "关键人"]
    rows = [[mine.name, "赵六", "13911112222", "1980年1月2日", "是"],
            [theirs.name, "钱七", "13911113333", "", ""],
            [mine.name, "孙八", "1391111", "", ""]]
    run = check_and_run(am01, upload(am01, rows, header=header, importer="contacts"),
                        all_or_none=False)
    assert run.created == 1 and {e["row"]: e["header"] for e in run.errors} == {3: "客户名称",
                                                                                4: "手机"}
    contact = mine.contacts.get(name="赵六")
    assert (str(contact.birthday), contact.is_key_person) == ("1980-01-02", True)
    assert not Contact.objects.filter(name="钱七").exists()
    again = check_and_run(am01, upload(am01, rows[:1], header=header, importer="contacts"))
    assert again.skipped == 1


def test_queries_per_row_do_not_grow(personas):
    am01 = personas["am01"]

    def queries(n, start):
        rows = [[f"导入计数{start + i}公司", code(100 + start + i), f"0211234{start + i:04d}",
                 f"联系人{i}", f"1390000{start + i:04d}", "上海"] for i in range(n)]
        run = configure(am01, upload(am01, rows), duplicates="skip")
        with CaptureQueriesContext(connection) as captured:
            services.import_check(actor=am01, run=run)
        return len(captured)

    five, fifteen = queries(5, 0), queries(15, 100)
    per_row = (fifteen - five) / 10
    assert per_row == int(per_row) and per_row <= 40, (five, fifteen)
    assert five - 5 * per_row <= 30  # what a run costs besides its rows


def test_an_update_never_changes_the_grade_without_a_reason(personas):
    am01 = personas["am01"]
    existing = make_customer(am01, name="导入分级客户", address="旧地址")
    grade = personas.grades[0]
    run = check_and_run(am01, upload(am01, [["导入分级客户", existing.credit_code, "新地址",
                                             grade.name]],
                                     header=["客户名称", "统一社会信用代码", "地址", "客户等级"]),
                        duplicates="update")
    assert [(e["row"], e["header"]) for e in run.errors] == [(2, "客户等级")]
    existing.refresh_from_db()
    assert (existing.grade, existing.address) == (None, "旧地址")
    # A new customer takes its grade from the sheet, as the new-customer form does.
    made = check_and_run(am01, upload(am01, [["导入新分级客户", code(40), "", grade.name]],
                                      header=["客户名称", "统一社会信用代码", "地址", "客户等级"]))
    assert made.created == 1 and Customer.objects.get(name="导入新分级客户").grade == grade


def test_the_worker_runs_the_import_and_a_cancellation_stops_it(personas, monkeypatch):
    """Through import_start (the task worker; immediate in tests): a dry run and a run; a
    cancellation asked for while it runs leaves an all-or-none run with nothing written and a
    partial run with the batches it committed, which a later run goes on from."""
    am01 = personas["am01"]
    monkeypatch.setattr(services, "BATCH", 2)
    monkeypatch.setattr(services, "PROGRESS", 1)
    rows = [[f"导入后台{i}公司", code(50 + i), "", "", "", ""] for i in range(5)]
    from qiao.customers import importers

    real = importers.CustomerRows.__call__
    for all_or_none, kept in ((True, 0), (False, 2)):
        run = configure(am01, upload(am01, rows), all_or_none=all_or_none)
        run = services.import_start(actor=am01, run=run, dry_run=True)
        assert (run.status, run.created) == (ImportRun.Status.CHECKED, 5)
        calls = {"n": 0}

        def cancel_at_the_third(self, values, _run=run, _calls=calls, **kwargs):
            _calls["n"] += 1
            if _calls["n"] == 3:
                services.import_cancel(actor=am01, run=ImportRun.objects.get(pk=_run.pk))
            return real(self, values, **kwargs)

        monkeypatch.setattr(importers.CustomerRows, "__call__", cancel_at_the_third)
        run = services.import_start(actor=am01, run=run, dry_run=False)
        monkeypatch.setattr(importers.CustomerRows, "__call__", real)
        assert (run.status, run.created) == (ImportRun.Status.CANCELLED, kept)
        assert Customer.objects.filter(name__startswith="导入后台").count() == kept
        # The cancel is spent: no later pass (nor another test's run of the same id) sees it.
        assert not services._cancelled(run.pk)
    run = services.import_start(actor=am01, run=run, dry_run=False)  # the partial one again
    assert (run.status, run.created, run.skipped) == (ImportRun.Status.DONE, 3, 2)
    assert Customer.objects.filter(name__startswith="导入后台").count() == 5
    with pytest.raises(ConflictError):
        services.import_cancel(actor=am01, run=run)
