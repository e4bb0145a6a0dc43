"""ZPL II → PDF, for when the label printer is down.

Renders the commands our own labels and typical carrier labels use for text,
lines and Code 128: ``^XA ^XZ ^LH ^PW ^LL ^FO ^FT ^A ^CF ^FB ^FD ^FS ^BY ^BC ^GB
^FR ^CI ^FH``. What it cannot draw (stored graphics ``^GF``/``~DG``/``^XG``/
``^IM``, other symbologies such as MaxiCode ``^BD``, PDF417 ``^B7``, DataMatrix
``^BX``, QR ``^BQ``) is left out and named in :attr:`RenderedZpl.skipped`.

A carrier label whose barcodes or logo are in skipped graphics is not a valid
label once rendered: when ``skipped`` is not empty, ask the carrier for its own
PDF instead (EasyPost converts: ``EasyPostClient.get_label(id, "PDF")``), and use
this rendering only for our own labels or as a readable copy.
"""

import io
from dataclasses import dataclass

from reportlab.graphics.barcode.code128 import Code128
from reportlab.lib.utils import simpleSplit
from reportlab.pdfgen import canvas

IGNORED = frozenset({"CI", "FH", "PR", "MD", "PO", "PM", "LR", "LS", "JM", "MM", "PQ", "FX"})
UNSUPPORTED = {
    "GF": "graphic field (^GF)",
    "XG": "stored graphic (^XG)",
    "IM": "stored image (^IM)",
    "DG": "downloaded graphic (~DG)",
    "BD": "MaxiCode barcode (^BD)",
    "B7": "PDF417 barcode (^B7)",
    "BX": "DataMatrix barcode (^BX)",
    "BQ": "QR code (^BQ)",
    "B3": "Code 39 barcode (^B3)",
    "BE": "EAN-13 barcode (^BE)",
    "GC": "circle (^GC)",
    "GD": "diagonal line (^GD)",
}


@dataclass(frozen=True)
class RenderedZpl:
    pdf: bytes
    pages: int
    skipped: tuple[str, ...]  # what could not be drawn, one note per kind


def _tokens(zpl):
    """(command, parameters) pairs; ^A keeps its font letter in the parameters."""
    text = zpl.decode("utf-8", "replace") if isinstance(zpl, bytes) else zpl
    index = 0
    while index < len(text):
        if text[index] not in "^~":
            index += 1
            continue
        end = index + 1
        while end < len(text) and text[end] not in "^~":
            end += 1
        body = text[index + 1 : end]
        if body[:1].upper() == "A" and body[1:2] not in ("", "\n"):
            command, params = "A", body[1:]
        else:
            command, params = body[:2].upper(), body[2:]
        yield command, params
        index = end


def _ints(params, count, defaults):
    values = []
    parts = params.strip().split(",")
    for position in range(count):
        raw = parts[position].strip() if position < len(parts) else ""
        try:
            values.append(int(float(raw)))
        except ValueError:
            values.append(defaults[position])
    return values


class _Page:
    def __init__(self, dpi):
        self.dpi = dpi
        self.width, self.height = 4 * dpi, 6 * dpi
        self.home = (0, 0)
        self.font = (30, 30)
        self.default_font = (30, 30)
        self.module, self.bar_height = 2, 10
        self.operations = []
        self._reset_field()

    def _reset_field(self):
        self.origin = None  # (x, y, baseline?)
        self.data = None
        self.barcode = None
        self.box = None
        self.block = None
        self.field_font = None


class ZplRenderer:
    def __init__(self, dpi=203):
        self.dpi = dpi

    def pt(self, dots):
        return dots * 72.0 / self.dpi

    def render(self, zpl):
        pages, skipped = [], []
        page = None
        for command, params in _tokens(zpl):
            if command == "XA":
                page = _Page(self.dpi)
                continue
            if page is None:
                if command in UNSUPPORTED and UNSUPPORTED[command] not in skipped:
                    skipped.append(UNSUPPORTED[command])
                continue
            if command == "XZ":
                pages.append(page)
                page = None
            else:
                self._apply(page, command, params, skipped)
        return RenderedZpl(self._draw(pages), len(pages), tuple(skipped))

    def _apply(self, page, command, params, skipped):
        handlers = {
            "LH": self._home,
            "PW": self._print_width,
            "LL": self._label_length,
            "FO": self._origin,
            "FT": self._origin,
            "CF": self._default_font,
            "A": self._font,
            "FB": self._block,
            "BY": self._barcode_defaults,
            "BC": self._code128,
            "GB": self._box,
            "FD": self._data,
        }
        if command in handlers:
            handlers[command](page, command, params)
        elif command == "FS":
            self._field(page)
            page._reset_field()
        elif command in UNSUPPORTED:
            if UNSUPPORTED[command] not in skipped:
                skipped.append(UNSUPPORTED[command])
            if command.startswith("B"):
                page.barcode = "skip"
        elif command not in IGNORED and command not in ("FR", "FN") and command.strip():
            note = f"command ^{command}"
            if note not in skipped:
                skipped.append(note)

    @staticmethod
    def _home(page, command, params):
        page.home = tuple(_ints(params, 2, (0, 0)))

    @staticmethod
    def _print_width(page, command, params):
        page.width = _ints(params, 1, (page.width,))[0]

    @staticmethod
    def _label_length(page, command, params):
        page.height = _ints(params, 1, (page.height,))[0]

    @staticmethod
    def _origin(page, command, params):
        x, y = _ints(params, 2, (0, 0))
        page.origin = (x + page.home[0], y + page.home[1], command == "FT")

    @staticmethod
    def _default_font(page, command, params):
        rest = ",".join(params.split(",")[1:3])
        height, width = _ints(rest, 2, (page.default_font[0], 0))
        page.default_font = page.font = (height, width or height)

    @staticmethod
    def _font(page, command, params):
        parts = params[1:].lstrip("NRIB").lstrip(",")
        height, width = _ints(parts, 2, (page.font[0], 0))
        page.field_font = (height, width or height)

    @staticmethod
    def _block(page, command, params):
        width, lines, spacing = _ints(params, 3, (0, 1, 0))
        parts = params.split(",")
        justify = parts[3].strip().upper()[:1] if len(parts) > 3 and parts[3].strip() else "L"
        page.block = (width, max(lines, 1), spacing, justify)

    @staticmethod
    def _barcode_defaults(page, command, params):
        parts = params.split(",")
        page.module = _ints(params, 1, (page.module,))[0]
        if len(parts) > 2 and parts[2].strip():
            page.bar_height = _ints(parts[2], 1, (page.bar_height,))[0]

    @staticmethod
    def _code128(page, command, params):
        parts = [p.strip().upper() for p in params.split(",")] + [""] * 5
        height = _ints(parts[1], 1, (page.bar_height,))[0]
        page.barcode = (height, parts[2] != "N", parts[3] == "Y")

    @staticmethod
    def _box(page, command, params):
        width, height, thickness = _ints(params, 3, (1, 1, 1))
        parts = params.split(",")
        color = parts[3].strip().upper() if len(parts) > 3 and parts[3].strip() else "B"
        page.box = (max(width, thickness), max(height, thickness), thickness, color)

    @staticmethod
    def _data(page, command, params):
        page.data = params.rstrip("\r\n")

    def _field(self, page):
        if page.origin is None:
            return
        x, y, baseline = page.origin
        if page.box:
            page.operations.append(("box", x, y, page.box))
        elif page.barcode == "skip":
            return
        elif page.barcode and page.data:
            height, readable, above = page.barcode
            page.operations.append(
                ("code128", x, y, baseline, page.data, height, page.module, readable, above)
            )
        elif page.data is not None:
            font = page.field_font or page.font
            page.operations.append(("text", x, y, baseline, page.data, font, page.block))

    def _draw(self, pages):
        buffer = io.BytesIO()
        pdf = canvas.Canvas(buffer, pageCompression=0)
        for page in pages or [_Page(self.dpi)]:
            width, height = self.pt(page.width), self.pt(page.height)
            pdf.setPageSize((width, height))
            for operation in page.operations:
                getattr(self, f"_draw_{operation[0]}")(pdf, height, *operation[1:])
            pdf.showPage()
        pdf.save()
        return buffer.getvalue()

    def _draw_box(self, pdf, page_height, x, y, box):
        width, height, thickness, color = box
        pdf.setFillGray(1 if color == "W" else 0)
        left, top = self.pt(x), page_height - self.pt(y)
        w, h, t = self.pt(width), self.pt(height), self.pt(thickness)
        if t >= min(w, h):
            pdf.rect(left, top - h, w, h, stroke=0, fill=1)
            return
        for rx, ry, rw, rh in (
            (left, top - t, w, t),
            (left, top - h, w, t),
            (left, top - h, t, h),
            (left + w - t, top - h, t, h),
        ):
            pdf.rect(rx, ry, rw, rh, stroke=0, fill=1)
        pdf.setFillGray(0)

    def _draw_text(self, pdf, page_height, x, y, baseline, data, font, block):
        size = self.pt(font[0])
        pdf.setFillGray(0)
        pdf.setFont("Helvetica", size)
        top = page_height - self.pt(y)
        first = top if baseline else top - size * 0.8
        if not block or not block[0]:
            pdf.drawString(self.pt(x), first, data)
            return
        width, max_lines, spacing, justify = block
        box_width = self.pt(width)
        lines = simpleSplit(data.replace("\\&", "\n"), "Helvetica", size, box_width)[:max_lines]
        for index, line in enumerate(lines):
            line_y = first - index * (size + self.pt(spacing))
            if justify == "R":
                pdf.drawRightString(self.pt(x) + box_width, line_y, line)
            elif justify == "C":
                pdf.drawCentredString(self.pt(x) + box_width / 2, line_y, line)
            else:
                pdf.drawString(self.pt(x), line_y, line)

    def _draw_code128(
        self, pdf, page_height, x, y, baseline, data, height, module, readable, above
    ):
        bar_height = self.pt(height)
        barcode = Code128(
            data, barHeight=bar_height, barWidth=self.pt(module), humanReadable=False, quiet=False
        )
        bottom = page_height - self.pt(y) - (0 if baseline else bar_height)
        pdf.setFillGray(0)
        barcode.drawOn(pdf, self.pt(x), bottom)
        if readable:
            size = max(6.0, self.pt(module) * 9)
            pdf.setFont("Helvetica", size)
            text_y = bottom + bar_height + 2 if above else bottom - size - 1
            pdf.drawCentredString(self.pt(x) + barcode.width / 2, text_y, data)


def zpl_to_pdf(zpl, dpi=203):
    """Render ZPL (bytes or text, one or more ``^XA...^XZ`` labels) as a PDF."""
    return ZplRenderer(dpi).render(zpl)
