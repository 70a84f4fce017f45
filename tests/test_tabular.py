"""CSV and JSON Lines loaders, end to end through the store."""

from __future__ import annotations

import pytest

from api import ops
from loaders import LoadError, loader_for
from loaders.tabular import parse_value, stream_csv
from tests.helpers import counts

NODES = """id,type,name,aliases,country
n1,Person,Lu Heng,,SC
n2,Company,Cloud Innovation Ltd,CI,SC
n3,Registry,AFRINIC,African Network Information Centre,MU
"""
EDGES = """source,target,type,confidence,role,weight
n1,n2,ROLE_AT,0.9,CEO,
n2,n3,DEPENDS_ON,0.8,,6000000
"""


def test_csv_nodes_and_edges_in_two_files(store, write_file):
    nodes, edges = write_file("nodes.csv", NODES), write_file("edges.csv", EDGES)
    report = ops.load(store, [str(edges), str(nodes)])  # node files are written first
    assert not report.errors
    assert counts(store) == (3, 2, 2)
    [ci] = store.entities(["org:cloud-innovation"])
    assert ci.type == "Company" and "n2" in ci.aliases and "CI" in ci.aliases
    assert ci.properties == {"country": "SC"}
    [dep] = store.edges(["org:afrinic"])
    assert dep.properties["weight"] == 6000000 and dep.confidence == pytest.approx(0.8)
    assert dep.sources[0].locator == "line 3"


def test_jsonl_mixed_nodes_and_edges(store, write_file):
    path = write_file("g.jsonl", '{"id": "a", "type": "Registry", "name": "IANA"}\n'
                                 '{"id": "b", "type": "Registry", "name": "APNIC"}\n\n'
                                 '{"source": "b", "target": "a", "type": "DEPENDS_ON"}\n')
    assert loader_for(path).name == "jsonl"
    assert not ops.load(store, [str(path)]).errors
    assert [e.target for e in store.edges(["org:apnic"])] == ["org:iana"]


@pytest.mark.parametrize("name,text,line,message", [
    ("short.csv", NODES + "n4,Person\n", 5, "expected 5 fields, found 2"),
    ("type.csv", NODES + "n4,Wizard,Merlin,,\n", 5, "unknown node type 'Wizard'"),
    ("conf.csv", "source,target,type,confidence\na,b,DEPENDS_ON,high\n", 2, "not a number"),
    ("range.csv", "source,target,type,confidence\na,b,DEPENDS_ON,1.5\n", 2, "not in [0, 1]"),
    ("rel.csv", "source,target,type\na,b,LIKES\n", 2, "unknown relation type"),
    ("bad.jsonl", '{"id": "a", "type": "Person", "name": "A B"}\n{"id": \n', 2,
     "invalid JSON"),
    ("deep.jsonl", '{"id": "a", "type": "Person", "name": "A B", "p": ' + "[" * 100
     + "]" * 100 + "}\n", 1, "nested"),
])
def test_malformed_line_names_file_and_line(store, write_file, name, text, line, message):
    good = write_file("nodes.csv", NODES)
    ops.load(store, [str(good)])
    before = counts(store), [e.to_dict() for e in store.iter_entities()]
    bad = write_file(name, text)
    report = ops.load(store, [str(bad)])
    assert len(report.errors) == 1
    assert report.errors[0].startswith(f"{bad}:{line}: ")
    assert message in report.errors[0]
    assert (counts(store), [e.to_dict() for e in store.iter_entities()]) == before


def test_edge_to_unknown_node_fails_whole_file(store, write_file):
    ops.load(store, [str(write_file("nodes.csv", NODES))])
    before = counts(store)
    edges = write_file("edges.csv", EDGES + "n1,n9,ROLE_AT,0.9,CEO,\n")
    report = ops.load(store, [str(edges)])
    assert "line 4" in report.errors[0] and "'n9'" in report.errors[0]
    assert counts(store) == before


def test_unreadable_files(write_file, tmp_path):
    binary = tmp_path / "x.csv"
    binary.write_bytes(b"id,type,name\n\x00\x01\x02")
    with pytest.raises(LoadError, match="binary"):
        loader_for(binary)
    latin = tmp_path / "y.csv"
    latin.write_bytes("id,type,name\nn1,Person,Jos\xe9 Ruiz\n".encode("latin-1"))
    with pytest.raises(LoadError, match=r"y.csv:2: invalid UTF-8"):
        loader_for(latin).load(latin)
    utf16 = write_file("z.csv", NODES, encoding="utf-16")
    assert len(loader_for(utf16).load(utf16).entities) == 3


def test_folder_reports_broken_files_by_name_and_skips_foreign_ones(store, tmp_path):
    folder = tmp_path / "mixed"
    folder.mkdir()
    (folder / "nodes.csv").write_text(NODES)
    (folder / "empty.csv").write_text("")
    (folder / "photo.bin").write_bytes(b"\x89PNG\x00\x00")
    report = ops.load(store, [str(folder)])
    assert report.errors == [f"{folder / 'empty.csv'}: empty file"]
    assert report.skipped_files == [str(folder / "photo.bin")]
    assert counts(store)[0] == 3


@pytest.mark.parametrize(("cell", "value"), [
    ("16384", 16384), ("-12", -12), ("007", 7), ("0.95", 0.95), ("1.", 1.0), ("1e5", 1e5),
    ("-2.5E-3", -2.5e-3),
    ("12345678901234567890", "12345678901234567890"),  # too long for a count: an identifier
    ("2000-05-01", "2000-05-01"), ("10.0.0.0/8", "10.0.0.0/8"), ("1E+5", "1E+5"),
    ("-inf", "-inf"), ("-", "-"), ("1_000", "1_000"), ("0x10", "0x10"), ("١٢", "١٢"),
    ("1٢", "1٢"), ("-٣.5", "-٣.5"),  # only ASCII digits make numbers
    ("upstream", "upstream"),
])
def test_csv_cells_become_numbers_only_when_plainly_numbers(cell, value):
    parsed = parse_value(cell)
    assert parsed == value and type(parsed) is type(value)


def _records(batches) -> list[tuple]:
    return [(b.source_id, b.loader, r.locator, getattr(r, "name", None) or
             (r.source, r.target, r.type, r.confidence, r.properties))
            for b in batches for r in [*b.entities, *b.relations]]


@pytest.mark.parametrize("name, text, last_line, encoding", [
    ("edges.csv", "source,target,type,weight\n" + "".join(
        f"n{i},n{i + 1},DEPENDS_ON,{i}\n" for i in range(10)), 11, "utf-8-sig"),
    ("edges.csv", "source,target,type,weight\n" + "".join(
        f"n{i},n{i + 1},DEPENDS_ON,{i}\n" for i in range(10)), 11, "utf-16"),
    ("edges.jsonl", "".join(f'{{"source": "n{i}", "target": "n{i + 1}", "type": "DEPENDS_ON", '
                            f'"weight": {i}}}\n' for i in range(10)), 10, "utf-8")])
def test_streamed_parts_hold_the_same_records(tmp_path, name, text, last_line, encoding,
                                              monkeypatch):
    path = tmp_path / name
    path.write_text(text, encoding=encoding)
    loader = loader_for(path)
    whole = loader.load(path)
    parts = list(loader.stream(path, 4))
    assert [len(p.relations) for p in parts] == [4, 4, 2]
    assert _records(parts) == _records([whole])
    assert parts[2].relations[1].locator == f"line {last_line}"
    assert parts[2].relations[1].properties == {"weight": 9}
    if encoding == "utf-8-sig":  # a CSV read whole is capped, a streamed one is not
        monkeypatch.setattr("loaders.base.MAX_FILE_BYTES", 100)
        with pytest.raises(LoadError, match="over the 100-byte limit"):
            loader.load(path)
        assert _records(loader.stream(path, 4)) == _records([whole])
        assert loader_for(path) is loader  # (its head is read to choose the loader)


@pytest.mark.parametrize("text, error", [
    ("source,target,type\nn1,n2,DEPENDS_ON\nn2,n3\n", ":3: expected 3 fields, found 2"),
    ("source,target,type\nn1,n2,DEPENDS_ON\nn2,n3,DEPENDS\x00ON\n",
     ":3: binary file (contains NUL bytes), not text"),
    ("source,target,type\n", None)])
def test_streamed_bad_line_fails_after_earlier_parts(tmp_path, text, error):
    path = tmp_path / "e.csv"
    path.write_text(text)
    parts = stream_csv(path, 1)  # (loader_for itself refuses a head with NUL bytes)
    if error is None:  # a file with no records is one empty part, as load() gives
        [part] = parts
        assert not part.relations and part.source_id.endswith("e.csv")
        return
    assert len(next(parts).relations) == 1  # the part before the bad line came first
    with pytest.raises(LoadError) as caught:
        list(parts)
    assert str(caught.value) == f"{path}{error}"


def test_streamed_invalid_utf8_names_its_line(tmp_path):
    path = tmp_path / "e.csv"
    path.write_bytes(b"source,target,type\nn1,n2,DEPENDS_ON\nn2,n\xff3,DEPENDS_ON\n")
    with pytest.raises(LoadError, match=r"e\.csv:\d+: invalid UTF-8"):
        list(stream_csv(path, 100))


def test_edge_lines_read_directly_mean_what_the_row_path_reads(write_file):
    # Plain lines are read straight into relations (loaders.tabular.EdgeLine); a line with
    # non-ASCII ends or text that is not a number where one is needed takes the row path,
    # whose checks and errors are the same for every line.
    from loaders.tabular import load_csv, relation_from_row

    text = ("source, target ,type,weight,confidence,role,note\n"
            " a ,b,depends on,2,0.25,,x\n"
            "c,d,ROLE_AT,,,Chair,\"quoted, text\"\n"
            "Örg,b,DEPENDS_ON,1.5,1,,\n")
    batch = load_csv(write_file("edges.csv", text))
    assert [(r.source, r.target, r.type, r.properties, r.confidence, r.locator)
            for r in batch.relations] == [
        ("a", "b", "DEPENDS_ON", {"weight": 2, "note": "x"}, 0.25, "line 2"),
        ("c", "d", "ROLE_AT", {"role": "Chair", "note": "quoted, text"}, 0.9, "line 3"),
        ("Örg", "b", "DEPENDS_ON", {"weight": 1.5}, 1.0, "line 4")]
    by_row = relation_from_row({"source": "Örg", "target": "b", "type": "DEPENDS_ON",
                                "weight": 1.5, "confidence": 1}, "line 4")
    assert batch.relations[2] == by_row
    for line, error in (("a,b,DEPENDS_ON,heavy,0.5,,", "weight 'heavy' is not a number"),
                        ("a,b,DEPENDS_ON,1,1.5,,", "confidence 1.5 is not in [0, 1]"),
                        ("a,b,LIKES,1,0.5,,", "unknown relation type 'LIKES'")):
        bad = write_file("bad.csv", text + line + "\n")
        with pytest.raises(LoadError) as caught:
            load_csv(bad)
        assert str(caught.value) == f"{bad}:5: {error}"
