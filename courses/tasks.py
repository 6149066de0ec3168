"""The courses app's background work: e-mailing an announcement to a cohort."""

from celery import shared_task

from . import announcements


@shared_task(name=announcements.MAIL_TASK, acks_late=True)
def mail_announcement(announcement_id: int, site_url: str = "") -> int:
    return announcements.mail_announcement(announcement_id, site_url)
