"""A page's form runs one service call: what the person may not see is a 404, any other refusal is
shown with its reason, success with a message; the caller then sends them back where they were."""

from django.contrib import messages
from django.http import Http404

from hub.errors import HubError, NotFound


def run_and_report(request, action, done: str) -> None:
    try:
        action()
    except NotFound as problem:
        raise Http404 from problem
    except HubError as problem:
        messages.error(request, problem.message)
    else:
        messages.success(request, done)
