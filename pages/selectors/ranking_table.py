"""The overview's table a page at a time, sorted on the server over the whole ranking.

A ranking of up to ``WHOLE_UP_TO`` rows (commands; a force's sectors, 177 in the demo) is shown
whole and sorts in the browser too; a longer one (916 neighbourhoods) is shown ``RANKING_PAGE_SIZE``
rows at a time, so its order must be the whole ranking's: ``sort`` (a column key, ``-`` for
descending) and ``page`` are GET parameters, kept by the export link and the ranking form.
"""
from dataclasses import dataclass
from urllib.parse import urlencode

from django.core.paginator import Paginator

from scoring.models import Measure

WHOLE_UP_TO = 250
RANKING_PAGE_SIZE = 100

# key -> (heading, numeric, value of a row); measures add "m.<code>" columns after these.
COLUMNS = {
    "rank": ("Rank", True, lambda r: r.rank),
    "area": ("Area", False, lambda r: (r.area_name.casefold(), r.area_code)),
    "harm": ("Harm", True, lambda r: r.harm),
    "change": ("Change", True, lambda r: r.rank_change),
    "items": ("Items", True, lambda r: r.count),
    "harm_change": ("Harm change", False, lambda r: (r.significant, abs(r.z or 0.0))),
    "count_change": ("Count change", False, lambda r: -(r.count_p if r.count_p is not None else 1.0)),
}
ASCENDING_FIRST = {"rank", "area"}  # the others read best largest first


@dataclass
class Heading:
    label: str
    numeric: bool
    href: str  # this column sorted (the other way round when it already is)
    aria_sort: str  # "ascending", "descending" or ""


def _columns(ranking) -> dict:
    columns = dict(COLUMNS)
    columns["dominant"] = ("One item dominates", False, lambda r: r.dominant or "")
    for value, label in Measure.HarmType.choices:
        columns[f"t.{value}"] = (label[:1].upper() + label[1:], True,
                                 lambda r, t=value: r.harm_by_type.get(t, 0.0))
    for m in ranking.measures:
        columns[f"m.{m.code}"] = (m.name, True, lambda r, code=m.code: r.contributions.get(code, 0.0))
    return columns


def parse_sort(value: str | None, ranking) -> tuple[str, bool]:
    """(column key, descending); an unknown key is the rank."""
    value = (value or "").strip()
    descending = value.startswith("-")
    key = value.lstrip("-")
    return (key, descending) if key in _columns(ranking) else ("rank", False)


def sorted_rows(ranking, sort: str | None) -> list:
    """The whole ranking's rows in the order asked for; ties keep the rank order."""
    key, descending = parse_sort(sort, ranking)
    value = _columns(ranking)[key][2]
    rows = sorted(ranking.rows, key=lambda r: r.rank)
    return sorted(rows, key=value, reverse=descending) if key != "rank" or descending else rows


def ranking_page(*, ranking, table: list[dict], sort: str | None, page: str | None, query: dict) -> dict:
    """The rows of ``table`` (the overview's formatted rows) to show, the headings' sort links and the pager.

    ``query`` is the request's GET parameters as a dict of lists (``sort`` and ``page`` are replaced here).
    """
    key, descending = parse_sort(sort, ranking)
    by_area = {item["row"].area_id: item for item in table}
    ordered = [by_area[r.area_id] for r in sorted_rows(ranking, sort)]
    paged = len(ordered) > WHOLE_UP_TO
    base = {k: v for k, v in query.items() if k not in ("sort", "page")}

    def href(**params) -> str:
        return "?" + urlencode({**base, **{k: [v] for k, v in params.items() if v}}, doseq=True)

    sort_param = ("-" if descending else "") + key if (key, descending) != ("rank", False) else ""
    headings = []
    for column, (label, numeric, _) in _columns(ranking).items():
        if column == key:
            flip = "" if descending else "-"
            target = flip + column
            aria = "descending" if descending else "ascending"
        else:
            target = column if column in ASCENDING_FIRST else "-" + column
            aria = ""
        headings.append(Heading(label, numeric, href(sort="" if target == "rank" else target) + "#ranking-table",
                                aria))
    result = {"paged": paged, "headings": headings, "sort": sort_param, "rows": ordered, "page_obj": None,
              "page_links": {}}
    if paged:
        page_obj = Paginator(ordered, RANKING_PAGE_SIZE).get_page(page)
        result.update(rows=list(page_obj.object_list), page_obj=page_obj, page_links={
            "previous": href(sort=sort_param, page=page_obj.previous_page_number()) + "#ranking-table"
            if page_obj.has_previous() else "",
            "next": href(sort=sort_param, page=page_obj.next_page_number()) + "#ranking-table"
            if page_obj.has_next() else "",
            "first": href(sort=sort_param) + "#ranking-table" if page_obj.number > 2 else "",
            "last": href(sort=sort_param, page=page_obj.paginator.num_pages) + "#ranking-table"
            if page_obj.number < page_obj.paginator.num_pages - 1 else "",
        })
    return result
