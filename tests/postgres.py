"""A real, throwaway PostgreSQL server for the tests: initdb and pg_ctl in a temporary folder,
on a free loopback port, one fresh database per test.

PostgreSQL refuses to run as root, so as root (as in CI) the server runs as the unprivileged
`postgres` user that Debian's package creates, in a folder it owns.
"""

from __future__ import annotations

import glob
import os
import pwd
import secrets
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import psycopg

from tests.servers import free_port

SERVER_USER = "postgres"
MISSING = ("The PostgreSQL tests need Debian's PostgreSQL server (initdb, pg_ctl), which is "
           "not installed: run `bash tests/install_system_packages.sh` (or `sudo apt-get "
           "install postgresql`) and run the tests again.")


def server_binaries() -> Path | None:
    """The folder of initdb and pg_ctl: on PATH, else Debian's newest."""
    found = shutil.which("initdb")
    if found:
        return Path(found).parent
    versions = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"),
                      key=lambda p: int(Path(p).parts[-3]) if Path(p).parts[-3].isdigit() else 0)
    return Path(versions[-1]).parent if versions else None


@dataclass(frozen=True)
class PostgresServer:
    port: int
    user: str = "curbside"

    def url(self, database: str) -> str:
        return f"postgresql://{self.user}@127.0.0.1:{self.port}/{database}"

    def new_database(self) -> str:
        """A fresh, empty database's URL."""
        name = f"t_{secrets.token_hex(6)}"
        with psycopg.connect(self.url("postgres"), autocommit=True) as admin:
            admin.execute(f"CREATE DATABASE {name}")
        return self.url(name)


def _as_server_user(command: list[str]) -> list[str]:
    if os.geteuid() != 0:
        return command
    return ["runuser", "-u", SERVER_USER, "--", *command]


@contextmanager
def postgres_server() -> Iterator[PostgresServer]:
    binaries = server_binaries()
    if binaries is None:
        raise RuntimeError(MISSING)
    folder = Path(tempfile.mkdtemp(prefix="curbside-pg-"))
    if os.geteuid() == 0:
        try:
            account = pwd.getpwnam(SERVER_USER)
        except KeyError:
            raise RuntimeError(f"PostgreSQL will not run as root, and there is no "
                               f"unprivileged {SERVER_USER!r} user to run it as: install "
                               "Debian's postgresql package, which makes one.") from None
        os.chown(folder, account.pw_uid, account.pw_gid)
    data, port = folder / "data", free_port()
    server = PostgresServer(port)
    try:
        subprocess.run(_as_server_user([
            str(binaries / "initdb"), "-D", str(data), "-U", server.user, "--auth=trust",
            "-E", "UTF8", "--no-locale", "--no-sync"]), check=True, capture_output=True)
        # Durability is not what these tests measure (they kill clients, not the server).
        options = (f"-p {port} -k {folder} -c listen_addresses=127.0.0.1 -c fsync=off "
                   "-c max_connections=200")
        subprocess.run(_as_server_user([
            str(binaries / "pg_ctl"), "-D", str(data), "-l", str(folder / "server.log"),
            "-o", options, "-w", "-t", "60", "start"]), check=True, capture_output=True)
        yield server
    finally:
        subprocess.run(_as_server_user([str(binaries / "pg_ctl"), "-D", str(data), "-m",
                                        "immediate", "stop"]), capture_output=True)
        shutil.rmtree(folder, ignore_errors=True)
