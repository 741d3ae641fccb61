"""Paging the people list over REST by its cursor: no one is skipped or shown twice, up to the largest page."""

import pytest

from directory.selectors import MAX_PAGE
from hub.tokens import issue_token
from tests.factories import make_person

pytestmark = pytest.mark.django_db


def test_every_person_is_listed_once_at_the_smallest_and_largest_page_sizes(client):
    everyone = [make_person(f"p{n:03}", first_name_th=f"สมชาย{n:03}") for n in range(2 * MAX_PAGE + 1)]
    auth = {"HTTP_AUTHORIZATION": f"Bearer {issue_token(everyone[0].user, 'test')}"}
    for size in (1, 2, MAX_PAGE - 1, MAX_PAGE):
        seen, cursor, pages = [], None, 0
        while True:
            query = f"?limit={size}" + (f"&cursor={cursor}" if cursor else "")
            page = client.get("/api/v1/people" + query, **auth).json()
            pages += 1
            assert page["count"] == len(everyone) and len(page["results"]) <= size
            seen += [person["id"] for person in page["results"]]
            cursor = page["next_cursor"]
            if cursor is None:
                break
        assert seen == [person.pk for person in everyone], f"limit={size}"
        assert pages == -(-len(everyone) // size), f"limit={size}"
