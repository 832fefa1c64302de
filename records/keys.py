"""A record's reference as the records' unique key holds it: one expression for every look-up by reference.

On PostgreSQL the unique key (records migration 0006) indexes the reference in a compact exact form:
a lowercase 64-hex ID (police.uk's Crime IDs) as the 32 bytes it decodes to, behind a tag byte 1,
and any other reference as its own bytes behind a tag byte 0 (backslashes doubled, so that
``decode(..., 'escape')`` reads them back as they are). Both halves are injective and the tags keep
them apart, so two references never share a key; a digest would. The index serves only a query that
writes the same expression: every join, ``NOT EXISTS`` and ``ON CONFLICT`` on a reference goes
through ``reference_key`` or ``reference_match``. SQLite keeps the plain (source, external_ref,
month, force) constraint and plain equality.
"""
from django.db import connection

# Written out in records migration 0006 as it was then; that migration's index and this must agree.
_KEY = ("(CASE WHEN octet_length({ref}) = 64 AND {ref} !~ '[^0-9a-f]' THEN '\\x01'::bytea || decode({ref}, 'hex') "
        "ELSE '\\x00'::bytea || decode(replace({ref}, '\\', '\\\\'), 'escape') END)")


def reference_key(alias: str | None = None) -> str:
    """The key expression of the reference of ``alias`` (none: the bare column, as ON CONFLICT names it)."""
    if connection.vendor != "postgresql":
        return f"{alias}.external_ref" if alias else "external_ref"
    return _KEY.format(ref=f"{alias}.external_ref" if alias else "external_ref")


def reference_match(left: str, right: str) -> str:
    """SQL true when the records (or staged rows) ``left`` and ``right`` have the same reference."""
    return f"{reference_key(left)} = {reference_key(right)}"
