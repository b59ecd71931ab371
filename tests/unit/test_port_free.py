"""scripts/port_free.py: a HOST and PORT that `bentoml serve` cannot use are refused before `make run` trains."""

from __future__ import annotations

import importlib.util
import socket
from pathlib import Path

import pytest

spec = importlib.util.spec_from_file_location("port_free", Path(__file__).resolve().parents[2] / "scripts/port_free.py")
port_free = importlib.util.module_from_spec(spec)
spec.loader.exec_module(port_free)


def test_a_listening_port_is_refused_with_what_to_do(capsys):
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        port = server.getsockname()[1]
        assert port_free.main(["127.0.0.1", str(port)]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert f"error: cannot serve on 127.0.0.1:{port}" in err and f"PORT={port + 1}" in err


def test_a_free_port_passes():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    assert port_free.port_problem("127.0.0.1", port) is None
    assert port_free.main(["127.0.0.1", str(port)]) == 0


@pytest.mark.parametrize("port", ["abc", "0", "70000", "-1", "", "³"])
def test_a_port_that_is_not_a_number_is_named(port, capsys):
    assert port_free.main(["127.0.0.1", port]) == 1
    assert capsys.readouterr().err == f"error: PORT={port!r}: expected a port number from 1 to 65535\n"


@pytest.mark.parametrize("host", ["localhost", "", "[::1]"])
def test_a_host_bentoml_would_refuse_is_named(host):
    assert port_free.port_problem(host, 3000).startswith(f"HOST={host!r}: expected an IP address")


def test_an_address_not_on_this_machine_gets_no_busy_port_hint():
    problem = port_free.port_problem("192.0.2.1", 3000)  # TEST-NET-1: never a local address
    assert problem.startswith("cannot serve on 192.0.2.1:3000: ") and "PORT=" not in problem
