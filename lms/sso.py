"""Single sign-on through the company's OpenID Connect provider (mozilla-django-oidc).

Why mozilla-django-oidc: it does the authorization-code flow (with PKCE and nonce) and nothing
else, so it fits beside our own sign-in page, backends and sessions without bringing a second
account system (django-allauth would bring its own accounts, e-mail and sign-up screens).

The provider's claims become a ``DirectoryPerson`` and go through the same
``directory_account_apply`` as a directory sign-in: employee number, name, e-mail, phone and
department from ``OIDC_CLAIM_*``, roles from the groups claim through ``DIRECTORY_GROUP_ROLES``.
Logging out at the provider ends the person's sessions here too: the provider posts a signed
logout token to ``backchannel_logout`` (OpenID Connect Back-Channel Logout 1.0).
"""

import logging

import jwt
import requests
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import SuspiciousOperation
from django.http import Http404, HttpResponse, HttpResponseBadRequest
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST
from mozilla_django_oidc.auth import OIDCAuthenticationBackend
from mozilla_django_oidc.views import OIDCAuthenticationCallbackView, OIDCAuthenticationRequestView

from .auth import EmployeeNumberBackend
from .directory import DirectoryPerson, DirectoryRefused, directory_account_apply
from .models import DirectoryAccount
from .sessions import sessions_end

logger = logging.getLogger(__name__)

BACKCHANNEL_EVENT = "http://schemas.openid.net/event/backchannel-logout"


def oidc_enabled() -> bool:
    return bool(settings.OIDC_RP_CLIENT_ID)


def _claim(claims: dict, name: str) -> str:
    value = claims.get(name) if name else None
    if value is None:
        return ""
    return str(value).strip()


def person_from_claims(claims: dict) -> DirectoryPerson:
    groups = claims.get(settings.OIDC_CLAIM_GROUPS) or []
    if isinstance(groups, str):
        groups = [groups]
    return DirectoryPerson(
        number=_claim(claims, settings.OIDC_CLAIM_NUMBER),
        subject=_claim(claims, "sub"),
        name=_claim(claims, settings.OIDC_CLAIM_NAME),
        email=_claim(claims, settings.OIDC_CLAIM_EMAIL),
        phone=_claim(claims, settings.OIDC_CLAIM_PHONE),
        department=_claim(claims, settings.OIDC_CLAIM_DEPARTMENT),
        groups={str(group) for group in groups},
    )


class SingleSignOnBackend(OIDCAuthenticationBackend):
    """The code-flow backend; does nothing while ``OIDC_RP_CLIENT_ID`` is empty."""

    def __init__(self, *args, **kwargs):
        if oidc_enabled():
            super().__init__(*args, **kwargs)

    def authenticate(self, request, **kwargs):
        if not oidc_enabled() or "password" in kwargs:
            return None
        return super().authenticate(request, **kwargs)

    def verify_token(self, token, **kwargs):
        """mozilla-django-oidc checks signature and nonce; the audience and issuer too."""
        payload = super().verify_token(token, **kwargs)
        audience = payload.get("aud")
        audiences = audience if isinstance(audience, list) else [audience]
        if self.OIDC_RP_CLIENT_ID not in audiences:
            raise SuspiciousOperation("The ID token was issued for another client.")
        if settings.OIDC_OP_ISSUER and payload.get("iss") != settings.OIDC_OP_ISSUER:
            raise SuspiciousOperation("The ID token comes from another issuer.")
        return payload

    def get_or_create_user(self, access_token, id_token, payload):
        claims = self.get_userinfo(access_token, id_token, payload)
        if claims.get("sub") != payload.get("sub"):
            raise SuspiciousOperation("The user info belongs to someone else.")
        try:
            user, _outcome = directory_account_apply(
                person=person_from_claims(claims), source=DirectoryAccount.Source.OIDC
            )
        except DirectoryRefused as refusal:
            messages.error(
                self.request,
                _("Your company account cannot be used here: %(reason)s") % {"reason": refusal},
            )
            return None
        return user

    def get_user(self, user_id):
        # The signed-in user of every request: the same cached read as a password sign-in.
        return EmployeeNumberBackend().get_user(user_id)


def _require_sso():
    if not oidc_enabled():
        raise Http404


@never_cache
@require_GET
def sso_start(request):
    """Send the browser to the provider's sign-in (``?next=`` is kept for the way back)."""
    _require_sso()
    return OIDCAuthenticationRequestView.as_view()(request)


@never_cache
@require_GET
def sso_callback(request):
    """Where the provider sends the browser back with the authorization code."""
    _require_sso()
    return OIDCAuthenticationCallbackView.as_view()(request)


def verify_logout_token(token: str) -> dict:
    """The claims of a back-channel logout token, once its signature, issuer, audience and
    event are checked (raises ``jwt.PyJWTError``, ``SuspiciousOperation`` or a requests error)."""
    backend = SingleSignOnBackend()
    header = jwt.get_unverified_header(token)
    if header.get("alg") != settings.OIDC_RP_SIGN_ALGO:
        raise SuspiciousOperation("Unexpected signing algorithm.")
    if settings.OIDC_RP_SIGN_ALGO.startswith(("RS", "ES", "PS")):
        key = backend.retrieve_matching_jwk(token)
    else:
        key = settings.OIDC_RP_CLIENT_SECRET
    claims = jwt.decode(
        token,
        key,
        algorithms=[settings.OIDC_RP_SIGN_ALGO],
        audience=settings.OIDC_RP_CLIENT_ID,
        issuer=settings.OIDC_OP_ISSUER or None,
        options={"require": ["iat", "iss", "aud"], "verify_iss": bool(settings.OIDC_OP_ISSUER)},
    )
    if BACKCHANNEL_EVENT not in (claims.get("events") or {}):
        raise SuspiciousOperation("Not a logout token.")
    if "nonce" in claims:
        raise SuspiciousOperation("A logout token carries no nonce.")
    if not claims.get("sub"):
        raise SuspiciousOperation("The logout token names no subject.")
    return claims


@csrf_exempt
@never_cache
@require_POST
def backchannel_logout(request):
    """The provider says this person signed out there: end every session they have here."""
    _require_sso()
    token = request.POST.get("logout_token", "")
    try:
        claims = verify_logout_token(token)
    except (jwt.PyJWTError, SuspiciousOperation, requests.RequestException, ValueError) as error:
        logger.warning("Back-channel logout refused: %s", error)
        return HttpResponseBadRequest("invalid logout_token", content_type="text/plain")
    user_ids = DirectoryAccount.objects.filter(
        source=DirectoryAccount.Source.OIDC, subject=claims["sub"]
    ).values_list("user_id", flat=True)
    sessions_end(user_ids=list(user_ids))
    return HttpResponse(status=200, content_type="text/plain")
