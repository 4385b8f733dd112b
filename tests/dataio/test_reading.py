"""Reading and normalising uploads: encodings, zip bombs refused before parsing (C11), the
row normaliser raising nothing but ValidationError (C12), column mapping suggestions."""

import contextlib
import io
import zipfile

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given, settings
from hypothesis import strategies as st

from qiao.core.registry import ImportFieldKind as K
from qiao.core.registry import importers
from qiao.dataio import mapping, reading
from qiao.dataio.normalize import normalize


def test_encodings_are_told_apart():
    text = "客户名称,电话\n镕基贸易,021-12345678\n"
    assert reading.detect_encoding(text.encode("utf-8"))[1] == "UTF-8"
    assert reading.detect_encoding(b"\xef\xbb\xbf" + text.encode("utf-8"))[1] == "UTF-8 (BOM)"
    assert reading.detect_encoding(text.encode("gbk"))[1] == "GBK"
    assert reading.detect_encoding(("𠀀" + text).encode("gb18030"))[1] == "GB18030"
    with pytest.raises(ValidationError):
        reading.detect_encoding(b"abc\xff\xfe\n")


def test_a_gbk_csv_as_spreadsheet_programs_save_it_reads_with_its_row_numbers():
    # CRLF line ends, a quoted cell with a comma and a line break, an empty line.
    data = ('客户名称,地址\r\n"镕基,贸易","上海\r\n浦东"\r\n\r\n华联超市,北京\r\n').encode("gbk")
    table = reading.read_table(io.BytesIO(data), reading.CSV)
    assert table.encoding == "GBK" and table.headers == ["客户名称", "地址"]
    assert [(n, cells[0]) for n, cells in table.rows] == [(3, "镕基,贸易"), (5, "华联超市")]


def _zip(entries: int, size: int = 10) -> io.BytesIO:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/workbook.xml", b"<workbook/>")
        for i in range(entries):
            archive.writestr(f"xl/part{i}.xml", b"\0" * size)
    out.seek(0)
    return out


def test_zip_bombs_are_refused_before_parsing(settings):
    with pytest.raises(ValidationError, match="10,000"):
        reading.read_table(_zip(10_001), reading.XLSX)
    settings.QIAO_IMPORT_MAX_UNPACKED = 1024 * 1024
    with pytest.raises(ValidationError) as refused:
        reading.read_table(_zip(1, size=2 * 1024 * 1024), reading.XLSX)  # a few KB packed
    assert "2.0" in str(refused.value)


def test_too_many_rows_are_refused(settings):
    settings.QIAO_IMPORT_MAX_ROWS = 3
    data = "名称\n" + "".join(f"公司{i}\n" for i in range(4))
    with pytest.raises(ValidationError):
        reading.read_table(io.BytesIO(data.encode()), reading.CSV)


@pytest.mark.parametrize("kind,value,expected", [
    (K.DATE, "2024年3月5日", "2024-03-05"), (K.DATE, "2024/3/5", "2024-03-05"),
    (K.DATE, "2024-03-05 10:30", "2024-03-05"), (K.DATE, 45356, "2024-03-05"),
    (K.DATE, "45356", "2024-03-05"), (K.DATE, "20240305", "2024-03-05"), (K.DATE, "", ""),
    (K.AMOUNT, "¥1,234.50", "1234.50"), (K.AMOUNT, "12.5万", "125000.00"),
    (K.AMOUNT, "￥3万元", "30000.00"), (K.AMOUNT, "RMB 800元", "800.00"),
    (K.NUMBER, "1,200人", "1200"), (K.NUMBER, 30.0, "30"),
    (K.TEXT, "ＡＢＣ１２３公司", "ABC123公司"), (K.TEXT, 13812345678.0, "13812345678"),
    (K.TEXT, "  =1+1 ", "=1+1"), (K.PHONE, "１３８１２３４５６７８", "13812345678"),
    (K.YES_NO, "是", "1"), (K.YES_NO, "否", ""), (K.YES_NO, "√", "1"),
])
def test_cells_are_normalised(kind, value, expected):
    assert normalize(kind, value) == expected


@pytest.mark.parametrize("kind,value", [
    (K.DATE, "2024年2月30日"), (K.DATE, "明天"), (K.DATE, 12), (K.AMOUNT, "一千元"),
    (K.AMOUNT, "1.2.3"), (K.NUMBER, "-5"), (K.NUMBER, "约50人"), (K.YES_NO, "也许"),
])
def test_bad_cells_are_refused_with_a_reason(kind, value):
    with pytest.raises(ValidationError) as refused:
        normalize(kind, value)
    assert refused.value.messages[0]


CELLS = st.one_of(st.none(), st.text(max_size=40), st.integers(), st.booleans(),
                  st.floats(allow_nan=True, allow_infinity=True), st.dates(), st.datetimes(),
                  st.decimals(allow_nan=True, allow_infinity=True))


@settings(max_examples=300, deadline=None)
@given(kind=st.sampled_from([K.TEXT, K.PHONE, K.DATE, K.AMOUNT, K.NUMBER, K.YES_NO]),
       value=CELLS)
def test_the_normaliser_raises_only_validation_errors(kind, value):
    """C12 in small (the long fuzz run is atheris's): any cell, any kind — a text or a
    ValidationError, never another exception."""
    with contextlib.suppress(ValidationError):
        assert isinstance(normalize(kind, value), str)


def test_suggestions_ignore_marks_width_and_case():
    customers = importers.get("customers")
    headers = ["＊客户名称", "统一社会信用代码(必填)", "TEL", "联系人", "手机号码", "公司地址：",
               "客户等级", "不认识的列"]
    assert mapping.suggest(customers, headers) == {
        "0": "name", "1": "credit_code", "2": "phone", "3": "contact_name",
        "4": "contact_mobile", "5": "address", "6": "grade"}
    assert mapping.layout_key(["客户名称 "]) == mapping.layout_key(["客户名称"])
