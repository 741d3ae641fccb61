"""Directory pages: search, profiles, org chart, vCard, photos, one's own profile and HR import."""

from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from chat.selectors import invitations_of, is_staff_member
from directory import importing, selectors, services
from directory.forms import (
    PLACE_LABELS,
    WEEKDAY_LABELS,
    DirectoryFilterForm,
    ImportForm,
    PhotoForm,
    ProfileForm,
)
from directory.models import LICENSE_TYPES, Bureau
from directory.services import WEEKDAYS
from directory.vcard import file_name, vcard_for
from hub.errors import HubError

PAGE_SIZE = 30


@login_required
def people(request):
    form = DirectoryFilterForm(request.GET, user=request.user)
    page, error = None, None
    if form.is_valid():
        try:
            page = selectors.search_people(
                request.user,
                form.cleaned_data["q"],
                bureau=form.cleaned_data["bureau"],
                team=form.cleaned_data["team"],
                kind=form.cleaned_data["kind"] or None,
                available=form.cleaned_data["available"],
                limit=PAGE_SIZE,
                offset=form.cleaned_data["offset"] or 0,
            )
        except HubError as problem:
            error = problem.message
    else:
        error = " ".join(str(message) for messages_ in form.errors.values() for message in messages_)
    more = None
    if page is not None:
        for person in page.people:
            person.status = page.statuses[person.pk]
        if page.next_offset is not None:
            params = request.GET.copy()
            params["offset"] = page.next_offset
            more = params.urlencode()
    context = {"form": form, "page": page, "error": error, "more": more, "may_message": is_staff_member(request.user)}
    # htmx asks for the results only while the person types; a full load gets the whole page.
    partial = request.htmx and request.htmx.target == "results"
    template = "directory/_results.html" if partial else "directory/people.html"
    return render(request, template, context, status=400 if error else 200)


def _visible_or_404(request, person_id: int):
    person = selectors.person_for(request.user, person_id)
    if person is None:
        raise Http404
    return person


@login_required
def profile(request, person_id: int):
    person = _visible_or_404(request, person_id)
    status = selectors.presence_for([person])[person.pk]
    return render(
        request,
        "directory/profile.html",
        {
            "person": person,
            "status": status,
            "org": selectors.org_chart_for(person, request.user),
            "is_me": person.user_id == request.user.pk,
            "may_message": is_staff_member(request.user),  # invited experts open no direct messages
            "invitations": invitations_of(person.user_id, request.user) if person.is_expert and person.user_id else [],
            "away": selectors.is_out_of_office(person),
            "delegate": selectors.delegate_for(person, request.user),
            "expertise": [LICENSE_TYPES.get(code, code) for code in person.expertise],
            "week": [
                (label, PLACE_LABELS[person.work_pattern[day]])
                for day, label in zip(WEEKDAYS, WEEKDAY_LABELS)
                if person.work_pattern.get(day) in PLACE_LABELS
            ],
        },
    )


@login_required
def org_chart(request, person_id: int):
    person = _visible_or_404(request, person_id)
    org = selectors.org_chart_for(person, request.user)
    people = [*org["chain"], person, *org["reports"]]
    statuses = selectors.presence_for(people)
    for node in people:
        node.status = statuses[node.pk]
    return render(request, "directory/org.html", {"person": person, "org": org})


@login_required
def vcard(request, person_id: int):
    person = _visible_or_404(request, person_id)
    response = HttpResponse(vcard_for(person), content_type="text/vcard; charset=utf-8")
    ascii_name, name = file_name(person)
    response["Content-Disposition"] = f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name)}"
    return response


@login_required
def photo(request, person_id: int):
    person = _visible_or_404(request, person_id)
    if not person.photo:
        raise Http404
    # Photos are re-encoded JPEGs (directory.services.set_photo); never sniffed, never HTML.
    response = FileResponse(person.photo.open("rb"), content_type="image/jpeg")
    response["Cache-Control"] = "private, max-age=3600"
    return response


@login_required
@require_http_methods(["GET", "POST"])
def edit_my_profile(request):
    person = selectors.person_of(request.user)
    if person is None:
        raise Http404
    form = ProfileForm(request.POST or None, instance=person, user=request.user)
    photo_form = PhotoForm()
    if request.method == "POST" and form.is_valid():
        try:
            services.update_own_profile(person, form.cleaned_data)
        except HubError as problem:
            for field, message in problem.fields.items():
                form.add_error(field if field in form.fields else None, message)
        else:
            messages.success(request, _("Your profile is saved."))
            return redirect("directory:profile", person_id=person.pk)
    return render(
        request,
        "directory/edit_profile.html",
        {"form": form, "photo_form": photo_form, "person": person},
        status=400 if form.errors else 200,
    )


@login_required
@require_http_methods(["POST"])
def upload_my_photo(request):
    person = selectors.person_of(request.user)
    if person is None:
        raise Http404
    photo_form = PhotoForm(request.POST, request.FILES)
    if photo_form.is_valid():
        try:
            if photo_form.cleaned_data.get("remove"):
                services.remove_photo(person)
            else:
                services.set_photo(person, photo_form.cleaned_data["photo"])
        except HubError as problem:
            photo_form.add_error("photo", problem.message)
        else:
            messages.success(request, _("Your photo is saved."))
            return redirect("directory:edit_my_profile")
    form = ProfileForm(instance=person, user=request.user)
    return render(
        request, "directory/edit_profile.html", {"form": form, "photo_form": photo_form, "person": person}, status=400
    )


@login_required
@require_http_methods(["POST"])
def set_my_presence(request):
    """The no-script way to choose one's status; pages with scripts send presence.set instead."""
    try:
        services.choose_presence(request.user, request.POST.get("status"))
    except HubError as problem:
        messages.error(request, problem.message)
    back = request.META.get("HTTP_REFERER", "")
    return redirect(back if url_has_allowed_host_and_scheme(back, {request.get_host()}) else "home")


@login_required
@permission_required("directory.add_person", raise_exception=True)
@require_http_methods(["GET", "POST"])
def import_people(request):
    form = ImportForm(request.POST or None, request.FILES or None)
    report = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        dry_run = "dry_run" in request.POST
        # One byte past the limit is enough to refuse the file; more is never held in memory.
        data = upload.read(importing.MAX_FILE_BYTES + 1)
        report = importing.import_people(data, upload.name, dry_run=dry_run)
        if report.ok and not dry_run:
            messages.success(
                request,
                _("Imported: %(created)s new, %(updated)s updated, %(unchanged)s unchanged.")
                % {"created": report.created, "updated": report.updated, "unchanged": report.unchanged},
            )
            return redirect("directory:import")
    return render(
        request,
        "directory/import.html",
        {"form": form, "report": report, "bureaus": Bureau.objects.all()},
        status=400 if report is not None and not report.ok else 200,
    )
