"""Organisation → HR staff files: what each file from the HR system would change, and the
button that applies it (HR only; ``lms.hr_sync``)."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from django.views.generic import TemplateView
from wagtail.admin.menu import MenuItem
from wagtail.admin.views import generic
from wagtail.admin.viewsets.base import ViewSet

from .hr_sync import HrSyncError, hr_sync_apply, summary
from .models import HrSyncRun
from .roles import Role, has_role, require_role


class RunIndexView(generic.base.WagtailAdminTemplateMixin, TemplateView):
    template_name = "lms/admin/hr_sync/index.html"
    page_title = gettext_lazy("HR staff files")
    header_icon = "doc-full"
    per_page = 50

    def dispatch(self, request, *args, **kwargs):
        require_role(request.user, Role.HR)
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        page = Paginator(
            HrSyncRun.objects.visible_to(self.request.user).select_related("applied_by"),
            self.per_page,
        ).get_page(self.request.GET.get("p"))
        context.update({"page_obj": page, "runs": page.object_list})
        return context


class RunDetailView(generic.base.WagtailAdminTemplateMixin, TemplateView):
    """The dry run's diff: who would be created, updated and marked as left, or the problems."""

    template_name = "lms/admin/hr_sync/detail.html"
    header_icon = "doc-full"
    viewset = None

    def dispatch(self, request, *args, **kwargs):
        require_role(request.user, Role.HR)
        self.run = get_object_or_404(HrSyncRun.objects.visible_to(request.user), pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_page_title(self):
        return str(self.run)

    def get_breadcrumbs_items(self):
        return self.breadcrumbs_items + [
            {"url": reverse(self.viewset.get_url_name("index")), "label": _("HR staff files")},
            {"url": "", "label": str(self.run)},
        ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            {
                "run": self.run,
                "summary": summary(self.run),
                "sections": [
                    (_("New employees"), self.run.changes.get("created", [])),
                    (_("Changed employees"), self.run.changes.get("updated", [])),
                    (_("Marked as left"), self.run.changes.get("deactivated", [])),
                ],
                "may_apply": self.run.status == HrSyncRun.Status.PROPOSED,
            }
        )
        return context


@require_POST
def run_apply(request, pk):
    require_role(request.user, Role.HR)
    run = get_object_or_404(HrSyncRun.objects.visible_to(request.user), pk=pk)
    try:
        run = hr_sync_apply(run=run, acting_user=request.user)
    except HrSyncError as error:
        messages.error(request, str(error))
    else:
        if run.status == HrSyncRun.Status.APPLIED:
            messages.success(request, _("Applied: %(summary)s") % {"summary": summary(run)})
        else:
            messages.error(request, _("The file has problems now; nothing was changed."))
    return redirect("lms_hr_sync:detail", pk)


class HrOnlyMenuItem(MenuItem):
    def is_shown(self, request):
        return has_role(request.user, Role.HR)


class HrSyncViewSet(ViewSet):
    icon = "doc-full"
    menu_label = gettext_lazy("HR staff files")
    menu_order = 500
    menu_item_class = HrOnlyMenuItem

    def get_urlpatterns(self):
        from django.urls import path

        return [
            path("", RunIndexView.as_view(), name="index"),
            path("<int:pk>/", RunDetailView.as_view(viewset=self), name="detail"),
            path("<int:pk>/apply/", run_apply, name="apply"),
        ]
