"""Form widgets shared by the apps."""

from django import forms
from django.forms.utils import flatatt
from django.utils.html import format_html
from django.utils.safestring import mark_safe


class FastSelect(forms.Select):
    """A <select> rendered in Python rather than through one template per <option>.

    Django renders every option through its own template include (and builds a dict of attributes for each); a
    filter offering four hundred units spent most of a list page's time there. The HTML is the same: values and
    labels escaped by ``format_html``, the first option whose value matches marked selected.
    """

    def render(self, name, value, attrs=None, renderer=None):
        wanted = {str(v) for v in self.format_value(value)}
        found = False

        def option(option_value, label):
            nonlocal found
            option_value = "" if option_value is None else str(option_value)
            selected = not found and option_value in wanted
            found = found or selected
            return format_html(
                '<option value="{}"{}>{}</option>', option_value, mark_safe(" selected") if selected else "", label
            )

        parts = []
        for option_value, label in self.choices:
            if isinstance(label, (list, tuple)):
                group = mark_safe("".join(option(v, sub_label) for v, sub_label in label))
                parts.append(format_html('<optgroup label="{}">{}</optgroup>', option_value, group))
            else:
                parts.append(option(option_value, label))
        final_attrs = self.build_attrs(self.attrs, attrs)
        return format_html('<select name="{}"{}>{}</select>', name, flatatt(final_attrs), mark_safe("".join(parts)))


def use_fast_selects(form) -> None:
    """Swap every plain single <select> of a bound form for ``FastSelect``, keeping its choices and attributes."""
    for field in form.fields.values():
        if type(field.widget) is forms.Select:
            fast = FastSelect(attrs=field.widget.attrs)
            fast.choices = field.widget.choices
            fast.is_required = field.widget.is_required
            field.widget = fast
