"""Reading payload fields at the boundary: type, range and size checked, path named.

Every reader takes the value's JSON path so that a :class:`MappingError` says
where the bad field is. Text is kept as plain text: nothing is escaped (that is
the job of whoever renders it), control characters are removed.
"""

import json
import re
from datetime import datetime, timezone
from decimal import Decimal, InvalidOperation

from .currencies import ISO_4217
from .errors import MappingError

MAX_PAYLOAD_BYTES = 2 * 1024 * 1024  # a real order with hundreds of lines is far below
MAX_LINES = 1000
MAX_ITEMS = 1000  # any other list in an order (taxes, shipping lines, discounts)
MAX_TEXT = 2000  # names, addresses, titles
MAX_NOTE = 20000
MAX_QUANTITY = 1_000_000
MAX_AMOUNT = Decimal("1000000000")  # 1e9 in any currency is not an order

# Control characters (C0, DEL, C1) and the bidirectional overrides that can make
# text display differently from what it is.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
_LINE_BREAKS = re.compile(r"[\t\r\n]+")


def load_json(payload, path=""):
    """The payload as a JSON object: bytes, text or an already decoded dict."""
    if isinstance(payload, (bytes, bytearray, str)):
        size = len(payload.encode() if isinstance(payload, str) else payload)
        if size > MAX_PAYLOAD_BYTES:
            raise MappingError(
                f"the payload is {size} bytes, more than the {MAX_PAYLOAD_BYTES} an order may have",
                path,
            )
        try:
            payload = json.loads(payload)
        except (ValueError, UnicodeDecodeError) as error:
            raise MappingError(f"the payload is not valid JSON ({error})", path) from None
        except RecursionError:
            raise MappingError("the payload is nested too deep to be an order", path) from None
    return as_object(payload, path)


def join(path, key):
    if isinstance(key, int):
        return f"{path}[{key}]"
    return f"{path}.{key}" if path else key


def _type_name(value):
    return {dict: "an object", list: "a list", str: "text", bool: "true/false"}.get(
        type(value), "a number" if isinstance(value, (int, float)) else "null"
    )


def as_object(value, path):
    if not isinstance(value, dict):
        raise MappingError(f"expected an object, got {_type_name(value)}", path)
    return value


def obj(data, key, path, required=True):
    value = data.get(key)
    if value is None:
        if required:
            raise MappingError("is missing", join(path, key))
        return None
    return as_object(value, join(path, key))


def array(data, key, path, required=False, max_items=MAX_ITEMS):
    value = data.get(key)
    where = join(path, key)
    if value is None:
        if required:
            raise MappingError("is missing", where)
        return []
    if not isinstance(value, list):
        raise MappingError(f"expected a list, got {_type_name(value)}", where)
    if len(value) > max_items:
        raise MappingError(f"has {len(value)} entries, more than the {max_items} allowed", where)
    return value


def clean_text(value, multiline=False):
    value = _CONTROL.sub("", value)
    if not multiline:
        value = _LINE_BREAKS.sub(" ", value)
    return value.strip()


def text(data, key, path, required=False, max_len=MAX_TEXT, multiline=False):
    """Plain text; numbers are accepted for ids and codes and written as text."""
    value = data.get(key)
    where = join(path, key)
    if value is None or value == "":
        if required:
            raise MappingError("is missing", where)
        return ""
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise MappingError(f"expected text, got {_type_name(value)}", where)
    value = clean_text(str(value), multiline=multiline)
    if len(value) > max_len:
        raise MappingError(f"is {len(value)} characters long, more than {max_len}", where)
    if required and not value:
        raise MappingError("is empty", where)
    return value


def ident(data, key, path):
    """A required identifier (text or whole number)."""
    return text(data, key, path, required=True, max_len=255)


def to_decimal(value, where, allow_negative=False):
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise MappingError(f"expected an amount, got {_type_name(value)}", where)
    try:
        amount = Decimal(str(value).strip())
    except InvalidOperation:
        raise MappingError(f"{value!r} is not an amount", where) from None
    if not amount.is_finite():
        raise MappingError(f"{value!r} is not an amount", where)
    if amount < 0 and not allow_negative:
        raise MappingError(f"must not be negative, got {amount}", where)
    if abs(amount) > MAX_AMOUNT:
        raise MappingError(f"{amount} is beyond any plausible amount", where)
    return amount


def money(data, key, path, required=True, default=Decimal("0"), allow_negative=False):
    value = data.get(key)
    if value is None or value == "":
        if required:
            raise MappingError("is missing", join(path, key))
        return default
    return to_decimal(value, join(path, key), allow_negative=allow_negative)


def to_quantity(value, where):
    if isinstance(value, bool):
        raise MappingError("expected a whole number, got true/false", where)
    if isinstance(value, str):
        try:
            value = Decimal(value.strip())
        except InvalidOperation:
            raise MappingError(f"{value!r} is not a quantity", where) from None
    if isinstance(value, float):
        value = Decimal(str(value))
    if isinstance(value, Decimal):
        if not value.is_finite() or value != value.to_integral_value():
            raise MappingError(f"expected a whole number, got {value}", where)
        value = int(value)
    if not isinstance(value, int):
        raise MappingError(f"expected a whole number, got {_type_name(value)}", where)
    if value <= 0:
        raise MappingError(f"quantity must be at least 1, got {value}", where)
    if value > MAX_QUANTITY:
        raise MappingError(f"quantity {value} is beyond any plausible order", where)
    return value


def quantity(data, key, path):
    value = data.get(key)
    if value is None:
        raise MappingError("is missing", join(path, key))
    return to_quantity(value, join(path, key))


def currency(value, where):
    if not isinstance(value, str) or not value.strip():
        raise MappingError("the currency is missing", where)
    code = value.strip().upper()
    if code not in ISO_4217:
        raise MappingError(f"{value!r} is not an ISO 4217 currency code", where)
    return code


def money_object(
    data, key, path, amount_key, currency_key, required=False, expected=None, allow_negative=False
):
    """``(Decimal, currency)`` of the money object at ``key`` (its amount at
    ``amount_key``, its currency at ``currency_key``: Amazon's Money, eBay's
    Amount), the currency checked against the order's (``expected``); None when
    there is none and it is not ``required``."""
    value = obj(data, key, path, required=required)
    if value is None:
        return None
    where = join(path, key)
    code = currency(value.get(currency_key), join(where, currency_key))
    if expected and code != expected:
        raise MappingError(f"is in {code}, the order is in {expected}", join(where, currency_key))
    return money(value, amount_key, where, allow_negative=allow_negative), code


def to_timestamp(value, where, naive_is_utc=True):
    if not isinstance(value, str):
        raise MappingError(f"expected a date and time, got {_type_name(value)}", where)
    raw = value.strip()
    if raw.endswith(("Z", "z")):
        raw = raw[:-1] + "+00:00"
    try:
        moment = datetime.fromisoformat(raw)
    except ValueError:
        raise MappingError(f"{value!r} is not an ISO 8601 date and time", where) from None
    if moment.tzinfo is None:
        if not naive_is_utc:
            raise MappingError(f"{value!r} has no time zone", where)
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc)


def timestamp(data, key, path, required=True):
    value = data.get(key)
    if value is None or value == "":
        if required:
            raise MappingError("is missing", join(path, key))
        return None
    return to_timestamp(value, join(path, key))


def flag(data, key, path, default=False):
    value = data.get(key)
    if value is None:
        return default
    if not isinstance(value, bool):
        raise MappingError(f"expected true or false, got {_type_name(value)}", join(path, key))
    return value


def iso(moment):
    """The version string of a timestamp: ISO 8601 in UTC, seconds, ``Z``."""
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ") if moment else ""
