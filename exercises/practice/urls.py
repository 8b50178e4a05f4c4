"""Practice pages: home, walkthrough, practice, submissions, history, progress, adaptive practice, sign-up."""

from django.urls import path

from . import progress_views, views, walkthrough

urlpatterns = [
    path("", views.home, name="home"),
    path("walkthrough/", walkthrough.walkthrough, name="walkthrough"),
    path("practice/", views.practice_list, name="practice_list"),
    path("practice/<str:template>/", views.practice_start, name="practice_start"),
    path("practice/<str:template>/<str:seed>/", views.practice, name="practice"),
    path("practice/<str:template>/<str:seed>/hint", views.practice_hint, name="practice_hint"),
    path("submissions/<str:submission_id>/", views.submission_detail, name="submission"),
    path("submissions/<str:submission_id>/status", views.submission_status, name="submission_status"),
    path("submissions/<str:submission_id>/reveal", views.submission_reveal, name="submission_reveal"),
    path("history/", views.history, name="history"),
    path("progress/", progress_views.progress, name="progress"),
    path("adaptive/", progress_views.adaptive_start, name="adaptive_start"),
    path("adaptive/<str:variant_id>/", progress_views.adaptive_exercise, name="adaptive_exercise"),
    path("accounts/signup/", views.signup, name="signup"),
]
