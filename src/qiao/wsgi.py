import os

from django.core.wsgi import get_wsgi_application

# A WSGI server started without settings runs as `make demo` does: DEBUG off.
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "qiao.settings.demo")
application = get_wsgi_application()
