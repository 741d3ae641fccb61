"""Template filters for Thai dates: {{ when|thai_date }}, {{ when|thai_date:"full" }}."""

from django import template

from hub.dates import be_year, format_date

register = template.Library()


@register.filter
def thai_date(value, style: str = "short") -> str:
    if value in (None, ""):
        return ""
    return format_date(value, style)


@register.filter
def buddhist_year(value) -> int | str:
    if value in (None, ""):
        return ""
    return be_year(value.year)
