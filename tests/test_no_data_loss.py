"""No edit loses data (issue 9), for every edit page and every PATCH route:

* every edit page of the application (found by tests/edit_pages.py from the URL resolver),
  opened on a record with every field filled and sent back unchanged, as a browser sends it,
  in Chinese and in English and by each of its editors, changes nothing: not a column, not a
  many-to-many, no history row, no timeline event. The browser itself does the same in
  tests/e2e/test_no_data_loss.py;
* every PATCH route of the OpenAPI schema, sent one field at a time, changes that field and
  nothing else (but the version and what the services derive from the field);
* every admin change page, saved unchanged, changes no column of its record.
"""

import pytest
from django.contrib import admin
from django.test import Client
from django.urls import reverse

from qiao.api import api as qiao_api

from .api.conftest import Api, token_secret
from .edit_pages import (
    FILLERS,
    LANGUAGES,
    browser_post_data,
    build_world,
    differences,
    discover,
    row,
    save_unchanged,
    written_elsewhere,
    written_since,
)


@pytest.fixture
def world(personas, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return build_world(personas)


def test_every_edit_page_saved_unchanged_changes_nothing(world):
    found = discover(world)
    found.check()
    # The walk works: it finds (at least) the edit pages there were when it was written.
    assert {page.route for page in found.pages} >= {
        "customers:edit", "customers:contact_edit", "workorders:edit", "promotions:edit"}
    failures = []
    for page in found.pages:
        filler = FILLERS[page.model]
        for username in filler.editors:
            client = Client()
            client.force_login(world.personas[username])
            for index, language in enumerate(LANGUAGES):
                if index and filler.reopen:
                    filler.reopen(world, page.pk)
                before, elsewhere = row(page.model, page.pk), written_elsewhere()
                response = save_unchanged(client, page, language)
                where = f"{page} by {username} in {language}"
                if response.status_code != 302:
                    failures.append(f"{where}: the unchanged form answered "
                                    f"{response.status_code}, not a redirect: "
                                    f"{_errors(response)}")
                    continue
                changed = differences(before, row(page.model, page.pk))
                written = written_since(elsewhere, page.model)
                if changed or written:
                    failures.append(f"{where}: changed {changed}; wrote {written}")
    assert not failures, "\n".join(failures)


def _errors(response):
    form = response.context.get("form") if response.context is not None else None
    if form is not None and form.errors:
        return form.errors.as_json()
    return response.content.decode()[:300]


# --- the REST API ----------------------------------------------------------------------------

NOT_FIELDS = {"version", "confirm_duplicate"}


def _patch_routes():
    """[(path, model, the request body's properties)] of every PATCH route of the schema."""
    schema = qiao_api.get_openapi_schema()
    by_name = {model._meta.model_name: model for model in FILLERS}
    routes = []
    for path, operations in schema["paths"].items():
        if "patch" not in operations:
            continue
        parameter = path.rsplit("{", 1)[1].rstrip("}")
        model = by_name.get(parameter.removesuffix("_id").replace("_", ""))
        assert model is not None, f"PATCH {path}: tests/edit_pages.py has no FILLERS entry for it"
        body = operations["patch"]["requestBody"]["content"]["application/json"]["schema"]
        properties = schema["components"]["schemas"][body["$ref"].rsplit("/", 1)[1]]["properties"]
        routes.append((path.replace("/api/v1", "", 1).replace("{" + parameter + "}", "{pk}"),
                       model, set(properties) - NOT_FIELDS))
    return routes


def test_a_patch_of_one_field_changes_only_that_field(world):
    routes = _patch_routes()
    assert {model.__name__ for _path, model, _fields in routes} >= {"Customer", "Contact",
                                                                     "WorkOrder"}
    failures = []
    for path, model, fields in routes:
        filler = FILLERS[model]
        record = world.records[model]
        client = Api(token_secret(world.personas[filler.editors[-1]]))
        second = filler.second_values(world, model)
        unknown = fields - set(second)
        assert not unknown, f"PATCH {path}: no second value for {unknown} in tests/edit_pages.py"
        for name in sorted(fields):
            before = row(model, record.pk)
            response = client.patch(path.format(pk=record.pk),
                                    {name: second[name], "version": before["version"]})
            if response.status_code != 200:
                failures.append(f"PATCH {path} {name}: {response.status_code} {response.content}")
                continue
            changed = set(differences(before, row(model, record.pk)))
            column = model._meta.get_field(name).attname
            expected = {column, "version", "updated_at"} | filler.derived
            if column not in changed or changed - expected:
                failures.append(f"PATCH {path} {name}: changed {sorted(changed)}")
    assert not failures, "\n".join(failures)


# --- the admin -------------------------------------------------------------------------------

@pytest.mark.parametrize("language", LANGUAGES)
def test_every_admin_change_page_saved_unchanged_changes_no_column(world, language):
    """What an administrator saves without changing anything stays as it was, for every model
    of the admin with a record in the world (history rows are the admin's business: it saves
    whatever it is given)."""
    superuser = world.personas["admin"]
    superuser.is_superuser = superuser.is_staff = True
    superuser.save()
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(superuser)
    failures, tried = [], set()
    for model, model_admin in admin.site._registry.items():
        if not model_admin.has_change_permission(_request(superuser)):
            continue
        for pk in model._base_manager.order_by("pk").values_list("pk", flat=True)[:2]:
            url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_change",
                          args=[pk])
            page = client.get(url)
            if page.status_code != 200 or b'name="_save"' not in page.content:
                continue  # read-only here
            tried.add(model._meta.label_lower)
            before = row(model, pk)
            action, data = browser_post_data(page.content.decode(), ["_save"])
            body = {}
            for name, value in data + [("_save", "")]:
                body.setdefault(name, []).append(value)
            response = client.post(url, body)
            changed = differences(before, row(model, pk))
            changed.pop("updated_at", None)
            if response.status_code != 302 or changed:
                failures.append(f"{url}: {response.status_code}, changed {changed}")
    # The walk works: the administrators' everyday pages are among those tried.
    assert tried >= {"org.orgunit", "org.role", "org.position", "org.user", "customers.grade",
                     "customers.tag", "customers.poolrule", "customers.checklistitem",
                     "approvals.chain", "notify.webhook", "visits.visitrule"}, tried
    assert not failures, "\n".join(failures)


def _request(user):
    from django.test import RequestFactory

    request = RequestFactory().get("/admin/")
    request.user = user
    return request
