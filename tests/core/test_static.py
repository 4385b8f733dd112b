"""`make demo` and production collect static files into WhiteNoise's manifest storage, which
refuses a vendored file that points at something missing (a source map, a font)."""

from django.conf import settings
from django.core.management import call_command
from django.test import override_settings

from qiao.settings import base


def test_collectstatic_with_the_production_storage(tmp_path):
    storages = {**settings.STORAGES, "staticfiles": base.STORAGES["staticfiles"]}
    with override_settings(STATIC_ROOT=tmp_path, STORAGES=storages):
        call_command("collectstatic", "--noinput", verbosity=0)
    manifest = (tmp_path / "staticfiles.json").read_text()
    for asset in ("vendor/bootstrap/bootstrap.min.css", "vendor/htmx/htmx.min.js",
                  "vendor/bootstrap-icons/fonts/bootstrap-icons.woff2", "qiao/qiao.css"):
        assert f'"{asset}"' in manifest, asset
