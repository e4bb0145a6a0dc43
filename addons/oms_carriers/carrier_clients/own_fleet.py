"""Our own 4x6 label for the own fleet: PDF (reportlab) and ZPL II, same content.

Sender, recipient, package n of m, weight, reference, the tracking number as a
Code 128 barcode with its text, and hazmat marks as text (for instance
"UN3481 LITHIUM ION BATTERIES PACKED WITH EQUIPMENT", "LIMITED QUANTITY").
"""

import io
from dataclasses import dataclass
from decimal import Decimal

from reportlab.graphics.barcode.code128 import Code128
from reportlab.lib.units import inch
from reportlab.pdfgen import canvas

from .models import Address

PAGE = (4 * inch, 6 * inch)
DPI = 203
ZPL_WIDTH, ZPL_HEIGHT = 812, 1218  # 4x6 inches at 203 dpi


@dataclass(frozen=True)
class OwnLabel:
    tracking_number: str
    sender: Address
    recipient: Address
    weight_kg: Decimal
    package_no: int = 1
    package_count: int = 1
    carrier_name: str = "Own fleet"
    service: str = ""
    reference: str = ""
    hazmat_marks: tuple[str, ...] = ()

    def address_lines(self, address):
        city = " ".join(p for p in (address.zip, address.city) if p)
        lines = (address.name, address.company, *address.street_lines, city)
        return [line for line in lines if line] + [address.country]

    @property
    def package_text(self):
        return f"Package {self.package_no} of {self.package_count}"

    @property
    def weight_text(self):
        return f"{Decimal(self.weight_kg).quantize(Decimal('0.01'))} kg"


def render_pdf(label):
    """The label as a one-page 4x6 inch PDF (bytes)."""
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=PAGE)
    pdf.setTitle(f"Label {label.tracking_number}")
    width, height = PAGE
    margin = 12
    pdf.setLineWidth(1.5)
    pdf.rect(margin / 2, margin / 2, width - margin, height - margin)
    y = height - margin - 14
    pdf.setFont("Helvetica-Bold", 13)
    pdf.drawString(margin, y, " ".join(p for p in (label.carrier_name, label.service) if p))
    pdf.setFont("Helvetica", 8)
    y -= 16
    pdf.drawString(margin, y, "FROM:")
    for line in label.address_lines(label.sender):
        y -= 10
        pdf.drawString(margin + 30, y, line)
    y -= 10
    pdf.line(margin / 2, y, width - margin / 2, y)
    y -= 18
    pdf.setFont("Helvetica-Bold", 10)
    pdf.drawString(margin, y, "TO:")
    pdf.setFont("Helvetica-Bold", 13)
    for line in label.address_lines(label.recipient):
        y -= 16
        pdf.drawString(margin + 24, y, line)
    y -= 14
    pdf.line(margin / 2, y, width - margin / 2, y)
    y -= 18
    pdf.setFont("Helvetica-Bold", 12)
    pdf.drawString(margin, y, label.package_text)
    pdf.drawRightString(width - margin, y, label.weight_text)
    if label.reference:
        y -= 14
        pdf.setFont("Helvetica", 9)
        pdf.drawString(margin, y, f"Ref: {label.reference}")
    barcode = Code128(label.tracking_number, barHeight=70, barWidth=1.2, humanReadable=False)
    x = max(margin, (width - barcode.width) / 2)
    barcode.drawOn(pdf, x, 110)
    pdf.setFont("Helvetica-Bold", 11)
    pdf.drawCentredString(width / 2, 96, label.tracking_number)
    if label.hazmat_marks:
        pdf.setLineWidth(2)
        pdf.rect(margin, 20, width - 2 * margin, 16 + 11 * len(label.hazmat_marks))
        pdf.setFont("Helvetica-Bold", 9)
        for index, mark in enumerate(label.hazmat_marks):
            pdf.drawString(margin + 6, 26 + 11 * (len(label.hazmat_marks) - 1 - index) + 4, mark)
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def _zpl_address(out, y, heading, heading_size, lines, x, size, step):
    """A party's block of a ZPL label from ``y``: its heading, its address lines
    (``size`` dots high, ``step`` apart) from ``x``, a rule under them. Appended
    to ``out``; the ``y`` of what comes next."""
    out.append(f"^FO30,{y}^A0N,{heading_size},{heading_size}^FD{heading}^FS")
    for line in lines:
        out.append(f"^FO{x},{y}^A0N,{size},{size}^FD{_zpl_text(line)}^FS")
        y += step
    y += 10
    out.append(f"^FO10,{y}^GB{ZPL_WIDTH - 20},3,3^FS")
    return y + 20


def _zpl_text(text):
    """Field data may hold neither the command prefixes nor line breaks."""
    return " ".join(str(text).replace("^", " ").replace("~", " ").split())


def render_zpl(label):
    """The label as ZPL II for a 203 dpi 4x6 printer (bytes)."""
    out = ["^XA", "^CI28", f"^PW{ZPL_WIDTH}", f"^LL{ZPL_HEIGHT}", "^LH0,0"]
    out.append(f"^FO10,10^GB{ZPL_WIDTH - 20},{ZPL_HEIGHT - 20},3^FS")
    title = " ".join(p for p in (label.carrier_name, label.service) if p)
    out.append(f"^FO30,30^A0N,40,40^FD{_zpl_text(title)}^FS")
    y = _zpl_address(out, 90, "FROM:", 22, label.address_lines(label.sender), 110, 22, 26)
    y = _zpl_address(out, y, "TO:", 28, label.address_lines(label.recipient), 90, 40, 46)
    out.append(f"^FO30,{y}^A0N,36,36^FD{_zpl_text(label.package_text)}^FS")
    out.append(f"^FO30,{y}^FB{ZPL_WIDTH - 60},1,0,R^A0N,36,36^FD{label.weight_text}^FS")
    if label.reference:
        y += 46
        out.append(f"^FO30,{y}^A0N,26,26^FDRef: {_zpl_text(label.reference)}^FS")
    out.append("^BY3,3,200")
    out.append(f"^FO60,{max(y + 70, 760)}^BCN,200,Y,N,N^FD{_zpl_text(label.tracking_number)}^FS")
    if label.hazmat_marks:
        top = ZPL_HEIGHT - 40 - 34 * len(label.hazmat_marks)
        out.append(f"^FO30,{top - 10}^GB{ZPL_WIDTH - 60},{34 * len(label.hazmat_marks) + 20},4^FS")
        for index, mark in enumerate(label.hazmat_marks):
            out.append(f"^FO45,{top + 34 * index}^A0N,28,28^FD{_zpl_text(mark)}^FS")
    out.append("^XZ")
    return "\n".join(out).encode()
