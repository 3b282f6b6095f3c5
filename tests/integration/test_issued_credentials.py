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


@pytest.fixture
async def issued(db: str, settings: Settings) -> dict[str, Any]:
    tenant = await make_tenant(settings)
    achievement = await make_achievement(tenant, valid_for_months=12, tags=["welcome"])
    award = (await make_award(settings, tenant, achievement, language="fr")).award
    return json.loads(award.credential_text)


async def test_issued_credential_is_schema_valid(issued: dict[str, Any]) -> None:
    assert schema.validate_credential(issued) == []
    assert "validUntil" in issued


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
