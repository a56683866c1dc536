"""What training gives the other apps, through the hooks they own (registered in
``courses/wagtail_hooks.py``).

``records``   archive entries (一人一档) and appraisal indicator sources
``runs``      one training run (一期一档) as a ``lms.hooks.TrainingRun``
``portal``    the portal's panels, workbench items and menu links
``dashboard`` the training-compliance figure of the careers dashboard

SCORM and video study add archive entries of their own (``courses/scorm/records.py``,
``courses/video/records.py``).
"""

from .dashboard import compliance, dashboard_figures
from .portal import (
    MyLearningPanel,
    TeamCompliancePanel,
    TrainerSessionsPanel,
    menu_links,
    workbench_items,
)
from .records import archive_entries, indicator_sources
from .runs import training_run

__all__ = [
    "MyLearningPanel",
    "TeamCompliancePanel",
    "TrainerSessionsPanel",
    "archive_entries",
    "compliance",
    "dashboard_figures",
    "indicator_sources",
    "menu_links",
    "training_run",
    "workbench_items",
]
