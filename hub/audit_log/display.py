"""Console presentation of audit events: times, action labels, people's names, detail summaries."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from hub.audit import ACTIONS
from hub.audit_log.query import AuditRow, action_prefixes
from hub.auth.tables import User
from hub.i18n import MESSAGES, translate

# A details summary longer than this is shortened, and the full JSON is shown on request.
SUMMARY_LENGTH = 140

# Actors are ``user:<Keycloak subject>``, while role changes target ``user:<hub user id>``.
_USER_ACTOR = "user:"
_USER_TARGET = re.compile(r"user:(\d{1,18})")


@dataclass(frozen=True)
class EventView:
    """One audit event as a row of the console table."""

    row: AuditRow
    time_iso: str
    time_local: str
    action_label: str
    actor_name: str | None
    target_name: str | None
    summary: str
    details_pretty: str | None


async def event_views(rows: list[AuditRow], language: str) -> list[EventView]:
    """Describe each event in ``language``, with the names of the people it mentions."""
    actor_names, target_names = await _user_names(rows)
    views = []
    for row in rows:
        details = row.details
        summary = summarise(details)
        is_shortened = len(summary) > SUMMARY_LENGTH
        views.append(
            EventView(
                row=row,
                time_iso=_utc_iso(row.created_at),
                time_local=format_time(row.created_at, language),
                action_label=action_label(row.action, language),
                actor_name=actor_names.get(row.actor),
                target_name=target_names.get(row.target),
                summary=summary[: SUMMARY_LENGTH - 1] + "…" if is_shortened else summary,
                details_pretty=_pretty(details) if is_shortened else None,
            )
        )
    return views


def _utc_iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def format_time(moment: datetime, language: str) -> str:
    """Write an instant in UTC the way ``language`` writes dates, such as ``4 déc. 2026``."""
    utc = moment.astimezone(UTC)
    months = translate(language, "audit.months").split()
    return translate(
        language,
        "audit.time_format",
        day=utc.day,
        month=months[utc.month - 1],
        year=utc.year,
        time=utc.strftime("%H:%M:%S"),
    )


def action_label(action: str, language: str) -> str:
    """Return the translated label of an action, or the action itself when it has none."""
    key = f"audit.action.{action}"
    if key in MESSAGES.get(language, {}) or key in MESSAGES["en"]:
        return translate(language, key)
    return action


def action_choices(language: str) -> list[tuple[str, str]]:
    """Return the options of the action filter: each prefix followed by its own actions."""
    choices = [("", translate(language, "audit.filter.any_action"))]
    for prefix in action_prefixes():
        choices.append((prefix, translate(language, "audit.filter.prefix", prefix=prefix)))
        children = [
            action
            for action in ACTIONS
            if action.startswith(prefix) and ":" not in action[len(prefix) :]
        ]
        choices.extend(
            (action, f"{action_label(action, language)} ({action})") for action in sorted(children)
        )
    return choices


def summarise(details: dict[str, Any]) -> str:
    """Write details as ``key: value`` pairs on one line, with strings shown without quotes."""
    parts = []
    for key, value in details.items():
        text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
        parts.append(f"{key}: {text}")
    return "; ".join(parts)


def _pretty(details: dict[str, Any]) -> str:
    return json.dumps(details, ensure_ascii=False, indent=2, sort_keys=True)


async def _user_names(rows: list[AuditRow]) -> tuple[dict[str, str], dict[str, str]]:
    """Return the names of actors (by ``user:<subject>``) and targets (by ``user:<id>``)."""
    subjects = {row.actor[len(_USER_ACTOR) :] for row in rows if row.actor.startswith(_USER_ACTOR)}
    ids = {int(match[1]) for row in rows if (match := _USER_TARGET.fullmatch(row.target))}
    if not subjects and not ids:
        return {}, {}
    user_id = User._meta.primary_key
    query = User.select(user_id, User.subject, User.name, User.email)
    if subjects and ids:
        query = query.where(User.subject.is_in(list(subjects)) | user_id.is_in(list(ids)))
    elif subjects:
        query = query.where(User.subject.is_in(list(subjects)))
    else:
        query = query.where(user_id.is_in(list(ids)))
    actors: dict[str, str] = {}
    targets: dict[str, str] = {}
    for user in await query:
        name = user["name"] or user["email"]
        actors[_USER_ACTOR + user["subject"]] = name
        targets[f"user:{user['id']}"] = name
    return actors, targets
