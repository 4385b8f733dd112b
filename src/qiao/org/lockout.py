"""Login throttling (C23): django-axes locks a username; this adds a limit per address.

django-axes compares every lockout parameter with one failure limit, so "username or address"
would shut a whole call-centre floor behind one NAT address out after five typos. Instead the
username keeps axes' own lock (AXES_FAILURE_LIMIT, 5), and an address gets a second, higher
limit: QIAO_LOGIN_ADDRESS_FAILURE_LIMIT (30) failures within AXES_COOLOFF_TIME from one
address, whatever usernames they tried, lock that address until those failures are older than
the cool-off. One person spraying passwords across accounts is stopped; a floor of colleagues
mistyping now and then is not.

The failures are axes' own records (AccessAttempt rows: username, address, browser, count,
last time), so a successful login resets the user's failures as before, and attempts made
while locked are not counted (AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT), so the lock ends
on time.
"""

from axes.attempts import get_cool_off_threshold
from axes.handlers.database import AxesDatabaseHandler
from axes.models import AccessAttempt
from axes.signals import user_locked_out
from django.conf import settings
from django.db.models import Sum

ADDRESS_LOCKED = "qiao_address_locked"  # set on the request: the lockout page says why


def address_failures(request) -> int:
    """Failed logins from the request's address within the cool-off period."""
    address = getattr(request, "axes_ip_address", None)
    if not address:
        return 0
    recent = AccessAttempt.objects.filter(ip_address=address,
                                          attempt_time__gte=get_cool_off_threshold(request))
    return recent.aggregate(n=Sum("failures_since_start"))["n"] or 0


def _address_locked(request) -> bool:
    locked = address_failures(request) >= settings.QIAO_LOGIN_ADDRESS_FAILURE_LIMIT
    if locked:
        setattr(request, ADDRESS_LOCKED, True)
    return locked


class UsernameAndAddressHandler(AxesDatabaseHandler):
    """AXES_HANDLER: axes' database handler, with the address limit besides the username's."""

    def is_locked(self, request, credentials=None) -> bool:
        return _address_locked(request) or super().is_locked(request, credentials)

    def user_login_failed(self, sender, credentials: dict, request=None, **kwargs):
        super().user_login_failed(sender, credentials, request, **kwargs)
        if request is None or request.axes_locked_out or not _address_locked(request):
            return
        # This failure reached the address's limit: locked now, as axes does for a username.
        request.axes_locked_out = True
        request.axes_credentials = credentials
        user_locked_out.send("axes", request=request, username=None,
                             ip_address=request.axes_ip_address)
