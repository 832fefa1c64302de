"""The API's one pagination: ?limit=&offset=, 100 items by default, at most 1,000 in one response
(a level's boundaries in one response were megabytes)."""
from drf_spectacular.utils import OpenApiParameter
from rest_framework.pagination import LimitOffsetPagination


class Pagination(LimitOffsetPagination):
    default_limit = 100
    max_limit = 1000


# For views that page a list themselves (a ranking is computed whole, then paged): the schema's parameters.
PAGE_PARAMETERS = [
    OpenApiParameter("limit", int, description=f"Items per response (default {Pagination.default_limit}, "
                                               f"at most {Pagination.max_limit})"),
    OpenApiParameter("offset", int, description="The first item to return (0-based)"),
]
