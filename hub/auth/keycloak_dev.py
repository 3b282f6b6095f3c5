"""Run the official Keycloak 26.7.3 distribution on loopback, for development and tests.

The distribution is the Maven Central artifact ``org.keycloak:keycloak-quarkus-dist`` (zip),
fetched with ``mvn`` into a cache folder and unpacked once. Each ``KeycloakServer`` gets its own
Keycloak home that links to the shared distribution but keeps its own ``data`` folder, so
every start imports the realm file of ``hub.auth.realm`` instead of reusing old state.
Everything listens on 127.0.0.1 only.

Development only: the bootstrap admin below, and the client secrets and user passwords of
``hub.auth.realm``, are published in this repository. A production realm must not reuse them.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
import zipfile
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from types import TracebackType

import httpx
import structlog

from hub.auth.realm import (
    API_AUDIENCE,
    DEFAULT_HUB_URL,
    DEV_CLIENT_SECRETS,
    DEV_USERS,
    LOGIN_CALLBACK_PATH,
    PROVISIONING_CLIENT_ID,
    REALM_FILE,
    REALM_NAME,
    WEB_CLIENT_ID,
    DevUser,
    dev_user,
    render_realm,
)

__all__ = [
    "DEV_ADMIN_PASSWORD",
    "DEV_ADMIN_USERNAME",
    "DEV_CLIENT_SECRETS",
    "DEV_USERS",
    "KEYCLOAK_VERSION",
    "DevUser",
    "KeycloakDevError",
    "KeycloakServer",
    "KeycloakToolMissingError",
    "default_cache_dir",
    "dev_user",
    "ensure_distribution",
    "free_port",
    "missing_requirements",
    "render_realm",
    "run_keycloak",
]

log = structlog.get_logger(__name__)

KEYCLOAK_VERSION = "26.7.3"
MAVEN_ARTIFACT = f"org.keycloak:keycloak-quarkus-dist:{KEYCLOAK_VERSION}:zip"
# SHA-256 of the zip that Maven Central serves; its SHA-1 matched Central's published .sha1.
DISTRIBUTION_SHA256 = "27a6535553c3cdcd083872ba40629efafb3475e3b758e0c6f691395561dd0f1f"
# Pinned, so the fetch does not depend on the default plugin version of the local Maven.
MAVEN_COPY_GOAL = "org.apache.maven.plugins:maven-dependency-plugin:3.8.1:copy"
MINIMUM_JAVA = 17
CACHE_ENV = "BADGEHUB_KEYCLOAK_CACHE"

LOOPBACK = "127.0.0.1"
DEV_ADMIN_USERNAME = "admin"
DEV_ADMIN_PASSWORD = "admin-dev-only"  # noqa: S105 - published development value.


class KeycloakDevError(RuntimeError):
    """The development Keycloak could not be fetched, started or stopped.

    The message names the cause and what to do next.
    """


class KeycloakToolMissingError(KeycloakDevError):
    """``java`` or ``mvn`` is missing or too old, so no Keycloak can run here."""


# ---------------------------------------------------------------------------------------------
# The distribution: fetch with Maven, verify, unpack once per cache folder.


def default_cache_dir() -> Path:
    """Return ``$BADGEHUB_KEYCLOAK_CACHE``, else ``$XDG_CACHE_HOME/badgehub/keycloak``.

    Without either variable, the folder is ``~/.cache/badgehub/keycloak``.
    """
    override = os.environ.get(CACHE_ENV)
    if override:
        return Path(override)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "badgehub" / "keycloak"


def distribution_home(cache_dir: Path | None = None) -> Path:
    return (cache_dir or default_cache_dir()) / f"keycloak-{KEYCLOAK_VERSION}"


def is_distribution_ready(cache_dir: Path | None = None) -> bool:
    return (distribution_home(cache_dir) / "bin" / "kc.sh").is_file()


_MISSING_MAVEN = (
    "`mvn` was not found on PATH; Maven fetches the Keycloak distribution from Maven Central "
    "(Debian: apt-get install maven)"
)


def missing_requirements(cache_dir: Path | None = None) -> list[str]:
    """Describe each tool that is missing, so callers can skip; empty when Keycloak can run.

    Maven is needed only while the distribution is not in the cache yet.
    """
    problems = []
    try:
        require_java()
    except KeycloakToolMissingError as error:
        problems.append(str(error))
    if not is_distribution_ready(cache_dir) and shutil.which("mvn") is None:
        problems.append(_MISSING_MAVEN)
    return problems


def require_java() -> str:
    """Return the path of a ``java`` that Keycloak 26 supports (17 or newer)."""
    java = shutil.which("java")
    if java is None:
        raise KeycloakToolMissingError(
            f"`java` was not found on PATH; Keycloak {KEYCLOAK_VERSION} needs Java "
            f"{MINIMUM_JAVA} or newer (Debian: apt-get install openjdk-17-jre-headless)"
        )
    output = subprocess.run(  # noqa: S603 - fixed arguments, path from PATH lookup.
        [java, "-version"], capture_output=True, text=True, timeout=60, check=False
    ).stderr
    match = re.search(r'version "(\d+)(?:\.(\d+))?', output)
    major = int(match.group(1)) if match else 0
    if major == 1 and match and match.group(2):
        major = int(match.group(2))  # "1.8" is Java 8.
    if major < MINIMUM_JAVA:
        raise KeycloakToolMissingError(
            f"{java} is Java {major or 'of unknown version'}; Keycloak {KEYCLOAK_VERSION} "
            f"needs Java {MINIMUM_JAVA} or newer"
        )
    return java


def ensure_distribution(cache_dir: Path | None = None) -> Path:
    """Return the unpacked Keycloak home, fetching it with Maven on first use.

    A file lock serialises concurrent fetches; the unpacked folder appears only complete,
    because it is renamed into place after extraction.
    """
    cache = cache_dir or default_cache_dir()
    home = distribution_home(cache)
    if is_distribution_ready(cache):
        return home
    cache.mkdir(parents=True, exist_ok=True)
    with _exclusive_lock(cache / ".fetch.lock"):
        if is_distribution_ready(cache):
            return home
        started = time.monotonic()
        archive = _download_with_maven(cache)
        try:
            _verify_sha256(archive)
            _unpack(archive, cache, home)
        finally:
            shutil.rmtree(archive.parent, ignore_errors=True)
        log.info("keycloak_fetched", home=str(home), seconds=round(time.monotonic() - started, 1))
    return home


@contextlib.contextmanager
def _exclusive_lock(path: Path) -> Iterator[None]:
    with path.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _download_with_maven(cache: Path) -> Path:
    mvn = shutil.which("mvn")
    if mvn is None:
        raise KeycloakToolMissingError(_MISSING_MAVEN)
    staging = Path(tempfile.mkdtemp(prefix=".download-", dir=cache))
    command = [
        mvn,
        "--batch-mode",
        "--quiet",
        "--strict-checksums",
        "-Dstyle.color=never",
        MAVEN_COPY_GOAL,
        f"-Dartifact={MAVEN_ARTIFACT}",
        f"-DoutputDirectory={staging}",
    ]
    log.info("keycloak_fetching", artifact=MAVEN_ARTIFACT, cache=str(cache))
    result = subprocess.run(  # noqa: S603 - fixed arguments, path from PATH lookup.
        command, capture_output=True, text=True, timeout=1800, check=False
    )
    archive = staging / f"keycloak-quarkus-dist-{KEYCLOAK_VERSION}.zip"
    if result.returncode != 0 or not archive.is_file():
        shutil.rmtree(staging, ignore_errors=True)
        output = _last_lines(result.stdout + result.stderr, 20)
        raise KeycloakDevError(
            f"Maven could not fetch {MAVEN_ARTIFACT} (exit status {result.returncode}). Check "
            f"access to Maven Central or the mirror in ~/.m2/settings.xml. Maven wrote:\n{output}"
        )
    return archive


def _verify_sha256(archive: Path) -> None:
    digest = hashlib.sha256()
    with archive.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    if digest.hexdigest() != DISTRIBUTION_SHA256:
        raise KeycloakDevError(
            f"{archive.name} has SHA-256 {digest.hexdigest()}, expected {DISTRIBUTION_SHA256}; "
            "the download is corrupt or not the official artifact. Delete "
            f"~/.m2/repository/org/keycloak/keycloak-quarkus-dist/{KEYCLOAK_VERSION} and retry"
        )


def _unpack(archive: Path, cache: Path, home: Path) -> None:
    staging = Path(tempfile.mkdtemp(prefix=".unpack-", dir=cache))
    try:
        with zipfile.ZipFile(archive) as bundle:
            for member in bundle.infolist():
                target = Path(bundle.extract(member, staging))
                # zipfile drops Unix permissions, but the scripts in bin/ must stay executable.
                mode = (member.external_attr >> 16) & 0o777
                if mode and not member.is_dir():
                    target.chmod(mode)
        (staging / home.name).rename(home)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _last_lines(text: str, count: int) -> str:
    return "\n".join(text.strip().splitlines()[-count:])


def free_port() -> int:
    """Return a TCP port that is free on 127.0.0.1 right now (another process may take it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((LOOPBACK, 0))
        port: int = probe.getsockname()[1]
        return port


def _require_free_port(port: int, option: str) -> None:
    # Without this check, a Keycloak already on the port would respond to the readiness probe.
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((LOOPBACK, port))
        except OSError:
            raise KeycloakDevError(
                f"port {port} on {LOOPBACK} is already in use; choose another with {option}"
            ) from None


# ---------------------------------------------------------------------------------------------
# One Keycloak process.


class KeycloakServer:
    """Keycloak in ``start-dev`` mode on 127.0.0.1, in its own process group and home folder.

    Without ``instance_dir`` the home is a temporary folder deleted by ``stop``. With one, the
    folder and its database are kept; Keycloak then skips importing a realm that already exists.
    """

    def __init__(
        self,
        distribution: Path,
        *,
        hub_urls: Sequence[str] = (DEFAULT_HUB_URL,),
        http_port: int = 8080,
        management_port: int = 9000,
        instance_dir: Path | None = None,
        admin_username: str = DEV_ADMIN_USERNAME,
        admin_password: str = DEV_ADMIN_PASSWORD,
        startup_timeout: float = 180.0,
    ) -> None:
        self.distribution = distribution
        self.hub_urls = tuple(hub_urls)
        self.http_port = http_port
        self.management_port = management_port
        self.admin_username = admin_username
        self._admin_password = admin_password
        self.startup_timeout = startup_timeout
        self._keeps_instance = instance_dir is not None
        self.instance_dir = instance_dir or Path(tempfile.mkdtemp(prefix="badgehub-keycloak-"))
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def base_url(self) -> str:
        return f"http://{LOOPBACK}:{self.http_port}"

    @property
    def issuer(self) -> str:
        return f"{self.base_url}/realms/{REALM_NAME}"

    @property
    def ready_url(self) -> str:
        return f"http://{LOOPBACK}:{self.management_port}/health/ready"

    @property
    def admin_password(self) -> str:
        return self._admin_password

    @property
    def log_path(self) -> Path:
        return self.instance_dir / "keycloak.log"

    @property
    def pid(self) -> int | None:
        return None if self._process is None else self._process.pid

    def start(self) -> None:
        """Start Keycloak and return once the realm is served; raise with its log otherwise."""
        if self._process is not None:
            raise KeycloakDevError(f"this Keycloak is already running (pid {self.pid})")
        started = time.monotonic()
        try:
            require_java()
            _require_free_port(self.http_port, "the HTTP port option")
            _require_free_port(self.management_port, "the management port option")
            self._prepare_home()
            # The first start with these options rebuilds the shared distribution's
            # lib/quarkus. One start at a time per distribution keeps two builds apart.
            with _exclusive_lock(self.distribution / ".start.lock"):
                self._launch()
                self._wait_until_ready(started)
        except BaseException:
            self.stop()
            raise
        log.info(
            "keycloak_ready",
            url=self.base_url,
            pid=self.pid,
            seconds=round(time.monotonic() - started, 1),
        )

    def _prepare_home(self) -> None:
        # kc.sh takes its home from its own location, so it is copied, not linked; the large,
        # read-only parts are symbolic links to the shared distribution.
        home = self.instance_dir
        (home / "bin").mkdir(parents=True, exist_ok=True)
        shutil.copy2(self.distribution / "bin" / "kc.sh", home / "bin" / "kc.sh")
        for shared in ("lib", "conf", "themes", "providers"):
            link = home / shared
            if not link.is_symlink():
                link.symlink_to(self.distribution / shared, target_is_directory=True)
        imports = home / "data" / "import"
        imports.mkdir(parents=True, exist_ok=True)
        realm = render_realm(self.hub_urls)
        (imports / REALM_FILE.name).write_text(json.dumps(realm, indent=2), encoding="utf-8")

    def _launch(self) -> None:
        log.info(
            "keycloak_starting",
            version=KEYCLOAK_VERSION,
            url=self.base_url,
            management_port=self.management_port,
            home=str(self.instance_dir),
        )
        with self.log_path.open("ab") as output:
            self._process = subprocess.Popen(  # noqa: S603 - our own kc.sh, fixed options.
                [str(self.instance_dir / "bin" / "kc.sh"), *self._options()],
                cwd=self.instance_dir,
                env=self._environment(),
                stdin=subprocess.DEVNULL,
                stdout=output,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def _options(self) -> list[str]:
        return [
            "start-dev",
            "--import-realm",
            f"--http-host={LOOPBACK}",
            f"--http-port={self.http_port}",
            # Without this option the management interface (health, metrics) binds 0.0.0.0.
            f"--http-management-host={LOOPBACK}",
            f"--http-management-port={self.management_port}",
            "--health-enabled=true",
            # A fixed hostname keeps the token issuer the same whatever Host header a client sends.
            f"--hostname={self.base_url}",
            "--log-console-color=false",
        ]

    def _environment(self) -> dict[str, str]:
        # Keycloak reads KC_* and QUARKUS_* variables as options. A stray one such as KC_DB
        # would change this server, so the only ones passed are the bootstrap admin's.
        environment = {
            name: value
            for name, value in os.environ.items()
            if not name.startswith(("KC_", "QUARKUS_"))
        }
        environment["KC_BOOTSTRAP_ADMIN_USERNAME"] = self.admin_username
        environment["KC_BOOTSTRAP_ADMIN_PASSWORD"] = self._admin_password
        return environment

    def _wait_until_ready(self, started: float) -> None:
        deadline = started + self.startup_timeout
        discovery = f"{self.issuer}/.well-known/openid-configuration"
        with httpx.Client(timeout=5.0, trust_env=False) as http:
            while time.monotonic() < deadline:
                self._raise_if_exited()
                if _answers_ok(http, self.ready_url) and _answers_ok(http, discovery):
                    return
                time.sleep(0.5)
        raise KeycloakDevError(
            f"Keycloak was not ready within {self.startup_timeout:.0f} s ({self.ready_url}). "
            f"Last lines of {self.log_path}:\n{self.log_tail()}"
        )

    def _raise_if_exited(self) -> None:
        if self._process is not None and self._process.poll() is not None:
            raise KeycloakDevError(
                f"Keycloak exited with status {self._process.returncode} before it was ready. "
                f"Last lines of {self.log_path}:\n{self.log_tail()}"
            )

    def log_tail(self, lines: int = 40) -> str:
        try:
            text = self.log_path.read_text(encoding="utf-8", errors="replace")
        except FileNotFoundError:
            return "(no log written)"
        return _last_lines(text, lines)

    def is_running(self) -> bool:
        return self._process is not None and self._process.poll() is None

    def wait(self, timeout: float | None = None) -> int | None:
        """Wait for Keycloak to exit; return its status, or None if still running at timeout."""
        if self._process is None:
            return None
        try:
            return self._process.wait(timeout)
        except subprocess.TimeoutExpired:
            return None

    def stop(self, grace_seconds: float = 20.0) -> None:
        """Send SIGTERM to Keycloak's process group, then SIGKILL after ``grace_seconds``."""
        process, self._process = self._process, None
        if process is not None:
            _terminate_group(process, grace_seconds)
            log.info("keycloak_stopped", pid=process.pid, status=process.returncode)
        if not self._keeps_instance:
            shutil.rmtree(self.instance_dir, ignore_errors=True)

    def hub_environment(self) -> dict[str, str]:
        """``HUB_*`` variables that point a hub at this Keycloak with the development secrets."""
        return {
            "HUB_KEYCLOAK_URL": self.base_url,
            "HUB_KEYCLOAK_REALM": REALM_NAME,
            "HUB_OIDC_CLIENT_ID": WEB_CLIENT_ID,
            "HUB_OIDC_CLIENT_SECRET": DEV_CLIENT_SECRETS[WEB_CLIENT_ID],
            "HUB_API_AUDIENCE": API_AUDIENCE,
            "HUB_PROVISIONING_CLIENT_ID": PROVISIONING_CLIENT_ID,
            "HUB_PROVISIONING_CLIENT_SECRET": DEV_CLIENT_SECRETS[PROVISIONING_CLIENT_ID],
        }

    def __enter__(self) -> KeycloakServer:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()


def _answers_ok(http: httpx.Client, url: str) -> bool:
    try:
        return http.get(url).status_code == 200
    except httpx.HTTPError:
        return False


def _terminate_group(process: subprocess.Popen[bytes], grace_seconds: float) -> None:
    # start_new_session made the kc.sh process the leader of its own group: signalling the
    # group reaches the JVM as well, and nothing outside it.
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(grace_seconds)
    except subprocess.TimeoutExpired:
        log.warning("keycloak_kill", pid=process.pid, grace_seconds=grace_seconds)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()


# ---------------------------------------------------------------------------------------------
# The blocking command behind `badgehub keycloak start`.


def run_keycloak(
    *,
    hub_urls: Sequence[str] = (DEFAULT_HUB_URL,),
    http_port: int = 8080,
    management_port: int = 9000,
    cache_dir: Path | None = None,
    instance_dir: Path | None = None,
    admin_username: str = DEV_ADMIN_USERNAME,
    admin_password: str = DEV_ADMIN_PASSWORD,
    startup_timeout: float = 180.0,
    announce: Callable[[str], None] = print,
) -> int:
    """Fetch, start and serve Keycloak until Ctrl-C or SIGTERM; return an exit status.

    ``announce`` receives the lines to show the developer. They name the URLs and users but no
    secret, because terminal output often ends up in CI logs.
    """
    distribution = ensure_distribution(cache_dir)
    server = KeycloakServer(
        distribution,
        hub_urls=hub_urls,
        http_port=http_port,
        management_port=management_port,
        instance_dir=instance_dir,
        admin_username=admin_username,
        admin_password=admin_password,
        startup_timeout=startup_timeout,
    )
    with _sigterm_as_interrupt():
        server.start()
        try:
            announce(_summary(server))
            return _serve_until_interrupted(server)
        finally:
            server.stop()


def _serve_until_interrupted(server: KeycloakServer) -> int:
    try:
        status = None
        while status is None:
            status = server.wait(timeout=1.0)
    except KeyboardInterrupt:
        return 0
    raise KeycloakDevError(
        f"Keycloak exited unexpectedly with status {status}. Last lines of "
        f"{server.log_path}:\n{server.log_tail()}"
    )


@contextlib.contextmanager
def _sigterm_as_interrupt() -> Iterator[None]:
    # `kill PID` should stop Keycloak as cleanly as Ctrl-C does. Only the main thread may
    # install signal handlers; elsewhere the caller stops the server itself.
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def interrupt(_signal: int, _frame: object) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def _summary(server: KeycloakServer) -> str:
    users = ", ".join(user.username for user in DEV_USERS)
    return "\n".join(
        [
            f"Keycloak {KEYCLOAK_VERSION} is ready at {server.base_url} (realm {REALM_NAME}).",
            f"  admin console    {server.base_url}/admin/ (user {server.admin_username})",
            f"  issuer           {server.issuer}",
            f"  redirect URIs    {', '.join(server.hub_urls)} + {LOGIN_CALLBACK_PATH}",
            f"  test users       {users} (passwords: DEV_USERS in hub/auth/realm)",
            f"  point the hub    HUB_KEYCLOAK_URL={server.base_url}, client secrets in "
            "DEV_CLIENT_SECRETS",
            "Press Ctrl-C to stop.",
        ]
    )
