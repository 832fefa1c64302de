"""The API's one pagination: ?limit=&offset=, 100 items by default, at most 1,000 in one response
(a level's boundaries in one response were megabytes)."""
from rest_framework.pagination import LimitOffsetPagination


class Pagination(LimitOffsetPagination):
    default_limit = 100
    max_limit = 1000
