"""A taken port is told in one line before anything is set up, never a traceback."""

from __future__ import annotations

import socket
from collections.abc import Iterator

import pytest

from posyandu.cli import main


@pytest.fixture
def taken_port() -> Iterator[int]:
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        yield int(holder.getsockname()[1])


@pytest.mark.parametrize("command", ["demo", "serve"])
def test_a_taken_port_is_one_line_with_what_to_do(
    command, taken_port, capsys, tmp_path, monkeypatch
):
    monkeypatch.chdir(tmp_path)
    code = main([command, "--port", str(taken_port)])
    err = capsys.readouterr().err
    assert code == 2
    assert err.count("\n") == 1
    assert f"127.0.0.1:{taken_port}" in err and "--port" in err
    assert not (tmp_path / "posyandu.sqlite3").exists()  # nothing was set up
