"""The things every number-resource source names the same way: the registries (IANA and the
five RIRs), countries (ISO 3166 via pycountry), autonomous system numbers and IP blocks.

Every structured loader builds these nodes with the functions here, so IANA, RIR statistics,
PeeringDB and profile pages meet on one ``org:afrinic``, one ``country:za``, one ``asn:1228``.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from functools import cache

import pycountry

from graph.ids import entity_id
from graph.model import Batch, Entity, Relation
from graph.vocab import FIELD


@dataclass(frozen=True, slots=True)
class Registry:
    """A number registry: its short name (the node name), long name (an alias), the codes
    RIR statistics files use for it, and the DNS domain its servers live under."""

    name: str
    long_name: str
    codes: tuple[str, ...]
    domain: str
    kind: str = "RIR"

    @property
    def id(self) -> str:
        return entity_id("Registry", self.name)


REGISTRIES: tuple[Registry, ...] = (
    Registry("IANA", "Internet Assigned Numbers Authority", ("iana",), "iana.org", "IANA"),
    Registry("AFRINIC", "African Network Information Centre", ("afrinic",), "afrinic.net"),
    Registry("APNIC", "Asia-Pacific Network Information Centre", ("apnic",), "apnic.net"),
    Registry("ARIN", "American Registry for Internet Numbers", ("arin",), "arin.net"),
    Registry("LACNIC", "Latin American and Caribbean Internet Addresses Registry",
             ("lacnic",), "lacnic.net"),
    Registry("RIPE NCC", "Réseaux IP Européens Network Coordination Centre",
             ("ripencc", "ripe", "ripe-ncc"), "ripe.net"),
)
IANA = REGISTRIES[0]

# Codes RIR statistics use that are not ISO 3166-1 country codes but name a place.
EXTRA_COUNTRIES = {"EU": "European Union", "AP": "Asia-Pacific", "XK": "Kosovo"}
UNKNOWN_COUNTRY = {"", "ZZ"}
MAX_ASN = 2**32 - 1


def registry_named(text: str) -> Registry | None:
    """The registry a label names: ``"RIPE NCC"``, ``"Administered by ARIN"``, ``"ripencc"``,
    ``"African Network Information Centre"``; None when it names none."""
    key = " ".join(text.lower().replace("administered by", " ").split())
    for reg in REGISTRIES:
        if key in {reg.name.lower(), reg.long_name.lower(), *reg.codes}:
            return reg
    return None


def registry_for_host(host: str) -> Registry | None:
    """The registry whose domain a server's host name (or URL) is under."""
    host = host.lower().split("://", 1)[-1].split("/", 1)[0]
    return next((r for r in REGISTRIES if host == r.domain or host.endswith("." + r.domain)),
                None)


def registry_entity(reg: Registry, locator: str | None = None) -> Entity:
    """The Registry node: short name, long name as an alias."""
    return Entity("Registry", reg.name, aliases=[reg.long_name], locator=locator,
                  properties={"registry_kind": reg.kind, "domain": reg.domain})


@cache
def country_name(code: str) -> tuple[str, list[str]] | None:
    """The display name and other names of a two-letter code, or None for unknown codes
    (``ZZ``, empty). Names come from pycountry (common name first), then EXTRA_COUNTRIES;
    any other two letters are kept as their own name."""
    code = code.strip().upper()
    if code in UNKNOWN_COUNTRY:
        return None
    found = pycountry.countries.get(alpha_2=code)
    if found is None:
        name = EXTRA_COUNTRIES.get(code, code)
        return name, [code] if name != code else []
    name = getattr(found, "common_name", None) or found.name
    others = [found.name, getattr(found, "official_name", None), found.alpha_3, code]
    return name, [o for o in dict.fromkeys(others) if o and o != name]


def country_entity(code: str, locator: str | None = None) -> Entity | None:
    """The Country node of an ISO 3166 alpha-2 code (id ``country:za``), or None when the
    code names no country."""
    named = country_name(code)
    if named is None:
        return None
    name, aliases = named
    return Entity("Country", name, id=entity_id("Country", code), aliases=aliases,
                  properties={"iso_code": code.strip().upper()}, locator=locator)


def locate(batch: Batch, seen: set[str], entity: Entity, code: str, locator: str) -> None:
    """``entity LOCATED_IN`` the country of a self-reported code (FIELD confidence), adding
    the Country node to the batch once (``seen``: the country ids it already has); nothing
    for a code that names no country."""
    country = country_entity(code, locator)
    if country is None:
        return
    if country.id not in seen:
        seen.add(country.id)
        batch.entities.append(country)
    batch.relations.append(Relation(entity.id, country.id, "LOCATED_IN", {}, FIELD.confidence,
                                    locator))


def asn_entity(start: int, count: int = 1, locator: str | None = None) -> Entity:
    """An AS number (``asn:1228``, named ``AS1228``) or block (``asn:1228-1231``)."""
    end = start + count - 1
    key = f"{start}" if count == 1 else f"{start}-{end}"
    name = f"AS{start}" if count == 1 else f"AS{start}-AS{end}"
    return Entity("ASN", name, id=entity_id("ASN", key), aliases=[key], locator=locator,
                  properties={"asn_start": start, "asn_count": count})


def ipv4_block_name(start: ipaddress.IPv4Address, count: int) -> str:
    """A name for ``count`` addresses from ``start``: CIDR when the block is one aligned
    power of two (``41.0.0.0/8``), else the inclusive range (``196.1.0.0-196.1.5.255``)."""
    if count & (count - 1) == 0 and int(start) % count == 0:
        return f"{start}/{32 - count.bit_length() + 1}"
    return f"{start}-{start + count - 1}"


def prefix_entity(name: str, locator: str | None = None, **properties: object) -> Entity:
    """A Prefix node named by CIDR or range (id ``prefix:<name>``)."""
    return Entity("Prefix", name, locator=locator, properties=dict(properties))
