"""manage.py demo_banner --port N: what `make demo` prints before it starts the web server —
where to open Qiao (this PC only, or the LAN addresses when QIAO_HOST is set, with what that
implies), the demo logins and their password (QIAO_DEMO_PASSWORD's value, from the settings)."""

from django.conf import settings
from django.core.management.base import BaseCommand

LOGINS = "director, deptmgr, region1-3, sup1-3, am01-am12, agent01-04, qa01, brandmgr or admin"
LOOPBACK = {"127.0.0.1", "localhost", "[::1]"}


class Command(BaseCommand):
    help = "Print where the demo can be opened and how to log in."

    def add_arguments(self, parser):
        parser.add_argument("--port", type=int, default=8000)

    def handle(self, *args, port, **options):
        for line in self.lines(port):
            self.stdout.write(f"  {line}" if line else "")

    def lines(self, port):
        host = getattr(settings, "QIAO_HOST", "")
        yield ""
        if not host:
            yield f"Qiao is running at http://127.0.0.1:{port}/"
            yield "Only this PC can open it; QIAO_HOST=<this PC's LAN address> opens it to others."
        else:
            # Patterns ("*", ".example.cn") are not addresses one can open.
            names = [name for name in settings.ALLOWED_HOSTS
                     if name not in LOOPBACK and name != "*" and not name.startswith(".")]
            yield f"Qiao is listening on {host}, port {port}. Open it from other PCs at:"
            yield "  " + "  ".join(f"http://{name}:{port}/" for name in names)
            yield "(under another name or address: set QIAO_ALLOWED_HOSTS)"
            yield "Plain HTTP: passwords and customer data cross the network unencrypted. For real"
            yield "use, run the production settings behind HTTPS (README, \"Running it for real\")."
        yield f"Log in as {LOGINS}"
        yield f"Password: {settings.QIAO_DEMO_PASSWORD}"
        if settings.QIAO_FORCE_PASSWORD_CHANGE:
            yield "Each user chooses a password of their own at the first login."
        if settings.QIAO_SECOND_FACTOR:
            yield ("The admin (and approving exports, revealing many numbers) asks for an "
                   "authenticator app's code: have one on your phone (QIAO_SECOND_FACTOR=0 turns it off).")
        yield ""
