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
    every visit."""
    found = False

    def option(value, label):
        nonlocal found
        selected = not found and value in wanted
        found = found or selected
        return f'<option value="{escape(value)}"{" selected" if selected else ""}>{escape(label)}</option>'

    parts = []
    for value, label in choices:
        if isinstance(label, tuple):
            parts.append(f'<optgroup label="{escape(value)}">{"".join(option(v, sub) for v, sub in label)}</optgroup>')
        else:
            parts.append(option(value, label))
    return "".join(parts)


class FastSelect(forms.Select):
    """A <select> rendered in Python rather than through one template per <option>.

    Django renders every option through its own template include (and builds a dict of attributes for each); a
    filter offering four hundred units spent most of a list page's time there. The HTML is the same: values and
    labels escaped (as plain text, in the active language), the first option whose value matches marked selected.
    """

    def render(self, name, value, attrs=None, renderer=None):
        choices = tuple(
            (
                _text(option_value),
                tuple((_text(v), _text(sub)) for v, sub in label) if isinstance(label, (list, tuple)) else _text(label),
            )
            for option_value, label in self.choices
        )
        wanted = frozenset(_text(v) for v in self.format_value(value))
        final_attrs = self.build_attrs(self.attrs, attrs)
        return format_html(
            '<select name="{}"{}>{}</select>', name, flatatt(final_attrs), mark_safe(_options_html(choices, wanted))
        )


def use_fast_selects(form) -> None:
    """Swap every plain single <select> of a bound form for ``FastSelect``, keeping its choices and attributes."""
    for field in form.fields.values():
        if type(field.widget) is forms.Select:
            fast = FastSelect(attrs=field.widget.attrs)
            fast.choices = field.widget.choices
            fast.is_required = field.widget.is_required
            field.widget = fast
