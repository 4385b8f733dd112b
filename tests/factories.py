"""Test data made through the real services, so search keys, history and events are real."""

import itertools

from stdnum.cn import ric

from qiao.customers import services
from qiao.customers.forms import CustomerForm
from qiao.demo.generator import credit_code

_serial = itertools.count(500_000)


def valid_credit_code() -> str:
    return credit_code(next(_serial), "310115", individual=False)


def valid_id_number(n: int) -> str:
    """A resident ID number with a valid birth date, place and check character (GB 11643)."""
    body = f"11010519850615{n % 1000:03d}"
    return body + ric.calc_check_digit(body + "0")  # stdnum wants a placeholder check digit


def make_customer(owner, *, actor=None, **fields):
    """A customer owned by `owner` (None: in the pool of `fields['region']`)."""
    n = next(_serial)
    data = {
        "name": f"测试客户{n}贸易有限公司",
        "kind": "enterprise",
        "owner": owner,
        "credit_code": credit_code(n, "310115", individual=False),
        **fields,
    }
    return services.customer_create(actor=actor or owner, data=data)


def make_contact(customer, actor, **fields):
    return services.contact_create(actor=actor, customer=customer,
                                   data={"name": "联系人", **fields})


def form_data(customer, user, **changes):
    """What the edit form posts back unchanged, plus `changes`."""
    form = CustomerForm(instance=customer, user=user)
    data = {}
    for name, field in form.fields.items():
        value = form.initial.get(name, field.initial)
        if isinstance(value, list):
            value = [getattr(v, "pk", v) for v in value]
        if value not in (None, False, ""):
            data[name] = value
    data["version"] = customer.version
    data.update(changes)
    return data
