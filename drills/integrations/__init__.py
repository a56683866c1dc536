"""What drills gives the other apps and the platform, through the hooks they own (registered in
``drills/wagtail_hooks.py``).

``records``   drill entries of the archive (一人一档) and appraisal indicator sources
``portal``    the portal's "My drills" panel, workbench items and menu link
``dashboard`` drill participation and role scores on the careers dashboard
``platform``  the demo story and the scheduled overdue-action reminder
``editor``    the plan revision note the page editor saves (Wagtail's page hooks)

The portal summary cache the panel reads is ``drills/portal.py`` (the services move it on).
"""

from .dashboard import dashboard_figures, drill_scores
from .editor import record_plan_revision_note
from .platform import demo_seeder, scheduled_jobs
from .portal import MyDrillsPanel, menu_links, portal_panels, workbench_items
from .records import (
    compute_actions_on_time,
    compute_department_score,
    compute_held_vs_planned,
    compute_participation,
    compute_role_score,
    drill_archive_entries,
    indicator_sources,
)

__all__ = [
    "MyDrillsPanel",
    "compute_actions_on_time",
    "compute_department_score",
    "compute_held_vs_planned",
    "compute_participation",
    "compute_role_score",
    "dashboard_figures",
    "demo_seeder",
    "drill_archive_entries",
    "drill_scores",
    "indicator_sources",
    "menu_links",
    "portal_panels",
    "record_plan_revision_note",
    "scheduled_jobs",
    "workbench_items",
]
