"""{% committee_panel case %}: the committee review panel, for any page that shows a case."""

from django import template
from django.template.loader import render_to_string

from licensing.committee_views import panel_context

register = template.Library()


@register.simple_tag(takes_context=True)
def committee_panel(context, case) -> str:
    request = context["request"]
    return render_to_string("licensing/_committee_panel.html", panel_context(request, case), request=request)
