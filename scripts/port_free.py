"""Refuse, in one line and before the pipeline runs, a port that `bentoml serve` could not bind.

    python scripts/port_free.py 127.0.0.1 3000       # exit 0 if free, else 1 with what to do

Without it a second `make run` trains for a minute and then ends in BentoML's 50-line traceback.
"""

from __future__ import annotations

import socket
import sys


def port_problem(host: str, port: int) -> str | None:
    """Why `host:port` cannot be served on, or None. Binds as the server does (SO_REUSEADDR), so a port
    left in TIME_WAIT by a stopped server counts as free."""
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError as err:
            return err.strerror or str(err)
    return None


def main(argv: list[str]) -> int:
    host, given = argv
    port = int(given) if given.isdigit() else 0
    if not 0 < port < 65536:
        sys.stderr.write(f"make: PORT={given!r}: expected a port number from 1 to 65535\n")
        return 1
    problem = port_problem(host, port)
    if problem:
        sys.stderr.write(
            f"make: cannot serve on {host}:{port}: {problem} (a server from an earlier `make run` or "
            f"`make serve`?); stop it, or pick another port, e.g. make run PORT={port + 1}\n"
        )
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
