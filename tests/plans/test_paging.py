"""A list's page and its count (schedules.plans.review.page_of): the Paginator's answers, in one
query where the page has rows."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.paginator import Paginator

from schedules.models import Clinic, Patient
from schedules.plans.review import page_of

from ..conftest import make_patient

pytestmark = pytest.mark.django_db


@pytest.fixture
def patients(clinic: Clinic) -> Any:
    for number in range(7):
        make_patient(clinic, f"P-{number}", family_name=f"Name{number}")
    return Patient.objects.order_by("family_name")


@pytest.mark.parametrize(
    "number", [None, "1", "2", "3", "4", "9", "0", "-1", "x", "2.0", "", "9" * 40, str(2**31)]
)
def test_a_page_is_the_paginators(patients: Any, number: str | None) -> None:
    expected = Paginator(patients, 3).get_page(number)
    page = page_of(patients, number, 3)
    assert (page.number, page.paginator.count, page.paginator.num_pages) == (
        expected.number,
        expected.paginator.count,
        expected.paginator.num_pages,
    )
    assert list(page) == list(expected)


def test_a_page_with_rows_is_one_query(patients: Any, django_assert_num_queries: Any) -> None:
    with django_assert_num_queries(1):
        page = page_of(patients, "2", 3)
        assert len(page) == 3 and page.paginator.count == 7 and page.has_next()


def test_an_empty_list_is_one_query_and_a_page_past_the_end_three(
    patients: Any, django_assert_num_queries: Any
) -> None:
    with django_assert_num_queries(1):
        assert page_of(patients.filter(pk=0), "1", 3).paginator.count == 0
    with django_assert_num_queries(3):  # the empty page, the count, the last page
        page = page_of(patients, "9", 3)
        assert page.number == 3 and len(page) == 1
