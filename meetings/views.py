"""Meetings pages: my week and month, a meeting, the scheduling form, answers and cancellations."""

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from directory import selectors as directory
from hub import scopes
from hub.errors import HubError, NotFound
from hub.form_actions import run_and_report
from meetings import (
    attendance,
    availability,
    calendars,
    documents,
    ics,
    jitsi,
    middleware,
    reminders,
    selectors,
    services,
)
from meetings import recurrence as rec
from meetings.forms import TIMEZONES, AnswerForm, MeetingForm, chosen_for, initial_for

PICKER_RESULTS = 8
UPCOMING = 8


def _person_or_404(request):
    person = directory.person_of(request.user)
    if person is None:
        raise Http404
    return person


def _meeting_or_404(request, meeting_id: int):
    try:
        return selectors.meeting_for(request.user, meeting_id)
    except NotFound as problem:
        raise Http404 from problem


def _act_then_return(request, action, done: str, *to):
    """Do what the form asked (a service call), say how it went, and go back to `to` (redirect's
    arguments). What the person may not see is a 404; any other refusal is shown with its reason."""
    run_and_report(request, action, done)
    return redirect(*to)


def _anchor(value: str | None) -> dt.date:
    try:
        return dt.date.fromisoformat(value) if value else timezone.localdate()
    except ValueError:
        return timezone.localdate()


@login_required
def my_meetings(request):
    person = _person_or_404(request)
    view = "month" if request.GET.get("view") == "month" else "week"
    anchor = _anchor(request.GET.get("date"))
    grid = calendars.month_of(person, anchor) if view == "month" else calendars.week_of(person, anchor)
    context = {
        "view": view,
        "grid": grid,
        "weekday_names": calendars.weekday_names(),
        "today": timezone.localdate(),
        "can_schedule": not person.is_expert,
        "feed": selectors.feed_of(person),
        "reminder_minutes": reminders.minutes_for(person),
        "reminder_choices": reminders.CHOICES,
        "time_zone": middleware.zone_of_request(request) or "Asia/Bangkok",
        "time_zones": TIMEZONES,
    }
    return render(request, "meetings/my_meetings.html", context)


@login_required
def meeting_page(request, meeting_id: int):
    meeting = _meeting_or_404(request, meeting_id)
    now = timezone.now()
    upcoming = [
        s
        for s in selectors.occurrences_of(meeting, now - dt.timedelta(hours=12), now + dt.timedelta(days=400))
        if s.end > now
    ][:UPCOMING]
    attendees = selectors.attendees_of(meeting)
    held = attendance.latest_slot(meeting, now)
    present = attendance.of_occurrence(meeting, held.original_start) if held else {}
    for attendee in attendees:
        attendee.attendance = present.get(attendee.person_id)
    invitation = next((a for a in attendees if a.person.user_id == request.user.pk), None)
    try:
        call = jitsi.join_link(request.user, meeting.pk, now=now)
    except HubError:
        call = None
    context = {
        "meeting": meeting,
        "call": call,
        "call_opens": jitsi.opens_at(meeting, now) if call is None else None,
        "documents": documents.of_meeting(meeting),
        "recurrence": rec.describe(rec.recurrence_of(meeting.event)),
        "upcoming": upcoming,
        "next": next((s for s in upcoming if not s.cancelled), None),
        "attendees": attendees,
        "answers": selectors.answers_of(attendees),
        "quorum": selectors.quorum_of(meeting, attendees),
        "held": held,
        "present_count": len(present),
        "quorum_present": attendance.quorum_by_attendance(meeting, attendees, present) if held else None,
        "invitation": invitation,
        "answer_form": AnswerForm(initial={"note": invitation.note} if invitation else None),
        "can_edit": selectors.can_edit(request.user, meeting),
        "chat": selectors.chat_beside(request.user, meeting, scopes.rooms_allowed(request)),
    }
    return render(request, "meetings/meeting.html", context)


@login_required
def schedule(request):
    person = _person_or_404(request)
    if person.is_expert:
        raise Http404
    form = MeetingForm(request.POST or None, user=request.user, initial=_new_initial(request))
    if request.method == "POST" and form.is_valid():
        try:
            meeting = services.schedule_meeting(request.user, form.draft())
        except HubError as problem:
            form.show_refusal(problem)
        else:
            messages.success(request, _("The meeting is scheduled and the invitations are out."))
            return redirect("meetings:meeting", meeting.pk)
    chosen = _chosen_from_post(request, form) if request.method == "POST" else []
    return _form_page(request, form, chosen, meeting=None)


@login_required
def edit(request, meeting_id: int):
    meeting = _meeting_or_404(request, meeting_id)
    if not selectors.can_edit(request.user, meeting):
        raise Http404
    form = MeetingForm(request.POST or None, user=request.user, initial=initial_for(meeting))
    if request.method == "POST" and form.is_valid():
        try:
            services.update_meeting(request.user, meeting.pk, form.draft())
        except HubError as problem:
            form.show_refusal(problem)
        else:
            messages.success(request, _("The meeting is changed."))
            return redirect("meetings:meeting", meeting.pk)
    chosen = _chosen_from_post(request, form) if request.method == "POST" else _chosen_rows(chosen_for(meeting))
    return _form_page(request, form, chosen, meeting=meeting)


@login_required
def join(request, meeting_id: int):
    """Open the call in this tab: a fresh link (and token) at the moment of the click."""
    try:
        link = jitsi.join_link(request.user, meeting_id)
    except NotFound as problem:
        raise Http404 from problem
    except HubError as problem:
        messages.error(request, problem.message)
        return redirect("meetings:meeting", meeting_id)
    return redirect(link.url)


@login_required
@require_POST
def record_attendance(request, meeting_id: int):
    """The meeting page's IFrame API saw this person join or leave the call."""
    try:
        attendance.record(request.user, meeting_id, request.POST.get("event", ""))
    except NotFound as problem:
        raise Http404 from problem
    except HubError as problem:
        return HttpResponse(str(problem.message), status=problem.status, content_type="text/plain; charset=utf-8")
    return HttpResponse(status=204)


@login_required
@require_POST
def answer(request, meeting_id: int):
    form = AnswerForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Answer accept, tentative or decline."))
        return redirect("meetings:meeting", meeting_id)
    return _act_then_return(
        request,
        lambda: services.respond(request.user, meeting_id, form.cleaned_data["response"], form.cleaned_data["note"]),
        _("Your answer is sent to the organiser."),
        "meetings:meeting",
        meeting_id,
    )


@login_required
@require_POST
def minutes(request, meeting_id: int):
    return _act_then_return(
        request,
        lambda: services.post_minutes(request.user, meeting_id, request.POST.get("minutes", "")),
        _("The minutes are saved; attendees see them on this page."),
        f"{reverse('meetings:meeting', args=[meeting_id])}#minutes",
    )


@login_required
@require_POST
def cancel(request, meeting_id: int):
    return _act_then_return(
        request,
        lambda: services.cancel_meeting(request.user, meeting_id),
        _("The meeting is cancelled. Its chat room stays open."),
        "meetings:meeting",
        meeting_id,
    )


@login_required
@require_POST
def cancel_occurrence(request, meeting_id: int, key: str):
    return _act_then_return(
        request,
        lambda: services.cancel_occurrence(request.user, meeting_id, key),
        _("That meeting is cancelled; the rest of the series stays."),
        "meetings:meeting",
        meeting_id,
    )


@login_required
def pick_people(request):
    """The attendee picker's search results (htmx): people the asker may see, with an Add button."""
    query = request.GET.get("q", "").strip()
    people = []
    if query:
        try:
            people = directory.search_people(request.user, query, limit=PICKER_RESULTS).people
        except HubError:
            people = []
    return render(request, "meetings/_picker_results.html", {"people": people, "query": query})


@login_required
def chosen_person(request, person_id: int):
    """One row of the chosen attendees (htmx, added by the picker's button)."""
    person = directory.person_for(request.user, person_id)
    if person is None:
        raise Http404
    return render(request, "meetings/_chosen.html", {"row": {"person": person, "required": True}})


@login_required
def find_time(request):
    """Free times for the asker and the chosen required people (htmx, the form's "Find a time")."""
    optional = set(request.GET.getlist("optional"))
    person_ids = [int(v) for v in request.GET.getlist("people") if v.isdigit() and v not in optional]
    mine = directory.person_of(request.user)
    if mine is not None and mine.pk not in person_ids:
        person_ids.append(mine.pk)
    # Only a meeting the asker can see may be left out of who is busy: another's would show, by
    # comparing answers, whether a colleague attends a meeting hidden from the asker.
    ignore = None
    if request.GET.get("meeting", "").isdigit():
        try:
            ignore = selectors.meeting_for(request.user, request.GET["meeting"]).pk
        except NotFound:
            ignore = None
    try:
        found = availability.find_times(request.user, person_ids, _length(request.GET), ignore_meeting_id=ignore)
        error = None
    except HubError as problem:
        found, error = [], problem.message
    return render(request, "meetings/_free_times.html", {"found": found, "error": error})


def _length(params) -> dt.timedelta:
    """The meeting's length from the form's start and end times; an hour when they make no sense."""
    try:
        start = dt.time.fromisoformat(params.get("start_time", ""))
        end = dt.time.fromisoformat(params.get("end_time", ""))
    except ValueError:
        return dt.timedelta(hours=1)
    length = dt.datetime.combine(dt.date.min, end) - dt.datetime.combine(dt.date.min, start)
    return length if length > dt.timedelta(0) else dt.timedelta(hours=1)


def _new_initial(request) -> dict:
    start = timezone.localtime() + dt.timedelta(days=1)
    return {"date": start.date(), "start_time": dt.time(10, 0), "end_time": dt.time(11, 0), "timezone": "Asia/Bangkok"}


def _chosen_rows(attendees) -> list[dict]:
    return [{"person": a.person, "required": a.required, "team": a.via_team_id} for a in attendees]


def _chosen_from_post(request, form: MeetingForm) -> list[dict]:
    wanted = form.people()
    people = directory.visible_people(request.user).filter(pk__in=list(wanted))
    return [{"person": p, "required": wanted[p.pk]} for p in people]


def _form_page(request, form: MeetingForm, chosen: list[dict], meeting):
    context = {"form": form, "chosen": chosen, "meeting": meeting}
    return render(request, "meetings/form.html", context, status=400 if form.errors else 200)


def _site(request) -> str:
    return f"{request.scheme}://{request.get_host()}"


def _calendar_response(body: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
def meeting_ics(request, meeting_id: int):
    meeting = _meeting_or_404(request, meeting_id)
    return _calendar_response(ics.meeting_calendar(meeting, _site(request)), f"meeting-{meeting.pk}.ics")


def feed(request, secret: str):
    """A person's private subscription feed: no log-in (calendar apps have none), the secret is the key."""
    person = selectors.person_of_feed(secret)
    if person is None:
        raise Http404
    return _calendar_response(ics.person_feed(person, _site(request)), "khurusapha-one.ics")


@login_required
@require_POST
def renew_feed(request):
    services.renew_feed(request.user)
    messages.success(request, _("Your calendar subscription link is new; the old one no longer works."))
    return redirect("meetings:mine")


@login_required
@require_POST
def choose_reminder(request):
    try:
        reminders.choose_minutes(request.user, int(request.POST.get("minutes", "")))
    except ValueError:
        messages.error(request, _("Choose how many minutes before."))
    except HubError as problem:
        messages.error(request, problem.message)
    else:
        messages.success(request, _("Your reminder time is saved."))
    return redirect("meetings:mine")


@login_required
@require_POST
def choose_time_zone(request):
    try:
        chosen = services.choose_time_zone(request.user, request.POST.get("timezone", ""))
    except HubError as problem:
        messages.error(request, problem.message)
    else:
        request.session[middleware.SESSION_KEY] = chosen
        messages.success(request, _("Times are now shown in your time zone."))
    return redirect("meetings:mine")


@login_required
@require_POST
def add_document(request, meeting_id: int):
    return _act_then_return(
        request,
        lambda: documents.add(request.user, meeting_id, request.FILES.get("file")),
        _("The document is added to the agenda."),
        f"{reverse('meetings:meeting', args=[meeting_id])}#agenda",
    )


@login_required
@require_POST
def remove_document(request, meeting_id: int, document_id: int):
    return _act_then_return(
        request,
        lambda: documents.remove(request.user, meeting_id, document_id),
        _("The document is removed."),
        f"{reverse('meetings:meeting', args=[meeting_id])}#agenda",
    )


@login_required
def document(request, meeting_id: int, document_id: int):
    """Always a download with its own type: nothing uploaded is ever rendered as a page."""
    try:
        found = documents.for_download(request.user, meeting_id, document_id)
    except NotFound as problem:
        raise Http404 from problem
    response = FileResponse(
        found.file.open("rb"), content_type=found.content_type, as_attachment=True, filename=found.name
    )
    response["Cache-Control"] = "private, no-store"
    return response
