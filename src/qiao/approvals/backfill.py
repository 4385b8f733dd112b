"""For data migrations of the modules that register request types: fill the title parameters
of their existing requests (titles are composed when read since approvals 0004). Works on the
historical models a migration is given."""

BATCH = 500


def fill_title_params(apps, type_codes, subject_model, params_of, related=()):
    """Every request of `type_codes` without title parameters gets `params_of(subject)`, the
    subject read from `subject_model` ("app_label.Model", with `related` selected); a request
    whose subject is gone keeps its title as written."""
    ApprovalRequest = apps.get_model("approvals", "ApprovalRequest")
    Subject = apps.get_model(subject_model)
    pending = ApprovalRequest.objects.filter(type_code__in=type_codes, title_params={})
    last = 0
    while batch := list(pending.filter(pk__gt=last).order_by("pk")[:BATCH]):
        last = batch[-1].pk
        subjects = Subject.objects.select_related(*related).in_bulk([r.object_id for r in batch])
        found = [r for r in batch if r.object_id in subjects]
        for request in found:
            request.title_params = params_of(subjects[request.object_id])
        ApprovalRequest.objects.bulk_update(found, ["title_params"])


def empty_title_params(apps, type_codes):
    apps.get_model("approvals", "ApprovalRequest").objects.filter(
        type_code__in=type_codes).update(title_params={})
