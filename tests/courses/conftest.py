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


@pytest.fixture
def capture_queries():
    """Count a block's queries; the count then pins the same block at 10×N rows.

    Page-level counts also include the portal's and the admin's own queries (and other apps'
    panels), which the foundation may change; the test pins them as equal at N and 10×N rows,
    and the app's own reads are pinned to absolute numbers where they can be isolated.
    """
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    return lambda: CaptureQueriesContext(connection)
