from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ExercisesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "exercises"
    verbose_name = _("Exercises")

    def ready(self) -> None:
        """Wire the rooms together: kinds of variant into the grading registry, signal receivers."""
        from .courses.grading import HomeworkKind
        from .grading.registry import PracticeKind, register_kind
        from .models import Variant
        from .accounts import signals as account_signals  # noqa: F401  (connects the receivers)
        from .practice import signals  # noqa: F401  (connects the receivers)
        from .lti import receivers  # noqa: F401  (grade passback after homework scores change)

        register_kind(Variant.Kind.PRACTICE, PracticeKind())
        register_kind(Variant.Kind.HOMEWORK, HomeworkKind())
