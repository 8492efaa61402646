"""The sections of the app on their keys, one line above the footer, the current one
marked: F2 ครุภัณฑ์ │ F3 ทะเบียนยืม │ F4 คำขอของฉัน │ F5 รออนุมัติ (3) │ … (only the keys of
the others when the terminal is too narrow for every name)."""

from __future__ import annotations

from rich.style import Style
from rich.text import Text
from textual.widget import Widget


class SectionBar(Widget):
    """Keeps each section's key in the same place on every screen, so F-keys are learnt
    once; the screen's own keys stay in the footer below. The app gives the sections
    (``offered_sections()``: mode, key shown, label, tooltip, is current) and says when the
    number of requests waiting for approval changes (``approvals_waiting``)."""

    COMPONENT_CLASSES = {"section-bar--key", "section-bar--label", "section-bar--current",
                         "section-bar--separator"}

    DEFAULT_CSS = """
    SectionBar {
        height: 1;
        background: $panel;
        color: $text-muted;
        .section-bar--key { color: $footer-key-foreground; text-style: bold; }
        .section-bar--label { color: $text; }
        .section-bar--current { background: $primary; color: $text; text-style: bold; }
        .section-bar--separator { color: $text-muted; }
    }
    """

    def on_mount(self) -> None:
        if hasattr(self.app, "approvals_waiting"):
            self.watch(self.app, "approvals_waiting", lambda _count: self.refresh(), init=False)

    def render(self) -> Text:
        app = self.app
        sections = app.offered_sections() if hasattr(app, "offered_sections") else []
        key_style = self.get_component_rich_style("section-bar--key")
        label_style = self.get_component_rich_style("section-bar--label")
        current_style = self.get_component_rich_style("section-bar--current")
        separator = self.get_component_rich_style("section-bar--separator")
        def bar(labels: bool) -> Text:
            text = Text(no_wrap=True, overflow="ellipsis")
            for n, (_mode, key, label, _tip, current) in enumerate(sections):
                if n:
                    text.append("│", separator)
                text.append(f" {key} ", key_style + Style(bgcolor=current_style.bgcolor) if current
                            else key_style)
                if labels or current:
                    text.append(f"{label} ", current_style if current else label_style)
                elif label.endswith(")") and " (" in label:  # a count, such as requests waiting
                    text.append(f"{label[label.rindex(' (') + 1:]} ", label_style)
            return text

        # In a narrow terminal only the current section keeps its name (and the others their
        # counts); F1 and the command palette name the others.
        full = bar(labels=True)
        return full if full.cell_len <= self.size.width else bar(labels=False)
