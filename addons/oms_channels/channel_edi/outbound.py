"""Documents sent to a trading partner, in either standard.

The Odoo side fills the plain records below; ``write_document`` writes them as
X12 (855, 856, 810) or EDIFACT (ORDRSP, DESADV, INVOIC) in an interchange of
their own, addressed with the channel's ids and our next control number.
"""

from dataclasses import dataclass
from datetime import datetime

from . import edifact, x12

# The document of each kind in each standard: (X12 set, GS01), (EDIFACT message).
KINDS = {
    "order_ack": (("855", "PR"), "ORDRSP"),
    "ship_notice": (("856", "SH"), "DESADV"),
    "invoice": (("810", "IN"), "INVOIC"),
}


@dataclass(frozen=True)
class Line:
    line_no: str
    quantity: str  # as text, point decimal
    unit_price: str = ""
    ordered: str = ""  # the quantity ordered (acknowledgements)
    vendor_code: str = ""  # our internal reference (VN / SA)
    barcode: str = ""  # UPC / EAN
    description: str = ""


@dataclass(frozen=True)
class OrderAck:
    """An 855 / ORDRSP: the order as confirmed; ``changed`` when a line differs."""

    number: str  # our order's name
    po_number: str
    po_date: str  # YYYYMMDD
    date: str  # YYYYMMDD
    lines: tuple

    @property
    def changed(self):
        return any(line.ordered and line.ordered != line.quantity for line in self.lines)


@dataclass(frozen=True)
class Carton:
    sscc: str
    lines: tuple


@dataclass(frozen=True)
class ShipNotice:
    """An 856 / DESADV: one delivery, its cartons (SSCC-18) and tracking."""

    number: str  # the delivery's name
    po_number: str
    date: str  # YYYYMMDD
    time: str  # HHMM
    carrier: str
    tracking: str
    ship_to_code: str
    ship_to_name: str
    cartons: tuple


@dataclass(frozen=True)
class Invoice:
    """An 810 / INVOIC from a posted invoice."""

    number: str
    date: str
    po_number: str
    currency: str
    lines: tuple
    untaxed: str
    tax: str
    total: str


def sscc(company_prefix, serial):
    """The SSCC-18 of a logistic unit: extension digit 0, the GS1 company
    prefix, the serial reference (zero padded) and the GS1 mod-10 check digit."""
    prefix = "".join(ch for ch in str(company_prefix) if ch.isdigit())
    if not 6 <= len(prefix) <= 12:
        raise ValueError(f"a GS1 company prefix has 6 to 12 digits, not {company_prefix!r}")
    width = 16 - len(prefix)
    serial_text = str(serial)
    if not serial_text.isdigit() or len(serial_text) > width:
        raise ValueError(f"serial {serial!r} does not fit {width} digits")
    body = "0" + prefix + serial_text.zfill(width)
    return body + check_digit(body)


def check_digit(digits):
    """The GS1 check digit of ``digits`` (weights 3, 1, 3, … from the right)."""
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(digits)))
    return str((10 - total % 10) % 10)


def _x12_ids(line):
    ids = []
    if line.vendor_code:
        ids += ["VN", line.vendor_code]
    if line.barcode:
        ids += ["UP" if len(line.barcode) == 12 else "EN", line.barcode]
    return ids


def _x12_body(document):
    if isinstance(document, OrderAck):
        rows = [
            [
                "BAK",
                "00",
                "AC" if document.changed else "AD",
                document.po_number,
                document.po_date,
                "",
                "",
                "",
                document.number,
                document.date,
            ]
        ]
        for line in document.lines:
            rows.append(
                [
                    "PO1",
                    line.line_no,
                    line.ordered or line.quantity,
                    "EA",
                    line.unit_price,
                    "",
                    *_x12_ids(line),
                ]
            )
            status = "IA" if not line.ordered or line.ordered == line.quantity else "IQ"
            rows.append(["ACK", status, line.quantity, "EA"])
        rows.append(["CTT", str(len(document.lines))])
        return rows
    if isinstance(document, ShipNotice):
        rows = [["BSN", "00", document.number, document.date, document.time, "0001"]]
        rows.append(["HL", "1", "", "S"])
        rows.append(["TD5", "", "2", document.carrier[:35] or "UNKNOWN"])
        if document.tracking:
            rows.append(["REF", "CN", document.tracking])
        rows.append(["DTM", "011", document.date])
        rows.append(["N1", "ST", document.ship_to_name[:60], "92", document.ship_to_code])
        rows.append(["HL", "2", "1", "O"])
        rows.append(["PRF", document.po_number])
        count = 2
        for carton in document.cartons:
            count += 1
            parent = count
            rows.append(["HL", str(count), "2", "P"])
            rows.append(["MAN", "GM", carton.sscc])
            for line in carton.lines:
                count += 1
                rows.append(["HL", str(count), str(parent), "I"])
                rows.append(["LIN", line.line_no, *_x12_ids(line)])
                rows.append(["SN1", "", line.quantity, "EA"])
        rows.append(["CTT", str(count)])
        return rows
    rows = [["BIG", document.date, document.number, "", document.po_number]]
    rows.append(["CUR", "SE", document.currency])
    for line in document.lines:
        rows.append(
            ["IT1", line.line_no, line.quantity, "EA", line.unit_price, "", *_x12_ids(line)]
        )
    rows.append(["TDS", str(round(float(document.total) * 100))])
    if float(document.tax or 0):
        rows.append(["TXI", "TX", document.tax])
    rows.append(["CTT", str(len(document.lines))])
    return rows


def _edifact_ids(line):
    rows = []
    if line.barcode:
        rows.append(["LIN", line.line_no, "", [line.barcode.zfill(13), "EN"]])
    else:
        rows.append(["LIN", line.line_no])
    if line.vendor_code:
        rows.append(["PIA", "1", [line.vendor_code, "SA"]])
    return rows


def _edifact_body(document):
    if isinstance(document, OrderAck):
        rows = [
            ["BGM", "231", document.number, "4" if document.changed else "29"],
            ["DTM", ["137", document.date, "102"]],
            ["RFF", ["ON", document.po_number]],
        ]
        for line in document.lines:
            rows += _edifact_ids(line)
            rows.append(["QTY", ["21", line.quantity]])
            if line.unit_price:
                rows.append(["PRI", ["AAA", line.unit_price]])
        rows.append(["UNS", "S"])
        rows.append(["CNT", ["2", str(len(document.lines))]])
        return rows
    if isinstance(document, ShipNotice):
        rows = [
            ["BGM", "351", document.number, "9"],
            ["DTM", ["137", document.date, "102"]],
            ["RFF", ["ON", document.po_number]],
        ]
        if document.tracking:
            rows.append(["RFF", ["CN", document.tracking]])
        rows.append(["NAD", "DP", [document.ship_to_code, "", "9"]])
        rows.append(["TDT", "20", "", "", "", [document.carrier[:17]]])
        rows.append(["CPS", "1"])
        for number, carton in enumerate(document.cartons, start=2):
            rows.append(["CPS", str(number), "1"])
            rows.append(["PAC", "1"])
            rows.append(["GIN", "BJ", carton.sscc])
            for line in carton.lines:
                rows += _edifact_ids(line)
                rows.append(["QTY", ["12", line.quantity]])
        rows.append(["CNT", ["2", str(sum(len(c.lines) for c in document.cartons))]])
        return rows
    rows = [
        ["BGM", "380", document.number, "9"],
        ["DTM", ["137", document.date, "102"]],
        ["RFF", ["ON", document.po_number]],
        ["CUX", ["2", document.currency, "4"]],
    ]
    for line in document.lines:
        rows += _edifact_ids(line)
        rows.append(["QTY", ["47", line.quantity]])
        rows.append(["PRI", ["AAA", line.unit_price]])
    rows.append(["UNS", "S"])
    rows.append(["MOA", ["79", document.untaxed]])
    rows.append(["MOA", ["124", document.tax]])
    rows.append(["MOA", ["77", document.total]])
    return rows


def write_document(standard, kind, document, ours, control, moment):
    """(file stem, text) of ``document`` (``kind`` one of KINDS) as an
    interchange from ``ours`` (an x12.Envelope or an edifact.Envelope)."""
    (code, group), message = KINDS[kind]
    moment = moment or datetime.now()
    if standard == "x12":
        text = x12.write_interchange(ours, code, group, [_x12_body(document)], control, moment)
        return code, text
    version = "D:96A:UN:EAN008"
    text = edifact.write_interchange(
        ours, message, version, [_edifact_body(document)], control, moment
    )
    return message, text
