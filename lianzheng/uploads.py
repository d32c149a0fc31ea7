"""What may be uploaded, checked in one place for every app (evidence, complaint attachments, phase deliverables).

A file is accepted only when its extension is allowed, it is within ``settings.UPLOAD_MAX_BYTES``, and its own
leading bytes say it is what the extension claims (an Office Open XML package must also contain its main part),
so a renamed program or web page is refused whatever it is called.
"""

import os
import zipfile
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # the legacy .doc/.xls container
ZIP = b"PK\x03\x04"


@dataclass(frozen=True)
class FileType:
    content_type: str
    magics: tuple[bytes, ...]
    member: str | None = None  # a part an OOXML package must contain


DOCUMENTS = {
    ".pdf": FileType("application/pdf", (b"%PDF-",)),
    ".doc": FileType("application/msword", (OLE2,)),
    ".xls": FileType("application/vnd.ms-excel", (OLE2,)),
    ".docx": FileType(
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document", (ZIP,), "word/document.xml"
    ),
    ".xlsx": FileType("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", (ZIP,), "xl/workbook.xml"),
}
IMAGES = {
    ".png": FileType("image/png", (b"\x89PNG\r\n\x1a\n",)),
    ".jpg": FileType("image/jpeg", (b"\xff\xd8\xff",)),
    ".jpeg": FileType("image/jpeg", (b"\xff\xd8\xff",)),
    ".gif": FileType("image/gif", (b"GIF87a", b"GIF89a")),
}


def _content_matches(upload, kind: FileType) -> bool:
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    if not any(head.startswith(magic) for magic in kind.magics):
        return False
    if kind.member is None:
        return True
    try:
        with zipfile.ZipFile(upload) as package:
            return kind.member in package.namelist()
    except zipfile.BadZipFile:
        return False
    finally:
        upload.seek(0)


def check_upload(upload, *, images: bool = False) -> tuple[str, str]:
    """Refuse what may not be stored; return (content type, lower-case extension) of an accepted file."""
    allowed = DOCUMENTS | IMAGES if images else DOCUMENTS
    name = os.path.basename(upload.name or "")
    ext = os.path.splitext(name)[1].lower()
    if ext not in allowed:
        what = (
            _("PDF、Word、Excel 文件或图片(PNG/JPG/GIF)")
            if images
            else _("PDF、Word(.doc/.docx)或 Excel(.xls/.xlsx)文件")
        )
        raise ValidationError(
            _("“%(name)s”的类型不允许：只能上传 %(allowed)s。(File type not allowed.)")
            % {"name": name, "allowed": what}
        )
    limit = settings.UPLOAD_MAX_BYTES
    if upload.size > limit:
        raise ValidationError(
            _("“%(name)s”超过大小上限 %(mb)s MB，请压缩或拆分后再上传。(File too large.)")
            % {"name": name, "mb": round(limit / 1024 / 1024, 1)}
        )
    if not _content_matches(upload, allowed[ext]):
        raise ValidationError(
            _("“%(name)s”的内容不是真正的 %(ext)s 文件，请检查后重新上传。(File content does not match its type.)")
            % {"name": name, "ext": ext}
        )
    return allowed[ext].content_type, ext


def delete_on_commit(name: str | None) -> None:
    """Remove a stored file once the transaction that stopped referring to it has committed (a replaced upload);
    nothing is removed if it rolls back."""
    if name:
        from django.core.files.storage import default_storage
        from django.db import transaction

        transaction.on_commit(lambda: default_storage.delete(name))
