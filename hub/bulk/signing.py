"""Worker processes that sign the batches of a bulk award off the event loop.

Signing is CPU-bound Python (JSON-LD canonicalisation and Ed25519, about half a millisecond per
credential), and pyld's caches are not thread-safe, so a thread would neither run in parallel
nor be safe beside other signing in the process. The job hands each batch to these processes,
split between them, and stores the previous batch meanwhile. The processes start with the
``spawn`` method on first use, keep their JSON-LD template caches warm between batches, and
live until ``shutdown`` or the end of the process.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import os
import threading
import time
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from datetime import datetime

import structlog

from tenants.services import AwardDraft, DraftSigner

log = structlog.get_logger(__name__)

# Below this many drafts per process, sending them costs more than it saves.
MIN_DRAFTS_PER_PROCESS = 50
PARENT_CHECK_SECONDS = 1.0


class SigningPool:
    """Signs batches of drafts in ``processes`` worker processes, or in-process when 0."""

    def __init__(self, processes: int) -> None:
        self.processes = processes
        self._executor: ProcessPoolExecutor | None = None
        self._loading: list[Future[None]] = []

    async def sign(
        self, signer: DraftSigner, drafts: list[AwardDraft], signed_at: datetime
    ) -> list[str]:
        """Return the signed credential texts, in the order of ``drafts``."""
        parts = min(self.processes, len(drafts) // MIN_DRAFTS_PER_PROCESS)
        if parts < 1:
            return signer.sign(drafts, signed_at)
        executor = self.start()
        loop = asyncio.get_running_loop()
        size = -(-len(drafts) // parts)
        chunks = [drafts[start : start + size] for start in range(0, len(drafts), size)]
        try:
            results = await asyncio.gather(
                *(loop.run_in_executor(executor, signer.sign, chunk, signed_at) for chunk in chunks)
            )
        except BrokenProcessPool:
            # A worker process died (killed, out of memory): start fresh ones next time.
            log.warning("signing_pool_broken", processes=self.processes)
            self.shutdown()
            raise
        return [text for result in results for text in result]

    def start(self) -> ProcessPoolExecutor:
        """Start the worker processes in the background, if not started yet, and return them.

        Each process imports the signing code once, which takes a second or more, so a worker
        starts them when it starts rather than when its first job needs them.
        """
        if self._executor is None:
            context = multiprocessing.get_context("spawn")
            self._executor = ProcessPoolExecutor(
                max_workers=self.processes,
                mp_context=context,
                initializer=_watch_parent,
                initargs=(os.getpid(),),
            )
            self._loading = [
                self._executor.submit(_load_signing_code) for _ in range(self.processes)
            ]
            log.info("signing_pool_started", processes=self.processes)
        return self._executor

    async def wait_started(self) -> None:
        """Wait until every worker process has loaded the signing code."""
        if not self.processes:
            return
        self.start()
        await asyncio.gather(*(asyncio.wrap_future(future) for future in self._loading))

    def shutdown(self) -> None:
        """Stop the worker processes; the next ``sign`` starts new ones."""
        if self._executor is not None:
            self._executor.shutdown(wait=True, cancel_futures=True)
            self._executor = None


def _watch_parent(parent: int) -> None:
    """Exit this worker process when its parent dies.

    A parent killed with SIGKILL cannot stop its workers. A worker waiting for its next batch
    would wait forever, because it keeps an end of the task queue open itself.
    """

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(PARENT_CHECK_SECONDS)
        os._exit(0)

    threading.Thread(target=watch, name="parent watch", daemon=True).start()


def _load_signing_code() -> None:
    import tenants.services  # noqa: F401 - the import is the work: unpickling needs the module
