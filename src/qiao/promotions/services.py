"""Every change to campaigns, recommendations and hand-outs: the only place their state moves.

Each function checks the actor's right to act (the rule book and the campaign's owner), runs in
one transaction, and names the actor as the author of the history rows it writes. Refusals are
ValidationError (with a message for the user) and leave nothing written; a refused right is
PermissionDenied, which views turn into 404.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from qiao.core.concurrency import field_values, save_versioned
from qiao.core.exceptions import ConflictError
from qiao.core.files import store
from qiao.core.history import authored_by
from qiao.core.models import Clearance
from qiao.core.registry import TimelineKind
from qiao.core.signatures import decode_signature
from qiao.customers.models import Customer, Grade
from qiao.customers.services import customer_event_record
from qiao.notify.services import notify
from qiao.org.permissions import can

from .actions import PROMOTION_MANAGE, PROMOTION_RECOMMEND
from .models import Campaign, CampaignItem, Handout, HandoutLine, Recommendation

State = Campaign.State
Rec = Recommendation.State
HANDOUT_EVENT = "promotion_handout"  # the customer's timeline kind of a hand-out
# Its lines on the customer's timeline (registered in apps.ready). Goods handed out and signed
# for at the customer's are a follow-up of the customer.
TIMELINE_KINDS = (
    TimelineKind("promotion_recommended",
                 gettext_lazy("Recommended for the promotion “%(name)s”"), "bi-megaphone",
                 params=("name",)),
    TimelineKind(HANDOUT_EVENT,
                 gettext_lazy("Promotional goods of “%(name)s” handed out, signed by %(signer)s"),
                 "bi-gift", follow_up=True, params=("name", "signer")),
)
CAMPAIGN_FIELDS = ("name", "starts_on", "ends_on", "quota", "lowest_grade_rank", "description")


# Inbox messages, composed when read in the reader's language (registered in apps.ready).
LIST_CONFIRMED, RECOMMENDED = "promotion_confirmed", "promotion_recommended"


def list_confirmed_title(params) -> str:
    return _("Promotion list confirmed: %(name)s — hand out the goods with a signed "
             "receipt") % params


def recommended_title(params) -> str:
    return _("New recommendations to confirm: %s") % params["name"]


def _manage(actor, campaign=None):
    """Only those who run campaigns, and on a campaign only its owner."""
    if not can(actor, PROMOTION_MANAGE):
        raise PermissionDenied
    if campaign is not None and campaign.owner_id != actor.pk:
        raise PermissionDenied


def _lock(campaign) -> Campaign:
    """The campaign row as it is now, locked for this transaction (a row lock on PostgreSQL;
    SQLite's IMMEDIATE transaction already holds the write lock)."""
    return Campaign.objects.select_for_update().get(pk=campaign.pk)


def _clean_items(items) -> list[tuple[str, str]]:
    rows = [((name or "").strip(), (unit or "").strip()) for name, unit in items]
    rows = [row for row in rows if row[0] or row[1]]
    if any(not name or not unit for name, unit in rows):
        raise ValidationError(_("Give each item both a name and a unit."))
    if not rows:
        raise ValidationError(_("List at least one item the campaign hands out."))
    return rows


def _check_campaign(campaign):
    if campaign.ends_on < campaign.starts_on:
        raise ValidationError({"ends_on": _("The campaign must end on or after its start date.")})
    if not Grade.objects.filter(rank=campaign.lowest_grade_rank).exists():
        raise ValidationError({"lowest_grade_rank": _("Choose one of the customer grades.")})
    campaign.full_clean(exclude=["owner"])


def _set_items(campaign, items, actor):
    for item in campaign.items.all():  # one by one, so each deletion's history has its author
        authored_by(item, actor).delete()
    for order, (name, unit) in enumerate(items, start=1):
        authored_by(CampaignItem(campaign=campaign, name=name, unit=unit, sort_order=order),
                    actor).save()


@transaction.atomic
def campaign_create(*, actor, data: dict, items) -> Campaign:
    """A new campaign in draft, with the goods it hands out ([(name, unit)])."""
    _manage(actor)
    rows = _clean_items(items)
    campaign = Campaign(owner=actor, **{f: data[f] for f in CAMPAIGN_FIELDS if f in data})
    _check_campaign(campaign)
    authored_by(campaign, actor).save()
    _set_items(campaign, rows, actor)
    return campaign


@transaction.atomic
def campaign_update(*, actor, campaign, data: dict, items, expected_version: int) -> Campaign:
    """Edit a campaign while it is a draft or open; its items until the list is confirmed
    (nothing has been handed out before that). What is unchanged is not written again."""
    _manage(actor, campaign)
    campaign = _lock(campaign)
    if campaign.state not in (State.DRAFT, State.OPEN):
        raise ValidationError(_("A campaign whose list is confirmed can no longer be edited."))
    rows = _clean_items(items)
    before = field_values(campaign, CAMPAIGN_FIELDS)
    for field in CAMPAIGN_FIELDS:
        if field in data:
            setattr(campaign, field, data[field])
    _check_campaign(campaign)
    if field_values(campaign, CAMPAIGN_FIELDS) != before:
        save_versioned(authored_by(campaign, actor), expected_version=expected_version,
                       change_reason="edited")
    if rows != [(i.name, i.unit) for i in campaign.items.order_by("sort_order", "pk")]:
        _set_items(campaign, rows, actor)
    return campaign


def _move(campaign, allowed, to, message):
    campaign = _lock(campaign)
    if campaign.state not in allowed:
        raise ConflictError(message % {"state": campaign.get_state_display()})
    campaign.state = to
    return campaign


@transaction.atomic
def campaign_open(*, actor, campaign) -> Campaign:
    """Draft → open: account managers can now see it and recommend customers."""
    _manage(actor, campaign)
    campaign = _move(campaign, (State.DRAFT,), State.OPEN,
                     _("Only a draft campaign can be opened for recommendations (it is "
                       "%(state)s)."))
    if not campaign.items.exists():
        raise ValidationError(_("List at least one item the campaign hands out."))
    save_versioned(authored_by(campaign, actor), expected_version=campaign.version,
                   change_reason="opened")
    return campaign


@transaction.atomic
def campaign_confirm_list(*, actor, campaign) -> Campaign:
    """Open → list confirmed: every recommendation decided, confirmed ones within the quota.
    The recommenders of confirmed customers are told they may hand the goods out."""
    _manage(actor, campaign)
    campaign = _move(campaign, (State.OPEN,), State.CONFIRMED,
                     _("Only an open campaign's list can be confirmed (it is %(state)s)."))
    recommendations = campaign.recommendations.all()
    pending = recommendations.filter(state=Rec.PENDING).count()
    if pending:
        raise ValidationError(_("Confirm or decline every recommendation first (%(n)s still "
                                "waiting).") % {"n": pending})
    confirmed = list(recommendations.filter(state=Rec.CONFIRMED).select_related("recommender"))
    if not confirmed:
        raise ValidationError(_("Confirm at least one recommended customer before confirming "
                                "the list."))
    if len(confirmed) > campaign.quota:
        raise ValidationError(_("%(n)s customers are confirmed but the quota is %(quota)s: "
                                "decline %(over)s of them first.")
                              % {"n": len(confirmed), "quota": campaign.quota,
                                 "over": len(confirmed) - campaign.quota})
    campaign.confirmed_at = timezone.now()
    save_versioned(authored_by(campaign, actor), expected_version=campaign.version,
                   change_reason="list confirmed")
    url = reverse("promotions:detail", args=[campaign.pk])
    notify(recipients=[r.recommender for r in confirmed], kind=LIST_CONFIRMED,
           params={"name": campaign.name}, url=url, key=f"promotion-confirmed-{campaign.pk}")
    return campaign


@transaction.atomic
def campaign_close(*, actor, campaign) -> Campaign:
    """Any state but closed → closed: no more recommendations or hand-outs."""
    _manage(actor, campaign)
    campaign = _move(campaign, (State.DRAFT, State.OPEN, State.CONFIRMED), State.CLOSED,
                     _("This campaign is already %(state)s."))
    save_versioned(authored_by(campaign, actor), expected_version=campaign.version,
                   change_reason="closed")
    return campaign


def eligible_refusal(campaign, customer) -> str | None:
    """Why `customer` cannot be recommended for `campaign` (None: they can), leaving aside
    whether the recommender sees them (the caller's visible_to)."""
    if not campaign.is_open:
        return _("The campaign “%(name)s” is not open for recommendations.") % {
            "name": campaign.name}
    if campaign.ends_on < timezone.localdate():
        return _("The campaign “%(name)s” ended on %(date)s; recommendations are closed.") % {
            "name": campaign.name, "date": f"{campaign.ends_on:%Y-%m-%d}"}
    if not campaign.accepts_grade(customer.grade):
        lowest = Grade.objects.filter(rank=campaign.lowest_grade_rank).first()
        return _("%(customer)s is of grade %(grade)s; the campaign takes customers of "
                 "%(lowest)s or better.") % {
            "customer": customer.name, "grade": customer.grade or _("(none)"),
            "lowest": lowest or campaign.lowest_grade_rank}
    if customer.secret_level > campaign.owner.clearance:
        return _("%(customer)s is classified %(level)s, above what the campaign's brand "
                 "manager may see; it cannot be recommended.") % {
            "customer": customer.name, "level": Clearance(customer.secret_level).label}
    return None


@transaction.atomic
def recommendation_create(*, actor, campaign, customer, reason: str) -> Recommendation:
    """Recommend a customer the actor sees for an open campaign, with a reason."""
    if not can(actor, PROMOTION_RECOMMEND):
        raise PermissionDenied
    if not Customer.objects.visible_to(actor).filter(pk=customer.pk).exists():
        raise PermissionDenied
    campaign = _lock(campaign)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("Give the reason for recommending this customer."))
    refusal = eligible_refusal(campaign, customer)
    if refusal:
        raise ValidationError(refusal)
    if campaign.recommendations.filter(customer=customer).exists():
        raise ValidationError(_("%(customer)s is already recommended for this campaign.")
                              % {"customer": customer.name})
    recommendation = Recommendation(campaign=campaign, customer=customer, recommender=actor,
                                    reason=reason)
    recommendation.full_clean(validate_constraints=False)
    try:
        with transaction.atomic():
            authored_by(recommendation, actor).save()
    except IntegrityError:  # recommended by someone else a moment ago
        raise ValidationError(_("%(customer)s is already recommended for this campaign.")
                              % {"customer": customer.name}) from None
    customer_event_record(customer, "promotion_recommended", actor=actor, link=recommendation,
                          params={"name": campaign.name})
    # One message a day per campaign, however many recommendations arrive that day.
    notify(recipients=[campaign.owner], kind=RECOMMENDED, params={"name": campaign.name},
           url=reverse("promotions:detail", args=[campaign.pk]),
           key=f"promotion-recommended-{campaign.pk}-{timezone.localdate().isoformat()}")
    return recommendation


@transaction.atomic
def recommendation_decide(*, actor, recommendation, confirm: bool, note: str = "") -> Recommendation:
    """The brand manager confirms or declines a recommendation while the campaign is open
    (and may change his mind until the list is confirmed); never beyond the quota."""
    campaign = recommendation.campaign
    _manage(actor, campaign)
    campaign = _lock(campaign)
    if not campaign.is_open:
        raise ValidationError(_("Recommendations are decided while the campaign is open (it is "
                                "%(state)s).") % {"state": campaign.get_state_display()})
    recommendation = Recommendation.objects.get(pk=recommendation.pk)
    target = Rec.CONFIRMED if confirm else Rec.DECLINED
    if confirm and recommendation.state != Rec.CONFIRMED:
        taken = campaign.recommendations.filter(state=Rec.CONFIRMED).count()
        if taken >= campaign.quota:
            raise ValidationError(_("The quota of %(quota)s customers is full: decline another "
                                    "customer first.") % {"quota": campaign.quota})
    recommendation.state = target
    recommendation.decided_by = actor
    recommendation.decided_at = timezone.now()
    recommendation.decision_note = (note or "").strip()[:200]
    recommendation.updated_at = recommendation.decided_at
    recommendation._change_reason = target
    authored_by(recommendation, actor).save()
    return recommendation


def _clean_lines(campaign, quantities: dict) -> list[tuple[CampaignItem, int]]:
    items = {item.pk: item for item in campaign.items.all()}
    lines = []
    for item_pk, quantity in quantities.items():
        if item_pk not in items:
            raise ValidationError(_("An item does not belong to this campaign."))
        if quantity is None or quantity == 0:
            continue
        if quantity < 0 or quantity > 10_000:
            raise ValidationError(_("Quantities are whole numbers from 1 to 10,000."))
        lines.append((items[item_pk], quantity))
    if not lines:
        raise ValidationError(_("Enter the quantity of at least one item handed out."))
    return lines


@transaction.atomic
def handout_record(*, actor, recommendation, handed_out_on, quantities: dict, signer_name: str,
                   signature_data_url: str, notes: str = "") -> Handout:
    """Goods handed to a confirmed customer, with the customer's signed receipt
    (宣传促销品签收单). `quantities` is {item pk: quantity}; the signature a PNG data URL from
    the signature pad, checked before anything is written."""
    if not can(actor, PROMOTION_RECOMMEND):
        raise PermissionDenied
    if not Recommendation.objects.visible_to(actor).filter(pk=recommendation.pk).exists():
        raise PermissionDenied
    campaign = _lock(recommendation.campaign)
    recommendation = Recommendation.objects.select_related("customer").get(pk=recommendation.pk)
    if campaign.state != State.CONFIRMED:
        raise ValidationError(_("Goods are handed out once the campaign's list is confirmed and "
                                "until it is closed (it is %(state)s).")
                              % {"state": campaign.get_state_display()})
    if recommendation.state != Rec.CONFIRMED:
        raise ValidationError(_("Only confirmed customers receive the campaign's goods."))
    signer_name = (signer_name or "").strip()
    if not signer_name:
        raise ValidationError(_("Enter the name of the person who signs."))
    if handed_out_on is None:
        raise ValidationError(_("Enter the date the goods were handed out."))
    if handed_out_on > timezone.localdate():
        raise ValidationError(_("The hand-out date cannot be in the future."))
    lines = _clean_lines(campaign, quantities)
    png = decode_signature(signature_data_url)
    now = timezone.now()
    handout = Handout(recommendation=recommendation, handed_out_on=handed_out_on,
                      handed_out_by=actor, signer_name=signer_name[:40], signed_at=now,
                      notes=(notes or "").strip()[:200])
    store(handout, ContentFile(png, name="signature.png"), uploaded_by=actor,
          original_name=_("Signature of %(name)s.png") % {"name": handout.signer_name})
    # The file exists before the row: if writing the rows fails, remove it again.
    try:
        authored_by(handout, actor).save()
        for item, quantity in lines:
            authored_by(HandoutLine(handout=handout, item=item, quantity=quantity), actor).save()
        customer_event_record(
            recommendation.customer, HANDOUT_EVENT, actor=actor, link=handout,
            params={"name": campaign.name, "signer": signer_name})
    except Exception:
        handout.file.delete(save=False)
        raise
    return handout
