"""Unit tests of landscape.plotting."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

import landscape as ls  # noqa: E402


def test_style_sets_line_width_and_palette():
    ls.plotting.use_book_style()
    assert matplotlib.rcParams["lines.linewidth"] == 2
    cycle = [c["color"] for c in matplotlib.rcParams["axes.prop_cycle"]]
    assert cycle[:3] == [ls.plotting.PALETTE[k] for k in ("blue", "orange", "green")]


def test_index_labels_and_styles():
    assert ls.plotting.index_label(0, 3) == "minimum"
    assert ls.plotting.index_label(2, 3) == "maximum"
    assert ls.plotting.index_label(1, 3) == "saddle (index 1)"
    assert ls.plotting.index_style(0) != ls.plotting.index_style(1)
    with pytest.raises(ValueError, match="k must be in"):
        ls.plotting.index_label(3, 3)
    with pytest.raises(ValueError, match="k"):
        ls.plotting.index_style(-1)


def test_sphere_grid_and_lat_lon_round_trip():
    lat, lon, xyz = ls.plotting.sphere_grid(11, 21, radius=2.0)
    np.testing.assert_allclose(np.linalg.norm(xyz, axis=-1), 2.0)
    la, lo = ls.plotting.to_lat_lon(xyz[1:-1])  # exclude the poles, where longitude is arbitrary
    np.testing.assert_allclose(la, lat[1:-1], atol=1e-12)
    np.testing.assert_allclose(np.cos(lo), np.cos(lon[1:-1]), atol=1e-12)
    with pytest.raises(ValueError, match="last axis"):
        ls.plotting.to_lat_lon(np.ones((2, 2)))
    with pytest.raises(ValueError, match="n_lat"):
        ls.plotting.sphere_grid(1, 10)


def test_draw_sphere_and_legend():
    _, _, xyz = ls.plotting.sphere_grid(10, 20)
    fig = plt.figure()
    ax = fig.add_subplot(projection="3d")
    mappable = ls.plotting.draw_sphere(ax, xyz, xyz[..., 2])
    assert mappable.norm.vmax == pytest.approx(1.0, abs=1e-9)
    ls.plotting.legend_for_indices(ax, [0, 1, 1, 2], 3)
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["minimum", "saddle (index 1)", "maximum"]
    with pytest.raises(ValueError, match="values must have shape"):
        ls.plotting.draw_sphere(ax, xyz, xyz[..., 2][:-1])
    plt.close(fig)


def _png_width(data: bytes) -> int:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return int.from_bytes(data[16:20], "big")


def test_saved_figures_have_twice_the_display_resolution():
    import io

    ls.plotting.use_book_style()
    fig, ax = plt.subplots()
    ax.plot([0, 1], [0, 1])
    buffer = io.BytesIO()
    with matplotlib.rc_context({"savefig.bbox": "standard"}):  # the whole canvas, not its tight bounding box
        fig.savefig(buffer, format="png")
    display_px = fig.get_size_inches()[0] * matplotlib.rcParams["figure.dpi"]
    plt.close(fig)
    assert _png_width(buffer.getvalue()) == pytest.approx(2 * display_px, abs=1)


_INLINE_CHECK = """
import base64
import matplotlib
matplotlib.use("module://matplotlib_inline.backend_inline")
from IPython.core.interactiveshell import InteractiveShell
shell = InteractiveShell.instance()
import matplotlib.pyplot as plt
import landscape as ls
ls.plotting.use_book_style()
fig, ax = plt.subplots()
ax.plot([0, 1], [0, 1])
data, metadata = shell.display_formatter.format(fig)
png = base64.b64decode(data["image/png"])
print(int.from_bytes(png[16:20], "big"), metadata["image/png"]["width"])
"""


def test_notebook_figures_are_retina_pngs_with_their_display_size():
    # a fresh interpreter with an IPython shell, as a Jupyter kernel has: the inline figure is a PNG with twice
    # the pixels of the width it is displayed at (which the output's metadata carries)
    import os
    import subprocess
    import sys

    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path), "MPLBACKEND": ""}
    out = subprocess.run([sys.executable, "-c", _INLINE_CHECK], capture_output=True, text=True, timeout=300,
                         env=env)
    assert out.returncode == 0, out.stderr[-2000:]
    pixels, displayed = map(int, out.stdout.split()[-2:])
    assert displayed > 300
    assert pixels >= 2 * displayed - 1
