"""A time budget for one verification in a worker process.

A crafted credential can keep pyld busy for seconds, so a public verifier stops its JSON-LD work
after a fixed amount of CPU time. CPU time rather than wall-clock time, so that the verdict "too
complex" depends on the credential and not on how busy the machine is. In a worker process,
:func:`time_budget` arms a SIGPROF timer. When it fires, the check that is running fails with "too
complex to verify within N s", and every later check that would need JSON-LD work is skipped.
Without an active budget (the command line, tests) the checks run unbounded.
"""

from __future__ import annotations

import signal
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from types import FrameType
from typing import Any

from hub.credentials.report import Check, CheckId, CheckStatus


class TimeBudgetExceededError(BaseException):
    """The time budget of a verification ran out; SIGPROF raises it in the worker's main thread.

    A BaseException, like KeyboardInterrupt, so that the ``except Exception`` clauses in pyld and
    in the template cache let it through to :func:`bounded_check`.
    """

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        super().__init__(too_complex_message(seconds))


@dataclass
class TimeBudget:
    seconds: float
    is_spent: bool = False


_active_budget: ContextVar[TimeBudget | None] = ContextVar("_active_budget", default=None)


@contextmanager
def time_budget(seconds: float) -> Iterator[TimeBudget]:
    """Raise TimeBudgetExceededError once the process has used ``seconds`` of CPU time.

    Raises in the main thread. For worker processes only: while active, it replaces the process's
    SIGPROF handler and counts the CPU time of all its threads.
    """
    budget = TimeBudget(seconds)

    def expire(signal_number: int, frame: FrameType | None) -> None:
        budget.is_spent = True
        raise TimeBudgetExceededError(seconds)

    previous = signal.signal(signal.SIGPROF, expire)
    token = _active_budget.set(budget)
    signal.setitimer(signal.ITIMER_PROF, seconds)
    try:
        yield budget
    finally:
        signal.setitimer(signal.ITIMER_PROF, 0)
        signal.signal(signal.SIGPROF, previous)
        _active_budget.reset(token)


def bounded_check(
    check_id: CheckId, run: Callable[[Mapping[str, Any]], Check], credential: Mapping[str, Any]
) -> Check:
    """Run one expensive check under the active budget, if any."""
    budget = _active_budget.get()
    if budget is None:
        return run(credential)
    if budget.is_spent:
        return Check(check_id, CheckStatus.SKIPPED, not_checked_message(budget.seconds))
    try:
        return run(credential)
    except TimeBudgetExceededError as error:
        return Check(check_id, CheckStatus.FAILED, str(error))


def spent_budget_message() -> str | None:
    """Return why an expensive step is skipped when the active budget is spent, else None."""
    budget = _active_budget.get()
    if budget is None or not budget.is_spent:
        return None
    return not_checked_message(budget.seconds)


def too_complex_message(seconds: float) -> str:
    return (
        f"too complex to verify within {seconds:g} s of processing time: the JSON-LD processing "
        "was stopped; a smaller credential, or one whose objects have ids, verifies faster"
    )


def not_checked_message(seconds: float) -> str:
    return f"not checked: verification stopped when its time budget of {seconds:g} s ran out"


def killed_message(seconds: float) -> str:
    return (
        f"too complex to verify: the verification did not finish within {seconds:g} s and was "
        "stopped; a smaller credential, or one whose objects have ids, verifies faster"
    )
