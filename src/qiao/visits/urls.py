from django.urls import path

from qiao.approvals.actions import APPROVAL_REQUEST
from qiao.org.decorators import stored_file_view

from . import hospitality_views, intel, intel_views, report_views, selectors, views, worklog_views
from .actions import VISIT_RECORD

app_name = "visits"

# Mounted at the root (qiao/urls.py): the hospitality form stays under approvals/hospitality/,
# where it has always been; the actual cost and its receipt hang under the approval request
# (pk: its id) they belong to.
urlpatterns = [
    path("approvals/hospitality/new/", hospitality_views.hospitality_new, name="hospitality_new"),
    path("approvals/<int:pk>/hospitality/cost/", hospitality_views.hospitality_cost,
         name="hospitality_cost"),
    path("approvals/<int:pk>/hospitality/receipt/", stored_file_view(APPROVAL_REQUEST),
         {"get": selectors.hospitality_receipt_get}, name="hospitality_receipt"),
    # The monthly hospitality budgets (招待费预算) of one's managers.
    path("visits/hospitality/budgets/", hospitality_views.hospitality_budgets,
         name="hospitality_budgets"),
    # Market intelligence (市场信息): unlicensed-trading reports and the competitor search.
    path("visits/intel/", intel_views.report_list, name="intel_reports"),
    path("visits/intel/new/", intel_views.report_new, name="intel_new"),
    path("visits/intel/<int:pk>/", intel_views.report_detail, name="intel_detail"),
    path("visits/intel/<int:pk>/pass-on/", intel_views.report_pass_on, name="intel_pass_on"),
    path("visits/intel/<int:pk>/outcome/", intel_views.report_handle, name="intel_handle"),
    path("visits/intel/<int:pk>/photo", stored_file_view(VISIT_RECORD),
         {"get": intel.photo_get}, name="intel_photo"),
    path("visits/intel/competitors/", intel_views.competitor_list, name="intel_competitors"),
    path("visits/", views.visit_list, name="list"),
    path("visits/export/xlsx/", views.visit_export, {"fmt": "xlsx"}, name="export_xlsx"),
    path("visits/export/csv/", views.visit_export, {"fmt": "csv"}, name="export_csv"),
    path("visits/new/", views.visit_new, name="new"),
    path("visits/<int:pk>/", views.visit_detail, name="detail"),
    # The customer's signature of a visit the user sees; never a public media URL.
    path("visits/<int:pk>/signature.png", stored_file_view(VISIT_RECORD),
         {"get": selectors.visit_get}, name="signature"),
    path("visits/commitments/", views.commitment_list, name="commitments"),
    path("visits/commitments/<int:pk>/fulfil/", views.commitment_fulfil, name="fulfil"),
    path("visits/commitments/<int:pk>/cancel/", views.commitment_cancel, name="cancel"),
    # The weekly visit schedule (客户访问日程表): one's own week and month, a schedule by id
    # (the supervisor's view, with the comment), the team's week, the calendar feed.
    path("visits/schedule/", views.schedule_week, name="schedule"),
    path("visits/schedule/month/", views.schedule_month, name="schedule_month"),
    path("visits/schedule/team/", views.schedule_team, name="schedule_team"),
    path("visits/schedule/<int:pk>/", views.schedule_detail, name="schedule_detail"),
    path("visits/schedule/<int:pk>/edit/", views.schedule_edit, name="schedule_edit"),
    path("visits/schedule/<int:pk>/submit/", views.schedule_submit, name="schedule_submit"),
    path("visits/schedule/<int:pk>/comment/", views.schedule_comment, name="schedule_comment"),
    path("visits/schedule/calendar/", views.schedule_feed, name="schedule_feed"),
    # The report centre's visit coverage and the three seed tables (visits.reports).
    path("visits/coverage/", report_views.coverage_table, name="coverage"),
    path("visits/coverage/<int:pk>/", report_views.coverage_drill, name="coverage_manager"),
    path("visits/tables/contacts/", report_views.contacts_table, name="contacts_table"),
    path("visits/tables/contacts/export/", report_views.contacts_table_export,
         name="contacts_table_export"),
    path("visits/tables/visits/", report_views.visits_table, name="visits_table"),
    path("visits/tables/visits/export/", report_views.visits_table_export,
         name="visits_table_export"),
    path("visits/tables/hospitality/", report_views.hospitality_table,
         name="hospitality_table"),
    path("visits/tables/hospitality/export/", report_views.hospitality_table_export,
         name="hospitality_table_export"),
    # Read by a phone's calendar without a login: the secret token is the key.
    path("visits/feed/<str:token>.ics", views.calendar_feed, name="feed"),
]

# Work logs and summaries (工作日志、个人总结) and going-out registration (外出登记).
urlpatterns += [
    path("visits/work-reports/", worklog_views.report_list, name="work_reports"),
    path("visits/work-reports/new/", worklog_views.report_new, name="work_report_new"),
    path("visits/work-reports/<int:pk>/", worklog_views.report_detail, name="work_report"),
    path("visits/work-reports/<int:pk>/edit/", worklog_views.report_edit,
         name="work_report_edit"),
    path("visits/work-reports/<int:pk>/submit/", worklog_views.report_submit,
         name="work_report_submit"),
    path("visits/work-reports/<int:pk>/comment/", worklog_views.report_comment,
         name="work_report_comment"),
    path("visits/going-out/", worklog_views.going_out_list, name="going_out"),
    path("visits/going-out/new/", worklog_views.going_out_new, name="going_out_new"),
    path("visits/going-out/<int:pk>/return/", worklog_views.going_out_return,
         name="going_out_return"),
]
