from typing import Any

from django.contrib import admin

from .models import (
    ApiToken, Assignment, Course, Extension, Invitation, LtiContext, LtiDeployment, LtiGradeSync, LtiKey, LtiPlatform,
    Membership, Question, RegradeJob, Submission, Variant,
)


@admin.register(Variant)
class VariantAdmin(admin.ModelAdmin):
    list_display = ("id", "template", "seed", "kind", "owner", "created_at")
    list_filter = ("kind", "template")
    search_fields = ("id", "seed", "owner__username")
    raw_id_fields = ("owner", "assignment", "question")
    readonly_fields = ("id", "created_at")


@admin.register(Submission)
class SubmissionAdmin(admin.ModelAdmin):
    list_display = ("id", "variant", "user", "status", "score", "attempt_number", "created_at", "graded_at")
    list_filter = ("status",)
    search_fields = ("id", "variant__id", "user__username")
    raw_id_fields = ("variant", "user")
    readonly_fields = (
        "id",
        "created_at",
        "enqueued_at",
        "enqueue_count",
        "grading_started_at",
        "graded_at",
        "claim_token",
    )


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ("prefix", "user", "name", "created_at", "last_used_at", "revoked_at")
    search_fields = ("user__username", "name", "prefix")
    raw_id_fields = ("user",)
    readonly_fields = ("prefix", "token_hash", "created_at", "last_used_at")


# ------------------------------------------------------------------------------------ homework


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    raw_id_fields = ("user",)


@admin.register(Course)
class CourseAdmin(admin.ModelAdmin):
    list_display = ("title", "code", "created_by", "created_at")
    search_fields = ("title", "code", "created_by__username")
    raw_id_fields = ("created_by",)
    readonly_fields = ("created_at",)
    inlines = [MembershipInline]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ("user", "course", "role", "created_at")
    list_filter = ("role",)
    search_fields = ("user__username", "user__email", "course__title", "course__code")
    raw_id_fields = ("user", "course")


class QuestionInline(admin.TabularInline):
    model = Question
    extra = 0
    fields = ("position", "member", "template_config", "parts", "points", "tolerance", "followthrough",
              "followthrough_credit")


@admin.register(Assignment)
class AssignmentAdmin(admin.ModelAdmin):
    inlines = (QuestionInline,)
    list_display = ("title", "course", "opens_at", "due_at", "attempts_allowed", "scoring", "reveal")
    list_filter = ("reveal", "scoring", "late_policy")
    search_fields = ("title", "course__title", "course__code")
    raw_id_fields = ("course",)
    readonly_fields = ("secret", "created_at", "updated_at")


@admin.register(Extension)
class ExtensionAdmin(admin.ModelAdmin):
    list_display = ("assignment", "student", "due_at", "created_at")
    search_fields = ("student__username", "assignment__title")
    raw_id_fields = ("assignment", "student")


@admin.register(RegradeJob)
class RegradeJobAdmin(admin.ModelAdmin):
    list_display = ("id", "assignment", "status", "done", "total", "created_by", "created_at", "finished_at")
    list_filter = ("status",)
    search_fields = ("assignment__title", "created_by__username")
    raw_id_fields = ("assignment", "created_by")
    readonly_fields = ("created_at", "finished_at")


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ("user", "course", "status", "invited_by", "created_account", "created_at", "answered_at")
    list_filter = ("status", "created_account")
    search_fields = ("user__username", "course__title", "course__code", "invited_by__username")
    raw_id_fields = ("user", "course", "invited_by")
    readonly_fields = ("created_at", "answered_at")


# ------------------------------------------------------------------------------------ LTI 1.3
class LtiDeploymentInline(admin.TabularInline):
    model = LtiDeployment
    extra = 1
    fields = ("deployment_id", "created_at")
    readonly_fields = ("created_at",)


@admin.register(LtiPlatform)
class LtiPlatformAdmin(admin.ModelAdmin):
    list_display = ("name", "issuer", "client_id", "created_at")
    search_fields = ("name", "issuer", "client_id")
    inlines = [LtiDeploymentInline]


@admin.register(LtiKey)
class LtiKeyAdmin(admin.ModelAdmin):
    """Keys are made by `manage.py lti_rotate_key`; here they can only be unpublished."""

    list_display = ("kid", "active", "created_at")
    fields = ("kid", "public_key", "active", "created_at")
    readonly_fields = ("kid", "public_key", "created_at")

    def has_add_permission(self, request: Any) -> bool:
        return False


@admin.register(LtiContext)
class LtiContextAdmin(admin.ModelAdmin):
    list_display = ("title", "context_id", "deployment", "course", "synced_at")
    raw_id_fields = ("course",)
    search_fields = ("title", "context_id")


@admin.register(LtiGradeSync)
class LtiGradeSyncAdmin(admin.ModelAdmin):
    list_display = ("user", "resource_link", "status", "sent_score", "tries", "updated_at")
    list_filter = ("status",)
    raw_id_fields = ("user", "resource_link")
