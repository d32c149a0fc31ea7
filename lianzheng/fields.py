"""Form fields shared by the apps (ground floor).

``ModelMultipleChoiceField`` looks its values up with ``pk__in``; an id beyond the database's 64-bit integers (sent by
hand, ``posts=9223372036854775808``) then raised ``OverflowError`` on SQLite (a 500) instead of "not one of the
available choices". Single choices are safe: Django's exact lookup already answers "no such row" for them.
"""

from django import forms
from django.core.exceptions import ValidationError

#: The largest id a 64-bit signed integer column holds (SQLite and PostgreSQL ``bigint``).
MAX_ID = 2**63 - 1


def _fits(value) -> bool:
    text = str(value).strip()
    digits = text[1:] if text[:1] in "+-" else text
    return not digits.isdigit() or abs(int(text)) <= MAX_ID


class ModelMultipleChoiceField(forms.ModelMultipleChoiceField):
    """Django's field, refusing ids that no row can have before they reach the database."""

    def _check_values(self, value):
        for pk in value:
            if not _fits(pk):
                raise ValidationError(
                    self.error_messages["invalid_pk_value"], code="invalid_pk_value", params={"pk": pk}
                )
        return super()._check_values(value)
