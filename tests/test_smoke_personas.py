"""The persona fixture itself: scope as the handbooks say (own / team / region / all)."""

from qiao.customers.models import Customer


def visible_names(personas, username):
    return set(Customer.objects.visible_to(personas[username]).values_list("name", flat=True))


def names_of(personas, *keys):
    return {c.name for k in keys for c in personas.customers[k]}


def test_account_manager_sees_only_own_customers(personas):
    assert visible_names(personas, "am01") == names_of(personas, "am01")


def test_supervisor_sees_own_team(personas):
    assert visible_names(personas, "sup1") == names_of(personas, "am01", "am02")


def test_regional_manager_sees_region_including_pool(personas):
    region = personas.org.regions[0].name
    expected = names_of(personas, "am01", "am02", "am03", "am04", f"pool:{region}")
    assert visible_names(personas, "region1") == expected


def test_director_sees_everything(personas):
    assert visible_names(personas, "director") == {c.name for c in personas.all_customers()}


def test_admin_agent_and_leaver_see_no_customers(personas):
    for username in ("admin", "leaver", "qa01"):
        assert visible_names(personas, username) == set(), username
