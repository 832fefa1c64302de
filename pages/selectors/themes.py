"""Thematic views: counts of one kind of event by sector and by month, aggregated in SQL."""
import hashlib
from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.core.cache import cache
from django.db.models import IntegerField, Max, Q, Sum
from django.db.models.functions import Coalesce
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe

from core.charts import line_chart
from core.months import add_months, months_between
from pages.forms import COUNTED_ALL
from pages.selectors.links import records_url, window_params
from pages.selectors.overview import scores_stamp
from pages.selectors.records import linkable_key, records_linkable
from pages.selectors.shapes import areas_with_data, choropleth
from records.models import RecordKind
from scoring import selectors as scoring_selectors
from scoring.models import RecordCount
from sectors.models import Area, Level


def series(label: str, kind: str, flag: str = "") -> tuple[str, Q, dict]:
    """One series of a theme: its label, its filter of the stored counts (scoring.models.RecordCount:
    its kind; its flag's column counts the records flagged), and the filter as records-list parameters."""
    return label, Q(kind=kind), {"kind": kind, "flag": flag}


@dataclass(frozen=True)
class Theme:
    slug: str
    title: str
    description: str
    series: tuple[tuple[str, Q, dict], ...]

    @property
    def where(self) -> Q:
        combined = Q(pk__in=[])
        for _, q, _ in self.series:
            combined |= q
        return combined


THEMES = {t.slug: t for t in [
    Theme("drug-deaths", "Drug-related deaths",
          "Deaths the Coroner records as drug-related, placed where the death occurred.",
          (series("Drug-related deaths", RecordKind.DRUG_DEATH),)),
    Theme("firearms", "Firearms: discharges and intelligence",
          "Force crimes flagged as a firearms discharge, and firearms intelligence reports.",
          (series("Discharges", RecordKind.CRIME, "firearms_discharge"),
           series("Intelligence reports", RecordKind.FIREARMS_INTEL))),
    Theme("drug-supply", "Drug supply and cannabis farms",
          "Force crimes flagged as drug supply or as a cannabis farm.",
          (series("Drug supply offences", RecordKind.CRIME, "drug_supply"),
           series("Cannabis farms", RecordKind.CRIME, "cannabis_farm"))),
    Theme("partners", "Crimestoppers and Trading Standards",
          "Intelligence reports from Crimestoppers and records from Trading Standards.",
          (series("Crimestoppers reports", RecordKind.CRIMESTOPPERS),
           series("Trading Standards records", RecordKind.TRADING_STANDARDS))),
]}


def theme_window(*, theme: Theme | None, end_month: date | None, months: int) -> tuple[date, date] | None:
    """months months ending end_month, or the latest scored month (else the theme's latest record)."""
    end = end_month or scoring_selectors.default_window_end()[0]
    if end is None and theme is not None:
        end = _stored(theme.where).aggregate(m=Max("month"))["m"]
    return None if end is None else (add_months(end.replace(day=1), -(months - 1)), end.replace(day=1))


def _stored(where: Q):
    """The stored counts of the records located in the force, by sector (those in no sector under None)."""
    return RecordCount.objects.filter(where, level=Level.SECTOR)


def _count(kind: str, flag: str, name: str):
    return Coalesce(Sum(flag or "count", filter=Q(kind=kind)), 0, output_field=IntegerField())


def _counts(theme: Theme) -> dict:
    return {f"s{i}": _count(p["kind"], p["flag"], f"s{i}") for i, (_, _, p) in enumerate(theme.series)}


def themes_index(*, user, start: date, end: date) -> list[dict]:
    """Every theme with its total in the window: one query of the stored counts."""
    totals = _stored(Q()).filter(month__gte=start, month__lte=end).aggregate(
        **{f"{slug}:{i}": _count(p["kind"], p["flag"], slug)
           for slug, t in THEMES.items() for i, (_, _, p) in enumerate(t.series)})
    return [{"theme": t, "total": sum(totals[f"{slug}:{i}"] for i in range(len(t.series)))}
            for slug, t in THEMES.items()]


def theme_view(*, user, theme: Theme, start: date, end: date) -> dict:
    """Map (sectors by count), monthly trend per series, and the table by sector, from the counts
    the scoring run stores (scoring.models.RecordCount), never the records. Four queries."""
    records = _stored(theme.where).filter(month__gte=start, month__lte=end)
    keys = [f"s{i}" for i in range(len(theme.series))]
    by_sector = {row["area_id"]: row for row in records.values("area_id").annotate(**_counts(theme)).order_by()}
    by_month = {row["month"]: row for row in records.values("month").annotate(**_counts(theme)).order_by()}
    sectors = list(Area.objects.filter(level=Level.SECTOR).values("id", "code", "name"))
    # A cell links to its records: every record located in the sector matching the series' filter.
    linkable = records_linkable(user, Level.SECTOR)
    window = window_params(months=len(months_between(start, end)), end=end)
    table = []
    for s in sectors:
        counts = [by_sector.get(s["id"], {}).get(k, 0) for k in keys]
        links = [records_url(s["id"], window, counted_by=COUNTED_ALL, **params)
                 if n and (linkable is None or s["id"] in linkable) else ""
                 for n, (_, _, params) in zip(counts, theme.series)]
        table.append({"area": s, "counts": counts, "cells": list(zip(counts, links)), "total": sum(counts)})
    table.sort(key=lambda r: (-r["total"], r["area"]["name"]))
    unlocated = [by_sector.get(None, {}).get(k, 0) for k in keys]
    months = months_between(start, end)
    chart = line_chart(months=months, series=[
        (label, [by_month.get(m, {}).get(k, 0) for m in months]) for (label, _, _), k in zip(theme.series, keys)])
    values = {r["area"]["id"]: {"value": r["total"]} for r in table}
    features, legend, _ = choropleth(level=Level.SECTOR, values=values, value_key="value",
                                     with_data=areas_with_data(level=Level.SECTOR, start=start, end=end))
    return {"theme": theme, "labels": [label for label, _, _ in theme.series], "table": table,
            "unlocated": unlocated if any(unlocated) else None, "chart": chart, "features": features,
            "legend": legend, "total": sum(r["total"] for r in table) + sum(unlocated)}


def theme_shared(*, user, theme: Theme, start: date, end: date, query: str) -> dict:
    """theme_view() with its map, chart and table rendered as HTML (``body``), once per scoring run,
    window, query and set of sectors whose cells link to records, and shared by the users who ask it.

    Rendering 180 sectors' linked cells and the map data was most of a warm page (about 80 ms of
    100 on the demo). A warm page reads that string; a cold one also has theme_view()'s figures.
    """
    key = "themes:" + hashlib.sha256(f"{theme.slug}|{start}|{end}|{query}|"
                                     f"{linkable_key(records_linkable(user, Level.SECTOR))}|"
                                     f"{scores_stamp()}".encode()).hexdigest()
    shared = cache.get(key)
    if shared is None:
        data = theme_view(user=user, theme=theme, start=start, end=end)
        shared = {"total": data["total"], "body": render_to_string("sectors/_theme_body.html", {
            **data, "start": start, "end": end, "query": query})}
        cache.set(key, shared, settings.PAGE_CACHE_SECONDS)
        return {**data, **shared, "body": mark_safe(shared["body"])}
    return {**shared, "body": mark_safe(shared["body"])}  # rendered by our own template, escaped there
