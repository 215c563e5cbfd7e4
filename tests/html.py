"""Reading HTML the way a browser builds it, to assert what elements and attributes exist."""

from html.parser import HTMLParser


class Elements(HTMLParser):
    """Every element and its attributes that a browser would build from some HTML."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.found: list[tuple[str, dict]] = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        self.found.append((tag, dict(attrs)))


def assert_inert(html: str, *, allowed_scripts: int = 0) -> None:
    """No script element (beyond the page's own), event handler, or javascript:/data: link."""
    scripts = 0
    for tag, attrs in Elements(html).found:
        if tag == "script":
            scripts += 1
            assert attrs.get("src", "").startswith("/static/"), attrs
        assert tag not in {"img", "iframe", "object", "embed"}
        assert not [name for name in attrs if name.startswith("on")], (tag, attrs)
        for name in ("href", "src", "action"):
            value = (attrs.get(name) or "").strip().lower()
            assert not value.startswith(("javascript:", "data:", "vbscript:")), (tag, attrs)
    assert scripts <= allowed_scripts


VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}


class _ClassText(HTMLParser):
    """The text inside each element that carries one class, in document order."""

    def __init__(self, html: str, css_class: str) -> None:
        super().__init__()
        self.css_class, self.texts, self.open = css_class, [], []  # open: depth per match
        self.depth = 0
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        if tag in VOID:
            return
        self.depth += 1
        if self.css_class in (dict(attrs).get("class") or "").split():
            self.texts.append("")
            self.open.append((len(self.texts) - 1, self.depth))

    def handle_endtag(self, tag):
        if tag in VOID:
            return
        if self.open and self.open[-1][1] == self.depth:
            self.open.pop()
        self.depth -= 1

    def handle_data(self, data):
        for index, _ in self.open:
            self.texts[index] += data


def text_of(html: str, selector: str) -> list[str]:
    """The whitespace-collapsed text of every element matching a ``.class`` selector."""
    assert selector.startswith("."), "only class selectors"
    return [" ".join(text.split()) for text in _ClassText(html, selector[1:]).texts]
