"""Reads behind the co-offending network page and its exports. Every function takes the user.

Two nominals are linked when both are linked to the same record, in a role the profiles count
(suspect, offender or associate: OFFENDING_ROLES, never victim or witness), the record falling in
the chosen months and located in the chosen area. Nominals the user may not research are left out
of the SQL itself, before anything is counted: a restricted nominal not granted to the user is in no
node, edge, degree, community or harm.
"""
from dataclasses import dataclass, field
from datetime import date

import networkx as nx
from django.conf import settings
from django.db.models import Count, F, FloatField, Func, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404
from django.urls import reverse

from nominals.models import Membership, Nominal, RecordNominal
from nominals.network import network_graph, network_measures
from nominals.permissions import can_research, nominals_visible
from pages.selectors.nominals import OFFENDING_ROLES, _with_weight
from records.models import Record
from scoring.selectors.items import located_in
from sectors.models import Area


@dataclass(frozen=True)
class NetworkScope:
    """What the network covers: months start..end, records located in ``area`` (None: anywhere), and
    when ``group_id`` or ``group_type`` is given, the links with at least one member of that group (or of
    any group of that type) whose membership overlaps the months."""
    start: date
    end: date
    area: Area | None = None
    group_id: int | None = None
    group_type: str = ""


@dataclass
class Network:
    graph: nx.Graph
    rows: list[dict] = field(default_factory=list)  # one per nominal, by betweenness (network_rows)
    edges: list[tuple[int, int, int]] = field(default_factory=list)
    nominals_found: int = 0  # the nominals with a link in the scope, before any cap (network_cap)
    links_found: int = 0

    @property
    def capped(self) -> bool:
        return len(self.rows) < self.nominals_found

    @property
    def communities(self) -> int:
        return len({row["community"] for row in self.rows})


def _records(scope: NetworkScope):
    records = Record.objects.filter(month__gte=scope.start, month__lte=scope.end)
    return records.filter(located_in(scope.area)) if scope.area is not None else records


def _members(scope: NetworkScope):
    """The nominals in the scope's group (or groups of its type) at some time in its months."""
    overlapping = Q(started_on__lte=scope.end) & (Q(ended_on__isnull=True) | Q(ended_on__gte=scope.start))
    memberships = Membership.objects.filter(overlapping)
    if scope.group_id:
        memberships = memberships.filter(group_id=scope.group_id)
    if scope.group_type:
        memberships = memberships.filter(group__group_type=scope.group_type)
    return memberships.values("nominal_id")


def network_edges(*, user, scope: NetworkScope) -> list[tuple[int, int, int]]:
    """(nominal a, nominal b, records shared), a < b, for every pair of visible nominals sharing a record.

    One query: the record links joined to the other links of the same record.
    """
    if not can_research(user):
        raise Http404("Not found")
    visible = nominals_visible(user).values("pk")
    # One filter() call: every condition on the other link must name the same join.
    group = Q()
    if scope.group_id or scope.group_type:
        members = _members(scope)
        group = Q(nominal_id__in=members) | Q(record__nominal_links__nominal_id__in=members)
    pairs = RecordNominal.objects.filter(
        group, role__in=OFFENDING_ROLES, nominal_id__in=visible, record_id__in=_records(scope).values("pk"),
        record__nominal_links__role__in=OFFENDING_ROLES,
        record__nominal_links__nominal_id__gt=F("nominal_id"),
        record__nominal_links__nominal_id__in=visible,
    )
    other = "record__nominal_links__nominal_id"
    rows = (pairs.values_list("nominal_id", other).annotate(shared=Count("record_id", distinct=True))
            .order_by("nominal_id", other))
    return [(a, b, shared) for a, b, shared in rows]


class _Sum(Func):
    """SUM over a correlated subquery's rows, without the GROUP BY an aggregate would bring."""
    function = "SUM"
    output_field = FloatField()


def linked_harms(*, nominal_ids, scope: NetworkScope) -> dict[int, float]:
    """nominal id -> the harm of the records linked to them in the scope, as their profile weighs it.

    The profile's definition (pages.selectors.nominals.nominal_profile): each record linked to the
    nominal in an offending role counted once, with its offence's weight in the active CSS edition.
    """
    # Driven from the nominal's own links (an index on the links' nominal), not a scan of every record
    # in the months checked against them: that was quadratic (10 s for the demo's 267 nominals on SQLite).
    linked = RecordNominal.objects.filter(nominal_id=OuterRef(OuterRef("pk")), role__in=OFFENDING_ROLES)
    weighted, _ = _with_weight(_records(scope).filter(pk__in=linked.values("record_id")))
    total = weighted.annotate(total=_Sum("weight")).values("total")
    rows = Nominal.objects.filter(pk__in=list(nominal_ids)).annotate(
        harm=Coalesce(Subquery(total[:1]), 0.0, output_field=FloatField())).values_list("pk", "harm")
    return {pk: float(harm) for pk, harm in rows}


def _nodes(ids: set[int], scope: NetworkScope, harms: dict[int, float]) -> dict[int, dict]:
    """Each nominal's attributes: ref, name, groups (those whose membership overlaps the months), harm."""
    nominals = Nominal.objects.filter(pk__in=ids).values_list("pk", "ref", "name")
    groups: dict[int, list[str]] = {}
    overlapping = Membership.objects.filter(nominal_id__in=ids, started_on__lte=scope.end).filter(
        Q(ended_on__isnull=True) | Q(ended_on__gte=scope.start))
    for nominal, name in overlapping.order_by("group__name").values_list("nominal_id", "group__name").distinct():
        groups.setdefault(nominal, []).append(name)
    return {pk: {"ref": ref, "name": name, "groups": "; ".join(groups.get(pk, [])),
                 "group": (groups.get(pk) or [""])[0], "harm": harms.get(pk, 0.0)}
            for pk, ref, name in nominals}


def network_cap(*, edges: list[tuple[int, int, int]], harms: dict[int, float],
                limit: int) -> tuple[set[int], list[tuple[int, int, int]]]:
    """The ``limit`` nominals with the most linked harm (ties: the smaller id) and the links among them.

    Betweenness costs nominals x links, and a graph of thousands of nodes is unreadable anyway; the
    heaviest nominals are those a tasking meeting asks about. A limit of 0 keeps everyone.
    """
    ids = {a for a, _, _ in edges} | {b for _, b, _ in edges}
    if not limit or len(ids) <= limit:
        return ids, edges
    kept = set(sorted(ids, key=lambda pk: (-harms.get(pk, 0.0), pk))[:limit])
    return kept, [(a, b, shared) for a, b, shared in edges if a in kept and b in kept]


def nominal_network(*, user, scope: NetworkScope, max_nodes: int | None = None) -> Network:
    """The network in the scope with every nominal's measures, its rows sorted by betweenness.

    At most ``max_nodes`` nominals (default settings.NETWORK_MAX_NODES; 0: no cap), the heaviest by
    linked harm (network_cap); the measures are those of the graph shown. ``nominals_found`` and
    ``links_found`` say how many there were before the cap. Five queries: the edges, their linked
    harm, the CSS edition, the nominals, their groups.
    """
    limit = settings.NETWORK_MAX_NODES if max_nodes is None else max_nodes
    found = network_edges(user=user, scope=scope)
    every = {a for a, _, _ in found} | {b for _, b, _ in found}
    harms = linked_harms(nominal_ids=every, scope=scope) if every else {}
    ids, edges = network_cap(edges=found, harms=harms, limit=limit)
    nodes = _nodes(ids, scope, harms) if ids else {}
    graph = network_graph(nodes=nodes, edges=edges)
    measures = network_measures(graph)
    for node, measure in measures.items():
        graph.nodes[node].update(degree=measure.degree, betweenness=measure.betweenness,
                                 community=measure.community, bridge=measure.bridge)
    rows = [{"id": node, **graph.nodes[node]} for node in graph]
    rows.sort(key=lambda r: (-r["betweenness"], -r["degree"], r["ref"]))
    return Network(graph=graph, rows=rows, edges=edges, nominals_found=len(every), links_found=len(found))


def network_audit_detail(scope: NetworkScope | None, network: Network | None) -> dict:
    """What a read of the network showed, for the audit trail (the page, its exports and the API)."""
    return {"start": str(scope.start) if scope else "", "end": str(scope.end) if scope else "",
            "nominals": len(network.rows) if network else 0, "links": len(network.edges) if network else 0,
            "nominals_found": network.nominals_found if network else 0,
            "capped": bool(network and network.capped)}


# Colours of the graph's nodes, one per group in the order of their names (then again from the start);
# nominals in no group are grey. Chosen to be told apart on white and by most colour-blind readers.
PALETTE = ["#0072b2", "#d55e00", "#009e73", "#cc79a7", "#e69f00", "#56b4e9", "#8c564b", "#f0e442",
           "#332288", "#44aa99", "#882255", "#999933"]
NO_GROUP = "#999999"
SIZE_MIN, SIZE_MAX = 16, 56


def graph_elements(network: Network) -> dict:
    """The graph for the page's script: nodes coloured by (first) group, sized by linked harm.

    The size grows with the square root of the harm, so the area of a node follows its harm; the nominal
    with the most harm has SIZE_MAX, one with none SIZE_MIN.
    """
    groups = sorted({row["group"] for row in network.rows if row["group"]})
    colour = {name: PALETTE[i % len(PALETTE)] for i, name in enumerate(groups)}
    top = max((row["harm"] for row in network.rows), default=0.0) or 1.0
    nodes = [{"data": {"id": str(row["id"]), "label": row["ref"], "group": row["group"] or "no group",
                       "colour": colour.get(row["group"], NO_GROUP), "bridge": row["bridge"],
                       "url": reverse("nominals:nominal", args=[row["id"]]),
                       "size": round(SIZE_MIN + (SIZE_MAX - SIZE_MIN) * (row["harm"] / top) ** 0.5, 1)}}
             for row in network.rows]
    edges = [{"data": {"id": f"{a}-{b}", "source": str(a), "target": str(b), "shared": shared}}
             for a, b, shared in network.edges]
    legend = [{"group": name, "colour": colour[name]} for name in groups]
    return {"nodes": nodes, "edges": edges, "legend": legend}
