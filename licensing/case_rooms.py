"""TEMPORARY stand-in for lic-a's licensing/case_rooms.py (removed before merging lic-a): no rooms yet."""

from licensing.models import Case


def seat_case_people(case: Case) -> None:
    return None


def post_case_notice(case: Case, text: str):
    return None
