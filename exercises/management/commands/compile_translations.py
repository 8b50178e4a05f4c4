"""Compile the project's .po catalogues to .mo in pure Python (polib): no GNU gettext needed."""

from __future__ import annotations

import site
import sys
from pathlib import Path
from typing import Any

from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser


def project_locale_dirs() -> list[Path]:
    """LOCALE_PATHS plus the locale/ folder of every app inside the project (not site-packages)."""
    base = Path(settings.BASE_DIR).resolve()
    installed = {Path(p).resolve() for p in (sys.prefix, sys.base_prefix, *site.getsitepackages())}
    dirs = [Path(p) for p in settings.LOCALE_PATHS]
    for config in apps.get_app_configs():
        path = Path(config.path).resolve() / "locale"
        third_party = any(root == path or root in path.parents for root in installed)
        if base in path.parents and not third_party:
            dirs.append(path)
    seen: list[Path] = []
    for d in dirs:
        if d.is_dir() and d not in seen:
            seen.append(d)
    return seen


class Command(BaseCommand):
    help = "Compile .po files of the project (LOCALE_PATHS and project apps) to .mo with polib."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--force", action="store_true", help="recompile even if the .mo is newer")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            import polib
        except ImportError as exc:  # pragma: no cover - polib is pinned in requirements.txt
            raise CommandError("polib is not installed: pip install -r requirements.txt") from exc
        compiled = 0
        for locale_dir in project_locale_dirs():
            for po_path in sorted(locale_dir.glob("*/LC_MESSAGES/*.po")):
                mo_path = po_path.with_suffix(".mo")
                if (
                    not options["force"]
                    and mo_path.exists()
                    and mo_path.stat().st_mtime >= po_path.stat().st_mtime
                ):
                    continue
                try:
                    catalogue = polib.pofile(str(po_path))
                except (OSError, ValueError) as exc:
                    raise CommandError(f"{po_path}: {exc}") from exc
                catalogue.save_as_mofile(str(mo_path))
                compiled += 1
                self.stdout.write(f"compiled {po_path.relative_to(settings.BASE_DIR)} "
                                  f"({catalogue.percent_translated()}% translated)")
        self.stdout.write(f"{compiled} catalogue(s) compiled")
