import pytest
from django.conf import settings
from django.utils import translation


@pytest.fixture(autouse=True)
def _english(client):
    """Assert on the English source strings; one test checks the Chinese catalogue."""
    translation.activate("en")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    yield
    translation.activate(settings.LANGUAGE_CODE)
