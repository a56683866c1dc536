"""The attempt page's questions from cached fragments (docs/performance.md, "Exam morning").

On exam morning every examinee's attempt page shows the same questions, each in one of a few
option orders, all unanswered. A fresh item's fieldset is rendered once per question content,
option order, points and language, with the item's id and position left as markers, and kept in
the cache; each page fills in its own id and position. A fragment holds nothing personal and no
answer (only unanswered items are cached); an answered item is rendered as before.
"""

import hashlib
import json

from django.conf import settings
from django.core.cache import cache
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

from .models import AttemptItem

TEMPLATE = "assessments/includes/question_fieldset.html"
ID_MARK = "@@ga-item-id@@"
POSITION_MARK = "@@ga-item-position@@"
KEY = "assessments:question-html:{}"
FRESH_SEQ = AttemptItem._meta.get_field("seq").default


def _is_fresh(item: dict) -> bool:
    """Never saved: no answer and the sequence number an item starts with."""
    return item["response"] is None and item["seq"] == FRESH_SEQ


def _key(item: dict) -> str:
    content = {k: v for k, v in item.items() if k not in ("id", "position")}
    digest = hashlib.sha256(
        json.dumps([get_language(), content], sort_keys=True, default=str).encode()
    ).hexdigest()
    return KEY.format(digest)


def _fill(html: str, item: dict) -> str:
    return mark_safe(  # noqa: S308 - our own rendering, with two numbers put in
        html.replace(ID_MARK, str(item["id"])).replace(POSITION_MARK, str(item["position"]))
    )


def render_items(items: list[dict]) -> list[dict]:
    """Give every item (``AttemptItem.public()``) its fieldset's HTML as ``html``."""
    timeout = settings.ASSESSMENTS_QUESTION_HTML_SECONDS
    keys = {id(item): _key(item) for item in items if timeout and _is_fresh(item)}
    found = cache.get_many(list(keys.values())) if keys else {}
    missing = {}
    for item in items:
        key = keys.get(id(item))
        if key is None:
            item["html"] = mark_safe(render_to_string(TEMPLATE, {"item": item}))  # noqa: S308
            continue
        html = found.get(key)
        if html is None:
            html = render_to_string(
                TEMPLATE, {"item": {**item, "id": ID_MARK, "position": POSITION_MARK}}
            )
            missing[key] = html
        item["html"] = _fill(html, item)
    if missing:
        cache.set_many(missing, timeout)
    return items
