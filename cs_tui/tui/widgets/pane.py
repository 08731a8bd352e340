"""The main screen's bordered panes, whose borders change without repainting the panes."""

from __future__ import annotations

from textual.color import Color
from textual.containers import Vertical
from textual.geometry import Region

EDGES = ("border_top", "border_right", "border_bottom", "border_left")


class Pane(Vertical):
    """A bordered column of the main screen. Textual repaints a widget and all inside it
    when its border or border texts change; a pane repaints only the edges that did:
    the whole queue or conversation would otherwise be drawn and sent again."""

    def light(self, colour: str) -> None:
        """The border in `colour`: the main screen lights the pane holding the focus."""
        kind, current = self.styles.border_top
        new = Color.parse(colour)
        if new == current:
            return
        for edge in EDGES:
            self.styles.set_rule(edge, (kind, new))
        width, height = self.outer_size
        self._repaint(
            Region(0, 0, width, 1),
            Region(0, height - 1, width, 1),
            Region(0, 0, 1, height),
            Region(width - 1, 0, 1, height),
        )

    def show_subtitle(self, subtitle: str) -> None:
        """A new border subtitle, repainting only the bottom border."""
        if subtitle == self.border_subtitle:
            return
        # What Textual's own descriptor stores, without its refresh of the whole pane.
        self._border_subtitle = self.render_str(subtitle).expand_tabs(4).split()[0]
        width, height = self.outer_size
        self._repaint(Region(0, height - 1, width, 1))

    def _repaint(self, *edges: Region) -> None:
        """Repaint `edges`, given from the pane's outer top left corner."""
        if not self.outer_size:  # not laid out yet: all of it is painted when it is
            self.refresh()
            return
        offset = self.content_offset
        self.refresh(*(edge.translate(-offset) for edge in edges))
