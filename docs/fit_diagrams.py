#!/usr/bin/python3
"""Makes every Graphviz diagram in the generated HTML fit the text column (run by `make docs`
after Doxygen): `fit_diagrams.py build/docs/html`.

Doxygen 1.9.4 shows an SVG diagram in an <iframe> with the diagram's natural size in pixels
and scrolling off, so a diagram wider than the column is cut off. This script
  - gives each such iframe the class vkv-fit and its aspect ratio and natural width as a style
    (docs/vkv.css then sizes it: the column's width at most, the height from the ratio), and
  - makes each SVG fill its frame (width and height 100%, the viewBox keeps the proportions).
A diagram narrower than the column keeps its natural size. Running it twice changes nothing.
docs/check_docs.py then checks that no diagram is cut off or shrunk past reading.
"""

import os
import re
import sys

IFRAME = re.compile(r'<iframe scrolling="no" frameborder="0" src="([^"]+\.svg)" '
                    r'width="(\d+)" height="(\d+)">')
SVG_SIZE = re.compile(r'<svg width="([\d.]+)pt" height="([\d.]+)pt"')


def fit_iframe(m):
    src, width, height = m.group(1), int(m.group(2)), int(m.group(3))
    return (f'<iframe class="vkv-fit" scrolling="no" frameborder="0" src="{src}" '
            f'width="{width}" height="{height}" '
            f'style="max-width:{width}px;aspect-ratio:{width} / {height}">')


def main():
    html_dir = sys.argv[1]
    frames = 0
    for name in sorted(os.listdir(html_dir)):
        path = os.path.join(html_dir, name)
        if name.endswith(".html"):
            with open(path, encoding="utf-8") as f:
                text = f.read()
            fitted, n = IFRAME.subn(fit_iframe, text)
            if n:
                frames += n
                with open(path, "w", encoding="utf-8") as f:
                    f.write(fitted)
        elif name.endswith(".svg"):
            with open(path, encoding="utf-8") as f:
                text = f.read()
            fitted = SVG_SIZE.sub('<svg width="100%" height="100%"', text, count=1)
            if fitted != text:
                with open(path, "w", encoding="utf-8") as f:
                    f.write(fitted)
    print(f"fit_diagrams: {frames} diagrams fit the text column")


if __name__ == "__main__":
    main()
