"""14-01: "SPARQL `SERVICE` makes the server send HTTP requests to any address and return the answer, without a token"."""

import socket
import threading
import time

import pytest

from conftest import EXAMPLE

from quanze.api.http import create_app
from quanze.api.service import in_worker


@pytest.fixture()
def listener():
    """A TCP listener on 127.0.0.1 that counts the connections it is offered."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(8)
    sock.settimeout(0.1)
    seen, stop = [], threading.Event()

    def accept():
        while not stop.is_set():
            try:
                conn, _ = sock.accept()
            except OSError:
                continue
            seen.append(conn.recv(1000))
            conn.close()

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield sock.getsockname()[1], seen
    stop.set()
    thread.join()
    sock.close()


@pytest.fixture(scope="module")
def dataset(tmp_path_factory):
    client = create_app(tmp_path_factory.mktemp("svc")).test_client()
    src = next(EXAMPLE.glob("*.xlsx"))
    with open(src, "rb") as f:
        ds = client.post("/api/datasets", data={"files": [(f, src.name)]}, content_type="multipart/form-data").json["id"]
    return client, ds


def test_no_query_reaches_another_address(dataset, listener):
    client, ds = dataset
    port, seen = listener
    url = f"http://127.0.0.1:{port}/x"
    refused = {
        f"SELECT * WHERE {{ SERVICE <{url}> {{ ?s ?p ?o }} }}": "SERVICE",
        f"SELECT * WHERE {{ ?i a qz:PowerItem . SERVICE SILENT <{url}> {{ ?i ?p ?o }} }}": "SERVICE",
        f"SELECT * WHERE {{ {{ SELECT ?s WHERE {{ SERVICE <{url}> {{ ?s ?p ?o }} }} }} }}": "SERVICE",
        f"SELECT * WHERE {{ BIND(<{url}> AS ?u) SERVICE ?u {{ ?s ?p ?o }} }}": "SERVICE",
        f"SELECT * FROM <{url}> WHERE {{ ?s ?p ?o }}": "FROM",
        f"SELECT * FROM NAMED <{url}> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}": "FROM",
        f"ASK FROM <{url}> {{ ?s ?p ?o }}": "FROM",
        f"LOAD <{url}>": "不支持更新",
        f"INSERT DATA {{ <{url}> <{url}> <{url}> }}": "不支持更新",
    }
    for query, why in refused.items():
        r = client.get(f"/api/datasets/{ds}/sparql", query_string={"query": query})
        assert r.status_code == 422 and r.content_type == "application/problem+json", (query, r.status_code)
        assert why in r.json["detail"] and "查询" in r.json["detail"], (query, r.json["detail"])
    time.sleep(0.3)
    assert seen == []
    # a plain query still answers
    r = client.get(f"/api/datasets/{ds}/sparql", query_string={"query": "SELECT (COUNT(?i) AS ?n) WHERE { ?i a qz:PowerItem }"})
    assert r.status_code == 200 and r.json["rows"][0]["n"] > 0


def _fetch(url: str) -> bytes:
    import urllib.request

    return urllib.request.urlopen(url, timeout=2).read()


def test_the_query_worker_cannot_open_a_connection(listener):
    """Whatever rdflib might try while evaluating, the worker process may not connect anywhere."""
    port, seen = listener
    with pytest.raises(ValueError, match="不能访问网络"):
        in_worker(_fetch, (f"http://127.0.0.1:{port}/x",), 5)
    time.sleep(0.3)
    assert seen == []
