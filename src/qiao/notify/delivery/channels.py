"""Sending one copy outside: an e-mail, a message to a group robot in the format each platform
documents for a custom robot's text/markdown message, or a domain event to an integration's
address, signed. Standard library only; a short timeout (QIAO_WEBHOOK_TIMEOUT seconds). Any
failure raises DeliveryError with a message for the delivery's `last_error` (and the HTTP
status, when there was an answer)."""

import base64
import hashlib
import hmac
import json
import time
import urllib.error
import urllib.parse
import urllib.request

from django.conf import settings
from django.core.mail import send_mail

TIMEOUT = 5  # seconds per request; the sweeper's lease (tasks.LEASE) is far longer


def timeout() -> float:
    return getattr(settings, "QIAO_WEBHOOK_TIMEOUT", TIMEOUT)


class DeliveryError(Exception):
    def __init__(self, message: str, status: int | None = None):
        super().__init__(message)
        self.status = status  # the HTTP status of the answer, if any


def dingtalk_sign(secret: str, timestamp_ms: int) -> str:
    """DingTalk custom robot 加签: Base64(HMAC-SHA256(key=secret, msg="{timestamp}\\n{secret}"))."""
    digest = hmac.new(secret.encode(), f"{timestamp_ms}\n{secret}".encode(), hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def feishu_sign(secret: str, timestamp_s: int) -> str:
    """Feishu custom bot 签名校验: Base64(HMAC-SHA256(key="{timestamp}\\n{secret}", msg=""))."""
    digest = hmac.new(f"{timestamp_s}\n{secret}".encode(), b"", hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def webhook_request(platform: str, url: str, secret: str, title: str, text: str,
                    now: float | None = None) -> tuple[str, dict]:
    """(address, JSON body) of the message for `platform`."""
    now = time.time() if now is None else now
    if platform == "wecom":
        return url, {"msgtype": "markdown", "markdown": {"content": text}}
    if platform == "dingtalk":
        if secret:
            timestamp = int(now * 1000)
            query = urllib.parse.urlencode({"timestamp": timestamp,
                                            "sign": dingtalk_sign(secret, timestamp)})
            url = f"{url}{'&' if '?' in url else '?'}{query}"
        return url, {"msgtype": "markdown", "markdown": {"title": title, "text": text}}
    if platform == "feishu":
        body = {"msg_type": "text", "content": {"text": text}}
        if secret:
            timestamp = int(now)
            body = {"timestamp": str(timestamp), "sign": feishu_sign(secret, timestamp), **body}
        return url, body
    raise DeliveryError(f"unknown platform {platform!r}")


def _platform_error(answer: bytes) -> str | None:
    """The platform's error in a 2xx answer: WeCom and DingTalk say errcode != 0, Feishu
    code != 0 (older bots: StatusCode)."""
    try:
        data = json.loads(answer or b"{}")
    except ValueError:
        return None  # not JSON: the status code decided
    if not isinstance(data, dict):
        return None
    for field in ("errcode", "code", "StatusCode"):
        if data.get(field) not in (None, 0, "0"):
            message = data.get("errmsg") or data.get("msg") or data.get("StatusMessage") or ""
            return f"{field} {data[field]}: {message}"[:500]
    return None


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """A redirect is an answer (3xx, a failed attempt), never followed: it could lead off
    http(s) (urllib follows one to ftp://) or somewhere the administrator did not enter."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


_opener = urllib.request.build_opener(_NoRedirect)


def _post(url: str, body: bytes, headers: dict) -> tuple[int, bytes]:
    """POST `body` to an http(s) `url`: (status, the answer's first 64 KiB), or DeliveryError."""
    if urllib.parse.urlsplit(url).scheme not in ("http", "https"):
        raise DeliveryError("the webhook address must start with https:// or http://")
    request = urllib.request.Request(  # noqa: S310 (http or https, checked above)
        url, data=body, method="POST",
        headers={"Content-Type": "application/json; charset=utf-8", **headers})
    try:
        # The address is the administrator's (http/https checked above).
        with _opener.open(request, timeout=timeout()) as response:
            return response.status, response.read(65536)
    except urllib.error.HTTPError as exc:
        raise DeliveryError(f"HTTP {exc.code}", status=exc.code) from exc
    except (urllib.error.URLError, OSError, ValueError) as exc:
        raise DeliveryError(str(getattr(exc, "reason", exc))[:500] or type(exc).__name__) from exc


def send_webhook(platform: str, url: str, secret: str, title: str, text: str) -> None:
    if urllib.parse.urlsplit(url).scheme not in ("http", "https"):
        raise DeliveryError("the webhook address must start with https:// or http://")
    address, body = webhook_request(platform, url, secret, title, text)
    _status, answer = _post(address, json.dumps(body, ensure_ascii=False).encode(), {})
    error = _platform_error(answer)
    if error:
        raise DeliveryError(error)


def event_signature(secret: str, timestamp: int | str, body: bytes) -> str:
    """X-Qiao-Signature: hex HMAC-SHA256 with the subscription's secret over
    "{timestamp}.{body}" (the body's bytes as sent)."""
    return hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()


def event_request(delivery_id: str, event: str, payload: dict, secret: str,
                  now: float | None = None, previous_secret: str = "") -> tuple[bytes, dict]:
    """(body, headers) of an event webhook: {"id", "event", "occurred_at", "data"} as compact
    UTF-8 JSON, and the X-Qiao-* headers with the signature — and, for a day after the secret
    was renewed, X-Qiao-Signature-Previous with the old one."""
    timestamp = int(time.time() if now is None else now)
    # The keys in this order whatever the stored payload's (PostgreSQL's jsonb sorts them).
    body = json.dumps({"id": delivery_id, "event": event, "occurred_at": payload["occurred_at"],
                       "data": payload["data"]}, ensure_ascii=False,
                      separators=(",", ":")).encode()
    headers = {"X-Qiao-Event": event, "X-Qiao-Delivery": delivery_id,
               "X-Qiao-Timestamp": str(timestamp),
               "X-Qiao-Signature": event_signature(secret, timestamp, body)}
    if previous_secret:
        headers["X-Qiao-Signature-Previous"] = event_signature(previous_secret, timestamp, body)
    return body, headers


def send_event(url: str, secret: str, delivery_id: str, event: str, payload: dict,
               previous_secret: str = "") -> int:
    """POST a domain event to an integration; any 2xx is accepted. Returns the status."""
    body, headers = event_request(delivery_id, event, payload, secret,
                                  previous_secret=previous_secret)
    status, _answer = _post(url, body, headers)
    return status


def send_email(to: str, subject: str, text: str) -> None:
    try:
        send_mail(subject, text, settings.DEFAULT_FROM_EMAIL, [to], fail_silently=False)
    except Exception as exc:  # smtplib's and socket's errors alike: retried later
        raise DeliveryError(f"{type(exc).__name__}: {exc}"[:500]) from exc
