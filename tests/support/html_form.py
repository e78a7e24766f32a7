"""What a browser would submit from a page's form: every named input, textarea and select
with its current value (checkboxes only when checked, disabled controls never)."""

from html.parser import HTMLParser


class _FormParser(HTMLParser):
    def __init__(self):
        super().__init__()
        self.forms, self.inside = [], False
        self.data, self._textarea, self._select = [], None, None
        self._first_option = {}

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and (attrs.get("method") or "").lower() == "post":
            self.inside, self.data, self._first_option = True, [], {}
            self.forms.append(self.data)
            return
        if not self.inside or "disabled" in attrs:
            return
        name = attrs.get("name")
        if tag == "input" and name:
            kind = attrs.get("type", "text")
            if kind in {"checkbox", "radio"} and "checked" not in attrs:
                return
            if kind in {"submit", "button", "file"}:
                return
            self.data.append((name, attrs.get("value", "on" if kind == "checkbox" else "")))
        elif tag == "textarea" and name:
            self._textarea = [name, ""]
        elif tag == "select" and name:
            self._select = name
        elif tag == "option" and self._select:
            value = attrs.get("value", "")
            self._first_option.setdefault(self._select, value)
            if "selected" in attrs:
                self.data.append((self._select, value))
                self._first_option[self._select] = None

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea[1] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False
        elif tag == "textarea" and self._textarea is not None:
            self.data.append(tuple(self._textarea))
            self._textarea = None
        elif tag == "select" and self._select:
            first = self._first_option.get(self._select)
            if first is not None:  # nothing selected: the browser sends the first option
                self.data.append((self._select, first))
            self._select = None


def form_data(html, containing):
    """{name: value} (a list for a repeated name) of the page's POST form that has a field
    named `containing`."""
    parser = _FormParser()
    parser.feed(html)
    for pairs in parser.forms:
        result = {}
        for name, value in pairs:
            if name in result:
                result[name] = ([*result[name]] if isinstance(result[name], list)
                                else [result[name]]) + [value]
            else:
                result[name] = value
        if containing in result:
            return result
    raise AssertionError(f"No POST form with a field {containing!r} on the page.")
