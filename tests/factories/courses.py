"""Training data built the way the product builds it: pages through Wagtail, the rest through
``courses.services``."""

import datetime
import itertools
from decimal import Decimal

from django.utils import timezone

from courses import services
from courses.models import CourseIndexPage, CoursePage, Lesson, TrainingPlanIndexPage

_counter = itertools.count(1)


def course_index():
    return CourseIndexPage.objects.get()


def plan_index():
    return TrainingPlanIndexPage.objects.get()


def lesson_body(text="学习内容"):
    return [{"type": "text", "value": f"<p>{text}</p>"}]


def course(
    *,
    title=None,
    code=None,
    category="safety",
    hours=Decimal("4.0"),
    credits=Decimal("1.0"),
    lessons=2,
    self_enrolment=True,
    publish=True,
    user=None,
    extra_blocks=None,
    minutes=15,
):
    """A course page; ``extra_blocks`` (StreamField data) go at the end of the first lesson."""
    n = next(_counter)
    page = CoursePage(
        title=title or f"课程{n}",
        code=code or f"K{n:04d}",
        category=category,
        summary="课程简介",
        hours=hours,
        credits=credits,
        self_enrolment=self_enrolment,
        materials=[
            {"type": "text", "value": "<p>《电力安全工作规程》要点</p>"},
            {
                "type": "key_points",
                "value": {"heading": "要点", "points": ["停电", "验电", "装设接地线"]},
            },
        ],
        live=publish,
        lessons=[
            Lesson(
                title=f"第{i + 1}课",
                minutes=minutes,
                sort_order=i,
                body=lesson_body(f"第{i + 1}课内容") + (list(extra_blocks or []) if i == 0 else []),
            )
            for i in range(lessons)
        ],
    )
    course_index().add_child(instance=page)
    revision = page.save_revision(user=user)
    if publish:
        revision.publish()
    page.refresh_from_db()
    return page


def session(*, course, trainer, capacity=30, starts_in=datetime.timedelta(hours=1), hours=2, **kw):
    starts = timezone.now() + starts_in
    return services.session_create(
        course=course,
        starts_at=starts,
        ends_at=starts + datetime.timedelta(hours=hours),
        trainer=trainer,
        capacity=capacity,
        location=kw.pop("location", "公司二楼培训室"),
        **kw,
    )


def past_session(*, course, trainer, capacity=30, **kw):
    """A session that started 30 minutes ago and is still running."""
    return session(
        course=course,
        trainer=trainer,
        capacity=capacity,
        starts_in=-datetime.timedelta(minutes=30),
        **kw,
    )


_BASELINE = {}


def restore_migrated_rows_if_flushed():
    """Put back what the migrations made (role groups, site root, the training index pages and
    their workflow) when an earlier transactional test has flushed them away.

    The first call, on an intact database, remembers its rows. The foundation's
    tests/conftest.py does the same for every transactional test where it has that fixture;
    this keeps the training browser tests independent of test order either way (it does
    nothing when the rows are there).
    """
    from django.contrib.auth.models import Group
    from django.contrib.contenttypes.models import ContentType
    from django.core import serializers
    from django.db import connection, transaction

    if Group.objects.filter(name="Employee").exists():
        _BASELINE.setdefault("rows", connection.creation.serialize_db_to_string())
        return
    baseline = _BASELINE.get("rows") or getattr(connection, "_test_serialized_contents", None)
    if not baseline:
        return
    objects = list(serializers.deserialize("json", baseline))
    objects.sort(key=lambda obj: obj.object._meta.label != "contenttypes.ContentType")
    with transaction.atomic(), connection.constraint_checks_disabled():
        ContentType.objects.all().delete()
        ContentType.objects.clear_cache()
        for obj in objects:
            obj.save()
    ContentType.objects.clear_cache()
