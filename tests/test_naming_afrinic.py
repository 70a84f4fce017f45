"""The real AFRINIC delegated file named: as2org lines (text and JSON Lines, gzipped) whose
opaque ids are real holder ids of the file, and a gzipped AFRINIC-style whois dump naming
holders that have no AS through their address ranges. The expected names and holdings are
read from the delegated file here, independently of the loaders."""

from __future__ import annotations

import ipaddress
import json
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

import pytest

from api import ops
from graph import analytics
from tests.conftest import ROOT
from tests.naming_data import PERSONAL, write

AFRINIC = ROOT / "data" / "demo" / "delegated-afrinic-extended-20230324"
NAMED_WITH_AS = 12  # holders named by as2org
NAMED_BY_WHOIS = 6  # holders without any AS, named through whois ranges


def holdings() -> dict[str, dict[str, list[tuple[str, str, int]]]]:
    """opaque id -> type -> [(start, value)] for allocated/assigned records of the file."""
    out: dict[str, dict[str, list]] = defaultdict(lambda: defaultdict(list))
    for line in AFRINIC.read_text().splitlines():
        f = line.split("|")
        if len(f) >= 8 and f[6] in ("allocated", "assigned") and f[7]:
            out[f[7]][f[2]].append((f[3], int(f[4])))
    return out


def chosen() -> tuple[dict[str, str], dict[str, str], str, str]:
    """Org names for holders with ASes, org names for holders without, and two holders
    given to one organisation."""
    held = holdings()
    with_as = sorted(h for h, kinds in held.items() if kinds["asn"])[:NAMED_WITH_AS]
    without = sorted(h for h, kinds in held.items()
                     if not kinds["asn"] and kinds["ipv4"])[:NAMED_BY_WHOIS]
    names = {h: f"Example Holder {i} Ltd" for i, h in enumerate(with_as)}
    twin, other = with_as[0], with_as[1]
    names[other] = names[twin]  # one organisation, two holders
    return names, {h: f"Whois Named {i}" for i, h in enumerate(without)}, twin, other


def write_sources(tmp_path: Path) -> list[Path]:
    names, whois_names, twin, other = chosen()
    held = holdings()
    org_of = {h: f"ORG-EXH{i}-AFRINIC" for i, h in enumerate(sorted(names))}
    org_of[other] = org_of[twin]
    orgs = {org_of[h]: names[h] for h in names}
    text = ["# format:org_id|changed|org_name|country|source"]
    text += [f"{org}|20230101|{name}|ZA|AFRINIC" for org, name in orgs.items()]
    text.append("# format:aut|changed|aut_name|org_id|opaque_id|source")
    rows = [{"type": "Organization", "organizationId": org, "name": name, "country": "ZA",
             "source": "AFRINIC"} for org, name in orgs.items()]
    for i, holder in enumerate(sorted(names)):
        for start, count in held[holder]["asn"]:
            for asn in range(int(start), int(start) + count):
                half = "text" if i % 2 else "jsonl"  # some ASes in each file
                if half == "text":
                    text.append(f"{asn}|20230101|AS-{asn}|{org_of[holder]}|{holder}_AFRINIC|"
                                "AFRINIC")
                else:
                    rows.append({"type": "ASN", "asn": str(asn), "name": f"AS-{asn}",
                                 "organizationId": org_of[holder],
                                 "opaqueId": f"{holder}_AFRINIC", "source": "AFRINIC"})
    whois = ["% AFRINIC whois dump (written for the tests)"]
    for i, (holder, name) in enumerate(sorted(whois_names.items())):
        whois.append(f"organisation: ORG-WHN{i}-AFRINIC\norg-name: {name}\norg-type: LIR\n"
                     "address: Dummy address for this organisation\ne-mail: ***@example.net\n"
                     "source: AFRINIC # Filtered")
        whois.append(f"person: Jane Roe\naddress: 1 Private Lane\nnic-hdl: JR{i}-AFRINIC\n"
                     "phone: +27 11 555 0100\nsource: AFRINIC")
        for start, count in held[holder]["ipv4"]:
            first = ipaddress.IPv4Address(start)
            whois.append(f"inetnum: {first} - {first + count - 1}\nnetname: NET-{i}\n"
                         f"org: ORG-WHN{i}-AFRINIC\nadmin-c: DUMY-RIPE\nstatus: ALLOCATED PA\n"
                         "source: AFRINIC")
    return [write(tmp_path / "20230301.as-org2info.txt.gz", "\n".join(text) + "\n"),
            write(tmp_path / "20230301.as-org2info.jsonl.gz",
                  "".join(json.dumps(r) + "\n" for r in rows)),
            write(tmp_path / "afrinic.db.gz", "\n\n".join(whois) + "\n"),
            AFRINIC]


def holder_node(store, holder: str):
    node_id = store.resolve(f"afrinic:{holder}")
    assert node_id is not None, holder
    return store.entities([node_id])[0]


def targets(store, ids: list[str]) -> set[str]:
    return {e.target for e in store.edges(ids, "out") if e.type == "HELD_BY"}


def resource_ids(kinds: dict[str, list[tuple[str, int]]]) -> list[str]:
    """The ids the delegated file's records of one holder get (CIDR when aligned)."""
    out = [f"asn:{int(s) + k}" for s, n in kinds["asn"] for k in range(n)]
    for start, count in kinds["ipv4"]:
        first = ipaddress.IPv4Address(start)
        aligned = count & (count - 1) == 0 and int(first) % count == 0
        out.append(f"prefix:{first}/{33 - count.bit_length()}" if aligned
                   else f"prefix:{first}-{first + count - 1}")
    out += [f"prefix:{ipaddress.IPv6Network(f'{s}/{n}')}" for s, n in kinds["ipv6"]]
    return out


def test_every_named_holder_is_one_node_with_its_resources(store, tmp_path: Path):
    report = ops.load(store, [str(p) for p in write_sources(tmp_path)])
    assert not report.errors, report.errors
    names, whois_names, twin, other = chosen()
    held = holdings()
    for holder, name in {**names, **whois_names}.items():
        node = holder_node(store, holder)
        assert node.name == name, holder
        assert targets(store, resource_ids(held[holder])) == {node.id}, holder
    assert holder_node(store, twin).id == holder_node(store, other).id
    unnamed = sorted(set(held) - set(names) - set(whois_names))[0]
    assert holder_node(store, unnamed).name == f"afrinic:{unnamed}"
    everything = "".join(ops.export_chunks(store, "json"))
    for value in PERSONAL:
        assert value not in everything, value
    impact = analytics.impact(store, "AFRINIC")
    dependents = {row["name"] for row in impact["direct"]}
    assert set(names.values()) | set(whois_names.values()) <= dependents
    assert f"afrinic:{unnamed}" in dependents
    assert len(dependents) == len(held) - 1  # the twin holders are one organisation


@pytest.mark.slow
def test_govgraph_load_and_impact_from_the_command_line(tmp_path: Path):
    db = str(tmp_path / "g.db")
    cmd = [sys.executable, "-m", "api.cli"]
    paths = [str(p) for p in write_sources(tmp_path)]
    subprocess.run([*cmd, "load", *paths, "--db", db], check=True, capture_output=True,
                   timeout=300)
    out = subprocess.run([*cmd, "impact", "AFRINIC", "--json", "--db", db], check=True,
                         capture_output=True, text=True, timeout=300).stdout
    names = {row["name"] for row in json.loads(out)["direct"]}
    expected = chosen()
    assert set(expected[0].values()) | set(expected[1].values()) <= names
