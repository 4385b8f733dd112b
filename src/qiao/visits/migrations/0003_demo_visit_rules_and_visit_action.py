"""Visit rules in the handbooks' spirit (分级管理规定定期访问: grade 1 weekly … grade 5
quarterly) for the grades that exist, by rank; and the visit actions for the roles of account
managers and up (the export: supervisors and up). Written out here: a migration does not follow later changes of the code."""

from django.db import migrations

from qiao.org.migration_helpers import grant_action

ALL_TASKS = ["inform", "collect", "stock", "display", "lawful", "price"]
# rank: (days, visit type, tasks, customer training)
RULES = {
    1: (7, "on_site", ALL_TASKS, True),
    2: (14, "on_site", ALL_TASKS, True),
    3: (30, "on_site", ALL_TASKS, False),
    4: (60, "on_site", ["inform", "collect", "stock", "price"], False),
    5: (90, "phone", ["inform", "collect"], False),
}
# A big customer of the second grade is visited weekly, like the first.
BIG_OF_RANK_2 = (7, "on_site", ALL_TASKS, True)


def add_rules(apps, schema_editor):
    Grade = apps.get_model("customers", "Grade")
    VisitRule = apps.get_model("visits", "VisitRule")
    rules = VisitRule.objects.using(schema_editor.connection.alias)
    for grade in Grade.objects.using(schema_editor.connection.alias).filter(rank__in=RULES):
        entries = [("", RULES[grade.rank])]
        if grade.rank == 2:
            entries.append(("big", BIG_OF_RANK_2))
        for category, (days, method, tasks, training) in entries:
            rules.get_or_create(grade=grade, category=category, defaults={
                "frequency_days": days, "method": method, "tasks": tasks,
                "training": training})


class Migration(migrations.Migration):
    dependencies = [
        ("visits", "0002_visit_rules_visits_commitments"),
        ("customers", "0019_short_term_search_index"),
        ("org", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(add_rules, migrations.RunPython.noop),
        grant_action("visit.record", roles=("director", "dept_manager", "regional_manager",
                                            "supervisor", "account_manager")),
        grant_action("visit.export", roles=("director", "dept_manager", "regional_manager",
                                            "supervisor")),
    ]
