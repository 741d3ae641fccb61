"""{% assignment_panel case %}: the case page's assignment card (licensing/_assignment.html)."""

from django import template

from licensing import assignments

register = template.Library()


@register.inclusion_tag("licensing/_assignment_panel.html", takes_context=True)
def assignment_panel(context, case):
    request = context["request"]
    return {
        "panel": assignments.panel_for(request.user, case),
        "request": request,
        "csrf_token": context.get("csrf_token"),
    }
