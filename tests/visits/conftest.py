import pytest

from qiao.visits.demo import ensure_hospitality_chain


@pytest.fixture
def chain(personas):
    """The demo hospitality chain: the supervisor, then the department manager from ¥2,000."""
    return ensure_hospitality_chain()
