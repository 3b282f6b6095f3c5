import re
from collections import Counter
from urllib.parse import urlsplit

import pytest

from hub.badge_image import render_badge_svg
from tenants.seed_data import (
    ACHIEVEMENTS,
    ALLIANCE,
    ALLIANCE_ACHIEVEMENTS,
    DEMO_AWARDS,
    DEMO_PEOPLE,
    TENANTS,
    UPHF_ACHIEVEMENTS,
    AchievementSeed,
    TenantSeed,
)

EXPECTED_COUNTRIES = {
    "uphf": "FR",
    "btu": "DE",
    "unican": "ES",
    "kau": "SE",
    "unict": "IT",
    "umons": "BE",
    "put": "PL",
    "uwasa": "FI",
    "uop": "GR",
}
# The AchievementType enumeration of Open Badges 3.0 (1EdTech).
ACHIEVEMENT_TYPES = {
    "Achievement", "ApprenticeshipCertificate", "Assessment", "Assignment", "AssociateDegree",
    "Award", "Badge", "BachelorDegree", "Certificate", "CertificateOfCompletion",
    "Certification", "CommunityService", "Competency", "Course", "CoCurricular", "Degree",
    "Diploma", "DoctoralDegree", "Fieldwork", "GeneralEducationDevelopment",
    "JourneymanCertificate", "LearningProgram", "License", "Membership",
    "ProfessionalDoctorate", "QualityAssuranceCredential", "MasterCertificate", "MasterDegree",
    "MicroCredential", "ResearchDoctorate", "SecondarySchoolDiploma",
}  # fmt: skip
FIRST_AID_SLUGS = {"psc1", "water-rescue", "sst"}
URL_SAFE_SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
DOMAIN = re.compile(r"(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}")
HEX_COLOR = re.compile(r"#[0-9a-f]{6}")
TENANT_ROLES = {"admin", "editor", "approver", "issuer"}


def assert_https_url(url: str) -> None:
    parts = urlsplit(url)
    assert parts.scheme == "https", url
    assert DOMAIN.fullmatch(parts.hostname or ""), url
    assert not parts.username, url
    assert not parts.query, url


@pytest.mark.parametrize("slug", sorted(EXPECTED_COUNTRIES))
def test_tenant_slug_present_once(slug: str) -> None:
    assert Counter(tenant.slug for tenant in TENANTS)[slug] == 1


def test_tenants_are_alliance_members() -> None:
    assert len(TENANTS) == len(EXPECTED_COUNTRIES)
    assert set(ALLIANCE.member_slugs) == set(EXPECTED_COUNTRIES)
    assert len(ALLIANCE.member_slugs) == len(set(ALLIANCE.member_slugs))
    assert ALLIANCE.coordinator_slug == "uphf"
    assert ALLIANCE.slug not in EXPECTED_COUNTRIES


@pytest.mark.parametrize("tenant", TENANTS, ids=lambda tenant: tenant.slug)
def test_tenant_fields_filled(tenant: TenantSeed) -> None:
    assert tenant.country == EXPECTED_COUNTRIES[tenant.slug]
    assert tenant.name.strip()
    assert tenant.name_en.strip()
    assert tenant.short_name.strip()
    assert tenant.city.strip()
    assert re.fullmatch(r"[a-z]{2}", tenant.language)
    assert_https_url(tenant.home_page)


@pytest.mark.parametrize("tenant", TENANTS, ids=lambda tenant: tenant.slug)
def test_tenant_email_domain_plausible(tenant: TenantSeed) -> None:
    host = urlsplit(tenant.home_page).hostname or ""
    assert DOMAIN.fullmatch(tenant.email_domain), tenant.email_domain
    assert "@" not in tenant.email_domain
    assert host == tenant.email_domain or host.endswith("." + tenant.email_domain), host


def test_alliance_fields_filled() -> None:
    assert ALLIANCE.name.startswith("EUNICE")
    assert ALLIANCE.name.endswith("European University for Customised Education")
    assert ALLIANCE.home_page == "https://eunice-university.eu"
    assert ALLIANCE.description["fr"].strip()
    assert ALLIANCE.description["en"].strip()


def test_achievement_counts() -> None:
    assert len(UPHF_ACHIEVEMENTS) == 9
    assert len(ALLIANCE_ACHIEVEMENTS) == 3
    assert {a.creator_slug for a in UPHF_ACHIEVEMENTS} == {"uphf"}
    assert {a.creator_slug for a in ALLIANCE_ACHIEVEMENTS} == {ALLIANCE.slug}
    assert {a.name["en"] for a in ALLIANCE_ACHIEVEMENTS} == {
        "Open-Badge Workshop",
        "I Support Eunice",
        "General Assembly",
    }


def test_achievement_slugs_unique() -> None:
    duplicates = [
        slug for slug, count in Counter(a.slug for a in ACHIEVEMENTS).items() if count > 1
    ]

    assert duplicates == []


@pytest.mark.parametrize("achievement", ACHIEVEMENTS, ids=lambda a: a.slug)
def test_achievement_texts_in_fr_and_en(achievement: AchievementSeed) -> None:
    for field in ("name", "description", "criteria"):
        texts = getattr(achievement, field)
        for language in ("fr", "en"):
            text = texts.get(language, "")
            assert text.strip(), f"{achievement.slug}: {field}[{language}] is empty"
            assert text == text.strip(), f"{achievement.slug}: {field}[{language}] has edge spaces"
            assert "  " not in text, f"{achievement.slug}: {field}[{language}] has double spaces"


@pytest.mark.parametrize("achievement", ACHIEVEMENTS, ids=lambda a: a.slug)
def test_achievement_metadata_valid(achievement: AchievementSeed) -> None:
    assert URL_SAFE_SLUG.fullmatch(achievement.slug)
    assert achievement.achievement_type in ACHIEVEMENT_TYPES
    assert achievement.tags
    assert all(URL_SAFE_SLUG.fullmatch(tag) for tag in achievement.tags), achievement.tags
    assert len(set(achievement.tags)) == len(achievement.tags)
    assert achievement.valid_for_months is None or achievement.valid_for_months > 0


@pytest.mark.parametrize("achievement", ACHIEVEMENTS, ids=lambda a: a.slug)
def test_achievement_status(achievement: AchievementSeed) -> None:
    expected = "draft" if achievement.slug in FIRST_AID_SLUGS else "published"

    assert achievement.status == expected


@pytest.mark.parametrize("achievement", ACHIEVEMENTS, ids=lambda a: a.slug)
def test_achievement_art_renders(achievement: AchievementSeed) -> None:
    art = achievement.art

    svg = render_badge_svg(achievement.name["fr"], "UPHF", art.primary, art.secondary, art.glyph)

    assert HEX_COLOR.fullmatch(art.primary)
    assert HEX_COLOR.fullmatch(art.secondary)
    assert svg.startswith("<svg")


def test_tenant_and_alliance_slugs_url_safe() -> None:
    for slug in [ALLIANCE.slug, *(tenant.slug for tenant in TENANTS)]:
        assert URL_SAFE_SLUG.fullmatch(slug), slug


def test_demo_people_use_example_org() -> None:
    tenant_slugs = {tenant.slug for tenant in TENANTS}
    emails = [person.email for person in DEMO_PEOPLE]

    assert len(emails) == len(set(emails))
    for person in DEMO_PEOPLE:
        assert re.fullmatch(r"[a-z.]+@example\.org", person.email), person.email
        assert person.tenant_slug in tenant_slugs
        assert set(person.tenant_roles) <= TENANT_ROLES


def test_demo_people_cover_roles() -> None:
    staff = [person for person in DEMO_PEOPLE if person.tenant_roles]
    students = [person for person in DEMO_PEOPLE if person.job_title.startswith("Student")]

    assert len(staff) >= 1
    assert len(students) == 3
    assert any(person.is_alliance_admin for person in DEMO_PEOPLE)


def test_demo_awards_reference_seed() -> None:
    achievements = {achievement.slug: achievement for achievement in ACHIEVEMENTS}
    emails = {person.email for person in DEMO_PEOPLE}

    for award in DEMO_AWARDS:
        achievement = achievements[award.achievement_slug]
        assert achievement.status == "published", award
        assert award.recipient_email in emails, award
        assert award.issuer_slug in ALLIANCE.member_slugs, award
        if achievement.creator_slug != ALLIANCE.slug:
            assert award.issuer_slug == achievement.creator_slug, award
