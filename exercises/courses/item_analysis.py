"""What the analytics page says about item analysis: the formulas (MathML from LaTeX, each with
a reading in the page's language) and a word for each facility and discrimination index, with
the bands Moodle's quiz statistics report uses."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import latex2mathml.converter
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

# latex2mathml writes \mathrm{CIC} as one <mi> per letter, which a screen reader spells out.
_UPRIGHT = re.compile(r'<mrow>((?:<mi mathvariant="normal">[A-Za-z]</mi>){2,})</mrow>')
_LETTER = re.compile(r'<mi mathvariant="normal">([A-Za-z])</mi>')


@dataclass(frozen=True)
class Formula:
    """One formula of the item analysis: its name, LaTeX and a reading for screen readers."""

    name: str
    latex: str
    reading: str


FORMULAS = (
    Formula(_("Facility index"), r"F_i = 100 \cdot \frac{\bar{x}_i}{x_{i,\max}}",
            _("F i equals 100 times the mean score on item i over the item's maximum")),
    Formula(_("Standard deviation"), r"\mathrm{SD}_i = 100 \cdot \frac{\sqrt{V(x_i)}}{x_{i,\max}}",
            _("SD i equals 100 times the square root of the variance of the item's scores, over its maximum")),
    Formula(_("Discrimination index"),
            r"D_i = 100 \cdot \frac{C(x_i, X_i)}{\sqrt{V(x_i)\,V(X_i)}},\quad X_i = T - x_i",
            _("D i equals 100 times the covariance of the item's scores with the rest of the test, over the "
              "square root of the product of their variances; the rest of the test is the total minus the item")),
    Formula(_("Discriminative efficiency"), r"\mathrm{DE}_i = 100 \cdot \frac{C(x_i, X_i)}{C_{\max}(x_i, X_i)}",
            _("DE i equals 100 times the covariance over the largest covariance the same scores allow, "
              "both lists sorted")),
    Formula(_("Variance and covariance"),
            r"V(x) = \frac{1}{n-1}\sum_{s=1}^{n}(x_s - \bar{x})^2,\quad "
            r"C(x, y) = \frac{1}{n-1}\sum_{s=1}^{n}(x_s - \bar{x})(y_s - \bar{y})",
            _("V of x is the sum of squared deviations from the mean over n minus 1; C of x and y the sum of "
              "products of their deviations over n minus 1, over the n students")),
    Formula(_("Coefficient of internal consistency"),
            r"\mathrm{CIC} = 100 \cdot \frac{k}{k-1}\left(1 - \frac{\sum_{i} V(x_i)}{V(T)}\right)",
            _("CIC equals 100 times k over k minus 1, times one minus the sum of the item variances over "
              "the variance of the total, for k items")),
)


@lru_cache(maxsize=32)
def _mathml(latex: str) -> str:
    mathml = latex2mathml.converter.convert(latex, display="block")
    return _UPRIGHT.sub(lambda m: "<mi>" + "".join(_LETTER.findall(m.group(1))) + "</mi>", mathml)


def formula_mathml(formula: Formula) -> SafeString:
    """The formula as one ``<math>`` with its reading (in the current language) as alttext."""
    body = _mathml(formula.latex).replace("<math ", f'<math alttext="{escape(str(formula.reading))}" ', 1)
    return mark_safe(body)  # noqa: S308 — latex2mathml output of our own constant LaTeX; alttext escaped


def facility_reading(value: float | None) -> str:
    """A word for a facility index (Moodle's bands), "" when undefined."""
    if value is None:
        return ""
    bands = (
        (5, _("extremely difficult")), (10, _("very difficult")), (20, _("difficult")),
        (34, _("moderately difficult")), (65, _("about right")), (80, _("fairly easy")),
        (89, _("easy")), (94, _("very easy")),
    )
    for limit, word in bands:
        if value <= limit:
            return str(word)
    return str(_("extremely easy"))


def discrimination_reading(value: float | None) -> tuple[str, str]:
    """A word for a discrimination index (Moodle's bands) and a class for its cell ("" when
    fine); ("", "") when undefined."""
    if value is None:
        return "", ""
    if value < 0:
        return str(pgettext_lazy("discrimination", "negative: check this item")), "reading-bad"
    if value < 20:
        return str(pgettext_lazy("discrimination", "very weak")), "reading-weak"
    if value < 30:
        return str(pgettext_lazy("discrimination", "weak")), "reading-weak"
    if value < 50:
        return str(pgettext_lazy("discrimination", "adequate")), ""
    return str(pgettext_lazy("discrimination", "very good")), ""
