r"""Kac–Rice counts of critical points of spherical spin glasses: exact at finite N, and their complexity.

Conventions (the book's): :math:`S_N = \{\sigma \in \mathbb R^N : |\sigma|^2 = N\}`, a centred Gaussian field with
:math:`\mathbb E[H(\sigma)H(\sigma')] = N\xi(\sigma\cdot\sigma'/N)`, intensive energy :math:`u = H/N`, and GOE
matrices :math:`W` with spectrum on :math:`[-2, 2]`. For the pure p-spin, :math:`\xi(q) = q^p`.

**The Kac–Rice formula.** By isotropy, the expected number of critical points with energy in :math:`NB` is the volume
of :math:`S_N` times the density of the tangent gradient at 0 times a conditional expectation of
:math:`|\det \mathrm{Hess}|`. At one point the tangent gradient has i.i.d. :math:`\mathcal N(0, \xi'(1))`
components and is independent of :math:`H` and of the tangent Euclidean Hessian, which is
:math:`\sqrt{\xi''(1)(N-1)/N}\,W_{N-1}` and independent of :math:`H`; the curvature of the sphere adds
:math:`-(\sigma\cdot\nabla H/N) I`, which is :math:`-pu\,I` for the pure p-spin (Euler). Hence

.. math:: \mathbb E\,\mathrm{Crit}_{N,k}(B) = \frac{2\pi^{N/2}N^{(N-1)/2}}{\Gamma(N/2)}\,(2\pi p)^{-\frac{N-1}{2}}
    \int_B \sqrt{\tfrac{N}{2\pi}}e^{-Nu^2/2}\,
    \mathbb E\Big[\big|\det\big(\sqrt{\tfrac{p(p-1)(N-1)}{N}}\,W_{N-1} - pu\big)\big|\,
    \mathbf 1\{\text{index} = k\}\Big]\,du .

**Closed forms derived here** (``A`` is a GOE with unit off-diagonal variance, i.e. density
:math:`\propto e^{-\operatorname{tr}A^2/4}`, and :math:`x = u\sqrt{Np/(p-1)}`):

* Adding the point :math:`x` as an :math:`N`-th eigenvalue turns :math:`|\det(A_{N-1} - x)|` into a Vandermonde
  factor, so (the identity behind Auffinger, Ben Arous & Černý 2013, with the constants from Mehta's integral)

  .. math:: \mathbb E\,\mathrm{Crit}_{N}(B) = 2N\sqrt{\tfrac2p}\,(p-1)^{N/2}\int_{\sqrt{Np/(p-1)}\,B}
      e^{-\frac{p-2}{4p}x^2}\rho_N(x)\,dx, \qquad
      \mathbb E\,\mathrm{Crit}_{N,k}(B) = 2\sqrt{\tfrac2p}\,(p-1)^{N/2}\,
      \mathbb E\big[e^{-\frac{p-2}{4p}\lambda_{k+1}^2}\mathbf 1\{\lambda_{k+1}\in\sqrt{Np/(p-1)}B\}\big],

  with :math:`\rho_N` the one-point density of :math:`A_N` (:func:`landscape.rmt.finite_n_goe_density`
  rescaled) and :math:`\lambda_{k+1}` its :math:`(k+1)`-th smallest eigenvalue.
* :math:`\mathbb E\,\mathrm{Crit}_2 = 2\sqrt{3p-2}` (the circle), :math:`\mathbb E\,\mathrm{Crit}_3 =
  2 + 8(p-1)^{3/2}/\sqrt{3p-2}`, :math:`\mathbb E\,\mathrm{Crit}_N = 2N` for :math:`p = 2`, and
  :math:`\sum_k (-1)^k\,\mathbb E\,\mathrm{Crit}_{N,k} = 1 + (-1)^{N-1}` (Morse).

**Normalisations of the sources.** Auffinger, Ben Arous & Černý (2013) use the same Hamiltonian and sphere as the book
(:math:`H = N^{-(p-1)/2}\sum J\sigma\cdots\sigma` on the sphere of radius :math:`\sqrt N`, so their energies
:math:`u` and constants :math:`E_0, E_\infty` are the book's), but their GOE has
:math:`\mathbb E M_{ij}^2 = (1+\delta_{ij})/(2N)` (semicircle on :math:`[-\sqrt2, \sqrt2]`), which is where their
factors :math:`\sqrt{p/(2(p-1))}` come from; they state the *cumulative* complexity (:math:`H \le Nu`).
Physics papers with :math:`\xi(q) = q^p/2` (e.g. Crisanti & Sommers) have energies smaller by :math:`\sqrt2`.

Sources: A. Auffinger, G. Ben Arous and J. Černý, *Random matrices and complexity of spin glasses*, Comm. Pure
Appl. Math. 66 (2013) 165 (ABC); A. Auffinger and G. Ben Arous, *Complexity of random smooth functions on the
high-dimensional sphere*, Ann. Probab. 41 (2013) 4214 (mixtures); Y. V. Fyodorov, *Complexity of random energy
landscapes, glass transition, and absolute value of the spectral determinant of random matrices*, Phys. Rev. Lett.
92 (2004) 240601 (the :math:`\Omega` route); N. G. de Bruijn, J. Indian Math. Soc. 19 (1955) 133 (Pfaffians of
ordered integrals); M. L. Mehta, *Random Matrices*, 3rd ed. (2004) (GOE densities, Selberg–Mehta integral);
J. Draisma and E. Horobeţ, Linear Multilinear Algebra 64 (2016) 2498 and P. Breiding, *How many eigenvalues of a
random symmetric tensor are real?*, arXiv:1701.07312 (the pure p-spin is a Kostlan polynomial, so its critical
points on the sphere are the real eigenvectors of a Gaussian symmetric tensor, two per eigenvector line);
D. Cartwright and B. Sturmfels, Linear Algebra Appl. 438 (2013) 942 (the complex count, an upper bound).

Argument checks (types, ranges, finiteness, shapes; sizes against :func:`landscape.max_bytes`) run on concrete
values. Under ``jax.jit``/``jax.vmap`` the arguments are tracers and only shapes are checked: call a function
once on concrete inputs before transforming it (the package docstring: errors and limits).
"""

from __future__ import annotations

import math
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
from scipy.optimize import brentq
from scipy.special import gammaln, ndtr, sici

from . import _validate, fields, rmt

__all__ = [
    "e_infinity",
    "threshold_energy",
    "complexity",
    "complexity_index",
    "ground_state_energy",
    "index_energy",
    "typical_index",
    "expected_critical_points",
    "critical_point_density",
    "fraction_of_minima",
    "expected_critical_points_by_index",
    "expected_critical_points_above",
    "complexity_mixed",
    "expected_critical_points_mixed",
    "mixed_threshold_energy",
    "complexity_mixed_minima",
    "mixed_minima_top_energy",
    "MAX_EXACT_N",
    "MAX_EXACT_N_BY_INDEX",
]

MAX_EXACT_N = 5000
"""Largest ``n`` accepted by :func:`expected_critical_points` (cost :math:`O(n^2)`, about 1.5 s at the limit)."""

MAX_EXACT_N_BY_INDEX = 50
"""Largest ``n`` accepted by :func:`expected_critical_points_by_index` (the cost grows steeply: about 3 s at
``n = 40`` and several times that at the limit on a 2-core CPU)."""


def _degree(p: Any) -> int:
    return _validate.integer("p", p, minimum=2)


def _energies(u: Any) -> jax.Array:
    """``u`` as a float64 array after checking it is real, numeric and (when concrete) finite (no NaN)."""
    return rmt._real_array("u", u)


def e_infinity(p: int) -> float:
    r""":math:`E_\infty(p) = 2\sqrt{(p-1)/p}`, the energy scale at which the Hessian bulk touches zero.

    Auffinger, Ben Arous & Černý (2013). For :math:`p = 3`, :math:`E_\infty = 1.632993\ldots`.
    """
    p = _validate.integer("p", p, minimum=2)
    return 2.0 * math.sqrt((p - 1) / p)


def threshold_energy(p: int) -> float:
    r"""The threshold energy :math:`u_{\mathrm{th}} = -E_\infty(p) = -2\sqrt{(p-1)/p}` (energy per spin).

    Below it the semicircle :math:`-pu + 2\sqrt{p(p-1)}\,[-1, 1]` of Hessian eigenvalues lies in
    :math:`(0, \infty)`: typical critical points are minima (Auffinger, Ben Arous & Černý 2013).
    """
    return -e_infinity(p)


# ------------------------------------------------------------------------------------- annealed complexity


@jax.jit
def _eigenvalue_rate(x: jax.Array) -> jax.Array:
    r"""Large-deviation rate of one GOE eigenvalue at :math:`|x| > 2` (0 inside the bulk):
    :math:`I(x) = \frac{|x|}4\sqrt{x^2-4} - \log\frac{|x| + \sqrt{x^2-4}}2 = \frac12\int_2^{|x|}\sqrt{t^2-4}\,dt`,
    written with :math:`r = \sqrt{1 - 4/x^2}` as :math:`x^2 r/4 - \log(|x|(1+r)/2)`: finite for all real x and
    NaN-free under ``jax.grad``."""
    ax = jnp.abs(x)
    outside = ax > 2.0
    xo = jnp.where(outside, ax, 4.0)
    r = jnp.sqrt(1.0 - 4.0 / xo**2)
    return jnp.where(outside, xo**2 * r / 4.0 - (jnp.log(xo) + jnp.log1p(r) - math.log(2.0)), 0.0)


def _bulk(u: jax.Array, p: jax.Array) -> jax.Array:
    r""":math:`\frac12\log(p-1) - \frac{p-2}{4(p-1)}u^2`; for p = 2 the quadratic term is 0 (not ``0 * inf``)."""
    quadratic = jnp.where(p == 2.0, 0.0, (p - 2.0) / (4.0 * (p - 1.0)) * u**2)
    return 0.5 * jnp.log(p - 1.0) - quadratic


@jax.jit
def _sigma(u: jax.Array, p: jax.Array) -> jax.Array:
    return _bulk(u, p) - _eigenvalue_rate(u * jnp.sqrt(p / (p - 1.0)))


@jax.jit
def _theta(u: jax.Array, p: jax.Array, k: jax.Array) -> jax.Array:
    e_inf = 2.0 * jnp.sqrt((p - 1.0) / p)
    below = u < -e_inf
    us = jnp.where(below, u, -e_inf)
    value = _bulk(us, p) - (k + 1.0) * _eigenvalue_rate(us * jnp.sqrt(p / (p - 1.0)))
    return jnp.where(below, value, 0.5 * jnp.log(p - 1.0) - (p - 2.0) / p)


def complexity(u: Any, p: int) -> jax.Array:
    r"""Annealed complexity (density form) of all critical points of the pure spherical p-spin at energy ``u``:

    .. math:: \Sigma_p(u) = \lim_{N\to\infty}\frac1N\log\mathbb E\,\#\{\text{critical points with }
        H/N \in (u, u + du)\} = \frac12 + \frac12\log(p-1) - \frac{u^2}2 + \Omega\Big(u\sqrt{\tfrac{p}{p-1}}\Big),

    with :math:`\Omega` the log-potential of the semicircle (:func:`landscape.rmt.semicircle_log_potential`).
    The terms are the Kac–Rice factors: the volume of :math:`S_N` with the density of the gradient at zero and the
    scale :math:`\sqrt{p(p-1)}` of the Hessian (together :math:`\frac12 + \frac12\log(p-1)`), the Gaussian
    density of :math:`H/N` (:math:`-u^2/2`), and :math:`\frac1N\log\mathbb E|\det|` of the shifted GOE
    (:math:`\Omega`) (Fyodorov 2004; Auffinger, Ben Arous & Černý 2013). Equivalently

    .. math:: \Sigma_p(u) = \frac12\log(p-1) - \frac{p-2}{4(p-1)}u^2 - I_1(u), \qquad
        I_1(u) = \frac{|u|}{E_\infty^2}\sqrt{u^2 - E_\infty^2} - \log\frac{|u| + \sqrt{u^2 - E_\infty^2}}{E_\infty}

    for :math:`|u| > E_\infty` and :math:`I_1 = 0` inside (the cost of pushing one Hessian eigenvalue out of the
    bulk), which is how it is evaluated: continuous with a continuous derivative at :math:`\pm E_\infty`,
    even in ``u``, maximal at :math:`u = 0` where it equals :math:`\frac12\log(p-1)`, and finite (no NaN) for every
    real ``u``. For :math:`p = 2` it vanishes on :math:`[-\sqrt2, \sqrt2]` (there are exactly :math:`2N`
    critical points, :math:`\pm` the eigenvectors) and is minus the eigenvalue large-deviation rate outside.

    Args:
        u: real array or scalar of energies per spin (finite).
        p: integer ``>= 2``.

    Returns:
        float64 array of the shape of ``u``.
    """
    p = _degree(p)
    return _sigma(_energies(u), jnp.float64(p))


def complexity_index(u: Any, p: int, k: int) -> jax.Array:
    r"""Cumulative annealed complexity of critical points of index ``k`` below energy ``u`` (pure p-spin):

    .. math:: \Theta_{k,p}(u) = \lim_{N\to\infty}\frac1N\log\mathbb E\,\mathrm{Crit}_{N,k}\big((-\infty, u]\big)
        = \begin{cases} \frac12\log(p-1) - \frac{p-2}{4(p-1)}u^2 - (k+1)\,I_1(u), & u < -E_\infty, \\[0.5ex]
        \frac12\log(p-1) - \frac{p-2}{p}, & u \ge -E_\infty, \end{cases}

    Auffinger, Ben Arous & Černý (2013) (same energy units as the book; see the module docstring).
    Below the threshold the density of index-``k`` points is increasing in ``u``, so the cumulative form is the
    density; in the picture of ABC, the energy becomes the :math:`(k+1)`-th smallest eigenvalue of a GOE(N) matrix,
    so :math:`k+1` eigenvalues leave the bulk, each at the large-deviation cost :math:`I_1`. Above
    the threshold a finite index needs a macroscopic deviation of the spectrum, so no more index-``k`` points are
    added at this scale. :math:`\Theta_k` is continuous (and in ``u`` non-decreasing) with a kink at :math:`-E_\infty`
    (left slope :math:`(p-2)E_\infty/(2(p-1))`, right slope 0); :math:`\Theta_0 \ge \Theta_1 \ge \dots`, with
    equality exactly for :math:`u \ge -E_\infty`. For :math:`p = 2` it is :math:`-(k+1)I_1(u)` below
    :math:`-\sqrt2` and 0 above.

    Args:
        u: real array or scalar (finite).
        p: integer ``>= 2``.
        k: the index, an integer ``>= 0``.

    Returns:
        float64 array of the shape of ``u``; finite for every real ``u``.
    """
    p = _degree(p)
    k = _validate.integer("k", k, minimum=0)
    return _theta(_energies(u), jnp.float64(p), jnp.float64(k))


def _theta_scalar(u: float, p: int, k: int) -> float:
    """:math:`\\Theta_{k,p}(u)` in plain Python floats (for root finding), identical in value to :func:`_theta`."""
    e_inf = 2.0 * math.sqrt((p - 1) / p)
    if u >= -e_inf:
        return 0.5 * math.log(p - 1) - (p - 2) / p
    x = -u * math.sqrt(p / (p - 1))
    r = math.sqrt(1.0 - 4.0 / (x * x))
    rate = x * x * r / 4.0 - (math.log(x) + math.log1p(r) - math.log(2.0))
    return 0.5 * math.log(p - 1) - (p - 2) / (4.0 * (p - 1)) * u * u - (k + 1) * rate


def typical_index(u: Any, n: int, p: int) -> np.ndarray:
    r"""The index of a typical critical point of the pure p-spin at energy per spin ``u`` on :math:`S_N`, to leading
    order in :math:`N` (the index–energy line):

    .. math:: k(u) = (N-1)\,F\Big(u\sqrt{\tfrac p{p-1}}\Big) = (N-1)\,F\Big(\frac{2u}{E_\infty}\Big),

    :math:`F` the semicircle distribution function (:func:`landscape.rmt.semicircle_cdf`). Conditioned on being
    critical at energy :math:`Nu`, the Riemannian Hessian is :math:`\sqrt{(N-1)/N}\sqrt{p(p-1)}\,W_{N-1} - pu\,I`
    (the book's notation sheet), whose eigenvalues are negative where the GOE's are below
    :math:`pu/\sqrt{p(p-1)}`, a fraction :math:`F(u\sqrt{p/(p-1)})` of them as :math:`N \to \infty`
    (Auffinger, Ben Arous & Černý 2013: the index of critical points at energy :math:`u` concentrates at
    :math:`N F(\cdot)`). It is 0 at and below :math:`u_{\rm th} = -E_\infty` (:func:`threshold_energy`),
    :math:`(N-1)/2` at :math:`u = 0` and :math:`N-1` from :math:`E_\infty` up.

    Args:
        u: real array of energies per spin (finite).
        n: :math:`N`, an integer ``>= 2``.
        p: integer ``>= 2``.

    Returns:
        float64 NumPy array of the shape of ``u``: the (real-valued) leading-order index.
    """
    n = _validate.integer("n", n, minimum=2)
    p = _degree(p)
    u = np.asarray(_energies(u))
    return (n - 1) * np.asarray(rmt.semicircle_cdf(u * math.sqrt(p / (p - 1))))


def index_energy(p: int, k: int) -> float:
    r"""The energy :math:`-E_k(p)` below which critical points of index ``k`` are exponentially rare:
    the zero of :math:`\Theta_{k,p}` (:func:`complexity_index`).

    Auffinger, Ben Arous & Černý (2013): :math:`-E_0 < -E_1 < -E_2 < \dots \uparrow -E_\infty`
    (the *layered* bottom of the landscape: below :math:`-E_k` there are, in expectation, exponentially few
    critical points of index :math:`\ge k`). Solved with :func:`scipy.optimize.brentq` to :math:`10^{-14}` on the
    bracket :math:`[u_-, -E_\infty]`, :math:`u_- = -\max\big(E_\infty, \sqrt{2(p-1)\log(p-1)/(p-2)}\big) - 1`,
    which contains exactly one zero for :math:`p \ge 3`: :math:`\Theta_k` is strictly increasing on
    :math:`(-\infty, -E_\infty]` (the quadratic term increases and :math:`I_1` decreases there);
    :math:`\Theta_k(-E_\infty) = \frac12\log(p-1) - \frac{p-2}p > 0` (true at :math:`p = 3` and increasing in
    :math:`p`, since its derivative is :math:`(p-2)^2/(2p^2(p-1)) \ge 0`); and
    :math:`\Theta_k(u_-) \le \frac12\log(p-1) - \frac{p-2}{4(p-1)}u_-^2 < 0` because :math:`I_1 \ge 0`.
    For :math:`p = 2`, :math:`\Theta_k = 0` on :math:`[-\sqrt2, \infty)`: every :math:`-E_k` is :math:`-\sqrt2`,
    the smallest eigenvalue of the coupling matrix, i.e. the ground state (returned exactly).

    Values (book = ABC units): :math:`p = 3`: :math:`-1.6569984, -1.6528732, -1.6502531, -1.6483990, \dots \to
    -1.6329932`; :math:`p = 4`: :math:`-E_0 = -1.7940850`.

    Args:
        p: integer ``>= 2``.
        k: the index, an integer ``>= 0``.

    Returns:
        :math:`-E_k(p)` as a float (energy per spin).
    """
    p = _degree(p)
    k = _validate.integer("k", k, minimum=0)
    e_inf = e_infinity(p)
    if p == 2:
        return -e_inf
    lower = -max(e_inf, math.sqrt(2.0 * (p - 1) * math.log(p - 1) / (p - 2))) - 1.0
    return float(brentq(_theta_scalar, lower, -e_inf, args=(p, k), xtol=1e-14, rtol=4 * np.finfo(float).eps,
                        maxiter=500))


def ground_state_energy(p: int) -> float:
    r"""The ground-state energy :math:`-E_0(p)` of the pure spherical p-spin (per spin), the zero of
    :math:`\Theta_{0,p}`:

    .. math:: \frac12\log(p-1) - \frac{p-2}{4(p-1)}E_0^2 - I_1(-E_0) = 0 .

    :math:`-E_0 = -1.6569984` for :math:`p = 3` and :math:`-1.7940850` for :math:`p = 4`. That the minimum of
    :math:`H/N` converges to :math:`-E_0` (annealed = quenched here) is Subag (2017) for :math:`p \ge 3`; the zero of
    the annealed complexity is always a lower bound (Auffinger, Ben Arous & Černý 2013). In the units of
    Crisanti–Sommers (:math:`\xi = q^p/2`) divide by :math:`\sqrt2`. See :func:`index_energy` (``k = 0``), which
    also explains :math:`p = 2` (:math:`-\sqrt2`).
    """
    return index_energy(p, 0)


# --------------------------------------------------------------------------------- exact finite-N counts


def _log_expected_total(n: int, ratio: float, r: float) -> float:
    r"""log E Crit_n for a field with :math:`\xi''(1)/\xi'(1) =` ``ratio`` and :math:`r = 1 + \xi'(1)/\xi''(1)`:
    :math:`\log\big[2\sqrt{2/r}\,\mathrm{ratio}^{(n-1)/2}\int e^{-(1/r - 1/2)z^2}\sigma_n(z)\,dz\big]`, with
    :math:`\sigma_n` Mehta's density (normalised to ``n``); the pure p-spin is ``ratio = p - 1``, ``r = p/(p-1)``.
    Trapezoidal rule, which converges exponentially for this entire integrand decaying like :math:`e^{-z^2/r}`
    (step :math:`\min(0.2, 0.5/\sqrt{n+1})`, range :math:`|z| \le \sqrt{2n} + 10\sqrt r`)."""
    h = min(0.2, 0.5 / math.sqrt(n + 1))
    half = math.ceil((math.sqrt(2.0 * n) + 10.0 * math.sqrt(r)) / h)
    z = h * np.arange(-half, half + 1)
    integral = h * float(np.sum(np.exp(-(1.0 / r - 0.5) * z * z) * rmt._mehta_goe_density(z, n)))
    return math.log(2.0) + 0.5 * math.log(2.0 / r) + 0.5 * (n - 1) * math.log(ratio) + math.log(integral)


def _value_or_log(value: float, log: Any, n: int) -> float:
    """``value`` (a log-count) itself if ``log``, else its exponential, refusing to overflow."""
    if not isinstance(log, (bool, np.bool_)):
        raise TypeError(f"log must be a bool, got {log!r}")
    if log:
        return value
    if value > math.log(np.finfo(float).max):
        raise OverflowError(f"E Crit_n = exp({value:.1f}) overflows a float for n = {n}: use log=True")
    return math.exp(value)


def expected_critical_points(n: int, p: int, log: bool = False) -> float:
    r"""Exact expected number of critical points of the pure p-spin on :math:`S_N` (``n`` = :math:`N` coordinates).

    From the Kac–Rice formula (module docstring) and the identity
    :math:`\mathbb E|\det(A_{N-1} - x)| = \frac{Z_N}{Z_{N-1}} e^{x^2/4}\rho_N(x)` (the point :math:`x` becomes an
    :math:`N`-th eigenvalue; :math:`Z_N` the Selberg–Mehta constants, :math:`Z_N/Z_{N-1} = 2^{(N+3)/2}\Gamma(N/2+1)`),

    .. math:: \mathbb E\,\mathrm{Crit}_N = 2\sqrt{\tfrac2p}\,(p-1)^{N/2}\int_{\mathbb R}
        e^{-\frac{p-2}{2p}z^2}\,\sigma_N(z)\,dz = 2N\sqrt{\tfrac2p}\,(p-1)^{N/2}\,
        \mathbb E_{\rho_N}\big[e^{-\frac{p-2}{4p}x^2}\big],

    :math:`\sigma_N` the GOE density in Mehta's normalisation (:func:`landscape.rmt.finite_n_goe_density`,
    rescaled), the prefactor of Auffinger, Ben Arous & Černý (2013). Closed forms (tests):
    :math:`2\sqrt{3p-2}` for :math:`N = 2` (the circle: :math:`2\sqrt{\lambda_4/\lambda_2}` for the covariance
    :math:`\cos^p\theta`), :math:`2 + 8(p-1)^{3/2}/\sqrt{3p-2}` for :math:`N = 3` (from
    :math:`\mathbb E|\det(A_2 - x)| = x^2 - 1 + 2\sqrt2\,e^{-x^2/4}`; two critical points per real eigenvector
    line of a Gaussian symmetric tensor, cf. Draisma & Horobeţ 2016), :math:`2N` for :math:`p = 2`. For large
    :math:`N`,

    .. math:: \mathbb E\,\mathrm{Crit}_N = 4\sqrt{\tfrac{2N}{\pi(p-2)}}\,(p-1)^{N/2}
        \Big(1 - \frac{p-1}{2(p-2)N} + O(N^{-2})\Big),

    so :math:`\frac1N\log\mathbb E\,\mathrm{Crit}_N = \frac12\log(p-1) + \frac{\log N}{2N} + O(\frac1N)`
    (the :math:`1/N` term comes from the curvature of the semicircle and the :math:`-1/(4\pi N)` GOE correction
    to the density at 0). The integral is evaluated by the trapezoidal rule to about 14 digits.

    Args:
        n: :math:`N`, the number of coordinates, an integer in ``[2, MAX_EXACT_N]`` (the sphere is :math:`S^{N-1}`).
        p: integer ``>= 2``.
        log: return :math:`\log\mathbb E\,\mathrm{Crit}_N` instead (no overflow for large ``n``).

    Returns:
        the expectation (or its natural logarithm) as a float.

    Raises:
        OverflowError: when the expectation exceeds the float range (e.g. ``n = 700``, ``p = 10``) and ``log``
            is false.
    """
    n = _validate.integer("n", n, minimum=2, maximum=MAX_EXACT_N)
    p = _degree(p)
    return _value_or_log(_log_expected_total(n, p - 1.0, p / (p - 1.0)), log, n)


def critical_point_density(u: Any, n: int, p: int, log: bool = False) -> np.ndarray:
    r"""Exact density in energy of the expected number of critical points of the pure p-spin on :math:`S_N`.

    :math:`\mathbb E\,\mathrm{Crit}_N([a, b]) = \int_a^b \mathcal N_N(u)\,du` with (module docstring, and
    :math:`A_N = \sqrt N\,W_N`)

    .. math:: \mathcal N_N(u) = 2\sqrt2\,N\,(p-1)^{\frac{N-1}2}\,e^{-\frac{(p-2)N}{4(p-1)}u^2}\,
        \rho_N\Big(u\sqrt{\tfrac p{p-1}}\Big),

    :math:`\rho_N` the exact GOE density in the book's normalisation (:func:`landscape.rmt.finite_n_goe_density`,
    normalised to 1). Its integral is :func:`expected_critical_points`; inside the bulk
    :math:`\frac1N\log\mathcal N_N(u) \to \frac12\log(p-1) - \frac{p-2}{4(p-1)}u^2`, and outside the GOE density
    decays like :math:`e^{-NI(x)}`, so the limit is :func:`complexity` everywhere (Auffinger, Ben Arous & Černý 2013).

    Args:
        u: real array of energies per spin (finite).
        n: :math:`N`, an integer in ``[2, MAX_EXACT_N]``.
        p: integer ``>= 2``.
        log: return :math:`\log\mathcal N_N(u)` instead (no overflow at large ``n``; ``-inf`` where the GOE
            density underflows).

    Returns:
        float64 NumPy array of the shape of ``u``.
    """
    n = _validate.integer("n", n, minimum=2, maximum=MAX_EXACT_N)
    p = _degree(p)
    if not isinstance(log, (bool, np.bool_)):
        raise TypeError(f"log must be a bool, got {log!r}")
    u = np.asarray(_energies(u))
    log_front = math.log(2.0 * math.sqrt(2.0) * n) + 0.5 * (n - 1) * math.log(p - 1)
    rho = rmt.finite_n_goe_density(u * math.sqrt(p / (p - 1)), n)
    with np.errstate(divide="ignore"):
        value = log_front - (p - 2) * n * u * u / (4.0 * (p - 1)) + np.log(rho)
    return value if log else np.exp(value)


def fraction_of_minima(u: Any, n: int, p: int, law: str = "typical") -> np.ndarray:
    r"""Exact finite-:math:`N` probability that the Riemannian Hessian of the pure p-spin at energy :math:`u` is
    positive definite, under one of two laws (``n`` = :math:`N`).

    ``law="fixed"``: at a *fixed* point conditioned on :math:`\operatorname{grad}H = 0` and :math:`H = Nu`, the
    Hessian is :math:`\sqrt{(N-1)/N}\sqrt{p(p-1)}\,W_{N-1} - pu\,I` (module docstring), so the answer is

    .. math:: \mathbb P_{\mathrm{fixed}}(u) = \mathbb P\big(\lambda_{\min}(A_{N-1}) > x\big),
        \qquad x = u\sqrt{Np/(p-1)},

    ``A`` the GOE of unit off-diagonal variance. ``law="typical"``: at a *typical critical point* of energy
    :math:`u` (each critical point counted once), the same law weighted by :math:`|\det\operatorname{Hess}|`, which
    is the ratio of the Kac–Rice densities by index (Auffinger, Ben Arous & Černý 2013, the formula for
    :math:`\mathbb E\,\mathrm{Crit}_{N,k}` in the module docstring):

    .. math:: \mathbb P_{\mathrm{typical}}(u) = \frac{\mathbb E\,\mathrm{Crit}_{N,0}(du)}{\mathbb E\,\mathrm{Crit}_N(du)}
        = \frac{\mathbb E\big[|\det(A_{N-1} - x)|\,\mathbf 1\{A_{N-1} > x\}\big]}{\mathbb E\,|\det(A_{N-1} - x)|}
        = \frac{\rho^{(1)}_N(x)}{N\rho_N(x)},

    the last form (:math:`\rho^{(1)}_N` the density of the smallest eigenvalue of :math:`A_N`, :math:`\rho_N` its
    one-point density) because :math:`x` enters as an :math:`N`-th eigenvalue. Both are evaluated with the de
    Bruijn Pfaffians of :func:`expected_critical_points_by_index` (Mehta's GOE, :math:`\xi = x/\sqrt2`): the
    generating function :math:`\mathbb E[\prod_j (z_j - \xi)^{w}\tau^{\#\{z_j<\xi\}}]` at :math:`\tau = 0` and
    :math:`\tau = -1` (``w = 1``, typical) or :math:`\tau = 0` and :math:`\tau = 1` (``w = 0``, fixed). Two Pfaffians
    per energy, so the cost is :math:`O(N^3)` per energy (about 0.1 s at :math:`N = 50`). Checks (tests): the
    typical law times :func:`critical_point_density` is the energy derivative of
    :func:`expected_critical_points_above` for ``k = 0`` and integrates to
    :func:`expected_critical_points_by_index`; both laws match sampled GOE matrices. Where minima are common the
    typical law is the larger, since the weight :math:`|\det|` favours spectra far from zero.

    Args:
        u: real array of energies per spin (finite).
        n: :math:`N`, an integer in ``[2, MAX_EXACT_N_BY_INDEX]``.
        p: integer ``>= 2``.
        law: ``"typical"`` (a typical critical point) or ``"fixed"`` (a fixed point, conditioned).

    Returns:
        float64 NumPy array of the shape of ``u``, values in :math:`[0, 1]` (accurate to about
        :math:`10^{-10}` absolute at :math:`N = 50`).
    """
    n = _validate.integer("n", n, minimum=2, maximum=MAX_EXACT_N_BY_INDEX)
    p = _degree(p)
    if law not in ("typical", "fixed"):
        raise ValueError(f"law must be 'typical' or 'fixed', got {law!r}")
    u = np.asarray(_energies(u))
    xi = u.reshape(-1) * math.sqrt(n * p / (2.0 * (p - 1)))
    weighted = law == "typical"
    taus = np.array([0.0, -1.0 if weighted else 1.0])
    chunk = max(1, 2048 // (n * n))
    g = np.concatenate([_index_generating_function(xi[i:i + chunk], n - 1, taus, weighted)
                        for i in range(0, xi.size, chunk)]) if xi.size else np.zeros((0, 2))
    return np.clip(g[:, 0] / g[:, 1], 0.0, 1.0).reshape(u.shape)


def _pfaffian(a: np.ndarray) -> np.ndarray:
    """Pfaffians of a batch ``(..., m, m)`` of skew-symmetric matrices, ``m`` even: skew Gaussian elimination
    with partial pivoting (Parlett–Reid style), :math:`\\mathrm{Pf}\\begin{pmatrix}0 & a & b^\\top\\\\ -a & 0 &
    c^\\top\\\\ -b & -c & D\\end{pmatrix} = a\\,\\mathrm{Pf}\\big(D + (cb^\\top - bc^\\top)/a\\big)`."""
    a = np.array(a, copy=True)
    m = a.shape[-1]
    batch = a.shape[:-2]
    a = a.reshape((-1, m, m))
    rows = np.arange(a.shape[0])
    result = np.ones(a.shape[0], dtype=a.dtype)
    for k in range(0, m - 1, 2):
        j = k + 1 + np.argmax(np.abs(a[:, k, k + 1:]), axis=1)
        swap = j != k + 1
        if swap.any():
            b, js = rows[swap], j[swap]
            tmp = a[b, k + 1, :].copy()
            a[b, k + 1, :] = a[b, js, :]
            a[b, js, :] = tmp
            tmp = a[b, :, k + 1].copy()
            a[b, :, k + 1] = a[b, :, js]
            a[b, :, js] = tmp
            result[swap] = -result[swap]
        pivot = a[:, k, k + 1]
        result = result * pivot
        if k + 2 < m:
            safe = np.where(pivot == 0, 1.0, pivot)[:, None, None]
            b_vec, c_vec = a[:, k, k + 2:], a[:, k + 1, k + 2:]
            outer = c_vec[:, :, None] * b_vec[:, None, :] - b_vec[:, :, None] * c_vec[:, None, :]
            a[:, k + 2:, k + 2:] += outer / safe
    return result.reshape(batch)


def _log_reference_pfaffian(m: int) -> float:
    r"""log of :math:`\int_{z_1<\dots<z_m}\det[\psi_{i-1}(z_j)]\,dz = \big(\prod_i c_{i-1}\big) Z_m / m!`, with
    :math:`c_k = (2^k/(k!\sqrt\pi))^{1/2}` the leading coefficient of :math:`\psi_k e^{z^2/2}` and
    :math:`Z_m = \int_{\mathbb R^m}|\Delta(z)|e^{-\sum z^2/2} = (2\pi)^{m/2}\prod_{j=1}^m\Gamma(1+j/2)/\Gamma(3/2)`
    (Mehta's integral)."""
    j = np.arange(1, m + 1)
    log_z = 0.5 * m * math.log(2 * math.pi) + float(np.sum(gammaln(1 + j / 2))) - m * float(gammaln(1.5))
    k = np.arange(m)
    log_c = 0.5 * (k * math.log(2.0) - gammaln(k + 1) - 0.5 * math.log(math.pi))
    return log_z - float(gammaln(m + 1)) + float(np.sum(log_c))


def _shifted_cumulative(integrals: np.ndarray, xi: np.ndarray, m: int) -> np.ndarray:
    r"""Integrals of :math:`f_j(z) = \psi_j(z)(z - \xi)` from those of :math:`\psi_0..\psi_m`, using
    :math:`z\psi_j = \sqrt{(j+1)/2}\,\psi_{j+1} + \sqrt{j/2}\,\psi_{j-1}`."""
    j = np.arange(m).reshape((-1,) + (1,) * (integrals.ndim - 1))
    lower = np.concatenate([np.zeros_like(integrals[:1]), integrals[:m - 1]], axis=0)
    return np.sqrt((j + 1) / 2.0) * integrals[1:m + 1] + np.sqrt(j / 2.0) * lower - xi * integrals[:m]


def _signed_index_polynomial(xi: np.ndarray, m: int, weighted: bool = True) -> np.ndarray:
    r"""``c[:, k]`` with :math:`\mathbb E\big[\prod_{j=1}^m (z_j - \xi)\,\tau^{\#\{j: z_j < \xi\}}\big] =
    \sum_{k=0}^m c_k(\xi)\tau^k` for Mehta's GOE(m), at each ``xi``: the values of
    :func:`_index_generating_function` at the ``m+1`` roots of unity, turned into coefficients by a discrete
    Fourier transform (``weighted=False``: the probabilities :math:`\mathbb P(\#\{j: z_j < \xi\} = k)`)."""
    taus = np.exp(2j * np.pi * np.arange(m + 1) / (m + 1))
    return np.fft.fft(_index_generating_function(xi, m, taus, weighted), axis=1).real / (m + 1)


def _index_generating_function(xi: np.ndarray, m: int, taus: np.ndarray, weighted: bool = True) -> np.ndarray:
    r"""``g[:, t]`` :math:`= \mathbb E\big[\prod_{j=1}^m (z_j - \xi)\,\tau_t^{\#\{j: z_j < \xi\}}\big]` for
    Mehta's GOE(m), at each ``xi`` and each ``tau`` in ``taus`` (shape ``(xi.size, taus.size)``).

    De Bruijn's formula writes the ordered integral of :math:`\det[\psi_{i-1}(z_j)(z_j - \xi)\tau^{1\{z_j<\xi\}}]` as
    a Pfaffian with entries :math:`\iint \operatorname{sgn}(v - t)\,\phi_i(t)\phi_j(v)`; splitting the line at
    :math:`\xi` makes each entry :math:`\tau^2 A^L + \tau(m^L m^{R\top} - m^R m^{L\top}) + A^R`, where the half-line
    integrals :math:`m^{L,R}` are exact (Hermite recurrences) and :math:`A^{L,R}` are one-dimensional integrals of
    exact cumulative functions (Gauss–Legendre). The Pfaffian is a polynomial of degree ``m`` in :math:`\tau`; its
    coefficients come from its values at the ``m+1`` roots of unity (``_signed_index_polynomial``); at
    :math:`\tau = 0` it is the index-0 coefficient and at :math:`\tau = -1` the expected :math:`|\prod_j(z_j-\xi)|`.

    With ``weighted=False`` the factor :math:`\prod_j (z_j - \xi)` is left out (:math:`\phi_i = \psi_{i-1}`
    instead of :math:`\psi_{i-1}(z)(z - \xi)`): the generating function is then
    :math:`\mathbb E\,\tau^{\#\{j: z_j < \xi\}}`, 1 at :math:`\tau = 1`.
    """
    num = xi.size
    nodes, weights = np.polynomial.legendre.leggauss(2 * m + 60)
    reach = math.sqrt(2 * m + 1) + 10.0
    lo, hi = np.minimum(-reach, xi - 1.0), np.maximum(reach, xi + 1.0)
    v_left = lo[:, None] + (xi - lo)[:, None] * (nodes + 1) / 2
    w_left = (xi - lo)[:, None] * weights / 2
    v_right = xi[:, None] + (hi - xi)[:, None] * (nodes + 1) / 2
    w_right = (hi - xi)[:, None] * weights / 2
    psi_left, psi_right = rmt._hermite_functions(v_left, m + 1), rmt._hermite_functions(v_right, m + 1)
    psi_at = rmt._hermite_functions(xi, m + 1)
    cum_left = rmt._hermite_function_integrals(v_left, psi_left)
    cum_right = rmt._hermite_function_integrals(v_right, psi_right, upper=True)
    m_left = rmt._hermite_function_integrals(xi, psi_at)
    m_right = rmt._hermite_function_integrals(xi, psi_at, upper=True)
    if weighted:
        f_left = psi_left[:m] * (v_left - xi[:, None])
        f_right = psi_right[:m] * (v_right - xi[:, None])
        cum_left = _shifted_cumulative(cum_left, xi[:, None], m)
        cum_right = _shifted_cumulative(cum_right, xi[:, None], m)
        m_left = _shifted_cumulative(m_left, xi, m).T
        m_right = _shifted_cumulative(m_right, xi, m).T
    else:
        f_left, f_right = psi_left[:m], psi_right[:m]
        cum_left, cum_right = cum_left[:m], cum_right[:m]
        m_left, m_right = m_left[:m].T, m_right[:m].T
    # A^L_ij = ∫_L f_j (2 F_i - F_i(ξ)) = B_ij - B_ji with B_ij = ∫_L f_j F_i;
    # A^R = C^T - C with C_ij = ∫_R f_j U_i
    b_left = np.einsum("ikq,jkq,kq->kij", cum_left, f_left, w_left)
    c_right = np.einsum("ikq,jkq,kq->kij", cum_right, f_right, w_right)
    a_left = b_left - np.swapaxes(b_left, 1, 2)
    a_right = np.swapaxes(c_right, 1, 2) - c_right
    cross = m_left[:, :, None] * m_right[:, None, :] - m_right[:, :, None] * m_left[:, None, :]
    taus = np.asarray(taus)[None, :, None, None]
    mats = taus**2 * a_left[:, None] + taus * cross[:, None] + a_right[:, None]
    if m % 2:
        col = taus[..., 0] * m_left[:, None, :] + m_right[:, None, :]
        full = np.zeros((num, taus.shape[1], m + 1, m + 1), dtype=mats.dtype)
        full[..., :m, :m] = mats
        full[..., :m, m] = col
        full[..., m, :m] = -col
        mats = full
    return _pfaffian(mats) * math.exp(-_log_reference_pfaffian(m))


def _signed_index_table(xi: np.ndarray, m: int) -> np.ndarray:
    """:func:`_signed_index_polynomial` over a long grid, in chunks that keep the Pfaffian batches small."""
    chunk = max(1, 4096 // ((m + 1) * (m + 1)))
    return np.concatenate([_signed_index_polynomial(xi[i:i + chunk], m) for i in range(0, xi.size, chunk)])


def _expected_by_index(n: int, p: int) -> np.ndarray:
    r""":math:`\mathbb E\,\mathrm{Crit}_{n,k}`, ``k = 0..n-1``: :math:`\frac{2(p-1)^{n/2}}{\sqrt p\,\Gamma(n/2)}(-1)^k
    \int e^{-(p-1)\xi^2/p} c_k(\xi)\,d\xi` with :math:`c_k` from :func:`_signed_index_polynomial` (``m = n-1``),
    trapezoidal rule with step :math:`\min(0.25, 0.8/\sqrt n)` on :math:`|\xi| \le \sqrt{2n-1} + 8`."""
    m = n - 1
    h = min(0.25, 0.8 / math.sqrt(n))
    half = math.ceil((math.sqrt(2.0 * m + 1) + 8.0) / h)
    xi = h * np.arange(-half, half + 1)
    total = np.exp(-(p - 1) * xi**2 / p) @ _signed_index_table(xi, m)
    log_pref = math.log(2.0) + 0.5 * n * math.log(p - 1) - 0.5 * math.log(p) - float(gammaln(n / 2))
    return math.exp(log_pref) * h * total * (-1.0) ** np.arange(n)


def expected_critical_points_by_index(n: int, p: int, k: int | None = None) -> np.ndarray | float:
    r"""Exact expected number of critical points of each index :math:`k` of the pure p-spin on :math:`S_N`
    (``n`` = :math:`N`).

    Conditioning the Hessian :math:`\sqrt{p(p-1)/N}\,(A_{N-1} - x)` (``A`` with unit off-diagonal variance,
    :math:`x = u\sqrt{Np/(p-1)}`) to have exactly :math:`k` negative eigenvalues means that :math:`x`, added as an
    :math:`N`-th eigenvalue, is the :math:`(k+1)`-th smallest, whence (Auffinger, Ben Arous & Černý 2013)

    .. math:: \mathbb E\,\mathrm{Crit}_{N,k} = 2\sqrt{\tfrac2p}\,(p-1)^{N/2}\;
        \mathbb E\big[e^{-\frac{p-2}{4p}\lambda_{k+1}(A_N)^2}\big]
        = \frac{2(p-1)^{N/2}}{\sqrt p\,\Gamma(N/2)}\int_{\mathbb R} e^{-\frac{p-1}{p}\xi^2}\,
        \mathbb E\Big[\prod_{j=1}^{N-1}|z_j - \xi|\,\mathbf 1\{\#\{z_j < \xi\} = k\}\Big]\,d\xi,

    :math:`z` the eigenvalues of Mehta's GOE(:math:`N-1`). The inner expectation, for all :math:`k` at once, is a
    polynomial in :math:`\tau` given by a de Bruijn Pfaffian (see ``_signed_index_polynomial``); the outer
    integral is a trapezoidal rule. Exact identities (tests): :math:`\sum_k(-1)^k\,\mathbb E\,\mathrm{Crit}_{N,k} =
    \chi(S^{N-1}) = 1 + (-1)^{N-1}` (Morse); :math:`\mathbb E\,\mathrm{Crit}_{N,k} = \mathbb E\,\mathrm{Crit}_{N,N-1-k}`
    for every p (``H`` and ``-H`` have the same law); exactly 2 per index for :math:`p = 2`;
    :math:`\sqrt{3p-2}` each for :math:`N = 2`; for :math:`N = 3`, :math:`1 + 2(p-1)^{3/2}/\sqrt{3p-2}` minima
    and :math:`4(p-1)^{3/2}/\sqrt{3p-2}` saddles. The sum over ``k`` is :func:`expected_critical_points`. Accuracy:
    relative :math:`10^{-12}` for :math:`N \le 20`, down to about :math:`10^{-8}` for the extreme indices at
    :math:`N = 50` (the Fourier extraction has an absolute error of a few ulps of the total).

    Args:
        n: :math:`N`, an integer in ``[2, MAX_EXACT_N_BY_INDEX]``.
        p: integer ``>= 2``.
        k: if given, the index, an integer in ``[0, n-1]`` (``n-1`` is the dimension of the tangent space, so
            ``n-1`` itself, the local maxima, is allowed and anything larger is rejected).

    Returns:
        a float64 NumPy array of length ``n`` (index ``k = 0, ..., n-1``), or one float when ``k`` is given.
    """
    n = _validate.integer("n", n, minimum=2, maximum=MAX_EXACT_N_BY_INDEX)
    p = _degree(p)
    if k is not None:
        k = _validate.integer("k", k, minimum=0, maximum=n - 1)
    values = _expected_by_index(n, p)
    return values if k is None else float(values[k])


def expected_critical_points_above(u: Any, n: int, xi: Any, side: str = "above") -> np.ndarray:
    r"""Exact expected number of critical points of each index with energy above (or below) a level, for the
    pure p-spin or a mixture on :math:`S_N` (``n`` = :math:`N`):
    :math:`\mathbb E\,\mathrm{Crit}_{N,k}(H/N \ge u)`, ``k = 0, ..., N-1``.

    At a point, :math:`X = H/N` and :math:`Y = \sigma\cdot\nabla H/N` are Gaussian (covariance
    :math:`\frac1N\begin{pmatrix}\xi & \xi'\\ \xi' & \xi''+\xi'\end{pmatrix}` at :math:`q = 1`) and independent of
    the tangent gradient and of the tangent Euclidean Hessian :math:`M` (a GOE with off-diagonal variance
    :math:`\xi''/N`); the Riemannian Hessian is :math:`M - Y`. Writing :math:`M = \sqrt{2\xi''/N}\,Z` (``Z`` Mehta's
    GOE, eigenvalue density :math:`\propto|\Delta(z)|e^{-\sum z^2/2}`) and :math:`Y = \sqrt{2\xi''/N}\,\zeta`, the
    Kac–Rice formula becomes

    .. math:: \mathbb E\,\mathrm{Crit}_{N,k}(X \ge u) = \frac{2}{\Gamma(N/2)}
        \Big(\frac{\xi''}{\xi'}\Big)^{\frac{N-1}2}\sqrt{\frac{\xi''}{\xi''+\xi'}}\,(-1)^k
        \int_{\mathbb R} e^{-\frac{\xi''}{\xi''+\xi'}\zeta^2}\,c_k(\zeta)\,
        \mathbb P\big(X \ge u \,\big|\, \zeta\big)\,d\zeta,

    with :math:`c_k(\zeta) = \mathbb E\big[\prod_j(z_j - \zeta)\,\mathbf 1\{\#\{z_j < \zeta\} = k\}\big]` the
    de Bruijn–Pfaffian coefficients of :func:`expected_critical_points_by_index`. Given :math:`\zeta`,
    :math:`X` is Gaussian with mean :math:`\beta\zeta/\sqrt N`, :math:`\beta = \xi'\sqrt{2\xi''}/(\xi''+\xi')`, and
    variance :math:`(\xi - \xi'^2/(\xi''+\xi'))/N`, so the probability is a smooth normal tail and the integral a
    trapezoidal rule. For a pure model :math:`X = Y/p` and the probability is the step
    :math:`\mathbf 1\{\zeta \ge u\sqrt N/\beta\}`: the half-line integral is then taken from the same samples by
    sinc (Whittaker–Stenger) interpolation, :math:`\int_a^\infty \mathrm{sinc}((\zeta-\zeta_i)/h)\,d\zeta =
    h\,(\frac12 - \mathrm{Si}(\pi(a - \zeta_i)/h)/\pi)`, which keeps the trapezoid's exponential accuracy
    (about :math:`10^{-13}` relative to the total). ``side="below"`` uses the symmetry :math:`H \to -H` of the law:
    :math:`\mathbb E\,\mathrm{Crit}_{N,k}(X \le u) = \mathbb E\,\mathrm{Crit}_{N,N-1-k}(X \ge -u)`.

    Checks (tests): the ``u`` :math:`\to -\infty` limit is :func:`expected_critical_points_by_index` (pure) and sums
    to :func:`expected_critical_points_mixed`; the sum over ``k`` is the integral of
    :func:`critical_point_density`; the alternating sum is the Gaussian kinematic formula
    (:func:`landscape.topology.expected_euler_characteristic`).

    Args:
        u: real scalar or array of levels (energy per spin).
        n: :math:`N`, an integer in ``[2, MAX_EXACT_N_BY_INDEX]``.
        xi: an integer ``p >= 2`` or a :class:`landscape.fields.Mixture` with some degree :math:`\ge 2`.
        side: ``"above"`` (:math:`H/N \ge u`) or ``"below"`` (:math:`H/N \le u`).

    Returns:
        float64 NumPy array of shape ``u.shape + (n,)``; entry ``k`` is the expected number of index-``k`` points.
    """
    n = _validate.integer("n", n, minimum=2, maximum=MAX_EXACT_N_BY_INDEX)
    mix = fields._mixture("xi", xi)
    c, b, a = _mixture_moments(mix)
    if side not in ("above", "below"):
        raise ValueError(f"side must be 'above' or 'below', got {side!r}")
    u = np.asarray(_energies(u))
    levels = u if side == "above" else -u
    m = n - 1
    w = a / (a + b)  # Gaussian exponent of zeta
    beta = b * math.sqrt(2.0 * a) / (a + b)
    pure = len(mix.degrees) == 1
    h = min(0.15, 0.5 / math.sqrt(n))
    spread = 0.0 if pure else math.sqrt(max(c - b * b / (a + b), 0.0))
    if not pure:
        h = min(h, 0.5 * spread / beta)
    reach = max(math.sqrt(2.0 * m + 1), math.sqrt(m / (2.0 * w))) + 9.0 / math.sqrt(w)
    half = math.ceil(reach / h)
    zeta = h * np.arange(-half, half + 1)
    table = np.exp(-w * zeta**2)[:, None] * _signed_index_table(zeta, m)
    scaled = levels.reshape(-1, 1) * math.sqrt(n)
    if pure:
        si, _ = sici(np.pi * (scaled / beta - zeta) / h)
        weights = h * (0.5 - si / np.pi)
    else:
        weights = h * ndtr((beta * zeta - scaled) / spread)
    log_pref = math.log(2.0) + 0.5 * m * math.log(a / b) + 0.5 * math.log(w) - float(gammaln(n / 2))
    counts = math.exp(log_pref) * (weights @ table) * (-1.0) ** np.arange(n)
    if side == "below":
        counts = counts[:, ::-1]
    return counts.reshape(u.shape + (n,))


# -------------------------------------------------------------------------------------------------- mixtures


def _mixture_moments(xi: Any) -> tuple[float, float, float]:
    """(ξ(1), ξ'(1), ξ''(1)) of a :class:`landscape.fields.Mixture` (or integer p), with ξ''(1) > 0 checked."""
    mix = fields._mixture("xi", xi)
    c, b, a = (float(fields.xi(mix, 1.0, d)) for d in range(3))
    if not a > 0:
        raise ValueError("xi must contain a degree p >= 2 (xi''(1) > 0); a purely linear field has exactly two "
                         "critical points")
    return c, b, a


@jax.jit
def _sigma_mixed(u: jax.Array, c: jax.Array, b: jax.Array, a: jax.Array) -> jax.Array:
    s2 = jnp.maximum(a + b - b * b / c, 0.0)  # conditional variance of Y given X (times N)
    d = a - s2  # = b (b - c)/c > 0 unless xi(q) = q
    m = b * u / c  # conditional mean of Y
    edge = (2.0 * a - s2) / jnp.sqrt(a)
    inside = jnp.abs(m) <= edge
    f_inside = m**2 / (2.0 * (2.0 * a - s2)) - 0.5
    am = jnp.where(inside, edge + 1.0, jnp.abs(m))
    root = am * jnp.sqrt(jnp.maximum(1.0 - 4.0 * d / am**2, 0.0))
    g = 2.0 * jnp.sqrt(a) / (am + root)  # Stieltjes transform G(x*) at the optimal x* = y*/sqrt(a), in (0, 1)
    f_outside = rmt._log_potential(g + 1.0 / g) - s2 * g**2 / (2.0 * a)  # |x*| = g + 1/g
    f = jnp.where(inside, f_inside, f_outside)
    return 0.5 + 0.5 * jnp.log(a / b) - u**2 / (2.0 * c) + f


def complexity_mixed(u: Any, xi: Any) -> jax.Array:
    r"""Annealed complexity (density form) of critical points at energy ``u`` of a mixed spherical model.

    At a point, :math:`X = H/N` and the radial derivative :math:`Y = \sigma\cdot\nabla H/N` are Gaussian with
    covariance :math:`\frac1N\begin{pmatrix}\xi & \xi' \\ \xi' & \xi'' + \xi'\end{pmatrix}` (at :math:`q = 1`),
    independent of the tangent gradient (variance :math:`\xi'` per component) and of the tangent Euclidean
    Hessian :math:`\sqrt{\xi''}\,W`; the Riemannian Hessian is :math:`\sqrt{\xi''}\,W - Y`. Laplace's method on the
    Kac–Rice integral over :math:`Y = y` gives (Auffinger & Ben Arous 2013)

    .. math:: \Sigma_\xi(u) = \frac12 + \frac12\log\frac{\xi''}{\xi'} - \frac{u^2}{2\xi}
        + \sup_{y\in\mathbb R}\Big[\Omega\Big(\frac{y}{\sqrt{\xi''}}\Big) - \frac{(y - m)^2}{2s^2}\Big],
        \qquad m = \frac{\xi'}{\xi}u,\quad s^2 = \xi'' + \xi' - \frac{\xi'^2}{\xi},

    (the Gaussian exponent of :math:`(u, y)` split as :math:`u^2/(2\xi)` plus that of :math:`Y` given :math:`X`).
    The objective is strictly concave in ``y`` (:math:`2\xi'' > s^2`), and the supremum is explicit: with
    :math:`D = \xi'' - s^2 = \xi'(\xi'/\xi - 1) > 0` and :math:`m_\mathrm{e} = (2\xi'' - s^2)/\sqrt{\xi''}`,

    * :math:`|m| \le m_\mathrm{e}` (bulk): :math:`\sup = \frac{m^2}{2(2\xi'' - s^2)} - \frac12`, so
      :math:`\Sigma_\xi(u) = \frac12\log\frac{\xi''}{\xi'} - \frac{\xi'' - \xi'}{2\xi(2\xi'' - s^2)}u^2`;
    * :math:`|m| > m_\mathrm{e}`: the optimal :math:`x^* = y^*/\sqrt{\xi''}` has Stieltjes transform
      :math:`g = G(|x^*|) = 2\sqrt{\xi''}/(|m| + \sqrt{m^2 - 4D})` (a root of
      :math:`Dg^2 - |m|\sqrt{\xi''}g + \xi'' = 0`),
      :math:`|x^*| = g + 1/g`, and :math:`\sup = \Omega(x^*) - s^2g^2/(2\xi'')`.

    For a pure model (:math:`s^2 = 0`) the supremum sits at :math:`y = pu` and this is exactly
    :func:`complexity`. When :math:`\xi''(1) \ge \xi'(1)` the function :math:`(u, y) \mapsto \Omega - \text{quadratic}`
    is jointly concave (the Schur complement condition is :math:`1/(\xi''+\xi') \ge 1/(2\xi'')`), so
    :math:`\Sigma_\xi` is concave and even with maximum :math:`\frac12\log(\xi''/\xi')` at :math:`u = 0`. For
    :math:`\xi'' < \xi'` the landscape is topologically trivial: at :math:`u = \pm\sqrt{\xi'(1)}` one finds
    :math:`g = \sqrt{\xi''/\xi'}`, and with :math:`\Omega(g + 1/g) = g^2/2 - \log g` the formula gives exactly
    :math:`\Sigma_\xi(\pm\sqrt{\xi'}) = 0`, while :math:`\Sigma_\xi < 0` elsewhere (checked numerically): no
    exponential number of critical points, the extreme ones at the replica-symmetric ground-state energy
    :math:`\mp\sqrt{\xi'(1)}` (cf. Belius, Černý, Nakajima & Schmidt, arXiv:2104.06345). The threshold (edge of
    the bulk case) is :func:`mixed_threshold_energy`.

    Args:
        u: real array or scalar of energies per spin (finite).
        xi: a :class:`landscape.fields.Mixture` (any :math:`\xi(1) > 0`, with some degree :math:`\ge 2`) or an
            integer ``p`` for the pure model.

    Returns:
        float64 array of the shape of ``u``, finite for every real ``u``.
    """
    c, b, a = _mixture_moments(xi)
    return _sigma_mixed(_energies(u), jnp.float64(c), jnp.float64(b), jnp.float64(a))


def expected_critical_points_mixed(n: int, xi: Any, log: bool = False) -> float:
    r"""Exact expected number of critical points of a mixed spherical model on :math:`S_N` (``n`` = :math:`N`).

    With the joint law of :func:`complexity_mixed` the Kac–Rice formula for the total count needs only the radial
    derivative :math:`Y` (variance :math:`(\xi''+\xi')/N`), independent of the tangent gradient and Hessian:

    .. math:: \mathbb E\,\mathrm{Crit}_N = |S_N|\,(2\pi\xi')^{-\frac{N-1}2}\,
        \mathbb E\Big|\det\Big(\sqrt{\tfrac{\xi''(N-1)}N}\,W_{N-1} - Y\Big)\Big| .

    Writing :math:`x = Y\sqrt{N/\xi''}`, a Gaussian of variance :math:`r = 1 + \xi'(1)/\xi''(1)`, and using the
    identity behind :func:`expected_critical_points` for :math:`\mathbb E|\det(A_{N-1} - x)|`,

    .. math:: \mathbb E\,\mathrm{Crit}_N = 2\sqrt{\tfrac2r}\,\Big(\frac{\xi''(1)}{\xi'(1)}\Big)^{\frac{N-1}2}
        \int_{\mathbb R} e^{-(\frac1r - \frac12)z^2}\,\sigma_N(z)\,dz ,

    :math:`\sigma_N` Mehta's GOE density normalised to :math:`N`. For :math:`\xi = q^p`, :math:`r = p/(p-1)` and
    this is :func:`expected_critical_points`. Only :math:`\xi'(1)` and :math:`\xi''(1)` enter (rescaling
    :math:`H` moves no critical point). On the circle it is :math:`2\sqrt{1 + 3\xi''(1)/\xi'(1)}` (Rice's formula
    for the covariance :math:`\xi(\cos\theta)`), and :math:`\frac1N\log\mathbb E\,\mathrm{Crit}_N` tends to
    :math:`\sup_u` :func:`complexity_mixed` (Auffinger & Ben Arous 2013). Evaluated by the same trapezoidal rule as
    :func:`expected_critical_points`, over :math:`|z| \le \sqrt{2N} + 10\sqrt r`.

    Args:
        n: :math:`N`, an integer in ``[2, MAX_EXACT_N]``.
        xi: a :class:`landscape.fields.Mixture` with some degree :math:`\ge 2`, or an integer ``p``.
        log: return the natural logarithm instead.

    Returns:
        the expectation (or its logarithm) as a float.
    """
    n = _validate.integer("n", n, minimum=2, maximum=MAX_EXACT_N)
    _, b, a = _mixture_moments(xi)
    return _value_or_log(_log_expected_total(n, a / b, 1.0 + b / a), log, n)


def mixed_threshold_energy(xi: Any) -> float:
    r"""Threshold energy of a mixed spherical model, where the bulk of the conditional Hessian touches zero:

    .. math:: u_{\mathrm{th}} = -\frac{\xi(1)\,(2\xi''(1) - s^2)}{\xi'(1)\sqrt{\xi''(1)}}
        = -\frac{\xi(\xi'' - \xi') + \xi'^2}{\xi'\sqrt{\xi''}}, \qquad s^2 = \xi'' + \xi' - \frac{\xi'^2}{\xi},

    the energy at which the optimal radial derivative :math:`y^*(u)` of :func:`complexity_mixed` reaches the edge
    :math:`2\sqrt{\xi''}` of the semicircle; for :math:`\xi(1) = 1` it reads
    :math:`-(\xi'' - \xi' + \xi'^2)/(\xi'\sqrt{\xi''})` (cf. Auffinger & Ben Arous 2013). For :math:`\xi = q^p` it is
    :func:`threshold_energy`, :math:`-2\sqrt{(p-1)/p}`.

    Args:
        xi: a :class:`landscape.fields.Mixture` with some degree :math:`\ge 2`, or an integer ``p``.
    """
    c, b, a = _mixture_moments(xi)
    return -(c * (a - b) + b * b) / (b * math.sqrt(a))


@jax.jit
def _sigma_minima(u: jax.Array, c: jax.Array, b: jax.Array, a: jax.Array, pure: jax.Array) -> jax.Array:
    s2 = jnp.maximum(a + b - b * b / c, 0.0)
    u_mg = -c * (2.0 * a - s2) / (b * jnp.sqrt(a))  # mixed_threshold_energy: y*(u) reaches -2 sqrt(xi'')
    gap = 2.0 * jnp.sqrt(a) + b * u / c  # m - y at the edge y = -2 sqrt(xi''), m = xi' u / xi
    penalty = jnp.where(pure, jnp.inf, gap**2 / (2.0 * jnp.where(pure, 1.0, s2)))
    marginal = 1.0 + 0.5 * jnp.log(a / b) - u**2 / (2.0 * c) - penalty  # Omega(-2) = 1/2
    typical = u <= u_mg * (1.0 - 1e-13)  # a relative 1e-13 of slack: u_mg and threshold_energy round apart
    return jnp.where(typical, _sigma_mixed(u, c, b, a), marginal)


def complexity_mixed_minima(u: Any, xi: Any) -> jax.Array:
    r"""Annealed complexity (density form) of local *minima* at energy ``u`` of a mixed spherical model.

    The Kac–Rice integral of :func:`complexity_mixed` with the index constraint kept: given the radial derivative
    :math:`Y = y`, the Riemannian Hessian is :math:`\sqrt{\xi''}\,W - y`, and all its eigenvalues are positive with
    probability :math:`\to 1` if :math:`y < -2\sqrt{\xi''(1)}` (the shifted semicircle lies in :math:`(0,\infty)`),
    but only with probability :math:`e^{-O(N^2)}` if :math:`y > -2\sqrt{\xi''(1)}` (a macroscopic fraction of the
    semicircle would have to leave :math:`(-\infty, 0)`). On the exponential scale the supremum over :math:`y` is
    therefore restricted to the half-line :math:`y \le -2\sqrt{\xi''}` (Auffinger & Ben Arous 2013, the index-0
    case of their mixed-model complexity):

    .. math:: \Sigma_{\xi,0}(u) = \frac12 + \frac12\log\frac{\xi''}{\xi'} - \frac{u^2}{2\xi}
        + \sup_{y \le -2\sqrt{\xi''}}\Big[\Omega\Big(\frac{y}{\sqrt{\xi''}}\Big) - \frac{(y - m)^2}{2s^2}\Big],
        \qquad m = \frac{\xi'}{\xi}u,\quad s^2 = \xi'' + \xi' - \frac{\xi'^2}{\xi}.

    The objective is concave in :math:`y`, so for :math:`u \le u_{\mathrm{mg}}` (:func:`mixed_threshold_energy`,
    where the unconstrained optimum :math:`y^*(u)` is at or below the edge) this is :func:`complexity_mixed`: typical
    critical points are minima. Above :math:`u_{\mathrm{mg}}` the supremum sits on the edge
    :math:`y = -2\sqrt{\xi''}`, where :math:`\Omega(-2) = \frac12`:

    .. math:: \Sigma_{\xi,0}(u) = 1 + \frac12\log\frac{\xi''}{\xi'} - \frac{u^2}{2\xi}
        - \frac{(2\sqrt{\xi''} + \xi' u/\xi)^2}{2s^2}, \qquad u > u_{\mathrm{mg}},

    the complexity of *marginal* minima (Hessian spectrum touching zero), a concave parabola with its maximum at
    :func:`mixed_minima_top_energy`. For a pure model (:math:`s^2 = 0`, :math:`Y = pu`) there are no such minima:
    the value is :math:`-\infty` above the threshold :func:`threshold_energy`, and below it this is
    :func:`complexity`. Example (tests): :math:`\xi = \frac23q^2 + \frac13q^4` gives :math:`0.00282` at
    :math:`u_{\mathrm{mg}}` and :math:`0.01324` at the maximum.

    Args:
        u: real array or scalar of energies per spin (finite).
        xi: a :class:`landscape.fields.Mixture` (some degree :math:`\ge 2`) or an integer ``p``.

    Returns:
        float64 array of the shape of ``u`` (``-inf`` above the threshold for a pure model).
    """
    mix = fields._mixture("xi", xi)
    c, b, a = _mixture_moments(mix)
    pure = jnp.bool_(len(mix.degrees) == 1)
    return _sigma_minima(_energies(u), jnp.float64(c), jnp.float64(b), jnp.float64(a), pure)


def mixed_minima_top_energy(xi: Any) -> float:
    r"""Energy of the most numerous minima of a mixed spherical model: the maximiser of
    :func:`complexity_mixed_minima`,

    .. math:: u_{\mathrm{top}} = -\frac{2\,\xi'(1)\sqrt{\xi''(1)}}{\xi''(1) + \xi'(1)} .

    Derivation: on the marginal branch the derivative of
    :math:`-u^2/(2\xi) - (2\sqrt{\xi''} + \xi'u/\xi)^2/(2s^2)` vanishes where
    :math:`u\,(s^2 + \xi'^2/\xi) = -2\xi'\sqrt{\xi''}`, and :math:`s^2 + \xi'^2/\xi = \xi'' + \xi'`. The cumulative
    complexity of minima, :math:`\lim\frac1N\log\mathbb E\,\mathrm{Crit}_{N,0}((-\infty, u])
    = \sup_{v\le u}\Sigma_{\xi,0}(v)`, grows up to :math:`u_{\mathrm{top}}` and is constant above: in that sense
    :math:`u_{\mathrm{top}}` is the top of the band of minima (minima with energies above it exist, but exponentially
    fewer; the density form stays positive up to its upper zero). The maximum lies on the marginal branch,
    :math:`u_{\mathrm{top}} \ge u_{\mathrm{mg}}` (:func:`mixed_threshold_energy`), exactly when
    :math:`(\xi'' - \xi')\,\xi\,s^2 \ge 0`, i.e. :math:`\xi''(1) \ge \xi'(1)`; that is required. For
    :math:`\xi = q^p` both equal :math:`-2\sqrt{(p-1)/p}` (:func:`threshold_energy`). It is the
    energy of the "dominant marginal minima" of the physics literature (e.g. Folena, Franz & Ricci-Tersenghi,
    Phys. Rev. X 10 (2020) 031045); the formula is derived here from the complexity of Auffinger & Ben Arous (2013).

    Args:
        xi: a :class:`landscape.fields.Mixture` (some degree :math:`\ge 2`) or an integer ``p``, with
            :math:`\xi''(1) \ge \xi'(1)`.

    Returns:
        :math:`u_{\mathrm{top}}` as a float.
    """
    _, b, a = _mixture_moments(xi)
    if a < b * (1.0 - 1e-12):
        raise ValueError(f"xi must have xi''(1) >= xi'(1) (got xi''(1) = {a:.6g} < xi'(1) = {b:.6g}): then the "
                         "complexity of minima peaks below mixed_threshold_energy, on the branch of typical points")
    return -2.0 * b * math.sqrt(a) / (a + b)
