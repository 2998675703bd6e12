#!/usr/bin/env python3
"""The Case Studies Pack through ReportLab, the peer bench/run.py times beside reviewpdf.

  reportlab_pack.py PACK.json OUT.pdf     (PACK.json from make_content.py pack N)
  reportlab_pack.py --font                (prints the font family it would use, and exits)

The same document as layouts/case-studies.xml, written the way a ReportLab user would: platypus
with a cover page, the studies flowing about two to a page (each kept together: theme, title,
council and place, two paragraphs and a small bar chart of its three figures from
reportlab.graphics, an outline entry per study), and an index by theme with page numbers at the
end (ReportLab's SimpleIndex fed by <index> tags in the titles). The index comes last, so one
pass knows every page number it prints: doc.build, not multiBuild, which would lay the whole
document out a second time to confirm them (twice the time; the same PDF). Liberation Sans
(fonts-liberation) as the JSON asks, else the DejaVu Sans in the project's fonts/. ReportLab
subsets the TrueType fonts it embeds and compresses page streams, as reviewpdf does.
"""
import json
import os
import sys
from xml.sax.saxutils import escape, quoteattr

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
LIBERATION = "/usr/share/fonts/truetype/liberation"
FACES = {
    "Liberation Sans": (LIBERATION, ("LiberationSans-Regular.ttf", "LiberationSans-Bold.ttf",
                                     "LiberationSans-Italic.ttf", "LiberationSans-BoldItalic.ttf")),
    "DejaVu Sans": (os.path.join(ROOT, "fonts"), ("DejaVuSans.ttf", "DejaVuSans-Bold.ttf",
                                                 "DejaVuSans-Oblique.ttf",
                                                 "DejaVuSans-BoldOblique.ttf")),
}

# The review's brand (layouts/lib/brand.xml): purple titles, teal kickers and bars.
ACCENT, TEAL, TEXT, MUTED, TEAL_LIGHT = "#5b2a86", "#007a72", "#222222", "#5f5f66", "#7fd3cb"


def pick_family():
    for family, (folder, files) in FACES.items():
        if all(os.path.exists(os.path.join(folder, f)) for f in files):
            return family, folder, files
    sys.exit("reportlab_pack: neither Liberation Sans nor fonts/DejaVuSans*.ttf found")


def register(family, folder, files):
    from reportlab.lib.fonts import addMapping
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    names = [family.replace(" ", "") + s for s in ("", "-Bold", "-Italic", "-BoldItalic")]
    for name, f in zip(names, files):
        pdfmetrics.registerFont(TTFont(name, os.path.join(folder, f)))
    for (bold, italic), name in zip(((0, 0), (1, 0), (0, 1), (1, 1)), names):
        addMapping(names[0], bold, italic, name)
    return names


def styles(fonts, body_pt):
    from reportlab.lib.colors import HexColor
    from reportlab.lib.styles import ParagraphStyle
    reg, bold, italic = fonts[0], fonts[1], fonts[2]
    body = ParagraphStyle("body", fontName=reg, fontSize=body_pt, leading=body_pt * 1.5,
                          textColor=HexColor(TEXT), spaceAfter=6)
    s = {"body": body}
    s["kicker"] = ParagraphStyle("kicker", body, fontName=bold, fontSize=8.5, leading=12,
                                 textColor=HexColor(TEAL), spaceAfter=3)
    s["title"] = ParagraphStyle("title", body, fontName=bold, fontSize=15, leading=19,
                                textColor=HexColor(ACCENT), spaceAfter=2)
    s["meta"] = ParagraphStyle("meta", body, fontName=bold, fontSize=9.5, leading=13,
                               textColor=HexColor(MUTED), spaceAfter=9)
    s["h1"] = ParagraphStyle("h1", body, fontName=bold, fontSize=24, leading=29,
                             textColor=HexColor(ACCENT), spaceAfter=10)
    s["figures"] = ParagraphStyle("figures", s["kicker"], fontSize=8, spaceBefore=4, spaceAfter=0)
    s["cover-title"] = ParagraphStyle("cover-title", body, fontName=bold, fontSize=40, leading=46,
                                      textColor=HexColor("#ffffff"), spaceAfter=8)
    s["cover-sub"] = ParagraphStyle("cover-sub", body, fontName=italic, fontSize=14, leading=20,
                                    textColor=HexColor("#ffffff"))
    s["cover-count"] = ParagraphStyle("cover-count", body, fontName=bold, fontSize=44, leading=58,
                                      textColor=HexColor("#ffffff"), spaceBefore=22)
    s["cover-small"] = ParagraphStyle("cover-small", body, fontSize=11, leading=14,
                                      textColor=HexColor("#ffffff"), spaceAfter=16)
    s["cover-theme"] = ParagraphStyle("cover-theme", body, fontName=bold, fontSize=9, leading=12,
                                      textColor=HexColor("#ffffff"), spaceAfter=0)
    s["index-theme"] = ParagraphStyle("index-theme", body, fontName=bold, fontSize=10, leading=13,
                                      textColor=HexColor(ACCENT), spaceBefore=10, spaceAfter=3)
    s["index-entry"] = ParagraphStyle("index-entry", body, fontSize=8.5, leading=11.5,
                                      spaceAfter=0, leftIndent=6)
    return s


def chart(figures, font, width, height=26 * 2.835):
    """A horizontal bar chart of a study's figures, 0-100 %, each bar labelled with its value."""
    from reportlab.graphics.charts.barcharts import HorizontalBarChart
    from reportlab.graphics.shapes import Drawing
    from reportlab.lib.colors import HexColor
    d = Drawing(width, height)
    c = HorizontalBarChart()
    c.x, c.y, c.width, c.height = 95, 12, width - 150, height - 14
    # top to bottom in the JSON's order
    c.data = [[f["value"] for f in reversed(figures)]]
    c.categoryAxis.categoryNames = [f["label"] for f in reversed(figures)]
    c.categoryAxis.labels.fontName, c.categoryAxis.labels.fontSize = font[0], 7.5
    c.categoryAxis.labels.fillColor = HexColor(MUTED)
    c.categoryAxis.labels.dx = -4
    c.categoryAxis.visibleTicks = 0
    c.valueAxis.valueMin, c.valueAxis.valueMax, c.valueAxis.valueStep = 0, 100, 20
    c.valueAxis.labels.fontName, c.valueAxis.labels.fontSize = font[0], 6.5
    c.valueAxis.labelTextFormat = "%d%%"
    c.valueAxis.visibleGrid = 1
    c.valueAxis.gridStrokeColor = HexColor("#dddddd")
    c.bars[0].fillColor = HexColor(TEAL)
    c.bars[0].strokeColor = None
    c.barLabelFormat = "%d%%"
    c.barLabels.fontName, c.barLabels.fontSize = font[1], 8.5
    c.barLabels.fillColor = HexColor(ACCENT)
    c.barLabels.boxAnchor = "w"
    c.barLabels.dx = 3
    d.add(c)
    return d


def build(data, out, family, fonts):
    from reportlab.lib.colors import HexColor
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import mm
    from reportlab.platypus import (BaseDocTemplate, Flowable, Frame, HRFlowable, KeepTogether,
                                    NextPageTemplate, PageBreak, PageTemplate, Paragraph, Spacer,
                                    Table, TableStyle)
    from reportlab.platypus.tableofcontents import SimpleIndex

    st = styles(fonts, data["font"]["body_pt"])
    margin = data["page"]["margin_mm"] * mm
    width, height = A4
    frame_w = width - 2 * margin

    class Bookmark(Flowable):
        """An outline entry for the study that follows (zero size)."""
        def __init__(self, key, title):
            super().__init__()
            self.key, self.title = key, title

        def wrap(self, aw, ah):
            return 0, 0

        def draw(self):
            self.canv.bookmarkPage(self.key)
            self.canv.addOutlineEntry(self.title, self.key, level=0, closed=True)

    def cover(canv, doc):
        canv.saveState()
        canv.setFillColor(HexColor(ACCENT))
        canv.rect(0, 0, width, height, stroke=0, fill=1)
        canv.setFillColor(HexColor(TEAL))
        canv.rect(0, 0, width, 14 * mm, stroke=0, fill=1)
        canv.restoreState()

    def page(canv, doc):
        canv.saveState()
        canv.setFont(fonts[0], 8)
        canv.setFillColor(HexColor(MUTED))
        canv.drawString(margin, 10 * mm, data["footer"])
        canv.drawRightString(width - margin, 10 * mm, str(doc.page))
        canv.setStrokeColor(HexColor("#cccccc"))
        canv.line(margin, 14 * mm, width - margin, 14 * mm)
        canv.restoreState()

    doc = BaseDocTemplate(out, pagesize=A4, title=data["title"], author=data["footer"],
                          subject=data["subtitle"], leftMargin=margin, rightMargin=margin,
                          topMargin=margin, bottomMargin=margin + 4 * mm)
    body = Frame(margin, margin + 4 * mm, frame_w, height - 2 * margin - 4 * mm, id="body")
    doc.addPageTemplates([
        PageTemplate("cover", [Frame(25 * mm, 25 * mm, width - 50 * mm, height - 55 * mm)],
                     onPage=cover),
        PageTemplate("page", [body], onPage=page)])

    studies = data["case_studies"]
    story = [Spacer(1, 60 * mm),
             Paragraph(escape(data["title"]), st["cover-title"]),
             Paragraph(escape(data["subtitle"]), st["cover-sub"]),
             Paragraph(str(len(studies)), st["cover-count"]),
             Paragraph("case studies", st["cover-small"])]
    themes = {}
    for cs in studies:
        themes[cs["theme"]] = themes.get(cs["theme"], 0) + 1
    cells = [Paragraph(f"{escape(t)}<br/><font size=7.5 color='{TEAL_LIGHT}'>{n} case "
                       f"stud{'y' if n == 1 else 'ies'}</font>", st["cover-theme"])
             for t, n in themes.items()]
    rows = [cells[i:i + 3] + [""] * (3 - len(cells[i:i + 3])) for i in range(0, len(cells), 3)]
    if rows:
        story.append(Table(rows, colWidths=[(width - 50 * mm) / 3] * 3, style=TableStyle([
            ("BACKGROUND", (0, 0), (-1, -1), HexColor("#47206a")),
            ("GRID", (0, 0), (-1, -1), 3, HexColor(ACCENT)),
            ("VALIGN", (0, 0), (-1, -1), "TOP")])))
    story += [NextPageTemplate("page"), PageBreak(),
              Paragraph("SHARING WHAT WORKS", st["kicker"]),
              Paragraph(escape(data["title"]), st["h1"])]

    for cs in studies:
        place = cs["title"].rsplit(" in ", 1)[-1]
        item = quoteattr(f"{cs['theme']},{cs['title']}")
        parts = [Bookmark(f"cs{cs['id']}", cs["title"]),
                 Paragraph(escape(cs["theme"].upper()), st["kicker"]),
                 Paragraph(f"{escape(cs['title'])}<index item={item}/>", st["title"]),
                 Paragraph(f"{escape(cs['council'])} · {escape(place)}", st["meta"])]
        parts += [Paragraph(escape(p), st["body"]) for p in cs["paragraphs"]]
        parts += [Paragraph("IN FIGURES", st["figures"]), chart(cs["figures"], fonts, frame_w),
                  HRFlowable(width="100%", thickness=0.5, color=HexColor("#cccccc"),
                             spaceBefore=6, spaceAfter=14)]
        story.append(KeepTogether(parts))

    index = SimpleIndex(style=[st["index-theme"], st["index-entry"]], dot=" . ",
                        headers=False)
    story += [PageBreak(), Paragraph("FIND A CASE STUDY", st["kicker"]),
              Paragraph("Index by theme", st["h1"]), index]
    # One pass: every <index> entry is drawn before the index itself is laid out.
    doc.build(story, canvasmaker=index.getCanvasMaker())


def main(argv):
    # ReportLab's documented switch for production use: no validation of every attribute set
    # on a graphics shape (the charts spend most of their time there otherwise).
    from reportlab import rl_config
    rl_config.shapeChecking = 0
    family, folder, files = pick_family()
    if argv[1:] == ["--font"]:
        print(family)
        return
    if len(argv) != 3:
        sys.exit(__doc__)
    with open(argv[1], encoding="utf-8") as f:
        data = json.load(f)
    build(data, argv[2], family, register(family, folder, files))


if __name__ == "__main__":
    main(sys.argv)
