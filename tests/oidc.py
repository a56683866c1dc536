"""A real OpenID provider (npm ``oidc-provider``, tests/oidc_provider.mjs) on a loopback port.

``make install`` installs the package (package.json); Node.js comes with the machine (Debian's
nodejs). ``OpenIdProvider`` starts the process, waits until it listens and stops it within
bounded time.
"""

import json
import os
import shutil
from pathlib import Path

from tests.loopback import LoopbackProcess, free_port

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "tests" / "oidc_provider.mjs"
NODE = shutil.which("node")
MISSING = None if NODE else "node is not installed (Debian's nodejs package)"
CLIENT_ID = "grid-academy"
CLIENT_SECRET = "grid-academy-test-secret"


def installed() -> bool:
    return (ROOT / "node_modules" / "oidc-provider" / "package.json").exists()


class OpenIdProvider(LoopbackProcess):
    name = "oidc-provider"

    def __init__(self, folder: Path, *, app_url: str, accounts: dict):
        super().__init__()
        self.folder = Path(folder)
        self.app_url = app_url.rstrip("/")
        self.accounts = accounts

    @property
    def issuer(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 20.0) -> "OpenIdProvider":
        self.folder.mkdir(parents=True, exist_ok=True)
        self.port = free_port()
        # The provider posts logout tokens to the application by its loopback address.
        backchannel = self.app_url.replace("://localhost", "://127.0.0.1")
        client = {
            "client_id": CLIENT_ID,
            "client_secret": CLIENT_SECRET,
            "redirect_uris": [f"{self.app_url}/accounts/sso/callback/"],
            "post_logout_redirect_uris": [f"{self.app_url}/"],
            "backchannel_logout_uri": f"{backchannel}/accounts/sso/backchannel-logout/",
        }
        env = {
            **os.environ,
            "OIDC_PORT": str(self.port),
            "OIDC_CLIENT": json.dumps(client),
            "OIDC_ACCOUNTS": json.dumps(self.accounts, ensure_ascii=False),
            "NODE_ENV": "development",
        }
        return self.launch(
            [NODE, str(SCRIPT)],
            port=self.port,
            log_path=self.folder / "provider.log",
            timeout=timeout,
            cwd=ROOT,
            env=env,
        )

    def configure(self, settings):
        """Point the application (pytest-django's ``settings``) at this provider."""
        settings.OIDC_RP_CLIENT_ID = CLIENT_ID
        settings.OIDC_RP_CLIENT_SECRET = CLIENT_SECRET
        settings.OIDC_OP_ISSUER = self.issuer
        settings.OIDC_OP_AUTHORIZATION_ENDPOINT = f"{self.issuer}/auth"
        settings.OIDC_OP_TOKEN_ENDPOINT = f"{self.issuer}/token"
        settings.OIDC_OP_USER_ENDPOINT = f"{self.issuer}/me"
        settings.OIDC_OP_JWKS_ENDPOINT = f"{self.issuer}/jwks"
        settings.OIDC_RP_SIGN_ALGO = "RS256"
