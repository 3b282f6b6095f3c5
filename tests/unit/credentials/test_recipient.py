"""The recipient check against Open Badges 2.0 and 3.0 recipient identities."""

from __future__ import annotations

import hashlib

import pytest

from hub.credentials.ob3 import hash_email
from hub.credentials.report import CheckStatus
from hub.credentials.verifier.recipient import (
    RecipientIdentity,
    check_recipient,
    email_identities,
)
from tests.unit.credentials.conftest import read_vector_json

# The 1EdTech validator's Open Badges 2.0 samples are issued to nobody@example.org, hashed
# with SHA-256 and the salt "deadsea".
OB2_RECIPIENT = "nobody@example.org"
VALIDATOR_OB20 = "1EdTech__digital-credentials-public-validator/ob20"
OB3_EXAMPLE = "1EdTech__openbadges-specification/examples/fullOpenBadge.json"


def ob2_identities() -> list[RecipientIdentity]:
    return email_identities(read_vector_json(f"{VALIDATOR_OB20}/basic-assertion.json"))


@pytest.mark.parametrize("typed", [OB2_RECIPIENT, " nobody@example.org ", "Nobody@Example.ORG"])
def test_ob2_hashed_match(typed: str) -> None:
    check = check_recipient(typed, ob2_identities())
    assert check.status is CheckStatus.PASSED


def test_ob2_hashed_mismatch() -> None:
    check = check_recipient("somebody@example.org", ob2_identities())
    assert check.status is CheckStatus.FAILED
    assert "does not match" in check.message


def test_ob3_plain_identities_match() -> None:
    identities = email_identities(read_vector_json(OB3_EXAMPLE))
    assert check_recipient("student@1edtech.edu", identities).status is CheckStatus.PASSED
    assert check_recipient("SOMEBODY@gmail.com", identities).status is CheckStatus.PASSED
    assert check_recipient("student@gmail.com", identities).status is CheckStatus.FAILED


def test_hub_hash_matches() -> None:
    credential = {
        "credentialSubject": {
            "identifier": [
                {
                    "type": "IdentityObject",
                    "identityType": "emailAddress",
                    "hashed": True,
                    "salt": "4f1c",
                    "identityHash": hash_email("Camille.Martin@uphf.fr", "4f1c"),
                }
            ]
        }
    }
    identities = email_identities(credential)
    assert check_recipient("camille.martin@uphf.fr", identities).status is CheckStatus.PASSED
    assert check_recipient("camille@uphf.fr", identities).status is CheckStatus.FAILED


def test_md5_and_uppercase_hex() -> None:
    # md5("nobody@example.orgdeadsea"), written in upper case as IdentityHash allows.
    digest = hashlib.md5(b"nobody@example.orgdeadsea").hexdigest().upper()
    identity = RecipientIdentity(f"md5${digest}", hashed=True, salt="deadsea")
    assert check_recipient(OB2_RECIPIENT, [identity]).status is CheckStatus.PASSED


def test_unknown_algorithm_never_matches() -> None:
    identity = RecipientIdentity("sha1$0123", hashed=True, salt="")
    assert check_recipient(OB2_RECIPIENT, [identity]).status is CheckStatus.FAILED


def test_non_ascii_hash_no_error() -> None:
    identity = RecipientIdentity("sha256$é" * 3, hashed=True, salt="")
    assert check_recipient(OB2_RECIPIENT, [identity]).status is CheckStatus.FAILED


def test_no_address_typed_skipped() -> None:
    assert check_recipient(None, ob2_identities()).status is CheckStatus.SKIPPED
    assert check_recipient("  ", ob2_identities()).status is CheckStatus.SKIPPED


def test_no_email_identity_warning() -> None:
    check = check_recipient(OB2_RECIPIENT, email_identities({"credentialSubject": {"id": "x"}}))
    assert check.status is CheckStatus.WARNING


def test_mailto_subject_id() -> None:
    identities = email_identities({"credentialSubject": {"id": "mailto:nobody@example.org"}})
    assert check_recipient(OB2_RECIPIENT, identities).status is CheckStatus.PASSED
