#!/usr/bin/python3
"""Writes the inputs of the known blow-ups at a scale: gen.py CASE SCALE OUT.xml
(test_scaling.sh runs each case at ×1, ×10 and ×100; docs/fuzzing.md).

  word    one unbreakable word of 10,000 × SCALE characters in a paragraph
  copy    10 × SCALE highlight items, each copying //node() (the whole document)
          through layouts/copy-all.xml
  footers 10 × SCALE pages, each with the same running footer"""
import sys

case, scale, out = sys.argv[1], int(sys.argv[2]), sys.argv[3]

HEAD = """<?xml version="1.0" encoding="UTF-8"?>
<review version="2" xml:lang="en-GB">
  <organisation><name>Test Network</name><short-name>TN</short-name></organisation>
  <period from="2018-08-01" to="2019-07-31">August 2018 – July 2019</period>
  <title>Review of the year</title>
  <people><person id="a-person"><name>A Person</name></person></people>
"""
FOREWORD = """  <section id="foreword" role="foreword" person="a-person"><title>Foreword</title>
    <quote><p>Quote.</p></quote></section>
"""

body = []
if case == "word":
    body.append('  <section id="about" role="about"><title>About</title>'
                "<p>Before %s after.</p></section>\n" % ("a" * (10000 * scale)))
    body.append(FOREWORD)
    body.append('  <highlights id="highlights"><title>Highlights</title>'
                '<item ref="about">About</item></highlights>\n')
elif case == "copy":
    body.append('  <section id="about" role="about"><title>About</title><p>Text.</p></section>\n')
    body.append(FOREWORD)
    items = "".join('<item ref="about">Highlight number %d</item>' % i
                    for i in range(10 * scale))
    body.append('  <highlights id="highlights"><title>Highlights</title>%s</highlights>\n'
                % items)
elif case == "footers":
    para = ("<p>Paragraph of ordinary prose that fills the page with words, set in the "
            "body style, long enough to wrap over a few lines of the column.</p>")
    body.append('  <section id="about" role="about"><title>About</title>%s</section>\n'
                % (para * (14 * 10 * scale)))
    body.append(FOREWORD)
    body.append('  <highlights id="highlights"><title>Highlights</title>'
                '<item ref="about">About</item></highlights>\n')
else:
    sys.exit("gen.py: unknown case " + case)
with open(out, "w") as f:
    f.write(HEAD + "".join(body) + "</review>\n")
