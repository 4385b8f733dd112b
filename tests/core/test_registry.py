"""core.registry: named entries, one per key, in order; domain events heard after commit, or
recorded inside the emitting transaction."""

import ast
import importlib
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.db import transaction
from django.urls import reverse
from django.utils import translation

import qiao
from qiao.core import registry


@dataclass(frozen=True)
class Entry:
    code: str
    order: int = 0


def test_entries_come_in_order_and_a_key_is_claimed_once():
    entries = registry.Registry("test", key=lambda e: e.code)
    entries.register(Entry("b", 2))
    entries.register(Entry("a", 1))
    entries.register(Entry("a", 1))  # the same entry again (ready() run twice): harmless
    assert [e.code for e in entries] == ["a", "b"] and len(entries) == 2
    assert entries.get("b") == Entry("b", 2) and "a" in entries
    with pytest.raises(ValueError, match="already registered"):
        entries.register(Entry("a", 3))
    with pytest.raises(LookupError):
        entries.get("c")


@pytest.mark.django_db(transaction=True)
def test_subscribers_hear_of_an_event_only_after_its_transaction_commits():
    registry.events.register(registry.DomainEvent("test.happened", "happened"))
    heard = []
    registry.subscribe("test.happened", lambda **payload: heard.append(payload))
    with transaction.atomic():
        registry.emit("test.happened", n=1)
        assert heard == []
    assert heard == [{"n": 1}]
    with pytest.raises(RuntimeError), transaction.atomic():
        registry.emit("test.happened", n=2)
        raise RuntimeError
    assert heard == [{"n": 1}]


@pytest.mark.django_db(transaction=True)
def test_recorders_write_inside_the_transaction_and_roll_back_with_it():
    from qiao.org.models import OrgUnit

    registry.events.register(registry.DomainEvent("test.recorded", "recorded"))
    order = []
    registry.subscribe("test.recorded", lambda **payload: order.append("after commit"))
    registry.subscribe("test.recorded", lambda name: (order.append("recorded"),
                                                      OrgUnit.objects.create(name=name)),
                       in_transaction=True)
    with transaction.atomic():
        registry.emit("test.recorded", name="kept")
        assert order == ["recorded"]  # at once, before the commit
    assert order == ["recorded", "after commit"]
    with pytest.raises(RuntimeError), transaction.atomic():
        registry.emit("test.recorded", name="undone")
        raise RuntimeError
    names = OrgUnit.objects.filter(name__in=["kept", "undone"]).values_list("name", flat=True)
    assert list(names) == ["kept"]  # the recorder's write rolled back with the change


# --- the product's plug-in points go through the registry -----------------------------------

SRC = Path(qiao.__file__).parent
DOMAIN_APPS = ("customers", "reports", "approvals", "workorders", "promotions", "tickets",
               "demo")


def imported_modules(path):
    """Every module the file imports, at the top or inside a function."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0:
            names.append(node.module)
    return names


def test_the_directors_header_has_every_entry_in_the_menus_order(personas):
    response = personas.client("director").get(reverse("customers:list"))
    items = response.context["nav_items"]
    assert [item["testid"] for item in items] == [
        "nav-customers-list", "nav-visits-list", "nav-reports-index", "nav-tickets-list",
        "nav-sales-home", "nav-customers-pool", "nav-approvals-waiting", "nav-menu-more"]
    assert [entry["testid"] for entry in items[-1]["entries"]] == [
        "nav-customers-handover", "nav-customers-recycle_bin", "nav-customers-personal_data",
        "nav-visits-work_reports", "nav-visits-hospitality_budgets", "nav-audit-log",
        "nav-workorders-list", "nav-visits-intel_reports", "nav-dataio-index",
        "nav-dataio-exports", "nav-promotions-list",
        "nav-appraisal-list"]
    content = response.content.decode()
    assert content.index('data-testid="nav-customers-list"') < content.index(
        'data-testid="nav-menu-more"') < content.index('data-testid="nav-promotions-list"')
    active = [item["testid"] for item in response.context["nav_items"] if item["active"]]
    assert active == ["nav-customers-list"]


def test_a_page_of_the_more_menu_marks_the_menu_and_its_entry(personas):
    items = personas.client("director").get(reverse("workorders:list")).context["nav_items"]
    assert [item["testid"] for item in items if item["active"]] == ["nav-menu-more"]
    assert [e["testid"] for e in items[-1]["entries"] if e["active"]] == ["nav-workorders-list"]


def test_a_menu_with_one_entry_for_the_user_is_a_link_of_its_own():
    from qiao.org.context_processors import _grouped

    links = [{"testid": "nav-a", "menu": "", "active": False},
             {"testid": "nav-b", "menu": "more", "active": True}]
    assert _grouped(links) == links  # the brand manager's promotions, alone in "More"


def test_org_and_core_import_no_domain_app():
    for path in [*SRC.glob("org/**/*.py"), *SRC.glob("core/**/*.py")]:
        imports = imported_modules(path)
        assert not [name for name in imports
                    if name.split(".")[:2] in (["qiao", app] for app in DOMAIN_APPS)], path
    text = (SRC / "org/context_processors.py").read_text(encoding="utf-8")
    assert not [app for app in DOMAIN_APPS if f'"{app}:' in text]


def test_the_handover_walks_the_registry_and_names_no_other_domain():
    """customers_handover moves the other domains' open work through registry.handover_steps."""
    others = [name for path in SRC.glob("customers/services/*.py")
              for name in imported_modules(path)
              if name.split(".")[:2] in (["qiao", app] for app in DOMAIN_APPS if app != "customers")]
    assert not others


def test_no_home_made_extension_list_is_left():
    for path in SRC.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in tree.body:
            targets = (node.targets if isinstance(node, ast.Assign)
                       else [node.target] if isinstance(node, ast.AnnAssign) else [])
            names = {t.id for t in targets if isinstance(t, ast.Name)}
            assert not names & {"NAVIGATION", "HANDOVER_STEPS", "CLEARANCE_CHANGED_HOOKS"}, path


def test_the_domains_plug_in_through_the_registry():
    from qiao.customers.reminders import clearance_mismatch_remind
    from qiao.customers.services import customers_follow_owner

    assert clearance_mismatch_remind in registry.events.get("org.clearance_changed").subscribers
    assert customers_follow_owner in list(registry.owner_moved)


# --- actions: declared by the app that owns them -----------------------------------------------

CHECKS = {"can": 1, "requires": 0, "check": 1}  # the function and the place of its action


def checked_actions(path):
    """Every action a module checks, `can(user, X)`, `@requires(X, …)`, `check(request, X)`,
    with constants resolved in the imported module."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    calls = [node for node in ast.walk(tree) if isinstance(node, ast.Call)
             and isinstance(node.func, ast.Name) and node.func.id in CHECKS]
    if not calls:
        return
    module = importlib.import_module(
        "qiao." + ".".join(path.relative_to(SRC).with_suffix("").parts))
    for node in calls:
        arguments = node.args[CHECKS[node.func.id]:]
        if node.func.id != "requires":
            arguments = arguments[:1]
        for argument in arguments:
            if isinstance(argument, ast.Constant):
                yield argument.value
            elif isinstance(argument, ast.Name) and argument.id.isupper():
                yield getattr(module, argument.id)


def test_every_action_the_code_checks_or_declares_is_registered():
    from qiao.customers.tabs import TABS
    from qiao.org import permissions

    checked = {action for path in SRC.rglob("*.py") if "migrations" not in path.parts
               for action in checked_actions(path)}
    assert {"customer.view", "api.use", "org.admin", "promotion.manage"} <= checked
    for path in SRC.glob("*/actions.py"):
        module = importlib.import_module(f"qiao.{path.parent.name}.actions")
        checked |= {value for name, value in vars(module).items() if name.isupper()
                    and isinstance(value, str)}
    checked |= {permissions.VIEWS_CUSTOMERS, permissions.CREATES_CUSTOMERS}
    checked |= {tab.action for tab in TABS}
    for entries in (registry.navigation, registry.desk_widgets, registry.reports):
        checked |= {action for entry in entries for action in entry.actions}
    assert checked - set(registry.actions.keys()) == set()


def test_each_action_is_declared_once_by_its_app_for_default_roles_that_exist():
    from qiao.org.permissions import DEFAULT_ROLES

    declared = []
    for path in SRC.glob("*/actions.py"):
        declared += importlib.import_module(f"qiao.{path.parent.name}.actions").ACTIONS
    assert sorted(a.code for a in declared) == sorted(registry.actions.keys())
    assert len(declared) == len(registry.actions) == 36
    for action in registry.actions:
        assert set(action.default_roles) <= set(DEFAULT_ROLES), action.code


def test_the_role_admin_offers_every_registered_action_with_its_chinese_label(admin_client):
    from qiao.org.models import Role

    role = Role.objects.create(code="tester", name="测试", actions=[])
    with translation.override("zh-hans"):
        body = admin_client.get(reverse("admin:org_role_change", args=[role.pk])).content.decode()
    for action in registry.actions:
        assert f'value="{action.code}"' in body
    assert "查看客户" in body and "管理组织、用户和角色" in body


def test_approval_request_types_are_kept_in_the_one_registry():
    from qiao.approvals import registry as approvals_registry

    assert {t.code for t in approvals_registry.all_types()} == set(registry.approval_types.keys())
    assert {"hospitality", "work_order", "customer_onboarding", "customer_offboarding",
            "customer_transfer"} <= set(registry.approval_types.keys())
    assert approvals_registry.get("work_order") is registry.approval_types.get("work_order")
