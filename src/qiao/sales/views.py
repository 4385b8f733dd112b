"""Sales pages: thin — parse, fetch through the selectors, one service, render."""

from datetime import timedelta
from urllib.parse import urlencode

from django.contrib import messages
from django.http import Http404, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from qiao.audit import services as audit_services
from qiao.core.exceptions import ANSWERED_ON_PAGE, http_status, user_message
from qiao.core.exports import send
from qiao.core.forms import add_errors
from qiao.core.htmx import render_page
from qiao.core.lists import list_export, list_page
from qiao.core.origin import Origin
from qiao.core.views import attempt
from qiao.customers.selectors import customer_get
from qiao.org.decorators import requires
from qiao.org.permissions import can
from qiao.org.scope import sees_everything, visible_users

from . import bonus, exports, lists, selectors, services
from .actions import SALES_MANAGE, SALES_POST, SALES_VIEW
from .forms import (
    AnnualAmountForm,
    ArrearsFilter,
    BonusRunForm,
    CancelForm,
    CostForm,
    CreditFileForm,
    DashboardFilter,
    DeliverForm,
    DrillFilter,
    DunningForm,
    FigureFilter,
    LineFormSet,
    MarginForm,
    MeasureFormSet,
    OrderForm,
    PlanForm,
    PriceLineFormSet,
    PriceListForm,
    PriceQuery,
    ReceiptForm,
    ReportFilter,
    ReportForm,
    ReturnForm,
    ReverseForm,
    ReviewForm,
    SplitForm,
    SpreadForm,
    StatisticsFilter,
    TargetForm,
    YearChoice,
    YearFilter,
)
from .models import BonusStatus, CreditOrderRequest, OrderStatus, ReportStatus, SalesReport
from .reports import (
    ANNUAL,
    COLLECTION,
    COMPARISON,
    COSTS,
    CUMULATIVE,
    CUSTOMER_COMPARISON,
    CUSTOMER_CUMULATIVE,
    GROUPS,
    INDUSTRY_GROWTH,
    MONTHLY,
    PRODUCT_GROWTH,
    PRODUCTS,
    PROFIT,
    SEASONAL,
)


def _chart_labels() -> dict:
    return {"net_sales": _("Net sales"), "collections": _("Collected (incl. notes)"),
            "target": _("Standard sales"), "index": _("Seasonal index")}


@require_GET
@requires(SALES_VIEW)
def home(request):
    """销售业绩: the month's figures of what the user sees (or one manager's), against the
    target, the last twelve months, the ranking's top three and the user's place."""
    form = FigureFilter(request.GET or None, user=request.user)
    chosen = form.values()
    month, manager = chosen["month"], chosen["manager"]
    trend = selectors.trend(request.user, month, manager=manager)
    figures = selectors.figures(request.user, month, manager=manager)
    ranking = selectors.ranking(month)
    me = (manager or request.user).pk
    rank = next((row["rank"] for row in ranking if row["manager_id"] == me), None)
    return render_page(request, "sales/home.html", {
        "form": form, "month": month, "manager": manager,
        "figures": figures, "items": [
            (_("Orders") + f" ({figures['order_count']})", figures["orders"]),
            (_("New customers' orders"), figures["new_orders"]),
            (_("Orders taken on visits"), figures["visit_orders"]),
            (_("Orders by phone or letter"), figures["phone_orders"]),
            (_("Returns"), figures["returns"]), (_("Cancellations"), figures["cancellations"]),
            (_("Discounts"), figures["discounts"]), (_("Commissions"), figures["commissions"]),
            (_("Marginal cost"), figures["marginal_cost"]), (_("Costs"), figures["costs"]),
            (_("Of which notes"), figures["notes"]),
            (_("Note interest gain/loss"), figures["note_interest"])],
        "chart": {"months": [f"{m['month']:%Y-%m}" for m in trend],
                  "net_sales": [str(m["net_sales"]) for m in trend],
                  "collections": [str(m["collections"]) for m in trend],
                  "target": [str(m["target"]) for m in trend], "labels": _chart_labels()},
        "top": selectors.top_three(ranking), "rank": rank,
        "ranked": len(ranking),
        "check": selectors.margin_check(request.user, manager or request.user)
        if month.year == timezone.localdate().year else None,
        "can_post": can(request.user, SALES_POST), "can_manage": can(request.user, SALES_MANAGE),
        "can_dashboard": selectors.sees_others(request.user)})


# --- the sales dashboard (销售看板) --------------------------------------------------------------

def _drill(month, unit, **params) -> str:
    """The drill-down page's address for a figure of the month (of `unit`), narrowed by
    `params` (figure, manager, product, rest)."""
    query = {"month": f"{month:%Y-%m}", **({"unit": unit.pk} if unit else {}),
             **{k: v for k, v in params.items() if v not in (None, "", False)}}
    return f"{reverse('sales:dashboard_rows')}?{urlencode(query)}"


def _arrears_link(unit) -> str:
    return reverse("sales:arrears") + (f"?unit={unit.pk}" if unit else "")


@require_GET
@requires(SALES_VIEW)
def dashboard(request):
    """销售看板: a supervisor's, regional manager's or the director's month, every number
    linked to the rows behind it (`dashboard_rows`). Linked from 销售业绩 for those whose scope
    holds more than themselves; an account manager opening it sees their own figures only."""
    form = DashboardFilter(request.GET or None, user=request.user)
    chosen = form.values()
    month, unit = chosen["month"], chosen["unit"]
    board = selectors.dashboard(request.user, month, unit=unit)
    figures = board["figures"]
    sales_link = _drill(month, unit)
    units = board["units"]
    for line in units["lines"]:
        line["link"] = (_drill(month, line["unit"]) if units["by"] == "unit"
                        else _drill(month, unit, manager=line["manager_id"]))
    units["rest_link"] = _drill(month, unit, rest=1)
    for line in board["products"]:
        line["link"] = _drill(month, unit, product=line["key"])
    for line in board["managers"]:
        line["link"] = _drill(month, unit, manager=line["key"])
    trend = [{**m, "link": _drill(m["month"], unit)} for m in board["trend"]]
    buckets = [(label, board["ageing"][key]) for key, label in zip(
        (*(f"d{days}" for days in selectors.AGEING_BUCKETS), "over"), exports.ageing_labels(),
        strict=True)]
    arrears_link = _arrears_link(unit)
    chart = {
        "labels": {**_chart_labels(), "completion": _("Target completion rate"),
                   "receivable": _("Receivable")},
        "months": [f"{m['month']:%Y-%m}" for m in trend],
        "net_sales": [str(m["net_sales"]) for m in trend],
        "target": [str(m["target"]) for m in trend],
        "month_links": [m["link"] for m in trend],
        "units": [{"name": line["name"], "value": str(line["net_sales"]), "link": line["link"]}
                  for line in units["lines"]]
        + ([{"name": str(_("Not under these units")), "value": str(units["rest"]),
             "link": units["rest_link"]}] if units["rest"] else []),
        "products": [{"name": line["name"], "value": str(line["net_sales"]),
                      "link": line["link"]} for line in board["products"]],
        "ageing": [{"name": str(label), "value": str(value), "link": arrears_link}
                   for label, value in buckets],
        "managers": [{"name": line["name"], "value": str(line["completion"] or 0),
                      "link": line["link"]} for line in board["managers"]],
    }
    return render_page(request, "sales/dashboard.html", {
        "form": form, "board": board, "figures": figures, "month": month, "unit": unit,
        "trend": trend, "buckets": buckets, "chart": chart,
        "links": {"net_sales": sales_link, "collections": _drill(month, unit,
                                                                 figure="collections"),
                  "receivable": _drill(month, unit, figure="receivable"),
                  "overdue": arrears_link,
                  "year_ago": _drill(board["year_ago_month"], unit)}})


@require_GET
@requires(SALES_VIEW)
def dashboard_rows(request):
    """The documents behind a number of the dashboard, in the figures' scope; their total is
    the number clicked."""
    form = DrillFilter(request.GET or None, user=request.user)
    chosen = form.values()
    narrow = {"manager": chosen["manager"], "unit": chosen["unit"], "rest": chosen["rest"]}
    if chosen["figure"] == "receivable":
        table = selectors.receivable_rows(request.user, chosen["month"], **narrow)
    else:
        table = selectors.movements(request.user, chosen["month"], figure=chosen["figure"],
                                    product=chosen["product"], **narrow)
    shown = table["rows"][:DRILL_ROWS]
    return render_page(request, "sales/dashboard_rows.html", {
        "form": form, "table": table, "rows": shown, "chosen": chosen,
        "cut": len(table["rows"]) - len(shown), "filters_text": form.description(),
        "kinds": {"order": _("Order"), "cancellation": _("Cancellation"),
                  "return": _("Return"), "receipt": _("Receipt")},
        "back": reverse("sales:dashboard") + "?" + urlencode(
            {"month": f"{chosen['month']:%Y-%m}",
             **({"unit": chosen["unit"].pk} if chosen["unit"] else {})})})


DRILL_ROWS = 2000  # shown on the page; the total is of them all


# --- orders --------------------------------------------------------------------------------------

@require_GET
@requires(SALES_VIEW)
def order_list(request):
    return list_page(request, lists.ORDERS, can_export=True,
                     can_create=can(request.user, SALES_POST))


@require_GET
@requires(SALES_VIEW)
def order_export(request, fmt):
    return list_export(request, lists.ORDERS, fmt)


@requires(SALES_POST)
def order_new(request):
    user = request.user
    may_pass = can(user, SALES_MANAGE)
    may_ask = not may_pass and services.credit_policy() == "approve"
    form = OrderForm(request.POST or None, user=user, may_pass_limit=may_pass or may_ask,
                     initial={"customer": request.GET.get("customer")})
    lines = LineFormSet(request.POST or None, prefix="lines")
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid() and lines.is_valid():
            chosen = [(line["product"], line["quantity"], line.get("price"))
                      for line in lines.cleaned_data if line.get("product")]
            data = form.cleaned_data
            order, status = attempt(form, lambda: services.order_post(
                actor=user, customer=data["customer"], lines=chosen,
                ordered_on=data["ordered_on"], channel=data["channel"],
                discount=data["discount"], commission=data["commission"], note=data["note"],
                over_limit_reason=data.get("over_limit_reason", ""), request_approval=True))
            if status is None and isinstance(order, CreditOrderRequest):
                messages.success(request, _("The order is over the credit limit: it was sent "
                                            "for approval and is posted once approved."))
                return redirect("customers:detail_tab", pk=order.customer_id, tab="sales")
            if status is None:
                messages.success(request, _("Sales order %s posted.") % order.number)
                return redirect("sales:order", pk=order.pk)
    return render_page(request, "sales/order_form.html",
                       {"form": form, "lines": lines, "may_pass": may_pass or may_ask,
                        "may_ask": may_ask}, status=status)


def _order_page(request, order, *, status=200, bound=None):
    offered = {}
    if can(request.user, SALES_POST):
        today = timezone.localdate()
        if order.status == OrderStatus.POSTED:
            offered["deliver"] = DeliverForm(initial={"delivered_on": today},
                                             auto_id="id_deliver_%s")
            offered["cancel"] = CancelForm(initial={"cancelled_on": today},
                                           auto_id="id_cancel_%s")
        elif order.status == OrderStatus.DELIVERED:
            offered["return"] = ReturnForm(order=order, initial={"returned_on": today},
                                           auto_id="id_return_%s")
    if bound:
        offered[bound[0]] = bound[1]
    return render_page(request, "sales/order.html", {
        "order": order, "lines": selectors.order_lines(order),
        "returns": selectors.order_returns(order), "receipts": selectors.order_receipts(order),
        "forms": offered, "can_post": can(request.user, SALES_POST)}, status=status)


@require_GET
@requires(SALES_VIEW)
def order_detail(request, pk):
    return _order_page(request, selectors.order_get(request.user, pk))


ORDER_STEPS = {
    "deliver": (DeliverForm, lambda user, order, data: services.order_deliver(
        actor=user, order=order, delivered_on=data["delivered_on"]), _("Order delivered.")),
    "cancel": (CancelForm, lambda user, order, data: services.order_cancel(
        actor=user, order=order, cancelled_on=data["cancelled_on"], reason=data["reason"]),
        _("Order cancelled.")),
    "return": (ReturnForm, lambda user, order, data: services.return_post(
        actor=user, line=next(line for line in selectors.order_lines(order)
                              if line.pk == data["line"]),
        quantity=data["quantity"], reason=data["reason"], returned_on=data["returned_on"],
        note=data["note"]), _("Return posted.")),
}


@require_POST
@requires(SALES_POST)
def order_step(request, pk, step):
    order = selectors.order_get(request.user, pk)
    form_class, call, done = ORDER_STEPS[step]
    extra = {"order": order} if step == "return" else {}
    form = form_class(request.POST, auto_id=f"id_{step}_%s", **extra)
    if form.is_valid():
        try:
            call(request.user, order, form.cleaned_data)
        except ANSWERED_ON_PAGE as exc:
            add_errors(form, exc)
            messages.error(request, user_message(exc))
            return _order_page(request, selectors.order_get(request.user, pk),
                               status=http_status(exc), bound=(step, form))
        messages.success(request, done)
        return redirect("sales:order", pk=pk)
    return _order_page(request, order, status=400, bound=(step, form))


# --- receipts ------------------------------------------------------------------------------------

@requires(SALES_POST)
def receipt_new(request):
    form = ReceiptForm(request.POST or None, user=request.user, initial={
        "customer": request.GET.get("customer"), "order": request.GET.get("order")})
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            receipt, status = attempt(form, lambda: services.receipt_post(
                actor=request.user, customer=data["customer"], amount=data["amount"],
                method=data["method"], received_on=data["received_on"], order=data["order"],
                note_due=data["note_due"], note=data["note"]))
            if status is None:
                messages.success(request, _("Receipt of ¥%s posted.") % f"{receipt.amount:,.2f}")
                if receipt.order_id:
                    return redirect("sales:order", pk=receipt.order_id)
                return redirect("customers:detail_tab", pk=receipt.customer_id, tab="sales")
    return render_page(request, "sales/receipt_form.html", {"form": form}, status=status)


@requires(SALES_MANAGE)
def receipt_reverse(request, pk):
    receipt = selectors.receipt_get(request.user, pk)
    form = ReverseForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            _reversal, status = attempt(form, lambda: services.receipt_reverse(
                actor=request.user, receipt=receipt, reason=form.cleaned_data["reason"]))
            if status is None:
                messages.success(request, _("Receipt reversed."))
                return redirect("customers:detail_tab", pk=receipt.customer_id, tab="sales")
    return render_page(request, "sales/receipt_reverse.html",
                       {"form": form, "receipt": receipt}, status=status)


# --- credit --------------------------------------------------------------------------------------

@requires(SALES_POST)
def credit_new(request, customer_id):
    customer = customer_get(request.user, customer_id)
    latest = selectors.latest_credit_file(customer)
    initial = {"investigated_on": timezone.localdate()}
    form = CreditFileForm(request.POST or None, instance=None, initial=initial)
    if latest is not None and request.method != "POST":
        form = CreditFileForm(initial={**_copied(latest), **initial})
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            _credit, status = attempt(form, lambda: services.credit_file_create(
                actor=request.user, customer=customer, data=form.cleaned_data))
            if status is None:
                messages.success(request, _("Credit investigation saved."))
                return redirect("customers:detail_tab", pk=customer.pk, tab="sales")
    return render_page(request, "sales/credit_form.html",
                       {"form": form, "customer": customer, "latest": latest}, status=status)


def _copied(credit_file) -> dict:
    """The last investigation's answers, to start the next one from."""
    return {name: getattr(credit_file, name) for name in CreditFileForm.Meta.fields}


# --- targets and costs ---------------------------------------------------------------------------

@requires(SALES_MANAGE)
def targets(request):
    """月标准销售额: each manager's standard sales of a month, set by their supervisor."""
    form = FigureFilter(request.GET or None, user=request.user)
    month = form.values()["month"]
    managers = list(visible_users(request.user).order_by("username"))
    current = selectors.targets_of(request.user, month)
    rows = [(manager, TargetForm(request.POST or None, prefix=f"m{manager.pk}",
                                 initial={"amount": current.get(manager.pk)}))
            for manager in managers]
    if request.method == "POST" and all(target_form.is_valid() for _m, target_form in rows):
        services.targets_set(actor=request.user, month=month, amounts={
            manager: target_form.cleaned_data["amount"] for manager, target_form in rows})
        messages.success(request, _("Targets saved."))
        return redirect(f"{request.path}?month={month:%Y-%m}")
    return render_page(request, "sales/targets.html",
                       {"form": form, "month": month, "rows": rows},
                       status=400 if request.method == "POST" else 200)


@requires(SALES_MANAGE)
def cost_new(request):
    form = CostForm(request.POST or None, managers=visible_users(request.user),
                    initial={"month": timezone.localdate().replace(day=1)})
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            _cost, status = attempt(form, lambda: services.cost_post(
                actor=request.user, manager=data["manager"], month=data["month"],
                kind=data["kind"], amount=data["amount"], note=data["note"]))
            if status is None:
                messages.success(request, _("Cost recorded."))
                return redirect("sales:cost_new")
    return render_page(request, "sales/cost_form.html", {
        "form": form, "recent": selectors.recent_costs(request.user)}, status=status)


# --- the monthly sales analysis report (SAL-9) ---------------------------------------------------

@require_GET
@requires(SALES_VIEW)
def reports(request):
    """客户月度销售情况分析报告: one's own and, for a supervisor, the team's, overdue ones marked."""
    form = ReportFilter(request.GET or None)
    rows = selectors.report_list(request.user, **form.values())
    return render_page(request, "sales/reports.html", {
        "form": form, "reports": rows[:200], "today": timezone.localdate(),
        "last_month": (timezone.localdate().replace(day=1) - timedelta(days=1)).replace(day=1),
        "can_post": can(request.user, SALES_POST)})


@require_POST
@requires(SALES_POST)
def report_open(request):
    """Last month's report of the user, made as a draft if the 1st's job has not yet."""
    last_month = (timezone.localdate().replace(day=1) - timedelta(days=1))
    report = services.report_draft(request.user, last_month)
    return redirect("sales:report", pk=report.pk)


def _analysis_page(request, report, *, status=200, form=None, review=None):
    user = request.user
    writes = user.pk == report.manager_id and report.status in (
        ReportStatus.DRAFT, ReportStatus.RETURNED)
    reviews = (can(user, SALES_MANAGE) and user.pk != report.manager_id
               and report.status == ReportStatus.SUBMITTED)
    context = selectors.report_context(report)
    return render_page(request, "sales/report.html", {
        "report": report, **context,
        "changes": [(_("Biggest changes by customer"), context["by_customer"]),
                    (_("Biggest changes by product"), context["by_product"])],
        "suggestion": selectors.forecast_suggestion(report.manager, report.month)[1],
        "sections": [(SalesReport._meta.get_field(name).verbose_name, getattr(report, name))
                     for name in ("overview", "problems", "opinions", "forecast")],
        "form": form or (ReportForm(instance=report, initial={"version": report.version})
                         if writes else None),
        "review": review or (ReviewForm(initial={"version": report.version})
                             if reviews else None),
        "today": timezone.localdate()}, status=status)


@requires(SALES_VIEW)
def report_detail(request, pk):
    report = selectors.report_get(request.user, pk)
    if request.method != "POST":
        return _analysis_page(request, report)
    form = ReportForm(request.POST, instance=report)
    if not form.is_valid():
        return _analysis_page(request, selectors.report_get(request.user, pk), status=400,
                            form=form)
    submit = "submit" in request.POST
    _saved, status = attempt(form, lambda: services.report_save(
        actor=request.user, report=report, data=form.cleaned_data,
        expected_version=form.cleaned_data["version"], submit=submit))
    if status is not None:
        return _analysis_page(request, selectors.report_get(request.user, pk), status=status,
                            form=form)
    messages.success(request, _("Report submitted for review.") if submit else _("Draft saved."))
    return redirect("sales:report", pk=pk)


@require_POST
@requires(SALES_MANAGE)
def report_review(request, pk):
    report = selectors.report_get(request.user, pk)
    form = ReviewForm(request.POST)
    accept = request.POST.get("decision") == "accept"
    if form.is_valid():
        _done, status = attempt(form, lambda: services.report_review(
            actor=request.user, report=report, accept=accept,
            comment=form.cleaned_data["comment"], expected_version=form.cleaned_data["version"]))
        if status is None:
            messages.success(request, _("Report accepted.") if accept else _("Report returned."))
            return redirect("sales:report", pk=pk)
    else:
        status = 400
    return _analysis_page(request, selectors.report_get(request.user, pk), status=status,
                        review=form)


# --- the statistics ------------------------------------------------------------------------------

def _report_page(request, report, template, context, *, filters, export):
    """A statistics page, its print layout (?print=1) or its Excel file (?format=xlsx), the
    last two logged as the lists' are."""
    printing = request.GET.get("print") == "1"
    wanted = request.GET.get("format")
    described = dict(filters.description())
    if wanted == "xlsx":
        return send(request, export.file(request.user, report, filters.description()),
                    rows=export.rows, filters=described)
    if printing:
        audit_services.print_record(actor=request.user, origin=Origin.of(request),
                                    what=str(report.label), rows=export.rows, filters=described)
    query = request.GET.copy()
    for name in ("print", "format", "details"):
        query.pop(name, None)
    return render_page(request, template, {
        **context, "report": report, "form": filters, "printing": printing,
        "query": query.urlencode(), "filters_text": filters.description(),
        "today": timezone.localdate()})


@require_GET
@requires(SALES_VIEW)
def monthly(request, by="manager"):
    """月度销售实绩统计表 (by manager) and 月度组别销售实绩统计表 (by unit)."""
    report = MONTHLY if by == "manager" else GROUPS
    form = FigureFilter(request.GET or None, user=request.user)
    del form.fields["manager"]
    month = form.values()["month"]
    table = selectors.performance(request.user, month, by=by)
    for line in (*table["lines"], table["total"]):
        line["cells"] = [(figure, line[figure.key]) for figure in exports.PERFORMANCE]
    chart = {"names": [line["name"] for line in table["lines"]],
             "net_sales": [str(line["net_sales"]) for line in table["lines"]],
             "target": [str(line["target"]) for line in table["lines"]],
             "labels": _chart_labels()}
    return _report_page(request, report, "sales/monthly.html",
                        {"table": table, "columns": exports.PERFORMANCE, "chart": chart,
                         "details": request.GET.get("details") == "1"},
                        filters=form, export=exports.PerformanceFile(table))


@require_GET
@requires(SALES_VIEW)
def seasonal(request):
    form = YearFilter(request.GET or None)
    chosen = form.values()
    table = selectors.seasonal_index(request.user, chosen["last_year"], years=chosen["years"])
    chart = {"months": [f"{row['month']}月" for row in table["rows"]],
             "index": [str(row["index"]) if row["index"] is not None else None
                       for row in table["rows"]],
             "years": [{"name": str(year), "data": [str(row["values"][i]) for row in table["rows"]]}
                       for i, year in enumerate(table["years"])],
             "labels": _chart_labels()}
    return _report_page(request, SEASONAL, "sales/seasonal.html",
                        {"table": table, "chart": chart}, filters=form,
                        export=exports.SeasonalFile(table))


@require_GET
@requires(SALES_VIEW)
def arrears(request):
    form = ArrearsFilter(request.GET or None, user=request.user)
    del form.fields["month"]
    chosen = form.values()
    table = selectors.arrears(request.user, manager=chosen["manager"], unit=chosen["unit"])
    return _report_page(request, COLLECTION, "sales/arrears.html",
                        {"table": table, "buckets": exports.ageing_labels(),
                         "can_post": can(request.user, SALES_POST)}, filters=form,
                        export=exports.ArrearsFile(table))


# The other statistics (seed 第21条 3, 4, 6, 8; 第11条; 第12条): name (the URL's) → the report,
# the filter's fields, and how the table is made from the user and the filter's values.
STATISTICS = {
    "annual": (ANNUAL, ("year", "by"), lambda user, v: exports.annual_table(
        selectors.annual(user, v["year"], by=v["by"]))),
    "products": (PRODUCTS, ("month", "period"), lambda user, v: exports.product_table(
        selectors.product_mix(user, v["month"], period=v["period"]))),
    "costs": (COSTS, ("month", "period", "by"), lambda user, v: exports.cost_table(
        selectors.cost_breakdown(user, v["month"], by=v["by"], period=v["period"]))),
    "profit": (PROFIT, ("month", "compare", "by"), lambda user, v: exports.profit_table(
        selectors.profit_analysis(user, v["month"], compare=v["compare"], by=v["by"]))),
    "comparison": (COMPARISON, ("month", "by"), lambda user, v: exports.comparison_table(
        selectors.comparison(user, v["month"], by=v["by"]))),
    "customer_comparison": (CUSTOMER_COMPARISON, ("month",),
                            lambda user, v: exports.comparison_table(
                                selectors.comparison(user, v["month"], by="customer"))),
    "cumulative": (CUMULATIVE, ("month", "by"), lambda user, v: exports.cumulative_table(
        selectors.cumulative(user, v["month"], by=v["by"]))),
    "customer_cumulative": (CUSTOMER_CUMULATIVE, ("month",),
                            lambda user, v: exports.cumulative_table(
                                selectors.cumulative(user, v["month"], by="customer"))),
    "industry_growth": (INDUSTRY_GROWTH, ("month",), lambda user, v: exports.growth_table(
        selectors.growth(user, v["month"], by="industry"))),
    "product_growth": (PRODUCT_GROWTH, ("month",), lambda user, v: exports.growth_table(
        selectors.growth(user, v["month"], by="product"))),
}
CHART_ROWS = 20  # the chart draws the first rows only; the table has them all


def _chart_of(table) -> dict:
    lines = table.lines[:CHART_ROWS]
    labels = {figure.key: str(figure.label) for figure in table.columns}
    return {"names": [str(line["name"]) for line in lines],
            "series": [{"name": labels[key], "type": kind,
                        "data": [None if line.get(key) is None else str(line[key])
                                 for line in lines]} for key, kind in table.chart]}


@require_GET
@requires(SALES_VIEW)
def statistic(request, name):
    """One of STATISTICS: its filter, table, chart, Excel file and print layout."""
    report, fields, build = STATISTICS[name]
    form = StatisticsFilter(request.GET or None, fields=fields)
    table = build(request.user, form.values())
    for line in (*table.lines, *([table.total] if table.total is not None else [])):
        line["cells"] = table.cells(line)
    return _report_page(request, report, "sales/statistic.html",
                        {"table": table, "chart": _chart_of(table), "name": name},
                        filters=form, export=exports.TableFile(table))
# --- arrears collection (欠费催缴, CRD-3) -----------------------------------------------------------

@requires(SALES_POST)
def dunning_new(request, customer_id):
    """Record a dunning action on the customer and, if it promised, its promise to pay; back to
    the arrears list or the customer's 销售与信用 tab."""
    customer = customer_get(request.user, customer_id)
    form = DunningForm(request.POST or None)
    back = request.GET.get("next") == "arrears"
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            _action, status = attempt(form, lambda: services.dunning_record(
                actor=request.user, customer=customer, method=data["method"],
                acted_on=data["acted_on"], result=data["result"], note=data["note"],
                promise_amount=data["promise_amount"], promise_due=data["promise_due"]))
            if status is None:
                messages.success(request, _("Dunning recorded."))
                if back:
                    return redirect("sales:arrears")
                return redirect("customers:detail_tab", pk=customer.pk, tab="sales")
    return render_page(request, "sales/dunning_form.html", {
        "form": form, "customer": customer, "credit": selectors.customer_credit(customer),
        "actions": list(selectors.dunning_actions(request.user, customer)[:5]),
        "promises": list(selectors.payment_promises(request.user, customer)[:5]),
        "back": back}, status=status)


# --- bonuses (奖金核算) ------------------------------------------------------------------------------

def _may_run_bonuses(user) -> bool:
    return can(user, SALES_MANAGE) and sees_everything(user)


@require_http_methods(["GET", "POST"])
@requires(SALES_VIEW)
def bonus_runs(request):
    """The runs, newest first, with the total payable of the lines the user sees; a
    company-wide supervisor drafts one the worker has not made (POST)."""
    form = BonusRunForm(request.POST if request.method == "POST" else None)
    if form.is_bound and form.is_valid():  # run_create refuses who may not
        try:
            run = bonus.run_create(actor=request.user, kind=form.cleaned_data["kind"],
                                   period=form.period())
        except ANSWERED_ON_PAGE as refused:
            form.add_error(None, user_message(refused))
        else:
            return redirect("sales:bonus_run", pk=run.pk)
    return render_page(request, "sales/bonus_runs.html", {
        "runs": bonus.runs(request.user),
        "form": form if _may_run_bonuses(request.user) else None})


@require_GET
@requires(SALES_VIEW)
def bonus_run(request, pk):
    """A run's lines the user sees (a manager their own, a supervisor their scope's), their
    totals and, for a company-wide supervisor, recompute and confirm; ?format=xlsx is the
    payroll's 奖金发放表 of a confirmed run."""
    run = bonus.run_get(pk)
    lines = bonus.run_lines(request.user, run)
    if request.GET.get("format") == "xlsx":
        if run.status != BonusStatus.CONFIRMED:
            messages.error(request, _("Only a confirmed bonus run is paid: confirm it first."))
            return redirect("sales:bonus_run", pk=run.pk)
        return send(request, exports.BonusFile(run, lines).file(request.user, {}),
                    rows=len(lines), filters={_("Bonus run"): str(run)})
    return render_page(request, "sales/bonus_run.html", {
        "run": run, "lines": lines, "totals": bonus.totals(lines),
        "may_run": _may_run_bonuses(request.user) and run.status == BonusStatus.DRAFT})


@require_POST
@requires(SALES_MANAGE)
def bonus_run_step(request, pk, step):
    """Recompute a draft run from the ledger, or confirm (freeze) it."""
    run = bonus.run_get(pk)
    if not sees_everything(request.user):
        messages.error(request, _("Only a supervisor over the whole company recomputes and "
                                  "confirms bonus runs."))
        return redirect("sales:bonus_run", pk=run.pk)
    try:
        version = int(request.POST.get("version", ""))
    except ValueError:
        version = -1
    try:
        if step == "confirm":
            bonus.run_confirm(actor=request.user, run=run, expected_version=version,
                              origin=Origin.of(request))
        else:
            bonus.run_recompute(actor=request.user, run=run, expected_version=version)
    except ANSWERED_ON_PAGE as refused:
        messages.error(request, user_message(refused))
    else:
        messages.success(request, _("The bonus run was confirmed.") if step == "confirm"
                         else _("The bonus run was recomputed from the ledger."))
    return redirect("sales:bonus_run", pk=run.pk)


@require_GET
@requires(SALES_VIEW)
def bonus_line(request, pk):
    """A manager's line with the returns clawed back (order, product, amount; no customer)."""
    line = bonus.line_get(request.user, pk)
    return render_page(request, "sales/bonus_line.html", {
        "line": line, "run": line.run, "clawbacks": list(bonus.line_clawbacks(line))})


# --- annual targets and personal sales plans -----------------------------------------------------

def _annual_url(year, unit=None) -> str:
    return f"{reverse('sales:target_split')}?year={year}" + (f"&unit={unit.pk}" if unit else "")


@requires(SALES_MANAGE)
def annual(request):
    """年度销售目标分解: the tree the user splits, and the split form of the unit chosen
    (?unit=): the company's own target for the director, then each level's shares."""
    year = YearChoice(request.GET or None).value()
    if request.method == "POST" and "spread" in request.POST:
        return _spread(request, year)
    tree = selectors.split_tree(request.user, year)
    splittable = {line["unit"].pk: line["unit"] for line in tree["lines"] if line.get("splits")}
    unit = splittable.get(int(request.GET["unit"])) if request.GET.get("unit", "").isdigit() \
        else None
    top = next((u for u in splittable.values() if u.kind == "company"), None)
    top_form = split_form = split = None
    status = 200
    if top is not None:
        current = next(line["target"] for line in tree["lines"] if line.get("unit") == top)
        top_form = AnnualAmountForm(request.POST if "set_top" in request.POST else None,
                                    initial={"amount": current}, prefix="top")
    if unit is not None:
        split = selectors.split_children(request.user, year, unit)
        suggest = "suggest" in request.POST
        initial = selectors.split_suggestion(split) if suggest else {
            row["child"].pk: row["share"] for row in split["children"]}
        split_form = SplitForm(request.POST if "save_split" in request.POST else None,
                               children=split["children"],
                               initial={f"c{pk}": amount for pk, amount in initial.items()})
    if request.method == "POST":
        status = 400
        if "set_top" in request.POST and top_form is not None and top_form.is_valid():
            _done, status = attempt(top_form, lambda: services.annual_target_set(
                actor=request.user, year=year, unit=top,
                amount=top_form.cleaned_data["amount"]))
        elif "save_split" in request.POST and split_form is not None and split_form.is_valid():
            _done, status = attempt(split_form, lambda: services.annual_split(
                actor=request.user, year=year, unit=unit,
                amounts=split_form.amounts(split["children"])))
        elif "suggest" in request.POST and split_form is not None:
            status = 200
        if status is None:
            messages.success(request, _("Targets saved."))
            return redirect(_annual_url(year, unit))
    return render_page(request, "sales/annual.html", {
        "year": year, "tree": tree, "unit": unit, "top": top, "top_form": top_form,
        "split": split, "split_form": split_form,
        "rows": split_form and [(row, split_form[f"c{row['child'].pk}"])
                                for row in split["children"]]}, status=status)


def _spread(request, year):
    """The manager's annual target spread to the twelve months (月标准销售额): a button on the
    manager's line, with "overwrite" ticked to replace months already set by hand."""
    manager = visible_users(request.user).filter(pk=request.POST.get("spread", "")
                                                 if request.POST.get("spread", "").isdigit()
                                                 else None).first()
    if manager is None:
        raise Http404
    form = SpreadForm(request.POST)
    confirm = form.is_valid() and form.cleaned_data["confirm"]
    try:
        services.annual_spread(actor=request.user, year=year, manager=manager, confirm=confirm)
    except ANSWERED_ON_PAGE as exc:
        messages.warning(request, user_message(exc))
        return redirect(_annual_url(year))
    messages.success(request, _("The annual target of %(manager)s was spread to the months.")
                     % {"manager": manager})
    return redirect(f"{reverse('sales:targets')}?month={year}-01")


@require_GET
@requires(SALES_VIEW)
def plans(request):
    """个人销售计划: one's own and, for a supervisor, the team's, with their annual targets."""
    year = YearChoice(request.GET or None).value()
    rows = list(selectors.plan_list(request.user, year))
    targets = selectors.annual_targets_of([plan.manager_id for plan in rows], year)
    return render_page(request, "sales/plans.html", {
        "year": year, "form": YearChoice(initial={"year": year}),
        "plans": [(plan, targets.get(plan.manager_id)) for plan in rows],
        "can_post": can(request.user, SALES_POST)})


@require_POST
@requires(SALES_POST)
def plan_open(request):
    year = YearChoice(request.POST).value()
    plan = services.plan_open(request.user, year)
    return redirect("sales:plan", pk=plan.pk)


def _measures_initial(plan) -> list[dict]:
    return [{"text": m.text, "due_on": m.due_on, "status": m.status}
            for m in plan.measures.order_by("due_on", "id")]


def _plan_page(request, plan, *, status=200, form=None, measures=None, review=None, margin=None):
    user = request.user
    writes = user.pk == plan.manager_id and plan.status in (
        ReportStatus.DRAFT, ReportStatus.RETURNED)
    reviews = can(user, SALES_MANAGE) and user.pk != plan.manager_id
    target = selectors.annual_targets_of([plan.manager_id], plan.year).get(plan.manager_id)
    return render_page(request, "sales/plan.html", {
        "plan": plan, "target": target,
        "quarters": [(plan._meta.get_field(q).verbose_name, getattr(plan, q))
                     for q in ("q1", "q2", "q3", "q4")],
        "measure_list": plan.measures.order_by("due_on", "id"),
        "form": form or (PlanForm(instance=plan, initial={"version": plan.version})
                         if writes else None),
        "measures": measures or (MeasureFormSet(initial=_measures_initial(plan), prefix="m")
                                 if writes else None),
        "review": review or (ReviewForm(initial={"version": plan.version})
                             if reviews and plan.status == ReportStatus.SUBMITTED else None),
        "margin": margin or (MarginForm(initial={"version": plan.version,
                                                 "min_margin": plan.min_margin})
                             if reviews else None),
        "check": selectors.margin_check(user, plan.manager)
        if plan.year == timezone.localdate().year else None}, status=status)


@requires(SALES_VIEW)
def plan_detail(request, pk):
    plan = selectors.plan_get(request.user, pk)
    if request.method != "POST":
        return _plan_page(request, plan)
    form = PlanForm(request.POST, instance=plan)
    measures = MeasureFormSet(request.POST, prefix="m")
    if not (form.is_valid() and measures.is_valid()):
        return _plan_page(request, selectors.plan_get(request.user, pk), status=400, form=form,
                          measures=measures)
    submit = "submit" in request.POST
    _saved, status = attempt(form, lambda: services.plan_save(
        actor=request.user, plan=plan, data=form.cleaned_data,
        measures=[m for m in measures.cleaned_data if m],
        expected_version=form.cleaned_data["version"], submit=submit))
    if status is not None:
        return _plan_page(request, selectors.plan_get(request.user, pk), status=status,
                          form=form, measures=measures)
    messages.success(request, _("Plan submitted for review.") if submit else _("Draft saved."))
    return redirect("sales:plan", pk=pk)


@require_POST
@requires(SALES_MANAGE)
def plan_review(request, pk):
    plan = selectors.plan_get(request.user, pk)
    form = ReviewForm(request.POST)
    accept = request.POST.get("decision") == "accept"
    status = 400
    if form.is_valid():
        _done, status = attempt(form, lambda: services.plan_review(
            actor=request.user, plan=plan, accept=accept,
            comment=form.cleaned_data["comment"], expected_version=form.cleaned_data["version"]))
        if status is None:
            messages.success(request, _("Plan accepted.") if accept else _("Plan returned."))
            return redirect("sales:plan", pk=pk)
    return _plan_page(request, selectors.plan_get(request.user, pk), status=status, review=form)


@require_POST
@requires(SALES_MANAGE)
def plan_margin(request, pk):
    plan = selectors.plan_get(request.user, pk)
    form = MarginForm(request.POST)
    status = 400
    if form.is_valid():
        _done, status = attempt(form, lambda: services.plan_margin_set(
            actor=request.user, plan=plan, min_margin=form.cleaned_data["min_margin"],
            expected_version=form.cleaned_data["version"]))
        if status is None:
            messages.success(request, _("Minimum gross margin rate saved."))
            return redirect("sales:plan", pk=pk)
    return _plan_page(request, selectors.plan_get(request.user, pk), status=status, margin=form)


# --- price lists (价目表) ---------------------------------------------------------------------

@require_GET
@requires(SALES_VIEW)
def price_lists(request):
    """价目表: every list, and each product on sale with its prices in force today."""
    today = timezone.localdate()
    return render_page(request, "sales/price_lists.html", {
        "price_lists": selectors.price_lists(), "products": selectors.product_prices(today),
        "today": today, "can_manage": can(request.user, SALES_MANAGE)})


def _lines_initial(price_list) -> list[dict]:
    return [{"product": line.product, "price": line.price, "min_quantity": line.min_quantity}
            for line in selectors.price_list_lines(price_list)]


def _price_list_page(request, price_list, form, lines, status=200):
    return render_page(request, "sales/price_list.html", {
        "price_list": price_list, "form": form, "lines": lines,
        "line_list": selectors.price_list_lines(price_list) if price_list else (),
        "can_manage": can(request.user, SALES_MANAGE)}, status=status)


@require_GET
@requires(SALES_VIEW)
def price_list(request, pk):
    """One list as all who see sales read it (its editors: `price_list_edit`)."""
    return _price_list_page(request, selectors.price_list_get(pk), None, None)


@requires(SALES_MANAGE)
def price_list_edit(request, pk):
    return _price_list_edit(request, selectors.price_list_get(pk))


@requires(SALES_MANAGE)
def price_list_new(request):
    return _price_list_edit(request, None)


def _price_list_edit(request, found):
    """The list's head and its lines as a formset below it (a new one without `found`)."""
    if request.method != "POST":
        return _price_list_page(request, found, PriceListForm(instance=found),
                                PriceLineFormSet(initial=_lines_initial(found) if found else None,
                                                 prefix="lines"))
    form = PriceListForm(request.POST, instance=found)
    lines = PriceLineFormSet(request.POST, prefix="lines")
    status = 400
    if form.is_valid() and lines.is_valid():
        chosen = [line for line in lines.cleaned_data
                  if line.get("product") and not line.get("DELETE")]
        saved, status = attempt(form, lambda: services.price_list_save(
            actor=request.user, price_list=found and selectors.price_list_get(found.pk),
            data=form.cleaned_data, lines=chosen))
        if status is None:
            messages.success(request, _("Price list %s saved.") % saved.name)
            return redirect("sales:price_list", pk=saved.pk)
    return _price_list_page(request, found and selectors.price_list_get(found.pk), form, lines,
                            status=status)


@require_GET
@requires(SALES_VIEW)
def price_list_export(request, pk):
    found = selectors.price_list_get(pk)
    rows = list(selectors.price_list_lines(found))
    filters = [(_("price list"), found.name)]
    file = exports.price_list_file(request.user, found, rows, filters)
    return send(request, file, rows=len(rows), filters=filters)


@require_GET
@requires(SALES_POST)
def order_prices(request):
    """The order form's lookup: each product's list price for the chosen customer (one the
    user sees, else 404), day and channel, as JSON ({"prices": {product id: "12.50"}})."""
    query = PriceQuery(request.GET)
    if not query.is_valid():
        return JsonResponse({"errors": query.errors}, status=400)
    data = query.cleaned_data
    if data["customer"] is None:  # none chosen yet
        return JsonResponse({"prices": {}})
    customer = customer_get(request.user, data["customer"])
    prices = selectors.prices_for(customer, selectors.products(),
                                  data["ordered_on"] or timezone.localdate(),
                                  channel=data["channel"])
    return JsonResponse({"prices": {str(pk): str(price) for pk, price in prices.items()}})
