"""Certificate PDFs (Chinese, with a verification code and a QR code) and review rows."""

import base64
from io import BytesIO

from django.conf import settings
from django.urls import reverse
from django.utils.safestring import mark_safe

from lms.pdf import render_pdf

from .answers import render_answer
from .models import AttemptItem, Certificate
from .models.questions import shown_letters
from .statistics import render_response


def check_url(certificate: Certificate, request=None) -> str:
    path = reverse("assessments:certificate_check", args=[certificate.code])
    if request is not None:
        return request.build_absolute_uri(path)
    return settings.WAGTAILADMIN_BASE_URL.rstrip("/") + path


def qr_svg_data_uri(text: str) -> str:
    import qrcode
    import qrcode.image.svg

    image = qrcode.make(text, image_factory=qrcode.image.svg.SvgPathImage, box_size=10, border=2)
    buffer = BytesIO()
    image.save(buffer)
    return "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode()


def certificate_pdf(certificate: Certificate, *, request=None) -> bytes:
    url = check_url(certificate, request)
    return render_pdf(
        "assessments/pdf/certificate.html",
        {
            "certificate": certificate,
            "employee": certificate.employee,
            "check_url": url,
            "qr_code": qr_svg_data_uri(url),
            "company": getattr(settings, "WAGTAIL_SITE_NAME", ""),
        },
    )


def _feedback_for(item: AttemptItem, options: list) -> list[str]:
    """The question's feedback for this response: for each chosen option, then for a right,
    partly right or wrong response."""
    feedback = item.snapshot.get("feedback") or {}
    notes = [
        option_note
        for option, option_note in zip(
            item.snapshot.get("options", []), feedback.get("options") or [], strict=False
        )
        if option_note and any(o["chosen"] and o["text"] == option["text"] for o in options)
    ]
    if item.score is not None and item.response not in (None, "", []):
        if item.score >= item.points:
            kind = "correct"
        else:
            kind = "partial" if item.score > 0 else "incorrect"
        if feedback.get(kind):
            notes.append(feedback[kind])
    return notes


def review_row(item: AttemptItem, *, withheld: bool = False) -> dict:
    """An answered question as the review shows it: the response, the key and the score.

    ``withheld``: the question is in a confidential pool (``services.withheld_keys``); the
    review shows the question and the response only: no key, no right or wrong, no feedback
    or explanation that would give the key away."""
    snap = item.snapshot
    is_choice = bool(snap.get("options"))
    chosen = set(item.response or []) if is_choice and isinstance(item.response, list) else set()
    right = set(snap["answer"]) if is_choice else set()
    shown = shown_letters(snap.get("options", []))
    options = [
        {
            "key": shown[option["key"]],
            "text": option["text"],
            "chosen": option["key"] in chosen,
            "right": option["key"] in right,
        }
        for option in snap.get("options", [])
    ]
    response = render_response(snap, item.response)
    answer = render_answer(snap["type"], snap["answer"])
    if options:  # choices are shown in the attempt's own order and lettering
        response = "".join(sorted(shown[k] for k in chosen if k in shown))
        answer = "".join(sorted(shown[k] for k in right if k in shown))
    if withheld:
        for option in options:
            option["right"] = False
        return {
            "withheld": True,
            "position": item.position,
            "type_label": item.type_label,
            "stem": mark_safe(snap["stem"]),  # rich text from the bank, stored by trainers
            "options": options,
            "response": response,
            "points": item.points,
        }
    return {
        "feedback": _feedback_for(item, options),
        "position": item.position,
        "type_label": item.type_label,
        "stem": mark_safe(snap["stem"]),  # rich text from the bank, stored by trainers
        "options": options,
        "response": response,
        "answer": answer,
        "score": item.score,
        "points": item.points,
        "explanation": snap.get("explanation", ""),
        "comment": item.comment,
    }
