"""The co-offending network page and its exports (edges as CSV, the graph as GraphML). Thin: parse, check, call."""
import networkx as nx
from django.http import Http404, HttpResponse
from django.shortcuts import render

from core.audit import audit_record
from core.exports import csv_response
from core.models import AuditEvent
from nominals.permissions import can_research
from pages.http import get_only
from pages.network_forms import NetworkForm
from pages.selectors.area import area_window
from pages.selectors.network import (
    Network,
    NetworkScope,
    graph_elements,
    network_audit_detail,
    nominal_network,
)

EDGES_HEADER = ["nominal_a_ref", "nominal_a_name", "nominal_b_ref", "nominal_b_name", "shared_records"]


def _research(request, **_) -> None:
    if not can_research(request.user):
        raise Http404("No such page")


def _network(request) -> tuple[NetworkForm, NetworkScope | None, Network | None]:
    """The form, the scope it chose and the network in it (None before any scored month gives a window)."""
    _research(request)
    form = NetworkForm(request.GET or None)
    window = area_window(**form.window())
    if window is None:
        return form, None, None
    scope = NetworkScope(start=window[0], end=window[1], **form.filters())
    return form, scope, nominal_network(user=request.user, scope=scope)


def _audit(request, action, scope: NetworkScope | None, network: Network | None, **detail) -> None:
    audit_record(user=request.user, action=action, object_type="nominal_network", request=request, detail={
        **detail, "params": dict(request.GET.lists()), **network_audit_detail(scope, network)})


@get_only(_research)
def page(request):
    form, scope, network = _network(request)
    _audit(request, AuditEvent.Action.VIEW, scope, network)
    return render(request, "nominals/network.html", {
        "form": form, "scope": scope, "network": network, "query": form.query(),
        "elements": graph_elements(network) if network else None})


@get_only(_research)
def edges_csv(request):
    form, scope, network = _network(request)
    if network is None:
        raise Http404("No scores yet")
    _audit(request, AuditEvent.Action.EXPORT, scope, network, format="csv")
    node = network.graph.nodes
    rows = ([node[a]["ref"], node[a]["name"], node[b]["ref"], node[b]["name"], shared]
            for a, b, shared in network.edges)
    return csv_response(f"network-edges-{scope.start:%Y-%m}-{scope.end:%Y-%m}.csv", EDGES_HEADER, rows)


@get_only(_research)
def graphml(request):
    form, scope, network = _network(request)
    if network is None:
        raise Http404("No scores yet")
    _audit(request, AuditEvent.Action.EXPORT, scope, network, format="graphml")
    response = HttpResponse("\n".join(nx.generate_graphml(network.graph)), content_type="application/graphml+xml")
    response["Content-Disposition"] = f'attachment; filename="network-{scope.start:%Y-%m}-{scope.end:%Y-%m}.graphml"'
    return response
