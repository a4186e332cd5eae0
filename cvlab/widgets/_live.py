"""The machinery every explorer shares: one persistent figure, redrawn in place.

A slider change updates the artists of a matplotlib ``Figure`` (Agg, no
pyplot), renders it to PNG bytes and puts them in an ``ipywidgets.Image``.
This is several times faster than building a new figure per change, works
the same in JupyterLab, Notebook 7, VS Code and Voila, and keeps the last
picture in the saved widget state.

Two details make an explorer behave in every front end. Where its live view
cannot be drawn (a notebook not yet run or not trusted, a front end without
the widget extension), its plain-text form is ``EXPLORER_NOTE``, not the
``VBox(children=...)`` repr. And Notebook 7 matches its keyboard shortcuts
before a focused control sees the key (Lumino's keydown listener runs in the
capture phase there; JupyterLab starts it in the bubbling phase), so ←/→
would move the cell cursor instead of the slider: ``KEYBOARD_SCRIPT`` marks
the explorer with Lumino's ``data-lm-suppress-shortcuts`` for the keys its
controls use.
"""

import io

import ipywidgets as widgets
import matplotlib
import matplotlib.image
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from ..plot import LECTURE_RC

#: Shown instead of an explorer wherever its live view cannot be drawn, and as the
#: stored output of explorer cells (``scripts/run_notebooks.py``).
EXPLORER_NOTE = "▶ 运行此单元即可启动交互探索器（Run this cell to start the interactive explorer.）"

#: DOM class of every explorer's outer box; ``KEYBOARD_SCRIPT`` looks for it.
EXPLORER_CLASS = "cvlab-explorer"

# Keys a focused slider, dropdown or checkbox handles itself (pressed without Ctrl, Alt or Meta),
# as a JavaScript array literal.
_CONTROL_KEYS = '["ArrowLeft", "ArrowRight", "ArrowUp", "ArrowDown", "Home", "End", "PageUp", "PageDown"]'

#: Run once per page (every explorer carries it in a hidden Output widget). Lumino skips
#: its shortcuts for a key event whose target carries ``data-lm-suppress-shortcuts``;
#: the mark must be on the focused control itself, because the notebook's selectors end
#: in ``:focus`` and match it before any ancestor is looked at. The listener is on
#: ``window`` in the capture phase, so it runs before Lumino's on ``document``.
KEYBOARD_SCRIPT = f"""\
if (!window.cvlabExplorerKeys) {{
  window.cvlabExplorerKeys = true;
  const keys = new Set({_CONTROL_KEYS});
  window.addEventListener("keydown", (event) => {{
    const control = event.target;
    if (control instanceof Element && control.closest(".{EXPLORER_CLASS}")) {{
      const own = keys.has(event.key) && !event.ctrlKey && !event.altKey && !event.metaKey;
      control.toggleAttribute("data-lm-suppress-shortcuts", own);
    }}
  }}, true);
}}
"""

#: rcParams a LiveFigure captures at construction and applies on every redraw,
#: so an explorer built inside ``with cvlab.plot.lecture_style():`` keeps it.
#: The lecture style's keys, except the dpi, which a LiveFigure fixes when it is built.
STYLE_KEYS = tuple(key for key in LECTURE_RC if key != "figure.dpi")


class LiveFigure:
    """A figure whose artists the caller updates, shown as a PNG widget.

    Parameters
    ----------
    nrows, ncols : int
        Grid of axes, available as ``self.axes`` (always 2-D).
    size : tuple of float
        Figure size in inches.
    dpi : int
        Pixels per inch of the PNG; 80 keeps a redraw well under 100 ms.
    """

    def __init__(self, nrows=1, ncols=1, size=(9.0, 3.6), dpi=80, **subplot_kw):
        self.figure = Figure(figsize=size, dpi=dpi)
        FigureCanvasAgg(self.figure)
        self.axes = self.figure.subplots(nrows, ncols, squeeze=False, **subplot_kw)
        self.widget = widgets.Image(format="png", layout=widgets.Layout(max_width="100%"))
        self._style = {key: matplotlib.rcParams[key] for key in STYLE_KEYS}
        self._changing = []
        self._background = None

    def style(self):
        """Context manager applying the rcParams captured at construction."""
        return matplotlib.rc_context(self._style)

    def animate(self, *artists):
        """Declare the only artists that updates change; the rest is drawn once.

        After the first render, a render restores the saved picture of everything
        else (axes, ticks, colour bars, fixed images) and draws just these artists
        on it (blitting), which saves most of a redraw in explorers whose axes and
        labels stay put.
        """
        for artist in artists:
            artist.set_animated(True)
            self._changing.append(artist)
        self._background = None

    def render(self):
        """Draw the figure and publish it to the image widget."""
        buffer = io.BytesIO()
        canvas = self.figure.canvas
        with self.style():
            if not self._changing:
                # Light compression: encoding at the default level costs a third of a redraw.
                canvas.print_png(buffer, pil_kwargs={"compress_level": 1})
            else:
                if self._background is None:
                    canvas.draw()  # skips the animated artists
                    self._background = canvas.copy_from_bbox(self.figure.bbox)
                else:
                    canvas.restore_region(self._background)
                for artist in self._changing:
                    self.figure.draw_artist(artist)
                matplotlib.image.imsave(buffer, canvas.buffer_rgba(), format="png", origin="upper",
                                        pil_kwargs={"compress_level": 1})
        self.widget.value = buffer.getvalue()


class ExplorerBox(widgets.VBox):
    """An explorer's outer box: a VBox whose plain-text form is ``EXPLORER_NOTE``."""

    def _repr_mimebundle_(self, **kwargs):
        bundle = super()._repr_mimebundle_(**kwargs)
        bundle["text/plain"] = EXPLORER_NOTE
        return bundle


def _keyboard_support():
    """A hidden Output widget holding ``KEYBOARD_SCRIPT`` (widget output areas are trusted)."""
    script = {"output_type": "display_data", "metadata": {}, "data": {"application/javascript": KEYBOARD_SCRIPT}}
    return widgets.Output(outputs=(script,), layout=widgets.Layout(display="none"))


def explorer(controls, live, update, title=None):
    """Wire ``controls`` to ``update`` and return the explorer's container.

    ``update()`` reads the controls, changes ``live``'s artists and returns;
    rendering follows in the same observer call, so the display is up to
    date as soon as a control's value is set.
    """

    def on_change(_change=None):
        update()
        live.render()

    for control in controls:
        control.observe(on_change, names="value")
    update()  # first, so the layout makes room for the titles and labels it sets
    with live.style():
        live.figure.tight_layout()
    live.render()
    header = [widgets.HTML(f"<b>{title}</b>")] if title else []
    row = widgets.HBox(controls, layout=widgets.Layout(flex_flow="row wrap"))
    return ExplorerBox(header + [row, live.widget, _keyboard_support()], _dom_classes=(EXPLORER_CLASS,))


def slider(description, value, minimum, maximum, step=1):
    """An int or float slider that shows its full description."""
    integral = all(isinstance(v, int) for v in (value, minimum, maximum, step))
    kind = widgets.IntSlider if integral else widgets.FloatSlider
    return kind(
        value=value, min=minimum, max=maximum, step=step, description=description,
        style={"description_width": "initial"}, layout=widgets.Layout(width="300px"),
    )
