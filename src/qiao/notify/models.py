"""The app's models, where Django looks for them: the inbox's notifications (inbox.models) and
the webhooks and outbox of their copies (delivery.models)."""

from .delivery.models import Delivery, Subscription, Webhook
from .inbox.models import Notification

__all__ = ["Delivery", "Notification", "Subscription", "Webhook"]
