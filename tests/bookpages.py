"""The checks of tests/test_book_pages.py: pure functions of one built page's HTML (stdlib ``html.parser``),
each returning the defects it finds. The rules are stated in that module's docstring."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from html.parser import HTMLParser


# ----------------------------------------------------------------------------- a small DOM
class Node:
    """An element: tag, attributes, children (Nodes and text), parent."""

    def __init__(self, tag: str, attrs: dict[str, str], parent: Node | None) -> None:
        self.tag, self.attrs, self.parent = tag, attrs, parent
        self.children: list[Node | str] = []

    @property
    def classes(self) -> set[str]:
        return set((self.attrs.get("class") or "").split())

    def iter(self) -> Iterator[Node]:
        """This element and every element inside it, in document order."""
        yield self
        for child in self.children:
            if isinstance(child, Node):
                yield from child.iter()

    def ancestors(self) -> Iterator[Node]:
        node = self.parent
        while node is not None:
            yield node
            node = node.parent

    def words(self, skip: Callable[[Node], bool] = lambda n: False) -> str:
        """The text with every element boundary read as a space (table cells, list items), whitespace collapsed."""
        return " ".join(" ".join(c if isinstance(c, str) else ("" if skip(c) or c.tag in ("script", "style")
                                                                else c.words(skip))
                                 for c in self.children).split())

    def text(self, skip: Callable[[Node], bool] = lambda n: False) -> str:
        return "".join(c if isinstance(c, str) else ("" if skip(c) else c.text(skip)) for c in self.children)


class _Builder(HTMLParser):
    VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Node("#document", {}, None)
        self.stack = [self.root]

    def handle_starttag(self, tag, attrs):
        node = Node(tag, {k: v or "" for k, v in attrs}, self.stack[-1])
        self.stack[-1].children.append(node)
        if tag not in self.VOID:
            self.stack.append(node)

    def handle_startendtag(self, tag, attrs):
        self.stack[-1].children.append(Node(tag, {k: v or "" for k, v in attrs}, self.stack[-1]))

    def handle_endtag(self, tag):
        if any(n.tag == tag for n in self.stack[1:]):
            while self.stack.pop().tag != tag:
                pass

    def handle_data(self, data):
        self.stack[-1].children.append(data)


def parse(html: str) -> Node:
    builder = _Builder()
    builder.feed(html)
    builder.close()
    return builder.root


def _heading(section: Node) -> Node | None:
    return next((c for c in section.children if isinstance(c, Node) and re.fullmatch(r"h[1-6]", c.tag)), None)


def _title(node: Node) -> str:
    """A heading's text without its permalink."""
    return node.text(lambda n: "headerlink" in n.classes).strip()


def sections(root: Node) -> Iterator[tuple[int, str, Node]]:
    """(heading level, title, section element) of every Sphinx section."""
    for node in root.iter():
        head = _heading(node) if node.tag == "section" else None
        if head is not None:
            yield int(head.tag[1]), _title(head), node


# ----------------------------------------------------------------------------- (a) raw Markdown tables
INLINE = {"a", "abbr", "b", "cite", "code", "em", "i", "kbd", "mark", "q", "s", "samp", "small", "span", "strong",
          "sub", "sup", "u", "var", "time", "bdi", "bdo", "wbr"}
ROW = re.compile(r"^\|(?:[^|\n]*\|){2,}$")
SEPARATOR = re.compile(r"^\|?\s*:?-+:?\s*(?:\|\s*:?-+:?\s*)+\|?$")


def _visible_lines(node: Node, out: list[str]) -> None:
    """The text of `node` line by line: blocks and <br> end a line; scripts, styles, code inputs and math are
    not read."""
    for child in node.children:
        if isinstance(child, str):
            parts = child.split("\n")
            out[-1] += parts[0]
            out.extend(parts[1:])
        elif child.tag in ("script", "style", "head", "template", "noscript") or "cell_input" in child.classes \
                or "math" in child.classes:
            continue
        elif child.tag in INLINE:
            _visible_lines(child, out)
        else:
            out.append("")
            _visible_lines(child, out)
            out.append("")


def raw_markdown_tables(html: str) -> list[str]:
    """Lines of the page's text that are Markdown table rows or separators (a table that did not render)."""
    lines = [""]
    _visible_lines(parse(html), lines)
    return [s for s in (line.strip() for line in lines) if ROW.match(s) or SEPARATOR.match(s)]


# ----------------------------------------------------------------------------- (b) plotly figures
def _decode_at(text: str, i: int) -> tuple[object, int]:
    while text[i].isspace():
        i += 1
    return json.JSONDecoder().raw_decode(text, i)


def plotly_figures(html: str) -> list[dict]:
    """Every figure a script of the page draws: ``{"data": [...], "layout": {...}}``."""
    figs = []
    for node in parse(html).iter():
        script = node.text() if node.tag == "script" else ""
        for m in re.finditer(r"\bvar fig = ", script):  # signin_lite.views.plotting.figure_html
            figs.append(_decode_at(script, m.end())[0])
        for m in re.finditer(r"Plotly\.newPlot\(\s*(?:\"[^\"]*\"|'[^']*'|[\w.]+)\s*,\s*(?=\[)", script):
            data, end = _decode_at(script, m.end())  # plotly's own to_html: newPlot("id", data, layout, ...)
            comma = re.compile(r"\s*,\s*").match(script, end)
            layout = _decode_at(script, comma.end())[0] if comma and script[comma.end()] == "{" else {}
            figs.append({"data": data, "layout": layout})
    return figs


NOT_CARTESIAN = {"pie", "sunburst", "treemap", "icicle", "funnelarea", "table", "indicator", "sankey", "parcoords",
                 "parcats", "scatter3d", "surface", "mesh3d", "cone", "streamtube", "volume", "isosurface",
                 "scattergeo", "choropleth", "scattermap", "scattermapbox", "choroplethmap", "choroplethmapbox",
                 "densitymap", "densitymapbox", "scatterpolar", "scatterpolargl", "barpolar", "scatterternary",
                 "scattercarpet", "contourcarpet", "carpet", "splom"}


def _text(title: object) -> str:
    """The text of a plotly title (a string, or a dict with "text")."""
    return str((title.get("text") if isinstance(title, dict) else title) or "").strip()


def _numeric(values: object) -> bool:
    """Whether plotly would read `values` as numbers (numbers, numeric strings, or a typed array)."""
    if isinstance(values, dict):
        return str(values.get("dtype", "f"))[:1] in "fiu" and "bdata" in values
    if not isinstance(values, list) or not values:
        return False
    flat = [v for v in values if v is not None]

    def number(v: object) -> bool:
        if isinstance(v, bool):
            return False
        if isinstance(v, (int, float)):
            return True
        try:
            float(str(v))
            return True
        except ValueError:
            return False
    return bool(flat) and all(number(v) for v in flat)


def _numeric_axes(fig: dict) -> set[str]:
    """Layout keys (xaxis, yaxis2, ...) of the cartesian axes that carry numbers."""
    layout, found, typed = fig.get("layout") or {}, set(), {}
    for key, axis in layout.items():
        if re.fullmatch(r"[xy]axis\d*", key) and isinstance(axis, dict):
            typed[key] = axis.get("type", "-")
            if typed[key] in ("linear", "log"):
                found.add(key)
    for trace in fig.get("data") or []:
        if trace.get("type", "scatter") in NOT_CARTESIAN:
            continue
        for dim, other in (("x", "y"), ("y", "x")):
            key = dim + "axis" + str(trace.get(dim + "axis", dim))[1:]
            implicit = dim not in trace and other in trace  # an index, or a histogram's counts
            if typed.get(key, "-") == "-" and (implicit or _numeric(trace.get(dim))):
                found.add(key)
    return found


def _legend_states(fig: dict) -> list[list[int]]:
    """Indices of the traces shown together: initially, and at each slider step or menu button."""
    data = fig.get("data") or []
    states = [[i for i, t in enumerate(data) if t.get("visible", True) is not False]]
    layout = fig.get("layout") or {}
    steps = [s for slider in layout.get("sliders") or [] for s in slider.get("steps") or []]
    steps += [b for menu in layout.get("updatemenus") or [] for b in menu.get("buttons") or []]
    for step in steps:
        args = step.get("args") or []
        visible = args[0].get("visible") if args and isinstance(args[0], dict) else None
        if isinstance(visible, list) and len(visible) == len(data):
            states.append([i for i, v in enumerate(visible) if v is not False])
    return states


def figure_problems(fig: dict) -> list[str]:
    """What a reader misses in one figure: its title, a numeric axis's title, distinct legend names."""
    layout = fig.get("layout") or {}
    data = fig.get("data") or []
    name = _text(layout.get("title")) or "untitled figure"
    problems = [] if _text(layout.get("title")) else ["no title"]
    for key in sorted(_numeric_axes(fig)):
        axis = layout.get(key) or {}
        if axis.get("visible") is False or axis.get("showticklabels") is False:
            continue
        if not _text(axis.get("title")):
            problems.append(f"numeric axis {key} has no title")
    if layout.get("showlegend") is not False:
        for state in _legend_states(fig):
            names = [str(data[i].get("name")) for i in state
                     if data[i].get("showlegend") is not False and data[i].get("name") not in (None, "")]
            dup = sorted({n for n in names if names.count(n) > 1})
            if dup and (layout.get("showlegend") or len(state) > 1):
                problems.append(f"legend entries share a name: {dup}")
    return [f"{name!r}: {p}" for p in dict.fromkeys(problems)]


def figure_defects(html: str) -> list[str]:
    return [p for fig in plotly_figures(html) for p in figure_problems(fig)]


# ----------------------------------------------------------------------------- (c) what we found, hints
def missing_what_we_found(html: str) -> bool:
    """True when the page has no h2 section (or h2) with id ``what-we-found``."""
    for level, _, section in sections(parse(html)):
        if level == 2 and (section.attrs.get("id") == "what-we-found"
                           or _heading(section).attrs.get("id") == "what-we-found"):
            return False
    return True


EXERCISES = {"exercises", "exercise", "演習", "練習問題"}
NOT_EXERCISES = {"references", "reference", "参考文献", "further reading"}
HINT = re.compile(r"^\s*(hint|ヒント)", re.IGNORECASE)


def _is_hint(node: Node) -> bool:
    if node.tag == "details":
        summary = next((c for c in node.children if isinstance(c, Node) and c.tag == "summary"), None)
        return summary is not None and bool(HINT.match(summary.text()))
    if {"admonition", "dropdown"} <= node.classes:
        title = next((n for n in node.iter() if "admonition-title" in n.classes), None)
        return title is not None and bool(HINT.match(title.text()))
    return False


def _exercise_items(section: Node) -> Iterator[tuple[str, Node]]:
    """('exercise', li) and ('hint', node) in document order inside `section`, for a list of exercises."""
    for node in section.iter():
        if _is_hint(node):
            yield "hint", node
        elif node.tag == "li" and node.parent is not None and node.parent.tag == "ol":
            inner = list(node.ancestors())
            inner = inner[:inner.index(section)]
            if not any(a.tag in ("li", "details") or {"admonition"} & a.classes or "cell" in a.classes
                       for a in inner):
                yield "exercise", node


def exercises_without_hint(html: str) -> list[str]:
    """The exercises (first 60 characters) with no collapsible hint after them and before the next one."""
    missing = []
    for level, title, section in sections(parse(html)):
        if level != 2 or title.lower() not in EXERCISES:
            continue
        subs = [(t, s) for lv, t, s in sections(section) if lv == 3 and t.lower() not in NOT_EXERCISES]
        if subs:
            missing += [t for t, s in subs if not any(_is_hint(n) for n in s.iter())]
            continue
        current, hinted = None, True
        for kind, node in _exercise_items(section):
            if kind == "exercise":
                if not hinted:
                    missing.append(current)
                current, hinted = node.words(lambda n: n.tag == "details" or "admonition" in n.classes)[:60], False
            else:
                hinted = True
        if not hinted:
            missing.append(current)
    return missing


# ----------------------------------------------------------------------------- (d) smoke in summary tables
SUMMARY = re.compile(r"summary|要約|まとめ|サマリー", re.IGNORECASE)
SMOKE = re.compile(r"\bsmoke\b|スモーク", re.IGNORECASE)
SMOKE_LABEL = re.compile(r"\bsmoke check\b|スモーク", re.IGNORECASE)  # views.display.smoke_note / smoke_title


def _section_titles(node: Node) -> list[str]:
    return [_title(h) for a in node.ancestors() if a.tag == "section" and (h := _heading(a)) is not None]


def smoke_in_summary_tables(html: str) -> list[str]:
    """Summary tables (by caption or section title) that show smoke-profile numbers: what says smoke."""
    found = []
    for table in (n for n in parse(html).iter() if n.tag == "table"):
        caption = next((c for c in table.iter() if c.tag == "caption"), None)
        cap = caption.text() if caption else ""
        if not (SUMMARY.search(cap) or any(SUMMARY.search(t) for t in _section_titles(table))):
            continue
        texts = [(SMOKE, t) for t in [cap] + [tr.words() for tr in table.iter() if tr.tag == "tr"]]
        output = next((a for a in table.ancestors() if "cell_output" in a.classes), None)
        if output is not None:  # what the same code cell shows beside the table: a smoke label, not a timing line
            texts.append((SMOKE_LABEL, output.words(lambda n, t=table: n is t)))
        found += [t[max(0, m.start() - 40):m.end() + 80] for rule, t in texts if (m := rule.search(t))]
    return found
