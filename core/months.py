"""Month arithmetic shared by scoring, ingestion and the pages. Months are their first day."""
from datetime import date, timedelta

# The months a request may ask for. Ingestion refuses dates before 1900, and a window and the one
# before it reach at most a few years back: inside these years no window arithmetic leaves the
# range of a date (year 1 to 9999).
FIRST_YEAR, LAST_YEAR = 1900, 2100


def month_start(day: date) -> date:
    return day.replace(day=1)


def month_end(day: date) -> date:
    return (day.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)


def add_months(month: date, delta: int) -> date:
    index = month.year * 12 + month.month - 1 + delta
    return date(index // 12, index % 12 + 1, 1)


def months_between(first: date, last: date) -> list[date]:
    """Every month from the one holding ``first`` to the one holding ``last``, both included."""
    months, current = [], month_start(first)
    while current <= last:
        months.append(current)
        current = add_months(current, 1)
    return months
