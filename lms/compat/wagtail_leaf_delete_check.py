"""Wagtail's page explorer asks, for every listed page and for both its "Delete" and "Move"
buttons, whether the user may delete the page with everything below it: one query on the
page's descendants each time, two queries per row (100 for a listing of 50 pages). For a page
with no children the answer needs no query: its descendants (inclusive) are the page itself,
whose ``live`` and ``owner`` the listing has already read. Same answer, no query.

Written for Wagtail 8.0.x; ``lms.checks.compat_versions`` fails on others.
"""

from importlib.metadata import version

PACKAGE, VERSIONS = "wagtail", ("8.0", "8.0.1", "8.0.2")


def installed_version() -> str:
    return version(PACKAGE)


def install():
    from wagtail.models import PagePermissionTester

    original = PagePermissionTester.can_delete

    def can_delete(self, ignore_bulk=False):
        page = self.page
        if (
            self.page_is_root
            or self.user.is_superuser
            or not self.user.is_active
            or page.numchild
            or page.pk is None
        ):
            return original(self, ignore_bulk=ignore_bulk)
        # A leaf page: Wagtail's descendant queries (inclusive) reduce to the page itself.
        if "change" in self.permissions:
            return "publish" in self.permissions or not page.live
        if "add" in self.permissions:
            owned = page.owner_id == self.user.pk
            return owned if "publish" in self.permissions else owned and not page.live
        return False

    PagePermissionTester.can_delete = can_delete
