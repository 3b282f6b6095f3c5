"""Worker processes that verify credentials off the event loop, each verification under a budget.

pyld is CPU-bound and not thread-safe, so the web process hands the JSON-LD and signature work of
a verification to a few worker processes. They start with the ``spawn`` method on first use, run
one verification at a time on their main thread and keep their own JSON-LD template caches.
The web process parses the input (JSON only), resolves the keys and checks the status lists
itself, because both may need the database. A worker receives the raw input, the keys as JWKs and
the clock, so that little crosses the process boundary.

Limits, per web process: ``workers`` verifications run at once, and ``max_waiting`` more wait for
a worker, each for at most ``max_wait_seconds``. Beyond that, :class:`PoolBusyError` is raised. When
the CPU time budget of a verification runs out, its report ends with a failed "too complex" check
(see ``budget``) and its worker is replaced, because the interrupted pyld call may have left pyld's
caches half-updated. A worker that has not answered after ``kill_after_seconds`` of wall-clock
time is killed: C code, such as a regular expression or the JSON parser, does not see the timer's
signal, and a worker on an overloaded machine gets less CPU time than wall-clock time.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import math
import multiprocessing
import os
import signal
from collections.abc import AsyncIterator, Coroutine, Mapping
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from multiprocessing.context import BaseContext
from typing import Any, TypeVar

import structlog

from hub.credentials import dataintegrity, jsonld, vcjwt
from hub.credentials.keys import KeyResolver
from hub.credentials.report import (
    SERVICE_CHECKS,
    Check,
    CheckId,
    CheckStatus,
    CredentialFormat,
    VerificationReport,
)
from hub.credentials.statuslist import StatusListResolver
from hub.credentials.verifier import budget
from hub.credentials.verifier.content import summarize
from hub.credentials.verifier.inputs import read_input
from hub.credentials.verifier.jwt_vc import _describe_jwt
from hub.credentials.verifier.ldp_vc import _describe_embedded
from hub.credentials.verifier.phases import add_status_check, verify_without_status
from hub.credentials.verifier.prepared_keys import PreparedKeys, prepare_keys

log = structlog.get_logger(__name__)

T = TypeVar("T")

# Worker processes per web process. Two use both cores of a small machine while the web process
# keeps serving requests.
# NOTE: this should be a setting (HUB_VERIFY_WORKERS) sized to the CPUs of the deployment, as
# should BUDGET_SECONDS; the hub's Settings do not reach this module yet.
WORKERS = 2
# CPU time for the JSON-LD and signature work of one verification. An Open Badge of a few
# kilobytes takes milliseconds, and a 300 KB credential with a thousand blank nodes about 1.5 s on
# one core of an AMD EPYC server (benchmarks/verify_pool.py).
BUDGET_SECONDS = 5.0
# Verifications that may wait for a worker; more are refused at once, so that a burst cannot
# queue without bound. A light credential takes milliseconds, so a full line of them clears fast.
MAX_WAITING = 16
# Longest wait for a worker: the job ahead may use its whole budget, and a replaced worker needs
# about a second to start. A waiting verification that gets no worker in time ends in
# PoolBusyError.
MAX_WAIT_SECONDS = 10.0
# Wall-clock time after which a worker that has returned no result is killed: twice its CPU budget,
# for a worker sharing its core, and time to return the report of a stopped verification.
KILL_AFTER_BUDGETS = 2
KILL_GRACE_SECONDS = 2.0
# Not "fork": the web process has threads and an event loop, whose state a forked child would
# inherit half-way through.
START_METHOD = "spawn"


class PoolBusyError(Exception):
    """Every worker is busy and the waiting line is full, or no worker became free in time."""

    def __init__(self, reason: str, retry_after_seconds: int) -> None:
        self.retry_after_seconds = retry_after_seconds
        super().__init__(f"{reason}; retry in {retry_after_seconds} s")


@dataclass(frozen=True)
class VerificationJob:
    """The input of one verification in a worker, small and picklable."""

    data: str | bytes
    keys: PreparedKeys
    now: datetime
    budget_seconds: float


@dataclass(frozen=True)
class JobResult:
    # None when the budget ran out outside any check, so that no check could record it.
    report: VerificationReport | None
    is_budget_spent: bool


class VerificationPool:
    """A bounded set of worker processes, started on first use, for one web process."""

    def __init__(
        self,
        workers: int = WORKERS,
        budget_seconds: float = BUDGET_SECONDS,
        max_waiting: int = MAX_WAITING,
        max_wait_seconds: float = MAX_WAIT_SECONDS,
    ) -> None:
        self.budget_seconds = budget_seconds
        self.kill_after_seconds = KILL_AFTER_BUDGETS * budget_seconds + KILL_GRACE_SECONDS
        self._retry_after_seconds = math.ceil(budget_seconds)
        self._size = workers
        self._max_waiting = max_waiting
        self._max_wait_seconds = max_wait_seconds
        self._context = multiprocessing.get_context(START_METHOD)
        self._idle: list[_Worker] = []
        self._admitted = 0
        self._loop: asyncio.AbstractEventLoop | None = None
        self._slots: asyncio.Semaphore | None = None

    async def verify_credential(
        self,
        data: str | bytes | Mapping[str, Any],
        resolver: KeyResolver,
        now: datetime | None = None,
        *,
        status_resolver: StatusListResolver | None = None,
    ) -> VerificationReport:
        """Verify as :func:`~hub.credentials.verifier.verify_credential` does, in a worker.

        Raises :class:`UnreadableCredentialError` for unreadable input, as that function does,
        and :class:`PoolBusyError` when no worker is free in time.
        """
        moment = now or datetime.now(UTC)
        parsed = read_input(data)
        keys = await prepare_keys(parsed, resolver)
        job = VerificationJob(_as_text(data), keys, moment, self.budget_seconds)
        result = await self._run(job)
        if result is None:
            report = stopped_report(parsed, budget.killed_message(self.kill_after_seconds))
        elif result.report is None:
            report = stopped_report(parsed, budget.too_complex_message(self.budget_seconds))
        else:
            report = result.report
        # NOTE: the status check verifies the proof of a status list credential with pyld here,
        # on the event loop. The hub's own lists have one cached shape, so that takes about a
        # millisecond; lists from elsewhere, once fetched, belong in the worker too.
        return await add_status_check(report, parsed, resolver, status_resolver, moment)

    def shutdown(self) -> None:
        """Stop the idle workers and wait for them; the pool starts new ones when used again.

        A worker still busy stops when the interpreter exits.
        """
        idle, self._idle = self._idle, []
        for worker in idle:
            worker.shutdown(wait=True)

    async def _run(self, job: VerificationJob) -> JobResult | None:
        if self._admitted >= self._size + self._max_waiting:
            log.warning("verification_refused", admitted=self._admitted)
            reason = f"the verifier is busy: {self._admitted} verifications run or wait"
            raise PoolBusyError(reason, self._retry_after_seconds)
        self._admitted += 1
        try:
            async with self._worker() as worker:
                return await worker.run(job, self.kill_after_seconds)
        finally:
            self._admitted -= 1

    @asynccontextmanager
    async def _worker(self) -> AsyncIterator[_Worker]:
        slots = self._slots_for_running_loop()
        try:
            await asyncio.wait_for(slots.acquire(), self._max_wait_seconds)
        except TimeoutError:
            log.warning("verification_wait_timed_out", seconds=self._max_wait_seconds)
            reason = f"no verification worker became free within {self._max_wait_seconds:g} s"
            raise PoolBusyError(reason, self._retry_after_seconds) from None
        worker = self._idle.pop() if self._idle else _Worker(self._context)
        try:
            yield worker
        finally:
            if not worker.is_reusable:
                worker.shutdown(wait=False)
                # The replacement starts now, so that the next verification does not wait for it.
                worker = _Worker(self._context)
                worker.start()
            self._idle.append(worker)
            slots.release()

    def _slots_for_running_loop(self) -> asyncio.Semaphore:
        # An asyncio.Semaphore belongs to one event loop. A server has one loop, but a process that
        # calls asyncio.run twice (tests, scripts) gets a fresh semaphore for its new loop.
        loop = asyncio.get_running_loop()
        if self._slots is None or self._loop is not loop:
            self._loop, self._slots = loop, asyncio.Semaphore(self._size)
        return self._slots


class _Worker:
    """One worker process, as an executor of one process, so that it can be killed on its own."""

    def __init__(self, context: BaseContext) -> None:
        self._executor = ProcessPoolExecutor(
            max_workers=1, mp_context=context, initializer=_initialize_worker
        )
        self._started: Future[int] | None = None
        self._pid: int | None = None
        self.is_reusable = True

    def start(self) -> Future[int]:
        """Start the process without waiting for it; return the future of its process id."""
        if self._started is None:
            # The id is what kill() needs.
            self._started = self._executor.submit(os.getpid)
        return self._started

    async def run(self, job: VerificationJob, seconds: float) -> JobResult | None:
        """Return the worker's result, or None when it was killed after ``seconds``."""
        loop = asyncio.get_running_loop()
        started = self.start()
        try:
            if self._pid is None:
                self._pid = await asyncio.wrap_future(started)
            result = await asyncio.wait_for(
                loop.run_in_executor(self._executor, run_job, job), seconds
            )
        except TimeoutError:
            log.warning("verification_worker_killed", pid=self._pid, seconds=seconds)
            self.kill()
            return None
        except asyncio.CancelledError:
            # The caller went away while the worker still works on the job; it cannot be reused.
            self.kill()
            raise
        except BrokenProcessPool:
            log.error("verification_worker_died", pid=self._pid)
            self.is_reusable = False
            raise
        if result.is_budget_spent:
            self.is_reusable = False
        return result

    def kill(self) -> None:
        self.is_reusable = False
        if self._pid is not None:
            # Killing by id is safe: the worker is a child of this process, still running its
            # job, so it has not been reaped and its id cannot belong to another process (unless
            # it died in this very instant).
            with contextlib.suppress(ProcessLookupError):
                os.kill(self._pid, signal.SIGKILL)

    def shutdown(self, *, wait: bool) -> None:
        self._executor.shutdown(wait=wait, cancel_futures=True)


def _initialize_worker() -> None:
    # Ctrl+C in a terminal signals the whole process group; the web process stops its workers.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # Read and hash the bundled contexts once, before the first verification needs them.
    jsonld.bundled_contexts()


def run_job(job: VerificationJob) -> JobResult:
    """Verify in a worker process: every check but the status check, within the job's budget."""
    resolver = job.keys.resolver()
    try:
        with budget.time_budget(job.budget_seconds) as active:
            parsed = read_input(job.data)
            report = _run_to_completion(verify_without_status(parsed, resolver, job.now))
    except budget.TimeBudgetExceededError:
        return JobResult(None, is_budget_spent=True)
    return JobResult(report, is_budget_spent=active.is_spent)


def _run_to_completion(coroutine: Coroutine[Any, Any, T]) -> T:
    """Run a coroutine that never suspends, without an event loop.

    In a worker, keys come from memory, so nothing awaits I/O. Without a loop, the budget's timer
    signal can only interrupt verification code, never the loop's own bookkeeping.
    """
    try:
        coroutine.send(None)
    except StopIteration as finished:
        result: T = finished.value
        return result
    coroutine.close()
    raise RuntimeError("a verification in a worker process awaited I/O; pass prepared keys only")


def stopped_report(parsed: Mapping[str, Any] | vcjwt.VcJwt, reason: str) -> VerificationReport:
    """Report a verification stopped outside any check: the proof fails, the rest is skipped.

    Built in the web process from the input it parsed, when the worker returned no report or
    was killed. ``reason`` becomes the message of the failed proof check.
    """
    if isinstance(parsed, vcjwt.VcJwt):
        credential_format = CredentialFormat.JWT_VC
        suites: tuple[str, ...] = (str(parsed.header.get("alg")),)
        credential: Mapping[str, Any] = parsed.credential or {}
        described = _describe_jwt(parsed, suites[0])
    else:
        credential_format = CredentialFormat.LDP_VC
        proofs = dataintegrity.proofs_of(parsed)
        suites = tuple(dataintegrity.inspect_proof(proof).suite for proof in proofs)
        credential = parsed
        described = _describe_embedded(suites)
    checks = [Check(CheckId.FORMAT, CheckStatus.PASSED, described)]
    skipped = "not checked: the verification was stopped before this check"
    for check_id in CheckId:
        if check_id in SERVICE_CHECKS:
            # The engine never runs these checks: hub.verification adds them after the pool.
            continue
        if check_id is CheckId.PROOF:
            checks.append(Check(check_id, CheckStatus.FAILED, reason))
        elif check_id is not CheckId.FORMAT and (
            check_id is not CheckId.JWT_CLAIMS or credential_format is CredentialFormat.JWT_VC
        ):
            checks.append(Check(check_id, CheckStatus.SKIPPED, skipped))
    return VerificationReport(credential_format, suites, tuple(checks), summarize(credential))


def _as_text(data: str | bytes | Mapping[str, Any]) -> str | bytes:
    # Text crosses the process boundary faster than a parsed object, which pickle walks.
    if isinstance(data, Mapping):
        return json.dumps(dict(data), ensure_ascii=False)
    return data
