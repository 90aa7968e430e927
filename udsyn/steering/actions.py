"""The steering app's writes: recording a review with its scores, ending an engagement after a review."""

from typing import Any

from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from udsyn.core.actions import do_save
from udsyn.engagements.models import Engagement
from udsyn.steering.models import Review, ReviewSchedule, ReviewScore
from udsyn.strategy.models import Principle


def do_record_review(review: Review, user: Any, schedule: ReviewSchedule,
                     scores: list[tuple[Principle, int, str]]) -> Review:
    """Record a review of its engagement by ``user`` with a score per principle; the next review falls due
    as the municipality's schedule says unless the review names a date. Raises ``NotAllowed``."""
    review.reviewer = user
    if review.next_review_due is None:
        review.next_review_due = schedule.next_due(review.reviewed_on)

    def write() -> Review:
        review.save()
        ReviewScore.objects.bulk_create(
            ReviewScore(review=review, principle=principle, score=score, note=note)
            for principle, score, note in scores)
        return review

    return do_save(review, user, write=write)


def do_end_engagement(engagement: Engagement, user: Any, reason: str) -> bool:
    """End an active engagement after a review, keeping the reason in its history. False, and nothing
    written, when someone ended it already (the engagement is read again under a lock). Raises
    ``NotAllowed``."""
    with transaction.atomic():
        # Lock the engagement and read it again: of two people ending it at once, the second is told.
        if connection.vendor == "sqlite":  # no row locks: writing first takes the database's write lock
            Engagement.objects.filter(pk=engagement.pk).update(status=F("status"))
        engagement.refresh_from_db(from_queryset=Engagement.objects.select_for_update())
        if engagement.status != Engagement.Status.ACTIVE:
            return False
        engagement.status = Engagement.Status.TERMINATED
        engagement.termination_reason = reason
        engagement.end_date = engagement.end_date or timezone.localdate()
        do_save(engagement, user, reason=_("Ended after a review"))
        return True
