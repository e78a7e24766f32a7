"""The integers every supported database can compare: signed 64 bits.

SQLite cannot even bind a larger Python int (OverflowError, a 500), PostgreSQL refuses it with
"bigint out of range": a number outside this range in a filter, a page parameter, an id in a
path or a reference in a request body is bad input, answered 400 (404 for a path id).
"""

import re
from decimal import Decimal, InvalidOperation

INT_MIN = -(2**63)
INT_MAX = 2**63 - 1
RANGE_MESSAGE = f"Give a whole number between {INT_MIN} and {INT_MAX}."
_INTEGER = re.compile(r"\s*[+-]?\d+\s*")


def fits(value):
    """Whether `value` (a number or its text) is a number within the 64-bit range.

    Text that is not a number at all is left to the field that reads it (its own message).
    """
    if isinstance(value, bool) or value is None:
        return True
    if isinstance(value, int):
        return INT_MIN <= value <= INT_MAX
    text = str(value)
    if _INTEGER.fullmatch(text):
        return INT_MIN <= int(text) <= INT_MAX
    try:
        number = Decimal(text.strip())
    except (InvalidOperation, ValueError):
        return True
    return not number.is_finite() or INT_MIN <= number <= INT_MAX


def id_or_none(value):
    """`value` as a record id when it is a whole number in range, else None."""
    text = str(value)
    if not _INTEGER.fullmatch(text):
        return None
    number = int(text)
    return number if INT_MIN <= number <= INT_MAX else None
