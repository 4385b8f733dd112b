from django.urls import reverse
from qiao.customers.models import Customer
from tests.factories import valid_credit_code


def test_scratch(personas):
    am01 = personas.client("am01")
    other = personas.customers["am03"][0]
    r = am01.post(reverse("customers:create"), {"kind": "enterprise", "name": "新客户甲",
                   "credit_code": other.credit_code, "confirm_duplicate": "on"})
    print(r.status_code)
    import re
    print(re.findall(r'alert-danger.*?</div>|error-credit_code.*?</div>', r.content.decode(), re.S))
    r = am01.post(reverse("customers:create"), {"kind": "enterprise", "name": "新客户乙",
                   "credit_code": valid_credit_code()})
    print(r.status_code, r.headers.get("Location"))
    c = Customer.objects.get(name="新客户乙")
    print(c.owner, c.owner_unit, c.region)
    r = am01.get(r.headers["Location"])
    print(r.status_code)
