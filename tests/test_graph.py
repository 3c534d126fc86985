"""PowerGraph, its RDF view and exports, on the bundled example."""

import networkx as nx
import pytest
from rdflib import Graph

from quanze.graph import build_graph, export, sparql, to_rdf
from quanze.graph.rdf import vocabulary


@pytest.fixture(scope="module")
def pg(example):
    return build_graph(example.items)


def test_typed_nodes_and_edges_trace_to_rows(pg, example):
    stats = pg.stats()
    assert stats["node_types"]["item"] == 106
    assert stats["node_types"]["department"] == 16
    assert stats["node_types"]["main_item"] == 1
    assert stats["edge_types"]["exercised_by"] == 106
    for key, attrs in pg.nodes("item"):
        assert attrs["source_file"].endswith(".xlsx") and attrs["source_rows"]


def test_shared_provision_links_departments(pg):
    # planted: 应急管理局 and 交通运输局 penalise the same article
    prov = "prov:安全生产法#97"
    holders = {pg.item(k.split(":", 1)[1]).department for k in pg.predecessors(prov, "based_on")}
    assert holders == {"明川县应急管理局", "明川县交通运输局"}
    assert pg.successors(prov, "part_of") == ["doc:安全生产法"]


def test_neighbourhood_of_a_sub_item(pg, example):
    sub = next(i for i in example.items if i.sub_name == "施工劳务企业资质备案")
    hood = pg.neighbourhood(sub.id)
    assert hood["department"] == ["dept:明川县|县|住房和城乡建设局"]
    assert hood["main_item"] == f"main:{sub.main_id}" and len(hood["siblings"]) == 1
    assert hood["bases"] == ["prov:建筑法#13"] and hood["responsibilities"]


def test_turtle_export_parses_back_to_the_same_triples(pg, tmp_path):
    n = export(pg, tmp_path / "g.ttl")
    assert n == len(to_rdf(pg)) and n > 500
    assert len(Graph().parse(tmp_path / "g.ttl", format="turtle")) == n


def test_jsonld_and_graphml_exports(pg, tmp_path):
    n = export(pg, tmp_path / "g.jsonld")
    assert len(Graph().parse(tmp_path / "g.jsonld", format="json-ld")) == n
    export(pg, tmp_path / "g.graphml")
    back = nx.read_graphml(tmp_path / "g.graphml")
    assert back.number_of_nodes() == pg.g.number_of_nodes()
    with pytest.raises(ValueError, match="不支持的导出格式"):
        export(pg, tmp_path / "g.xyz")


def test_sparql_over_the_rdf_view(pg):
    rows = sparql(pg, """
        SELECT ?dept (COUNT(?item) AS ?n) WHERE {
          ?item a qz:PowerItem ; qz:category "行政处罚" ; qz:exercisedBy ?d . ?d qz:name ?dept }
        GROUP BY ?dept ORDER BY DESC(?n) ?dept""")
    counts = {r["dept"]: r["n"] for r in rows}
    expected = {}
    for it in pg.items():
        if it.category == "行政处罚":
            expected[it.department] = expected.get(it.department, 0) + 1
    assert counts == expected and counts["明川县市场监督管理局"] == 5
    with pytest.raises(ValueError, match="不支持更新"):
        sparql(pg, "DELETE WHERE { ?s ?p ?o }")


def test_vocabulary_declares_every_class_and_property_used(pg):
    vocab = vocabulary()
    used = {p for _, p, _ in to_rdf(pg)} | {o for _, p, o in to_rdf(pg) if str(p).endswith("#type")}
    declared = {s for s, _, _ in vocab}
    assert {u for u in used if str(u).startswith("urn:quanze:vocab:")} <= declared
