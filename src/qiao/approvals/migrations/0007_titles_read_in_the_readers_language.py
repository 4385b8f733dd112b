"""Approval titles composed when read (from the request type and `title_params`), the text as
written kept as `written_title`; event parameters rendered when read; the event "back from the
delegate"."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("approvals", "0006_escalation_hours_in_range"),
    ]

    operations = [
        migrations.RenameField(
            model_name="approvalrequest", old_name="title", new_name="written_title",
        ),
        migrations.RenameField(
            model_name="historicalapprovalrequest", old_name="title", new_name="written_title",
        ),
        migrations.AlterField(
            model_name="approvalrequest",
            name="written_title",
            field=models.CharField(max_length=200, verbose_name="title as written"),
        ),
        migrations.AlterField(
            model_name="historicalapprovalrequest",
            name="written_title",
            field=models.CharField(max_length=200, verbose_name="title as written"),
        ),
        migrations.AddField(
            model_name="approvalrequest",
            name="title_params",
            field=models.JSONField(blank=True, default=dict, verbose_name="title parameters"),
        ),
        migrations.AddField(
            model_name="historicalapprovalrequest",
            name="title_params",
            field=models.JSONField(blank=True, default=dict, verbose_name="title parameters"),
        ),
        migrations.AddField(
            model_name="approvalevent",
            name="params",
            field=models.JSONField(blank=True, default=dict, verbose_name="parameters"),
        ),
        migrations.AlterField(
            model_name="approvalevent",
            name="kind",
            field=models.CharField(choices=[
                ("submitted", "Submitted"), ("approved", "Approved"), ("rejected", "Rejected"),
                ("returned", "Returned for changes"), ("resubmitted", "Resubmitted"),
                ("withdrawn", "Withdrawn"), ("delegated", "Passed to a delegate"),
                ("delegation_ended", "Back from the delegate"),
                ("escalated", "Overdue, reported to the approver's supervisor"),
                ("completed", "Approved by everyone")], max_length=20, verbose_name="event"),
        ),
    ]
