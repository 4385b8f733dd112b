"""Where an action came from — the client's address and browser — as the services take it: a
plain value made once from the HTTP request by the view (or the API, or a signal receiver),
so that no service reads an HttpRequest and a service called from a task or a shell simply
has none."""

from dataclasses import dataclass

USER_AGENT_MAX = 200


@dataclass(frozen=True)
class Origin:
    ip_address: str | None
    user_agent: str

    @classmethod
    def of(cls, request) -> "Origin | None":
        """The request's origin; None without a request. REMOTE_ADDR, not X-Forwarded-For: a
        header the client can write is no evidence. Behind a proxy, the proxy (or
        core.middleware.TrustedProxyMiddleware) sets REMOTE_ADDR."""
        if request is None:
            return None
        meta = getattr(request, "META", {})
        return cls(ip_address=meta.get("REMOTE_ADDR") or None,
                   user_agent=meta.get("HTTP_USER_AGENT", "")[:USER_AGENT_MAX])
