from django.urls import path

from . import views

app_name = "sales"

urlpatterns = [
    path("", views.home, name="home"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("dashboard/rows/", views.dashboard_rows, name="dashboard_rows"),
    path("orders/", views.order_list, name="orders"),
    path("orders/export/xlsx/", views.order_export, {"fmt": "xlsx"}, name="export_xlsx"),
    path("orders/export/csv/", views.order_export, {"fmt": "csv"}, name="export_csv"),
    path("orders/new/", views.order_new, name="order_new"),
    path("orders/<int:pk>/", views.order_detail, name="order"),
    *(path(f"orders/<int:pk>/{step}/", views.order_step, {"step": step}, name=f"order_{step}")
      for step in views.ORDER_STEPS),
    path("orders/prices/", views.order_prices, name="order_prices"),
    path("prices/", views.price_lists, name="price_lists"),
    path("prices/new/", views.price_list_new, name="price_list_new"),
    path("prices/<int:pk>/", views.price_list, name="price_list"),
    path("prices/<int:pk>/edit/", views.price_list_edit, name="price_list_edit"),
    path("prices/<int:pk>/export/xlsx/", views.price_list_export, name="price_list_export"),
    path("receipts/new/", views.receipt_new, name="receipt_new"),
    path("receipts/<int:pk>/reverse/", views.receipt_reverse, name="receipt_reverse"),
    path("credit/<int:customer_id>/new/", views.credit_new, name="credit_new"),
    path("credit/<int:customer_id>/dunning/", views.dunning_new, name="dunning_new"),
    path("targets/", views.targets, name="targets"),
    path("targets/annual/", views.annual, name="target_split"),
    path("plans/", views.plans, name="plans"),
    path("plans/open/", views.plan_open, name="plan_open"),
    path("plans/<int:pk>/", views.plan_detail, name="plan"),
    path("plans/<int:pk>/review/", views.plan_review, name="plan_review"),
    path("plans/<int:pk>/margin/", views.plan_margin, name="plan_margin"),
    path("costs/new/", views.cost_new, name="cost_new"),
    path("reports/", views.reports, name="reports"),
    path("reports/open/", views.report_open, name="report_open"),
    path("reports/<int:pk>/", views.report_detail, name="report"),
    path("reports/<int:pk>/review/", views.report_review, name="report_review"),
    path("bonuses/", views.bonus_runs, name="bonus_runs"),
    path("bonuses/<int:pk>/", views.bonus_run, name="bonus_run"),
    *(path(f"bonuses/<int:pk>/{step}/", views.bonus_run_step, {"step": step},
           name=f"bonus_{step}") for step in ("recompute", "confirm")),
    path("bonuses/lines/<int:pk>/", views.bonus_line, name="bonus_line"),
    path("statistics/monthly/", views.monthly, name="monthly"),
    path("statistics/groups/", views.monthly, {"by": "unit"}, name="groups"),
    path("statistics/seasonal/", views.seasonal, name="seasonal"),
    path("statistics/arrears/", views.arrears, name="arrears"),
    *(path(f"statistics/{name.replace('_', '-')}/", views.statistic, {"name": name}, name=name)
      for name in views.STATISTICS),
]
