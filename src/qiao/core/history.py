"""Authorship of record history (django-simple-history)."""


def authored_by(instance, actor):
    """Name `actor` as the author of the history rows the next save of `instance` writes, also
    when a service runs outside a request (imports, tasks, the API's background work)."""
    instance._history_user = actor
    return instance
