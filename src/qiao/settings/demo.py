"""`make demo`: DEBUG off, a secret key of its own, and the LAN only when asked for.

The demo is the first thing a department sees, often opened from other PCs, so it runs as
production does apart from HTTPS: no tracebacks or URL lists on error pages (templates/404.html,
500.html), static files from WhiteNoise (`collectstatic` into var/static), stored files only
through the views that check who may see them (urls.py serves no media path in any settings).

- The secret key is made on first start and kept in var/secret_key (not in git, readable by its
  owner only), so sessions survive a restart; QIAO_SECRET_KEY still wins.
- QIAO_HOST is the address the web server listens on (the Makefile passes it to gunicorn):
  127.0.0.1 when unset, so only this PC can open it. Set to this PC's LAN address, or 0.0.0.0
  for every interface, the demo answers to the names and addresses of this machine
  (`lan_allowed_hosts`) — not to any Host header, so a web page elsewhere cannot reach it under
  its own name (DNS rebinding). QIAO_ALLOWED_HOSTS, when set, is the list instead.
"""

from .base import *  # noqa: F403
from .base import VAR_DIR, env
from .machine import lan_allowed_hosts, secret_key_in

DEBUG = False
SECRET_KEY = env.str("QIAO_SECRET_KEY", default="") or secret_key_in(VAR_DIR)
QIAO_HOST = env.str("QIAO_HOST", default="")
if QIAO_HOST and not env.str("QIAO_ALLOWED_HOSTS", default=""):
    ALLOWED_HOSTS = lan_allowed_hosts(QIAO_HOST)
