"""Rows and Wagtail labels that printed in English (or as Python values) on Chinese admin pages:
role groups, permissions, inspect views' yes/no and empty values, the sites listing's columns,
the page search's count and a page nobody published. Each read in the request's language."""

import re
from http import HTTPStatus

import pytest
from django.conf import settings
from django.contrib.auth.models import Group, Permission
from django.test import Client
from django.utils import translation
from wagtail.models import Page

from lms.roles import Role, group_label

pytestmark = pytest.mark.django_db


def _client(user, language="zh-hans"):
    client = Client()
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client


def test_role_groups_read_in_the_request_language(superuser):
    group = Group.objects.get(name=Role.MANAGER)
    with translation.override("zh-hans"):
        assert str(group) == group_label(Role.MANAGER) == "部门负责人"
    with translation.override("en"):
        assert str(group) == "Department manager"
    assert Group.objects.filter(name="Department manager").exists()  # the stored name stays

    listing = _client(superuser).get("/admin/groups/").content.decode()
    assert "部门负责人" in listing and "Department manager" not in listing
    english = _client(superuser, "en").get("/admin/groups/").content.decode()
    assert "Department manager" in english

    delete = _client(superuser).get(f"/admin/groups/delete/{group.pk}/").content.decode()
    assert "“部门负责人”组有" in delete


def test_a_group_named_by_hr_keeps_its_name(superuser):
    group = Group.objects.create(name="班组长")
    with translation.override("zh-hans"):
        assert str(group) == "班组长"
    assert group_label("") == ""


def test_permissions_read_in_the_request_language(superuser):
    add_group = Permission.objects.get(codename="add_group")
    publish = Permission.objects.get(codename="publish_page")
    with translation.override("zh-hans"):
        assert str(add_group).endswith("| 可添加组")
        assert "Publish any page" not in str(publish)
    with translation.override("en"):
        assert str(add_group).endswith("| Can add group")

    group = Group.objects.get(name=Role.HR)
    editor = _client(superuser).get(f"/admin/groups/edit/{group.pk}/")
    html = editor.content.decode()
    assert editor.status_code == HTTPStatus.OK
    assert "可添加组" in html and "Can add group" not in html
    assert "可进入管理后台" in html and "Can access Wagtail admin" not in html
    assert "Can delete" not in html and "Can change" not in html
    assert ">\n             Page<" not in html  # the page permissions' page field is labelled


def test_inspect_views_show_yes_no_and_a_dash(superuser, people):
    from tests.factories import assessments as af

    employee = people["employee"]
    exam = af.exam(questions=[af.question()], audience=[employee])
    attempt = af.attempt_in_progress(employee)
    assert attempt.exam == exam and attempt.percent is None
    html = _client(superuser).get(f"/admin/assessments/attempts/inspect/{attempt.pk}/")
    values = [
        " ".join(dd.split()) for dd in re.findall(r"<dd>(.*?)</dd>", html.content.decode(), re.S)
    ]
    assert "否" in values  # not passed, not auto-submitted
    assert "—" in values  # no percentage yet
    assert not {"True", "False", "None"} & set(values)


def test_sites_listing_columns_and_page_search_count(superuser):
    sites = _client(superuser).get("/admin/sites/").content.decode()
    assert "Site name" not in sites and "Root page" not in sites

    Page.objects.get(depth=1).add_child(instance=Page(title="测试页面"))
    search = _client(superuser).get("/admin/pages/search/?q=测试").content.decode()
    assert "测试页面" in search
    assert "第 1-1 项，共 1 项页面" in " ".join(search.split())


def test_a_page_nobody_published_names_no_one(superuser):
    page = Page.objects.get(depth=1).add_child(instance=Page(title="迁移建立的页面"))
    page.save_revision().publish()  # no user: a migration or a script
    html = _client(superuser).get("/admin/reports/aging-pages/").content.decode()
    assert "迁移建立的页面" in html
    assert not re.search(r">\s*None\s*<", html)
    assert re.search(r"</span>\s*—\s*</td>", html)
