"""Course pages: my courses, teaching, a new course, joining one, the course page with its roster
(import, roles, removal), deleting a course."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from ...models import Membership
from ...web.http import allow_methods, error_page
from ...web.ratelimit import rate_limited
from ...web.sheets import validation_message
from ..forms.common import attach_errors
from ..forms.courses import CourseForm, JoinForm, RoleForm, RosterImportForm
from ..permissions import can_create_course, is_staff_role
from ..selectors import courses as course_selectors
from ..selectors import homework as homework_selectors
from ..selectors import invitations as invitation_selectors
from ..selectors import regrade as regrade_selectors
from ..services import courses as course_services
from ..services import notices as notice_services
from ..services import roster as roster_services
from ..window import CLOSED, LATE, NOT_OPEN, OPEN
from .common import member_course, member_view, require_instructor, require_staff, site_url

Role = Membership.Role
STATUS_ORDER = {OPEN: 0, LATE: 1, NOT_OPEN: 2, CLOSED: 3}


@member_view
@allow_methods("GET")
def courses(request: HttpRequest) -> HttpResponse:
    """My courses: the homework of every course taken, the courses, joining one."""
    memberships = course_selectors.courses_for_user(user=request.user)
    rows = sorted(
        homework_selectors.assignments_for_user(user=request.user),
        key=lambda row: (STATUS_ORDER.get(row.status, 9), row.due_at),
    )
    return render(
        request,
        "exercises/homework/courses.html",
        {
            "taking": [course for course, role in memberships if role == Role.STUDENT],
            "teaching": [(course, role) for course, role in memberships if is_staff_role(role)],
            "rows": rows,
            "join_form": JoinForm(),
            "invitations": invitation_selectors.invitations_for_user(user=request.user),
        },
    )


@member_view
@allow_methods("GET")
def teach(request: HttpRequest) -> HttpResponse:
    """The courses the user teaches (as instructor or teaching assistant), and a new one."""
    memberships = course_selectors.courses_for_user(user=request.user)
    teaching = [(course, role) for course, role in memberships if is_staff_role(role)]
    assignments = {course.pk: course_selectors.course_assignments(course=course) for course, _role in teaching}
    return render(
        request,
        "exercises/homework/teach.html",
        {
            "teaching": [(course, role, assignments[course.pk]) for course, role in teaching],
            "form": CourseForm() if can_create_course(request.user) else None,
        },
    )


@member_view
@allow_methods("GET", "POST")
def course_create(request: HttpRequest) -> HttpResponse:
    """A new course; its creator becomes its instructor (approved instructors only: others get a 403)."""
    if not can_create_course(request.user):
        return error_page(request, 403, _("Only instructors approved by an administrator may create courses."))
    form = CourseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            course = course_services.course_create(title=form.cleaned_data["title"], instructor=request.user)
        except ValidationError as exc:
            attach_errors(form, exc)
        else:
            messages.success(request, _("Course created. Give your students its code: %(code)s.") % {"code": course.code})
            return redirect("exercises:course", course_id=course.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "exercises/homework/course_form.html", {"form": form}, status=status)


@member_view
@allow_methods("GET", "POST")
@rate_limited("join")
def course_join(request: HttpRequest) -> HttpResponse:
    """Join a course as a student with its code (a link may bring the code along)."""
    if request.method == "POST":
        form = JoinForm(request.POST)
        if form.is_valid():
            try:
                membership = course_services.course_join(code=form.cleaned_data["code"], user=request.user)
            except ValidationError as exc:
                attach_errors(form, exc, {"course": "code", "user": "code"})
            else:
                messages.success(request, _("You are in “%(course)s”.") % {"course": membership.course.title})
                return redirect("exercises:course", course_id=membership.course_id)
        return render(request, "exercises/homework/join.html", {"form": form}, status=400)
    form = JoinForm(initial={"code": request.GET.get("code", "")[:16]})
    return render(request, "exercises/homework/join.html", {"form": form})


@dataclass(frozen=True)
class RosterLine:
    """One member on the roster, with the role form when the viewer is an instructor."""

    membership: Membership
    form: RoleForm | None


@member_view
@allow_methods("GET")
def course_detail(request: HttpRequest, course_id: int) -> HttpResponse:
    """The course page: roster and assignments for staff, the student's homework list otherwise."""
    course, role = member_course(request, course_id)
    context: dict[str, Any] = {"course": course, "role": role}
    if is_staff_role(role):
        members = course_selectors.course_members(course=course)
        context.update(
            staff=True,
            assignments=course_selectors.course_assignments(course=course),
            roster=[
                RosterLine(m, RoleForm(initial={"role": m.role}, prefix=f"m{m.user_id}") if role == Role.INSTRUCTOR else None)
                for m in members
            ],
            counts={r: sum(1 for m in members if m.role == r) for r in Role.values},
            roster_form=RosterImportForm(),
            invitations=invitation_selectors.course_invitations(course=course),
            join_url=request.build_absolute_uri(reverse("exercises:course_join")) + f"?code={course.code}",
        )
    else:
        context["rows"] = homework_selectors.assignments_for_student(course=course, user=request.user)
        context["notices"] = regrade_selectors.regrade_notices_for_student(course=course, user=request.user)
    return render(request, "exercises/homework/course.html", context)


@member_view
@allow_methods("POST")
@rate_limited("grading_write")
def notice_dismiss(request: HttpRequest, course_id: int, notice_id: int) -> HttpResponse:
    """Dismiss one of my regrade notices (another's, or an unknown one, is a 404)."""
    course, _role = member_course(request, course_id)
    if not notice_services.regrade_notice_dismiss(notice_id=notice_id, user=request.user):
        return error_page(request, 404)
    return redirect(reverse("exercises:course", args=[course.pk]) + "#homework-title")


@member_view
@allow_methods("POST")
def roster_import(request: HttpRequest, course_id: int) -> HttpResponse:
    """Invite students from a CSV (instructors; the service refuses others)."""
    course, role = member_course(request, course_id)
    require_staff(role)
    form = RosterImportForm(request.POST, request.FILES)
    if not form.is_valid():
        for error in form.non_field_errors():
            messages.error(request, error)
        return redirect(reverse("exercises:course", args=[course.pk]) + "#roster")
    try:
        result = roster_services.roster_import(course=course, actor=request.user, csv_text=form.cleaned_data["text"],
                                               base_url=site_url(request))
    except ValidationError as exc:
        messages.error(request, validation_message(exc))
        return redirect(reverse("exercises:course", args=[course.pk]) + "#roster")
    messages.success(
        request,
        _("Roster imported. Invitations sent: %(invited)s. Already in the course or invited: "
          "%(unchanged)s. People join when they accept.")
        % {"invited": result.invited, "unchanged": result.unchanged},
    )
    for error in result.errors[:20]:
        messages.warning(request, error)
    if len(result.errors) > 20:
        messages.warning(request, _("… and %(count)s more problems.") % {"count": len(result.errors) - 20})
    return redirect(reverse("exercises:course", args=[course.pk]) + "#roster")


@member_view
@allow_methods("POST")
def membership_role(request: HttpRequest, course_id: int, user_id: int) -> HttpResponse:
    """Change a member's role (instructors)."""
    course, role = member_course(request, course_id)
    require_instructor(role)
    member = course_selectors.course_member_get(course=course, user_id=user_id)
    if member is None:
        return error_page(request, 404)
    form = RoleForm(request.POST, prefix=f"m{member.user_id}")
    if not form.is_valid():
        return error_page(request, 400, _("Choose a role."))
    try:
        course_services.membership_set_role(course=course, actor=request.user, user=member.user, role=form.cleaned_data["role"])
    except ValidationError as exc:
        messages.error(request, validation_message(exc))
    else:
        messages.success(request, _("%(user)s's role is changed.") % {"user": member.user.get_username()})
    return redirect(reverse("exercises:course", args=[course.pk]) + "#roster")


@member_view
@allow_methods("GET", "POST")
def member_remove(request: HttpRequest, course_id: int, user_id: int) -> HttpResponse:
    """Remove someone from the course (instructors): GET asks to confirm, POST removes."""
    course, role = member_course(request, course_id)
    require_instructor(role)
    member = course_selectors.course_member_get(course=course, user_id=user_id)
    if member is None:
        return error_page(request, 404)
    if request.method == "GET":
        return render(request, "exercises/homework/member_remove.html", {"course": course, "member": member})
    try:
        course_services.membership_remove(course=course, actor=request.user, user=member.user)
    except ValidationError as exc:
        messages.error(request, validation_message(exc))
    else:
        messages.success(request, _("%(user)s is no longer in the course.") % {"user": member.user.get_username()})
    return redirect("exercises:course", course_id=course.pk)  # the page's top, where the message shows


@member_view
@allow_methods("POST")
def course_delete(request: HttpRequest, course_id: int) -> HttpResponse:
    """Delete a course with everything in it (instructors)."""
    course, role = member_course(request, course_id)
    require_instructor(role)
    title = course.title
    course_services.course_delete(course=course, actor=request.user)
    messages.success(request, _("The course “%(course)s” is deleted.") % {"course": title})
    return redirect("exercises:teach")
