import pytest


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    """Signature images of each test in a directory of its own."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT
