"""Editing and deleting corrective actions in the admin goes through the services (#15): a
reassignment or a new due date is in the progress log and the audit trail, and an action with
progress is never deleted."""

import datetime
from http import HTTPStatus

import pytest
from django.urls import reverse
from wagtail.models import ModelLogEntry

from drills import services
from drills.models import CorrectiveAction, DrillError
from tests.conftest import login
from tests.factories import drills as df


@pytest.fixture
def action(drill, people):
    finding = df.improvement(df.conduct(drill), by=people["coordinator"])
    return df.action(finding, owner=people["employee"])


def _form(action, **changes):
    data = {
        "description": action.description,
        "owner": action.owner_id,
        "department": action.department_id,
        "start_date": action.start_date.isoformat(),
        "due_date": action.due_date.isoformat(),
    }
    data.update(changes)
    return data


def _audit(action):
    return ModelLogEntry.objects.filter(
        object_id=str(action.pk), action="drills.action_changed"
    ).order_by("pk")


def test_rescheduling_in_the_admin_is_logged_and_audited(client, action, people):
    later = action.due_date + datetime.timedelta(days=14)
    login(client, people["coordinator"])
    response = client.post(
        reverse("corrective_actions:edit", args=[action.pk]),
        _form(action, due_date=later.isoformat(), owner=people["colleague"].pk),
    )
    assert response.status_code == HTTPStatus.FOUND, response.content[:2000]
    action.refresh_from_db()
    assert action.due_date == later
    assert action.owner == people["colleague"]
    (entry,) = _audit(action)
    assert entry.user == people["coordinator"].user
    assert entry.data["before"]["due_date"] != entry.data["after"]["due_date"]
    assert entry.data["after"] == {"owner": people["colleague"].pk, "due_date": later.isoformat()}
    assert "due date" in action.log.order_by("-pk").first().note.lower()


def test_saving_without_changes_writes_nothing(client, action, people):
    login(client, people["coordinator"])
    response = client.post(reverse("corrective_actions:edit", args=[action.pk]), _form(action))
    assert response.status_code == HTTPStatus.FOUND
    assert not _audit(action).exists()
    assert action.log.count() == 1


def test_a_due_date_before_the_start_is_a_form_error(client, action, people):
    login(client, people["coordinator"])
    early = action.start_date - datetime.timedelta(days=1)
    response = client.post(
        reverse("corrective_actions:edit", args=[action.pk]),
        _form(action, due_date=early.isoformat()),
    )
    assert response.status_code == HTTPStatus.OK
    assert response.context["form"].errors
    action.refresh_from_db()
    assert action.due_date != early
    assert not _audit(action).exists()


def test_a_finished_action_cannot_be_changed(action, people):
    services.action_reject(action=action, by=people["coordinator"], reason="重复")
    with pytest.raises(DrillError):
        services.action_update(action=action, due_date=datetime.date(2030, 1, 1))


def test_an_action_entered_by_mistake_can_be_deleted(client, action, people):
    login(client, people["coordinator"])
    response = client.post(reverse("corrective_actions:delete", args=[action.pk]))
    assert response.status_code == HTTPStatus.FOUND
    assert not CorrectiveAction.objects.filter(pk=action.pk).exists()
    assert ModelLogEntry.objects.filter(object_id=str(action.pk), action="wagtail.delete").exists()


def test_an_action_with_progress_is_never_deleted(client, action, people):
    services.action_start(action=action, by=people["employee"], note="已开始")
    login(client, people["coordinator"])
    response = client.post(reverse("corrective_actions:delete", args=[action.pk]), follow=True)
    assert response.status_code == HTTPStatus.OK
    assert CorrectiveAction.objects.filter(pk=action.pk).exists()
    assert action.log.count() == 2
    assert any("cannot be deleted" in str(m) for m in response.context["messages"])
