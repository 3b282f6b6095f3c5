"""The CSV reader of bulk awards: encodings, delimiters, headers, limits and malformed files."""

from __future__ import annotations

import codecs
import hashlib
import io

import pytest

from hub.bulk.csvfile import CsvUpload, Record, inspect_file
from hub.bulk.errors import BulkFileError, UploadTooLargeError

MAX_BYTES = 10 * 1024 * 1024


def read(data: bytes, max_rows: int = 50_000) -> tuple[CsvUpload, list[Record]]:
    file = io.BytesIO(data)
    facts = inspect_file(file, "intake.csv", MAX_BYTES)
    upload = CsvUpload(file, facts, max_rows)
    records = list(upload)
    upload.close()
    return upload, records


def file_error(data: bytes, max_rows: int = 50_000) -> BulkFileError:
    with pytest.raises(BulkFileError) as caught:
        read(data, max_rows)
    return caught.value


def test_utf8_without_bom() -> None:
    data = "email,name\nelise@example.org,Élise Vandamme\n".encode()

    facts = inspect_file(io.BytesIO(data), "intake.csv", MAX_BYTES)
    _, records = read(data)

    assert facts.encoding_name == "UTF-8"
    assert records[0].values["name"] == "Élise Vandamme"


def test_utf8_with_bom_is_stripped() -> None:
    data = codecs.BOM_UTF8 + "email,name\nelise@example.org,Élise\n".encode()

    facts = inspect_file(io.BytesIO(data), "intake.csv", MAX_BYTES)
    upload, records = read(data)

    assert facts.encoding_name == "UTF-8 with BOM"
    assert upload.header.fields == ("email", "name")
    assert records[0].values["email"] == "elise@example.org"


def test_windows_1252_falls_back_with_name() -> None:
    data = "email;nom\nelise@example.org;Élise Œuvre \u2013 2€\n".encode("cp1252")

    facts = inspect_file(io.BytesIO(data), "intake.csv", MAX_BYTES)
    _, records = read(data)

    assert facts.encoding_name == "Windows-1252"
    assert records[0].values["name"] == "Élise Œuvre \u2013 2€"


def test_latin1_when_windows_1252_cannot_decode() -> None:
    # 0x81 is undefined in Windows-1252, so only ISO-8859-1 reads the file.
    data = b"email,name\nelise@example.org,\xc9lise\x81\n"

    facts = inspect_file(io.BytesIO(data), "intake.csv", MAX_BYTES)
    _, records = read(data)

    assert facts.encoding_name == "ISO-8859-1 (Latin-1)"
    assert records[0].values["name"] == "Élise\x81"


def test_utf16_with_bom_from_excel_unicode_text() -> None:
    data = "email\tname\nelise@example.org\tÉlise\n".encode("utf-16")

    facts = inspect_file(io.BytesIO(data), "intake.txt", MAX_BYTES)
    upload, records = read(data)

    assert facts.encoding_name == "UTF-16"
    assert upload.header.delimiter == "\t"
    assert records[0].values["name"] == "Élise"


def test_invalid_utf8_late_in_file_is_detected() -> None:
    rows = "".join(f"s{number}@example.org,Student {number}\n" for number in range(20_000))
    data = ("email,name\n" + rows).encode() + "last@example.org,Zoé\n".encode("cp1252")

    facts = inspect_file(io.BytesIO(data), "intake.csv", MAX_BYTES)
    _, records = read(data)

    assert facts.encoding_name == "Windows-1252"
    assert records[-1].values["name"] == "Zoé"


@pytest.mark.parametrize(("delimiter", "name"), [(",", "comma"), (";", "semicolon"), ("\t", "tab")])
def test_delimiter_sniffed_from_header(delimiter: str, name: str) -> None:
    header = delimiter.join(["email", "name", "level"])
    row = delimiter.join(["ada@example.org", '"Ada, Countess; of Lovelace"', "gold"])

    upload, records = read(f"{header}\n{row}\n".encode())

    assert upload.header.delimiter == delimiter
    assert upload.header.delimiter_name == name
    assert records[0].values["name"] == "Ada, Countess; of Lovelace"


def test_french_headers_any_case_and_accents() -> None:
    data = "Courriel;PRÉNOM;Nom;Niveau;Preuve;Commentaire;Date\n".encode()
    data += b"ada@example.org;Ada;Lovelace;or;https://ex.org/a;Bien;01/02/2025\n"

    upload, records = read(data)

    assert upload.header.fields == (
        "email",
        "given_name",
        "name",
        "level",
        "evidence_url",
        "narrative",
        "issue_date",
    )
    assert upload.header.labels["given_name"] == "PRÉNOM"
    assert records[0].values["issue_date"] == "01/02/2025"


def test_english_aliases_with_spaces_and_hyphens() -> None:
    upload, _ = read(b"E-mail,Full Name,Evidence URL,Issue date\na@example.org,A,,\n")

    assert upload.header.fields == ("email", "name", "evidence_url", "issue_date")


def test_missing_required_column_names_it_and_expected_header() -> None:
    error = file_error(b"email,level\nada@example.org,gold\n")

    assert error.code == "missing-columns"
    assert "name" in error.message
    assert "email,name,level,evidence_url,narrative,issue_date" in error.message


def test_unknown_column_is_rejected_by_name() -> None:
    error = file_error(b"email,name,evidance_url\nada@example.org,Ada,https://ex.org\n")

    assert error.code == "unknown-columns"
    assert "'evidance_url'" in error.message


def test_duplicate_column_is_rejected() -> None:
    error = file_error(b"email,courriel,name\na@example.org,b@example.org,Ada\n")

    assert error.code == "duplicate-columns"
    assert '"email"' in error.message
    assert '"courriel"' in error.message


def test_language_column_explains_one_file_per_language() -> None:
    error = file_error(b"email,name,langue\na@example.org,Ada,fr\n")

    assert error.code == "language-column"
    assert "one file per language" in error.message


def test_empty_column_name_inside_header() -> None:
    error = file_error(b"email,,name\na@example.org,x,Ada\n")

    assert error.code == "empty-column-name"
    assert "Column 2" in error.message


def test_trailing_empty_header_cells_are_ignored() -> None:
    upload, records = read(b"email;name;;\na@example.org;Ada;;\n")

    assert upload.header.fields == ("email", "name")
    assert records[0].field_count == 2


def test_data_instead_of_header() -> None:
    error = file_error(b"ada@example.org,Ada Lovelace\n")

    assert error.code == "header-looks-like-data"
    assert "ada@example.org,Ada Lovelace" in error.message


def test_unrecognised_header() -> None:
    error = file_error(b"foo,bar\n1,2\n")

    assert error.code == "header-not-recognised"


def test_empty_file() -> None:
    error = file_error(b"")

    assert error.code == "empty-file"
    assert "intake.csv" in error.message


def test_whitespace_only_file() -> None:
    assert file_error(b"  \n\n").code == "empty-file"


def test_header_only() -> None:
    assert file_error(b"email,name\n").code == "no-rows"


def test_header_and_blank_lines_only() -> None:
    assert file_error(b"email,name\n\n,\n\n").code == "no-rows"


def test_excel_workbook_is_named() -> None:
    error = file_error(b"PK\x03\x04\x14\x00\x06\x00" + b"\x00" * 100)

    assert error.code == "workbook-file"
    assert "CSV UTF-8" in error.message


def test_binary_file() -> None:
    assert file_error(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR").code == "binary-file"


def test_quoted_field_with_newline() -> None:
    data = b'email,name,narrative\na@example.org,Ada,"Line one\nline two"\nb@example.org,Bo,x\n'

    _, records = read(data)

    assert records[0].values["narrative"] == "Line one\nline two"
    assert records[1].row_number == 3


def test_row_numbers_count_header_and_blank_lines() -> None:
    _, records = read(b"email,name\na@example.org,A\n\nb@example.org,B\n")

    assert [record.row_number for record in records] == [2, 4]


def test_missing_and_extra_fields_are_counted() -> None:
    _, records = read(b"email,name,level\na@example.org,A\nb@example.org,B,gold,extra\n")

    assert records[0].field_count == 2
    assert records[1].field_count == 4


def test_trailing_empty_fields_are_ignored() -> None:
    _, records = read(b"email,name\na@example.org,A,,,\n")

    assert records[0].field_count == 2


def test_unclosed_quote_names_the_line() -> None:
    error = file_error(b'email,name\na@example.org,A\nb@example.org,"Bo\nc@example.org,C\n')

    assert error.code == "unclosed-quote"
    assert "line 3" in error.message


def test_text_after_closing_quote_is_malformed() -> None:
    error = file_error(b'email,name\na@example.org,"Ada"Lovelace\n')

    assert error.code == "malformed-csv"
    assert "line 2" in error.message


def test_row_limit_names_the_maximum() -> None:
    rows = "".join(f"s{number}@example.org,S\n" for number in range(100_001))

    error = file_error(("email,name\n" + rows).encode())

    assert error.code == "too-many-rows"
    assert "50,000" in error.message
    assert "Split it" in error.message


def test_row_limit_ignores_blank_lines() -> None:
    _, records = read(b"email,name\na@example.org,A\n\n\n\nb@example.org,B\n", max_rows=2)

    assert len(records) == 2


def test_upload_over_size_limit() -> None:
    data = b"email,name\n" + b"a@example.org,Ada\n" * 1000

    with pytest.raises(UploadTooLargeError) as caught:
        inspect_file(io.BytesIO(data), "intake.csv", 4096)

    assert caught.value.code == "upload-too-large"
    assert "4,096 bytes" in caught.value.message


def test_file_facts_hash_and_rewind() -> None:
    data = b"email,name\na@example.org,Ada\n"
    file = io.BytesIO(data)

    facts = inspect_file(file, "intake.csv", MAX_BYTES)

    assert facts.size == len(data)
    assert facts.sha256 == hashlib.sha256(data).hexdigest()
    assert file.tell() == 0


def test_french_message_of_file_error() -> None:
    error = file_error(b"email\n")

    assert error.message_in("fr").startswith("L'en-tête n'a pas de colonne pour name")
