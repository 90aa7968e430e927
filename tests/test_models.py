import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from udsyn.core.formatting import format_amount, format_date
from udsyn.engagements.models import City, Engagement, Funding
from udsyn.organisation.models import Department


def test_terminated_engagement_needs_a_reason(eurocities: Engagement) -> None:
    eurocities.status = Engagement.Status.TERMINATED
    with pytest.raises(ValidationError) as error:
        eurocities.full_clean()
    assert "termination_reason" in error.value.message_dict
    eurocities.termination_reason = "Gav ikke længere værdi"
    eurocities.full_clean()


def test_end_before_start_is_refused(eurocities: Engagement) -> None:
    eurocities.start_date = datetime.date(2020, 1, 1)
    eurocities.end_date = datetime.date(2019, 1, 1)
    with pytest.raises(ValidationError) as error:
        eurocities.full_clean()
    assert "end_date" in error.value.message_dict


def test_only_partnerships_have_an_agreement_type(eurocities: Engagement) -> None:
    eurocities.partnership_type = Engagement.PartnershipType.TWIN
    with pytest.raises(ValidationError) as error:
        eurocities.full_clean()
    assert "partnership_type" in error.value.message_dict


def test_lead_department_must_belong_to_the_municipality(eurocities: Engagement, odense) -> None:
    foreign = Department.objects.create(municipality=odense, code="BMF", name="Borgmesterforvaltningen")
    eurocities.lead_department = foreign
    with pytest.raises(ValidationError) as error:
        eurocities.full_clean()
    assert "lead_department" in error.value.message_dict


def test_departments_lead_first_then_participants(eurocities: Engagement) -> None:
    assert [d.code for d in eurocities.departments] == ["ØKF", "KFF", "TMF"]
    assert Engagement.objects.shared().filter(pk=eurocities.pk).exists()


def test_involving_finds_lead_and_participants(eurocities: Engagement, departments) -> None:
    assert list(Engagement.objects.involving(departments["TMF"])) == [eurocities]
    assert list(Engagement.objects.involving(departments["ØKF"])) == [eurocities]
    assert not Engagement.objects.involving(departments["SUF"]).exists()


def test_sub_agreement_points_to_its_parent(beijing: Engagement) -> None:
    child = beijing.children.get()
    assert child.lead_department.code == "SUF"
    assert child.parent == beijing


def test_funding_keeps_foreign_amount_and_dkk(atelier: Funding) -> None:
    atelier.full_clean()
    assert atelier.amount == Decimal("665462.5")
    assert atelier.currency == "EUR"
    assert atelier.amount_dkk == Decimal("4971000")


def test_funding_rejects_unknown_currency(atelier: Funding) -> None:
    atelier.currency = "XXY"
    with pytest.raises(ValidationError) as error:
        atelier.full_clean()
    assert "currency" in error.value.message_dict


def test_city_needs_both_coordinates_or_none(db: None) -> None:
    city = City(name="Klaksvík", country="FO", latitude=62.2)
    with pytest.raises(ValidationError):
        city.full_clean()
    City(name="Klaksvík", country="FO", latitude=62.2266, longitude=-6.589).full_clean()


def test_city_country_is_an_iso_code(db: None) -> None:
    with pytest.raises(ValidationError) as error:
        City(name="Atlantis", country="QQ").full_clean()
    assert "country" in error.value.message_dict


@translation.override("da")
def test_amounts_and_periods_read_the_danish_way() -> None:
    assert format_amount(Decimal("4971000"), "DKK") == "4.971.000 kr."
    assert format_amount(Decimal("665462.5"), "EUR") == "665.462,5 EUR"
    assert format_date(datetime.date(2019, 11, 1)) == "11.2019"
    assert format_date(datetime.date(2024, 10, 31), end=True) == "10.2024"
    assert format_date(datetime.date(2012, 1, 1)) == "2012"


@translation.override("en")
def test_amounts_read_the_english_way_in_english() -> None:
    assert format_amount(Decimal("4971000"), "DKK") == "DKK 4,971,000"
    assert format_amount(Decimal("665462.5"), "EUR") == "EUR 665,462.5"
