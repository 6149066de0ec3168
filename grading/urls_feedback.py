"""The student's side of feedback on code, and notifications (grading/views_feedback.py)."""

from django.urls import path

from . import views_feedback

submission = "submissions/<uuid:submission_uuid>/"

urlpatterns = [
    path(submission + "reply/", views_feedback.reply, name="feedback_reply"),
    path(submission + "review/", views_feedback.review_request, name="feedback_review"),
    path("notifications/", views_feedback.notifications, name="notifications"),
    path("notifications/read/", views_feedback.notifications_read, name="notifications_read"),
    path(
        "notifications/<uuid:notification_uuid>/open/",
        views_feedback.notification_open,
        name="notification_open",
    ),
]
