"""Promotion pages: thin — parse, fetch through the access function, one service, render."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from qiao.core.htmx import render_page
from qiao.core.pagination import paginate
from qiao.core.views import attempt, perform
from qiao.customers.models import Customer
from qiao.org.decorators import requires
from qiao.org.permissions import can

from . import selectors, services
from .actions import PROMOTION_MANAGE, PROMOTION_RECOMMEND
from .forms import CampaignForm, DecisionForm, HandoutForm, ItemFormSet, RecommendForm
from .models import Campaign, Recommendation

PAGE_SIZE = 20
RECOMMENDATIONS_PER_PAGE = 50
CUSTOMERS_PER_PAGE = 20


# Pages for those who run campaigns or recommend for them; anyone else gets 404.
promotion_user = requires(PROMOTION_MANAGE, PROMOTION_RECOMMEND)


@require_GET
@promotion_user
def campaign_list(request):
    state = request.GET.get("state", "")
    page, query = paginate(request, selectors.campaign_list(request.user, state), PAGE_SIZE)
    return render_page(request, "promotions/list.html", {
        "page": page, "query": query, "state": state, "states": Campaign.State.choices,
        "can_manage": can(request.user, PROMOTION_MANAGE)})


def _item_rows(formset):
    return [(f.cleaned_data.get("name", ""), f.cleaned_data.get("unit", "")) for f in formset]


def _campaign_form(request, campaign=None):
    user = request.user
    form = CampaignForm(request.POST or None, instance=campaign)
    if request.method == "POST":
        # No `initial` here: a formset skips rows equal to their initial values.
        items = ItemFormSet(request.POST, prefix="items")
    else:
        initial = [{"name": i.name, "unit": i.unit} for i in campaign.items.all()] if campaign else []
        items = ItemFormSet(prefix="items", initial=initial)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid() and items.is_valid():
            data = {k: v for k, v in form.cleaned_data.items() if k != "version"}

            def save():
                if campaign is None:
                    return services.campaign_create(actor=user, data=data,
                                                    items=_item_rows(items))
                return services.campaign_update(
                    actor=user, campaign=campaign, data=data, items=_item_rows(items),
                    expected_version=form.cleaned_data.get("version") or campaign.version)

            saved, status = attempt(form, save)
            if status is None:
                messages.success(request, _("Campaign saved."))
                return redirect("promotions:detail", pk=saved.pk)
    return render_page(request, "promotions/campaign_form.html", {
        "form": form, "items": items, "campaign": campaign}, status=status)


@requires(PROMOTION_MANAGE)
def campaign_create(request):
    return _campaign_form(request)


@requires(PROMOTION_MANAGE)
def campaign_edit(request, pk):
    campaign = selectors.campaign_get(request.user, pk)
    if campaign.owner_id != request.user.pk:
        raise Http404
    return _campaign_form(request, campaign)


def _detail(request, campaign, status=200):
    user = request.user
    state = request.GET.get("state", "")
    page, query = paginate(request, selectors.campaign_recommendations(user, campaign, state),
                           RECOMMENDATIONS_PER_PAGE)
    is_owner = campaign.owner_id == user.pk and can(user, PROMOTION_MANAGE)
    return render_page(request, "promotions/detail.html", {
        "campaign": campaign, "items": selectors.campaign_items(campaign),
        "page": page, "query": query, "state": state,
        "rec_states": Recommendation.State.choices,
        "tally": selectors.recommendation_tally(user, campaign),
        "lowest_grade": selectors.grade_name(campaign.lowest_grade_rank),
        "is_owner": is_owner,
        "can_recommend": can(user, PROMOTION_RECOMMEND) and campaign.is_open,
        "can_hand_out": (can(user, PROMOTION_RECOMMEND)
                         and campaign.state == Campaign.State.CONFIRMED),
    }, status=status)


@require_GET
@promotion_user
def campaign_detail(request, pk):
    return _detail(request, selectors.campaign_get(request.user, pk))


def _campaign_action(request, pk, service, done):
    campaign = selectors.campaign_get(request.user, pk)
    return perform(
        request, lambda: service(actor=request.user, campaign=campaign), done=done,
        then=reverse("promotions:detail", args=[pk]),
        refused=lambda status: _detail(request, selectors.campaign_get(request.user, pk),
                                       status=status))


@require_POST
@requires(PROMOTION_MANAGE)
def campaign_open(request, pk):
    return _campaign_action(request, pk, services.campaign_open,
                            _("The campaign is open: account managers can recommend customers."))


@require_POST
@requires(PROMOTION_MANAGE)
def campaign_confirm_list(request, pk):
    return _campaign_action(request, pk, services.campaign_confirm_list,
                            _("The list is confirmed; the account managers are told to hand "
                              "out the goods."))


@require_POST
@requires(PROMOTION_MANAGE)
def campaign_close(request, pk):
    return _campaign_action(request, pk, services.campaign_close, _("The campaign is closed."))


@requires(PROMOTION_RECOMMEND)
def recommend(request, pk):
    user = request.user
    campaign = selectors.campaign_get(user, pk)
    form = RecommendForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid() and form.cleaned_data["customer"]:
            customer = _visible_customer(user, form.cleaned_data["customer"])
            _recommendation, status = attempt(form, lambda: services.recommendation_create(
                actor=user, campaign=campaign, customer=customer,
                reason=form.cleaned_data["reason"]))
            if status is None:
                messages.success(request, _("%(customer)s is recommended for “%(name)s”.")
                                 % {"customer": customer.name, "name": campaign.name})
                return redirect("promotions:detail", pk=campaign.pk)
        else:
            form.add_error(None, _("Choose a customer to recommend."))
            status = 400
    q = request.GET.get("q", "")
    page, query = paginate(request, selectors.eligible_customers(user, campaign, q),
                           CUSTOMERS_PER_PAGE)
    return render_page(request, "promotions/recommend.html", {
        "campaign": campaign, "form": form, "page": page, "query": query, "q": q,
        "lowest_grade": selectors.grade_name(campaign.lowest_grade_rank),
        "chosen": form.data.get("customer", "")}, status=status)


def _visible_customer(user, pk) -> Customer:
    try:
        return Customer.objects.visible_to(user).select_related("grade").get(pk=pk)
    except Customer.DoesNotExist:
        raise Http404 from None


@require_POST
@requires(PROMOTION_MANAGE)
def decide(request, pk):
    recommendation = selectors.recommendation_get(request.user, pk)
    campaign = recommendation.campaign
    if campaign.owner_id != request.user.pk:
        raise Http404
    form = DecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose confirm or decline."))
        return _detail(request, campaign, status=400)
    confirm = form.cleaned_data["decision"] == "confirm"
    return perform(
        request, lambda: services.recommendation_decide(
            actor=request.user, recommendation=recommendation, confirm=confirm,
            note=form.cleaned_data["note"]),
        done=(_("%s is confirmed.") if confirm else _("%s is declined."))
        % recommendation.customer.name,
        then=reverse("promotions:detail", args=[campaign.pk]),
        refused=lambda status: _detail(request, selectors.campaign_get(request.user, campaign.pk),
                                       status=status))


@requires(PROMOTION_RECOMMEND)
def handout(request, pk):
    user = request.user
    recommendation = selectors.recommendation_get(user, pk)
    items = selectors.campaign_items(recommendation.campaign)
    form = HandoutForm(request.POST or None, items=items)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            record, status = attempt(form, lambda: services.handout_record(
                actor=user, recommendation=recommendation,
                handed_out_on=form.cleaned_data["handed_out_on"],
                quantities=form.quantities(), signer_name=form.cleaned_data["signer_name"],
                signature_data_url=form.cleaned_data["signature"],
                notes=form.cleaned_data["notes"]))
            if status is None:
                messages.success(request, _("The hand-out and the signed receipt are saved."))
                return redirect("promotions:receipt", pk=record.pk)
    return render_page(request, "promotions/handout_form.html", {
        "recommendation": recommendation, "campaign": recommendation.campaign,
        "form": form}, status=status)


@require_GET
@promotion_user
def receipt(request, pk):
    record = selectors.handout_get(request.user, pk)
    return render_page(request, "promotions/receipt.html", {
        "handout": record, "recommendation": record.recommendation,
        "campaign": record.recommendation.campaign,
        "lines": selectors.handout_lines(record)})
