"""Committee reviews of a case: propose experts and a time, set the meeting, record the resolution.

The meeting is made through meetings.services (which sends the invitations and the experts' links);
the resolution goes back to the licensing backend as a recommendation note (licensing.notes).
"""

import datetime as dt
import re
import zoneinfo

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from directory import selectors as directory
from directory.models import Person
from hub.dates import format_date
from hub.errors import Forbidden, Invalid, NotFound, TooLarge
from licensing import case_rooms, experts, notes
from licensing.models import Case, CommitteeReview, OutgoingNote
from licensing.selectors import case_for
from meetings import availability
from meetings import services as meetings
from meetings.models import Meeting

State = CommitteeReview.State
OPEN_STATES = (State.PROPOSED, State.INVITED)
MAX_NOTE_CHARS = 2000
SEARCH_DAYS = 14
# A Thai national id written out in full (13 digits, with or without dashes or spaces).
NATIONAL_ID = re.compile(r"(?<!\d)\d(?:[-\s]?\d){12}(?!\d)")
NOTE_KIND = "recommendation"


def size() -> int:
    return settings.COMMITTEE_SIZE


def quorum() -> int:
    return settings.COMMITTEE_QUORUM


def duration() -> dt.timedelta:
    return dt.timedelta(minutes=settings.COMMITTEE_MEETING_MINUTES)


# --- Proposing -----------------------------------------------------------------------------------


def propose_review(case: Case, event_id: str) -> CommitteeReview:
    """A `case.review_requested` event proposes a committee: the same event proposes once; while a
    review of the case is proposed or invited, a new request returns that one (experts are not
    booked twice for one case)."""
    with transaction.atomic():
        case = Case.objects.select_for_update().get(pk=case.pk)
        earlier = CommitteeReview.objects.filter(event_id=event_id).first()
        if earlier is not None:
            return earlier
        current = case.reviews.filter(state__in=OPEN_STATES).order_by("-created_at").first()
        if current is not None:
            return current
        review = CommitteeReview.objects.create(case=case, event_id=event_id, quorum=quorum())
        with translation.override(settings.LANGUAGE_CODE):
            _choose(review)
    return review


def propose_again(user: AbstractBaseUser, review_id: int) -> CommitteeReview:
    """Choose the experts and the time again (after experts were added, or conflicts declared)."""
    with transaction.atomic():
        review = _review_to_act_on(user, review_id)
        if review.state not in (State.PROPOSED, State.SHORT):
            raise Invalid(_("The invitations were already sent; change the meeting itself instead."))
        review.quorum = quorum()
        with translation.override(settings.LANGUAGE_CODE):
            _choose(review)
    return review


def _choose(review: CommitteeReview) -> None:
    case = review.case
    chosen = experts.candidates(case)[: size()]
    review.experts.set(chosen)
    review.proposed_start = review.proposed_end = None
    if len(chosen) < review.quorum:
        review.state = State.SHORT
        review.save()
        _notice(
            case,
            _(
                "Committee review: only %(found)d expert(s) fit this license type without a declared conflict, "
                "and a quorum needs %(quorum)d. No meeting was proposed: add experts in the directory, then "
                "propose again."
            ),
            found=len(chosen),
            quorum=review.quorum,
        )
        return
    review.state = State.PROPOSED
    organiser = _organiser_of(case)
    if organiser is not None:
        times = _free_times(organiser, chosen)
        if times:
            review.proposed_start, review.proposed_end = times[0]
    review.save()
    names = ", ".join(person.display_name for person in chosen)
    if review.proposed_start:
        when = format_date(review.proposed_start, "datetime")
        _notice(case, _("Committee review proposed: %(names)s; first free time %(when)s."), names=names, when=when)
    else:
        _notice(
            case,
            _("Committee review proposed: %(names)s. No time suits everyone in the next %(days)d days: choose one."),
            names=names,
            days=SEARCH_DAYS,
        )
    if len(chosen) < size():
        _notice(
            case,
            _("Only %(found)d of %(size)d experts could be proposed (the quorum of %(quorum)d can still be met)."),
            found=len(chosen),
            size=size(),
            quorum=review.quorum,
        )


def _organiser_of(case: Case) -> Person | None:
    """Who will hold the meeting: the assignee, else the team's manager (someone with an account,
    whose calendar "find a time" may read)."""
    if case.assignee_id:
        return directory.person_of(case.assignee)
    if case.team_id and case.team.manager_id and case.team.manager.user_id:
        return case.team.manager
    return None


def _free_times(organiser: Person, chosen: list[Person]) -> list[tuple[dt.datetime, dt.datetime]]:
    """Free times from the next working day on: experts need a day's notice."""
    tz = zoneinfo.ZoneInfo(settings.TIME_ZONE)
    tomorrow = dt.datetime.combine(timezone.localdate() + dt.timedelta(days=1), dt.time(0), tzinfo=tz)
    people = [organiser.pk] + [person.pk for person in chosen]
    return availability.find_times(organiser.user, people, duration(), after=tomorrow, days=SEARCH_DAYS, count=3)


# --- Reading and who may act ---------------------------------------------------------------------


def review_for(user: AbstractBaseUser, review_id) -> CommitteeReview:
    """The review if `user` may see its case; NotFound alike for the rest."""
    try:
        review_id = int(review_id)
    except (TypeError, ValueError):
        raise NotFound() from None
    review = CommitteeReview.objects.select_related("case", "meeting").filter(pk=review_id).first()
    if review is None:
        raise NotFound()
    case_for(user, review.case_id)
    return review


def latest_review(case: Case) -> CommitteeReview | None:
    return case.reviews.select_related("meeting").prefetch_related("experts").order_by("-created_at", "-pk").first()


def may_act(user: AbstractBaseUser, case: Case) -> bool:
    """The assignee sets the meeting and records the resolution; the team's manager may too."""
    if not user.is_authenticated:
        return False
    if case.assignee_id == user.pk:
        return True
    return bool(case.team_id and case.team.manager_id and case.team.manager.user_id == user.pk)


def _review_to_act_on(user: AbstractBaseUser, review_id) -> CommitteeReview:
    review = review_for(user, review_id)
    review = (
        CommitteeReview.objects.select_for_update(of=("self",)).select_related("case__team__manager").get(pk=review.pk)
    )
    if not may_act(user, review.case):
        raise Forbidden(_("Only the case's assignee or the team's manager can do that."))
    return review


# --- Setting the meeting -------------------------------------------------------------------------


def confirm_review(
    user: AbstractBaseUser, review_id, start: dt.datetime, end: dt.datetime | None = None, room_id: int | None = None
) -> CommitteeReview:
    """The assignee (or the manager) chooses the time: the meeting is scheduled through the meetings
    app with the experts (quorum counted among them), which e-mails the invitations and links."""
    with transaction.atomic():
        review = _review_to_act_on(user, review_id)
        if review.state == State.SHORT:
            raise Invalid(_("There are not enough experts for a quorum: propose again once there are."))
        if review.state != State.PROPOSED:
            raise Invalid(_("The invitations for this review were already sent."))
        case = review.case
        chosen = list(review.experts.order_by("pk"))
        conflicted = experts.newly_conflicted(case, chosen)
        if conflicted:
            raise Invalid(
                _("%(names)s declared a conflict of interest since the proposal: propose again.")
                % {"names": ", ".join(person.display_name for person in conflicted)}
            )
        if start is None:
            raise Invalid(_("Choose the date and time of the meeting."), fields={"start": "required"})
        end = end or start + duration()
        people = {person.pk: True for person in chosen}
        assignee = directory.person_of(case.assignee) if case.assignee_id else None
        if assignee is not None:
            people[assignee.pk] = True
        with translation.override(settings.LANGUAGE_CODE):
            title = _("Committee review of case %(number)s") % {"number": case.number}
            agenda = agenda_of(case)
        draft = meetings.Draft(
            title=title,
            agenda=agenda,
            start=start,
            end=end,
            room_id=room_id,
            quorum=review.quorum,
            quorum_of=Meeting.QuorumOf.EXPERTS,
            people=people,
        )
        meeting = meetings.schedule_meeting(user, draft)
        review.meeting = meeting
        review.proposed_start, review.proposed_end = meeting.starts_at, meeting.ends_at
        review.state = State.INVITED
        review.save()
        with translation.override(settings.LANGUAGE_CODE):
            _notice(
                case,
                _("The committee meets %(when)s; invitations were sent to %(count)d experts: %(link)s"),
                when=format_date(meeting.starts_at, "datetime"),
                count=len(chosen),
                link=f"{settings.SITE_URL}/meetings/{meeting.pk}/",
            )
    return review


def agenda_of(case: Case) -> str:
    """What the experts read before the meeting (it is e-mailed): never the applicant's national id,
    not even masked."""
    summary = NATIONAL_ID.sub("[…]", case.summary or "").strip()
    if case.applicant_id_masked:
        summary = summary.replace(case.applicant_id_masked, "[…]")
    lines = [
        _("Case %(number)s") % {"number": case.number},
        _("License: %(license)s, %(request)s")
        % {"license": case.get_license_type_display(), "request": case.get_request_type_display()},
    ]
    if case.province:
        lines.append(_("Province: %(province)s") % {"province": case.province})
    if summary:
        lines += ["", summary]
    if case.room_id:
        lines += [
            "",
            _("The case is discussed in its case room: %(link)s")
            % {"link": f"{settings.SITE_URL}/chats/{case.room_id}/"},
        ]
    return "\n".join(lines)


# --- The resolution ------------------------------------------------------------------------------


def record_resolution(
    user: AbstractBaseUser,
    review_id,
    resolution: str,
    votes_for: int,
    votes_against: int,
    votes_abstain: int,
    note: str = "",
) -> CommitteeReview:
    """The committee's resolution, with its votes, is kept on the case's review, told in the case
    room and sent to the licensing backend once as a recommendation note."""
    with transaction.atomic():
        review = _review_to_act_on(user, review_id)
        if review.state == State.RESOLVED:
            raise Invalid(_("The resolution of this review is already recorded."))
        if review.state != State.INVITED:
            raise Invalid(_("Set the committee meeting before recording its resolution."))
        if resolution not in CommitteeReview.Resolution.values:
            raise Invalid(_("The resolution is approve, reject or request documents."), fields={"resolution": "choice"})
        votes = _votes(votes_for, votes_against, votes_abstain)
        members = review.experts.count()
        cast = sum(votes)
        if cast > members:
            raise Invalid(
                _("%(cast)d votes were given, but the committee has %(members)d experts.")
                % {"cast": cast, "members": members},
                fields={"votes": "too_many"},
            )
        if cast < review.quorum:
            raise Invalid(
                _("No quorum: %(cast)d experts voted, and %(quorum)d are needed.")
                % {"cast": cast, "quorum": review.quorum},
                fields={"votes": "no_quorum"},
            )
        if votes[0] <= votes[1]:
            raise Invalid(
                _("A resolution needs more votes for it than against it."), fields={"votes_for": "not_carried"}
            )
        note = (note or "").strip()
        if len(note) > MAX_NOTE_CHARS:
            raise TooLarge(
                _("A note has at most %(max)d characters.") % {"max": MAX_NOTE_CHARS}, fields={"note": "long"}
            )
        review.resolution = resolution
        review.votes_for, review.votes_against, review.votes_abstain = votes
        review.resolution_note = note
        review.resolved_by = user
        review.resolved_at = timezone.now()
        review.state = State.RESOLVED
        review.save()
        with translation.override(settings.LANGUAGE_CODE):
            text = resolution_text(review)
        case_rooms.post_case_notice(review.case, text)
        notes.queue_note(review.case, NOTE_KIND, text, note_key(review))
    return review


def note_key(review: CommitteeReview) -> str:
    """The Idempotency-Key of the review's recommendation: one note per review, however often sent."""
    return f"committee-review-{review.pk}-resolution"


def recommendation_of(review: CommitteeReview) -> OutgoingNote | None:
    """The review's note in the outbox: whether the backend has it yet."""
    return OutgoingNote.objects.filter(idempotency_key=note_key(review)).first()


def resolution_text(review: CommitteeReview) -> str:
    text = _(
        "Committee recommendation for case %(number)s: %(resolution)s (for %(for)d, against %(against)d, "
        "abstaining %(abstain)d; quorum %(quorum)d)."
    ) % {
        "number": review.case.number,
        "resolution": review.get_resolution_display(),
        "for": review.votes_for,
        "against": review.votes_against,
        "abstain": review.votes_abstain,
        "quorum": review.quorum,
    }
    if review.resolution_note:
        text += "\n" + review.resolution_note
    return text


def _votes(*values) -> tuple[int, int, int]:
    try:
        votes = tuple(int(value) for value in values)
    except (TypeError, ValueError):
        raise Invalid(_("Votes are whole numbers."), fields={"votes": "number"}) from None
    if any(value < 0 for value in votes):
        raise Invalid(_("Votes cannot be negative."), fields={"votes": "negative"})
    return votes


def _notice(case: Case, message: str, **values) -> None:
    """A notice in the case room; callers word it in the hub's first language (Thai)."""
    case_rooms.post_case_notice(case, message % values)
