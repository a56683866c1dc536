"""A local HTTP receiver on 127.0.0.1 that answers as 企业微信, 钉钉 and a webhook consumer would,
and checks what it is sent exactly as each documents it.

- ``/cgi-bin/webhook/send?key=KEY`` (企业微信 group robot): the key must be the robot's; the body
  is JSON ``{"msgtype": "markdown", "markdown": {"content": str}}`` (content at most 4096 bytes)
  or ``{"msgtype": "text", "text": {"content": str}}``; the answer is
  ``{"errcode": 0, "errmsg": "ok"}``, or errcode 93000 for a wrong key, 40008 for a wrong message.
- ``/robot/send?access_token=T&timestamp=MS&sign=S`` (钉钉 custom robot with 加签): the sign must be
  ``urlencode(base64(HmacSHA256(secret, f"{timestamp}\\n{secret}")))`` and the timestamp within an
  hour; the body ``{"msgtype": "markdown", "markdown": {"title": str, "text": str}, "at": {...}}``;
  errcode 310000 for a bad signature, 300001 for a wrong token, 40035 for a wrong body.
- ``/hooks/...`` (our outbound webhooks): ``X-Grid-Signature`` must be ``sha256=`` + hex
  HMAC-SHA256(secret, f"{X-Grid-Timestamp}.{body}"); 401 otherwise, 204 when right.

Tests queue answers to force failures: ``receiver.fail("/hooks/hr", status=500)`` or
``receiver.fail("/robot/send", errcode=130101)`` makes the next request to that path fail so.
"""

import base64
import hashlib
import hmac
import json
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Received:
    path: str
    query: dict
    headers: dict
    body: bytes
    json: object
    verdict: str  # "ok" or what the receiver found wrong


@dataclass
class Receiver:
    wecom_key: str = "wecom-key-123"
    dingtalk_token: str = "ding-token-456"
    dingtalk_secret: str = "SECdingtalk-secret-789"
    webhook_secret: str = "whsec-abc"
    received: list = field(default_factory=list)
    failures: dict = field(default_factory=dict)  # path -> list of (status, errcode)
    server: ThreadingHTTPServer | None = None

    @property
    def base(self):
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    @property
    def wecom_url(self):
        return f"{self.base}/cgi-bin/webhook/send?key={self.wecom_key}"

    @property
    def dingtalk_url(self):
        return f"{self.base}/robot/send?access_token={self.dingtalk_token}"

    def hook_url(self, name="hr"):
        return f"{self.base}/hooks/{name}"

    def fail(self, path, *, status=200, errcode=None, times=1):
        self.failures.setdefault(path, []).extend([(status, errcode)] * times)

    def of(self, path):
        return [request for request in self.received if request.path == path]

    # -- checks -----------------------------------------------------------------------------

    def check_wecom(self, query, body):
        if query.get("key") != [self.wecom_key]:
            return 93000, "invalid webhook url"
        if not isinstance(body, dict):
            return 40008, "invalid message type"
        kind = body.get("msgtype")
        if kind not in ("markdown", "text") or set(body) != {"msgtype", kind}:
            return 40008, "invalid message type"
        content = body[kind].get("content") if isinstance(body[kind], dict) else None
        if not isinstance(content, str) or not content:
            return 44004, "empty content"
        limit = 4096 if kind == "markdown" else 2048
        if len(content.encode()) > limit:
            return 40058, "content exceed max length"
        return 0, "ok"

    def check_dingtalk(self, query, body):
        if query.get("access_token") != [self.dingtalk_token]:
            return 300001, "token is not exist"
        try:
            timestamp = int(query["timestamp"][0])
            sign = query["sign"][0]
        except (KeyError, ValueError):
            return 310000, "sign not match"
        if abs(time.time() * 1000 - timestamp) > 3600 * 1000:
            return 310000, "timestamp expired"
        secret = self.dingtalk_secret
        expected = base64.b64encode(
            hmac.new(secret.encode(), f"{timestamp}\n{secret}".encode(), hashlib.sha256).digest()
        ).decode()
        # ``parse_qs`` has undone the urlencoding the sender applied once.
        if sign != expected:
            return 310000, "sign not match"
        if not isinstance(body, dict) or body.get("msgtype") != "markdown":
            return 40035, "msgtype missing"
        markdown = body.get("markdown")
        if not (
            isinstance(markdown, dict)
            and isinstance(markdown.get("title"), str)
            and isinstance(markdown.get("text"), str)
        ):
            return 40035, "markdown missing"
        at = body.get("at", {})
        if not isinstance(at.get("atMobiles", []), list) or not isinstance(
            at.get("isAtAll", False), bool
        ):
            return 40035, "at invalid"
        return 0, "ok"

    def check_webhook(self, headers, raw):
        timestamp = headers.get("x-grid-timestamp", "")
        expected = (
            "sha256="
            + hmac.new(
                self.webhook_secret.encode(), timestamp.encode() + b"." + raw, hashlib.sha256
            ).hexdigest()
        )
        if not hmac.compare_digest(headers.get("x-grid-signature", ""), expected):
            return "bad signature"
        if abs(time.time() - int(timestamp or 0)) > 300:
            return "stale timestamp"
        return "ok"

    # -- serving ------------------------------------------------------------------------------

    def handle(self, handler):
        parsed = urllib.parse.urlsplit(handler.path)
        query = urllib.parse.parse_qs(parsed.query)
        raw = handler.rfile.read(int(handler.headers.get("Content-Length") or 0))
        headers = {key.lower(): value for key, value in handler.headers.items()}
        try:
            body = json.loads(raw.decode())
        except ValueError:
            body = None
        queued = self.failures.get(parsed.path) or []
        forced = queued.pop(0) if queued else None
        if parsed.path == "/cgi-bin/webhook/send":
            errcode, errmsg = self.check_wecom(query, body)
        elif parsed.path == "/robot/send":
            errcode, errmsg = self.check_dingtalk(query, body)
        elif parsed.path.startswith("/hooks/"):
            verdict = self.check_webhook(headers, raw)
            self.received.append(Received(parsed.path, query, headers, raw, body, verdict))
            status = forced[0] if forced else (204 if verdict == "ok" else 401)
            handler.send_response(status)
            handler.send_header("Content-Length", "0")
            handler.end_headers()
            return
        else:
            handler.send_response(404)
            handler.send_header("Content-Length", "0")
            handler.end_headers()
            return
        verdict = "ok" if errcode == 0 else f"{errcode} {errmsg}"
        self.received.append(Received(parsed.path, query, headers, raw, body, verdict))
        status = 200
        if forced:
            status = forced[0]
            if forced[1] is not None:
                errcode, errmsg = forced[1], "forced by the test"
        answer = json.dumps({"errcode": errcode, "errmsg": errmsg}).encode()
        handler.send_response(status)
        handler.send_header("Content-Type", "application/json")
        handler.send_header("Content-Length", str(len(answer)))
        handler.end_headers()
        handler.wfile.write(answer)

    def start(self):
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                receiver.handle(self)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        thread.start()
        return self

    def stop(self):
        self.server.shutdown()
        self.server.server_close()
