"""Issue #14, finding 3, through a real reverse proxy: Debian's nginx, started by the test on
loopback in front of the live server, as deploy/nginx/grid-academy.conf forwards (it appends
the address it saw to X-Forwarded-For). Clients connect from different loopback addresses
(127.0.0.2, 127.0.0.3 …), so nginx sees each as a different client.

With TRUSTED_PROXY_COUNT=1 a stranger's five wrong passwords (with a forged X-Forwarded-For)
lock only the stranger's address for that employee number; the employee signs in from their
own. With TRUSTED_PROXY_COUNT=0 (the proxy's address for everyone) the same five lock the
employee out everywhere: the failure the finding reported.

Password spraying (a wrong password at many employee numbers, never five at one) is counted per
address as well: ``LOGIN_ADDRESS_FAILURE_LIMIT`` failures from one address pause that address,
whatever numbers and forged headers it sends, and nobody else."""

import http.client
import re
import shutil
import socket
import subprocess
import time
from http import HTTPStatus
from urllib.parse import urlencode, urlsplit

import pytest

from tests import factories as f

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(shutil.which("nginx") is None, reason="nginx is not installed"),
]

NGINX_CONF = """
daemon off;
worker_processes 1;
pid {dir}/nginx.pid;
error_log {dir}/error.log warn;
events {{ worker_connections 64; }}
http {{
    access_log off;
    client_body_temp_path {dir}/body;
    proxy_temp_path {dir}/proxy;
    fastcgi_temp_path {dir}/fastcgi;
    uwsgi_temp_path {dir}/uwsgi;
    scgi_temp_path {dir}/scgi;
    server {{
        listen 127.0.0.1:{port};
        location / {{
            proxy_pass http://{upstream};
            proxy_set_header Host $host;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            proxy_set_header X-Forwarded-Proto $scheme;
        }}
    }}
}}
"""


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def proxy(live_server, tmp_path):
    port = free_port()
    (tmp_path / "nginx.conf").write_text(
        NGINX_CONF.format(dir=tmp_path, port=port, upstream=urlsplit(live_server.url).netloc)
    )
    process = subprocess.Popen(
        ["nginx", "-c", str(tmp_path / "nginx.conf"), "-p", str(tmp_path)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.1).close()
            break
        except OSError:
            time.sleep(0.05)
    else:
        process.kill()
        pytest.fail(f"nginx did not start: {process.stderr.read().decode()}")
    yield port
    process.terminate()
    process.wait(timeout=10)


class Browser:
    """A client with its own cookies, connecting from ``address`` to the proxy."""

    def __init__(self, port, address):
        self.port, self.address, self.cookies = port, address, {}

    def request(self, method, path, body=None, headers=None):
        conn = http.client.HTTPConnection(
            "127.0.0.1", self.port, source_address=(self.address, 0), timeout=30
        )
        headers = {**(headers or {}), "Host": "localhost"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        conn.request(method, path, body=body, headers=headers)
        response = conn.getresponse()
        for name, value in response.getheaders():
            if name.lower() == "set-cookie":
                key, _, rest = value.partition("=")
                self.cookies[key] = rest.split(";", 1)[0]
        content = response.read()
        conn.close()
        return response.status, content.decode(errors="replace")

    def sign_in(self, number, password, forged=None):
        return self.sign_in_page(number, password, forged)[0]

    def sign_in_page(self, number, password, forged=None):
        """``(status, page)`` of a sign-in with ``number`` and ``password``."""
        _status, page = self.request("GET", "/accounts/login/")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
        headers = {
            "Content-Type": "application/x-www-form-urlencoded",
            "Referer": "http://localhost/accounts/login/",
        }
        if forged:
            headers["X-Forwarded-For"] = forged
        body = urlencode({"username": number, "password": password, "csrfmiddlewaretoken": token})
        return self.request("POST", "/accounts/login/", body, headers)


@pytest.fixture
def victim():
    return f.employee(number="QC7001", name="考前员工")


def test_behind_the_proxy_a_stranger_cannot_lock_a_colleague_out(proxy, victim, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    settings.ALLOWED_HOSTS = ["localhost", "127.0.0.1"]
    stranger = Browser(proxy, "127.0.0.2")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        # A forged header names the colleague's address: ignored, nginx's own entry counts.
        stranger.sign_in("QC7001", "wrong", forged="127.0.0.3")
    assert stranger.sign_in("QC7001", f.PASSWORD) == HTTPStatus.TOO_MANY_REQUESTS
    colleague = Browser(proxy, "127.0.0.3")
    assert colleague.sign_in("QC7001", f.PASSWORD) == HTTPStatus.FOUND  # signed in


def test_counting_the_proxys_address_locks_everyone_out(proxy, victim, settings):
    """The finding: without the client's address every failure counts under the proxy's."""
    settings.TRUSTED_PROXY_COUNT = 0
    settings.ALLOWED_HOSTS = ["localhost", "127.0.0.1"]
    stranger = Browser(proxy, "127.0.0.2")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        stranger.sign_in("QC7001", "wrong")
    colleague = Browser(proxy, "127.0.0.3")
    assert colleague.sign_in("QC7001", f.PASSWORD) == HTTPStatus.TOO_MANY_REQUESTS


def test_the_client_address_reads_the_nearest_proxys_entry(rf, settings):
    from lms.auth import client_ip

    request = rf.get("/", HTTP_X_FORWARDED_FOR="6.6.6.6, 10.1.2.3", REMOTE_ADDR="10.0.0.1")
    settings.TRUSTED_PROXY_COUNT = 0
    assert client_ip(request) == "10.0.0.1"
    settings.TRUSTED_PROXY_COUNT = 1
    assert client_ip(request) == "10.1.2.3"
    settings.TRUSTED_PROXY_COUNT = 2
    assert client_ip(request) == "6.6.6.6"
    settings.TRUSTED_PROXY_COUNT = 3
    assert client_ip(request) == "10.0.0.1"  # not through three proxies: the connection's


def test_behind_the_proxy_password_spraying_pauses_the_sprayers_address(proxy, victim, settings):
    """Four tries at each of many numbers never reached the per-number lockout; failures from
    one address, whatever numbers they name, now pause that address (and only that one)."""
    settings.TRUSTED_PROXY_COUNT = 1
    settings.ALLOWED_HOSTS = ["localhost", "127.0.0.1"]
    settings.LOGIN_ADDRESS_FAILURE_LIMIT = 8
    sprayer = Browser(proxy, "127.0.0.2")
    numbers = [f"QC{7100 + n}" for n in range(settings.LOGIN_ADDRESS_FAILURE_LIMIT // 2)]
    for attempt in range(2):
        for n, number in enumerate(numbers):
            # Under the per-number limit, and a new forged address every time: still counted.
            status = sprayer.sign_in(number, "123456", forged=f"10.0.{attempt}.{n}")
            assert status == HTTPStatus.OK  # the form again: wrong number or password
    assert settings.AXES_FAILURE_LIMIT > 2  # no number was tried often enough to pause it
    status, page = sprayer.sign_in_page("QC7001", f.PASSWORD)
    assert status == HTTPStatus.TOO_MANY_REQUESTS
    assert "无论哪个工号" in page or "for whatever employee number" in page
    # The employee at their own desk is not affected.
    colleague = Browser(proxy, "127.0.0.3")
    assert colleague.sign_in("QC7001", f.PASSWORD) == HTTPStatus.FOUND


def test_without_the_proxy_count_one_sprayer_pauses_everyone(proxy, victim, settings):
    """Left at 0 behind the proxy, every client shares nginx's address: the per-address limit
    then pauses the whole company (why deployment sets TRUSTED_PROXY_COUNT)."""
    settings.TRUSTED_PROXY_COUNT = 0
    settings.ALLOWED_HOSTS = ["localhost", "127.0.0.1"]
    settings.LOGIN_ADDRESS_FAILURE_LIMIT = 4
    sprayer = Browser(proxy, "127.0.0.2")
    for n in range(settings.LOGIN_ADDRESS_FAILURE_LIMIT):
        sprayer.sign_in(f"QC{7100 + n}", "123456")
    colleague = Browser(proxy, "127.0.0.3")
    assert colleague.sign_in("QC7001", f.PASSWORD) == HTTPStatus.TOO_MANY_REQUESTS
