"""The govgraph vocabulary: node families and types, relation types with the families their
ends may be, and confidence tiers and grades.

This module is the one place the schema lives (as FollowTheMoney keeps its schema as data).
Loaders, stores, analytics, exports and the viewer ask it rather than hard-coding names.

Every node type belongs to a *family* (:data:`FAMILIES`), whose rules say how its ids are
made, whether its names merge nodes, and how its names compare. Entity ids are derived from
the family and the normalised name, so that one page calling Cloud Innovation a ``Company``
and another an ``Organization`` still produce one node; the more specific type wins (higher
``rank``).
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from functools import lru_cache


@dataclass(frozen=True, slots=True)
class Family:
    """What a node family's ids and names follow.

    - ``natural_key``: the id is ``<family>:<the name as written, lower-cased>`` (a prefix,
      an AS number, a country code), else ``<family>:<slug of the normalised name>``;
    - ``merges_by_name``: an entity with a new id merges into the one existing node of the
      family that carries one of its names (:func:`graph.merge.find_merges`), when the name
      has at least ``min_name_words`` words (a family name alone never merges a person);
    - ``folds_legal_suffixes``: trailing legal forms (:data:`LEGAL_SUFFIXES`) are dropped
      from the name key, so ``LARUS Ltd`` and ``Larus`` are one organisation.
    """

    name: str
    natural_key: bool = False
    merges_by_name: bool = False
    min_name_words: int = 1
    folds_legal_suffixes: bool = False


FAMILIES: dict[str, Family] = {
    f.name: f
    for f in [
        Family("person", merges_by_name=True, min_name_words=2),
        Family("org", merges_by_name=True, folds_legal_suffixes=True),
        Family("doc", merges_by_name=True),
        Family("prefix", natural_key=True),
        Family("asn", natural_key=True),
        Family("country", natural_key=True),
        Family("region"),
        Family("service"),
    ]
}

# Legal-form suffixes that do not change which organisation is meant (Ltd = Limited).
LEGAL_SUFFIXES = frozenset({
    "ltd", "limited", "inc", "incorporated", "llc", "plc", "corp", "corporation", "co",
    "company", "gmbh", "ag", "sa", "srl", "bv", "nv", "pty", "pte", "lp", "llp", "sarl"})


# What a name is evidence of, by the loader of the source that states it. A registry
# dataset's records carry identifiers (handles, ASNs, ranges, opaque ids): that one of them
# bears the same name as another record, or as a page's organisation, does not make them one
# (many registry organisations share a name). Its names are labels (None): a bare name match
# involving it merges nothing and is a candidate (graph.query.merge_candidates) until a
# registry record ties the two (a same_as bridge: an opaque id, a shared ASN, a whois range,
# a page naming the resources the record holds; graph/bridge.py). Every other source's names
# are ``text`` evidence: a name merge needs the node to carry a claim of the same evidence.
NAME_EVIDENCE: dict[str, str | None] = {
    "caida-as2org": None, "rpsl-whois": None, "peeringdb": None, "rir-delegated": None}
TEXT_EVIDENCE = "text"


def name_evidence(loader: str) -> str | None:
    """What a source's names are evidence of (:data:`NAME_EVIDENCE`)."""
    return NAME_EVIDENCE.get(loader, TEXT_EVIDENCE)


def merges_by_bare_name(loader: str, node_loaders: Collection[str]) -> bool:
    """Whether an entity of a source of ``loader`` merges by a name alone into a node that
    sources of ``node_loaders`` claim: its names are evidence, and of the kind a claim on the
    node gives (a node no source claims, kept by its edges only, takes any)."""
    kind = name_evidence(loader)
    return kind is not None and (not node_loaders or
                                 any(name_evidence(n) == kind for n in node_loaders))


def family(name: str) -> Family:
    """A family's rules (a family without its own entry follows the defaults)."""
    return FAMILIES.get(name) or Family(name)


@dataclass(frozen=True, slots=True)
class NodeType:
    name: str
    family: str
    rank: int  # higher = more specific within the family
    colour: str
    description: str


@dataclass(frozen=True, slots=True)
class RelationType:
    name: str
    description: str
    dependency: bool = False  # counts as "source needs target" in dependency analytics
    keyed_by: str | None = None  # property that makes two edges of this type distinct facts
    layer: str | None = None  # dependency layer (see LAYERS); None for non-dependencies
    sources: frozenset[str] | None = None  # allowed source families; None = any
    targets: frozenset[str] | None = None  # allowed target families; None = any


NODE_TYPES: dict[str, NodeType] = {
    t.name: t
    for t in [
        NodeType("Person", "person", 1, "#e15759", "A human being"),
        NodeType("Organization", "org", 0, "#4e79a7", "Any organisation"),
        NodeType("Registry", "org", 2, "#f28e2b", "IANA, the RIRs, TLD registries"),
        NodeType("Company", "org", 1, "#76b7b2", "A company"),
        NodeType("Foundation", "org", 1, "#59a14f", "A foundation or non-profit"),
        NodeType("Publisher", "org", 1, "#edc948", "A publisher or media outlet"),
        NodeType("Authority", "org", 1, "#b07aa1", "Courts, regulators, governments"),
        NodeType("Profile", "doc", 1, "#ff9da7", "A profile page"),
        NodeType("Article", "doc", 0, "#9c755f", "A news article or page"),
        NodeType("Essay", "doc", 1, "#bab0ac", "An essay or commentary"),
        NodeType("Prefix", "prefix", 0, "#86bcb6", "An IP address block"),
        NodeType("ASN", "asn", 0, "#8cd17d", "An autonomous system number or block"),
        NodeType("Country", "country", 0, "#d4a6c8", "A country (ISO 3166)"),
        NodeType("Region", "region", 0, "#fabfd2", "A geographic region"),
        NodeType("Service", "service", 0, "#b6992d", "WHOIS/RDAP servers, exchanges, facilities"),
    ]
}

ORGANISATION_TYPES = frozenset(n for n, t in NODE_TYPES.items() if t.family == "org")
DOCUMENT_TYPES = frozenset(n for n, t in NODE_TYPES.items() if t.family == "doc")


def _families(*names: str) -> frozenset[str]:
    return frozenset(names)


ANY_ORG = _families("org")
DOCS = _families("doc")
RESOURCES = _families("prefix", "asn")
PLACES = _families("country", "region", "service")

# ``sources`` / ``targets``: the families a relation's ends may be (None: any). Chosen so
# that every loader's output fits; a batch that breaks them is refused (BadReference).
RELATION_TYPES: dict[str, RelationType] = {
    r.name: r
    for r in [
        RelationType("ROLE_AT", "Person holds a position at an organisation (FtM: an "
                     "organisation may direct or represent one)", keyed_by="role",
                     sources=_families("person", "org"), targets=ANY_ORG),
        RelationType("AUTHORED", "Wrote a document", sources=_families("person", "org"),
                     targets=DOCS),
        RelationType("QUOTED_IN", "Is quoted in a document", sources=_families("person"),
                     targets=DOCS),
        RelationType("ABOUT", "A profile's subject", sources=DOCS),
        RelationType("PUBLISHED_BY", "Document published by a publisher", sources=DOCS,
                     targets=ANY_ORG),
        RelationType("MENTIONS", "Names an entity: the weakest link, from a document or "
                     "from any source that names another entity in passing"),
        RelationType("RELATED_TO", "Related document ('Also Read')", sources=DOCS,
                     targets=DOCS),
        RelationType("DEPENDS_ON", "Operational dependency: source needs target", dependency=True,
                     layer="number_resources", sources=_families("org", "service", "asn"),
                     targets=_families("org", "service")),
        RelationType("ALLOCATED_TO", "Resource allocated to a registry or holder",
                     sources=RESOURCES, targets=ANY_ORG),
        RelationType("ADMINISTERED_BY", "Resource administered by a registry",
                     sources=RESOURCES, targets=ANY_ORG),
        RelationType("HELD_BY", "Resource held by a holder (FtM: an asset by its owner)",
                     sources=RESOURCES | ANY_ORG, targets=_families("org", "person")),
        RelationType("OPERATES", "Organisation operates a service or network",
                     sources=ANY_ORG, targets=_families("org", "service", "asn", "prefix")),
        RelationType("LOCATED_IN", "Located in a country, region or facility",
                     sources=_families("org", "service", "asn", "prefix", "person"),
                     targets=PLACES),
        RelationType("MEMBER_OF", "Member of an organisation or exchange",
                     sources=_families("org", "asn", "person"),
                     targets=_families("org", "service")),
        RelationType("PARTNER_OF", "Partnership", sources=ANY_ORG, targets=ANY_ORG),
        RelationType("LITIGATES_AGAINST", "Party to litigation against",
                     sources=_families("org", "person"), targets=_families("org", "person")),
        RelationType("CUSTOMER_OF", "Routing: a customer network buys transit from its provider",
                     dependency=True, layer="routing", sources=_families("asn"),
                     targets=_families("asn")),
        RelationType("PEERS_WITH", "Routing: settlement-free peering (not a dependency)",
                     sources=_families("asn"), targets=_families("asn")),
        RelationType("CERTIFIED_BY", "RPKI: a prefix's ROA chains to a trust anchor's registry",
                     dependency=True, layer="rpki", sources=_families("prefix"),
                     targets=ANY_ORG),
        RelationType("ROA_ORIGIN", "RPKI: an AS is authorised to originate a prefix",
                     keyed_by="max_length", sources=_families("asn"),
                     targets=_families("prefix")),
        RelationType("INTERCONNECTS_AT", "Interconnection: a network or exchange needs the "
                     "exchange or facility where it connects", dependency=True,
                     layer="facilities", sources=_families("asn", "service", "org"),
                     targets=_families("service")),
    ]
}

DEPENDENCY_RELATIONS = frozenset(n for n, r in RELATION_TYPES.items() if r.dependency)

# Dependency layers: within a layer a node's dependencies are alternatives; across layers
# each is needed (docs/analytics.md).
LAYERS: tuple[str, ...] = ("number_resources", "routing", "rpki", "facilities")


def layer_relations(layer: str) -> frozenset[str]:
    """The dependency relation types of one layer; ValueError for an unknown layer."""
    if layer not in LAYERS:
        raise ValueError(f"unknown layer {layer!r}; choose from all, {', '.join(LAYERS)}")
    return frozenset(n for n, r in RELATION_TYPES.items() if r.dependency and r.layer == layer)


@dataclass(frozen=True, slots=True)
class ConfidenceTier:
    """How a fact was found, and the confidence a claim found that way carries."""

    name: str
    confidence: float
    description: str


# Every loader takes its claims' confidence from these tiers (never its own constants).
RECORD = ConfidenceTier("record", 0.99, "a registry or dataset record states it")
INFERRED = ConfidenceTier("inferred", 0.95, "follows directly from records (a holder's "
                          "dependency on the registry that lists its resources)")
FIELD = ConfidenceTier("field", 0.9, "a labelled field of a page or dump states it")
ATTRIBUTION = ConfidenceTier("attribution", 0.9, "a quote attribution or byline states it")
PATTERN = ConfidenceTier("pattern", 0.7, "a prose pattern (appositive, 'X, CEO of Y') states it")
LOOSE = ConfidenceTier("loose", 0.6, "a weaker prose pattern, or one name word only")
MENTION = ConfidenceTier("mention", 0.5, "the text names it, nothing more")
CONFIDENCE_TIERS: dict[str, ConfidenceTier] = {
    t.name: t for t in (RECORD, INFERRED, FIELD, ATTRIBUTION, PATTERN, LOOSE, MENTION)}

# (low, high, grade, label): the profile pages' own confidence table.
GRADES: tuple[tuple[float, float, str, str], ...] = (
    (0.90, 1.00, "A", "High — direct sources"),
    (0.75, 0.89, "A/B", "Strong"),
    (0.55, 0.74, "B/C", "Medium"),
    (0.35, 0.54, "C/D", "Weak–medium"),
    (0.10, 0.34, "D", "Weak signal"),
    (0.00, 0.09, "D", "Internal monitoring"),
)


def grade_for(confidence: float) -> str:
    """The grade letter that the confidence table gives a score in [0, 1]."""
    return grade_row(confidence)[2]


@lru_cache(maxsize=4096)  # a handful of distinct confidences recur across every response
def grade_row(confidence: float) -> tuple[float, float, str, str]:
    """The row of the confidence table that a score falls in (scores between rows, such as
    0.895, belong to the lower row)."""
    c = round(max(0.0, min(1.0, confidence)), 6)
    for row in GRADES:
        if c >= row[0]:
            return row
    return GRADES[-1]


def node_type(name: str) -> NodeType:
    """Look up a node type by name, case-insensitively; raises KeyError for unknown names."""
    if name in NODE_TYPES:
        return NODE_TYPES[name]
    folded = {k.lower(): v for k, v in NODE_TYPES.items()}
    return folded[name.lower()]


def relation_type(name: str) -> RelationType:
    """Look up a relation type by name (upper-cased, spaces/dashes as underscores)."""
    return RELATION_TYPES[name.strip().upper().replace(" ", "_").replace("-", "_")]


@lru_cache(maxsize=4096)  # a loader asks once per row
def relation_type_name(name: str) -> str:
    """The canonical name of a relation type as written (see ``relation_type``)."""
    return relation_type(name).name


def more_specific(a: str, b: str) -> str:
    """Of two node types in one family, the more specific (ties keep ``a``)."""
    return b if NODE_TYPES[b].rank > NODE_TYPES[a].rank else a


def endpoint_error(rel_type: str, source_family: str | None,
                   target_family: str | None) -> str | None:
    """Why a relation of this type may not run between nodes of these families, or None
    when it may (a type without ``sources`` / ``targets`` allows any family)."""
    rel = RELATION_TYPES[rel_type]
    for end, family, allowed in (("source", source_family, rel.sources),
                                 ("target", target_family, rel.targets)):
        if allowed is not None and family not in allowed:
            return (f"its {end} is a {family or 'unknown'} node, but a {rel_type} {end} "
                    f"must be {' or '.join(sorted(allowed))}")
    return None
