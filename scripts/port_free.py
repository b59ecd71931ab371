"""Refuse, before the pipeline runs, a HOST and PORT that `bentoml serve` could not serve on.

    python scripts/port_free.py 127.0.0.1 3000       # exit 0 if it can serve there, else 1 saying why

Without it a second `make run` trains for a minute and then ends in BentoML's 54-line traceback.
"""

from __future__ import annotations

import errno
import ipaddress
import socket
import sys


def port_problem(host: str, port: int) -> str | None:
    """Why `host:port` cannot be served on, or None. Binds as the server does (an IP address, SO_REUSEADDR),
    so a port left in TIME_WAIT by a stopped server counts as free."""
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return f"HOST={host!r}: expected an IP address such as 127.0.0.1 (bentoml serve takes no host names)"
    with socket.socket(socket.AF_INET6 if address.version == 6 else socket.AF_INET) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError as err:
            hint = (
                f" (a server from an earlier `make run` or `make serve`?); stop it, or pick another port, "
                f"e.g. make run PORT={port + 1}"
                if err.errno == errno.EADDRINUSE
                else ""
            )
            return f"cannot serve on {host}:{port}: {err.strerror or err}{hint}"
    return None


def main(argv: list[str]) -> int:
    host, given = (argv + ["", ""])[:2]
    port = int(given) if given.isascii() and given.isdigit() else 0
    problem = (
        f"PORT={given!r}: expected a port number from 1 to 65535" if not 0 < port < 65536 else port_problem(host, port)
    )
    if problem:
        sys.stderr.write(f"error: {problem}\n")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
