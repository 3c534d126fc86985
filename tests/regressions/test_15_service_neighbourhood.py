"""15: the item-detail endpoint read a networkx graph built for every dataset; it answers from the tables now,
with the content the graph view's ``neighbourhood()`` gives."""

import pytest
from conftest import EXAMPLE
from helpers import upload

from quanze.api import views
from quanze.api.http import create_app
from quanze.graph import graph_of
from quanze.loaders import load_files
from quanze.tables import build_tables


@pytest.fixture(scope="module")
def tables():
    return build_tables(load_files([EXAMPLE]).items)


def test_the_tables_give_the_graph_neighbourhood_of_every_item(tables):
    pg = graph_of(tables)
    for item_id in tables.items["id"]:
        assert views.neighbourhood(tables, item_id) == pg.neighbourhood(item_id), item_id
    assert any(views.neighbourhood(tables, i)["siblings"] for i in tables.items["id"])
    assert any(k.startswith("prov:") for i in tables.items["id"] for k in views.neighbourhood(tables, i)["bases"])


def _from_the_graph(pg, item_id: str) -> dict:
    """The endpoint's answer as it was computed from the graph."""
    hood = pg.neighbourhood(item_id)
    it = hood["item"]
    related = {pg.g.nodes[k]["record"].id for b in hood["bases"] if b.startswith("prov:")
               for k in pg.predecessors(b, "based_on")} | {pg.g.nodes[s]["record"].id for s in hood["siblings"]}
    related.discard(item_id)
    brief = [pg.item(i) for i in sorted(related)][:100]
    return {"item": it.to_dict(), "department": it.department, "bases": [pg.g.nodes[b]["name"] for b in hood["bases"]],
            "responsibilities": [r.to_dict() for r in it.responsibilities],
            "related": [{"id": r.id, "name": r.name, "sub_name": r.sub_name, "title": r.title, "category": r.category,
                         "department": r.department, "levels": r.levels, "source": r.source.to_dict()} for r in brief]}


def test_the_endpoint_answers_as_from_the_graph(tmp_path, tables):
    import json

    client = create_app(tmp_path / "data").test_client()
    ds = upload(client, sorted(EXAMPLE.glob("*.xlsx"))).json["id"]
    pg = graph_of(tables)
    for item_id in tables.items["id"]:
        got = client.get(f"/api/datasets/{ds}/items/{item_id}").json
        assert got == json.loads(json.dumps(_from_the_graph(pg, item_id), ensure_ascii=False)), item_id
    assert client.get(f"/api/datasets/{ds}/items/nothing").status_code == 404
