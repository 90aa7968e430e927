"""Writes are actions: ``do_save`` checks the record before and after, writes all or nothing, and records who."""

from typing import Any

import pytest
from django.contrib.auth.models import User

from udsyn.core.actions import do_save, do_save_parts
from udsyn.core.usage import NotAllowed
from udsyn.engagements.forms import RepresentativeFormSet
from udsyn.engagements.models import Engagement, Representative
from udsyn.organisation.models import Department, Person
from udsyn.steering.actions import do_end_engagement


def test_a_save_outside_a_web_request_is_kept_with_who_made_it(okf_editor: User, eurocities: Engagement) -> None:
    """Commands and workers have no request for the history middleware to read the user from."""
    eurocities.title = "Eurocities"
    do_save(eurocities, okf_editor, reason="Renamed as the network spells itself")
    latest = eurocities.history.first()  # type: ignore[attr-defined]
    assert latest.title == "Eurocities"
    assert latest.history_user == okf_editor
    assert latest.history_change_reason == "Renamed as the network spells itself"


def test_nobody_moves_a_record_out_of_their_reach(okf_editor: User, eurocities: Engagement,
                                                 departments: dict[str, Department]) -> None:
    """Allowed to change it as it is stored, but not to give it to another department: nothing is written."""
    kept = eurocities.history.count()  # type: ignore[attr-defined]
    eurocities.lead_department = departments["KFF"]
    with pytest.raises(NotAllowed):
        do_save(eurocities, okf_editor)
    eurocities.refresh_from_db()
    assert eurocities.lead_department == departments["ØKF"]
    assert eurocities.history.count() == kept  # type: ignore[attr-defined]


def test_nobody_changes_a_record_they_may_not_change_as_stored(suf_editor: User, eurocities: Engagement,
                                                               departments: dict[str, Department]) -> None:
    eurocities.lead_department = departments["SUF"]  # to their own department: still refused
    with pytest.raises(NotAllowed):
        do_save(eurocities, suf_editor)
    eurocities.refresh_from_db()
    assert eurocities.lead_department == departments["ØKF"]


def test_a_new_record_must_land_within_reach(tmf_editor: User, copenhagen: Any,
                                             departments: dict[str, Department]) -> None:
    theirs = Engagement(municipality=copenhagen, title="Andres projekt", kind="project",
                        lead_department=departments["SUF"])
    with pytest.raises(NotAllowed):
        do_save(theirs, tmf_editor)
    assert not Engagement.objects.filter(title="Andres projekt").exists()
    own = do_save(Engagement(municipality=copenhagen, title="Eget projekt", kind="project",
                             lead_department=departments["TMF"]), tmf_editor)
    assert own.history.get().history_user == tmf_editor  # type: ignore[attr-defined]


def test_parts_are_checked_row_by_row_and_saved_all_or_nothing(tmf_editor: User, eurocities: Engagement,
                                                               copenhagen: Any,
                                                               departments: dict[str, Department]) -> None:
    """A participating department adds its own people as representatives, never another department's."""
    own = Person.objects.create(municipality=copenhagen, name="Tove Teknik", department=departments["TMF"])
    other = Person.objects.create(municipality=copenhagen, name="Søren Sundhed", department=departments["SUF"])
    data = {"representatives-TOTAL_FORMS": "2", "representatives-INITIAL_FORMS": "0",
            "representatives-0-person": own.pk, "representatives-0-role": "Member of the board",
            "representatives-1-person": other.pk, "representatives-1-role": "Observer"}
    formset = RepresentativeFormSet(data=data, instance=eurocities, prefix="representatives")
    assert formset.is_valid(), formset.errors
    with pytest.raises(NotAllowed):
        do_save_parts(formset, tmf_editor)
    assert not Representative.objects.filter(engagement=eurocities).exists()  # not even the allowed row
    data.update({"representatives-TOTAL_FORMS": "1"})
    formset = RepresentativeFormSet(data=data, instance=eurocities, prefix="representatives")
    assert formset.is_valid(), formset.errors
    do_save_parts(formset, tmf_editor)
    assert Representative.objects.get(engagement=eurocities).person == own


def test_ending_an_engagement_twice_ends_it_once(okf_editor: User, coordinator: User,
                                                 eurocities: Engagement) -> None:
    first, second = Engagement.objects.get(pk=eurocities.pk), Engagement.objects.get(pk=eurocities.pk)
    assert do_end_engagement(first, okf_editor, "The network no longer serves the goals")
    assert not do_end_engagement(second, coordinator, "Ended twice")
    eurocities.refresh_from_db()
    assert eurocities.status == Engagement.Status.TERMINATED
    assert eurocities.termination_reason == "The network no longer serves the goals"
    ended = eurocities.history.first()  # type: ignore[attr-defined]
    assert ended.history_user == okf_editor and ended.history_change_reason


def test_ending_is_refused_to_a_department_that_only_takes_part(tmf_editor: User, eurocities: Engagement) -> None:
    with pytest.raises(NotAllowed):
        do_end_engagement(eurocities, tmf_editor, "Not theirs to end")
    eurocities.refresh_from_db()
    assert eurocities.status == Engagement.Status.ACTIVE
