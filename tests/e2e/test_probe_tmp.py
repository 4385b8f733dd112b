import pytest
from tests.conftest import PASSWORD
pytestmark = pytest.mark.e2e

def test_probe(personas, open_session):
    s = open_session()
    s.page.on("response", lambda r: r.status >= 400 and print("RESP", r.status, r.url))
    s.goto("/login/"); s.shot("probe-login")
    s.login("am01", PASSWORD)
    s.shot("probe-list")
    c = personas.customers["am01"][0]
    s.goto(f"/customers/{c.pk}/"); s.shot("probe-detail")
    s.goto("/customers/new/"); s.shot("probe-new")
    p = open_session("phone", viewport={"width": 390, "height": 844})
    p.login("am01", PASSWORD)
    p.shot("probe-phone-list")
    print(p.horizontal_overflow())
    p.goto(f"/customers/{c.pk}/"); p.shot("probe-phone-detail")
    print(p.horizontal_overflow())
