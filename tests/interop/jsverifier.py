"""Verify credentials with the Digital Bazaar JavaScript stack, as an independent implementation.

``js/verify.mjs`` runs ``@digitalbazaar/vc`` with the ``eddsa-rdfc-2022`` Data Integrity
cryptosuite (jsonld.js, rdf-canonize and @noble/ed25519, none of which the hub uses) over the
hub's bundled JSON-LD contexts and fetches nothing. This module installs its npm packages on
first use and runs it with the machine's Node.js.

Without ``node`` or ``npm`` the calling test is skipped, except when ``CI=true``: there it fails,
so a CI runner without Node.js cannot pass the interop tests silently.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import re
import shutil
import subprocess
import threading
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any, NoReturn

import pytest

from hub.credentials.jsonld import CONTEXTS_PACKAGE

JS_DIR = Path(__file__).parent / "js"
VERIFY_SCRIPT = JS_DIR / "verify.mjs"
LOCK_FILE = JS_DIR / "package-lock.json"
# npm ci deletes node_modules first, so a stamp inside it can never outlive a reinstall.
INSTALL_STAMP = JS_DIR / "node_modules" / ".badgehub-lock-sha256"

# The lock was resolved and tested with Node.js 20, although its packages declare Node.js >= 18.
MIN_NODE_MAJOR = 20
INSTALL_TIMEOUT_SECONDS = 300
VERIFY_TIMEOUT_SECONDS = 60

_install_lock = threading.Lock()


class JsVerifierError(RuntimeError):
    """The JavaScript verifier could not be installed or run, so it produced no result."""


@dataclass(frozen=True)
class JsResult:
    """Outcome of one verification by the Digital Bazaar stack."""

    verified: bool
    errors: tuple[str, ...]


@dataclass(frozen=True)
class NodeTools:
    node: str
    npm: str


def verify_with_digitalbazaar(
    credential: dict[str, Any],
    documents: dict[str, dict[str, Any]] | None = None,
    *,
    check_issuer: bool = True,
    check_status: bool = True,
    now: str | None = None,
) -> JsResult:
    """Verify ``credential`` offline, serving ``documents`` to the JavaScript document loader.

    ``documents`` maps a URL, DID or verification method id to its JSON document: the issuer's
    DID document (a ``did#fragment`` method is then found inside it), a verification method on
    its own, or a status list credential. ``did:key`` needs no entry; any other URL fails the
    verification with an error that names it.

    ``check_issuer=False`` drops the rule that the issuer must be the verification method's
    controller. ``check_status=False`` accepts any ``credentialStatus``; otherwise a
    BitstringStatusListEntry is checked against the status list credential in ``documents``.
    ``now`` (ISO 8601) replaces the current time for the validity window.

    The call blocks its thread until Node.js exits, so an async test that serves the hub in the
    same event loop should run it through ``asyncio.to_thread``.
    """
    tools = require_node_tools()
    install_packages(tools)

    request: dict[str, Any] = {
        "credential": credential,
        "documents": documents or {},
        "checkIssuer": check_issuer,
        "checkStatus": check_status,
    }
    if now is not None:
        request["now"] = now
    return _run_verifier(tools, request)


def require_node_tools() -> NodeTools:
    """Find ``node`` and ``npm`` on PATH, or skip the test (fail it under ``CI=true``)."""
    node = shutil.which("node")
    npm = shutil.which("npm")
    if node is None or npm is None:
        missing = " and ".join(name for name, path in (("node", node), ("npm", npm)) if not path)
        _skip_or_fail(
            f"{missing} not found on PATH; install Node.js {MIN_NODE_MAJOR} or later to run "
            "the Digital Bazaar interop tests"
        )

    major = _node_major_version(node)
    if major < MIN_NODE_MAJOR:
        _skip_or_fail(
            f"Node.js {major} at {node} is too old for the interop tests; "
            f"install Node.js {MIN_NODE_MAJOR} or later"
        )
    return NodeTools(node=node, npm=npm)


def install_packages(tools: NodeTools) -> None:
    """Run ``npm ci`` in ``js/`` unless node_modules already matches ``package-lock.json``."""
    digest = hashlib.sha256(LOCK_FILE.read_bytes()).hexdigest()
    if _installed_lock_digest() == digest:
        return

    # The thread lock covers one pytest process and the file lock covers several, for example
    # two test runs started at once, which would otherwise run npm ci in the same folder.
    with _install_lock, LOCK_FILE.open("rb") as lock_handle:
        fcntl.flock(lock_handle, fcntl.LOCK_EX)
        if _installed_lock_digest() == digest:
            return
        _run_npm_ci(tools)
        INSTALL_STAMP.write_text(digest, encoding="utf-8")


def _run_npm_ci(tools: NodeTools) -> None:
    # None of the locked packages has an install script, so --ignore-scripts costs nothing and
    # keeps a dependency from running code at install time.
    command = [tools.npm, "ci", "--no-audit", "--no-fund", "--ignore-scripts"]
    try:
        completed = subprocess.run(
            command,
            cwd=JS_DIR,
            capture_output=True,
            text=True,
            timeout=INSTALL_TIMEOUT_SECONDS,
            check=False,
        )
    except subprocess.TimeoutExpired as error:
        raise JsVerifierError(
            f"npm ci in {JS_DIR} timed out after {INSTALL_TIMEOUT_SECONDS} s. "
            "Check that the npm registry is reachable."
        ) from error
    if completed.returncode != 0:
        raise JsVerifierError(
            f"npm ci in {JS_DIR} failed with exit code {completed.returncode}: "
            f"{completed.stderr.strip()[-2000:]}"
        )


def _run_verifier(tools: NodeTools, request: dict[str, Any]) -> JsResult:
    command = [tools.node, str(VERIFY_SCRIPT), str(_contexts_dir())]
    try:
        completed = subprocess.run(
            command,
            cwd=JS_DIR,
            input=json.dumps(request),
            capture_output=True,
            text=True,
            timeout=VERIFY_TIMEOUT_SECONDS,
            check=False,
        )
    except subprocess.TimeoutExpired as error:
        raise JsVerifierError(
            f"verify.mjs timed out after {VERIFY_TIMEOUT_SECONDS} s on credential "
            f"{request['credential'].get('id')!r}"
        ) from error
    if completed.returncode != 0:
        raise JsVerifierError(
            f"verify.mjs failed with exit code {completed.returncode}: "
            f"{completed.stderr.strip()[-2000:]}"
        )
    return _parse_result(completed.stdout)


def _parse_result(stdout: str) -> JsResult:
    lines = stdout.strip().splitlines()
    try:
        output = json.loads(lines[-1])
    except (IndexError, json.JSONDecodeError) as error:
        raise JsVerifierError(f"verify.mjs wrote no JSON result; stdout was {stdout!r}") from error
    return JsResult(verified=output["verified"] is True, errors=tuple(output["errors"]))


def _contexts_dir() -> Path:
    # The hub's own context folder, so both verifiers expand credentials with the same files.
    return Path(str(resources.files(CONTEXTS_PACKAGE)))


def _installed_lock_digest() -> str | None:
    try:
        return INSTALL_STAMP.read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        return None


@cache
def _node_major_version(node: str) -> int:
    completed = subprocess.run(
        [node, "--version"], capture_output=True, text=True, timeout=30, check=True
    )
    match = re.match(r"v(\d+)\.", completed.stdout.strip())
    if match is None:
        raise JsVerifierError(f"unexpected output of {node} --version: {completed.stdout!r}")
    return int(match.group(1))


def _skip_or_fail(reason: str) -> NoReturn:
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"{reason} (CI=true, so missing Node.js is an error here)", pytrace=False)
    pytest.skip(reason)
