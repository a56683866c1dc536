"""Find markup that a Content-Security-Policy without 'unsafe-inline' would refuse to run.

``offences(html, nonce)`` lists, for one page, every inline ``<script>`` (one without ``src``)
that is not a data block and does not carry the response's nonce, every ``on…=`` event-handler
attribute and every ``javascript:`` URL. Script inside ``<template>`` counts: Wagtail appends
template content with jQuery, which runs the scripts in it.
"""

import json
import re
from html.parser import HTMLParser

# <script type="…"> values that are data, not code: the browser never runs them.
DATA_SCRIPT_TYPES = {"application/json", "application/ld+json", "text/template", "importmap"}
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "data", "xlink:href"}
NONCE_IN_POLICY = re.compile(r"'nonce-([^']+)'")


def response_nonce(response) -> str | None:
    policy = response.get("Content-Security-Policy", "")
    match = NONCE_IN_POLICY.search(policy)
    return match.group(1) if match else None


class _Scanner(HTMLParser):
    def __init__(self, nonce):
        super().__init__(convert_charrefs=True)
        self.nonce = nonce
        self.found = []
        self._script = None

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        for name, value in attrs:
            if name.startswith("on"):
                self.found.append(f"<{tag} {name}=…> event-handler attribute")
            if name in URL_ATTRIBUTES and (value or "").strip().lower().startswith("javascript:"):
                self.found.append(f"<{tag} {name}=javascript:…>")
        if tag == "script" and "src" not in attributes:
            kind = (attributes.get("type") or "").strip().lower()
            if kind not in DATA_SCRIPT_TYPES and (
                not self.nonce or attributes.get("nonce") != self.nonce
            ):
                self._script = []

    def handle_data(self, data):
        if self._script is not None:
            self._script.append(data)

    def handle_endtag(self, tag):
        if tag == "script" and self._script is not None:
            code = " ".join("".join(self._script).split())
            self.found.append(f"inline <script> without the nonce: {code[:120]}")
            self._script = None


def offences(html: str, nonce: str | None) -> list[str]:
    scanner = _Scanner(nonce)
    scanner.feed(html)
    scanner.close()
    return scanner.found


def page_offences(response) -> list[str]:
    """Offences in an HTML response, or in the HTML a JSON response carries (chooser modals)."""
    content_type = response.get("Content-Type", "")
    nonce = response_nonce(response)
    if content_type.startswith("text/html"):
        return offences(response.content.decode(), nonce)
    if content_type.startswith("application/json"):
        try:
            data = json.loads(response.content)
        except ValueError:
            return []
        found = []
        for value in _strings(data):
            if "<" in value:
                found.extend(offences(value, nonce))
        return found
    return []


def _strings(data):
    if isinstance(data, str):
        yield data
    elif isinstance(data, dict):
        for value in data.values():
            yield from _strings(value)
    elif isinstance(data, list):
        for value in data:
            yield from _strings(value)
