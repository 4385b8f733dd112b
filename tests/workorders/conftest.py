import pytest

from qiao.workorders.demo import ensure_work_order_chain


@pytest.fixture
def chain(personas):
    """The demo work-order chain: the customer director and the supervisor, in parallel."""
    return ensure_work_order_chain()
