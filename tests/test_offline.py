"""Nothing may try the network: indexing, answering and the UI server run with every outbound
connection refused, and any attempt is reported."""

import subprocess
import sys

from conftest import ROOT
from gradio_client import Client

from eval.servers import free_port, stop, wait_for_http

GUARD = r'''
import sys
LOCAL = ("127.", "::1", "localhost", "0.0.0.0")
def is_local(host):
    return host is None or str(host).startswith(LOCAL) or str(host) == ""
def refuse(what):
    sys.stderr.write(f"OUTBOUND {what}\n")
    sys.stderr.flush()
    raise OSError("network disabled by test")
def hook(event, args):
    if event == "socket.connect" and isinstance(args[1], tuple) and not is_local(args[1][0]):
        refuse(f"connect {args[1]}")
    elif event in ("socket.getaddrinfo", "socket.gethostbyname") and not is_local(args[0]):
        refuse(f"{event} {args[0]}")
sys.addaudithook(hook)
from qa.cli import main
'''

INDEX_AND_ASK = GUARD + r'''
codes = [main(["index", "--persist-dir", sys.argv[1], "--quiet"]),
         main(["ask", "Кытай канча инвестиция салды?", "--json", "--persist-dir", sys.argv[1]]),
         main(["ask", "How much did China invest?", "--persist-dir", sys.argv[1]])]
print("CODES " + " ".join(map(str, codes)))
'''

SERVE = GUARD + r'''
main(["ui", "--port", sys.argv[2], "--persist-dir", sys.argv[1]])
'''


def test_indexing_and_answering_make_no_outbound_connection(tmp_path):
    result = subprocess.run([sys.executable, "-c", INDEX_AND_ASK, str(tmp_path / "ix")], cwd=ROOT,
                            capture_output=True, text=True, timeout=300)
    assert "OUTBOUND" not in result.stderr, result.stderr
    assert "CODES 0 0 0" in result.stdout, result.stderr


def test_the_ui_server_makes_no_outbound_connection(index_dir):
    port = free_port()
    process = subprocess.Popen([sys.executable, "-c", SERVE, str(index_dir), str(port)], cwd=ROOT,
                               stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True)
    try:
        wait_for_http(f"http://127.0.0.1:{port}/", process)
        answer = Client(f"http://127.0.0.1:{port}/", verbose=False).predict(
            "2013-жылдан бери Кытай канча инвестиция салды?", 5, "auto", "", api_name="/ask")
        assert "4,34" in answer["answer"]
    finally:
        stop(process)
    assert "OUTBOUND" not in process.stderr.read()


def test_offline_switches_are_set():
    import os

    import qa  # noqa: F401

    assert os.environ["HF_HUB_OFFLINE"] == "1"
    assert os.environ["ANONYMIZED_TELEMETRY"] == "False"
    assert os.environ["GRADIO_ANALYTICS_ENABLED"] == "False"
