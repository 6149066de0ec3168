"""Who may see a cohort's instructor pages: its instructors and staff, nobody else."""

from courses.models import Cohort
from courses.selectors import cohort_for_manager


def cohort_for_instructor(*, user, uuid) -> Cohort:
    """The cohort, or 404 when it does not exist and 403 when `user` does not teach it."""
    return cohort_for_manager(user=user, uuid=uuid)
