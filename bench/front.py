"""nginx in front of an app server on 127.0.0.1, from ``deploy/nginx-front.conf`` (used by
bench/cache_bench.py and bench/server_bench.py; why and what was measured: bench/results/front.md).

The template's ``@NAMES@`` are filled in here and nginx runs in the foreground (``daemon off``) with its
own prefix directory (pid, logs, temp files, cache), so nothing of the system's nginx is used or touched.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from kg.config import Settings
from kg.devtools.procs import descendants

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE = ROOT / "deploy" / "nginx-front.conf"
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"


@dataclass(frozen=True)
class Front:
    pid: int  # nginx's master process (its workers are its children)
    port: int
    prefix: Path

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


def available() -> bool:
    return Path(NGINX).is_file() and os.access(NGINX, os.X_OK)


def render(prefix: Path, port: int, upstream: str, cache: bool, workers: int = 1, cache_mb: int = 64,
           per_address: int = 512, settings: Settings | None = None) -> str:
    """The template with its names filled in. ``per_address``: connections one client address may hold
    (the loopback tests and benchmarks are all one address; a public site would set far fewer)."""
    settings = settings or Settings()
    values = {"PREFIX": str(prefix), "WORKERS": str(workers), "LISTEN": f"127.0.0.1:{port}",
              "UPSTREAM": upstream, "CACHE": "kg_answers" if cache else "off", "CACHE_MB": str(cache_mb),
              "REQUEST_TIMEOUT": f"{settings.request_timeout:g}", "MAX_BODY": str(settings.max_body_bytes),
              "PER_ADDRESS": str(per_address)}
    text = TEMPLATE.read_text(encoding="utf-8")
    for name, value in values.items():
        text = text.replace(f"@{name}@", value)
    if "@" in "".join(line.split("#", 1)[0] for line in text.splitlines()):
        raise ValueError("deploy/nginx-front.conf has a name render() does not fill in")
    return text


@contextmanager
def nginx_front(port: int, upstream: str, cache: bool, **options: object) -> Iterator[Front]:
    """nginx on 127.0.0.1:``port`` proxying to ``upstream`` (host:port); stopped (SIGQUIT, then
    SIGTERM/SIGKILL) and its prefix removed at the end."""
    if not available():
        raise RuntimeError("nginx is not installed (Debian: apt-get install nginx-light)")
    with tempfile.TemporaryDirectory(prefix="kg-front-") as tmp:
        prefix = Path(tmp)
        prefix.chmod(0o755)  # run as root, nginx's workers are `nobody`: they create the cache and temp files
        conf = prefix / "nginx.conf"
        conf.write_text(render(prefix, port, upstream, cache, **options), encoding="utf-8")  # type: ignore[arg-type]
        argv = [NGINX, "-p", str(prefix), "-c", str(conf), "-g", "daemon off;"]
        test = subprocess.run([*argv, "-t", "-q"], capture_output=True, text=True, check=False)
        if test.returncode:
            raise RuntimeError(f"nginx refused the configuration: {test.stderr.strip()}")
        with subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE) as proc:
            try:
                _wait_listening(port, proc)
                yield Front(proc.pid, port, prefix)
            finally:
                if proc.poll() is None:
                    proc.send_signal(signal.SIGQUIT)  # graceful: finish requests in flight
                    try:
                        proc.wait(timeout=10)
                    except subprocess.TimeoutExpired:
                        workers = list(descendants(proc.pid))
                        proc.kill()
                        proc.wait(timeout=10)
                        for pid in workers:  # a killed master leaves its workers behind
                            with contextlib.suppress(ProcessLookupError):
                                os.kill(pid, signal.SIGKILL)


def _wait_listening(port: int, proc: subprocess.Popen, seconds: float = 10.0) -> None:
    import socket

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"nginx ended: {(proc.stderr.read() if proc.stderr else b'').decode()[:400]}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"nginx did not listen on {port} within {seconds:g} s")
