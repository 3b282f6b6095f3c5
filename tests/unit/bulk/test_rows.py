"""Checks of one data row of a bulk upload, and the idempotency key of its award."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime

import pytest

from hub.bulk.csvfile import Header, Record, read_header
from hub.bulk.rows import (
    BulkRow,
    Level,
    RowValidator,
    achievement_levels,
    idempotency_key,
    parse_issue_date,
)

NOW = datetime(2025, 6, 30, 12, 0, tzinfo=UTC)
LEVELS = [
    Level("bronze", {"fr": "Bronze", "en": "Bronze"}),
    Level("advanced", {"fr": "Avancé", "en": "Advanced"}),
]
FULL_HEADER = "email,name,level,evidence_url,narrative,issue_date"


def check(
    values: dict[str, str], header: str = FULL_HEADER, levels: list[Level] | None = None
) -> BulkRow:
    parsed: Header = read_header(header)
    row = {field: values.get(field, "") for field in parsed.fields}
    validator = RowValidator(parsed, LEVELS if levels is None else levels, NOW)
    return validator.check(Record(row_number=7, values=row, field_count=len(parsed.fields)))


def valid(**values: str) -> dict[str, str]:
    return {"email": "ada@example.org", "name": "Ada Lovelace", "level": "bronze", **values}


def code_of(row: BulkRow) -> str | None:
    return row.problem.code if row.problem else None


def message_of(row: BulkRow) -> str:
    return row.problem.message() if row.problem else ""


def test_valid_row_is_normalised() -> None:
    row = check(valid(email="  Ada@Example.ORG ", name=" Ada Lovelace ", issue_date="2025-06-01"))

    assert row.problem is None
    assert row.email == "ada@example.org"
    assert row.name == "Ada Lovelace"
    assert row.issue_date == date(2025, 6, 1)
    assert row.row_number == 7


@pytest.mark.parametrize(
    "email",
    ["ada", "ada@", "@example.org", "ada@example", "ada lovelace@example.org", "ada@exa mple.org"],
)
def test_invalid_email(email: str) -> None:
    row = check(valid(email=email))

    assert code_of(row) == "invalid-email"
    assert email.strip() in message_of(row)


def test_missing_email() -> None:
    assert code_of(check(valid(email=" "))) == "missing-email"


def test_empty_name() -> None:
    assert code_of(check(valid(name="  "))) == "missing-name"


def test_given_name_and_name_are_joined() -> None:
    header = "courriel;prénom;nom;niveau"
    row = check(
        {"email": "a@example.org", "given_name": "Ada", "name": "Lovelace", "level": "bronze"},
        header,
    )

    assert row.name == "Ada Lovelace"


def test_level_required_when_achievement_has_levels() -> None:
    row = check(valid(level=""))

    assert code_of(row) == "level-required"
    assert "bronze, advanced" in message_of(row)


def test_unknown_level_lists_the_levels() -> None:
    row = check(valid(level="gold"))

    assert code_of(row) == "unknown-level"
    assert "gold" in message_of(row)


@pytest.mark.parametrize("level", ["advanced", "ADVANCED", "Avancé", "avancé", "Advanced"])
def test_level_by_id_or_name_any_case(level: str) -> None:
    row = check(valid(level=level))

    assert row.problem is None
    assert row.level == "advanced"


def test_level_given_for_achievement_without_levels() -> None:
    assert code_of(check(valid(level="gold"), levels=[])) == "no-levels"


def test_no_level_for_achievement_without_levels() -> None:
    row = check(valid(level=""), levels=[])

    assert row.problem is None
    assert row.level == ""


@pytest.mark.parametrize(
    "url",
    [
        "ftp://example.org/work",
        "javascript:alert(1)",
        "https://",
        "example.org/work",
        "http://ex ample.org",
    ],
)
def test_evidence_url_must_be_http(url: str) -> None:
    assert code_of(check(valid(evidence_url=url))) == "invalid-evidence-url"


def test_https_evidence_url_is_kept() -> None:
    row = check(valid(evidence_url="https://portfolio.example.org/ada?id=1"))

    assert row.evidence_url == "https://portfolio.example.org/ada?id=1"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2025-06-30", date(2025, 6, 30)),
        ("30/06/2025", date(2025, 6, 30)),
        ("1/2/2025", date(2025, 2, 1)),
    ],
)
def test_issue_date_formats(text: str, expected: date) -> None:
    assert check(valid(issue_date=text)).issue_date == expected


@pytest.mark.parametrize(
    "text", ["31/02/2025", "2025-13-01", "06/30/2025", "30.06.2025", "yesterday"]
)
def test_bad_date(text: str) -> None:
    row = check(valid(issue_date=text))

    assert code_of(row) == "invalid-date"
    assert "YYYY-MM-DD or DD/MM/YYYY" in message_of(row)


def test_date_in_the_future() -> None:
    assert code_of(check(valid(issue_date="2025-07-02"))) == "future-date"


def test_tomorrow_in_utc_is_today_somewhere() -> None:
    assert check(valid(issue_date="2025-07-01")).problem is None


def test_date_before_1900() -> None:
    assert code_of(check(valid(issue_date="0025-06-30"))) == "early-date"


def test_field_too_long_names_column_and_maximum() -> None:
    row = check(valid(name="x" * 256))

    assert code_of(row) == "field-too-long"
    assert "256" in message_of(row)
    assert "255" in message_of(row)


def test_control_character_in_name() -> None:
    assert code_of(check(valid(name="Ada\x00Lovelace"))) == "invalid-text"


def test_line_break_in_name() -> None:
    assert code_of(check(valid(name="Ada\nLovelace"))) == "line-break"


def test_line_break_in_narrative_is_kept() -> None:
    row = check(valid(narrative="First line\r\nsecond line"))

    assert row.problem is None
    assert row.narrative == "First line\nsecond line"


def test_wrong_field_count() -> None:
    parsed = read_header(FULL_HEADER)
    validator = RowValidator(parsed, LEVELS, NOW)

    row = validator.check(Record(row_number=3, values={"email": "a@example.org"}, field_count=1))

    assert code_of(row) == "wrong-field-count"
    assert row.problem is not None
    assert row.problem.params == {"count": 1, "expected": 6}


def test_invalid_row_keeps_values_cut_to_column_size() -> None:
    row = check(valid(email="x" * 400))

    assert code_of(row) == "field-too-long"
    assert len(row.email) == 320


def test_french_row_message() -> None:
    row = check(valid(email="ada"))

    assert row.problem is not None
    assert (
        row.problem.message("fr")
        == "« ada » n'est pas une adresse e-mail valide ; écrivez-la sous la forme nom@domaine.fr."
    )


def test_problem_survives_json_round_trip() -> None:
    row = check(valid(level="gold"))
    assert row.problem is not None

    stored = type(row.problem).from_json(row.problem.to_json())

    assert stored == row.problem


def test_parse_issue_date_rejects_empty() -> None:
    assert parse_issue_date("") is None


def test_levels_read_from_published_content() -> None:
    published = {"levels": [{"id": "gold", "name": {"fr": "Or", "en": "Gold"}}]}

    assert achievement_levels(published) == [Level("gold", {"fr": "Or", "en": "Gold"})]


def test_levels_read_from_json_text_default() -> None:
    assert achievement_levels({"levels": "[]"}) == []


def test_idempotency_key_is_stable_and_specific() -> None:
    achievement = uuid.UUID(int=7)
    key = idempotency_key(achievement, "ada@example.org", "gold", date(2025, 6, 30))

    assert key == idempotency_key(achievement, "ada@example.org", "gold", date(2025, 6, 30))
    assert key.startswith("bulk:")
    assert len(key) <= 255
    assert key != idempotency_key(achievement, "ada@example.org", "gold", None)
    assert key != idempotency_key(achievement, "ada@example.org", "silver", date(2025, 6, 30))
    assert key != idempotency_key(uuid.UUID(int=8), "ada@example.org", "gold", date(2025, 6, 30))
