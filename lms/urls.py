from django.conf import settings
from django.contrib.auth import views as auth_views
from django.urls import include, path
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

from . import sso, views

portal_patterns = (
    [path("<slug:section>/", views.portal_section, name="section")],
    "portal",
)

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path(
        "accounts/login/",
        views.SignInView.as_view(),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    # Single sign-on (lms.sso): 404 while OIDC_RP_CLIENT_ID is empty.
    path("accounts/sso/", sso.sso_start, name="sso_start"),
    path("accounts/sso/callback/", sso.sso_callback, name="sso_callback"),
    path(
        "accounts/sso/backchannel-logout/",
        sso.backchannel_logout,
        name="sso_backchannel_logout",
    ),
    path(
        "accounts/password/",
        views.LocalPasswordChangeView.as_view(),
        name="password_change",
    ),
    path(
        "accounts/password/done/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    path("language/", views.set_language, name="set_language"),
    path("my/", include(portal_patterns)),
    path("careers/", include("careers.urls")),
    path("drills/", include("drills.urls")),
    path("exams/", include("assessments.urls")),
    path("learning/", include("courses.urls")),
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    # Only images are public by URL, as in production (deploy/nginx); evidence photos, job
    # results and documents go through views that check who asks (lms.media).
    for public in ("images/", "original_images/"):
        urlpatterns += static(
            settings.MEDIA_URL + public, document_root=settings.MEDIA_ROOT / public
        )

urlpatterns.append(path("", include(wagtail_urls)))

handler403 = "lms.errors.permission_denied"
handler404 = "lms.errors.page_not_found"
handler500 = "lms.errors.server_error"
