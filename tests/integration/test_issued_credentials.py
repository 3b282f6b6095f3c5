"""Every credential the hub issues is schema-valid and verifies; any edit breaks the proof."""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from typing import Any

import pytest

from hub import verification
from hub.credentials import schema
from hub.settings import Settings
from tests.factories import make_achievement, make_award, make_tenant

pytestmark = pytest.mark.integration

Path = tuple[str | int, ...]


def string_leaves(node: Any, path: Path = ()) -> Iterator[Path]:
    """Paths of every string value outside ``@context`` and ``proof``."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key not in ("@context", "proof"):
                yield from string_leaves(value, (*path, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from string_leaves(value, (*path, index))
    elif isinstance(node, str):
        yield path


def with_one_character_changed(document: dict[str, Any], path: Path) -> dict[str, Any]:
    changed = copy.deepcopy(document)
    parent = changed
    for step in path[:-1]:
        parent = parent[step]
    value = parent[path[-1]]
    position = len(value) // 2
    replacement = "x" if value[position] != "x" else "y"
    parent[path[-1]] = value[:position] + replacement + value[position + 1 :]
    return changed


ESCO_ALIGNMENT = {
    "target_name": "manage a project",
    "target_url": "http://data.europa.eu/esco/skill/d6b4ae6b-5d8e-4a5b-9c2a-7c7f6b3f2a1e",
    "target_framework": "ESCO",
    "target_type": "ceasn:Competency",
}
LEVELS = [
    {"id": "beginner", "name": {"fr": "Débutant", "en": "Beginner"}},
    {
        "id": "advanced",
        "name": {"fr": "Avancé", "en": "Advanced"},
        "description": {"fr": "Anime un atelier.", "en": "Leads a workshop."},
    },
]


@pytest.fixture
async def issued(db: str, settings: Settings) -> dict[str, Any]:
    tenant = await make_tenant(settings)
    achievement = await make_achievement(
        tenant,
        valid_for_months=12,
        tags=["welcome"],
        evidence={"fr": "Feuille de présence.", "en": "Attendance sheet."},
        alignments=[ESCO_ALIGNMENT],
        levels=LEVELS,
        credits_available=2.5,
        eqf_level=6,
    )
    award = (
        await make_award(
            settings,
            tenant,
            achievement,
            language="fr",
            level="advanced",
            evidence_url="https://portfolio.example.org/ada/welcome-week",
            narrative="A animé deux ateliers.",
        )
    ).award
    return json.loads(award.credential_text)


async def test_issued_credential_is_schema_valid(issued: dict[str, Any]) -> None:
    assert schema.validate_credential(issued) == []
    assert "validUntil" in issued


async def test_credential_records_level_and_evidence(issued: dict[str, Any]) -> None:
    subject = issued["credentialSubject"]
    achievement = subject["achievement"]
    description = achievement["resultDescription"][0]
    levels = description["rubricCriterionLevel"]

    assert description["resultType"] == "RubricCriterionLevel"
    assert [level["name"] for level in levels] == ["Débutant", "Avancé"]
    assert subject["result"][0]["resultDescription"] == description["id"]
    assert subject["result"][0]["achievedLevel"] == levels[1]["id"]
    assert issued["evidence"][0]["id"] == "https://portfolio.example.org/ada/welcome-week"
    assert issued["evidence"][0]["narrative"] == "A animé deux ateliers."
    assert achievement["creditsAvailable"] == 2.5
    assert achievement["alignment"][0]["targetFramework"] == "ESCO"
    assert achievement["alignment"][1]["targetUrl"] == "http://data.europa.eu/snb/eqf/6"
    assert achievement["inLanguage"] == "fr"
    assert "Feuille de présence." in achievement["criteria"]["narrative"]
    assert achievement["version"] == "1"


async def test_issued_credential_verifies(issued: dict[str, Any], settings: Settings) -> None:
    report = await verification.verify(settings, issued)

    assert report.valid, report.to_dict()


async def test_any_changed_character_fails_proof(
    issued: dict[str, Any], settings: Settings
) -> None:
    paths = list(string_leaves(issued))
    assert len(paths) > 15

    survivors = []
    for path in paths:
        report = await verification.verify(settings, with_one_character_changed(issued, path))
        proof = next(check for check in report.checks if check.check == "proof")
        if report.valid or proof.status != "failed":
            survivors.append(path)

    assert survivors == []
