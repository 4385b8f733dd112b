"""The move of the hospitality request from approvals to visits keeps the data: a database
as it was before the move (approvals 0011, no visits) keeps its rows and its approval
requests' subjects after `migrate`."""

from decimal import Decimal

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from qiao.approvals.models import ApprovalRequest
from qiao.visits import services
from qiao.visits.demo import ensure_hospitality_chain
from qiao.visits.models import HospitalityRequest

BEFORE = [("approvals", "0011_request_secret_level_backfill"), ("visits", None)]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    ContentType.objects.clear_cache()  # the rows were renamed under the cache
    return executor.loader.project_state(BEFORE[0]).apps  # the models as they were before


@pytest.mark.django_db(transaction=True)
def test_a_hospitality_request_survives_the_move(personas):
    ensure_hospitality_chain()
    approval = services.hospitality_request_create(
        actor=personas["am01"], customer=personas.customers["am01"][0], amount=Decimal("800.00"),
        date="2026-12-01", guests="采购部 2 人", purpose="季度走访")
    subject_pk = approval.object_id
    leaf = MigrationExecutor(connection).loader.graph.leaf_nodes()
    try:
        old = migrate(BEFORE)
        # Before the move: the request is the approval engine's, and so is its content type.
        before = old.get_model("approvals", "HospitalityRequest").objects.get(pk=subject_pk)
        assert before.guests == "采购部 2 人"
        content_type = ContentType.objects.get(pk=approval.content_type_id)
        assert (content_type.app_label, content_type.model) == ("approvals", "hospitalityrequest")
        # (visits' later models keep their content types: only the moved ones are asked about)
        assert not ContentType.objects.filter(
            app_label="visits",
            model__in=("hospitalityrequest", "historicalhospitalityrequest")).exists()
    finally:
        migrate(leaf)
    content_type = ContentType.objects.get(pk=approval.content_type_id)  # the same row, renamed
    assert (content_type.app_label, content_type.model) == ("visits", "hospitalityrequest")
    moved = ApprovalRequest.objects.get(pk=approval.pk).subject
    assert isinstance(moved, HospitalityRequest) and moved.pk == subject_pk
    assert moved.amount == Decimal("800.00") and moved.history.count() == 1
