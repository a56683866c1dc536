"""What assessments gives the other apps, through the hooks they own (registered in
``assessments/wagtail_hooks.py``).

``records``   exam, certificate and practice entries of the archive (一人一档), appraisal
              indicator sources
``portal``    the portal's "Exams open to you" panel and the workbench items
``courses``   what training reads of exams: the exam column of the course report, the
              certificates a course completion issues, the exams a course assignment opens
``dashboard`` exam pass rates and qualification standing on the careers dashboard
"""

from .courses import certificates_for_completions, course_exam_results, exams_for_course_assignments
from .dashboard import dashboard_figures
from .portal import MyExamsPanel, workbench_items
from .records import (
    archive_entries,
    compute_average_score,
    compute_pass_rate,
    indicator_sources,
    practice_entries,
    practice_hours,
)

__all__ = [
    "MyExamsPanel",
    "archive_entries",
    "certificates_for_completions",
    "compute_average_score",
    "compute_pass_rate",
    "course_exam_results",
    "dashboard_figures",
    "exams_for_course_assignments",
    "indicator_sources",
    "practice_entries",
    "practice_hours",
    "workbench_items",
]
