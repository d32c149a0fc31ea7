"""Forms of the organisation pages."""

from django import forms
from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

XLSX_MAGIC = b"PK\x03\x04"  # an .xlsx workbook is a zip archive


class RosterUploadForm(forms.Form):
    file = forms.FileField(
        label=_("花名册文件 (.xlsx)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx", "class": "form-control"}),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith(".xlsx"):
            raise forms.ValidationError(
                _("只能上传 .xlsx 格式的 Excel 工作簿 (only .xlsx files are accepted)"), code="extension"
            )
        if upload.size > settings.UPLOAD_MAX_BYTES:
            raise forms.ValidationError(
                _("文件过大：最大 %(limit)s (file too large)"),
                code="size",
                params={"limit": filesizeformat(settings.UPLOAD_MAX_BYTES)},
            )
        head = upload.read(len(XLSX_MAGIC))
        upload.seek(0)
        if head != XLSX_MAGIC:
            raise forms.ValidationError(
                _("文件不是有效的 Excel 工作簿 (.xlsx) (not an .xlsx workbook)"), code="not_xlsx"
            )
        return upload
