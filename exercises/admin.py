from django.contrib import admin

from .models import ApiToken, Submission, Variant


@admin.register(Variant)
class VariantAdmin(admin.ModelAdmin):
    list_display = ("id", "template", "seed", "kind", "owner", "created_at")
    list_filter = ("kind", "template")
    search_fields = ("id", "seed", "owner__username")
    raw_id_fields = ("owner",)
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
