"""Streaming reader of the CSV files of bulk awards (RFC 4180, as spreadsheets export it).

The file is read twice and never kept in memory. A first pass measures its size, hashes it and
detects its encoding. The second pass decodes it and yields one record at a time.

Choices, each reported to the uploader with the fix:
- encoding: UTF-16 with a byte order mark, UTF-8 with or without one, else Windows-1252 (what
  Excel writes for "CSV" on Western European systems), else ISO-8859-1, which decodes any byte;
- delimiter: comma, semicolon or tab, whichever splits the header line into the most known
  column names;
- header: required, names compared without case, accents or punctuation, in French or English.
  An unknown column rejects the file, so a misspelt optional column (``evidance_url``) is not
  silently dropped;
- row numbers count the header as row 1, as a spreadsheet numbers them;
- blank lines are skipped, and empty fields after the last column (some spreadsheets write
  ``a;b;;``) are ignored.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO

from hub.bulk.errors import BulkFileError, UploadTooLargeError

CHUNK_BYTES = 64 * 1024
DELIMITERS = (",", ";", "\t")

REQUIRED_FIELDS = ("email", "name")
OPTIONAL_FIELDS = ("given_name", "level", "evidence_url", "narrative", "issue_date")
EXPECTED_HEADER = "email,name,level,evidence_url,narrative,issue_date"

# Accepted column names, after ``normalise_label``, and the field each one fills.
ALIASES: dict[str, str] = {
    **dict.fromkeys(
        ("email", "e_mail", "courriel", "mail", "email_address", "e_mail_address",
         "adresse_email", "adresse_e_mail", "adresse_courriel"),
        "email",
    ),
    **dict.fromkeys(
        ("name", "nom", "full_name", "nom_complet", "recipient_name", "last_name",
         "family_name", "nom_de_famille"),
        "name",
    ),
    **dict.fromkeys(("given_name", "first_name", "prenom"), "given_name"),
    **dict.fromkeys(("level", "niveau"), "level"),
    **dict.fromkeys(
        ("evidence_url", "evidence", "preuve", "url_preuve", "lien_preuve", "url_de_la_preuve"),
        "evidence_url",
    ),
    **dict.fromkeys(("narrative", "commentaire", "commentaires", "comment", "recit"), "narrative"),
    **dict.fromkeys(
        ("issue_date", "date", "issued_on", "date_emission", "date_d_emission",
         "date_de_delivrance", "date_d_obtention"),
        "issue_date",
    ),
    **dict.fromkeys(("language", "langue", "lang"), "language"),
}  # fmt: skip

# Bytes that Windows-1252 leaves undefined; a file containing one is decoded as ISO-8859-1.
_CP1252_UNDEFINED = (b"\x81", b"\x8d", b"\x8f", b"\x90", b"\x9d")
_WORKBOOK_SIGNATURES = (b"PK\x03\x04", b"\xd0\xcf\x11\xe0")


@dataclass(frozen=True)
class FileFacts:
    """Size, hash and encoding of an upload, from the first pass."""

    size: int
    sha256: str
    encoding: str
    encoding_name: str


def inspect_file(file: IO[bytes], filename: str, max_bytes: int) -> FileFacts:
    """Measure, hash and detect the encoding of ``file``, then rewind it.

    Raises ``UploadTooLargeError`` past ``max_bytes`` and ``BulkFileError`` for an empty file or
    one that is not text (a spreadsheet workbook, an image).
    """
    file.seek(0)
    head = file.read(CHUNK_BYTES)
    _check_head(head, filename)
    digest = hashlib.sha256()
    utf8 = codecs.getincrementaldecoder("utf-8")()
    is_utf8, has_undefined_cp1252, size = True, False, 0
    chunk = head
    while chunk:
        size += len(chunk)
        if size > max_bytes:
            raise UploadTooLargeError(max_bytes)
        digest.update(chunk)
        if is_utf8:
            is_utf8 = _decodes(utf8, chunk)
        has_undefined_cp1252 = has_undefined_cp1252 or any(b in chunk for b in _CP1252_UNDEFINED)
        chunk = file.read(CHUNK_BYTES)
    is_utf8 = is_utf8 and _decodes(utf8, b"", final=True)
    file.seek(0)
    encoding, name = _choose_encoding(head, is_utf8, has_undefined_cp1252)
    return FileFacts(size=size, sha256=digest.hexdigest(), encoding=encoding, encoding_name=name)


def _check_head(head: bytes, filename: str) -> None:
    if not head.strip():
        raise BulkFileError("empty-file", filename=filename)
    if head.startswith(_WORKBOOK_SIGNATURES):
        raise BulkFileError("workbook-file", filename=filename)
    if b"\x00" in head and not head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise BulkFileError("binary-file", filename=filename)


def _decodes(decoder: codecs.IncrementalDecoder, chunk: bytes, final: bool = False) -> bool:
    try:
        decoder.decode(chunk, final)
    except UnicodeDecodeError:
        return False
    return True


def _choose_encoding(head: bytes, is_utf8: bool, has_undefined_cp1252: bool) -> tuple[str, str]:
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16", "UTF-16"
    if is_utf8:
        if head.startswith(codecs.BOM_UTF8):
            return "utf-8-sig", "UTF-8 with BOM"
        return "utf-8", "UTF-8"
    if has_undefined_cp1252:
        return "iso-8859-1", "ISO-8859-1 (Latin-1)"
    return "cp1252", "Windows-1252"


def normalise_label(label: str) -> str:
    """Reduce a column name to lower-case ASCII words joined by ``_`` ("Date d'émission")."""
    decomposed = unicodedata.normalize("NFKD", label.replace("\ufeff", ""))
    ascii_only = "".join(char for char in decomposed if not unicodedata.combining(char))
    return re.sub(r"[^a-z0-9]+", "_", ascii_only.lower()).strip("_")


@dataclass(frozen=True)
class Header:
    """The columns of a file: the field of each position, and each field's label as written."""

    fields: tuple[str, ...]
    labels: dict[str, str]
    delimiter: str

    @property
    def delimiter_name(self) -> str:
        return {",": "comma", ";": "semicolon", "\t": "tab"}[self.delimiter]


@dataclass(frozen=True)
class Record:
    """One non-blank data row: its values by field, and how many fields it really had."""

    row_number: int
    values: dict[str, str]
    field_count: int


class CsvUpload:
    """Header and records of an inspected file; iterate over it once to read the records."""

    def __init__(self, file: IO[bytes], facts: FileFacts, max_rows: int) -> None:
        self._text = io.TextIOWrapper(file, encoding=facts.encoding, newline="")
        self._max_rows = max_rows
        self.header = read_header(self._text.readline())

    def __iter__(self) -> Iterator[Record]:
        reader = csv.reader(self._text, delimiter=self.header.delimiter, strict=True)
        width = len(self.header.fields)
        row_number = data_rows = 0
        record_line = 2
        try:
            for cells in reader:
                row_number += 1
                if not any(cell.strip() for cell in cells):
                    record_line = reader.line_num + 2
                    continue
                data_rows += 1
                if data_rows > self._max_rows:
                    raise BulkFileError("too-many-rows", maximum=self._max_rows)
                while len(cells) > width and not cells[-1].strip():
                    cells.pop()
                values = dict(zip(self.header.fields, cells, strict=False))
                yield Record(row_number + 1, values, len(cells))
                record_line = reader.line_num + 2
        except csv.Error as error:
            raise _malformed(error, record_line) from error
        if data_rows == 0:
            raise BulkFileError("no-rows")

    def close(self) -> None:
        """Release the text layer without closing the caller's file."""
        self._text.detach()


def _malformed(error: csv.Error, line: int) -> BulkFileError:
    reason = str(error)
    if "field larger than field limit" in reason or "unexpected end of data" in reason:
        return BulkFileError("unclosed-quote", line=line)
    return BulkFileError("malformed-csv", line=line, reason=reason)


def read_header(line: str) -> Header:
    """Find the delimiter and each column's field; raise ``BulkFileError`` if unusable."""
    delimiter, cells = _sniff_delimiter(line)
    while cells and not cells[-1].strip():
        cells.pop()
    fields: list[str] = []
    labels: dict[str, str] = {}
    unknown: list[str] = []
    for position, cell in enumerate(cells, start=1):
        label = cell.strip()
        field = ALIASES.get(normalise_label(label))
        if not label:
            raise BulkFileError("empty-column-name", position=position)
        if field is None:
            unknown.append(label)
            continue
        if field in labels:
            raise BulkFileError("duplicate-columns", first=labels[field], second=label)
        fields.append(field)
        labels[field] = label
    _check_columns(labels, unknown)
    return Header(fields=tuple(fields), labels=labels, delimiter=delimiter)


def _sniff_delimiter(line: str) -> tuple[str, list[str]]:
    best: tuple[int, int, str, list[str]] | None = None
    for delimiter in DELIMITERS:
        cells = next(csv.reader([line.rstrip("\r\n")], delimiter=delimiter), [])
        known = sum(normalise_label(cell) in ALIASES for cell in cells)
        candidate = (known, len(cells), delimiter, cells)
        if best is None or candidate[:2] > best[:2]:
            best = candidate
    assert best is not None
    known, _, delimiter, cells = best
    if known == 0:
        first_line = line.strip()[:80]
        code = "header-looks-like-data" if "@" in first_line else "header-not-recognised"
        raise BulkFileError(code, first_line=first_line, expected=EXPECTED_HEADER)
    return delimiter, cells


def _check_columns(labels: dict[str, str], unknown: list[str]) -> None:
    if unknown:
        raise BulkFileError(
            "unknown-columns",
            columns=", ".join(repr(label) for label in unknown),
            expected=EXPECTED_HEADER,
        )
    if "language" in labels:
        raise BulkFileError("language-column", column=labels["language"])
    missing = [field for field in REQUIRED_FIELDS if field not in labels]
    if missing:
        raise BulkFileError("missing-columns", columns=", ".join(missing), expected=EXPECTED_HEADER)
