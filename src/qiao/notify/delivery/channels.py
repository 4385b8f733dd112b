"""Sending one copy outside: an e-mail, or a message to a group robot in the format each
platform documents for a custom robot's text/markdown message. Standard library only; a short
timeout. Any failure raises DeliveryError with a message for the delivery's `last_error`."""

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


class DeliveryError(Exception):
    pass


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


def send_webhook(platform: str, url: str, secret: str, title: str, text: str) -> None:
    if urllib.parse.urlsplit(url).scheme not in ("http", "https"):
        raise DeliveryError("the webhook address must start with https:// or http://")
    address, body = webhook_request(platform, url, secret, title, text)
    request = urllib.request.Request(  # noqa: S310 (http or https, checked above)
        address, data=json.dumps(body, ensure_ascii=False).encode(), method="POST",
        headers={"Content-Type": "application/json; charset=utf-8"})
    try:
        # The address is the administrator's (http/https checked above).
        with urllib.request.urlopen(request, timeout=TIMEOUT) as response:  # noqa: S310
            answer = response.read(65536)
    except urllib.error.HTTPError as exc:
        raise DeliveryError(f"HTTP {exc.code}") from exc
    except (urllib.error.URLError, OSError, ValueError) as exc:
        raise DeliveryError(str(getattr(exc, "reason", exc))[:500]) from exc
    error = _platform_error(answer)
    if error:
        raise DeliveryError(error)


def send_email(to: str, subject: str, text: str) -> None:
    try:
        send_mail(subject, text, settings.DEFAULT_FROM_EMAIL, [to], fail_silently=False)
    except Exception as exc:  # smtplib's and socket's errors alike: retried later
        raise DeliveryError(f"{type(exc).__name__}: {exc}"[:500]) from exc
