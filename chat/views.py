"""The chat page: the person's rooms, one conversation, and forms to start or join rooms."""

from django.contrib import messages as flash
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from chat import attachments, selectors, services
from chat.forms import DirectForm, MembersForm, RoomForm
from directory.models import Person
from directory.selectors import presence_for, visible_people
from hub import scopes
from hub.errors import HubError, Invalid, NotFound
from hub.params import query_id, query_text


@login_required
def index(request):
    rooms = selectors.rooms_of(request.user)
    if rooms and "rooms" not in request.GET:  # ?rooms: the list itself, the first pane on a phone
        return redirect("chat:room", room_id=rooms[0]["id"])
    return render(request, "chat/chat.html", _sidebar(request) | {"room": None})


@login_required
def room(request, room_id: int):
    found = selectors.room_for(request.user, room_id)
    if found is None:
        raise Http404
    context = _sidebar(request) | selectors.conversation(found, request.user)
    context |= _members(found, context["people"])
    return render(request, "chat/chat.html", context)


@login_required
def download(request, attachment_id: int):
    """A file sent in a room, to its members only. Only verified raster images are shown inline;
    everything else is a download, typed so that no browser renders it as a page."""
    try:
        attachment = attachments.for_download(request.user, attachment_id)
    except HubError as problem:
        raise Http404 from problem
    allowed = scopes.rooms_allowed(request)
    if allowed is not None and attachment.room_id not in allowed:
        raise Http404  # a session opened by a link: files of its own rooms only
    response = FileResponse(
        attachment.file.open("rb"),
        content_type=attachment.content_type,
        as_attachment=not attachment.is_image,
        filename=attachment.name,
    )
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, max-age=86400"
    return response


@login_required
def search(request):
    query = query_text(request, "q")
    results, error = [], None
    if query:
        try:
            found = selectors.search_messages(request.user, query, room=query_id(request, "room"))
            results = selectors.search_results_out(found, query)
        except HubError as problem:
            error = problem.message
    context = _sidebar(request) | {"room": None, "query": query, "results": results, "search_error": error}
    return render(request, "chat/search.html", context, status=400 if error else 200)


@login_required
@require_http_methods(["POST"])
def archive(request, room_id: int):
    try:
        services.archive_room(request.user, room_id, request.POST.get("archived") != "0")
    except HubError as problem:
        raise Http404 from problem
    return redirect("chat:room", room_id=room_id)


@login_required
@require_http_methods(["POST"])
def start(request):
    form = RoomForm(request.POST)
    if form.is_valid():
        try:
            data = form.cleaned_data
            room = services.start_room(request.user, data["kind"], data["name"], data["topic"], data["members"])
        except HubError as problem:
            form.add_error(None, problem.message)
        else:
            return redirect("chat:room", room_id=room.pk)
    return render(request, "chat/chat.html", _sidebar(request) | {"room": None, "room_form": form}, status=400)


@login_required
@require_http_methods(["POST"])
def direct(request):
    form = DirectForm(request.POST)
    if form.is_valid():
        try:
            room = services.open_direct_by_ids(request.user, [form.cleaned_data["person"]])
        except HubError as problem:
            form.add_error(None, problem.message)
        else:
            return redirect("chat:room", room_id=room.pk)
    return render(request, "chat/chat.html", _sidebar(request) | {"room": None, "direct_form": form}, status=400)


@login_required
@require_http_methods(["POST"])
def join(request, room_id: int):
    try:
        services.join_channel(request.user, room_id)
    except HubError as problem:
        raise Http404 from problem
    return redirect("chat:room", room_id=room_id)


def _members(room, people) -> dict:
    """Who is in the room, and whom of `people` its owners could add."""
    members = selectors.members_of(room)
    in_room = {member["id"] for member in members}
    return {"members": members, "invitable": [person for person in people if person.user_id not in in_room]}


@login_required
@require_http_methods(["GET", "POST"])
def invite(request, room_id: int):
    """GET: the room's panel of members, drawn again when they change; POST: an owner adds people."""
    if request.method == "GET":
        found = selectors.room_for(request.user, room_id)
        if found is None:
            raise Http404
        room = selectors.room_out(found, request.user)
        people = _people(request) if room["role"] == "owner" else []  # only owners add people
        context = {"room": room} | _members(found, people)
        return render(request, "chat/_members.html", context)
    form = MembersForm(request.POST)
    try:
        if not form.is_valid():
            raise Invalid(_("Choose at least one person to add."))
        services.invite(request.user, room_id, form.cleaned_data["members"])
    except NotFound as problem:
        raise Http404 from problem
    except HubError as problem:
        flash.error(request, problem.message)
    return redirect("chat:room", room_id=room_id)


@login_required
@require_http_methods(["POST"])
def remove(request, room_id: int, user_id: int):
    try:
        services.remove_from_room(request.user, room_id, user_id)
    except NotFound as problem:
        raise Http404 from problem
    except HubError as problem:
        flash.error(request, problem.message)
    return redirect("chat:room", room_id=room_id)


@login_required
@require_http_methods(["POST"])
def leave(request, room_id: int):
    try:
        services.leave_room(request.user, room_id)
    except NotFound as problem:
        raise Http404 from problem
    except HubError as problem:
        flash.error(request, problem.message)
        return redirect("chat:room", room_id=room_id)
    return redirect("chat:index")


def _direct_presence(user) -> dict[int, tuple[int, str]]:
    """Room id → (the other person's user id, their presence) for one-to-one direct messages."""
    partners = selectors.direct_partners(user)
    people = list(Person.objects.filter(user_id__in=partners.values()))
    statuses = presence_for(people)
    status_by_user = {person.user_id: statuses[person.pk] for person in people}
    return {room: (other, status_by_user.get(other, "offline")) for room, other in partners.items()}


def _people(request) -> list:
    return list(visible_people(request.user).exclude(user=request.user).exclude(user=None)[:500])


def _sidebar(request) -> dict:
    rooms = selectors.rooms_of(request.user)
    allowed = scopes.rooms_allowed(request)  # a session opened by a link sees only its own rooms
    if allowed is not None:
        rooms = [room for room in rooms if room["id"] in allowed]
    people = _people(request) if allowed is None else []
    return {
        "rooms": rooms,
        "joinable": selectors.channels_to_join(request.user) if allowed is None else [],
        "people": people,
        "direct_presence": _direct_presence(request.user),
        "may_message": selectors.is_staff_member(request.user),
        "statuses": presence_for(people),
        "room_form": RoomForm(),
        "direct_form": DirectForm(),
    }
