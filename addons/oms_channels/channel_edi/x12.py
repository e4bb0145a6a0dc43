"""ANSI X12 interchanges (004010, 005010): a small reader and writer.

Why our own: pyx12 (BSD) validates against its own XML maps and is a large,
old code base; badx12 is unmaintained and assumes the separators. The
envelope is simple enough to read right in a page: the ISA segment is fixed
width (106 characters), so its 4th character is the element separator, its
105th the component separator, its 106th the segment terminator, and ISA11 the
repetition separator from 00402 on (in 004010 ISA11 is the standards id
``U``). Nothing else is assumed: newlines after the terminators are allowed,
a terminator that is itself a newline too.

``read_interchange`` returns the envelope and its transaction sets, checked
(IEA / GE / SE counts and control numbers); ``read_850`` a purchase order;
``write_997`` a functional acknowledgement, accepting or naming what it
rejects (AK3 segment and position, AK4 element).
"""

import re
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone

from .documents import Party, PoLine, PurchaseOrder
from .errors import EdiError
from .interchange import InterchangeBase, check_set

ISA_LENGTH = 106
# Where the element separator sits in the fixed-width ISA.
_ISA_SEPARATOR_AT = (3, 6, 17, 20, 31, 34, 50, 53, 69, 76, 81, 83, 89, 99, 101, 103)
_TAG = re.compile(r"^[A-Z][A-Z0-9]{1,2}$")


@dataclass(frozen=True)
class Separators:
    element: str
    component: str
    segment: str
    repetition: str | None = None


@dataclass(frozen=True)
class Segment:
    tag: str
    elements: tuple  # elements[0] is the tag: elements[i] is element i
    position: int  # 1-based index in the interchange

    def get(self, index, default=""):
        return self.elements[index] if index < len(self.elements) else default


@dataclass(frozen=True)
class TransactionSet:
    code: str  # ST01: 850, 997, ...
    control: str  # ST02
    segments: tuple  # ST ... SE
    group: "Group" = field(repr=False, compare=False, default=None)

    @property
    def position(self):
        return self.segments[0].position


@dataclass(frozen=True)
class Group:
    code: str  # GS01: PO, FA, ...
    sender: str
    receiver: str
    control: str
    version: str  # GS08
    sets: tuple = ()


@dataclass(frozen=True)
class Interchange(InterchangeBase):
    separators: Separators
    sender_qualifier: str
    sender_id: str
    receiver_qualifier: str
    receiver_id: str
    date: str  # YYMMDD
    time: str  # HHMM
    version: str  # ISA12
    control: str  # ISA13
    ack_requested: bool
    usage: str  # P production, T test
    groups: tuple
    segments: tuple

    @property
    def sets(self):
        return tuple(s for g in self.groups for s in g.sets)


def _interchange(separators, segments, groups):
    """The :class:`Interchange` its ISA (the first of ``segments``) heads."""
    isa = segments[0]
    return Interchange(
        separators=separators,
        sender_qualifier=isa.get(5).strip(),
        sender_id=isa.get(6).strip(),
        receiver_qualifier=isa.get(7).strip(),
        receiver_id=isa.get(8).strip(),
        date=isa.get(9),
        time=isa.get(10),
        version=isa.get(12),
        control=isa.get(13).strip(),
        ack_requested=isa.get(14) == "1",
        usage=isa.get(15),
        groups=tuple(groups),
        segments=tuple(segments),
    )


def read_separators(text):
    """The separators the ISA segment declares; EdiError when it is not one."""
    if not text.startswith("ISA") or len(text) < ISA_LENGTH:
        raise EdiError(
            "the interchange does not start with a complete ISA segment",
            tag="ISA",
            position=1,
            level="interchange",
        )
    element = text[3]
    for index in _ISA_SEPARATOR_AT:
        if text[index] != element:
            raise EdiError(
                f"ISA is not fixed width: character {index + 1} is {text[index]!r}, "
                f"not the element separator {element!r}",
                tag="ISA",
                position=1,
                level="interchange",
            )
    component, segment = text[104], text[105]
    version = text[84:89]
    repetition = text[82] if version >= "00402" else None
    if len({element, component, segment, repetition or element}) < 3 or element.isalnum():
        raise EdiError(
            "ISA declares separators that clash", tag="ISA", position=1, level="interchange"
        )
    return Separators(element, component, segment, repetition)


def split_segments(text, separators=None):
    """The segments of an interchange, each with its 1-based position."""
    text = text.lstrip("\ufeff \r\n\t")
    separators = separators or read_separators(text)
    segments = []
    for raw in (piece.strip("\r\n") for piece in text.split(separators.segment)):
        if not raw.strip():
            continue
        elements = tuple(raw.split(separators.element))
        tag = elements[0]
        if not _TAG.match(tag):
            raise EdiError(
                f"{tag[:12]!r} is not a segment tag: the segment does not use the "
                f"separators the ISA declares ({separators.element!r} between elements, "
                f"{separators.segment!r} after segments)",
                tag=tag[:3],
                position=len(segments) + 1,
                code="1",
                level="interchange",
            )
        segments.append(Segment(tag, elements, len(segments) + 1))
    return segments


def _require(condition, message, segment, **kwargs):
    if not condition:
        raise EdiError(message, tag=segment.tag, position=segment.position, **kwargs)


def read_interchange(text):
    """The checked :class:`Interchange` of a text; EdiError naming the first fault."""
    text = text.lstrip("\ufeff \r\n\t")
    separators = read_separators(text)
    segments = split_segments(text, separators)
    isa = segments[0]
    _require(len(isa.elements) == 17, "ISA must have 16 elements", isa, level="interchange")
    last = segments[-1]
    if last.tag != "IEA":
        raise EdiError(
            "the interchange has no IEA trailer",
            tag=last.tag,
            position=last.position,
            level="interchange",
        )
    control = isa.get(13).strip()
    _require(
        last.get(2).strip() == control,
        f"IEA02 {last.get(2)!r} is not the ISA13 control number {control!r}",
        last,
        element=2,
        level="interchange",
    )
    groups = []
    index = 1
    while index < len(segments) - 1:
        gs = segments[index]
        _require(
            gs.tag == "GS",
            f"a {gs.tag} segment outside a functional group",
            gs,
            level="interchange",
            code="2",
        )
        sets, index = _read_group(segments, index + 1, gs)
        groups.append(sets)
    _require(
        last.get(1).strip() == str(len(groups)),
        f"IEA01 says {last.get(1)!r} functional groups, the interchange has {len(groups)}",
        last,
        element=1,
        level="interchange",
    )
    return _interchange(separators, segments, groups)


def _read_group(segments, index, gs):
    sets = []
    group = Group(gs.get(1), gs.get(2), gs.get(3), gs.get(6), gs.get(8))
    while True:
        if index >= len(segments) - 1:
            raise EdiError(
                f"functional group {group.control} has no GE trailer",
                tag="GS",
                position=gs.position,
                code="3",
                level="group",
            )
        segment = segments[index]
        if segment.tag == "GE":
            break
        if segment.tag != "ST":
            raise EdiError(
                f"a {segment.tag} segment outside a transaction set",
                tag=segment.tag,
                position=segment.position,
                code="2",
                level="group",
            )
        start = index
        while index < len(segments) - 1 and segments[index].tag not in ("SE", "GE"):
            index += 1
        st = segments[start]
        body = tuple(segments[start : index + 1])
        check_set(body, st.get(2), "SE", "transaction set", "the ST02 control number")
        sets.append(TransactionSet(st.get(1), st.get(2), body))
        index += 1
    ge = segments[index]
    if ge.get(1) != str(len(sets)):
        raise EdiError(
            f"GE01 says {ge.get(1)!r} transaction sets, the group has {len(sets)}",
            tag="GE",
            position=ge.position,
            element=1,
            code="5",
            level="group",
        )
    if ge.get(2) != group.control:
        raise EdiError(
            f"GE02 {ge.get(2)!r} is not the GS06 control number {group.control!r}",
            tag="GE",
            position=ge.position,
            element=2,
            code="4",
            level="group",
        )
    group = Group(group.code, group.sender, group.receiver, group.control, group.version)
    sets = tuple(TransactionSet(s.code, s.control, s.segments, group) for s in sets)
    return Group(
        group.code, group.sender, group.receiver, group.control, group.version, sets
    ), index + 1


# The 850 ----------------------------------------------------------------------


def _missing(transaction, tag):
    st = transaction.segments[0]
    return EdiError(
        f"purchase order {transaction.control} has no {tag} segment (mandatory)",
        tag=tag,
        position=st.position,
        code="3",
        set_control=transaction.control,
        set_position=1,
    )


def _po1_line(transaction, segment, offset, count):
    """The line (a dict of PoLine's fields) of a PO1 segment."""
    ids = {}
    pairs = segment.elements[6:]
    for qualifier, value in zip(pairs[::2], pairs[1::2], strict=False):
        if qualifier and value:
            ids.setdefault(qualifier, value.strip())
    for element, missing, message in (
        (2, not segment.get(2), "PO102 (the quantity) is empty"),
        (7, not ids, "PO1 names no product (PO106/PO107)"),
    ):
        if missing:
            raise EdiError(
                message,
                tag="PO1",
                position=segment.position,
                element=element,
                code="1",
                set_control=transaction.control,
                set_position=offset,
            )
    return {
        "line_no": segment.get(1) or str(count + 1),
        "quantity": segment.get(2),
        "unit": segment.get(3),
        "unit_price": segment.get(4),
        "ids": ids,
        "tag": "PO1",
        "position": segment.position,
        "set_position": offset,
    }


def read_850(interchange, transaction):
    """The :class:`PurchaseOrder` of an 850 transaction set."""
    segments = transaction.segments
    beg = next((s for s in segments if s.tag == "BEG"), None)
    if beg is None:
        raise _missing(transaction, "BEG")
    number = beg.get(3).strip()
    if not number:
        raise EdiError(
            "BEG03 (the purchase order number) is empty",
            tag="BEG",
            position=beg.position,
            element=3,
            code="1",
            set_control=transaction.control,
            set_position=segments.index(beg) + 1,
        )
    currency = "USD"
    parties, lines, notes = [], [], []
    party = None
    line = None
    for offset, segment in enumerate(segments, start=1):
        tag = segment.tag
        if tag == "CUR" and segment.get(2):
            currency = segment.get(2).strip().upper()
        elif tag == "N1":
            party = {
                "role": segment.get(1),
                "name": segment.get(2),
                "id_qualifier": segment.get(3),
                "id_code": segment.get(4),
            }
            parties.append(party)
        elif tag == "N3" and party is not None:
            party["street"], party["street2"] = segment.get(1), segment.get(2)
        elif tag == "N4" and party is not None:
            party.update(
                city=segment.get(1),
                state=segment.get(2),
                zip=segment.get(3),
                country=segment.get(4) or "US",
            )
        elif tag in ("MSG", "NTE"):
            notes.append(segment.get(1) if tag == "MSG" else segment.get(2))
        elif tag == "PO1":
            line = _po1_line(transaction, segment, offset, len(lines))
            lines.append(line)
        elif tag == "PID" and line is not None and segment.get(5):
            line["description"] = segment.get(5)
    if not lines:
        raise _missing(transaction, "PO1")
    return PurchaseOrder(
        standard="x12",
        number=number,
        purpose=beg.get(1),
        date=beg.get(5),
        currency=currency,
        lines=tuple(PoLine(**line_vals) for line_vals in lines),
        parties=tuple(Party(**values) for values in parties),
        control=transaction.control,
        interchange_control=interchange.control,
        group_control=transaction.group.control if transaction.group else "",
        sender_id=interchange.sender_id,
        receiver_id=interchange.receiver_id,
        prepared_at=interchange.prepared_at,
        notes=tuple(notes),
        position=transaction.position,
        raw=join_segments(transaction.segments, interchange.separators),
    )


def join_segments(segments, separators, newline=""):
    return "".join(
        separators.element.join(segment.elements) + separators.segment + newline
        for segment in segments
    )


# Writing ------------------------------------------------------------------------


def _isa(
    sender_qualifier,
    sender,
    receiver_qualifier,
    receiver,
    control,
    version,
    moment,
    separators,
    usage="P",
):
    repetition = separators.repetition if version >= "00402" else "U"
    elements = [
        "ISA",
        "00",
        " " * 10,
        "00",
        " " * 10,
        sender_qualifier.ljust(2)[:2],
        sender.ljust(15)[:15],
        receiver_qualifier.ljust(2)[:2],
        receiver.ljust(15)[:15],
        moment.strftime("%y%m%d"),
        moment.strftime("%H%M"),
        repetition or "^",
        version,
        str(control).zfill(9),
        "0",
        usage or "P",
        separators.component,
    ]
    return elements


@dataclass(frozen=True)
class Envelope:
    """Who an outbound interchange is from and to (ours and the partner's ids)."""

    sender_qualifier: str
    sender_id: str
    receiver_qualifier: str
    receiver_id: str
    group_sender: str
    group_receiver: str
    version: str = "00401"  # ISA12
    group_version: str = "004010"  # GS08
    usage: str = "P"


DEFAULT_SEPARATORS = Separators("*", ">", "~", "^")


def write_interchange(
    envelope,
    code,
    group_code,
    sets,
    control,
    moment=None,
    separators=DEFAULT_SEPARATORS,
    newline="\n",
):
    """An interchange of one functional group holding ``sets`` (each a list of
    segments as lists of elements, without ST/SE), control numbers from ``control``."""
    moment = moment or datetime.now(timezone.utc)
    rows = [
        _isa(
            envelope.sender_qualifier,
            envelope.sender_id,
            envelope.receiver_qualifier,
            envelope.receiver_id,
            control,
            envelope.version,
            moment,
            separators,
            envelope.usage,
        ),
        [
            "GS",
            group_code,
            envelope.group_sender,
            envelope.group_receiver,
            moment.strftime("%Y%m%d"),
            moment.strftime("%H%M"),
            str(control),
            "X",
            envelope.group_version,
        ],
    ]
    for number, body in enumerate(sets, start=1):
        set_control = str(number).zfill(4)
        segments = [["ST", code, set_control], *body]
        segments.append(["SE", str(len(segments) + 1), set_control])
        rows.extend(segments)
    rows.append(["GE", str(len(sets)), str(control)])
    rows.append(["IEA", "1", str(control).zfill(9)])
    return "".join(
        separators.element.join(str(e) for e in row) + separators.segment + newline for row in rows
    )


def ack_997(interchange, error=None):
    """The 997 body (segments, without ST/SE) acknowledging ``interchange``: every
    set accepted, or, with ``error`` (an EdiError), rejected, the set it names
    with AK3 (segment, position in the set) and AK4 (element, code, bad value)."""
    body = []
    for group in interchange.groups or ():
        body.append(["AK1", group.code, group.control])
        accepted = 0
        for transaction in group.sets:
            body.append(["AK2", transaction.code, transaction.control])
            named = error is not None and error.set_control == transaction.control
            if named and error.tag not in ("ST", "SE") and error.set_position:
                body.append(
                    [
                        "AK3",
                        error.tag,
                        str(error.set_position),
                        "",
                        "8" if error.element else (error.code or "8"),
                    ]
                )
                if error.element:
                    body.append(
                        ["AK4", str(error.element), "", error.code or "7", error.value[:99]]
                    )
            if error is None:
                body.append(["AK5", "A"])
                accepted += 1
            elif named:
                body.append(
                    ["AK5", "R", error.code if error.tag in ("ST", "SE") and error.code else "5"]
                )
            else:
                body.append(["AK5", "R"])
        count = str(len(group.sets))
        if error is None:
            body.append(["AK9", "A", count, count, count])
        else:
            codes = [error.code] if error.level == "group" and error.code else []
            body.append(["AK9", "R", count, count, str(accepted), *codes])
    return body


def reply_envelope(interchange):
    """The envelope of an answer to ``interchange``: its ids swapped."""
    group = interchange.groups[0] if interchange.groups else None
    return Envelope(
        sender_qualifier=interchange.receiver_qualifier,
        sender_id=interchange.receiver_id,
        receiver_qualifier=interchange.sender_qualifier,
        receiver_id=interchange.sender_id,
        group_sender=group.receiver if group else interchange.receiver_id,
        group_receiver=group.sender if group else interchange.sender_id,
    )


def write_997(interchange, envelope, control, error=None, moment=None):
    """The 997 interchange answering ``interchange`` (from ``envelope``'s sender),
    in its version and with its separators."""
    group_version = interchange.groups[0].version if interchange.groups else ""
    envelope = envelope or reply_envelope(interchange)
    envelope = replace(
        envelope,
        version=interchange.version or envelope.version,
        group_version=group_version or envelope.group_version,
    )
    return write_interchange(
        envelope,
        "997",
        "FA",
        [ack_997(interchange, error)],
        control,
        moment=moment,
        separators=Separators(
            interchange.separators.element,
            interchange.separators.component,
            interchange.separators.segment,
            interchange.separators.repetition or DEFAULT_SEPARATORS.repetition,
        ),
    )


def skeleton(text):
    """What can be read of a faulty interchange's envelope, to acknowledge it:
    its ISA, groups and sets as far as they go (no checks), or None when not
    even its ISA can be read."""
    text = text.lstrip("\ufeff \r\n\t")
    try:
        separators = read_separators(text)
    except EdiError:
        return None
    segments = []
    for raw in (piece.strip("\r\n") for piece in text.split(separators.segment)):
        if raw.strip():
            elements = tuple(raw.split(separators.element))
            segments.append(Segment(elements[0], elements, len(segments) + 1))
    groups, current, sets = [], None, []
    for segment in segments:
        if segment.tag == "GS":
            if current:
                groups.append(replace(current, sets=tuple(sets)))
            current, sets = Group(*(segment.get(i) for i in (1, 2, 3, 6, 8))), []
        elif segment.tag == "ST" and current:
            sets.append(TransactionSet(segment.get(1), segment.get(2), (segment,)))
    if current:
        groups.append(replace(current, sets=tuple(sets)))
    return _interchange(separators, segments, groups)
