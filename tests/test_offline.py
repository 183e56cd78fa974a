"""Nothing may try the network: indexing and answering run with every outbound connection refused."""

import json
import subprocess
import sys

from conftest import ROOT

GUARD = r'''
import socket, sys
attempts = []
LOCAL = ("127.", "::1", "localhost", "0.0.0.0")
def is_local(host):
    return host is None or str(host).startswith(LOCAL) or str(host) == ""
def hook(event, args):
    if event == "socket.connect":
        address = args[1]
        if isinstance(address, tuple) and not is_local(address[0]):
            attempts.append(f"connect {address}")
            raise OSError("network disabled by test")
    elif event in ("socket.getaddrinfo", "socket.gethostbyname"):
        if not is_local(args[0]):
            attempts.append(f"{event} {args[0]}")
            raise OSError("network disabled by test")
sys.addaudithook(hook)
from qa.cli import main
codes = [main(["index", "--persist-dir", sys.argv[1], "--quiet"]),
         main(["ask", "Кытай канча инвестиция салды?", "--json", "--persist-dir", sys.argv[1]]),
         main(["ask", "How much did China invest?", "--persist-dir", sys.argv[1]])]
print("RESULT " + __import__("json").dumps({"codes": codes, "attempts": attempts}))
'''


def test_indexing_and_answering_make_no_outbound_connection(tmp_path):
    result = subprocess.run([sys.executable, "-c", GUARD, str(tmp_path / "ix")], cwd=ROOT, capture_output=True,
                            text=True, timeout=300)
    line = [row for row in result.stdout.splitlines() if row.startswith("RESULT ")]
    assert line, result.stderr
    outcome = json.loads(line[-1][len("RESULT "):])
    assert outcome["attempts"] == []
    assert outcome["codes"] == [0, 0, 0]


def test_offline_switches_are_set():
    import os

    import qa  # noqa: F401

    assert os.environ["HF_HUB_OFFLINE"] == "1"
    assert os.environ["ANONYMIZED_TELEMETRY"] == "False"
    assert os.environ["GRADIO_ANALYTICS_ENABLED"] == "False"
