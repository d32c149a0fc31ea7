"""Form widgets shared by the apps."""

from functools import lru_cache

from django import forms
from django.forms.utils import flatatt
from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe


def _text(value) -> str:
    return "" if value is None else str(value)


@lru_cache(maxsize=256)
def _options_html(choices: tuple, wanted: frozenset) -> str:
    """The <option>s (and <optgroup>s) of ``choices``, escaped, the first one whose value is wanted selected. Kept
    per process for the same choices and selection: a list page's unit filter is the same four hundred options on
    every visit. Lazy labels compare and hash as their text in the active language, so each language has its own."""
    found = False

    def option(value, label):
        nonlocal found
        value = _text(value)
        selected = not found and value in wanted
        found = found or selected
        return f'<option value="{escape(value)}"{" selected" if selected else ""}>{escape(_text(label))}</option>'

    parts = []
    for value, label in choices:
        if isinstance(label, tuple):
            inner = "".join(option(v, sub) for v, sub in label)
            parts.append(f'<optgroup label="{escape(_text(value))}">{inner}</optgroup>')
        else:
            parts.append(option(value, label))
    return "".join(parts)


def _hashable(choices) -> tuple:
    return tuple(
        (value, tuple(label)) if isinstance(label, (list, tuple)) else (value, label) for value, label in choices
    )


class FastSelect(forms.Select):
    """A <select> rendered in Python rather than through one template per <option>.

    Django renders every option through its own template include (and builds a dict of attributes for each); a
    filter offering four hundred units spent most of a list page's time there. The HTML is the same: values and
    labels escaped (as plain text, in the active language), the first option whose value matches marked selected.
    """

    def render(self, name, value, attrs=None, renderer=None):
        choices = self.choices
        try:
            key = tuple(choices)  # (value, label) pairs as they are: no per-option work on a repeat visit
            hash(key)
        except TypeError:  # option groups come as lists
            key = _hashable(choices)
        wanted = frozenset(_text(v) for v in self.format_value(value))
        final_attrs = self.build_attrs(self.attrs, attrs)
        return format_html(
            '<select name="{}"{}>{}</select>', name, flatatt(final_attrs), mark_safe(_options_html(key, wanted))
        )


def use_fast_selects(form) -> None:
    """Swap every plain single <select> of a bound form for ``FastSelect``, keeping its choices and attributes."""
    for field in form.fields.values():
        if type(field.widget) is forms.Select:
            fast = FastSelect(attrs=field.widget.attrs)
            fast.choices = field.widget.choices
            fast.is_required = field.widget.is_required
            field.widget = fast
