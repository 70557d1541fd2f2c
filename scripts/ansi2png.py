#!/usr/bin/env python3
"""Renders a terminal capture with ANSI SGR escapes (`tmux capture-pane -e -p`) to a PNG.

    ansi2png.py CAPTURE.txt OUT.png [COLUMNS ROWS]

Understands reset, bold, dim, underline, reverse, the 16 standard colours, 256-colour
(38;5;N / 48;5;N) and truecolour (38;2;R;G;B). Draws a cell grid in DejaVu Sans Mono.
"""
import re
import sys

from PIL import Image, ImageDraw, ImageFont

FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf"
FONT_BOLD = "/usr/share/fonts/truetype/dejavu/DejaVuSansMono-Bold.ttf"
SIZE = 15
BG = (24, 26, 33)
FG = (215, 218, 224)
# xterm's 16 colours, slightly softened for a dark background.
BASE16 = [
    (40, 42, 54), (224, 88, 88), (120, 200, 110), (230, 200, 90),
    (90, 140, 230), (200, 120, 210), (90, 200, 210), (200, 204, 210),
    (110, 114, 128), (255, 120, 120), (150, 230, 140), (255, 225, 120),
    (130, 170, 255), (230, 150, 240), (130, 230, 240), (255, 255, 255),
]


def palette(n):
    if n < 16:
        return BASE16[n]
    if n < 232:
        n -= 16
        steps = [0, 95, 135, 175, 215, 255]
        return (steps[n // 36], steps[(n // 6) % 6], steps[n % 6])
    v = 8 + (n - 232) * 10
    return (v, v, v)


class Pen:
    def __init__(self):
        self.reset()

    def reset(self):
        self.fg = None
        self.bg = None
        self.bold = False
        self.dim = False
        self.underline = False
        self.reverse = False

    def apply(self, params):
        codes = [int(p) if p else 0 for p in params.split(";")] if params else [0]
        i = 0
        while i < len(codes):
            c = codes[i]
            if c == 0:
                self.reset()
            elif c == 1:
                self.bold = True
            elif c == 2:
                self.dim = True
            elif c == 4:
                self.underline = True
            elif c == 7:
                self.reverse = True
            elif c == 22:
                self.bold = self.dim = False
            elif c == 24:
                self.underline = False
            elif c == 27:
                self.reverse = False
            elif 30 <= c <= 37:
                self.fg = BASE16[c - 30]
            elif 90 <= c <= 97:
                self.fg = BASE16[c - 90 + 8]
            elif 40 <= c <= 47:
                self.bg = BASE16[c - 40]
            elif 100 <= c <= 107:
                self.bg = BASE16[c - 100 + 8]
            elif c == 39:
                self.fg = None
            elif c == 49:
                self.bg = None
            elif c in (38, 48) and i + 1 < len(codes):
                if codes[i + 1] == 5 and i + 2 < len(codes):
                    colour = palette(codes[i + 2])
                    i += 2
                elif codes[i + 1] == 2 and i + 4 < len(codes):
                    colour = tuple(codes[i + 2:i + 5])
                    i += 4
                else:
                    colour = None
                if c == 38:
                    self.fg = colour
                else:
                    self.bg = colour
            i += 1

    def colours(self):
        fg = self.fg or FG
        bg = self.bg or BG
        if self.dim and not self.fg:
            fg = (150, 154, 164)
        if self.reverse:
            fg, bg = bg, fg
        return fg, bg


# Which arms of a cell each box-drawing glyph has: left, right, up, down.
BOX = {"─": "lr", "│": "ud", "┌": "rd", "┐": "ld", "└": "ru", "┘": "lu",
       "├": "rud", "┤": "lud", "┬": "lrd", "┴": "lru", "┼": "lrud"}

ESCAPE = re.compile(r"\x1b\[([0-9;]*)([A-Za-z])|\x1b\][^\x07]*\x07|\x1b.")


def parse(text):
    """Yields rows of (char, fg, bg, bold, underline)."""
    pen = Pen()
    rows = []
    for line in text.split("\n"):
        row = []
        pos = 0
        for m in ESCAPE.finditer(line):
            for ch in line[pos:m.start()]:
                fg, bg = pen.colours()
                row.append((ch, fg, bg, pen.bold, pen.underline))
            if m.group(2) == "m":
                pen.apply(m.group(1))
            pos = m.end()
        for ch in line[pos:]:
            fg, bg = pen.colours()
            row.append((ch, fg, bg, pen.bold, pen.underline))
        rows.append(row)
    while rows and not rows[-1]:
        rows.pop()
    return rows


def main():
    src, out = sys.argv[1], sys.argv[2]
    text = open(src, encoding="utf-8", errors="replace").read()
    rows = parse(text)
    cols = int(sys.argv[3]) if len(sys.argv) > 3 else max((len(r) for r in rows), default=1)
    nrows = int(sys.argv[4]) if len(sys.argv) > 4 else len(rows)
    try:
        font = ImageFont.truetype(FONT, SIZE)
        bold = ImageFont.truetype(FONT_BOLD, SIZE)
    except OSError:
        print("ansi2png: DejaVu Sans Mono not found; using Pillow's default font", file=sys.stderr)
        font = bold = ImageFont.load_default()
    left, top, right, bottom = font.getbbox("M")
    cw = font.getlength("M")
    ch = SIZE + 4
    pad = 12
    img = Image.new("RGB", (int(cols * cw) + 2 * pad, nrows * ch + 2 * pad), BG)
    draw = ImageDraw.Draw(img)
    for y, row in enumerate(rows[:nrows]):
        for x, (c, fg, bg, is_bold, underline) in enumerate(row[:cols]):
            px, py = pad + x * cw, pad + y * ch
            if bg != BG:
                draw.rectangle([px, py, px + cw, py + ch], fill=bg)
            # Box drawing as lines, so borders join across the line spacing.
            mx, my = px + cw / 2, py + ch // 2
            arms = BOX.get(c)
            if arms:
                if "l" in arms:
                    draw.line([px, my, mx, my], fill=fg)
                if "r" in arms:
                    draw.line([mx, my, px + cw, my], fill=fg)
                if "u" in arms:
                    draw.line([mx, py, mx, my], fill=fg)
                if "d" in arms:
                    draw.line([mx, my, mx, py + ch], fill=fg)
            elif c != " ":
                draw.text((px, py + 1), c, font=bold if is_bold else font, fill=fg)
            if underline:
                draw.line([px, py + ch - 2, px + cw, py + ch - 2], fill=fg)
    img.save(out)


if __name__ == "__main__":
    main()
