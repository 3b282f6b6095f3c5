"""The trust rule applied to registries: active anywhere passes, suspended fails, unknown warns."""

from __future__ import annotations

from federation.registry import RegistryMember, TrustRegistry
from federation.trust import NOT_IN_REGISTRY, trust_in_registries
from hub.credentials.report import CheckId, CheckStatus

SOURCE = "https://hub.example/.well-known/eunice-registry.json"
UNIVERSITY = "did:web:hub.example:tenants:uni"


def registry(alliance: str, status: str | None, version: int = 7) -> TrustRegistry:
    members = ()
    if status is not None:
        members = (
            RegistryMember(
                did=UNIVERSITY,
                name="Example University",
                url="https://uni.example",
                country="FR",
                status=status,
                member_since="2020-11-01",
            ),
        )
    return TrustRegistry(
        alliance_did=f"did:web:hub.example:tenants:{alliance}",
        alliance_name=alliance.upper(),
        version=version,
        valid_from="2026-01-01T00:00:00Z",
        members=members,
    )


def test_active_member_passes() -> None:
    check = trust_in_registries(UNIVERSITY, [registry("eunice", "active")], SOURCE)

    assert check.check is CheckId.TRUST
    assert check.status is CheckStatus.PASSED
    assert check.message == (
        "issued by Example University, a verified member of EUNICE according to "
        f"{SOURCE} (version 7)"
    )


def test_suspended_member_fails() -> None:
    check = trust_in_registries(UNIVERSITY, [registry("eunice", "suspended")], SOURCE)

    assert check.status is CheckStatus.FAILED
    assert check.message == (
        f"issued by Example University, which is suspended from EUNICE according to {SOURCE} "
        "(version 7)"
    )


def test_active_elsewhere_outweighs_suspension() -> None:
    registries = [registry("eunice", "suspended"), registry("other", "active")]

    check = trust_in_registries(UNIVERSITY, registries, SOURCE)

    assert check.status is CheckStatus.PASSED
    assert "a verified member of OTHER" in check.message


def test_alliance_itself_passes() -> None:
    check = trust_in_registries(
        "did:web:hub.example:tenants:eunice", [registry("eunice", None)], SOURCE
    )

    assert check.status is CheckStatus.PASSED
    assert check.message.startswith("issued by EUNICE, the alliance that publishes")


def test_unknown_issuer_warns() -> None:
    check = trust_in_registries("did:key:z6Mk", [registry("eunice", "active")], SOURCE)

    assert check.status is CheckStatus.WARNING
    assert check.message.startswith(NOT_IN_REGISTRY)


def test_no_registry_warns() -> None:
    check = trust_in_registries(UNIVERSITY, [], SOURCE)

    assert check.status is CheckStatus.WARNING
