"""Course pages (included by exercises/urls.py into the `exercises` namespace)."""

from django.urls import path

from . import views

urlpatterns = [
    path("courses/", views.courses, name="courses"),
    path("teach/", views.teach, name="teach"),
    path("courses/new/", views.course_create, name="course_create"),
    path("courses/join/", views.course_join, name="course_join"),
    path("courses/<int:course_id>/", views.course_detail, name="course"),
    path("courses/<int:course_id>/roster/import/", views.roster_import, name="roster_import"),
    path("courses/<int:course_id>/roster/<int:user_id>/role/", views.membership_role, name="membership_role"),
    path("courses/<int:course_id>/roster/<int:user_id>/remove/", views.member_remove, name="member_remove"),
    path("courses/<int:course_id>/delete/", views.course_delete, name="course_delete"),
    path("courses/<int:course_id>/assignments/new/", views.assignment_create, name="assignment_create"),
    path("courses/<int:course_id>/assignments/preview/", views.assignment_preview, name="assignment_preview"),
    path("courses/<int:course_id>/gradebook/", views.gradebook, name="gradebook"),
    path("courses/<int:course_id>/gradebook.csv", views.gradebook_csv, name="gradebook_csv"),
    path("assignments/<int:assignment_id>/", views.assignment_detail, name="assignment"),
    path("assignments/<int:assignment_id>/edit/", views.assignment_edit, name="assignment_edit"),
    path("assignments/<int:assignment_id>/delete/", views.assignment_delete, name="assignment_delete"),
    path("assignments/<int:assignment_id>/analytics/", views.analytics, name="analytics"),
    path("assignments/<int:assignment_id>/regrade/", views.regrade, name="regrade"),
    path("assignments/<int:assignment_id>/students/<int:user_id>/", views.student_detail, name="student"),
    path("assignments/<int:assignment_id>/students/<int:user_id>/extension/", views.extension, name="extension"),
    path("assignments/<int:assignment_id>/students/<int:user_id>/reseed/", views.reseed, name="reseed"),
    path("homework/submissions/<str:submission_id>/", views.homework_submission, name="homework_submission"),
    path(
        "homework/submissions/<str:submission_id>/status",
        views.homework_submission_status,
        name="homework_submission_status",
    ),
    path("regrades/<int:job_id>/", views.regrade_job, name="regrade_job"),
    path("regrades/<int:job_id>/status", views.regrade_job_status, name="regrade_job_status"),
]
