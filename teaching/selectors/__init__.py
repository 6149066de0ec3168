"""Reads behind the instructor's pages, one module per page: `dashboard` (the students ×
items matrix), `timeline` (one student), `gradebook` (the CSV), `exercise` and `quiz`
(one item across the cohort). `items` and `aggregates` hold what several pages share.

Every function reads a fixed number of queries whatever the cohort's size: aggregates
grouped by student in the database, then joined in Python by (student, item).
"""
