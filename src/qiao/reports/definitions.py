"""The customer tables of the seeds in the report centre (core.registry.reports), registered by
ReportsConfig.ready(); the centre lists every app's registered reports the same way."""

from django.utils.translation import gettext_lazy as _

from qiao.core.registry import ReportDef

from .actions import REPORT_VIEW

# The seed handbook's chapters: 客户信息管理表格 (ch. 7) and 客户关系管理表格 (ch. 3).
INFORMATION_FORMS = _("Customer information management forms")
RELATIONSHIP_FORMS = _("Customer relationship management forms")

GRADES = ReportDef(
    "grades", _("Customer grade classification table"), "reports:grades", (REPORT_VIEW,),
    INFORMATION_FORMS, order=10, icon="bi-bar-chart-steps", short_label=_("Customers by grade"),
    description=_("How many customers each grade has, by status, and who they are."))
REGIONS = ReportDef(
    "regions", _("Customer regional classification table"), "reports:regions", (REPORT_VIEW,),
    INFORMATION_FORMS, order=20, icon="bi-geo-alt", short_label=_("Customers by region"),
    description=_("Customers per region and administrative area, by grade or by status."))
REGISTRATION = ReportDef(
    "registration", _("Customer information registration form"), "reports:registration_pick",
    (REPORT_VIEW,), INFORMATION_FORMS, order=30, icon="bi-file-earmark-person",
    short_label=_("Registration form"),
    description=_("One customer's registration form with its key people, to print on A4."))
CLASSIFICATION = ReportDef(
    "classification", _("Customer classification table"), "reports:classification",
    (REPORT_VIEW,), RELATIONSHIP_FORMS, order=40, icon="bi-diagram-3",
    short_label=_("Customer classification"),
    description=_("Big, key and ordinary customers by grade, industry and enterprise nature."))
KEY_CUSTOMERS = ReportDef(
    "key_customers", _("Key customer statistics table"), "reports:key_customers", (REPORT_VIEW,),
    RELATIONSHIP_FORMS, order=50, icon="bi-star", short_label=_("Key customers"),
    description=_("Big and key customers with their manager, contacts and key person."))

AT_RISK = ReportDef(
    "at_risk", _("At-risk customer statistics table"), "reports:at_risk", (REPORT_VIEW,),
    INFORMATION_FORMS, order=35, icon="bi-exclamation-triangle", short_label=_("At-risk customers"),
    description=_("Customers with receivables long overdue, falling orders, an open complaint, "
                  "a licence expiring or no visit for a long time, with the reasons."))

REPORTS = (GRADES, REGIONS, REGISTRATION, AT_RISK, CLASSIFICATION, KEY_CUSTOMERS)
