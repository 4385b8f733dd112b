from .base import *  # noqa: F403

DEBUG = env.bool("QIAO_DEBUG", default=True)
