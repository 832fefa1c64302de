"""Reading the pages' HTML in tests."""
import re

_TOKENS = re.compile(r'(csrfmiddlewaretoken" value|nonce)="[^"]*"')
_RECORDS_LINK = re.compile(r'href="/sectors/(\d+)/\?[^"]*#records" data-figure-count')


def without_tokens(response) -> str:
    """The page without its per-request tokens (the logout form's CSRF token, the CSP nonce)."""
    return _TOKENS.sub(r'\1=""', response.content.decode())


def linked_areas(response) -> set[int]:
    """The areas whose figures on the page link to their records list."""
    return {int(a) for a in _RECORDS_LINK.findall(response.content.decode())}
