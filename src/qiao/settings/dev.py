"""A developer's own machine: the demo's settings with DEBUG on (tracebacks, `runserver`).

Never for anyone else's eyes: DEBUG pages show settings, tracebacks and every URL. `make demo`
uses qiao.settings.demo (DEBUG off). Stored files are served by their scoped views here too:
no settings serves MEDIA_ROOT under a URL.
"""

from .demo import *  # noqa: F403

DEBUG = env.bool("QIAO_DEBUG", default=True)
