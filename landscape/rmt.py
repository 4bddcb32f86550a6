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
* J. Baik, G. Ben Arous and S. Péché, Ann. Probab. 33 (2005) 1643, and F. Benaych-Georges and
  R. R. Nadakuditi, Adv. Math. 227 (2011) 494: the BBP transition of a rank-one spike.

Exact combinatorics (Catalan numbers, pairings, finite-``n`` moments) use Python integers and
:class:`fractions.Fraction`; everything else is vectorised ``jax.numpy`` in float64.
"""

from __future__ import annotations

import functools
import itertools
import math
from fractions import Fraction
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from ._validate import finite_array, integer, is_traced, prng_key

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
]

MAX_PAIRING_SIZE = 16
"""Largest ``m`` accepted by :func:`pair_partitions` (15!! = 2 027 025 pairings)."""

MAX_EXACT_MOMENT_ORDER = 12
"""Largest order ``k`` accepted by :func:`finite_n_goe_moment` (11!! · 2⁶ = 665 280 gluings)."""

Pairing = tuple[tuple[int, int], ...]


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


@functools.partial(jax.jit, static_argnums=(1, 2))
def _standard_normal(key: jax.Array, n: int, shape: tuple[int, ...]) -> jax.Array:
    return jax.random.normal(key, shape + (n, n), dtype=jnp.float64)


@jax.jit
def _symmetrise(g: jax.Array) -> jax.Array:
    return (g + jnp.swapaxes(g, -1, -2)) / jnp.sqrt(2.0 * g.shape[-1])


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
    n = integer("n", n, minimum=1)
    shape = () if num is None else (integer("num", num, minimum=1),)
    # Two compiled steps: fused into one kernel, XLA may evaluate the Gaussian transform of the same random
    # bits at (i, j) and (j, i) with different rounding (vector vs scalar code), breaking exact symmetry.
    return _symmetrise(_standard_normal(key, n, shape))


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
    (Anderson, Guionnet & Zeitouni 2010, Sec. 2.1).
    """
    k = integer("k", k, minimum=0)
    return math.comb(2 * k, k) // (k + 1)


def semicircle_moment(k: int) -> int:
    r"""Exact moment :math:`\int x^k \rho(x)\,dx`: :math:`C_{k/2}` for even ``k``, ``0`` for odd ``k``.

    ``k`` is an integer ``>= 0`` (Anderson, Guionnet & Zeitouni 2010, Sec. 2.1).
    """
    k = integer("k", k, minimum=0)
    return 0 if k % 2 else catalan(k // 2)


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


def is_noncrossing(pairing: Pairing) -> bool:
    r"""Whether a perfect matching of :math:`\{0, \dots, m-1\}` is non-crossing.

    Two pairs :math:`(a, b)` and :math:`(c, d)` with :math:`a < b`, :math:`c < d` cross when
    :math:`a < c < b < d` (Anderson, Guionnet & Zeitouni 2010, Sec. 2.1).

    Args:
        pairing: a sequence of pairs of integers covering :math:`\{0, \dots, m-1\}` exactly once.
    """
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
        float64 array of shape ``(...)``.
    """
    k = integer("k", k, minimum=0)
    eigenvalues = _real_array("eigenvalues", eigenvalues)
    if eigenvalues.ndim == 0 or eigenvalues.shape[-1] == 0:
        raise ValueError(f"eigenvalues must have a non-empty last axis, got shape {eigenvalues.shape}")
    return jnp.mean(eigenvalues**k, axis=-1)


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
