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
