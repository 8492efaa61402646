"""``assets-tui serve``: the app in a browser through textual-serve. A browser is played
by a websocket client: it asks for a terminal of 80×24 and must receive the login screen."""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from test_tui import build_database, quick_hash

from models import db as dbmod

aiohttp = pytest.importorskip("aiohttp")
pytest.importorskip("textual_serve")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


async def first_screen(port: int, wanted: str, seconds: float = 60.0) -> str:
    """What the app sends to a browser tab until ``wanted`` appears (or time runs out)."""
    seen = ""
    async with aiohttp.ClientSession() as session, \
            session.ws_connect(f"http://127.0.0.1:{port}/ws?width=80&height=24") as ws:
        deadline = time.monotonic() + seconds
        while wanted not in seen and time.monotonic() < deadline:
            try:
                message = await ws.receive(timeout=deadline - time.monotonic())
            except TimeoutError:
                break
            if message.type == aiohttp.WSMsgType.BINARY:
                seen += message.data.decode("utf-8", "replace")
            elif message.type == aiohttp.WSMsgType.TEXT:
                seen += message.data
            else:
                break
    return seen


def test_serve_shows_the_login_screen_in_a_browser_tab(tmp_path: Path):
    url = f"sqlite:///{tmp_path}/served.db"
    build_database(url, quick_hash())
    dbmod.close()
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "assets_tui", "serve", "--db", url, "--port", str(port), "--host", "127.0.0.1"],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env={**os.environ, "COLUMNS": "120"})
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.2)
        screen = asyncio.run(first_screen(port, "เทศบาลทดสอบ"))
    finally:
        server.terminate()
        output = server.communicate(timeout=20)[0].decode("utf-8", "replace")
    assert "เทศบาลทดสอบ" in screen, output[-2000:]
    assert f"http://127.0.0.1:{port}" in output
