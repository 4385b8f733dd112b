"""The OpenAPI document and the docs page: public, served from our own static files, and
within the site's CSP (the browser check is tests/e2e/test_api_docs.py)."""

import re

from django.contrib.staticfiles import finders
from django.test import Client

SCRIPT = re.compile(r"<script([^>]*)>", re.I)


def test_openapi_document():
    schema = Client().get("/api/v1/openapi.json").json()
    assert (schema["info"]["title"], schema["info"]["version"]) == ("Qiao API", "1")
    assert schema["components"]["securitySchemes"]["TokenAuth"] == {"type": "http",
                                                                    "scheme": "bearer"}
    for path, methods in schema["paths"].items():
        for method, operation in methods.items():
            assert {"TokenAuth": []} in operation["security"], (method, path)
            assert {"400", "401", "404"} <= set(operation["responses"]), (method, path)


def test_operation_ids_name_the_app_not_the_module_inside_its_api():
    """Clients generated from the schema keep their method names when an app's API is split
    into modules (customers/api/archive.py, contacts.py…): `qiao_<app>_api_<function>`."""
    schema = Client().get("/api/v1/openapi.json").json()
    ids = [operation["operationId"] for methods in schema["paths"].values()
           for operation in methods.values()]
    assert all(re.fullmatch(r"qiao_[a-z]+_api_[a-z_]+", i) for i in ids), ids
    assert "qiao_customers_api_customer_list" in ids and len(set(ids)) == len(ids)


def test_docs_page_uses_only_vendored_scripts_under_the_csp():
    response = Client().get("/api/v1/docs")
    assert response.status_code == 200
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp.split("script-src")[1] \
        .split(";")[0]
    html = response.content.decode()
    scripts = SCRIPT.findall(html)
    assert scripts
    for attrs in scripts:
        src = re.search(r'src="([^"]+)"', attrs)
        if src:  # a file of ours, present among the static files
            assert src.group(1).startswith("/static/ninja/"), attrs
            assert finders.find(src.group(1).removeprefix("/static/")), attrs
        else:  # only data, which the browser does not run
            assert 'type="application/json"' in attrs, attrs
    assert "cdn" not in html.lower() and "http://" not in html and "https://" not in html
    assert '"validatorUrl": null' in html  # no badge fetched from swagger.io


def test_no_two_schemas_share_a_name():
    """The document names each schema by its class: two apps' `StepOut`s would silently become
    one, and one endpoint would be documented with the other's shape."""
    import inspect
    import sys

    from ninja import Schema

    import qiao.api  # noqa: F401 — imports every app's router

    owners = {}
    for module_name, module in list(sys.modules.items()):
        if not (module_name.startswith("qiao.") and ".api" in module_name):
            continue
        for name, value in vars(module).items():
            if inspect.isclass(value) and issubclass(value, Schema) \
                    and value.__module__ == module_name:
                owners.setdefault(name, set()).add(module_name)
    assert {name: mods for name, mods in owners.items() if len(mods) > 1} == {}
