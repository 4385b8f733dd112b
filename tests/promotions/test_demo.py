from qiao.core.models import Clearance
from qiao.promotions.demo import load_demo_promotions
from qiao.promotions.models import Campaign, Handout, Recommendation
from tests.factories import make_customer

from .factories import make_eligible


def test_demo_has_every_state_and_signed_receipts(personas, media_root):
    for username in ("am01", "am02", "am05"):
        for customer in personas.customers[username]:
            make_eligible(customer, rank=2)
    for username in ("am01", "am02"):  # enough eligible customers for every campaign
        for _ in range(4):
            make_eligible(make_customer(personas[username]), rank=3)
    make_eligible(personas.customers["am05"][0], secret_level=Clearance.CONFIDENTIAL)
    load_demo_promotions()
    assert set(Campaign.objects.values_list("state", flat=True)) == set(Campaign.State.values)
    assert set(Recommendation.objects.values_list("state", flat=True)) == {
        "pending", "confirmed", "declined"}
    assert Handout.objects.count() >= 3
    for handout in Handout.objects.all():
        assert handout.file.read().startswith(b"\x89PNG")
        assert handout.lines.exists()
    # Nothing classified above the brand manager's clearance was recommended.
    assert not Recommendation.objects.filter(customer__secret_level__gt=Clearance.INTERNAL).exists()
    counts = (Campaign.objects.count(), Recommendation.objects.count(), Handout.objects.count())
    load_demo_promotions()  # idempotent
    assert (Campaign.objects.count(), Recommendation.objects.count(),
            Handout.objects.count()) == counts
