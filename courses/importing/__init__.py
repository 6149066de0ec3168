"""Importing a course directory (see docs/course-format.md), in three phases:

    loading.py    read every file and validate it against its schema (no database, no
                  course code run): a CourseSource, or every problem at file:line
    rendering.py  render the Markdown once, resolving course links to their pages
    syncing.py    self-check the exercises that changed (the self-check is handed in),
                  then write everything in one transaction, matching rows by slug

``course_sync`` runs the three.
"""

from judge.files import Problem

from .loading import CourseInvalid, load_course_dir
from .syncing import SyncReport, course_sync

__all__ = ["CourseInvalid", "Problem", "SyncReport", "course_sync", "load_course_dir"]
