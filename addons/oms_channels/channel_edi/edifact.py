"""UN/EDIFACT interchanges (EANCOM ORDERS, D.96A and D.01B) read with pydifact.

pydifact (MIT, maintained, on PyPI) tokenizes: it reads the service characters
from UNA when there is one, and takes the standard's defaults (``:+.? '``,
syntax level A) only when there is none, as ISO 9735 says. This module checks
the envelope (UNZ / UNT counts and references), reads ORDERS messages into
:class:`~.documents.PurchaseOrder` and writes CONTRL acknowledgements.
"""

import re
import warnings
from dataclasses import dataclass
from datetime import datetime, timezone

from pydifact.control import Characters
from pydifact.exceptions import EDISyntaxError
from pydifact.parser import Parser
from pydifact.segments import Segment as PySegment
from pydifact.serializer import Serializer

from .documents import Party, PoLine, PurchaseOrder
from .errors import EdiError
from .interchange import InterchangeBase, check_set

_TAG = re.compile(r"^[A-Z]{3}$")
# ISO 9735 default service characters (syntax level A) when there is no UNA.
DEFAULT_CHARACTERS = ":+.? '"
# X12-style codes of EdiError (what the 997 uses) → CONTRL syntax error codes (0085).
CONTRL_CODES = {
    "1": "13",  # missing
    "2": "15",  # not supported in this position
    "3": "28",  # references do not match
    "4": "29",  # control count does not match
    "5": "29",
    "7": "12",  # invalid value
    "8": "12",
    "23": "23",  # unknown interchange sender
}


@dataclass(frozen=True)
class Segment:
    tag: str
    elements: tuple  # pydifact's: a str per simple element, a list per composite
    position: int  # 1-based in the interchange, UNB being 1

    def get(self, index, component=0, default=""):
        """Element ``index`` (1-based), component ``component`` (0-based)."""
        if index > len(self.elements):
            return default
        value = self.elements[index - 1]
        if isinstance(value, list):
            return value[component] if component < len(value) else default
        return value if component == 0 else default


@dataclass(frozen=True)
class Message:
    reference: str  # UNH01
    type: str  # ORDERS
    version: str  # D:96A
    segments: tuple  # UNH ... UNT

    @property
    def position(self):
        return self.segments[0].position

    @property
    def control(self):
        return self.reference

    @property
    def code(self):
        return self.type


@dataclass(frozen=True)
class Interchange(InterchangeBase):
    characters: str  # the six service characters used
    syntax: str  # UNOA, UNOC, ...
    sender_id: str
    sender_qualifier: str
    receiver_id: str
    receiver_qualifier: str
    date: str  # YYMMDD
    time: str
    control: str  # UNB05
    messages: tuple
    segments: tuple

    @property
    def sets(self):
        return self.messages


def _interchange(characters, segments, messages):
    """The :class:`Interchange` its UNB (the first of ``segments``) heads."""
    unb = segments[0]
    return Interchange(
        characters=characters,
        syntax=unb.get(1, 0),
        sender_id=unb.get(2, 0),
        sender_qualifier=unb.get(2, 1),
        receiver_id=unb.get(3, 0),
        receiver_qualifier=unb.get(3, 1),
        date=unb.get(4, 0),
        time=unb.get(4, 1),
        control=unb.get(5),
        messages=tuple(messages),
        segments=tuple(segments),
    )


def service_characters(text):
    """The six service characters: UNA's, or the defaults when there is none."""
    text = text.lstrip("\ufeff \r\n\t")
    if text.startswith("UNA"):
        if len(text) < 9:
            raise EdiError("UNA is shorter than its 6 characters", tag="UNA", position=0)
        return text[3:9]
    return DEFAULT_CHARACTERS


def _raw_segments(text, characters):
    """The segments' texts (UNA left out), split on the terminator alone."""
    body = text.lstrip("\ufeff \r\n\t")
    if body.startswith("UNA"):
        body = body[9:]
    return [piece.strip("\r\n ") for piece in body.split(characters[5]) if piece.strip()]


def split_segments(text):
    """The segments (UNA left out) with their positions; EdiError when the
    text does not tokenize or a tag is not one (other separators than declared)."""
    text = text.lstrip("\ufeff \r\n\t")
    characters = service_characters(text)
    parser = Parser(characters=Characters.from_str(characters))
    segments = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            for found in parser.parse(text):
                if found.tag == "UNA":
                    continue
                tag = found.tag if isinstance(found.tag, str) else str(found.tag)
                if not _TAG.match(tag):
                    raise EdiError(
                        f"{tag[:12]!r} is not a segment tag: the segment does not use the "
                        f"service characters the interchange declares ({characters!r})",
                        tag=tag[:3],
                        position=len(segments) + 1,
                        code="2",
                        level="interchange",
                    )
                segments.append(Segment(tag, tuple(found.elements), len(segments) + 1))
        except EDISyntaxError as error:
            position = len(segments) + 1
            raw = _raw_segments(text, characters)
            tag = raw[position - 1][:3] if position <= len(raw) else ""
            raise EdiError(
                f"{raw[position - 1][:12] if tag else ''!r} is not a segment tag: the "
                f"segment does not use the service characters the interchange declares "
                f"({characters!r}; {error})",
                tag=tag,
                position=position,
                code="2",
                level="interchange",
            ) from None
    return characters, segments


def _version(unh):
    """The message's version as UNH02 gives it after its type: D:96A:UN:EAN008."""
    identifier = unh.elements[1] if len(unh.elements) > 1 else ""
    return ":".join(identifier[1:]) if isinstance(identifier, list) else ""


def read_interchange(text):
    """The checked :class:`Interchange`; EdiError naming the first fault."""
    characters, segments = split_segments(text)
    if not segments or segments[0].tag != "UNB":
        raise EdiError(
            "the interchange does not start with UNB", tag="UNB", position=1, level="interchange"
        )
    unb, unz = segments[0], segments[-1]
    if unz.tag != "UNZ":
        raise EdiError(
            "the interchange has no UNZ trailer",
            tag=unz.tag,
            position=unz.position,
            level="interchange",
        )
    control = unb.get(5)
    if unz.get(2) != control:
        raise EdiError(
            f"UNZ02 {unz.get(2)!r} is not the UNB control reference {control!r}",
            tag="UNZ",
            position=unz.position,
            element=2,
            code="3",
            level="interchange",
        )
    messages, index = [], 1
    while index < len(segments) - 1:
        unh = segments[index]
        if unh.tag != "UNH":
            raise EdiError(
                f"a {unh.tag} segment outside a message",
                tag=unh.tag,
                position=unh.position,
                code="2",
                level="interchange",
            )
        end = index
        while end < len(segments) - 1 and segments[end].tag != "UNT":
            end += 1
        reference = unh.get(1)
        body = tuple(segments[index : end + 1])
        check_set(body, reference, "UNT", "message", "the UNH reference")
        messages.append(Message(reference, unh.get(2, 0), _version(unh), body))
        index = end + 1
    if unz.get(1) != str(len(messages)):
        raise EdiError(
            f"UNZ01 says {unz.get(1)!r} messages, the interchange has {len(messages)}",
            tag="UNZ",
            position=unz.position,
            element=1,
            code="5",
            level="interchange",
        )
    return _interchange(characters, segments, messages)


def _decimal_text(text, characters):
    """A number as written with the interchange's decimal mark, with a point."""
    return (text or "").replace(characters[2], ".").replace(",", ".")


def _missing(message, tag):
    return EdiError(
        f"purchase order {message.reference} has no {tag} segment (mandatory)",
        tag=tag,
        position=message.position,
        code="1",
        set_control=message.reference,
        set_position=1,
    )


def _party(segment):
    agency = segment.get(2, 2)
    name = segment.get(4, 0) or segment.get(3, 0)
    return Party(
        role=segment.get(1),
        name=name,
        id_qualifier="GLN" if agency == "9" else agency,
        id_code=segment.get(2, 0),
        street=segment.get(5, 0),
        street2=segment.get(5, 1),
        city=segment.get(6),
        state=segment.get(7),
        zip=segment.get(8),
        country=segment.get(9),
    )


def _pairs(element):
    """(code, type) pairs of a composite like ``ABC:SA:9:DEF:IN`` (PIA's)."""
    values = element if isinstance(element, list) else [element]
    return [
        (values[i], values[i + 1] if i + 1 < len(values) else "") for i in range(0, len(values), 4)
    ]


def _lin_line(segment, offset, count):
    line = {
        "line_no": segment.get(1) or str(count + 1),
        "quantity": "",
        "unit": "",
        "unit_price": "",
        "ids": {},
        "tag": "LIN",
        "position": segment.position,
        "set_position": offset,
    }
    code, kind = segment.get(3, 0), segment.get(3, 1)
    if code:
        line["ids"][kind or "EN"] = code
    return line


def _line_detail(line, segment, chars):
    tag = segment.tag
    if tag == "PIA":
        for code, kind in _pairs(segment.elements[1] if len(segment.elements) > 1 else ""):
            if code and kind:
                line["ids"].setdefault(kind, code)
    elif tag == "IMD":
        line["description"] = segment.get(3, 3) or segment.get(3, 0)
    elif tag == "QTY" and segment.get(1, 0) in ("21", "1"):
        line["quantity"] = _decimal_text(segment.get(1, 1), chars)
        line["unit"] = segment.get(1, 2)
    elif tag == "PRI" and not line["unit_price"]:
        line["unit_price"] = _decimal_text(segment.get(1, 1), chars)


def _header_detail(head, segment):
    tag = segment.tag
    if tag == "DTM" and segment.get(1, 0) == "137":
        head["date"] = segment.get(1, 1)[:8]
    elif tag == "CUX" and segment.get(1, 1):
        head["currency"] = segment.get(1, 1).upper()
    elif tag == "NAD":
        head["parties"].append(_party(segment))
    elif tag == "FTX":
        head["notes"].append(segment.get(4, 0))


def read_orders_message(interchange, message):
    """The :class:`PurchaseOrder` of an ORDERS message."""
    segments = message.segments
    bgm = next((s for s in segments if s.tag == "BGM"), None)
    if bgm is None:
        raise _missing(message, "BGM")
    number = bgm.get(2, 0)
    if not number:
        raise EdiError(
            "BGM02 (the order number) is empty",
            tag="BGM",
            position=bgm.position,
            element=2,
            code="1",
            set_control=message.reference,
            set_position=segments.index(bgm) + 1,
        )
    chars = interchange.characters
    head = {"currency": "", "date": "", "parties": [], "notes": []}
    lines, line = [], None
    for offset, segment in enumerate(segments, start=1):
        if segment.tag == "LIN":
            line = _lin_line(segment, offset, len(lines))
            lines.append(line)
        elif segment.tag == "UNS":
            line = None
        elif line is not None and segment.tag in ("PIA", "IMD", "QTY", "PRI"):
            _line_detail(line, segment, chars)
        else:
            _header_detail(head, segment)
    currency, date, parties, notes = (
        head["currency"],
        head["date"],
        head["parties"],
        head["notes"],
    )
    if not lines:
        raise _missing(message, "LIN")
    for values in lines:
        for element, missing, what in (
            (3, not values["ids"], "LIN names no product (LIN03 / PIA)"),
            (1, not values["quantity"], "the line has no ordered quantity (QTY+21)"),
        ):
            if missing:
                raise EdiError(
                    what,
                    tag="LIN",
                    position=values["position"],
                    element=element,
                    code="1",
                    set_control=message.reference,
                    set_position=values["set_position"],
                )
    return PurchaseOrder(
        standard="edifact",
        number=number,
        purpose=bgm.get(3) or bgm.get(1, 0),
        date=date,
        currency=currency or "EUR",
        lines=tuple(PoLine(**values) for values in lines),
        parties=tuple(parties),
        control=message.reference,
        interchange_control=interchange.control,
        sender_id=interchange.sender_id,
        receiver_id=interchange.receiver_id,
        prepared_at=interchange.prepared_at,
        notes=tuple(n for n in notes if n),
        position=message.position,
        raw=serialize([PySegment(s.tag, *s.elements) for s in segments], interchange.characters),
    )


def serialize(segments, characters=DEFAULT_CHARACTERS, una=False, newline=True):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return Serializer(Characters.from_str(characters)).serialize(
            segments, with_una_header=una, break_lines=newline
        )


def skeleton(text):
    """What can be read of a faulty interchange to acknowledge it, or None."""
    try:
        characters = service_characters(text)
        body = text.lstrip("\ufeff \r\n\t")
        if body.startswith("UNA"):
            body = body[9:]
        terminator, separator, component = characters[5], characters[1], characters[0]
        segments, messages = [], []
        for piece in body.split(terminator):
            raw = piece.strip("\r\n ")
            if not raw:
                continue
            elements = [e.split(component) if component in e else e for e in raw.split(separator)]
            segments.append(Segment(elements[0], tuple(elements[1:]), len(segments) + 1))
    except (EdiError, IndexError):
        return None
    if not segments or segments[0].tag != "UNB":
        return None
    for segment in segments:
        if segment.tag == "UNH":
            messages.append(
                Message(segment.get(1), segment.get(2, 0), _version(segment), (segment,))
            )
    return _interchange(characters, segments, messages)


# Writing ---------------------------------------------------------------------


@dataclass(frozen=True)
class Envelope:
    """Who an outbound interchange is from and to."""

    sender_id: str
    sender_qualifier: str
    receiver_id: str
    receiver_qualifier: str
    syntax: str = "UNOC"


def write_interchange(
    envelope, message_type, version, bodies, control, moment=None, characters=DEFAULT_CHARACTERS
):
    """An interchange of messages of ``message_type`` (``version`` e.g. "D:96A:UN:EAN008"),
    each body a list of segments as (tag, *elements) without UNH/UNT."""
    moment = moment or datetime.now(timezone.utc)
    segments = [
        PySegment(
            "UNB",
            [envelope.syntax, "3"],
            [envelope.sender_id, envelope.sender_qualifier or "14"],
            [envelope.receiver_id, envelope.receiver_qualifier or "14"],
            [moment.strftime("%y%m%d"), moment.strftime("%H%M")],
            str(control),
        )
    ]
    for number, body in enumerate(bodies, start=1):
        message = [PySegment("UNH", str(number), [message_type, *version.split(":")])]
        message += [PySegment(row[0], *row[1:]) for row in body]
        message.append(PySegment("UNT", str(len(message) + 1), str(number)))
        segments += message
    segments.append(PySegment("UNZ", str(len(bodies)), str(control)))
    return serialize(segments, characters, una=characters != DEFAULT_CHARACTERS)


def contrl_body(interchange, error=None):
    """A CONTRL's segments: UCI for the interchange, UCM per message received,
    UCS / UCD naming the segment and element in error."""
    action = "7" if error is None else "4"
    code = CONTRL_CODES.get(error.code, "18") if error is not None else None
    interchange_level = error is not None and (error.level != "set" or not error.set_control)
    uci = [
        "UCI",
        interchange.control,
        [interchange.sender_id, interchange.sender_qualifier],
        [interchange.receiver_id, interchange.receiver_qualifier],
        action,
    ]
    if interchange_level:
        uci += [code, error.tag or "UNB"]
    body = [uci]
    for message in interchange.messages:
        named = error is not None and error.set_control == message.reference
        ucm = ["UCM", message.reference, [message.type, *message.version.split(":")], action]
        if named:
            body.append([*ucm, code])
            if error.set_position:
                body.append(["UCS", str(error.set_position), code])
                if error.element:
                    body.append(["UCD", code, [str(error.element), "1"]])
        else:
            body.append(ucm)
    return body


def reply_envelope(interchange):
    """The envelope of an answer to ``interchange``: its ids swapped."""
    return Envelope(
        sender_id=interchange.receiver_id,
        sender_qualifier=interchange.receiver_qualifier,
        receiver_id=interchange.sender_id,
        receiver_qualifier=interchange.sender_qualifier,
        syntax=interchange.syntax or "UNOC",
    )


def write_contrl(interchange, envelope, control, error=None, moment=None):
    """The CONTRL interchange answering ``interchange``, with its service characters."""
    envelope = envelope or reply_envelope(interchange)
    return write_interchange(
        envelope,
        "CONTRL",
        "D:3:UN",
        [contrl_body(interchange, error)],
        control,
        moment=moment,
        characters=interchange.characters,
    )
