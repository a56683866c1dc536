"""The hostile crawl's parts: forms and filters found on a page, and the values thrown at them.

A page's forms (``<form>``: action, method, every named input, select and textarea) and the
query parameters its links carry are read with the standard library's HTML parser. Hostile
values are sent as raw bytes, so a lone surrogate reaches the server as the invalid UTF-8 a
hostile client would send (a browser would have replaced it).
"""

from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import parse_qsl, quote_from_bytes, urlsplit

HOSTILE = {
    "nul": b"a\x00b",
    "surrogate": b"\xed\xa0\x80",  # U+D800 as (invalid) UTF-8
    "long": b"x" * 100_000,
    "wrong type": b"abc",
    "sql and full-text syntax": b"1' OR \"*) NEAR(a b --",
    "huge number": b"-99999999999999999999",
    "number beyond 32 bits": b"9999999999",
}
SKIPPED_FIELD_TYPES = {"submit", "button", "image", "reset", "file"}


@dataclass
class Form:
    action: str
    method: str
    fields: list[str] = field(default_factory=list)


class _Forms(HTMLParser):
    def __init__(self, page_url):
        super().__init__(convert_charrefs=True)
        self.page_url = page_url
        self.forms, self.links = [], []
        self._form = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            action = a.get("action") or self.page_url
            if action.startswith("/") and not action.startswith("//"):
                self._form = Form(action, (a.get("method") or "get").lower())
                self.forms.append(self._form)
            else:
                self._form = None
        elif tag in ("input", "select", "textarea") and self._form is not None:
            name = a.get("name")
            if name and (a.get("type") or "text").lower() not in SKIPPED_FIELD_TYPES:
                if name != "csrfmiddlewaretoken" and name not in self._form.fields:
                    self._form.fields.append(name)
        elif tag == "a":
            href = a.get("href") or ""
            if href.startswith("/") and not href.startswith("//") and "?" in href:
                self.links.append(href.split("#")[0])

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None


def forms_and_filters(html: str, page_url: str):
    """``(forms, {path: parameter names})`` of one page."""
    parser = _Forms(page_url)
    parser.feed(html)
    filters = {}
    for link in parser.links:
        parts = urlsplit(link)
        names = filters.setdefault(parts.path, set())
        names.update(name for name, _value in parse_qsl(parts.query, keep_blank_values=True))
    return parser.forms, filters


def encode(names, value: bytes) -> str:
    return "&".join(f"{quote_from_bytes(n.encode())}={quote_from_bytes(value)}" for n in names)
