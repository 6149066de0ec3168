"""Instructor pages: cohort dashboards, per-exercise and per-quiz analytics, student
timelines, the gradebook export and regrades. Reads only: the rows belong to courses/
(cohorts, progress, quiz attempts) and grading/ (submissions); every page is scoped to
one cohort and open only to that cohort's instructors (and staff), through
`teaching.access.cohort_for_instructor`.

Every page's queries are counted in tests and must not grow with the cohort's size: the
selectors aggregate in the database (one query per kind of row), never per student.
"""
