r"""Topology of excursion sets: the Euler characteristic, Morse theory and persistence on :math:`S_N`.

Conventions (the book's): :math:`S_N = \{\sigma \in \mathbb R^N : |\sigma|^2 = N\}`, a centred Gaussian field with
:math:`\mathbb E[H(\sigma)H(\sigma')] = N\xi(\sigma\cdot\sigma'/N)`, and the excursion set above the level
:math:`u` (energy per spin)

.. math:: A_u = \{\sigma \in S_N : H(\sigma)/N \ge u\}.

**Morse theory.** :math:`A_u` is the sublevel set :math:`\{-H \le -Nu\}` of the Morse function :math:`-H`, whose
index at a critical point of :math:`H` of index :math:`k` is :math:`N-1-k`. Hence (Milnor 1963)

.. math:: \chi(A_u) = \sum_{\text{crit. pts with } H \ge Nu} (-1)^{N-1-k},

where index :math:`N-1` points are the local *maxima* of :math:`H`. The sublevel set :math:`\{H \le Nu\}`, where a
descent algorithm lives, has :math:`\chi = \sum_{H \le Nu}(-1)^k\,\mathrm{Crit}_k` and the same law as
:math:`A_{-u}` (the law of :math:`H` is symmetric).

**The Gaussian kinematic formula** (Adler & Taylor 2007, ch. 12–13; Taylor 2006). For a centred field
:math:`f` of unit variance on a manifold :math:`M`,
:math:`\mathbb E\,\chi(M \cap f^{-1}[t,\infty)) = \sum_j \mathcal L_j(M)\,\rho_j(t)` with the EC densities
:math:`\rho_0(t) = \Psi(t) = \mathbb P(Z \ge t)`, :math:`\rho_j(t) = (2\pi)^{-(j+1)/2}\mathrm{He}_{j-1}(t)
e^{-t^2/2}` (probabilists' Hermite polynomials) and the Lipschitz–Killing curvatures :math:`\mathcal L_j` of
:math:`M` in the metric :math:`g(X, Y) = \mathbb E[Xf\,Yf]` induced by the field. Here
:math:`f = H/\sqrt{N\xi(1)}`, :math:`t = u\sqrt{N/\xi(1)}`, and the induced metric is
:math:`\xi'(1)/(N\xi(1))` times the Euclidean one: :math:`S_N` becomes the round sphere :math:`S^{N-1}` of radius
:math:`r = \sqrt{\xi'(1)/\xi(1)}` (:math:`\sqrt p` for the pure p-spin), whose curvatures are
:func:`sphere_lipschitz_killing`. *Every* :math:`\mathcal L_j` contributes: the single top-order term
:math:`\mathcal L_{N-1}\rho_{N-1}` is the flat-space formula, not the sphere's.

**Finite complexes.** On :math:`S^2` the excursion set is approximated by the sub-complex of a fine triangulation
spanned by the vertices where the field is above the level (:func:`icosphere`,
:func:`mesh_euler_characteristic`); its Betti numbers and the persistence diagram of the sublevel filtration come
from GUDHI's simplex trees (:func:`excursion_betti_numbers`, :func:`sublevel_persistence`).

Sources: R. J. Adler and J. E. Taylor, *Random Fields and Geometry*, Springer (2007), ch. 6 (Lipschitz–Killing
curvatures of spheres), 12–13 (mean Euler characteristic, GKF); J. E. Taylor, *A Gaussian kinematic formula*,
Ann. Probab. 34 (2006) 122; J. Milnor, *Morse Theory* (1963); A. Auffinger and G. Ben Arous, *Complexity of random
smooth functions on the high-dimensional sphere*, Ann. Probab. 41 (2013) 4214 (mean Euler characteristic of level
sets of spherical spin glasses); H. Edelsbrunner and J. Harer, *Computational Topology* (2010) (lower-star
filtrations, persistence); The GUDHI Project, *GUDHI User and Reference Manual* (simplex trees).

Argument checks (types, ranges, finiteness, shapes; sizes against :func:`landscape.max_bytes`) run on concrete
values. Under ``jax.jit``/``jax.vmap`` the arguments are tracers and only shapes are checked: call a function
once on concrete inputs before transforming it (the package docstring: errors and limits).
"""

from __future__ import annotations

import math
from typing import Any, NamedTuple

import jax
import jax.numpy as jnp
import mpmath
import numpy as np

from scipy.special import ndtr

from . import _validate, kac_rice, rmt

__all__ = [
    "sphere_lipschitz_killing",
    "ec_densities",
    "expected_euler_characteristic",
    "log_expected_euler_characteristic",
    "morse_euler_characteristic",
    "morse_quotient",
    "MorseQuotient",
    "LogEulerCharacteristic",
    "PersistenceDiagram",
    "SphereMesh",
    "icosphere",
    "mesh_euler_characteristic",
    "excursion_betti_numbers",
    "sublevel_persistence",
    "MAX_GKF_N",
    "MAX_ICOSPHERE_SUBDIVISIONS",
]

MAX_GKF_N = 20000
"""Largest ``n`` accepted by :func:`expected_euler_characteristic` with ``method="gkf"`` (the cost is
:math:`O(n)` high-precision operations per level, with about :math:`0.2n` digits)."""

MAX_ICOSPHERE_SUBDIVISIONS = 8
"""Largest ``subdivisions`` of :func:`icosphere` (:math:`10\\cdot 4^8 + 2 = 655{,}362` vertices)."""


# ------------------------------------------------------------------------------ Gaussian kinematic formula


def _log_ball_volume(k: int) -> float:
    """log of the volume :math:`\\omega_k = \\pi^{k/2}/\\Gamma(k/2+1)` of the unit ball of :math:`\\mathbb R^k`."""
    return 0.5 * k * math.log(math.pi) - math.lgamma(0.5 * k + 1.0)


def sphere_lipschitz_killing(dim: int, radius: float = 1.0) -> np.ndarray:
    r"""Lipschitz–Killing curvatures :math:`\mathcal L_0, \dots, \mathcal L_{d}` of the round sphere
    :math:`S^d(r) \subset \mathbb R^{d+1}` (Adler & Taylor 2007, ch. 6):

    .. math:: \mathcal L_j\big(S^d(r)\big) = 2\binom{d+1}{j}\frac{\omega_{d+1}}{\omega_{d+1-j}}\,r^j
        \quad (d - j \text{ even}), \qquad 0 \quad (d - j \text{ odd}),

    :math:`\omega_k = \pi^{k/2}/\Gamma(k/2+1)` the volume of the unit :math:`k`-ball. They are the coefficients of
    Weyl's tube formula, :math:`\mathrm{Vol}(\text{tube of radius }\rho) = \sum_j \omega_{d+1-j}\rho^{d+1-j}
    \mathcal L_j` for the sphere as a subset of :math:`\mathbb R^{d+1}` (the two sides of the shell, whence the 2).
    Checks: :math:`\mathcal L_0 = \chi(S^d) = 1 + (-1)^d`, :math:`\mathcal L_d` is the area
    :math:`2\pi^{(d+1)/2}r^d/\Gamma((d+1)/2)`, and :math:`\mathcal L_1(S^2) = 0` (no boundary).

    Args:
        dim: the dimension :math:`d \ge 0` of the sphere (:math:`d = N - 1` for :math:`S_N`), at most 1000.
        radius: :math:`r > 0`.

    Returns:
        float64 array of length ``dim + 1``.
    """
    d = _validate.integer("dim", dim, minimum=0, maximum=1000)
    r = _validate.real("radius", radius, minimum=0.0, strict_minimum=True)
    out = np.zeros(d + 1)
    for j in range(d % 2, d + 1, 2):
        log_binom = math.lgamma(d + 2) - math.lgamma(j + 1) - math.lgamma(d + 2 - j)
        out[j] = 2.0 * math.exp(log_binom + _log_ball_volume(d + 1) - _log_ball_volume(d + 1 - j) + j * math.log(r))
    return out


def ec_densities(t: Any, j_max: int) -> np.ndarray:
    r"""Euler-characteristic densities of a unit-variance Gaussian field, :math:`\rho_0, \dots, \rho_{j_{\max}}`:

    .. math:: \rho_0(t) = \Psi(t) = \int_t^\infty \frac{e^{-s^2/2}}{\sqrt{2\pi}}\,ds, \qquad
        \rho_j(t) = (2\pi)^{-\frac{j+1}2}\,\mathrm{He}_{j-1}(t)\,e^{-t^2/2}\quad (j \ge 1),

    with the probabilists' Hermite polynomials :math:`\mathrm{He}_0 = 1`, :math:`\mathrm{He}_1 = t`,
    :math:`\mathrm{He}_{k+1} = t\,\mathrm{He}_k - k\,\mathrm{He}_{k-1}` (not the physicists' :math:`H_k`); for
    :math:`j \ge 1`, :math:`\rho_j(t) = (2\pi)^{-j/2}\int_t^\infty \mathrm{He}_j(s)\varphi(s)\,ds` (Adler & Taylor
    2007, ch. 12). Float64: for large ``j_max`` and ``|t|`` the terms of the kinematic formula cancel, which is why
    :func:`expected_euler_characteristic` works at high precision.

    Args:
        t: real scalar or array (the level in units of the field's standard deviation), finite.
        j_max: integer in ``[0, 200]``.

    Returns:
        float64 array of shape ``t.shape + (j_max + 1,)``.
    """
    j_max = _validate.integer("j_max", j_max, minimum=0, maximum=200)
    t = np.asarray(rmt._real_array("t", t))
    with np.errstate(over="ignore", invalid="ignore"):  # an overflow is reported below, as a ValueError
        he = [np.ones_like(t), t]
        for k in range(1, j_max):
            he.append(t * he[k] - k * he[k - 1])
        gauss = np.exp(-0.5 * t * t)
        cols = [ndtr(-t)] + [(2 * math.pi) ** (-(j + 1) / 2) * he[j - 1] * gauss for j in range(1, j_max + 1)]
        out = np.stack(cols, axis=-1)
    if not np.all(np.isfinite(out)):  # He_{j-1}(t) overflows float64 for large |t| and j
        raise ValueError(f"ec_densities overflows float64 for |t| up to {float(np.max(np.abs(t))):g} with j_max = "
                         f"{j_max}; lower j_max or |t|")
    return out


class LogEulerCharacteristic(NamedTuple):
    """:math:`\\log|\\mathbb E\\chi|` and the sign of :math:`\\mathbb E\\chi` (float64 arrays of the levels' shape)."""

    log_abs: np.ndarray
    sign: np.ndarray


def _field_scales(xi: Any) -> tuple[float, float]:
    """(ξ(1), r² = ξ'(1)/ξ(1)) of a mixture with some degree >= 2 (the same requirement as Kac–Rice)."""
    c, b, _ = kac_rice._mixture_moments(xi)
    return c, b / c


def _gkf_mp(t: mpmath.mpf, d: int, r2: mpmath.mpf) -> tuple[mpmath.mpf, mpmath.mpf]:
    r""":math:`\sum_j \mathcal L_j\rho_j(t)` for :math:`S^d(r)` at the current mpmath precision, and the sum of the
    absolute values of its terms (to measure cancellation). The coefficients
    :math:`A_j = \mathcal L_j(2\pi)^{-(j+1)/2}` obey :math:`A_{j+2} = A_j\,(d-j)\,r^2/((j+1)(j+2))`."""
    he_prev, he = mpmath.mpf(0), mpmath.mpf(1)  # He_{-1} := 0, He_0
    gauss = mpmath.exp(-t * t / 2)
    if d % 2 == 0:
        total = 2 * mpmath.ncdf(-t)  # L_0 rho_0 = chi(S^d) Psi(t)
        size = abs(total)
        coef = 2 / mpmath.sqrt(2 * mpmath.pi) * d * r2 / 2  # A_2 from A_0 = L_0 (2 pi)^(-1/2)
        j = 2
        he_prev, he = he, t  # He_0, He_1 = He_{j-1}
    else:
        total, size = mpmath.mpf(0), mpmath.mpf(0)
        log_l1 = math.log(2 * (d + 1)) + _log_ball_volume(d + 1) - _log_ball_volume(d)
        coef = mpmath.exp(mpmath.mpf(log_l1)) * mpmath.sqrt(r2) / (2 * mpmath.pi)  # A_1
        j = 1  # He_{j-1} = He_0 = he
    while j <= d:
        term = coef * he * gauss
        total += term
        size += abs(term)
        # advance the Hermite pair by two: He_{j-1} -> He_{j+1}
        he_prev, he = he, t * he - (j - 1) * he_prev
        he_prev, he = he, t * he - j * he_prev
        coef = coef * (d - j) * r2 / ((j + 1) * (j + 2))
        j += 2
    return total, size


def _gkf(levels: np.ndarray, n: int, xi: Any) -> tuple[np.ndarray, np.ndarray]:
    """log|E chi| and sign at each level, with the precision raised until at least 20 digits survive."""
    c, r2 = _field_scales(xi)
    d = n - 1
    log_abs, sign = np.empty(levels.size), np.empty(levels.size)
    for i, u in enumerate(levels.ravel()):
        dps = 30 + d // 4
        while True:
            with mpmath.workdps(dps):
                t = mpmath.mpf(float(u)) * mpmath.sqrt(mpmath.mpf(n) / mpmath.mpf(c))
                total, size = _gkf_mp(t, d, mpmath.mpf(r2))
                lost = 0 if total == 0 else float(mpmath.log10(size / abs(total)))
                if total == 0 or dps - lost >= 20:
                    break
            dps = int(lost) + 40
        sign[i] = float(mpmath.sign(total))
        log_abs[i] = float(mpmath.log(abs(total))) if total != 0 else -math.inf
    return log_abs.reshape(levels.shape), sign.reshape(levels.shape)


def _kac_rice_euler(levels: np.ndarray, n: int, xi: Any) -> np.ndarray:
    counts = kac_rice.expected_critical_points_above(levels, n, xi)
    return counts @ (-1.0) ** (n - 1 - np.arange(n))


def expected_euler_characteristic(u: Any, n: int, xi: Any, method: str = "gkf") -> np.ndarray:
    r"""Exact mean Euler characteristic :math:`\mathbb E\,\chi(A_u)` of the excursion set
    :math:`A_u = \{\sigma \in S_N : H(\sigma)/N \ge u\}` (``n`` = :math:`N`), for every :math:`N`.

    ``method="gkf"``: the Gaussian kinematic formula (module docstring),

    .. math:: \mathbb E\,\chi(A_u) = \sum_{j=0}^{N-1}\mathcal L_j\big(S^{N-1}(r)\big)\,\rho_j(t), \qquad
        t = u\sqrt{N/\xi(1)},\quad r = \sqrt{\xi'(1)/\xi(1)},

    with :func:`sphere_lipschitz_killing` and :func:`ec_densities`, summed in high precision (mpmath), because
    inside the bulk the terms are up to :math:`e^{cN}` times larger than their sum. For the pure p-spin
    (:math:`r = \sqrt p`, :math:`t = u\sqrt N`) on :math:`S^2`:
    :math:`\mathbb E\,\chi(A_u) = 2\Psi(u\sqrt3) + \frac{2p}{\sqrt{2\pi}}\,u\sqrt3\,e^{-3u^2/2}`.

    ``method="kac_rice"``: independently, the alternating sum over indices of the exact counts of
    :func:`landscape.kac_rice.expected_critical_points_above`,
    :math:`\sum_k (-1)^{N-1-k}\,\mathbb E\,\mathrm{Crit}_{N,k}(H/N \ge u)` (Morse; ``n`` at most
    :data:`landscape.kac_rice.MAX_EXACT_N_BY_INDEX`). The two agree to about :math:`10^{-12}` relative to the
    largest count.

    The mean depends on the mixture only through :math:`\xi(1)` and :math:`\xi'(1)`: the number of critical points
    depends on :math:`\xi''(1)` too, but their alternating sum does not. Identities (tests):
    :math:`\mathbb E\chi(A_u) \to \chi(S^{N-1}) = 1 + (-1)^{N-1}` as :math:`u \to -\infty`;
    :math:`\mathbb E\chi(A_u) + (-1)^{N-1}\,\mathbb E\chi(A_{-u}) = 1 + (-1)^{N-1}` (the Morse sum over all critical
    points); hence :math:`\mathbb E\chi(A_0) = 1` when :math:`N` is odd; on the circle
    :math:`\mathbb E\chi(A_u) = r\,e^{-t^2/2}`, Rice's formula for the mean number of up-crossings.

    Args:
        u: real scalar or array of levels (energy per spin), finite.
        n: :math:`N \ge 2`, at most :data:`MAX_GKF_N` (``"gkf"``) or
            :data:`landscape.kac_rice.MAX_EXACT_N_BY_INDEX` (``"kac_rice"``).
        xi: an integer ``p >= 2`` or a :class:`landscape.fields.Mixture` with some degree :math:`\ge 2`.
        method: ``"gkf"`` or ``"kac_rice"``.

    Returns:
        float64 NumPy array of the shape of ``u``.

    The sum is done by :func:`log_expected_euler_characteristic` (high precision, then the logarithm of its absolute
    value and its sign); this function only exponentiates. Far above the bulk the mean is positive but tiny, about
    :math:`e^{-Nu^2/2}` (for :math:`N = 50`, :math:`p = 3`, :math:`u = 6` it is :math:`e^{-765.03}`), and can lie
    below the smallest normal float64 (:math:`2.2\times10^{-308} = e^{-708.4}`): rather than return 0 or a
    subnormal number with lost digits, it raises.

    Raises:
        OverflowError: if :math:`|\mathbb E\chi|` exceeds the float range (large ``n``): use
            :func:`log_expected_euler_characteristic`.
        FloatingPointError: if a non-zero :math:`|\mathbb E\chi|` is below the smallest normal float64 (underflow:
            high levels at large ``n``): use :func:`log_expected_euler_characteristic`.
    """
    if method not in ("gkf", "kac_rice"):
        raise ValueError(f"method must be 'gkf' or 'kac_rice', got {method!r}")
    if method == "kac_rice":
        n = _validate.integer("n", n, minimum=2, maximum=kac_rice.MAX_EXACT_N_BY_INDEX)
        return _kac_rice_euler(np.asarray(rmt._real_array("u", u)), n, xi)
    log_abs, sign = log_expected_euler_characteristic(u, n, xi)
    if np.any(log_abs > math.log(np.finfo(float).max)):
        raise OverflowError(f"|E chi| exceeds the float range at n = {n}: use log_expected_euler_characteristic")
    tiny = (sign != 0) & (log_abs < math.log(np.finfo(float).tiny))
    if np.any(tiny):
        worst = np.asarray(u, dtype=float)[tiny] if np.ndim(u) else float(u)
        raise FloatingPointError(
            f"|E chi| underflows float64 at n = {n} (log|E chi| = {float(np.min(log_abs[tiny])):.2f} < "
            f"log of the smallest normal float, {math.log(np.finfo(float).tiny):.2f}; levels u = {worst}): "
            "use log_expected_euler_characteristic")
    return sign * np.exp(log_abs)


def log_expected_euler_characteristic(u: Any, n: int, xi: Any) -> LogEulerCharacteristic:
    r""":math:`\log|\mathbb E\,\chi(A_u)|` and the sign of :math:`\mathbb E\,\chi(A_u)` by the Gaussian kinematic formula
    (see :func:`expected_euler_characteristic`), for ``n`` up to :data:`MAX_GKF_N`.

    For large :math:`N`, :math:`\frac1N\log|\mathbb E\chi(A_u)|` tends to the density complexity :math:`\Sigma(u)` of
    :func:`landscape.kac_rice.complexity` wherever :math:`\Sigma(u) > 0` (checked numerically in chapter 8), while
    the sign oscillates with :math:`u` and :math:`N` inside the bulk :math:`|u| < E_\infty`.

    Returns:
        :class:`LogEulerCharacteristic` ``(log_abs, sign)``, float64 arrays of the shape of ``u``
        (``log_abs = -inf`` and ``sign = 0`` where the mean vanishes exactly).
    """
    n = _validate.integer("n", n, minimum=2, maximum=MAX_GKF_N)
    levels = np.asarray(rmt._real_array("u", u), dtype=np.float64)
    log_abs, sign = _gkf(levels, n, xi)
    return LogEulerCharacteristic(log_abs, sign)


# ---------------------------------------------------------------------------------------------- Morse theory


def morse_euler_characteristic(energies: Any, indices: Any, n: int, levels: Any) -> np.ndarray:
    r"""Euler characteristic of the excursion sets :math:`A_u` of one sample from its critical points (Morse):
    :math:`\chi(A_u) = \sum_{c:\,u_c \ge u}(-1)^{N-1-k_c}`, at each level ``u`` in ``levels``.

    Args:
        energies: the critical energies per spin :math:`u_c` (1-d, finite), e.g. from
            :func:`landscape.critical.census`.
        indices: their indices :math:`k_c \in [0, N-1]` (1-d integers, same length).
        n: :math:`N \ge 2`, the number of coordinates (the sphere is :math:`S^{N-1}`).
        levels: real scalar or array of levels.

    Returns:
        int64 NumPy array of the shape of ``levels``.
    """
    n = _validate.integer("n", n, minimum=2)
    energies = np.asarray(energies)
    indices = np.asarray(indices)
    for name, arr in (("energies", energies), ("indices", indices)):
        if not np.issubdtype(arr.dtype, np.number):
            raise TypeError(f"{name} must be a numeric array, got dtype {arr.dtype}")
    if energies.ndim != 1 or indices.shape != energies.shape:
        raise ValueError("energies and indices must be one-dimensional arrays of the same length")
    _validate.finite_array("energies", energies)
    if indices.size and (not np.issubdtype(indices.dtype, np.integer) or indices.min() < 0 or indices.max() > n - 1):
        raise ValueError(f"indices must be integers in [0, n - 1] = [0, {n - 1}]")
    levels = np.asarray(rmt._real_array("levels", levels))
    signs = (-1) ** (n - 1 - indices.astype(np.int64))
    above = energies[None, :] >= levels.reshape(-1, 1)
    return (above @ signs).astype(np.int64).reshape(levels.shape)


class MorseQuotient(NamedTuple):
    """:math:`M(t) - P(t) = (1 + t)\\,Q(t) + R\\,t^{K}`: the coefficients of ``Q`` and the remainder ``R``."""

    quotient: np.ndarray
    remainder: int


def morse_quotient(counts: Any, betti: Any) -> MorseQuotient:
    r"""Divide :math:`M(t) - P(t)` by :math:`1 + t`, with :math:`M(t) = \sum_k C_k t^k` the Morse polynomial (critical
    points by index) and :math:`P(t) = \sum_k b_k t^k` the Poincaré polynomial (Betti numbers).

    Morse theory (Milnor 1963, §5) says :math:`M(t) - P(t) = (1 + t)\,Q(t)` with :math:`Q` having
    non-negative coefficients. :math:`Q_k = \sum_{j \le k}(-1)^{k-j}(C_j - b_j)`, so :math:`Q_k \ge 0` are the
    *strong Morse inequalities*; the remainder :math:`R = \pm(\sum_k(-1)^kC_k - \sum_k(-1)^kb_k)` vanishes by the
    Euler–Poincaré formula; and :math:`C_k \ge b_k` (weak inequalities) follow.

    Args:
        counts: non-negative integers :math:`C_0, \dots, C_K` (1-d).
        betti: non-negative integers :math:`b_0, \dots, b_K` (1-d, same length).

    Returns:
        :class:`MorseQuotient` with ``quotient`` (int64 array of length ``K``) and ``remainder`` (int).
    """
    counts, betti = np.asarray(counts), np.asarray(betti)
    for name, arr in (("counts", counts), ("betti", betti)):
        if not np.issubdtype(arr.dtype, np.number):
            raise TypeError(f"{name} must be a numeric array of non-negative integers, got dtype {arr.dtype}")
    for name, a in (("counts", counts), ("betti", betti)):
        if a.ndim != 1 or a.size == 0 or not np.issubdtype(a.dtype, np.integer) or a.min() < 0:
            raise ValueError(f"{name} must be a non-empty one-dimensional array of non-negative integers")
    if counts.shape != betti.shape:
        raise ValueError(f"counts and betti must have the same length, got {counts.size} and {betti.size}")
    diff = counts.astype(np.int64) - betti.astype(np.int64)
    quotient = np.zeros(diff.size - 1, dtype=np.int64)
    previous = 0
    for k in range(diff.size - 1):
        quotient[k] = diff[k] - previous
        previous = quotient[k]
    return MorseQuotient(quotient, int(diff[-1] - previous))


# --------------------------------------------------------------------------------------- meshes of the 2-sphere


class SphereMesh(NamedTuple):
    """A triangulation of the unit 2-sphere: ``vertices`` (V, 3) unit vectors, ``edges`` (E, 2) and ``faces``
    (F, 3) vertex indices (int64, faces oriented outwards), with V - E + F = 2."""

    vertices: np.ndarray
    edges: np.ndarray
    faces: np.ndarray


def _icosahedron() -> tuple[np.ndarray, np.ndarray]:
    g = (1.0 + math.sqrt(5.0)) / 2.0
    v = np.array([[-1, g, 0], [1, g, 0], [-1, -g, 0], [1, -g, 0], [0, -1, g], [0, 1, g], [0, -1, -g], [0, 1, -g],
                  [g, 0, -1], [g, 0, 1], [-g, 0, -1], [-g, 0, 1]], dtype=np.float64)
    f = np.array([[0, 11, 5], [0, 5, 1], [0, 1, 7], [0, 7, 10], [0, 10, 11], [1, 5, 9], [5, 11, 4], [11, 10, 2],
                  [10, 7, 6], [7, 1, 8], [3, 9, 4], [3, 4, 2], [3, 2, 6], [3, 6, 8], [3, 8, 9], [4, 9, 5],
                  [2, 4, 11], [6, 2, 10], [8, 6, 7], [9, 8, 1]], dtype=np.int64)
    return v / np.linalg.norm(v, axis=1, keepdims=True), f


def _edges(faces: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Unique edges (sorted pairs) and, for each face, the indices of its edges (ab, bc, ca)."""
    pairs = np.stack([faces[:, [0, 1]], faces[:, [1, 2]], faces[:, [2, 0]]], axis=1).reshape(-1, 2)
    edges, inverse = np.unique(np.sort(pairs, axis=1), axis=0, return_inverse=True)
    return edges, inverse.reshape(-1, 3)


def icosphere(subdivisions: int) -> SphereMesh:
    r"""Geodesic triangulation of the unit sphere: an icosahedron whose triangles are split ``subdivisions`` times
    into four, the new vertices pushed onto the sphere. It has :math:`10\cdot4^s + 2` vertices,
    :math:`30\cdot 4^s` edges and :math:`20\cdot4^s` faces; the edges are between :math:`1.05\cdot2^{-s}` and
    :math:`1.33\cdot 2^{-s}` (chords of the unit sphere).

    Args:
        subdivisions: integer ``s`` in ``[0, MAX_ICOSPHERE_SUBDIVISIONS]``.
    """
    s = _validate.integer("subdivisions", subdivisions, minimum=0, maximum=MAX_ICOSPHERE_SUBDIVISIONS)
    vertices, faces = _icosahedron()
    for _ in range(s):
        edges, face_edges = _edges(faces)
        mid = vertices[edges[:, 0]] + vertices[edges[:, 1]]
        vertices = np.concatenate([vertices, mid / np.linalg.norm(mid, axis=1, keepdims=True)])
        ab, bc, ca = (face_edges[:, i] + len(vertices) - len(edges) for i in range(3))
        a, b, c = faces.T
        faces = np.concatenate([np.stack(t, axis=1) for t in ((a, ab, ca), (b, bc, ab), (c, ca, bc), (ab, bc, ca))])
    edges, _ = _edges(faces)
    return SphereMesh(vertices, edges, faces)


def _check_mesh(mesh: Any) -> SphereMesh:
    if not isinstance(mesh, SphereMesh):
        raise TypeError(f"mesh must be a landscape.topology.SphereMesh (from icosphere), got {type(mesh).__name__}")
    return mesh


def _check_values(values: Any, mesh: SphereMesh, *, batched: bool) -> np.ndarray:
    arr = np.asarray(values)
    if not (np.issubdtype(arr.dtype, np.floating) or np.issubdtype(arr.dtype, np.integer)):
        raise TypeError(f"values must be a real numeric array, got {values!r:.60} of dtype {arr.dtype}")
    values = arr.astype(np.float64)
    if values.ndim < 1 or values.shape[-1] != len(mesh.vertices) or (not batched and values.ndim != 1):
        shape = "(..., V)" if batched else "(V,)"
        raise ValueError(f"values must have shape {shape} with V = {len(mesh.vertices)} vertices, got {values.shape}")
    _validate.finite_array("values", values)
    return values


@jax.jit
def _mesh_chi(values: jax.Array, edges: jax.Array, faces: jax.Array, levels: jax.Array) -> jax.Array:
    def above(x):  # number of entries of x that are >= each level
        return x.shape[-1] - jnp.searchsorted(jnp.sort(x), levels, side="left")

    def one(v):
        on_edges = jnp.minimum(v[edges[:, 0]], v[edges[:, 1]])
        on_faces = jnp.minimum(jnp.minimum(v[faces[:, 0]], v[faces[:, 1]]), v[faces[:, 2]])
        return above(v) - above(on_edges) + above(on_faces)

    return jax.vmap(one)(values)


def mesh_euler_characteristic(values: Any, mesh: SphereMesh, levels: Any) -> np.ndarray:
    r"""Euler characteristic :math:`V - E + F` of the sub-complex of ``mesh`` spanned by the vertices where the
    field is :math:`\ge` the level (a simplex is kept when all its vertices are), at every level at once.

    For a smooth field and a mesh fine compared to the field's correlation length this sub-complex is homotopy
    equivalent to the excursion set :math:`\{f \ge u\}`, except for levels within the mesh error of a critical
    value. Sorting the vertex, edge and face minima makes all levels cost :math:`O((V + E + F)\log V)`.

    Args:
        values: the field at the vertices, shape ``(V,)`` or a batch ``(..., V)`` of samples, finite.
        mesh: a :class:`SphereMesh` from :func:`icosphere`.
        levels: real scalar or 1-d array of levels, in the units of ``values``.

    Returns:
        int64 NumPy array of shape ``values.shape[:-1] + levels.shape``.
    """
    mesh = _check_mesh(mesh)
    values = _check_values(values, mesh, batched=True)
    levels = np.asarray(rmt._real_array("levels", levels))
    if levels.ndim > 1:
        raise ValueError(f"levels must be a scalar or a 1-d array, got shape {levels.shape}")
    flat = values.reshape(-1, values.shape[-1])
    chi = _mesh_chi(jnp.asarray(flat), jnp.asarray(mesh.edges), jnp.asarray(mesh.faces), jnp.atleast_1d(levels))
    return np.asarray(chi, dtype=np.int64).reshape(values.shape[:-1] + levels.shape)


def _lower_star_tree(values: np.ndarray, mesh: SphereMesh):
    """GUDHI simplex tree of the mesh with the lower-star filtration of ``values`` (a simplex enters at the
    largest value on its vertices)."""
    import gudhi

    tree = gudhi.SimplexTree()
    tree.insert_batch(np.arange(len(values))[None, :], values)
    tree.insert_batch(mesh.edges.T, values[mesh.edges].max(axis=1))
    tree.insert_batch(mesh.faces.T, values[mesh.faces].max(axis=1))
    tree.compute_persistence(persistence_dim_max=True)
    return tree


def excursion_betti_numbers(values: Any, mesh: SphereMesh, levels: Any) -> np.ndarray:
    r"""Betti numbers :math:`(b_0, b_1, b_2)` of the excursion sub-complex :math:`\{f \ge u\}` of ``mesh`` (as in
    :func:`mesh_euler_characteristic`) at each level, computed by GUDHI: the persistent homology (over
    :math:`\mathbb Z/2`) of the lower-star filtration of :math:`-f`, read at filtration value :math:`-u`.

    :math:`b_0` counts connected components, :math:`b_1` independent loops (for a subset of :math:`S^2`: holes,
    i.e. components of the complement beyond the first), :math:`b_2 = 1` only for the whole sphere;
    :math:`b_0 - b_1 + b_2` is the Euler characteristic.

    Args:
        values: the field at the vertices, shape ``(V,)``, finite.
        mesh: a :class:`SphereMesh`.
        levels: real scalar or 1-d array of levels.

    Returns:
        int64 array of shape ``levels.shape + (3,)``.
    """
    mesh = _check_mesh(mesh)
    values = _check_values(values, mesh, batched=False)
    levels = np.asarray(rmt._real_array("levels", levels))
    tree = _lower_star_tree(-values, mesh)
    out = np.zeros((levels.size, 3), dtype=np.int64)
    for i, u in enumerate(levels.ravel()):
        betti = tree.persistent_betti_numbers(-float(u), -float(u))
        out[i, :len(betti)] = betti[:3]
    return out.reshape(levels.shape + (3,))


class PersistenceDiagram(NamedTuple):
    """Finite and essential (death = inf) persistence pairs ``(birth, death)`` in homological degrees 0, 1, 2."""

    h0: np.ndarray
    h1: np.ndarray
    h2: np.ndarray


def sublevel_persistence(values: Any, mesh: SphereMesh, min_persistence: float = 0.0) -> PersistenceDiagram:
    r"""Persistence diagram of the sublevel filtration :math:`\{f \le a\}`, :math:`a` increasing, of a field
    sampled at the vertices of ``mesh`` (lower-star filtration, GUDHI, :math:`\mathbb Z/2` coefficients).

    A degree-0 pair (birth :math:`b`, death :math:`d`) is a local minimum of value :math:`b` whose basin merges
    into a deeper one at the saddle of value :math:`d`; :math:`d - b` is the barrier that separates it from
    lower ground (Edelsbrunner & Harer 2010). Degree-1 pairs match saddles with maxima. On the sphere one degree-0
    class (born at the global minimum) and one degree-2 class (born at the global maximum) never die. Pairs of
    persistence at most ``min_persistence`` are dropped: on a mesh, a flat stretch of the field can split one
    smooth minimum into a few piecewise-linear ones, and these spurious pairs have a persistence of the order of
    the interpolation error (:math:`\sim` edge length squared times the curvature).

    Args:
        values: the field at the vertices, shape ``(V,)``, finite.
        mesh: a :class:`SphereMesh`.
        min_persistence: keep only pairs with ``death - birth > min_persistence`` (a float ``>= 0``).

    Returns:
        :class:`PersistenceDiagram`, each entry a float64 array of shape ``(m, 2)`` sorted by birth.
    """
    mesh = _check_mesh(mesh)
    values = _check_values(values, mesh, batched=False)
    min_persistence = _validate.real("min_persistence", min_persistence, minimum=0.0)
    tree = _lower_star_tree(values, mesh)
    diagrams = []
    for dim in range(3):
        pairs = np.asarray(tree.persistence_intervals_in_dimension(dim), dtype=np.float64).reshape(-1, 2)
        pairs = pairs[pairs[:, 1] - pairs[:, 0] > min_persistence]
        diagrams.append(pairs[np.argsort(pairs[:, 0], kind="stable")])
    return PersistenceDiagram(*diagrams)
