"""A real Virtuoso (Debian `virtuoso-opensource`, installed by `make virtuoso`) on 127.0.0.1, per test run.

The second external store of `kg load` / `kg serve --sparql-backend`, beside the Oxigraph server. Each run
gets a throw-away database: a temporary folder with its own ``virtuoso.ini`` (HTTP and SQL ports free on
loopback only, chosen at runtime), started in the foreground (``virtuoso-t -f``), granted what `kg load`
needs (SPARQL Update and Graph Store writes for the anonymous SPARQL user), then killed and removed. The
package's own service and database are never used.

Settings that matter for us (see docs/external-stores.md): ``ResultSetMaxRows`` above our row cap, else
Virtuoso cuts answers before our cap can see (and flag) the cut; ``MaxQueryExecutionTime`` as the store's
own second line of defence behind our time limit.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

from tests.oxigraph_server import free_port, wait_until_answering

VIRTUOSO = "/usr/bin/virtuoso-t"
ISQL = "/usr/bin/isql-vt"
# What the anonymous SPARQL user needs to write through /sparql (Update) and /sparql-graph-crud (GSP):
# the SPARQL_UPDATE role, and write permission on every graph for "nobody" (the web user of /sparql).
GRANTS = ('GRANT SPARQL_UPDATE TO "SPARQL";', "DB.DBA.RDF_DEFAULT_USER_PERMS_SET ('nobody', 7);")

INI = """\
[Database]
DatabaseFile       = {dir}/virtuoso.db
ErrorLogFile       = {dir}/virtuoso.log
LockFile           = {dir}/virtuoso.lck
TransactionFile    = {dir}/virtuoso.trx
xa_persistent_file = {dir}/virtuoso.pxa
ErrorLogLevel      = 7
FileExtend         = 200
MaxCheckpointRemap = 2000
Striping           = 0
TempStorage        = TempDatabase

[TempDatabase]
DatabaseFile       = {dir}/virtuoso-temp.db
TransactionFile    = {dir}/virtuoso-temp.trx
MaxCheckpointRemap = 2000
Striping           = 0

[Parameters]
ServerPort           = 127.0.0.1:{sql_port}
DisableUnixSocket    = 1
DisableTcpSocket     = 0
MaxClientConnections = 10
CheckpointInterval   = 60
DirsAllowed          = {dir}
NumberOfBuffers      = {buffers}
MaxDirtyBuffers      = {dirty_buffers}
ThreadsPerQuery      = 2

[HTTPServer]
ServerPort           = 127.0.0.1:{http_port}
ServerRoot           = {dir}
MaxClientConnections = 10
ServerThreads        = 10
EnabledDavVSP        = 0
Charset              = UTF-8

[SPARQL]
ResultSetMaxRows           = {max_rows}
MaxQueryExecutionTime      = {max_seconds}
MaxQueryCostEstimationTime = 400
"""


@dataclass(frozen=True)
class BulkTimes:
    """Seconds of Virtuoso's bulk load: ``ld_dir`` + ``rdf_loader_run()``, then ``checkpoint``."""

    load: float
    checkpoint: float


@dataclass(frozen=True)
class VirtuosoServer:
    base: str  # http://127.0.0.1:PORT
    sql_port: int
    folder: Path
    pid: int = 0  # of virtuoso-t (the scale-out benchmark reads its memory)

    @property
    def query(self) -> str:
        return self.base + "/sparql"

    @property
    def update(self) -> str:
        return self.base + "/sparql"

    @property
    def store(self) -> str:
        """The Graph Store HTTP Protocol endpoint (no authentication: the grants above allow it)."""
        return self.base + "/sparql-graph-crud"

    def isql(self, *statements: str, timeout: float = 120) -> str:
        """Run SQL as dba through the SQL port; raise with Virtuoso's message when a statement fails."""
        script = "\n".join(statements) + "\n"
        done = subprocess.run([ISQL, f"127.0.0.1:{self.sql_port}", "dba", "dba", "VERBOSE=OFF", "BANNER=OFF",
                               "PROMPT=OFF", "ERRORS=STDOUT"], input=script, capture_output=True, text=True,
                              timeout=timeout)
        if done.returncode != 0 or "*** Error" in done.stdout:
            raise RuntimeError(f"isql: {done.stdout.strip()} {done.stderr.strip()}".strip())
        return done.stdout

    def bulk_load(self, folder: Path, timeout: float = 3 * 3600) -> BulkTimes:
        """Load the files of `kg load --to-files` with Virtuoso's bulk loader, then checkpoint.

        ``folder`` must be under ``DirsAllowed`` (here: the database folder). The graph given to ``ld_dir``
        is only for triples without one; every line of our files names its graph. Raises with the files
        the loader refused (``DB.DBA.LOAD_LIST.ll_error``)."""
        from kg.store.bulk import PATTERN
        from kg.store.load import Collection

        started = time.monotonic()
        self.isql(f"ld_dir('{folder}', '{PATTERN}', '{Collection().default}');", "rdf_loader_run();",
                  timeout=timeout)
        loaded = time.monotonic()
        self.isql("checkpoint;", timeout=timeout)
        times = BulkTimes(loaded - started, time.monotonic() - loaded)
        if self.isql("SELECT COUNT(*) FROM DB.DBA.LOAD_LIST WHERE ll_error IS NOT NULL;").split() != ["0"]:
            failed = self.isql("SELECT ll_file, ll_error FROM DB.DBA.LOAD_LIST WHERE ll_error IS NOT NULL;")
            raise RuntimeError(f"Virtuoso's bulk loader refused files: {failed.strip()}")
        return times

    def log(self) -> str:
        path = self.folder / "virtuoso.log"
        return path.read_text(errors="replace") if path.exists() else ""


def virtuoso_installed() -> bool:
    return Path(VIRTUOSO).exists() and Path(ISQL).exists()


@contextmanager
def running_virtuoso(*, max_rows: int = 1_000_000, max_seconds: int = 60, buffers: int = 20_000,
                     folder: Path | None = None, database: Path | None = None) -> Iterator[VirtuosoServer]:
    """Start Virtuoso on free loopback ports with a new database in a temporary folder (under ``folder``),
    grant what `kg load` needs, and remove everything afterwards. ``buffers`` are 8 KB pages of cache.

    With ``database``, the database lives in that folder instead and is kept: a database already there is
    started again as it is (a new ``virtuoso.ini``, for the new ports), and stopped with a checkpoint."""
    if not virtuoso_installed():
        raise RuntimeError(f"{VIRTUOSO} is not installed (run `make virtuoso` as root)")
    reused = database is not None and (database / "virtuoso.db").exists()  # granted when it was new
    if database is not None:
        database.mkdir(parents=True, exist_ok=True)
    work = database or Path(tempfile.mkdtemp(prefix="kg-virtuoso-", dir=folder))
    try:
        http_port = free_port()
        sql_port = free_port()
        while sql_port == http_port:
            sql_port = free_port()
        (work / "virtuoso.ini").write_text(INI.format(
            dir=work, sql_port=sql_port, http_port=http_port, max_rows=max_rows, max_seconds=max_seconds,
            buffers=buffers, dirty_buffers=buffers * 3 // 4), encoding="utf-8")
        with subprocess.Popen([VIRTUOSO, "-f", "-c", str(work / "virtuoso.ini")], cwd=work,
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE) as proc:  # closes its pipe
            server = VirtuosoServer(f"http://127.0.0.1:{http_port}", sql_port, work, proc.pid)
            try:
                wait_until_answering(server.query, proc, seconds=600 if database else 120)
                if not reused:
                    server.isql(*GRANTS)
                yield server
            finally:
                if database is not None:  # kept: stopped cleanly, so that it starts again without a replay
                    with suppress(RuntimeError, subprocess.TimeoutExpired):
                        server.isql("checkpoint;", "shutdown;", timeout=600)
                    with suppress(subprocess.TimeoutExpired):
                        proc.wait(timeout=120)
                proc.kill()
                proc.wait(timeout=30)
    finally:
        if database is None:
            shutil.rmtree(work, ignore_errors=True)
