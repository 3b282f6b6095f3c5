"""Award e-mails delivered to a real SMTP server on loopback: languages, retries, failures."""

from __future__ import annotations

import asyncio
import dataclasses
import logging
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
import structlog

from hub import queue
from hub.mail.delivery import MAX_ATTEMPTS, deliver_due
from hub.mail.tasks import defer_delivery
from hub.settings import Settings, SettingsError
from tenants.tables import Award, OutboundEmail
from tests.integration.mail_support import (
    RecordingHandler,
    free_port,
    html_part,
    queue_award,
    smtp_server,
    smtp_settings,
    text_part,
    uphf,
)

pytestmark = pytest.mark.integration

ADA = "ada.lovelace@example.org"
GRACE = "grace.hopper@example.org"


@pytest.fixture
def smtp() -> Iterator[tuple[RecordingHandler, int]]:
    with smtp_server() as server:
        yield server


async def _row(award_id: object) -> OutboundEmail:
    row = await OutboundEmail.objects().where(OutboundEmail.award == award_id).first()
    assert row is not None
    return row


async def test_award_email_arrives_in_french(
    db: str, settings: Settings, smtp: tuple[RecordingHandler, int]
) -> None:
    handler, port = smtp
    mail_settings = smtp_settings(settings, port)
    tenant = await uphf(mail_settings)
    award = await queue_award(mail_settings, tenant, ADA, "fr", earner_name="Ada Lovelace")

    attempted = await deliver_due(mail_settings)

    assert attempted == 1
    assert len(handler.messages) == 1
    message = handler.messages[0]
    text = text_part(message)
    assert message["Subject"] == (
        "Université Polytechnique Hauts-de-France vous a décerné le badge « Cap Campus »"
    )
    assert message["Content-Language"] == "fr"
    assert message["Auto-Submitted"] == "auto-generated"
    assert message["From"].addresses[0].display_name == "Université Polytechnique Hauts-de-France"
    assert message["From"].addresses[0].addr_spec == "badges@uphf.example"
    assert message["To"].addresses[0].addr_spec == ADA
    assert message["Message-ID"].endswith("@uphf.example>")
    assert message["Date"] is not None
    assert handler.envelopes[0].mail_from == "badges@uphf.example"
    assert handler.envelopes[0].rcpt_tos == [ADA]
    assert text.startswith("Bonjour Ada Lovelace,")
    assert f"http://127.0.0.1:8000/credentials/{award.id}" in text
    assert f"http://127.0.0.1:8000/credentials/{award.id}/certificate.pdf" in text
    assert f"http://127.0.0.1:8000/claim/{award.id}?token=" in text
    assert message.get_content_type() == "multipart/alternative"
    assert f'href="http://127.0.0.1:8000/credentials/{award.id}"' in html_part(message)
    assert "Université Polytechnique Hauts-de-France" in html_part(message)
    row = await _row(award.id)
    assert row.status == "sent"
    assert row.attempts == 1
    assert row.sent_at is not None
    assert row.subject == message["Subject"]
    assert row.body_text.startswith("Bonjour Ada Lovelace,")
    assert '<html lang="fr">' in row.body_html


async def test_award_email_arrives_in_english(
    db: str, settings: Settings, smtp: tuple[RecordingHandler, int]
) -> None:
    handler, port = smtp
    mail_settings = smtp_settings(settings, port)
    tenant = await uphf(mail_settings)
    await queue_award(mail_settings, tenant, GRACE, "en", earner_name="Grace Hopper")

    await deliver_due(mail_settings)

    message = handler.messages[0]
    assert message["Subject"] == (
        "Polytechnic University of Hauts-de-France awarded you the badge \u201cCap Campus\u201d"
    )
    assert message["Content-Language"] == "en"
    assert message["From"].addresses[0].display_name == (
        "Polytechnic University of Hauts-de-France"
    )
    assert text_part(message).startswith("Hello Grace Hopper,")
    assert "Cap Campus" in text_part(message)


async def test_badge_name_follows_email_language(
    db: str, settings: Settings, smtp: tuple[RecordingHandler, int]
) -> None:
    handler, port = smtp
    mail_settings = smtp_settings(settings, port)
    tenant = await uphf(mail_settings)
    names = {"fr": "Atelier d'écriture", "en": "Writing workshop"}
    award = await queue_award(mail_settings, tenant, ADA, "en", slug="writing", name=names)
    await OutboundEmail.update({OutboundEmail.language: "fr"}).where(
        OutboundEmail.award == award.id
    )

    await deliver_due(mail_settings)

    assert award.credential["credentialSubject"]["achievement"]["name"] == "Writing workshop"
    assert "« Atelier d'écriture »" in handler.messages[0]["Subject"]


async def test_expiry_date_is_written_in_language(
    db: str, settings: Settings, smtp: tuple[RecordingHandler, int]
) -> None:
    handler, port = smtp
    mail_settings = smtp_settings(settings, port)
    tenant = await uphf(mail_settings)
    award = await queue_award(
        mail_settings, tenant, ADA, "fr", slug="expiring", valid_for_months=12
    )

    await deliver_due(mail_settings)

    expiry = award.credential["validUntil"][:10]
    year = expiry[:4]
    text = text_part(handler.messages[0])
    assert "Il est valable jusqu'au" in text
    assert year in text.split("Il est valable jusqu'au")[1].splitlines()[0]


async def test_temporary_refusal_is_retried_then_sent(
    db: str, settings: Settings, smtp: tuple[RecordingHandler, int]
) -> None:
    handler, port = smtp
    mail_settings = smtp_settings(settings, port)
    tenant = await uphf(mail_settings)
    award = await queue_award(mail_settings, tenant, ADA, "en")
    handler.data_replies.append("451 4.3.0 Mailbox busy, try again later")
    started = datetime.now(UTC)

    await deliver_due(mail_settings)
    after_refusal = await _row(award.id)
    nothing_due = await deliver_due(mail_settings)
    await OutboundEmail.update({OutboundEmail.next_attempt_at: datetime.now(UTC)}).where(
        OutboundEmail.id == after_refusal.id
    )
    await deliver_due(mail_settings)
    after_retry = await _row(award.id)

    assert after_refusal.status == "queued"
    assert after_refusal.attempts == 1
    assert after_refusal.next_attempt_at >= started + timedelta(seconds=60)
    assert "451" in after_refusal.last_error
    assert nothing_due == 0
    assert after_retry.status == "sent"
    assert after_retry.attempts == 2
    assert after_retry.last_error == ""
    assert handler.data_commands == 2
    assert len(handler.messages) == 1


async def test_permanent_refusal_fails_without_retry(
    db: str, settings: Settings, smtp: tuple[RecordingHandler, int]
) -> None:
    handler, port = smtp
    mail_settings = smtp_settings(settings, port)
    tenant = await uphf(mail_settings)
    award = await queue_award(mail_settings, tenant, ADA, "en")
    handler.rcpt_replies.append(f"550 5.1.1 <{ADA}>: Recipient address rejected")

    await deliver_due(mail_settings)
    row = await _row(award.id)
    later = await deliver_due(mail_settings)

    assert row.status == "failed"
    assert row.attempts == 1
    assert "550" in row.last_error
    assert ADA not in row.last_error
    assert "[address]" in row.last_error
    assert later == 0
    assert handler.messages == []


async def test_server_down_schedules_retry(db: str, settings: Settings) -> None:
    mail_settings = smtp_settings(settings, free_port())
    tenant = await uphf(mail_settings)
    first = await queue_award(mail_settings, tenant, ADA, "en")
    second = await queue_award(mail_settings, tenant, GRACE, "en")
    started = datetime.now(UTC)

    attempted = await deliver_due(mail_settings)
    rows = {row.award: row for row in await OutboundEmail.objects()}

    tried = next(row for row in rows.values() if row.attempts == 1)
    waiting = next(row for row in rows.values() if row.attempts == 0)
    assert attempted == 1
    assert {tried.award, waiting.award} == {first.id, second.id}
    assert tried.status == "queued"
    assert tried.next_attempt_at >= started + timedelta(seconds=60)
    assert "unavailable" in tried.last_error
    assert waiting.status == "queued"
    assert waiting.next_attempt_at <= started


async def test_last_attempt_marks_failed(db: str, settings: Settings) -> None:
    mail_settings = smtp_settings(settings, free_port())
    tenant = await uphf(mail_settings)
    award = await queue_award(mail_settings, tenant, ADA, "en")
    await OutboundEmail.update({OutboundEmail.attempts: MAX_ATTEMPTS - 1}).where(
        OutboundEmail.award == award.id
    )

    await deliver_due(mail_settings)
    row = await _row(award.id)

    assert row.status == "failed"
    assert row.attempts == MAX_ATTEMPTS
    assert "unavailable" in row.last_error


async def test_broken_award_does_not_stop_batch(
    db: str, settings: Settings, smtp: tuple[RecordingHandler, int]
) -> None:
    handler, port = smtp
    mail_settings = smtp_settings(settings, port)
    tenant = await uphf(mail_settings)
    broken = await queue_award(mail_settings, tenant, ADA, "en")
    await queue_award(mail_settings, tenant, GRACE, "en")
    await Award.update({Award.credential: {"validUntil": "not a date"}}).where(
        Award.id == broken.id
    )

    attempted = await deliver_due(mail_settings)
    row = await _row(broken.id)

    assert attempted == 2
    assert [envelope.rcpt_tos for envelope in handler.envelopes] == [[GRACE]]
    assert row.status == "queued"
    assert row.attempts == 1
    assert "writing the e-mail failed: ValueError" in row.last_error


async def test_concurrent_deliveries_send_once(
    db: str, settings: Settings, smtp: tuple[RecordingHandler, int]
) -> None:
    handler, port = smtp
    mail_settings = smtp_settings(settings, port)
    tenant = await uphf(mail_settings)
    addresses = [f"earner{number}@example.org" for number in range(12)]
    for address in addresses:
        await queue_award(mail_settings, tenant, address, "en")

    results = await asyncio.gather(deliver_due(mail_settings), deliver_due(mail_settings))
    rows = await OutboundEmail.objects()

    received = sorted(envelope.rcpt_tos[0] for envelope in handler.envelopes)
    assert sum(results) == 12
    assert received == sorted(addresses)
    assert len({message["Message-ID"] for message in handler.messages}) == 12
    assert {row.status for row in rows} == {"sent"}
    assert {row.attempts for row in rows} == {1}


async def test_logs_never_contain_address(
    db: str,
    settings: Settings,
    smtp: tuple[RecordingHandler, int],
    caplog: pytest.LogCaptureFixture,
) -> None:
    handler, port = smtp
    mail_settings = smtp_settings(settings, port)
    tenant = await uphf(mail_settings)
    await queue_award(mail_settings, tenant, ADA, "en")
    await queue_award(mail_settings, tenant, GRACE, "fr")
    handler.rcpt_replies.append(f"550 5.1.1 <{ADA}>: Recipient address rejected")
    handler.data_replies.append(f"451 4.2.0 <{GRACE}> mailbox busy")
    caplog.set_level(logging.DEBUG)

    with structlog.testing.capture_logs() as events:
        await deliver_due(mail_settings)
        await OutboundEmail.update({OutboundEmail.next_attempt_at: datetime.now(UTC)}).where(
            OutboundEmail.status == "queued"
        )
        await deliver_due(mail_settings)

    # The test server's own logger ("mail.log") prints the envelope; it is not the hub's.
    hub_records = [record for record in caplog.records if record.name != "mail.log"]
    logged = "\n".join(str(event) for event in events)
    logged += "\n".join(record.getMessage() for record in hub_records)
    assert len(handler.messages) == 1
    assert {event["event"] for event in events} >= {"mail_failed", "mail_retry_scheduled"}
    assert ADA not in logged
    assert GRACE not in logged
    assert "example.org" not in logged


async def test_smtp_without_sender_claims_nothing(db: str, settings: Settings) -> None:
    mail_settings = dataclasses.replace(smtp_settings(settings, free_port()), mail_from=None)
    tenant = await uphf(mail_settings)
    award = await queue_award(mail_settings, tenant, ADA, "en")

    with pytest.raises(SettingsError, match="HUB_MAIL_FROM"):
        await deliver_due(mail_settings)
    row = await _row(award.id)

    assert row.status == "queued"
    assert row.attempts == 0


async def test_outbox_transport_marks_sent(db: str, settings: Settings) -> None:
    outbox_settings = dataclasses.replace(settings, mail_transport="outbox")
    tenant = await uphf(outbox_settings)
    award = await queue_award(outbox_settings, tenant, ADA, "fr")

    await deliver_due(outbox_settings)
    row = await _row(award.id)
    saved = settings.data_dir / "outbox" / f"{row.id}.eml"

    assert row.status == "sent"
    assert row.subject.startswith("Université Polytechnique Hauts-de-France vous a décerné")
    assert saved.is_file()
    assert saved.stat().st_mode & 0o777 == 0o600
    assert b"Auto-Submitted: auto-generated" in saved.read_bytes()


async def test_queued_job_delivers(
    db: str, settings: Settings, smtp: tuple[RecordingHandler, int]
) -> None:
    handler, port = smtp
    mail_settings = smtp_settings(settings, port)
    tenant = await uphf(mail_settings)
    await queue_award(mail_settings, tenant, ADA, "en")

    async with queue.open_queue(db) as queue_app:
        first = await defer_delivery(queue_app)
        second = await defer_delivery(queue_app)
        await queue_app.run_worker_async(
            wait=False,
            install_signal_handlers=False,
            listen_notify=False,
            additional_context={"settings": mail_settings},
        )
        after_run = await defer_delivery(queue_app)

    assert first is True
    assert second is False
    assert after_run is True
    assert len(handler.messages) == 1
    assert handler.envelopes[0].rcpt_tos == [ADA]
