"""Course pages (included by exercises/urls.py into the `exercises` namespace)."""

from django.urls import path

from .views import analytics, assignments, courses, gradebook, homework, invitations, questions, regrade

urlpatterns = [
    path("courses/", courses.courses, name="courses"),
    path("teach/", courses.teach, name="teach"),
    path("courses/new/", courses.course_create, name="course_create"),
    path("courses/join/", courses.course_join, name="course_join"),
    path("courses/<int:course_id>/", courses.course_detail, name="course"),
    path("courses/<int:course_id>/roster/import/", courses.roster_import, name="roster_import"),
    path("courses/<int:course_id>/roster/<int:user_id>/role/", courses.membership_role, name="membership_role"),
    path("courses/<int:course_id>/roster/<int:user_id>/remove/", courses.member_remove, name="member_remove"),
    path("courses/<int:course_id>/leave/", invitations.course_leave, name="course_leave"),
    path("courses/<int:course_id>/invitations.csv", invitations.invitation_links_csv, name="invitation_links_csv"),
    path("invitations/<int:invitation_id>/accept/", invitations.invitation_accept, name="invitation_accept"),
    path("invitations/<int:invitation_id>/decline/", invitations.invitation_decline, name="invitation_decline"),
    path("courses/<int:course_id>/delete/", courses.course_delete, name="course_delete"),
    path("courses/<int:course_id>/assignments/new/", assignments.assignment_create, name="assignment_create"),
    path("courses/<int:course_id>/assignments/preview/", assignments.assignment_preview, name="assignment_preview"),
    path("courses/<int:course_id>/gradebook/", gradebook.gradebook, name="gradebook"),
    path("courses/<int:course_id>/gradebook.csv", gradebook.gradebook_csv, name="gradebook_csv"),
    path("assignments/<int:assignment_id>/", assignments.assignment_detail, name="assignment"),
    path("assignments/<int:assignment_id>/edit/", assignments.assignment_edit, name="assignment_edit"),
    path("assignments/<int:assignment_id>/delete/", assignments.assignment_delete, name="assignment_delete"),
    path("assignments/<int:assignment_id>/questions/new/", questions.question_create, name="question_create"),
    path("assignments/<int:assignment_id>/questions/move/", questions.question_move, name="question_move"),
    path("assignments/<int:assignment_id>/questions/<int:question_id>/edit/", questions.question_edit,
         name="question_edit"),
    path("assignments/<int:assignment_id>/questions/<int:question_id>/remove/", questions.question_remove,
         name="question_remove"),
    path("assignments/<int:assignment_id>/analytics/", analytics.analytics, name="analytics"),
    path("assignments/<int:assignment_id>/regrade/", regrade.regrade, name="regrade"),
    path("assignments/<int:assignment_id>/students/<int:user_id>/", gradebook.student_detail, name="student"),
    path("assignments/<int:assignment_id>/students/<int:user_id>/extension/", gradebook.extension, name="extension"),
    path("assignments/<int:assignment_id>/students/<int:user_id>/reseed/", gradebook.reseed, name="reseed"),
    path("homework/submissions/<str:submission_id>/", homework.homework_submission, name="homework_submission"),
    path(
        "homework/submissions/<str:submission_id>/status",
        homework.homework_submission_status,
        name="homework_submission_status",
    ),
    path("regrades/<int:job_id>/", regrade.regrade_job, name="regrade_job"),
    path("regrades/<int:job_id>/status", regrade.regrade_job_status, name="regrade_job_status"),
]
