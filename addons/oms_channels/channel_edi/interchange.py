"""What the interchanges of both standards share, whatever their syntax:
the date they were prepared, and the checks of a set's (a message's) trailer."""

from datetime import datetime, timezone

from .errors import EdiError


class InterchangeBase:
    """Base of each standard's frozen ``Interchange`` dataclass, which declares
    ``date`` (YYMMDD) and ``time`` (HHMM) as its header (ISA / UNB) gives them."""

    @property
    def prepared_at(self):
        """The header's date and time, ISO 8601 UTC; "" when they are not one."""
        try:
            moment = datetime.strptime(self.date + self.time, "%y%m%d%H%M")
        except ValueError:
            return ""
        return moment.replace(tzinfo=timezone.utc).isoformat()


def check_set(body, control, trailer_tag, kind, control_name):
    """EdiError unless ``body`` (the segments from a transaction set's or a
    message's header on) ends with its ``trailer_tag`` trailer (SE / UNT) that
    counts its segments and repeats its ``control`` number (``control_name``
    says where the header gives it)."""
    header, trailer = body[0], body[-1]
    if trailer.tag != trailer_tag:
        raise EdiError(
            f"{kind} {control} has no {trailer_tag} trailer",
            tag=header.tag,
            position=header.position,
            code="2",
            set_control=control,
            set_position=1,
        )
    where = {
        "tag": trailer.tag,
        "position": trailer.position,
        "set_control": control,
        "set_position": len(body),
    }
    count = trailer.get(1)
    if count != str(len(body)):
        raise EdiError(
            f"{trailer.tag}01 says {count!r} segments, {kind} {control} has {len(body)}",
            element=1,
            code="4",
            value=count,
            **where,
        )
    if trailer.get(2) != control:
        raise EdiError(
            f"{trailer.tag}02 {trailer.get(2)!r} is not {control_name} {control!r}",
            element=2,
            code="3",
            value=trailer.get(2),
            **where,
        )
