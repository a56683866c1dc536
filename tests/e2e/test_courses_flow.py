"""The issue's "Done when" scenario, end to end in Chromium.

A trainer writes a course with materials and lessons in the Wagtail admin and submits it; the
training manager approves it; HR adds a required-training rule for a position; an employee in
that position sees the assignment on a 390 px phone, studies every lesson, and the completion
with its hours shows in My learning and in the admin.
"""

import re

import pytest
from django.utils import timezone

from courses import services
from courses.models import Assignment, Completion, CourseIndexPage, CoursePage
from lms.roles import Role
from tests import factories as f
from tests.e2e.conftest import sign_in
from tests.factories import courses as cf

# serialized_rollback: the test starts from what the migrations made (role groups, the site
# root, the course index page and its approval workflow) even after another browser test.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture
def cast(live_server):
    cf.restore_migrated_rows_if_flushed()
    root = f.department(code="QC", name="青川县供电公司")
    station = f.department(code="QC-CG", name="城关供电所", parent=root)
    lineman = f.position(code="P12", name="配电线路工")
    clerk = f.position(code="P14", name="抄表核算收费员")
    trainer = f.employee(number="QC9001", name="李培华", department=root, roles=[Role.TRAINER])
    approver = f.employee(number="QC9006", name="吴振华", department=root, roles=[Role.TRAINER])
    services.training_manager_set(user=approver.user)
    hr = f.employee(number="QC9002", name="陈思远", department=root, roles=[Role.HR])
    learner = f.employee(number="QC1001", name="王小明", department=station, position=lineman)
    other = f.employee(number="QC1002", name="张伟", department=station, position=clerk)
    return {
        "trainer": trainer,
        "approver": approver,
        "hr": hr,
        "learner": learner,
        "other": other,
        "lineman": lineman,
    }


def _english(page, live_server):
    page.context.add_cookies([{"name": "ga_language", "value": "en", "url": live_server.url}])


def _add_text_block(page, container, text):
    """Insert a Text block at the end of a StreamField and type into it."""
    from playwright.sync_api import expect

    editors = container.locator(".DraftEditor-root [contenteditable=true]")
    before = editors.count()
    container.locator("button.c-sf-add-button").last.click()
    page.get_by_role("option", name="Text", exact=True).first.click()
    expect(editors).to_have_count(before + 1)
    editor = editors.nth(before)
    editor.click()
    page.keyboard.type(text)
    expect(editor).to_contain_text(text)
    page.locator("#id_summary").click()  # blur: Draftail writes its value on change
    page.wait_for_timeout(300)


def test_course_from_writing_to_completion_on_a_phone(page, phone, live_server, cast):
    _english(page, live_server)
    _english(phone, live_server)
    index = CourseIndexPage.objects.get()

    # 1. The trainer writes the course and submits it for approval.
    sign_in(page, "QC9001", f.PASSWORD)
    page.goto(f"/admin/pages/add/courses/coursepage/{index.pk}/")
    page.fill("#id_title", "配电安规精讲")
    page.fill("#id_code", "KC-E2E")
    page.select_option("#id_category", "safety")
    page.fill("#id_hours", "6")
    page.fill("#id_credits", "1.5")
    page.fill("#id_summary", "停电、验电、接地的要求与典型违章案例。")
    materials = page.locator("[data-contentpath=materials]")
    _add_text_block(page, materials, "停电、验电、装设接地线是保证安全的技术措施。")
    for number, title in ((1, "组织措施"), (2, "技术措施")):
        page.get_by_role("button", name=re.compile("Add lessons", re.I)).click()
        lesson = page.locator(f"#inline_child_lessons-{number - 1}")
        lesson.locator(f"#id_lessons-{number - 1}-title").fill(title)
        _add_text_block(page, lesson, f"第{number}课：{title}的学习内容。")
    page.locator("footer .dropdown-toggle, [data-w-dropdown-target=toggle]").last.click()
    page.get_by_role("button", name=re.compile("Submit to")).click()
    page.wait_for_load_state()
    course = CoursePage.objects.get(code="KC-E2E")
    assert not course.live
    assert course.lessons.count() == 2
    assert course.current_workflow_state is not None

    # 2. The training manager approves; the course goes live.
    page.context.clear_cookies()
    _english(page, live_server)
    sign_in(page, "QC9006", f.PASSWORD)
    page.goto(f"/admin/pages/{course.pk}/edit/")
    page.locator("footer .dropdown-toggle, [data-w-dropdown-target=toggle]").last.click()
    page.locator("button[data-workflow-action-name=approve]").first.click()
    page.wait_for_load_state()
    course.refresh_from_db()
    assert course.live

    # 3. HR adds a rule: every 配电线路工 completes the course within a year.
    page.context.clear_cookies()
    _english(page, live_server)
    sign_in(page, "QC9002", f.PASSWORD)
    page.goto("/admin/training_rules/new/")
    page.select_option("#id_course", str(course.pk))
    page.select_option("#id_position", str(cast["lineman"].pk))
    page.fill("#id_due_on", "2099-12-31")
    page.fill("#id_interval_months", "12")
    page.locator("button.button-longrunning[type=submit]").click()
    page.wait_for_load_state()
    assert Assignment.objects.filter(employee=cast["learner"], course=course).exists()
    assert not Assignment.objects.filter(employee=cast["other"]).exists()

    # 4. The employee studies every lesson on a 390 px phone.
    sign_in(phone, "QC1001", f.PASSWORD)
    phone.goto("/my/learning/")
    assignments = phone.locator("[data-testid=assignments]")
    assert "配电安规精讲" in assignments.inner_text()
    assert "Due" in assignments.inner_text()
    assignments.get_by_role("link", name="配电安规精讲").click()
    assert "0 of 2 lessons done" in phone.locator("[data-testid=course-progress]").inner_text()
    _assert_fits(phone)
    phone.get_by_role("link", name="组织措施").click()
    _assert_fits(phone)
    assert "第1课" in phone.locator(".lesson-body").inner_text()
    phone.get_by_role("button", name="I have studied this lesson").click()
    assert "第2课" in phone.locator(".lesson-body").inner_text()  # moved on to lesson 2
    phone.get_by_role("button", name="I have studied this lesson").click()
    phone.wait_for_load_state()
    assert "2 of 2 lessons done" in phone.locator("[data-testid=course-progress]").inner_text()
    assert "6.0 training hours recorded" in phone.locator(".messages").inner_text()
    _assert_fits(phone)

    # 5. The completion, with its hours, shows in My learning and in the admin.
    phone.goto("/my/learning/")
    done = phone.locator("[data-testid=assignments]").inner_text()
    # Required training is read from the rules now: the line says done and since when.
    assert "Done" in done and f"completed {timezone.localdate():%Y-%m-%d}" in done
    completion = Completion.objects.get(employee=cast["learner"], course=course)
    assert completion.hours == 6
    page.goto("/admin/training_completions/")
    row = page.locator("tbody tr", has_text="王小明")
    assert "配电安规精讲" in row.inner_text() and "6.0" in row.inner_text()


def _assert_fits(phone):
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"page is {width}px wide on a 390px screen"
