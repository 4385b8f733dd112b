"""The ASGI application, for an ASGI server (uvicorn, daphne, hypercorn) if a deployment uses one.

`qiao serve` runs gunicorn with the WSGI application (qiao.wsgi): Qiao has no async views,
websockets or long-lived responses, so an ASGI server would only add a dependency
(docs/decisions.md). Started without settings, it runs as qiao.wsgi does: the demo's.
"""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "qiao.settings.demo")
application = get_asgi_application()
