"""Small files in the exact published formats of CAIDA as2org, RPSL whois dumps and RIR
delegated-extended statistics, written by the team with documentation ASNs (RFC 5398) and
prefixes (RFC 5737, RFC 3849). Shared by the naming tests."""

from __future__ import annotations

import bz2
import gzip
import json
from pathlib import Path

# Two holders of one registry: EXAMPLE1 holds AS64496 and 192.0.2.0/24; EXAMPLE2 holds only
# 198.51.100.0/24 and 2001:db8::/32 (no AS: named through whois); 203.0.113.0/24 is free.
DELEGATED = """\
2|afrinic|20230301|5|00000000|20230301|00000
afrinic|*|asn|*|1|summary
afrinic|*|ipv4|*|3|summary
afrinic|*|ipv6|*|1|summary
afrinic|ZA|asn|64496|1|20100101|allocated|EXAMPLE1
afrinic|ZA|ipv4|192.0.2.0|256|20100101|allocated|EXAMPLE1
afrinic|GH|ipv4|198.51.100.0|256|20110101|allocated|EXAMPLE2
afrinic|GH|ipv6|2001:db8::|32|20110101|allocated|EXAMPLE2
afrinic||ipv4|203.0.113.0|256||available|
"""

# Both '# format:' spellings (with and without a space after the colon), an '@del-' org,
# multi-valued sources, and an AS of another registry whose opaque id names no holder here.
AS2ORG_TEXT = """\
# name: AS Org
# program: as2org.pl
# format:org_id|changed|org_name|country|source
ORG-EXA1-AFRINIC|20220101|Example Networks Ltd|ZA|AFRINIC
ORG-OTH1-RIPE|20220101|Other Transit GmbH|DE|APNIC,RIPE
@del-4242|20220101|Deleted Org|ZA|AFRINIC
# format: aut|changed|aut_name|org_id|opaque_id|source
64496|20220101|EXAMPLE-AS|ORG-EXA1-AFRINIC|EXAMPLE1_AFRINIC|AFRINIC
64497|20220101|OTHER-AS|ORG-OTH1-RIPE|0123abcd-ffff_RIPE|RIPE
64498|20220101|GONE-AS|@del-4242|EXAMPLE9_AFRINIC|AFRINIC
"""

# The same content as JSON Lines (the format CAIDA publishes beside the text).
def _json_lines(rows: list[dict[str, str]]) -> str:
    return "".join(json.dumps(row) + "\n" for row in rows)


AS2ORG_JSONL = _json_lines([
    {"type": "Organization", "organizationId": "ORG-EXA1-AFRINIC", "changed": "20220101",
     "name": "Example Networks Ltd", "country": "ZA", "source": "AFRINIC"},
    {"type": "Organization", "organizationId": "ORG-OTH1-RIPE", "changed": "20220101",
     "name": "Other Transit GmbH", "country": "DE", "source": "APNIC,RIPE"},
    {"type": "Organization", "organizationId": "@del-4242", "changed": "20220101",
     "name": "Deleted Org", "country": "ZA", "source": "AFRINIC"},
    {"type": "ASN", "asn": "64496", "changed": "20220101", "name": "EXAMPLE-AS",
     "organizationId": "ORG-EXA1-AFRINIC", "opaqueId": "EXAMPLE1_AFRINIC", "source": "AFRINIC"},
    {"type": "ASN", "asn": "64497", "changed": "20220101", "name": "OTHER-AS",
     "organizationId": "ORG-OTH1-RIPE", "opaqueId": "0123abcd-ffff_RIPE", "source": "RIPE"},
    {"type": "ASN", "asn": "64498", "changed": "20220101", "name": "GONE-AS",
     "organizationId": "@del-4242", "opaqueId": "EXAMPLE9_AFRINIC", "source": "AFRINIC"},
])

# An older file: no opaque_id column.
AS2ORG_OLD = """\
# format:aut|changed|aut_name|org_id|source
64500|20120224|OLD-AS|OLD-ARIN|ARIN
# format:org_id|changed|org_name|country|source
OLD-ARIN|20120130|Old Example Inc.|US|ARIN
"""

# Personal data and masked values that must never reach the graph.
PERSONAL = ("Jane Roe", "1 Private Lane", "jane@example.net", "+27 11 555 0100", "DUMY-RIPE",
            "Dummy address", "***", "JR1-AFRINIC", "SECRET-MNT", "IRT-EXAMPLE")

WHOIS = """\
% This is the AFRINIC Whois server.
% The objects are in RPSL format.
# comment line

organisation:   ORG-EXB2-AFRINIC
org-name:       Example Broadband
+               Ghana
org-type:       LIR
country:        GH
address:        Dummy address for ORG-EXB2-AFRINIC
e-mail:         ***@example.net
phone:          +27 11 555 0100
admin-c:        DUMY-RIPE
mnt-ref:        SECRET-MNT
source:         AFRINIC # Filtered

person:         Jane Roe
address:        1 Private Lane
phone:          +27 11 555 0100
e-mail:         jane@example.net
nic-hdl:        JR1-AFRINIC
source:         AFRINIC

role:           Example NOC
address:        1 Private Lane
nic-hdl:        JR1-AFRINIC
source:         AFRINIC

mntner:         SECRET-MNT
auth:           ***
source:         AFRINIC

irt:            IRT-EXAMPLE
e-mail:         jane@example.net
source:         AFRINIC

inetnum:        198.51.100.0 - 198.51.100.255
netname:        EXB-NET
descr:          Jane Roe's network
country:        GH
org:            ORG-EXB2-AFRINIC
admin-c:        JR1-AFRINIC
status:         ALLOCATED PA
source:         AFRINIC

inet6num:       2001:db8::/32
netname:        EXB-NET6
country:        GH
org:            ORG-EXB2-AFRINIC
status:         ALLOCATED-BY-RIR
source:         AFRINIC

inetnum:        198.51.100.128 - 198.51.100.191
netname:        CUSTOMER
	descr:  continued by a tab
status:         ASSIGNED PA
source:         AFRINIC

aut-num:        AS64499
as-name:        EXB-AS
as-name:        EXB-AS-REPEATED
org:            ORG-EXB2-AFRINIC
admin-c:        DUMY-RIPE
source:         AFRINIC
"""


def write(path: Path, text: str) -> Path:
    """Write ``text``, gzipped or bzip2'd when the name ends so."""
    data = text.encode("utf-8")
    if path.suffix == ".gz":
        data = gzip.compress(data)
    elif path.suffix == ".bz2":
        data = bz2.compress(data)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path
