"""Statements in LaTeX rendered to MathML at build time: the pages need no script and no network.

The converter is latex2mathml. It passes what it does not know through silently (``\\foo``
becomes ``<mi>\\foo</mi>``, an ``aligned`` environment keeps its ``&`` as text and breaks lines
with ``<mspace linebreak="newline"/>``, which browsers implementing MathML Core ignore), so its
output is checked: anything of that kind counts as a failed conversion. ``aligned`` is rewritten
to ``align*`` first, which latex2mathml lays out as a table with the same right/left columns.

:func:`math_html` never fails: a LaTeX string that does not convert is replaced by the Unicode
statement in a ``<pre>``, with a visible note saying why.
"""

from __future__ import annotations

import html
import re

from latex2mathml.converter import convert

#: environments latex2mathml lays out wrongly, and the one it lays out the same way correctly
ENVIRONMENTS = {"aligned": "align*"}

#: marks of a conversion that went wrong, with what they mean
BAD_OUTPUT = (
    (re.compile(r"<m(?:i|o|n|text)[^>]*>\\"), "unknown command"),
    (re.compile(r"<mi>&</mi>"), "alignment mark outside a table"),
    (re.compile(r'linebreak="newline"'), "line break outside a table"),
)


#: a minus or plus right after an opening bracket, a relation or a comma is a sign, not a binary
#: operator (TeX's rule); latex2mathml leaves it infix, and browsers space it as ``( − 1)``
_OPEN_OR_RELATION = "|".join([
    "&#x00028;", r"\[", "&#x0005B;", "&#x0007B;", "&#x0003D;", "&#x0002C;", "&#x0003B;",
    "&#x0003A;", "&#x02264;", "&#x02265;", "&#x0003C;", "&#x0003E;", "&#x02260;", "&#x02248;",
    "&#x02208;", "&#x02192;", "&#x021A6;"])
SIGN = re.compile(rf"(<mo[^>]*>(?:{_OPEN_OR_RELATION})</mo>)<mo>(&#x02212;|&#x0002B;|&#x000B1;)</mo>")


class MathError(ValueError):
    """A LaTeX string that does not convert to MathML a browser lays out."""


def _normalise(tex: str) -> str:
    """Environments renamed to ones the converter lays out (see :data:`ENVIRONMENTS`)."""
    for old, new in ENVIRONMENTS.items():
        tex = tex.replace(rf"\begin{{{old}}}", rf"\begin{{{new}}}")
        tex = tex.replace(rf"\end{{{old}}}", rf"\end{{{new}}}")
    return tex


def to_mathml(tex: str, display: bool = True) -> str:
    """``tex`` as a ``<math>`` element; :class:`MathError` if it does not convert cleanly."""
    if not tex.strip():
        raise MathError("empty LaTeX")
    try:
        out = convert(_normalise(tex), display="block" if display else "inline")
    except Exception as exc:  # the converter raises many types (parse errors, index errors)
        raise MathError(f"{type(exc).__name__}: {exc}".rstrip(": ")) from None
    for pattern, reason in BAD_OUTPUT:
        found = pattern.search(out)
        if found:
            raise MathError(f"{reason} ({html.unescape(found.group(0))})")
    return SIGN.sub(r'\1<mo form="prefix">\2</mo>', out)


def unicode_html(text: str) -> str:
    """A statement as printed, kept as plain Unicode text."""
    return f'<pre class="statement">{html.escape(text)}</pre>'


def math_html(tex: str, text: str, display: bool = True) -> str:
    """The MathML of ``tex``; without ``tex``, or where it does not convert, ``text`` (Unicode)
    in a ``<pre>`` — with a note naming the error when the LaTeX was there but failed."""
    if not tex.strip():
        return unicode_html(text) if text else ""
    try:
        return to_mathml(tex, display)
    except MathError as exc:
        note = (f'<p class="note">The LaTeX of this statement did not convert to MathML '
                f"({html.escape(str(exc))}); shown as printed:</p>")
        return note + unicode_html(text or tex)
