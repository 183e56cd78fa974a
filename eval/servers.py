"""Running the project's own processes for benchmarks and tests: servers on loopback, and a
``qa ask`` whose own peak memory is measured."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from index.store import StoreLocation

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    """A free TCP port on loopback."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for_http(url: str, process: subprocess.Popen, timeout: float = 120) -> None:
    """Wait until ``url`` answers, failing early if the server process died."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            time.sleep(0.3)
    raise TimeoutError(f"{url} did not answer in {timeout} s")


def start_chroma(path: Path, port: int) -> subprocess.Popen:
    """A real ``chroma run`` server on loopback, telemetry off, ready to answer."""
    chroma = Path(sys.executable).with_name("chroma")
    process = subprocess.Popen([str(chroma), "run", "--path", str(path), "--host", "127.0.0.1", "--port", str(port)],
                               env={**os.environ, "ANONYMIZED_TELEMETRY": "False"}, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
    wait_for_http(f"http://127.0.0.1:{port}/api/v2/heartbeat", process)
    return process


def start_qa(command: str, args: list[str], env: dict | None = None, ready: str = "") -> tuple[subprocess.Popen, str]:
    """``qa COMMAND`` (ui or serve) with ``args`` on a free loopback port, once ``ready`` (a path)
    answers; returns the process and its URL."""
    port = free_port()
    process = subprocess.Popen([sys.executable, "-m", "qa.cli", command, "--port", str(port), *args], cwd=ROOT,
                               env={**os.environ, **(env or {})}, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}/"
    try:
        wait_for_http(url + ready, process)
    except (RuntimeError, TimeoutError):
        stop(process)
        raise
    return process, url


def start_ui(args: list[str], env: dict | None = None) -> tuple[subprocess.Popen, str]:
    """``qa ui`` with ``args`` (index options) on a free port; returns the process and its URL."""
    return start_qa("ui", args, env)


def start_serve(args: list[str], env: dict | None = None, ready: str = "api/health") -> tuple[subprocess.Popen, str]:
    """``qa serve`` with ``args``, once its index is loaded (``ready="docs"``: once it listens);
    returns the process and its URL."""
    return start_qa("serve", args, env, ready)


def stop(process: subprocess.Popen) -> None:
    """Stop a server by its pid and wait for it."""
    process.terminate()
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


_MEASURED_ASK = """
import sys
from qa.cli import main
code = main(sys.argv[1:])
peak = next(line for line in open("/proc/self/status") if line.startswith("VmHWM:"))
sys.stderr.write("PEAK_KB " + peak.split()[1] + "\\n")
sys.exit(code)
"""


def index_args(location: StoreLocation, embedder: str) -> list[str]:
    """The command-line options that point ``qa`` at ``location``."""
    if location.chroma_url:
        place = ["--chroma-url", location.chroma_url]
    else:
        place = ["--persist-dir", str(location.persist_dir)]
    return ["--collection", location.collection, "--embedder", embedder, *place]


def measured_ask(args: list[str]) -> tuple[float, float]:
    """Run ``qa ask ARGS`` as a new process: its wall time in seconds and its own peak resident
    memory in MB (VmHWM, which starts afresh at exec, unlike getrusage's ru_maxrss)."""
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", _MEASURED_ASK, "ask", *args], capture_output=True, text=True,
                          cwd=ROOT, check=True)
    seconds = time.perf_counter() - started
    return seconds, int(done.stderr.rsplit("PEAK_KB ", 1)[1].split()[0]) / 1024
