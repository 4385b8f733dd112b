"""Reads of a customer's contacts."""


from django.shortcuts import get_object_or_404

from ..models import (
    Contact,
    Customer,
)


def contact_get(user, pk, *, deleted=False) -> Contact:
    qs = Contact.objects.filter(is_deleted=deleted, customer__is_deleted=False)
    visible_customers = Customer.objects.visible_to(user).values("pk")
    return get_object_or_404(qs.filter(customer__in=visible_customers)
                             .select_related("customer"), pk=pk)


def customer_contacts(customer):
    return customer.contacts.filter(is_deleted=False)


def customer_deleted_contacts(customer):
    return customer.contacts.filter(is_deleted=True)
