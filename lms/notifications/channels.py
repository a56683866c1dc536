"""How each channel words a message and sends it.

企业微信 group robot (as Tencent documents it): POST JSON ``{"msgtype": "markdown", "markdown":
{"content": …}}`` to the robot's webhook address (``…/cgi-bin/webhook/send?key=KEY``); the answer
is JSON whose ``errcode`` is 0 on success. Markdown content is at most 4096 bytes.

钉钉 custom robot (as DingTalk documents it): POST JSON ``{"msgtype": "markdown", "markdown":
{"title": …, "text": …}, "at": {"atMobiles": […], "isAtAll": false}}`` to the robot's address
(``…/robot/send?access_token=TOKEN``) with ``timestamp`` (milliseconds) and ``sign`` added to
the query when the robot signs: ``sign = urlencode(base64(HmacSHA256(key=secret,
msg=timestamp + "\\n" + secret)))``, computed at every attempt since DingTalk accepts a timestamp
for one hour only. The answer's ``errcode`` is 0 on success.

Outbound webhooks: POST the event as JSON with ``X-Grid-Timestamp`` (Unix seconds) and
``X-Grid-Signature: sha256=HEX``, where HEX is HMAC-SHA256 over ``timestamp + "." + body`` with the
subscription's secret; any 2xx answer is success.
"""

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
from django.utils.translation import gettext as _

WECOM_MARKDOWN_LIMIT = 4096  # bytes, Tencent's limit for markdown.content
USER_AGENT = "GridAcademy-Notifications/1"


class DeliveryError(Exception):
    """A try failed; ``permanent`` ones are not retried (the target is gone or misconfigured)."""

    def __init__(self, message, *, response_code=None, permanent=False):
        super().__init__(message)
        self.response_code = response_code
        self.permanent = permanent


def absolute(url: str) -> str:
    if not url or url.startswith(("http://", "https://")):
        return url
    return settings.WAGTAILADMIN_BASE_URL.rstrip("/") + url


# -- wording ----------------------------------------------------------------------------------


def email_message(*, title: str, body: str, url: str, to: str) -> dict:
    text = body
    if url:
        text += "\n\n" + _("Open it here: %(url)s") % {"url": absolute(url)}
    return {"subject": title, "body": text, "to": to}


def _truncate_bytes(text: str, limit: int) -> str:
    encoded = text.encode()
    if len(encoded) <= limit:
        return text
    return encoded[: limit - 3].decode(errors="ignore") + "…"


def wecom_message(*, title: str, body: str, url: str, name: str) -> dict:
    lines = [f"**{title}**", f"> {name}" if name else "", body]
    if url:
        lines.append(f"[{_('Open in Grid Academy')}]({absolute(url)})")
    content = "\n".join(line for line in lines if line)
    return {
        "msgtype": "markdown",
        "markdown": {"content": _truncate_bytes(content, WECOM_MARKDOWN_LIMIT)},
    }


def dingtalk_message(*, title: str, body: str, url: str, name: str, mobile: str) -> dict:
    # DingTalk shows the mention only when the text names the number too.
    lines = [f"#### {title}", f"{name} @{mobile}" if mobile else name, "", body]
    if url:
        lines += ["", f"[{_('Open in Grid Academy')}]({absolute(url)})"]
    return {
        "msgtype": "markdown",
        "markdown": {"title": title, "text": "\n".join(line for line in lines if line is not None)},
        "at": {"atMobiles": [mobile] if mobile else [], "isAtAll": False},
    }


def webhook_message(event) -> dict:
    return {
        "id": str(event.uuid),
        "kind": event.kind,
        "created_at": event.created_at.isoformat(),
        "data": event.payload,
    }


# -- signatures -------------------------------------------------------------------------------


def dingtalk_sign(secret: str, timestamp_ms: int) -> str:
    """DingTalk's ``sign`` query value (already URL-encoded, as its documentation shows)."""
    string_to_sign = f"{timestamp_ms}\n{secret}"
    digest = hmac.new(secret.encode(), string_to_sign.encode(), hashlib.sha256).digest()
    return urllib.parse.quote_plus(base64.b64encode(digest))


def dingtalk_url(webhook_url: str, secret: str, *, timestamp_ms: int | None = None) -> str:
    if not secret:
        return webhook_url
    timestamp_ms = timestamp_ms if timestamp_ms is not None else int(time.time() * 1000)
    separator = "&" if "?" in webhook_url else "?"
    return (
        f"{webhook_url}{separator}timestamp={timestamp_ms}"
        f"&sign={dingtalk_sign(secret, timestamp_ms)}"
    )


def webhook_signature(secret: str, timestamp: int, body: bytes) -> str:
    digest = hmac.new(secret.encode(), str(timestamp).encode() + b"." + body, hashlib.sha256)
    return "sha256=" + digest.hexdigest()


# -- sending ----------------------------------------------------------------------------------


def json_body(message: dict) -> bytes:
    return json.dumps(message, ensure_ascii=False, separators=(",", ":")).encode()


def post(url: str, body: bytes, headers: dict) -> tuple[int, bytes]:
    """POST and return (status, body); network trouble and non-2xx answers raise DeliveryError."""
    request = urllib.request.Request(
        url,
        data=body,
        method="POST",
        headers={"Content-Type": "application/json; charset=utf-8", "User-Agent": USER_AGENT}
        | headers,
    )
    try:
        with urllib.request.urlopen(  # noqa: S310 (http(s) only: the address is a URLField)
            request, timeout=settings.NOTIFY_HTTP_TIMEOUT_SECONDS
        ) as response:
            return response.status, response.read(64 * 1024)
    except urllib.error.HTTPError as error:
        raise DeliveryError(
            _("The receiver answered %(status)s.") % {"status": error.code},
            response_code=error.code,
        ) from None
    except (urllib.error.URLError, OSError, ValueError) as error:
        reason = getattr(error, "reason", error)
        raise DeliveryError(
            _("The receiver could not be reached: %(reason)s") % {"reason": reason}
        ) from None


def _check_errcode(status: int, answer: bytes):
    try:
        data = json.loads(answer.decode() or "{}")
    except (UnicodeDecodeError, ValueError):
        raise DeliveryError(
            _("The messenger's answer is not JSON."), response_code=status
        ) from None
    errcode = data.get("errcode") if isinstance(data, dict) else None
    if errcode != 0:
        raise DeliveryError(
            _("The messenger refused the message: errcode %(code)s, %(message)s")
            % {
                "code": errcode,
                "message": data.get("errmsg", "") if isinstance(data, dict) else "",
            },
            response_code=status,
        )


def send(delivery) -> int | None:
    """Send one delivery once; returns the response code (None for e-mail) or raises."""
    channel = delivery.channel
    message = delivery.message
    if channel == "email":
        send_mail(message["subject"], message["body"], None, [message["to"]], fail_silently=False)
        return None
    if channel in ("wecom", "dingtalk"):
        robot = delivery.robot
        if robot is None or not robot.is_active:
            raise DeliveryError(_("The robot was removed or switched off."), permanent=True)
        url = robot.webhook_url
        if channel == "dingtalk":
            url = dingtalk_url(url, robot.secret)
        status, answer = post(url, json_body(message), {})
        _check_errcode(status, answer)
        return status
    if channel == "webhook":
        subscription = delivery.subscription
        if subscription is None or not subscription.is_active:
            raise DeliveryError(
                _("The webhook subscription was removed or switched off."), permanent=True
            )
        body = json_body(message)
        timestamp = int(time.time())
        status, _answer = post(
            subscription.url,
            body,
            {
                "X-Grid-Event": delivery.kind,
                "X-Grid-Delivery": str(delivery.pk),
                "X-Grid-Timestamp": str(timestamp),
                "X-Grid-Signature": webhook_signature(subscription.secret, timestamp, body),
            },
        )
        return status
    raise DeliveryError(_("Unknown channel %(channel)s.") % {"channel": channel}, permanent=True)
