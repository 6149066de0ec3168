"""/teach/cohorts/<uuid>/submissions/<uuid>/ and /reviews/: feedback on code
(teaching/views_review.py)."""

from django.urls import path

from . import views_review

cohort = "cohorts/<uuid:cohort_uuid>/"
submission = cohort + "submissions/<uuid:submission_uuid>/"

urlpatterns = [
    path(cohort + "reviews/", views_review.review_queue, name="review_queue"),
    path(submission, views_review.review_page, name="review"),
    path(submission + "comments/", views_review.review_comment, name="review_comment"),
    path(submission + "score/", views_review.review_override, name="review_override"),
    path(
        submission + "requests/<uuid:request_uuid>/resolve/",
        views_review.review_resolve,
        name="review_resolve",
    ),
]
