r"""Random matrices: the Gaussian orthogonal ensemble, the semicircle law and its transforms, and spikes.

Conventions (the book's): ``GOE(n)`` is :math:`W = (G + G^\top)/\sqrt{2n}` with :math:`G_{ij}` i.i.d.
:math:`\mathcal N(0, 1)`, so :math:`\mathbb E W_{ij}^2 = (1 + \delta_{ij})/n`, and its spectrum converges to the
semicircle law :math:`\rho(x) = \sqrt{4 - x^2}/(2\pi)` on :math:`[-2, 2]`.

Sources:

* G. W. Anderson, A. Guionnet and O. Zeitouni, *An Introduction to Random Matrices*, Cambridge University
  Press (2010): semicircle law, Catalan numbers, pairings and Wick's formula (Sec. 2.1), Stieltjes
  transform (Sec. 2.4).
* I. P. Goulden and D. M. Jackson, Maps in locally orientable surfaces and integrals over real symmetric
  matrices, Canad. J. Math. 49 (1997) 865, and M. Ledoux, A recursion formula for the moments of the
  Gaussian orthogonal ensemble, Ann. IHP Probab. Stat. 45 (2009) 754: the GOE genus expansion.
* A. Auffinger, G. Ben Arous and J. Černý, Random matrices and complexity of spin glasses, CPAM 66 (2013)
  165: the logarithmic potential :math:`\Omega` of the semicircle.
* J. Baik, G. Ben Arous and S. Péché, Ann. Probab. 33 (2005) 1643, D. Féral and S. Péché, Comm. Math. Phys.
  272 (2007) 185, and F. Benaych-Georges and R. R. Nadakuditi, Adv. Math. 227 (2011) 494: the BBP transition
  of a rank-one spike.
* J. Harer and D. Zagier, Invent. Math. 85 (1986) 457: the genus of a pairing (orientable gluings).
* C. A. Tracy and H. Widom, Comm. Math. Phys. 177 (1996) 727; T. Sasamoto, J. Phys. A 38 (2005) L549;
  P. L. Ferrari and H. Spohn, J. Phys. A 38 (2005) L557; F. Bornemann, Markov Process. Related Fields 16 (2010)
  803: the GOE Tracy–Widom law ``F_1`` as a Fredholm determinant, its numerical evaluation and its moments.

Exact combinatorics (Catalan numbers, pairings, finite-``n`` moments) use Python integers and
:class:`fractions.Fraction`; the Tracy–Widom distribution is a Fredholm determinant of the Airy function,
evaluated with NumPy/SciPy at concrete points (JAX has no Airy function, and it is never needed inside
``jit``); everything else is vectorised ``jax.numpy`` in float64.

Argument checks (types, ranges, finiteness, shapes; sizes against :func:`landscape.max_bytes`) run on concrete
values. Under ``jax.jit``/``jax.vmap`` the arguments are tracers and only shapes are checked: call a function
once on concrete inputs before transforming it (the package docstring: errors and limits).
"""

from __future__ import annotations

import functools
import itertools
import math
from fractions import Fraction
from typing import Any, NamedTuple

import jax
import jax.numpy as jnp
import numpy as np

from numpy.polynomial.legendre import leggauss
from scipy.special import airy

from ._validate import allocation, finite_array, integer, is_traced, prng_key, real

__all__ = [
    "sample_goe",
    "semicircle_density",
    "semicircle_cdf",
    "semicircle_moment",
    "catalan",
    "pair_partitions",
    "is_noncrossing",
    "noncrossing_pair_partitions",
    "semicircle_log_potential",
    "stieltjes_transform",
    "bbp_outlier",
    "bbp_overlap",
    "empirical_moment",
    "finite_n_goe_moment",
    "goe_genus_expansion",
    "pairing_genus",
    "pairing_gluings",
    "sample_wigner",
    "wigner_fourth_moment",
    "semicircle_kolmogorov_distance",
    "sample_spiked_goe",
    "tracy_widom_goe_cdf",
    "tracy_widom_goe_pdf",
    "TRACY_WIDOM_GOE_MEAN",
    "TRACY_WIDOM_GOE_VARIANCE",
    "MAX_PAIRING_SIZE",
    "MAX_EXACT_MOMENT_ORDER",
    "MAX_CATALAN_INDEX",
    "MAX_GOE_DENSITY_SIZE",
    "WIGNER_ENTRIES",
]

MAX_PAIRING_SIZE = 16
"""Largest ``m`` accepted by :func:`pair_partitions` (15!! = 2 027 025 pairings)."""

MAX_EXACT_MOMENT_ORDER = 12
"""Largest order ``k`` accepted by :func:`finite_n_goe_moment` (11!! · 2⁶ = 665 280 gluings)."""

MAX_CATALAN_INDEX = 100_000
r"""Largest ``k`` accepted by :func:`catalan` (and ``2 * MAX_CATALAN_INDEX + 1`` by :func:`semicircle_moment`):
:math:`C_{10^5}` has 60 203 digits and takes about half a second; the time of the exact big-integer computation
grows faster than :math:`k^{1.5}` (a minute for :math:`k = 10^6`), and any float conversion overflows beyond
:math:`k \approx 510` already."""

MAX_GOE_DENSITY_SIZE = 1_000_000
"""Largest ``n`` accepted by :func:`finite_n_goe_density`: the Hermite recurrence takes ``n`` vectorised steps,
about ten seconds for :math:`n = 10^6` on a 100-point grid."""

#: Peak working memory of the GOE/Wigner samplers in units of the output (the Gaussians drawn in chunks, their
#: concatenation, and the symmetrised result).
_SAMPLER_COPIES = 3

Pairing = tuple[tuple[int, int], ...]

TRACY_WIDOM_GOE_MEAN = -1.2065335745820
"""Mean of the GOE Tracy–Widom law :math:`F_1` (Bornemann 2010, table of moments)."""

TRACY_WIDOM_GOE_VARIANCE = 1.607781034581
"""Variance of the GOE Tracy–Widom law :math:`F_1` (Bornemann 2010, table of moments)."""


def _real_array(name: str, x: Any) -> jax.Array:
    """``x`` as a float64 array after checking it is real, numeric and (when concrete) finite."""
    finite_array(name, x)
    x = jnp.asarray(x)
    if not (jnp.issubdtype(x.dtype, jnp.integer) or jnp.issubdtype(x.dtype, jnp.floating)):
        raise TypeError(f"{name} must be a real numeric array, got dtype {x.dtype}")
    return x.astype(jnp.float64)


def _nonnegative_array(name: str, x: Any) -> jax.Array:
    x = _real_array(name, x)
    if not is_traced(x) and bool(jnp.any(x < 0)):
        raise ValueError(f"{name} must be >= 0 (every entry), got minimum {float(jnp.min(x))}")
    return x


# ----------------------------------------------------------------------------------------------- sampling


_CHUNK = 1 << 16


@jax.jit
def _normal_chunk(key: jax.Array, index: jax.Array) -> jax.Array:
    return jax.random.normal(jax.random.fold_in(key, index), (_CHUNK,), dtype=jnp.float64)


def _normals(key: jax.Array, shape: tuple[int, ...]) -> jax.Array:
    """I.i.d. standard Gaussians of the given shape.

    Drawn in chunks of fixed length from ``fold_in(key, i)``, then concatenated, cut and reshaped: compiling a
    Gaussian sampler takes about half a second on a CPU, and one compiled chunk serves every shape.
    """
    total = math.prod(shape)
    chunks = [_normal_chunk(key, i) for i in range(-(-total // _CHUNK))]
    flat = chunks[0] if len(chunks) == 1 else jnp.concatenate(chunks)
    return flat[:total].reshape(shape)


def _standard_normal(key: jax.Array, n: int, shape: tuple[int, ...]) -> jax.Array:
    return _normals(key, shape + (n, n))


@jax.jit
def _symmetrise(g: jax.Array) -> jax.Array:
    return (g + jnp.swapaxes(g, -1, -2)) / jnp.sqrt(2.0 * g.shape[-1])


def _matrix_batch(function: str, n: Any, num: Any) -> tuple[int, tuple[int, ...]]:
    """Validate ``n`` and ``num`` of a matrix sampler and refuse a batch that would not fit in memory."""
    n = integer("n", n, minimum=1)
    shape = () if num is None else (integer("num", num, minimum=1),)
    count = f"num = {shape[0]} matrices" if shape else "one matrix"
    allocation(f"{function} with n = {n} ({count} of n x n float64)", _SAMPLER_COPIES * 8.0 * math.prod(shape) * n * n)
    return n, shape


def sample_goe(key: jax.Array, n: int, num: int | None = None) -> jax.Array:
    r"""Sample from the Gaussian orthogonal ensemble in the book's normalisation.

    .. math:: W = \frac{G + G^\top}{\sqrt{2n}}, \qquad G_{ij} \overset{\text{iid}}{\sim} \mathcal N(0,1),
        \qquad \mathbb E\, W_{ij}^2 = \frac{1 + \delta_{ij}}{n},

    so that the empirical spectral measure converges to the semicircle on :math:`[-2, 2]`
    (Anderson, Guionnet & Zeitouni 2010, Sec. 2.1).

    Args:
        key: JAX PRNG key (``jax.random.key(seed)``).
        n: matrix size, an integer ``>= 1``.
        num: if given (integer ``>= 1``), draw that many independent matrices.

    Returns:
        float64 array of shape ``(n, n)``, or ``(num, n, n)`` when ``num`` is given, exactly symmetric
        (inside an enclosing ``jit`` XLA may fuse the two steps, leaving :math:`W - W^\top` at rounding level).
    """
    prng_key("key", key)
    n, shape = _matrix_batch("sample_goe", n, num)
    # Two compiled steps: fused into one kernel, XLA may evaluate the Gaussian transform of the same random
    # bits at (i, j) and (j, i) with different rounding (vector vs scalar code), breaking exact symmetry.
    return _symmetrise(_standard_normal(key, n, shape))


WIGNER_ENTRIES = ("gaussian", "rademacher")
"""Entry laws accepted by :func:`sample_wigner` (both with mean 0 and variance 1)."""


@functools.partial(jax.jit, static_argnums=1)
def _wigner_from_entries(x: jax.Array, signs: bool) -> jax.Array:
    n = x.shape[-1]
    if signs:  # the sign of a standard Gaussian is a fair random sign
        x = jnp.where(x >= 0, 1.0, -1.0)
    upper = jnp.triu(x, 1)
    diagonal = jnp.diagonal(x, axis1=-2, axis2=-1)
    return ((upper + jnp.swapaxes(upper, -1, -2)) / jnp.sqrt(n)
            + jnp.sqrt(2.0 / n) * diagonal[..., :, None] * jnp.eye(n, dtype=x.dtype))


def sample_wigner(key: jax.Array, n: int, entries: str = "gaussian", num: int | None = None) -> jax.Array:
    r"""Sample a real Wigner matrix with the GOE's variance profile and a chosen entry law.

    .. math:: W_{ij} = W_{ji} = \frac{x_{ij}}{\sqrt n}\ (i < j), \qquad W_{ii} = \sqrt{\frac2n}\, x_{ii},

    with :math:`x_{ij}` (:math:`i \le j`) i.i.d., mean 0, variance 1: standard Gaussian (``"gaussian"``; then
    :math:`W` has exactly the law of :func:`sample_goe`) or uniform on :math:`\{-1, +1\}` (``"rademacher"``).
    Every such matrix has :math:`\mathbb E W_{ij}^2 = (1 + \delta_{ij})/n`, hence the same semicircle limit
    (Wigner 1958; Anderson, Guionnet & Zeitouni 2010, Thm. 2.1.1); finite-``n`` moments feel the fourth moment
    of the entries (:func:`wigner_fourth_moment`). The random signs are the signs of the Gaussians that the same
    ``key`` gives, so use independent keys for independent matrices.

    Args:
        key: JAX PRNG key.
        n: matrix size, an integer ``>= 1``.
        entries: ``"gaussian"`` or ``"rademacher"``.
        num: if given (integer ``>= 1``), draw that many independent matrices.

    Returns:
        float64 array of shape ``(n, n)`` or ``(num, n, n)``, exactly symmetric.
    """
    prng_key("key", key)
    n, shape = _matrix_batch("sample_wigner", n, num)
    if not isinstance(entries, str):
        raise TypeError(f"entries must be a string, one of {WIGNER_ENTRIES}, got {entries!r}")
    if entries not in WIGNER_ENTRIES:
        raise ValueError(f"entries must be one of {WIGNER_ENTRIES}, got {entries!r}")
    # Two compiled steps, as in sample_goe: the entries are materialised once before being mirrored.
    # Random signs are the signs of Gaussians, which shares the compiled sampler with sample_goe.
    return _wigner_from_entries(_standard_normal(key, n, shape), entries == "rademacher")


@jax.jit
def _add_spike(w: jax.Array, g: jax.Array, theta: jax.Array) -> tuple[jax.Array, jax.Array]:
    v = g / jnp.linalg.norm(g, axis=-1, keepdims=True)
    return w + theta * v[..., :, None] * v[..., None, :], v


def sample_spiked_goe(key: jax.Array, n: int, theta: float, num: int | None = None) -> tuple[jax.Array, jax.Array]:
    r"""Sample the rank-one spiked GOE :math:`M = W + \theta\, v v^\top`, with its spike :math:`v`.

    :math:`W` is :func:`sample_goe` with the first half of ``jax.random.split(key)`` and :math:`v` is uniform on
    the unit sphere of :math:`\mathbb R^n`, drawn with the second half, independently of :math:`W`. The same
    ``key`` with another ``theta`` gives the same :math:`W` and :math:`v` (common random numbers), so a sweep
    over :math:`\theta` is smooth. Top eigenvalue and overlap limits: :func:`bbp_outlier`, :func:`bbp_overlap`
    (Baik, Ben Arous & Péché 2005; Féral & Péché 2007; Benaych-Georges & Nadakuditi 2011).

    Args:
        key: JAX PRNG key.
        n: matrix size, an integer ``>= 1``.
        theta: spike strength, a real number ``>= 0``.
        num: if given (integer ``>= 1``), draw that many independent pairs.

    Returns:
        ``(M, v)``: float64 arrays of shapes ``(n, n)`` and ``(n,)``, or ``(num, n, n)`` and ``(num, n)``.
    """
    prng_key("key", key)
    n, shape = _matrix_batch("sample_spiked_goe", n, num)
    theta = real("theta", theta, minimum=0.0)
    key_w, key_v = jax.random.split(key)
    w = sample_goe(key_w, n, num)
    return _add_spike(w, _normals(key_v, shape + (n,)), jnp.float64(theta))


# ---------------------------------------------------------------------------------------- semicircle law


@jax.jit
def _semicircle_density(x: jax.Array) -> jax.Array:
    inside = jnp.abs(x) < 2.0
    safe = jnp.where(inside, 4.0 - x**2, 1.0)
    return jnp.where(inside, jnp.sqrt(safe) / (2.0 * jnp.pi), 0.0)


def semicircle_density(x: Any) -> jax.Array:
    r"""Density of the semicircle law, :math:`\rho(x) = \frac{1}{2\pi}\sqrt{4 - x^2}\,\mathbf 1_{|x| \le 2}`.

    Vectorised over any real array; ``0`` outside the support, and NaN-free under ``jax.grad``
    (Anderson, Guionnet & Zeitouni 2010, Sec. 2.1).
    """
    return _semicircle_density(_real_array("x", x))


@jax.jit
def _semicircle_cdf(x: jax.Array) -> jax.Array:
    inside = jnp.abs(x) < 2.0
    y = jnp.where(inside, x, 0.0)
    f = 0.5 + y * jnp.sqrt(4.0 - y**2) / (4.0 * jnp.pi) + jnp.arcsin(y / 2.0) / jnp.pi
    return jnp.where(inside, jnp.clip(f, 0.0, 1.0), jnp.where(x < 0, 0.0, 1.0))


def semicircle_cdf(x: Any) -> jax.Array:
    r"""Distribution function of the semicircle law,

    .. math:: F(x) = \frac12 + \frac{x\sqrt{4 - x^2}}{4\pi} + \frac{1}{\pi}\arcsin\frac{x}{2}
        \quad (|x| \le 2), \qquad F = 0 \ (x < -2), \quad F = 1 \ (x > 2).

    Vectorised over any real array and NaN-free under ``jax.grad``; :math:`F' = \rho`.
    """
    return _semicircle_cdf(_real_array("x", x))


def catalan(k: int) -> int:
    r"""The Catalan number :math:`C_k = \binom{2k}{k}/(k+1)`, exactly, for an integer ``k >= 0``.

    :math:`C_k` counts non-crossing pair partitions of :math:`2k` points
    (Anderson, Guionnet & Zeitouni 2010, Sec. 2.1). ``k <= MAX_CATALAN_INDEX`` (100 000): beyond, the exact
    big integer takes too long to compute.
    """
    k = integer("k", k, minimum=0, maximum=MAX_CATALAN_INDEX)
    return math.comb(2 * k, k) // (k + 1)


def semicircle_moment(k: int) -> int:
    r"""Exact moment :math:`\int x^k \rho(x)\,dx`: :math:`C_{k/2}` for even ``k``, ``0`` for odd ``k``.

    ``k`` is an integer in ``[0, 2 * MAX_CATALAN_INDEX + 1]`` (Anderson, Guionnet & Zeitouni 2010, Sec. 2.1).
    """
    k = integer("k", k, minimum=0, maximum=2 * MAX_CATALAN_INDEX + 1)
    return 0 if k % 2 else catalan(k // 2)


@jax.jit
def _kolmogorov(eigenvalues: jax.Array, center: jax.Array, radius: jax.Array) -> jax.Array:
    x = jnp.sort(eigenvalues, axis=-1)
    m = x.shape[-1]
    f = _semicircle_cdf(2.0 * (x - center) / radius)
    i = jnp.arange(1, m + 1, dtype=jnp.float64)
    return jnp.maximum(jnp.max(i / m - f, axis=-1), jnp.max(f - (i - 1) / m, axis=-1))


def semicircle_kolmogorov_distance(eigenvalues: Any, center: float = 0.0, radius: float = 2.0) -> jax.Array:
    r"""Kolmogorov distance between an empirical spectrum and a semicircle law,

    .. math:: D = \sup_x \big| F_{\mathrm{emp}}(x) - F\big(2(x - c)/R\big) \big|, \qquad
        F_{\mathrm{emp}}(x) = \frac1m \#\{i : \lambda_i \le x\},

    with :math:`F` the semicircle distribution function (:func:`semicircle_cdf`), here rescaled to the
    semicircle of centre :math:`c` and radius :math:`R` (default: the book's :math:`[-2, 2]`). The supremum is
    attained at a sample point, :math:`D = \max_i \max(i/m - F_i, F_i - (i-1)/m)` over the sorted sample.

    Args:
        eigenvalues: real array of shape ``(..., m)``, ``m >= 1``; one distance per row (flatten a stack of
            spectra first to pool them).
        center: centre ``c`` of the semicircle, a real number.
        radius: radius ``R > 0`` of the semicircle.

    Returns:
        float64 array of shape ``(...)`` with values in ``[0, 1]``.
    """
    eigenvalues = _real_array("eigenvalues", eigenvalues)
    if eigenvalues.ndim == 0 or eigenvalues.shape[-1] == 0:
        raise ValueError(f"eigenvalues must have a non-empty last axis, got shape {eigenvalues.shape}")
    center = real("center", center)
    radius = real("radius", radius, minimum=0.0, strict_minimum=True)
    return _kolmogorov(eigenvalues, jnp.float64(center), jnp.float64(radius))


# ---------------------------------------------------------------------------------------------- pairings


def _pairing_size(m: Any) -> int:
    m = integer("m", m, minimum=0)
    if m % 2:
        raise ValueError(f"m must be a non-negative even integer, got {m}")
    if m > MAX_PAIRING_SIZE:
        raise ValueError(f"m must be <= {MAX_PAIRING_SIZE}: enumerating the (m-1)!! pair partitions of "
                         f"m = {m} points is too large")
    return m


def pair_partitions(m: int) -> list[Pairing]:
    r"""All pair partitions (perfect matchings) of :math:`\{0, \dots, m-1\}`.

    Each pairing is a tuple of pairs ``(i, j)`` with ``i < j``, sorted by ``i``; the list is in
    lexicographic order and has :math:`(m-1)!! = m!/(2^{m/2}(m/2)!)` elements (``[()]`` for ``m = 0``).
    These index the terms of Wick's formula :math:`\mathbb E \prod_{a=1}^m g_a = \sum_\pi \prod_{(i,j)\in\pi}
    \mathbb E g_i g_j` (Anderson, Guionnet & Zeitouni 2010, Sec. 2.1).

    Args:
        m: a non-negative even integer, at most ``MAX_PAIRING_SIZE`` (16).
    """
    m = _pairing_size(m)
    pairs = {(i, j): (i, j) for i in range(m) for j in range(i + 1, m)}  # shared tuples keep big lists small

    def match(points: tuple[int, ...]) -> list[Pairing]:
        if not points:
            return [()]
        first, rest = points[0], points[1:]
        return [(pairs[first, partner],) + tail
                for idx, partner in enumerate(rest)
                for tail in match(rest[:idx] + rest[idx + 1:])]

    return match(tuple(range(m)))


def _partners(pairing: Any) -> dict[int, int]:
    """``{point: partner}`` of a perfect matching of ``{0, ..., m-1}``, after checking that it is one."""
    try:
        pairs = [tuple(p) for p in pairing]
    except TypeError:
        raise TypeError(f"pairing must be a sequence of pairs of integers, got {pairing!r}") from None
    partner: dict[int, int] = {}
    for p in pairs:
        if len(p) != 2:
            raise ValueError(f"pairing must consist of pairs (i, j), got element {p!r}")
        i, j = (integer("pairing entry", v, minimum=0) for v in p)
        if i == j or i in partner or j in partner:
            raise ValueError(f"pairing must use each point once, but {p!r} repeats a point")
        partner[i], partner[j] = j, i
    if set(partner) != set(range(len(partner))):
        raise ValueError(f"pairing must cover {{0, ..., m-1}} exactly, got points {sorted(partner)}")
    return partner


def is_noncrossing(pairing: Pairing) -> bool:
    r"""Whether a perfect matching of :math:`\{0, \dots, m-1\}` is non-crossing.

    Two pairs :math:`(a, b)` and :math:`(c, d)` with :math:`a < b`, :math:`c < d` cross when
    :math:`a < c < b < d` (Anderson, Guionnet & Zeitouni 2010, Sec. 2.1).

    Args:
        pairing: a sequence of pairs of integers covering :math:`\{0, \dots, m-1\}` exactly once.
    """
    partner = _partners(pairing)
    stack: list[int] = []
    for point in range(len(partner)):
        if partner[point] > point:
            stack.append(point)
        elif stack.pop() != partner[point]:
            return False
    return True


def noncrossing_pair_partitions(m: int) -> list[Pairing]:
    r"""All non-crossing pair partitions of :math:`\{0, \dots, m-1\}`, in lexicographic order.

    There are :math:`C_{m/2}` of them; they are the pairings that survive in the large-``n`` limit of
    :math:`\mathbb E \frac1n \mathrm{Tr}\, W^m` (Anderson, Guionnet & Zeitouni 2010, Sec. 2.1).

    Args:
        m: a non-negative even integer, at most ``MAX_PAIRING_SIZE`` (16).
    """
    m = _pairing_size(m)

    @functools.cache
    def match(lo: int, hi: int) -> list[Pairing]:  # non-crossing pairings of lo, ..., hi - 1
        if lo == hi:
            return [()]
        return [((lo, j),) + inner + outer
                for j in range(lo + 1, hi, 2)
                for inner in match(lo + 1, j)
                for outer in match(j + 1, hi)]

    return match(0, m)


def _checked_pairing(pairing: Any) -> tuple[int, Pairing]:
    """``(m, pairs)`` for a perfect matching of ``{0, ..., m-1}`` with at most ``MAX_PAIRING_SIZE`` points."""
    partner = _partners(pairing)
    m = len(partner)
    if m > MAX_PAIRING_SIZE:
        raise ValueError(f"pairing must have at most {MAX_PAIRING_SIZE} points, got {m}")
    return m, tuple((i, j) for i, j in sorted(partner.items()) if i < j)


def pairing_genus(pairing: Pairing) -> int:
    r"""Genus of the orientable surface obtained by gluing the edges of a :math:`2k`-gon along a pairing.

    Write :math:`\mathrm{Tr}\, W^{2k} = \sum_{i} W_{i_1 i_2} W_{i_2 i_3} \cdots W_{i_{2k} i_1}`: factor ``a`` is the
    edge :math:`(i_a, i_{a+1})` of a :math:`2k`-gon. Pairing factors ``a`` and ``b`` *straight* (as for a GUE,
    :math:`\mathbb E W_{ij} W_{kl} \propto \delta_{il}\delta_{jk}`) identifies :math:`i_a = i_{b+1}` and
    :math:`i_{a+1} = i_b`, which glues edge ``a`` to edge ``b`` with opposite orientations. The result is an
    orientable surface with :math:`V` vertices (classes of indices), :math:`k` edges and one face, so Euler's
    formula :math:`V - k + 1 = 2 - 2g` gives its genus ``g``, and the pairing contributes :math:`n^{V - k - 1} =
    n^{-2g}` to :math:`\mathbb E \frac1n \mathrm{Tr}\, W^{2k}` for the GUE. ``g = 0`` exactly for non-crossing
    pairings; the number of pairings of genus ``g`` is the Harer–Zagier number :math:`\varepsilon_g(k)`
    (Harer & Zagier 1986; Anderson, Guionnet & Zeitouni 2010, Sec. 1.2 and 2.1).

    Args:
        pairing: a perfect matching of :math:`\{0, \dots, 2k-1\}` (pairs of integers), :math:`2k \le 16`.
    """
    m, pairs = _checked_pairing(pairing)
    if m == 0:
        return 0
    vertices = _index_classes(m, pairs, (False,) * len(pairs))
    return (m // 2 + 1 - vertices) // 2


def pairing_gluings(pairing: Pairing) -> tuple[int, ...]:
    r"""The contribution of one pairing to the GOE moment :math:`\mathbb E \frac1n \mathrm{Tr}\, W^{2k}`.

    For the GOE, :math:`\mathbb E W_{ij}W_{kl} = (\delta_{ik}\delta_{jl} + \delta_{il}\delta_{jk})/n`: each pair
    of factors is glued either straight (as for the GUE, see :func:`pairing_genus`) or *twisted*
    (:math:`i_a = i_b`, :math:`i_{a+1} = i_{b+1}`, a Möbius gluing). The :math:`2^k` choices give surfaces with
    :math:`V` vertices, each contributing :math:`n^{V - k - 1} = n^{-\gamma}`, :math:`\gamma = k + 1 - V` the Euler
    genus (:math:`2g` if orientable, odd or even if not). Returns ``c`` with ``c[γ]`` the number of choices of
    Euler genus :math:`\gamma`, :math:`\gamma = 0, \dots, k`, so that the pairing contributes
    :math:`\sum_\gamma c_\gamma n^{-\gamma}` and :math:`\sum_\pi` of these is :func:`finite_n_goe_moment`
    (Goulden & Jackson 1997; Ledoux 2009). ``sum(c) == 2**k``.

    Args:
        pairing: a perfect matching of :math:`\{0, \dots, 2k-1\}` (pairs of integers), :math:`2k \le 16`.
    """
    m, pairs = _checked_pairing(pairing)
    k = m // 2
    counts = [0] * (k + 1)
    if m == 0:
        return (1,)
    for twists in itertools.product((False, True), repeat=k):
        counts[k + 1 - _index_classes(m, pairs, twists)] += 1
    return tuple(counts)


# ------------------------------------------------------------------------------------ analytic transforms


@jax.jit
def _log_potential(x: jax.Array) -> jax.Array:
    outside = jnp.abs(x) > 2.0
    xi = jnp.where(outside, 0.0, x)
    xo = jnp.where(outside, jnp.abs(x), 4.0)
    r = jnp.sqrt(1.0 - 4.0 / xo**2)  # sqrt(x^2 - 4)/|x|, in (0, 1)
    # x^2/4 - |x| sqrt(x^2-4)/4 = 1/(1+r) (no cancellation), and (|x| + sqrt(x^2-4))/2 = |x| (1+r)/2
    outer = 1.0 / (1.0 + r) - 0.5 + jnp.log(xo) + jnp.log1p(r) - jnp.log(2.0)
    return jnp.where(outside, outer, xi**2 / 4.0 - 0.5)


def semicircle_log_potential(x: Any) -> jax.Array:
    r"""Logarithmic potential of the semicircle, :math:`\Omega(x) = \int \log|\lambda - x|\,\rho(\lambda)\,d\lambda`:

    .. math:: \Omega(x) = \begin{cases} \dfrac{x^2}{4} - \dfrac12, & |x| \le 2, \\[1ex]
        \dfrac{x^2}{4} - \dfrac12 - \dfrac{|x|}{4}\sqrt{x^2 - 4}
        + \log\dfrac{|x| + \sqrt{x^2 - 4}}{2}, & |x| > 2. \end{cases}

    :math:`\Omega` is even and :math:`C^1` with :math:`\Omega'(x) = \operatorname{Re} G(x)` (``G`` the Stieltjes
    transform); :math:`\Omega(x) \sim \log|x|` at infinity. The outer branch is evaluated in the
    cancellation-free form :math:`\frac{1}{1+r} - \frac12 + \log\frac{|x|(1+r)}{2}`,
    :math:`r = \sqrt{1 - 4/x^2}`, so it is accurate and finite for all real ``x``, also under ``jax.grad``.
    Source: Auffinger, Ben Arous & Černý, CPAM 66 (2013) 165 (their function :math:`\Omega`).
    """
    return _log_potential(_real_array("x", x))


@jax.jit
def _stieltjes(z: jax.Array) -> jax.Array:
    return 2.0 / (z + jnp.sqrt(z - 2.0) * jnp.sqrt(z + 2.0))


def stieltjes_transform(z: Any) -> jax.Array:
    r"""Stieltjes transform of the semicircle law,

    .. math:: G(z) = \int \frac{\rho(\lambda)}{z - \lambda}\,d\lambda = \frac{z - \sqrt{z-2}\sqrt{z+2}}{2}
        = \frac{2}{z + \sqrt{z-2}\sqrt{z+2}},

    with principal square roots, which is the branch analytic off :math:`[-2, 2]` with :math:`G(z) \sim 1/z`
    at infinity and :math:`\operatorname{Im} G(z) < 0` for :math:`\operatorname{Im} z > 0`; it solves
    :math:`G^2 - zG + 1 = 0` (Anderson, Guionnet & Zeitouni 2010, Sec. 2.4). The second form is used: it
    is free of cancellation for large :math:`|z|`.

    Args:
        z: complex (or real) array, off the segment :math:`[-2, 2]`; a concrete value on the segment raises
            ``ValueError`` (under tracing it is not checked and the value there is a boundary value).

    Returns:
        complex128 array.
    """
    finite_array("z", z)
    z = jnp.asarray(z)
    if not jnp.issubdtype(z.dtype, jnp.number):
        raise TypeError(f"z must be a numeric array, got dtype {z.dtype}")
    z = z.astype(jnp.complex128)
    if not is_traced(z):
        on_cut = (np.asarray(z.imag) == 0) & (np.abs(np.asarray(z.real)) <= 2)
        if on_cut.any():
            raise ValueError(f"z must lie off the real segment [-2, 2] (the support of the semicircle), "
                             f"got {np.asarray(z)[on_cut].ravel()[0]}")
    return _stieltjes(z)


# ---------------------------------------------------------------------------------------------- spikes


@jax.jit
def _bbp_outlier(theta: jax.Array) -> jax.Array:
    safe = jnp.where(theta > 1.0, theta, 2.0)
    return jnp.where(theta > 1.0, safe + 1.0 / safe, 2.0)


def bbp_outlier(theta: Any) -> jax.Array:
    r"""Limit of the top eigenvalue of :math:`W + \theta vv^\top` (:math:`W \sim \mathrm{GOE}(n)`, :math:`|v| = 1`):

    .. math:: \lambda_{\max} \to \begin{cases} \theta + 1/\theta, & \theta > 1, \\ 2, & 0 \le \theta \le 1.
        \end{cases}

    Vectorised over ``theta >= 0`` (Baik, Ben Arous & Péché 2005; Benaych-Georges & Nadakuditi 2011,
    Wigner example).
    """
    return _bbp_outlier(_nonnegative_array("theta", theta))


@jax.jit
def _bbp_overlap(theta: jax.Array) -> jax.Array:
    safe = jnp.where(theta > 1.0, theta, 2.0)
    return jnp.where(theta > 1.0, 1.0 - 1.0 / safe**2, 0.0)


def bbp_overlap(theta: Any) -> jax.Array:
    r"""Limit of the squared overlap :math:`\langle u_{\max}, v\rangle^2` of the top eigenvector of
    :math:`W + \theta vv^\top` with the spike :math:`v`:

    .. math:: \langle u_{\max}, v\rangle^2 \to \begin{cases} 1 - \theta^{-2}, & \theta > 1, \\ 0,
        & 0 \le \theta \le 1. \end{cases}

    Vectorised over ``theta >= 0`` (Benaych-Georges & Nadakuditi 2011, eigenvector theorem and Wigner example).
    """
    return _bbp_overlap(_nonnegative_array("theta", theta))


# ----------------------------------------------------------------------------------------------- moments


def empirical_moment(eigenvalues: Any, k: int) -> jax.Array:
    r"""Empirical spectral moment :math:`\frac1n \sum_{i=1}^n \lambda_i^k` over the last axis.

    Args:
        eigenvalues: real array of shape ``(..., n)`` with ``n >= 1``.
        k: an integer ``>= 0``.

    Returns:
        float64 array of shape ``(...)``. A moment that overflows float64 (a large ``k`` with some
        :math:`|\lambda_i| > 1`) raises ``ValueError`` instead of returning infinity (checked on concrete input).
    """
    k = integer("k", k, minimum=0)
    eigenvalues = _real_array("eigenvalues", eigenvalues)
    if eigenvalues.ndim == 0 or eigenvalues.shape[-1] == 0:
        raise ValueError(f"eigenvalues must have a non-empty last axis, got shape {eigenvalues.shape}")
    moment = jnp.mean(eigenvalues**k, axis=-1)
    if not is_traced(moment) and not bool(jnp.all(jnp.isfinite(moment))):
        raise ValueError(f"the moment of order k = {k} overflows float64 for these eigenvalues (largest |eigenvalue| "
                         f"{float(jnp.max(jnp.abs(eigenvalues))):.6g}); lower k or rescale the eigenvalues")
    return moment


def _index_classes(k: int, pairing: Pairing, twists: tuple[bool, ...]) -> int:
    """Number of classes of the indices ``i_1..i_k`` of ``Tr W^k`` identified by a pairing with twists."""
    parent = list(range(k))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for (a, b), twisted in zip(pairing, twists):
        a1, b1 = (a + 1) % k, (b + 1) % k
        for i, j in ((a, b), (a1, b1)) if twisted else ((a, b1), (a1, b)):  # untwisted: orientable, as GUE
            parent[find(i)] = find(j)
    return sum(find(i) == i for i in range(k))


@functools.cache
def _goe_vertex_counts(k: int) -> tuple[int, ...]:
    """``counts[v]``: number of gluings (pairing and twists) of ``Tr W^k``, ``k`` even, with ``v`` index classes."""
    counts = [0] * (k // 2 + 2)
    for pairing in pair_partitions(k):
        for twists in itertools.product((False, True), repeat=k // 2):
            counts[_index_classes(k, pairing, twists)] += 1
    return tuple(counts)


def finite_n_goe_moment(n: int, k: int) -> Fraction:
    r"""Exact :math:`\mathbb E\,\frac1n \mathrm{Tr}\, W^k` for :math:`W \sim \mathrm{GOE}(n)` at finite ``n``.

    By Wick's formula with :math:`\mathbb E W_{ij} W_{kl} = (\delta_{ik}\delta_{jl} + \delta_{il}\delta_{jk})/n`,
    each pairing of the ``k`` factors of :math:`\mathrm{Tr}\, W^k = \sum_{i} W_{i_1 i_2} \cdots W_{i_k i_1}`
    and each choice, per pair, of the straight or the twisted (Möbius) gluing contributes
    :math:`n^{V}`, ``V`` the number of vertices of the glued (possibly non-orientable) surface, i.e. of
    classes of identified indices:

    .. math:: \mathbb E\,\frac1n \mathrm{Tr}\, W^{k} = \sum_{\pi,\ \epsilon \in \{\pm\}^{k/2}}
        n^{V(\pi, \epsilon) - k/2 - 1} = \sum_{\gamma \ge 0} a_{k,\gamma}\, n^{-\gamma},

    where :math:`\gamma = k/2 + 1 - V` is the Euler genus of the surface (odd for some non-orientable ones)
    (Anderson, Guionnet & Zeitouni 2010, Sec. 2.1; Goulden & Jackson 1997; Ledoux 2009). Odd ``k`` gives 0,
    and :math:`a_{2p,0} = C_p` (the planar gluings). For instance

    .. math:: 1 + \tfrac1n, \quad 2 + \tfrac5n + \tfrac5{n^2}, \quad 5 + \tfrac{22}n + \tfrac{52}{n^2} +
        \tfrac{41}{n^3}, \quad 14 + \tfrac{93}n + \tfrac{374}{n^2} + \tfrac{690}{n^3} + \tfrac{509}{n^4}

    for ``k = 2, 4, 6, 8``.

    Args:
        n: matrix size, an integer ``>= 1``.
        k: order, an integer in ``[0, MAX_EXACT_MOMENT_ORDER]`` (12); the enumeration is cached per ``k``.

    Returns:
        the exact value as a :class:`fractions.Fraction` (use ``float(...)`` for a float).
    """
    n = integer("n", n, minimum=1)
    k = integer("k", k, minimum=0, maximum=MAX_EXACT_MOMENT_ORDER)
    if k % 2:
        return Fraction(0)
    if k == 0:
        return Fraction(1)
    counts = _goe_vertex_counts(k)
    return Fraction(sum(c * n**v for v, c in enumerate(counts)), n ** (k // 2 + 1))


def goe_genus_expansion(k: int) -> tuple[int, ...]:
    r"""Coefficients :math:`a_{k,\gamma}` of the exact expansion :math:`\mathbb E\,\frac1n \mathrm{Tr}\, W^{k} =
    \sum_{\gamma=0}^{k/2} a_{k,\gamma}\, n^{-\gamma}` for :math:`W \sim \mathrm{GOE}(n)`, ``k`` even.

    :math:`a_{k,\gamma}` counts the gluings (pairing and straight/twisted choice per pair, see
    :func:`pairing_gluings`) of Euler genus :math:`\gamma`; :math:`a_{2p,0} = C_p` and
    :math:`\sum_\gamma a_{2p,\gamma} = (2p-1)!!\,2^p`. For instance ``(2, 5, 5)`` for ``k = 4``
    (Goulden & Jackson 1997; Ledoux 2009; the same enumeration as :func:`finite_n_goe_moment`).

    Args:
        k: an even integer in ``[0, MAX_EXACT_MOMENT_ORDER]`` (12).
    """
    k = integer("k", k, minimum=0, maximum=MAX_EXACT_MOMENT_ORDER)
    if k % 2:
        raise ValueError(f"k must be an even integer, got {k}")
    if k == 0:
        return (1,)
    counts = _goe_vertex_counts(k)  # counts[v]: gluings with v vertices, v = 1 .. k/2 + 1
    return tuple(counts[k // 2 + 1 - gamma] for gamma in range(k // 2 + 1))


def wigner_fourth_moment(n: int, entry_fourth_moment: int | float | Fraction) -> Fraction:
    r"""Exact :math:`\mathbb E\,\frac1n \mathrm{Tr}\, W^4` for the Wigner matrices of :func:`sample_wigner`.

    With :math:`W_{ij} = x_{ij}/\sqrt n` off the diagonal and :math:`W_{ii} = \sqrt{2/n}\,x_{ii}`, the :math:`x`
    i.i.d. with :math:`\mathbb E x = 0`, :math:`\mathbb E x^2 = 1` and :math:`\mathbb E x^4 = \mu_4`, the closed
    walks :math:`i_1 i_2 i_3 i_4` with non-zero mean are: one edge walked four times (:math:`n(n-1)` walks,
    :math:`\mu_4/n^2` each), two distinct edges walked twice from a common vertex (:math:`2n(n-1)(n-2)`,
    :math:`1/n^2`), one edge twice and one loop twice (:math:`4n(n-1)`, :math:`2/n^2`), one loop four times
    (:math:`n`, :math:`4\mu_4/n^2`). Hence

    .. math:: \mathbb E\,\frac1n \mathrm{Tr}\, W^4 = 2 + \frac{\mu_4 + 2}{n} + \frac{3\mu_4 - 4}{n^2}:

    ``2 + 5/n + 5/n²`` for Gaussian entries (:math:`\mu_4 = 3`, the GOE, :func:`finite_n_goe_moment`) and
    ``2 + 3/n - 1/n²`` for Rademacher entries (:math:`\mu_4 = 1`). The limit, :math:`C_2 = 2`, is universal
    (Anderson, Guionnet & Zeitouni 2010, Sec. 2.1).

    Args:
        n: matrix size, an integer ``>= 1``.
        entry_fourth_moment: :math:`\mu_4 = \mathbb E x^4 \ge 1` (Jensen), an int, float or Fraction; a float
            is converted exactly.

    Returns:
        the exact value as a :class:`fractions.Fraction`.
    """
    n = integer("n", n, minimum=1)
    if isinstance(entry_fourth_moment, Fraction):
        mu4 = entry_fourth_moment
    else:
        mu4 = Fraction(real("entry_fourth_moment", entry_fourth_moment))
    if mu4 < 1:
        raise ValueError(f"entry_fourth_moment must be >= 1 (E x^4 >= (E x^2)^2 = 1), got {float(mu4)}")
    return 2 + (mu4 + 2) / n + (3 * mu4 - 4) / Fraction(n) ** 2


# -------------------------------------------------------------------------------------------- Tracy–Widom


_TW_CUTOFF = 16.0  # Ai(t) < 1e-19 for t > 16: the kernel is truncated there
_TW_MIN_S = 20.0  # F_1(-20) < 1e-140: below, the determinant underflows and the Airy oscillations need more nodes


def _tw_kernels(s: float, num_nodes: int) -> tuple[np.ndarray, np.ndarray]:
    """Nyström matrices of ``Ai(x + y + s)`` and its ``s``-derivative on ``[0, L]`` (Gauss–Legendre)."""
    length = max(_TW_CUTOFF - s, 2.0)  # Ai(x + y + s) < 1e-19 once x or y exceeds L
    x, w = leggauss(num_nodes)
    x, w = (x + 1.0) * length / 2.0, w * length / 2.0
    upper = np.triu_indices(num_nodes)
    ai_upper, aip_upper, _, _ = airy(x[upper[0]] + x[upper[1]] + s)  # the kernels are symmetric
    ai, aip = np.empty((num_nodes, num_nodes)), np.empty((num_nodes, num_nodes))
    ai[upper], aip[upper] = ai_upper, aip_upper
    ai.T[upper], aip.T[upper] = ai_upper, aip_upper
    scale = np.sqrt(w)[:, None] * np.sqrt(w)[None, :]
    return scale * ai, scale * aip


def _tw_checked(s: Any, num_nodes: Any) -> tuple[np.ndarray, int]:
    finite_array("s", s)
    arr = np.asarray(s)
    if not (np.issubdtype(arr.dtype, np.integer) or np.issubdtype(arr.dtype, np.floating)):
        raise TypeError(f"s must be a real numeric array, got dtype {arr.dtype}")
    arr = arr.astype(np.float64)
    if np.any(arr < -_TW_MIN_S):
        raise ValueError(f"s must be >= {-_TW_MIN_S} (where F_1 < 1e-140), got minimum {arr.min()}")
    return arr, integer("num_nodes", num_nodes, minimum=16, maximum=512)



def tracy_widom_goe_cdf(s: Any, num_nodes: int = 48) -> np.ndarray:
    r"""Distribution function :math:`F_1` of the GOE Tracy–Widom law.

    :math:`n^{2/3}(\lambda_{\max} - 2) \to F_1` for :math:`W \sim \mathrm{GOE}(n)` in the book's normalisation
    (Tracy & Widom 1996). We use the Fredholm determinant of Ferrari & Spohn (2005),

    .. math:: F_1(s) = \det\big(I - K_s\big)_{L^2(0, \infty)}, \qquad K_s(x, y) = \mathrm{Ai}(x + y + s),

    discretised by Gauss–Legendre quadrature on :math:`[0, L]` (Nyström's method, Bornemann 2010), which
    converges exponentially in ``num_nodes``; the default gives an absolute error below 1e-13 for
    :math:`-20 \le s`. Its mean and variance reproduce :data:`TRACY_WIDOM_GOE_MEAN` and
    :data:`TRACY_WIDOM_GOE_VARIANCE`. Evaluated in NumPy/SciPy (JAX has no Airy function).

    Args:
        s: real array, every entry ``>= -20``.
        num_nodes: quadrature nodes, an integer in ``[16, 512]``.

    Returns:
        float64 NumPy array of the shape of ``s``, values in ``[0, 1]``.
    """
    arr, num_nodes = _tw_checked(s, num_nodes)
    out = np.empty(arr.shape)
    for idx, value in np.ndenumerate(arr):
        k, _ = _tw_kernels(float(value), num_nodes)
        out[idx] = np.linalg.det(np.eye(num_nodes) - k)
    return np.clip(out, 0.0, 1.0)


def tracy_widom_goe_pdf(s: Any, num_nodes: int = 48) -> np.ndarray:
    r"""Density :math:`F_1'` of the GOE Tracy–Widom law (see :func:`tracy_widom_goe_cdf`).

    Jacobi's formula differentiates the Fredholm determinant exactly:

    .. math:: F_1'(s) = -F_1(s)\, \mathrm{tr}\big[(I - K_s)^{-1} \partial_s K_s\big], \qquad
        \partial_s K_s(x, y) = \mathrm{Ai}'(x + y + s),

    with the same Nyström discretisation (Bornemann 2010).

    Args:
        s: real array, every entry ``>= -20``.
        num_nodes: quadrature nodes, an integer in ``[16, 512]``.

    Returns:
        float64 NumPy array of the shape of ``s``, values ``>= 0``.
    """
    arr, num_nodes = _tw_checked(s, num_nodes)
    out = np.empty(arr.shape)
    for idx, value in np.ndenumerate(arr):
        k, dk = _tw_kernels(float(value), num_nodes)
        a = np.eye(num_nodes) - k
        out[idx] = -np.linalg.det(a) * np.trace(np.linalg.solve(a, dk))
    return np.maximum(out, 0.0)


# ------------------------------------------------------------------------------- finite-n GOE one-point density
# (appended with landscape.kac_rice, which uses the Hermite-function helpers below for the exact finite-N
# Kac–Rice formula)

from scipy.special import ndtr as _ndtr  # noqa: E402

_LOG_RESCALE = 100.0 * math.log(10.0)


def _hermite_function_steps(z: np.ndarray, m: int):
    r"""Yield :math:`\psi_0(z), \dots, \psi_{m-1}(z)`, the Hermite functions orthonormal in :math:`L^2(\mathbb R)`,

    .. math:: \psi_k(z) = (2^k k!\sqrt\pi)^{-1/2} H_k(z)\, e^{-z^2/2}, \qquad
        \psi_{k+1} = \sqrt{\tfrac{2}{k+1}}\, z\,\psi_k - \sqrt{\tfrac{k}{k+1}}\,\psi_{k-1},

    by the three-term recurrence run on rescaled values (the scale is kept as a logarithm), so that nothing
    underflows where :math:`\psi_0` does (:math:`|z| > 37`) while :math:`\psi_k` does not.
    """
    log_scale = -0.5 * z * z - 0.25 * math.log(math.pi)
    prev, cur = np.zeros_like(z), np.ones_like(z)
    yield np.exp(log_scale)
    for k in range(m - 1):
        prev, cur = cur, math.sqrt(2.0 / (k + 1)) * z * cur - math.sqrt(k / (k + 1)) * prev
        big = np.abs(cur) > 1e100
        if big.any():
            prev, cur = np.where(big, prev * 1e-100, prev), np.where(big, cur * 1e-100, cur)
            log_scale = np.where(big, log_scale + _LOG_RESCALE, log_scale)
        yield cur * np.exp(log_scale)


def _hermite_functions(z: Any, m: int) -> np.ndarray:
    """``psi[k] = ψ_k(z)`` for ``k < m`` (see :func:`_hermite_function_steps`), shape ``(m,) + z.shape``."""
    z = np.asarray(z, dtype=np.float64)
    return np.stack(list(_hermite_function_steps(z, m))) if m else np.zeros((0,) + z.shape)


_PSI0_TOTAL = math.sqrt(2.0) * math.pi**0.25  # ∫ ψ_0 = π^{-1/4} √(2π)


def _hermite_function_integrals(z: Any, psi: np.ndarray, upper: bool = False) -> np.ndarray:
    r"""``I[k] = ∫_{-∞}^z ψ_k`` (or ``∫_z^∞ ψ_k`` when ``upper``) for ``k < len(psi)``, from
    :math:`\psi_k' = \sqrt{k/2}\,\psi_{k-1} - \sqrt{(k+1)/2}\,\psi_{k+1}`, which gives the stable recurrence
    :math:`I_{k+1} = \sqrt{k/(k+1)}\, I_{k-1} \mp \sqrt{2/(k+1)}\,\psi_k`, :math:`I_0 = \sqrt2\pi^{1/4}\Phi(\pm z)`,
    :math:`I_1 = \mp\sqrt2\,\psi_0`. Each tail is computed directly, so neither loses digits to cancellation.
    """
    z = np.asarray(z, dtype=np.float64)
    m = psi.shape[0]
    sign = -1.0 if upper else 1.0
    out = np.empty_like(psi)
    out[0] = _PSI0_TOTAL * _ndtr(sign * z)
    if m > 1:
        out[1] = -sign * math.sqrt(2.0) * psi[0]
    for k in range(1, m - 1):
        out[k + 1] = math.sqrt(k / (k + 1)) * out[k - 1] - sign * math.sqrt(2.0 / (k + 1)) * psi[k]
    return out


def _hermite_function_totals(m: int) -> np.ndarray:
    r"""``T[k] = ∫ ψ_k`` for ``k < m``: zero for odd ``k``, :math:`T_{k+1} = \sqrt{k/(k+1)}\, T_{k-1}`."""
    out = np.zeros(m)
    if m:
        out[0] = _PSI0_TOTAL
    for k in range(1, m - 1):
        out[k + 1] = math.sqrt(k / (k + 1)) * out[k - 1]
    return out


def _mehta_goe_density(z: Any, n: int) -> np.ndarray:
    r"""Mean eigenvalue density, normalised to ``n``, of the GOE with joint law
    :math:`\propto \prod_{i<j}|z_i - z_j|\, e^{-\sum_i z_i^2/2}` (Mehta's normalisation):

    .. math:: \sigma_n(z) = \sum_{k=0}^{n-1}\psi_k(z)^2 + \sqrt{\tfrac n2}\,\psi_{n-1}(z)
        \Big(\int_{-\infty}^z \psi_n - \tfrac12\int_{\mathbb R}\psi_n\Big)
        + \mathbf 1_{n\ \mathrm{odd}}\, \frac{\psi_{n-1}(z)}{\int_{\mathbb R}\psi_{n-1}} .

    One pass of the Hermite recurrence; memory ``O(z.size)``.
    """
    z = np.asarray(z, dtype=np.float64)
    sum_sq = np.zeros_like(z)
    i_prev, i_cur = np.zeros_like(z), _PSI0_TOTAL * _ndtr(z)  # I_{k-1}, I_k: integrals of psi up to z
    psi_last = np.zeros_like(z)
    for k, psi_k in enumerate(_hermite_function_steps(z, n)):
        sum_sq += psi_k * psi_k
        psi_last = psi_k
        # I_{k+1} from I_{k-1} and psi_k (see _hermite_function_integrals); after the loop i_cur = I_n
        i_next = (-math.sqrt(2.0) * psi_k if k == 0
                  else math.sqrt(k / (k + 1)) * i_prev - math.sqrt(2.0 / (k + 1)) * psi_k)
        i_prev, i_cur = i_cur, i_next
    totals = _hermite_function_totals(n + 1)
    density = sum_sq + math.sqrt(n / 2.0) * psi_last * (i_cur - 0.5 * totals[n])
    if n % 2:
        density = density + psi_last / totals[n - 1]
    return density


def finite_n_goe_density(x: Any, n: int) -> np.ndarray:
    r"""Exact mean eigenvalue density of :math:`W \sim \mathrm{GOE}(n)` in the book's normalisation, at finite ``n``.

    :math:`\rho_n(x) = \mathbb E\,\frac1n\sum_i \delta(x - \lambda_i(W))`, normalised to 1. With
    :math:`W = \sqrt{2/n}\,Z` and :math:`Z` Mehta's GOE (joint eigenvalue law
    :math:`\propto \prod_{i<j}|z_i - z_j|\,e^{-\sum z_i^2/2}`), :math:`\rho_n(x) = \sqrt{n/2}\;\sigma_n(x\sqrt{n/2})/n`,
    where, with the Hermite functions :math:`\psi_k(z) = (2^k k!\sqrt\pi)^{-1/2}H_k(z)e^{-z^2/2}`,

    .. math:: \sigma_n(z) = \sum_{k=0}^{n-1}\psi_k(z)^2 + \sqrt{\tfrac n2}\,\psi_{n-1}(z)
        \int \tfrac12\operatorname{sgn}(z - t)\,\psi_n(t)\,dt
        + \mathbf 1_{n\ \mathrm{odd}}\,\frac{\psi_{n-1}(z)}{\int \psi_{n-1}(t)\,dt}

    (M. L. Mehta, *Random Matrices*, 3rd ed., Elsevier 2004, ch. 7; P. J. Forrester, *Log-Gases and Random
    Matrices*, Princeton 2010, ch. 6). The first term is the GUE-like kernel on the diagonal; the second and third
    are the corrections of the orthogonal ensemble. Its moments are :func:`finite_n_goe_moment`, and it tends to
    :func:`semicircle_density` as :math:`n \to \infty` (with :math:`O(1/n)` corrections near the edges).
    The Hermite functions are computed by their three-term recurrence with rescaling (no underflow at any
    ``x``); the cost is :math:`O(n \cdot \text{x.size})`. Evaluated in NumPy/SciPy.

    Args:
        x: real array (finite).
        n: matrix size, an integer in ``[1, MAX_GOE_DENSITY_SIZE]`` (10⁶).

    Returns:
        float64 NumPy array of the shape of ``x``, values ``>= 0`` (up to rounding).
    """
    n = integer("n", n, minimum=1, maximum=MAX_GOE_DENSITY_SIZE)
    finite_array("x", x)
    arr = np.asarray(x)
    if not (np.issubdtype(arr.dtype, np.integer) or np.issubdtype(arr.dtype, np.floating)):
        raise TypeError(f"x must be a real numeric array, got dtype {arr.dtype}")
    # about ten work arrays of x's size (the recurrence, the integrals, the sum) and the n + 1 totals
    allocation(f"finite_n_goe_density with x of size {arr.size}", 8.0 * (12 * arr.size + n + 1))
    scale = math.sqrt(n / 2.0)
    return scale * _mehta_goe_density(arr.astype(np.float64) * scale, n) / n


__all__ += ["finite_n_goe_density"]


# ------------------------------------------------------------------------------ Lanczos and spectral quadrature


class Lanczos(NamedTuple):
    r"""The tridiagonal matrix :math:`T_m` of :func:`lanczos`: diagonal ``alpha (m,)`` and off-diagonal
    ``beta (m - 1,)``."""

    alpha: jax.Array
    beta: jax.Array


class SpectralQuadrature(NamedTuple):
    r"""Output of :func:`slq`: Ritz values ``nodes (n_vectors, n_steps)`` and Gauss weights ``weights`` (each row
    sums to 1). The estimated spectral measure is
    :math:`\mu = \frac{1}{n_v}\sum_{v,j} w_{vj}\,\delta_{\lambda_{vj}}`."""

    nodes: jax.Array
    weights: jax.Array


def _as_operator(name: str, matvec: Any) -> jax.tree_util.Partial:
    if isinstance(matvec, jax.tree_util.Partial):
        return matvec
    if not callable(matvec):
        raise TypeError(f"{name} must be a callable v -> A v, got {type(matvec).__name__}")
    return jax.tree_util.Partial(matvec)


def _lanczos_core(matvec, v0, n_steps):
    dim = v0.shape[0]
    q0 = v0 / jnp.linalg.norm(v0)
    basis = jnp.zeros((n_steps + 1, dim), dtype=v0.dtype).at[0].set(q0)
    alpha = jnp.zeros(n_steps, dtype=v0.dtype)
    beta = jnp.zeros(n_steps, dtype=v0.dtype)

    def body(i, state):
        basis, alpha, beta = state
        q = basis[i]
        w = matvec(q)
        a = q @ w
        # full reorthogonalisation against every previous vector, twice ("twice is enough", Parlett)
        w = w - basis.T @ (basis @ w)
        w = w - basis.T @ (basis @ w)
        b = jnp.linalg.norm(w)
        scale = jnp.maximum(jnp.max(jnp.abs(alpha)), jnp.abs(a)) + 1.0
        ok = b > 1e-10 * scale  # breakdown: an invariant subspace was found; the rest of T decouples
        q_next = jnp.where(ok, w / jnp.where(ok, b, 1.0), 0.0)
        return basis.at[i + 1].set(q_next), alpha.at[i].set(a), beta.at[i].set(jnp.where(ok, b, 0.0))

    basis, alpha, beta = jax.lax.fori_loop(0, n_steps, body, (basis, alpha, beta))
    return alpha, beta[:-1]


_lanczos_jit = jax.jit(_lanczos_core, static_argnums=2)


def _matvec_dim(name: str, matvec: jax.tree_util.Partial, dim: int) -> None:
    try:
        out = jax.eval_shape(matvec, jax.ShapeDtypeStruct((dim,), jnp.float64))
    except Exception as err:  # noqa: BLE001 - any failure to trace means matvec and dim do not fit together
        raise ValueError(f"{name} cannot be applied to vectors of shape ({dim},) (dim = {dim}): {err}") from None
    if getattr(out, "shape", None) != (dim,):
        raise ValueError(f"{name} must map vectors of shape ({dim},) (dim = {dim}) to the same shape, "
                         f"got {getattr(out, 'shape', out)}")


def lanczos(matvec: Any, v0: Any, n_steps: int) -> Lanczos:
    r"""The Lanczos tridiagonalisation of a symmetric operator, with full reorthogonalisation.

    From :math:`q_1 = v_0/|v_0|`, the three-term recurrence
    :math:`\beta_j q_{j+1} = Aq_j - \alpha_jq_j - \beta_{j-1}q_{j-1}`, :math:`\alpha_j = q_j^\top Aq_j`, builds an
    orthonormal basis :math:`Q_m` of the Krylov space :math:`\mathcal K_m(A, v_0)` in which
    :math:`Q_m^\top A Q_m = T_m` is tridiagonal. Each new vector is orthogonalised again (twice) against all the
    previous ones, which keeps the basis orthonormal in floating point (otherwise copies of converged Ritz values,
    "ghosts", appear); the cost is ``O(m^2 dim)`` on top of ``m`` products. The extreme eigenvalues of
    :math:`T_m` converge first to those of :math:`A`. On breakdown (an invariant subspace, :math:`\beta_j = 0`) the
    remaining entries are zero. Written by hand because JAX has no Lanczos that takes a matrix-free operator.

    Parameters
    ----------
    matvec : collections.abc.Callable
        :math:`v \mapsto Av` for a symmetric :math:`A`, a JAX-traceable function of ``(dim,)`` arrays; a
        ``jax.tree_util.Partial`` (e.g. :func:`landscape.networks.hessian_operator`) compiles once for all
        operators of the same shapes.
    v0 : jax.Array
        Non-zero starting vector ``(dim,)``.
    n_steps : int
        Number of steps ``m``, ``1 <= m <= dim``.

    Returns
    -------
    Lanczos
        ``alpha (m,)``, ``beta (m - 1,)``.

    References
    ----------
    C. Lanczos, J. Res. Nat. Bur. Standards 45 (1950) 255; G. H. Golub and C. F. Van Loan, *Matrix Computations*,
    4th ed. (2013), Sec. 10.1; B. N. Parlett, *The Symmetric Eigenvalue Problem* (1998), Ch. 13.
    """
    matvec = _as_operator("matvec", matvec)
    finite_array("v0", v0)
    v0 = jnp.asarray(v0, dtype=jnp.float64)
    if v0.ndim != 1 or v0.size == 0:
        raise ValueError(f"v0 must be a non-empty 1-d array, got shape {v0.shape}")
    if not is_traced(v0) and float(jnp.linalg.norm(v0)) == 0.0:
        raise ValueError("v0 must be non-zero")
    dim = int(v0.shape[0])
    n_steps = integer("n_steps", n_steps, minimum=1, maximum=dim)
    allocation(f"n_steps = {n_steps} Lanczos vectors of dimension {dim}", 8.0 * (n_steps + 1) * dim * 2)
    _matvec_dim("matvec", matvec, dim)
    return Lanczos(*_lanczos_jit(matvec, v0, n_steps))


def _ritz(alpha, beta):
    t = jnp.diag(alpha) + jnp.diag(beta, 1) + jnp.diag(beta, -1)
    nodes, vecs = jnp.linalg.eigh(t)
    return nodes, vecs[0] ** 2


@functools.partial(jax.jit, static_argnums=(2, 3, 4))
def _slq(key, matvec, dim, n_steps, n_vectors):
    signs = jax.random.rademacher(key, (n_vectors, dim), dtype=jnp.float64)
    alpha, beta = jax.vmap(lambda v: _lanczos_core(matvec, v, n_steps))(signs)
    return jax.vmap(_ritz)(alpha, beta)


def slq(key: jax.Array, matvec: Any, dim: int, n_steps: int, n_vectors: int) -> SpectralQuadrature:
    r"""Stochastic Lanczos quadrature: the spectral measure :math:`\mu_A = \frac1n\sum_i\delta_{\lambda_i(A)}` of a
    symmetric operator from matrix–vector products only.

    For each of ``n_vectors`` Rademacher vectors :math:`v` (entries :math:`\pm1`), :func:`lanczos` with
    :math:`m` steps from :math:`v` gives :math:`T_m = U\,\mathrm{diag}(\theta_j)\,U^\top`; the Gauss quadrature
    :math:`\sum_j w_j f(\theta_j)`, :math:`w_j = U_{1j}^2`, equals :math:`v^\top f(A)v/|v|^2` exactly for
    polynomials of degree :math:`\le 2m - 1` (Golub & Meurant), and :math:`\mathbb E\,v^\top f(A)v/n =
    \operatorname{tr}f(A)/n` (Hutchinson). Averaging over vectors estimates :math:`\int f\,d\mu_A`; the error is the
    Hutchinson error, :math:`\operatorname{Var}(v^\top Bv)/n^2 = 2\sum_{i\ne j}B_{ij}^2/n^2` per vector.

    Parameters
    ----------
    key : jax.Array
        PRNG key of the Rademacher vectors.
    matvec : collections.abc.Callable
        :math:`v\mapsto Av` (see :func:`lanczos`).
    dim : int
        Dimension ``n`` of the operator.
    n_steps : int
        Lanczos steps per vector, ``1 <= n_steps <= dim``.
    n_vectors : int
        Number of random vectors, ``>= 1``.

    Returns
    -------
    SpectralQuadrature
        ``nodes`` and ``weights``, each ``(n_vectors, n_steps)``; see :func:`slq_density` for a smoothed density.

    References
    ----------
    G. H. Golub and G. Meurant, *Matrices, Moments and Quadrature with Applications* (2010); S. Ubaru, J. Chen and
    Y. Saad, SIAM J. Matrix Anal. Appl. 38 (2017) 1075; B. Ghorbani, S. Krishnan and Y. Xiao, ICML 2019
    (the Hessian spectrum of neural networks by SLQ).
    """
    prng_key("key", key)
    matvec = _as_operator("matvec", matvec)
    dim = integer("dim", dim, minimum=1, maximum=10**9)
    n_steps = integer("n_steps", n_steps, minimum=1, maximum=dim)
    n_vectors = integer("n_vectors", n_vectors, minimum=1, maximum=10**5)
    allocation(f"n_vectors = {n_vectors} Lanczos runs of n_steps = {n_steps} in dimension dim = {dim}",
               8.0 * n_vectors * (n_steps + 2) * dim * 2)
    _matvec_dim("matvec", matvec, dim)
    return SpectralQuadrature(*_slq(key, matvec, dim, n_steps, n_vectors))


def slq_density(quadrature: SpectralQuadrature, grid: Any, width: float) -> jax.Array:
    r"""The SLQ measure smoothed by a Gaussian of standard deviation :math:`s`:
    :math:`\rho_s(x) = \frac{1}{n_v}\sum_{v,j} w_{vj}\,\frac{e^{-(x-\lambda_{vj})^2/2s^2}}{\sqrt{2\pi}s}`.

    Parameters
    ----------
    quadrature : SpectralQuadrature
        From :func:`slq`.
    grid : jax.Array
        Points ``x``, any shape.
    width : float
        :math:`s > 0`.

    Returns
    -------
    jax.Array
        The density on ``grid`` (it integrates to 1 over the real line).

    References
    ----------
    L. Lin, Y. Saad and C. Yang, *Approximating spectral densities of large matrices*, SIAM Rev. 58 (2016) 34;
    B. Ghorbani, S. Krishnan and Y. Xiao, ICML 2019.
    """
    if not isinstance(quadrature, SpectralQuadrature):
        raise TypeError(f"quadrature must be a SpectralQuadrature from rmt.slq, got {type(quadrature).__name__}")
    finite_array("quadrature", quadrature.nodes)
    finite_array("grid", grid)
    grid = jnp.asarray(grid, dtype=jnp.float64)
    width = real("width", width, minimum=0.0, strict_minimum=True)
    allocation(f"a grid of {grid.size} points", 8.0 * grid.size * quadrature.nodes.size)
    z = (grid[..., None] - quadrature.nodes.ravel()) / width
    w = quadrature.weights.ravel() / quadrature.nodes.shape[0]
    return jnp.sum(w * jnp.exp(-0.5 * z**2), axis=-1) / (math.sqrt(2 * math.pi) * width)


def slq_moment(quadrature: SpectralQuadrature, k: int) -> jax.Array:
    r"""The moment :math:`\int\lambda^k\,d\mu = \frac{1}{n_v}\sum_{v,j} w_{vj}\lambda_{vj}^k` of the SLQ measure,
    an unbiased estimate of :math:`\operatorname{tr}(A^k)/n` for :math:`k \le 2m - 1`.

    Parameters
    ----------
    quadrature : SpectralQuadrature
        From :func:`slq`.
    k : int
        Order ``>= 0``.

    Returns
    -------
    jax.Array
        The moment (a scalar).

    References
    ----------
    S. Ubaru, J. Chen and Y. Saad, SIAM J. Matrix Anal. Appl. 38 (2017) 1075.
    """
    if not isinstance(quadrature, SpectralQuadrature):
        raise TypeError(f"quadrature must be a SpectralQuadrature from rmt.slq, got {type(quadrature).__name__}")
    finite_array("quadrature", quadrature.nodes)
    k = integer("k", k, minimum=0, maximum=10**3)
    return jnp.sum(quadrature.weights * quadrature.nodes**k) / quadrature.nodes.shape[0]


__all__ += ["Lanczos", "SpectralQuadrature", "lanczos", "slq", "slq_density", "slq_moment"]
