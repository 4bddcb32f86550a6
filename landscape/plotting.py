r"""One figure style for the whole book, and drawing helpers for fields on the ordinary sphere.

The palette is Okabe & Ito's colour-blind-safe set (*Color Universal Design*, 2008). Theory is drawn with lines,
simulation with markers and error bars, on the same axes; no titles inside plots; lowercase axis labels.

Argument checks (types, ranges, finiteness, shapes; sizes against :func:`landscape.max_bytes`) run on concrete
values. Under ``jax.jit``/``jax.vmap`` the arguments are tracers and only shapes are checked: call a function
once on concrete inputs before transforming it (the package docstring: errors and limits).
"""

from __future__ import annotations

from typing import Sequence

import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np

from . import _validate

__all__ = ["use_book_style", "index_style", "index_label", "sphere_grid", "to_lat_lon", "draw_sphere",
           "legend_for_indices", "PALETTE", "FIELD_CMAP", "DISPLAY_DPI", "PIXEL_DENSITY"]

#: Okabe–Ito colours, in the order the book uses them.
PALETTE: dict[str, str] = {
    "blue": "#0072B2",
    "orange": "#E69F00",
    "green": "#009E73",
    "vermillion": "#D55E00",
    "sky": "#56B4E9",
    "purple": "#CC79A7",
    "yellow": "#F0E442",
    "black": "#000000",
}

#: Marker colour and shape by Morse index on :math:`S^2` (and beyond: indices >= 3 reuse the cycle).
_INDEX_STYLE = [("blue", "o"), ("orange", "s"), ("vermillion", "^"), ("green", "D"), ("purple", "v")]

#: Diverging colour map for field values (blue low, red high); perceptually uniform and colour-blind safe.
FIELD_CMAP = "RdBu_r"


#: Resolution of the book's figures in pixels per inch of their displayed size.
DISPLAY_DPI = 110
#: Oversampling factor of saved and notebook figures over :data:`DISPLAY_DPI` (2: sharp on high-density screens).
PIXEL_DENSITY = 2


def use_book_style() -> None:
    """Set matplotlib's rcParams to the book style, with figures at twice their displayed resolution.

    Sizes, line width 2, the palette cycle and no top/right spines. Figures are drawn at ``DISPLAY_DPI`` and saved
    (``savefig``) at ``PIXEL_DENSITY`` times that. Inside IPython/Jupyter with the inline backend, figures are
    shown as "retina" PNGs: ``PIXEL_DENSITY`` times as many pixels as their displayed size (the output carries
    the displayed width and height), so a figure keeps its size on the page and is sharp on hi-dpi screens.
    Elsewhere (a script, a test) only the rcParams change.

    Returns
    -------
    None
    """
    mpl.rcParams.update({
        "figure.figsize": (6.4, 4.0),
        "figure.dpi": DISPLAY_DPI,
        "savefig.dpi": PIXEL_DENSITY * DISPLAY_DPI,
        "savefig.bbox": "tight",
        "font.size": 11,
        "axes.labelsize": 11,
        "axes.titlesize": 11,
        "axes.spines.top": False,
        "axes.spines.right": False,
        "axes.prop_cycle": mpl.cycler(color=list(PALETTE.values())),
        "lines.linewidth": 2,
        "lines.markersize": 5,
        "errorbar.capsize": 2,
        "legend.frameon": False,
        "image.cmap": FIELD_CMAP,
    })
    _use_retina_inline_figures()


def _use_retina_inline_figures() -> bool:
    """Show figures as retina PNGs under IPython's inline backend; True if a shell was configured."""
    try:
        from IPython import get_ipython
        from IPython.core.pylabtools import select_figure_formats
        from matplotlib_inline.config import InlineBackend
    except ImportError:  # plain Python without IPython: nothing to configure
        return False
    shell = get_ipython()
    if shell is None or getattr(shell, "display_formatter", None) is None:
        return False
    config = InlineBackend.instance(parent=shell)
    # kept in the backend's configuration, so that re-activating the inline backend keeps retina figures
    config.figure_formats = {"retina"}
    select_figure_formats(shell, {"retina"}, **config.print_figure_kwargs)
    return True


def index_style(k: int) -> dict[str, str]:
    """Matplotlib keyword arguments (``color``, ``marker``) for critical points of Morse index ``k``."""
    k = _validate.integer("k", k, minimum=0)
    colour, marker = _INDEX_STYLE[k % len(_INDEX_STYLE)]
    return {"color": PALETTE[colour], "marker": marker}


def index_label(k: int, n: int) -> str:
    """A name for index ``k`` on :math:`S^{n-1}`: 'minimum', 'maximum' (k = n-1) or 'saddle (index k)'."""
    k = _validate.integer("k", k, minimum=0)
    n = _validate.integer("n", n, minimum=2)
    if k > n - 1:
        raise ValueError(f"k must be in [0, n-1] = [0, {n - 1}], got {k}")
    if k == 0:
        return "minimum"
    if k == n - 1:
        return "maximum"
    return f"saddle (index {k})"


def sphere_grid(n_lat: int = 90, n_lon: int = 180, radius: float = 1.0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    r"""A latitude–longitude grid on the sphere of the given radius in :math:`\mathbb{R}^3`.

    Returns ``(lat, lon, xyz)`` with ``lat`` in :math:`[-\pi/2,\pi/2]`, ``lon`` in :math:`[-\pi,\pi]` (both of shape
    ``(n_lat, n_lon)``) and ``xyz`` of shape ``(n_lat, n_lon, 3)``.
    """
    n_lat = _validate.integer("n_lat", n_lat, minimum=2)
    n_lon = _validate.integer("n_lon", n_lon, minimum=3)
    radius = _validate.real("radius", radius, minimum=0.0, strict_minimum=True)
    _validate.allocation(f"n_lat * n_lon = {n_lat} * {n_lon} grid points", 8 * 8 * n_lat * n_lon)
    lat, lon = np.meshgrid(np.linspace(-np.pi / 2, np.pi / 2, n_lat), np.linspace(-np.pi, np.pi, n_lon),
                           indexing="ij")
    xyz = radius * np.stack([np.cos(lat) * np.cos(lon), np.cos(lat) * np.sin(lon), np.sin(lat)], axis=-1)
    return lat, lon, xyz


def to_lat_lon(points: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Latitude and longitude (radians) of points of :math:`\\mathbb{R}^3 \\setminus \\{0\\}`, shape ``(..., 3)``."""
    _validate.finite_array("points", points)
    points = np.asarray(points, dtype=float)
    if points.ndim == 0 or points.shape[-1] != 3:
        raise ValueError(f"points must have a last axis of length 3, got shape {points.shape}")
    r = np.linalg.norm(points, axis=-1)
    if np.any(r == 0):
        raise ValueError("points must be non-zero")
    return np.arcsin(np.clip(points[..., 2] / r, -1, 1)), np.arctan2(points[..., 1], points[..., 0])


def draw_sphere(ax, xyz: np.ndarray, values: np.ndarray, vmax: float | None = None,
                alpha: float = 1.0) -> mpl.cm.ScalarMappable:
    """Draw a field on a 3-d axis as a coloured unit sphere; ``xyz`` and ``values`` from :func:`sphere_grid`.

    Returns the ``ScalarMappable`` for a colour bar.
    """
    xyz = np.asarray(xyz)
    values = np.asarray(values)
    if xyz.shape[:-1] != values.shape:
        raise ValueError(f"values must have shape {xyz.shape[:-1]} to match xyz, got {values.shape}")
    vmax = float(np.max(np.abs(values))) if vmax is None else vmax
    norm = mpl.colors.Normalize(-vmax, vmax)
    cmap = plt.get_cmap(FIELD_CMAP)
    unit = xyz / np.linalg.norm(xyz, axis=-1, keepdims=True)
    ax.plot_surface(*np.moveaxis(unit, -1, 0), facecolors=cmap(norm(values)), rstride=1, cstride=1,
                    linewidth=0, antialiased=False, shade=False, alpha=alpha)
    ax.set_box_aspect((1, 1, 1))
    ax.set_axis_off()
    return mpl.cm.ScalarMappable(norm=norm, cmap=cmap)


def legend_for_indices(ax, indices: Sequence[int], n: int, **kwargs) -> None:
    """A legend with one marker per Morse index present, named by :func:`index_label`."""
    handles = [mpl.lines.Line2D([], [], linestyle="none", markeredgecolor="k", label=index_label(int(k), n),
                                **index_style(int(k))) for k in sorted(set(int(i) for i in indices))]
    ax.legend(handles=handles, **kwargs)
