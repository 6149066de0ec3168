"""The courses app's background work: e-mailing an announcement to a cohort."""

from celery import shared_task

from . import announcements


# Bounded like every task: with EMAIL_TIMEOUT per message, a cohort of a thousand fits;
# a mailing cut short resumes where it stopped when queued again.
@shared_task(name=announcements.MAIL_TASK, soft_time_limit=1800, time_limit=1860, acks_late=True)
def mail_announcement(announcement_id: int, site_url: str = "") -> int:
    return announcements.mail_announcement(announcement_id, site_url)
