"""Reads behind the analyst's pages. Every function takes the user; access is checked by the caller
through scoring.permissions (access_area, can_see_rankings) and records.permissions (can_view_records) and again here where
raw records are concerned.

- overview: the ranking map and table, and the months a window may end in
- area: one area's headline, series, records layer, groups and nominals
- records: the raw records of an area, filtered (the only reader of Record rows for these pages)
- themes, demand: SQL aggregations for the thematic and demand pages
- provenance: which uploads, which CSS edition, approximations and synthetic data
- charts: SVG geometry for the server-rendered time-series charts (no database)
"""
