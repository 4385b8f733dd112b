"""The secret level of existing requests: that of the customer their subject names (hospitality
requests, work orders and lifecycle requests name one; transfers name people, not a customer)."""

from django.db import migrations

# (app, model) of the subjects that have a `customer`.
SUBJECTS = [("approvals", "hospitalityrequest"), ("workorders", "workorder"),
            ("customers", "lifecyclerequest")]


def backfill(apps, schema_editor):
    ApprovalRequest = apps.get_model("approvals", "ApprovalRequest")
    ContentType = apps.get_model("contenttypes", "ContentType")
    for app_label, model_name in SUBJECTS:
        content_type = ContentType.objects.filter(app_label=app_label, model=model_name).first()
        if content_type is None:
            continue
        Subject = apps.get_model(app_label, model_name)
        levels = dict(Subject.objects.values_list("pk", "customer__secret_level"))
        requests = ApprovalRequest.objects.filter(content_type=content_type)
        for level in set(levels.values()) - {0}:
            ids = [pk for pk, subject_level in levels.items() if subject_level == level]
            requests.filter(object_id__in=ids).update(secret_level=level)


class Migration(migrations.Migration):

    dependencies = [
        ("approvals", "0010_request_secret_level"),
        ("workorders", "0003_approval_title_params"),
        ("customers", "0012_approval_title_params"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(backfill, migrations.RunPython.noop)]
