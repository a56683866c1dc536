"""The admin's "Background jobs": a listing of one's own jobs (HR and superusers see every job),
a page per job with a progress bar, and the download of its result."""

from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView
from wagtail.admin.views import generic
from wagtail.admin.viewsets.base import ViewSet

from .jobs import job_kinds
from .media import private_file_response
from .models import BackgroundJob

# Seconds between refreshes of a job page while the job runs (a meta refresh: no script).
REFRESH_SECONDS = 2


class JobIndexView(generic.base.WagtailAdminTemplateMixin, TemplateView):
    template_name = "lms/admin/jobs/index.html"
    page_title = gettext_lazy("Background jobs")
    header_icon = "cogs"
    per_page = 50

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        jobs = BackgroundJob.objects.visible_to(self.request.user).select_related("owner")
        status = self.request.GET.get("status")
        if status in BackgroundJob.Status.values:
            jobs = jobs.filter(status=status)
        page = Paginator(jobs, self.per_page).get_page(self.request.GET.get("p"))
        kinds = job_kinds()
        for job in page:
            kind = kinds.get(job.kind)
            job.kind_name = kind.label if kind else job.kind
        context.update(
            {
                "page_obj": page,
                "jobs": page.object_list,
                "statuses": BackgroundJob.Status.choices,
                "status": status,
            }
        )
        return context


class JobDetailView(generic.base.WagtailAdminTemplateMixin, TemplateView):
    template_name = "lms/admin/jobs/detail.html"
    header_icon = "cogs"
    viewset = None

    def dispatch(self, request, *args, **kwargs):
        self.job = get_object_or_404(
            BackgroundJob.objects.visible_to(request.user).select_related("owner"), pk=kwargs["pk"]
        )
        return super().dispatch(request, *args, **kwargs)

    def get_page_title(self):
        return str(self.job)

    def get_breadcrumbs_items(self):
        return self.breadcrumbs_items + [
            {"url": reverse(self.viewset.get_url_name("index")), "label": _("Background jobs")},
            {"url": "", "label": str(self.job)},
        ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            {
                "job": self.job,
                "refresh_seconds": None if self.job.is_finished else REFRESH_SECONDS,
                "error_lines": self.job.error.splitlines(),
            }
        )
        return context


def job_download(request, pk):
    """The job's result, for its owner and HR only, checked again on every download (a job
    started by someone who has since left, or left HR, is no longer theirs to fetch); served as
    every private file is (``lms.media``), never from a public /media/ path."""
    job = get_object_or_404(
        BackgroundJob.objects.visible_to(request.user), pk=pk, status=BackgroundJob.Status.DONE
    )
    if not job.result:
        raise Http404
    return private_file_response(
        job.result,
        filename=job.result_name or job.result.name.rsplit("/", 1)[-1],
        as_attachment=True,
    )


class BackgroundJobViewSet(ViewSet):
    icon = "cogs"
    menu_label = gettext_lazy("Background jobs")
    menu_order = 950
    add_to_admin_menu = True

    def get_urlpatterns(self):
        from django.urls import path

        return [
            path("", JobIndexView.as_view(), name="index"),
            path("<int:pk>/", JobDetailView.as_view(viewset=self), name="detail"),
            path("<int:pk>/download/", job_download, name="download"),
        ]
