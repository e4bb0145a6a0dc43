"""Field maps: what a client or mapper does with each field of a remote system's
payloads, written as tables in its module's docstring and read back here, so that
the tests can say which field of a real answer no row covers.

Under a heading line (the object: ``UPS Rating API``, ``Shopify Order``...), one
row a field: ``| field | kind | disposition | note |``, the field a dotted path
(``[]`` for a list's items, ``*`` for any part), the disposition one of
:data:`DISPOSITIONS`. The first row whose pattern covers a path is its row.
"""

import re

DISPOSITIONS = ("mapped", "ignored", "refused")


def tables(doc, heading):
    """``{object: [(pattern, kind, disposition, note), ...]}`` read from ``doc``,
    the objects named by the lines ``heading`` (a compiled pattern whose first
    group is the object) matches."""
    result, current = {}, None
    for line in doc.splitlines():
        found = heading.match(line)
        if found:
            current = result.setdefault(found.group(1), [])
            continue
        if current is None or not line.startswith("| ") or line.startswith("| field "):
            continue
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) == 4:
            current.append(tuple(cells))
    return result


def patterns(rows, path_of=lambda path: path):
    """``(compiled pattern, row)`` of each row, its field as ``path_of`` reads it."""
    return [
        (re.compile(re.escape(path_of(row[0])).replace(r"\*", ".*") + r"\Z"), row) for row in rows
    ]


def first_row(compiled, path):
    """The first row of ``compiled`` (from :func:`patterns`) covering ``path``, or None."""
    return next((row for pattern, row in compiled if pattern.match(path)), None)


def leaves(value, path=""):
    """``(path, value)`` of every non-empty scalar in a decoded JSON value."""
    if isinstance(value, dict):
        for key, item in value.items():
            yield from leaves(item, f"{path}.{key}" if path else key)
    elif isinstance(value, list):
        for item in value:
            yield from leaves(item, f"{path}[]")
    elif value not in (None, "", False):
        yield path, value


def unmapped(disposition, obj, data):
    """The paths of ``data``'s non-empty fields that ``disposition(obj, path)``
    finds no row for."""
    return sorted({path for path, _value in leaves(data) if disposition(obj, path) is None})
