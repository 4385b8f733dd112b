"""Customer sheets for the import checks and benchmarks (C09, C10, `make bench`'s data in/out):
`rows` customers with a valid credit code, a phone, a key contact with a mobile and an address,
every `bad_every`-th of them bad (a credit code with a wrong check digit). Written with
openpyxl's write-only workbook, so 100k rows take seconds and little memory."""

from openpyxl import Workbook

from qiao.demo.generator import credit_code

HEADER = ["客户名称", "统一社会信用代码", "联系电话", "联系人", "手机", "地址"]
SERIAL = 7_000_000  # credit codes' serials start here, apart from the demo data's


def code(n: int, *, bad: bool = False) -> str:
    good = credit_code(SERIAL + n, "310115", individual=False)
    if not bad:
        return good
    return good[:-1] + ("0" if good[-1] != "0" else "1")


def customer_row(n: int, *, bad: bool = False, prefix: str = "导入基准") -> list:
    return [f"{prefix}{n}有限公司", code(n, bad=bad), f"021-{60_000_000 + n % 40_000_000}",
            f"联系人{n % 1000}", f"139{n % 100_000_000:08d}", f"上海市浦东新区测试路{n % 9999}号"]


def is_bad(n: int, bad_every: int | None) -> bool:
    return bool(bad_every) and n % bad_every == bad_every - 1


def write_customer_sheet(path, rows: int, *, bad_every: int | None = None,
                         prefix: str = "导入基准") -> int:
    """Write the sheet to `path`; returns how many of its rows are bad."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet("客户")
    sheet.append(HEADER)
    bad = 0
    for n in range(rows):
        wrong = is_bad(n, bad_every)
        bad += wrong
        sheet.append(customer_row(n, bad=wrong, prefix=prefix))
    book.save(path)
    return bad
