r"""Annealed Kac–Rice complexity of the spiked matrix–tensor model, with the signal (draft for ``spiked.py``).

Conventions (the book's, NOTATION "Spiked models"): on :math:`S_N = \{|\sigma|^2 = N\}` the loss is
:math:`L(\sigma) = -N\xi(m) + H(\sigma)`, :math:`m = \sigma\cdot x^*/N`, with :math:`H` a centred Gaussian field,
:math:`\mathbb E[H(\sigma)H(\sigma')] = N\xi(\sigma\cdot\sigma'/N)` and the same
:math:`\xi(q) = q^2/(2\Delta_2) + q^p/(p\Delta_p)`; energies :math:`u = L/N`. Below :math:`\xi, \xi', \xi''`
without argument are at :math:`q = 1`, and :math:`h = \xi'(m)`.

**Kac–Rice with the signal (derived here).** At a point with overlap :math:`m`, let :math:`e` be the unit tangent
vector along the projection :math:`Px^*` of the signal (:math:`|Px^*|^2 = N(1-m^2)`). Exactly as for the pure noise
(:func:`landscape.kac_rice.complexity_mixed`): the tangent gradient of :math:`H` has i.i.d.
:math:`\mathcal N(0, \xi')` components and is independent of :math:`(X, Y) = (H/N, \sigma\cdot\nabla H/N)` and of
the tangent Euclidean Hessian :math:`\sqrt{\xi''}\,W`; :math:`(X, Y)` has covariance
:math:`\frac1N\begin{pmatrix}\xi & \xi'\\ \xi' & \xi''+\xi'\end{pmatrix}`. The signal :math:`-N\xi(m)` adds
:math:`-h\,Px^*` to the tangent gradient, :math:`-mh` to :math:`\sigma\cdot\nabla L/N` and
:math:`-\theta(m)\,ee^\top`, :math:`\theta(m) = \xi''(m)(1-m^2)`, to the tangent Hessian. With the Lagrange
multiplier :math:`\mu = -\sigma\cdot\nabla L/N = mh - Y` the Riemannian Hessian is
:math:`\sqrt{\xi''}\,W + \mu I - \theta(m)\,ee^\top`, a critical point is :math:`\nabla_T H = h\,Px^*` (Gaussian
density at this value: :math:`(2\pi\xi')^{-(N-1)/2}e^{-N(1-m^2)h^2/(2\xi')}`), the slab of the sphere at overlap
:math:`m` has area :math:`\propto (1-m^2)^{(N-3)/2}`, and the rank-one term does not change the exponential rate
:math:`\frac1N\log|\det| \to \Omega(\mu/\sqrt{\xi''}) + \frac12\log\xi''`. With :math:`x = u + \xi(m)` the noise
energy, Laplace's method gives :func:`complexity`; the same bookkeeping (Gaussian :math:`(X, Y)`, GOE shifted by the
multiplier, one spike :math:`\theta(m)`) is that of Ros, Ben Arous, Biroli & Cammarota, PRX 9, 011003 (2019)
(arXiv:1804.02686) for the spiked tensor and of Sarao Mannelli, Krzakala, Urbani & Zdeborová, ICML 2019
(arXiv:1902.00139) for this model, in the book's units (their text could not be consulted for this draft: the
derivation above is self-contained, and it reduces exactly to :func:`landscape.kac_rice.complexity_mixed` at
:math:`m = 0`).

**The good minimum is an ML-AMP fixed point (proved here).** Optimising over the energy,
:math:`\sup_u \Sigma(m, u)` vanishes, with zero derivative in :math:`m`, at every solution of
:math:`m = \xi'(m)/\sqrt{\xi'(m)^2 + \xi'}` (the state-evolution fixed points of ML-AMP) where
:math:`R^2 = \xi'(m)^2 + \xi' > \xi''`; there :math:`\mu = R + \xi''/R` and :math:`u = -\xi(m) - \xi'/R` (see
:func:`good_minimum`). So the annealed count of critical points there is sub-exponential, and
:func:`complexity_minima` touches 0 from below at the informative fixed point.

Everything here is annealed (:math:`\frac1N\log\mathbb E`), an upper bound on the typical count.
"""

from __future__ import annotations

import math
from functools import partial
from typing import Any, NamedTuple

import jax
import jax.numpy as jnp
import numpy as np
from scipy.optimize import brentq

from . import _validate, fields, rmt


class _Model(NamedTuple):
    """Stand-in for the model parameters of ``spiked.py``: degree ``p >= 3``, noises ``delta2 > 0``, ``deltap > 0``."""

    p: int
    delta2: float
    deltap: float


def _checked_model(model: Any) -> tuple[int, float, float]:
    """``(p, 1/Δ₂, 1/Δ_p)`` of a model object after validating its attributes ``p``, ``delta2``, ``deltap``."""
    missing = [name for name in ("p", "delta2", "deltap") if not hasattr(model, name)]
    if missing:
        raise TypeError(f"model must have attributes p, delta2 and deltap (missing {', '.join(missing)}), "
                        f"got {type(model).__name__}")
    p = _validate.integer("model.p", model.p, minimum=3)
    delta2 = _validate.real("model.delta2", model.delta2, minimum=0.0, strict_minimum=True)
    deltap = _validate.real("model.deltap", model.deltap, minimum=0.0, strict_minimum=True)
    return p, 1.0 / delta2, 1.0 / deltap


def _xi(model: Any) -> fields.Mixture:
    r"""The covariance (and signal) function :math:`\xi(q) = q^2/(2\Delta_2) + q^p/(p\Delta_p)` as a Mixture."""
    p, inv2, invp = _checked_model(model)
    return fields.mixture({2: inv2 / 2.0, p: invp / p})


def _overlaps(m: Any) -> jax.Array:
    """``m`` as a float64 array after checking it is real, finite and (when concrete) in the open (-1, 1)."""
    m = rmt._real_array("m", m)
    if not _validate.is_traced(m) and bool(jnp.any(jnp.abs(m) >= 1.0)):
        raise ValueError(f"m must lie in the open interval (-1, 1) (at |m| = 1 the slab of the sphere is a point and "
                         f"the complexity is -inf), got {float(jnp.max(jnp.abs(m)))} in absolute value")
    return m


# ------------------------------------------------------------------------------------------------ kernels


def _derivatives(q: jax.Array, p: int, inv2: jax.Array, invp: jax.Array) -> tuple[jax.Array, ...]:
    r""":math:`\xi(q), \xi'(q), \xi''(q)` for :math:`\xi = q^2/(2\Delta_2) + q^p/(p\Delta_p)` (``p`` a Python int, so
    the powers are integer powers and negative ``q`` is fine); equal to :func:`landscape.fields.xi` of :func:`_xi`."""
    return (0.5 * inv2 * q**2 + invp * q**p / p, inv2 * q + invp * q ** (p - 1), inv2 + (p - 1) * invp * q ** (p - 2))


def _sup_free(c: jax.Array, s2: jax.Array, a: jax.Array) -> tuple[jax.Array, jax.Array]:
    r"""``(value, argmax)`` of :math:`\mu \mapsto \Omega(\mu/\sqrt a) - (\mu - c)^2/(2s^2)` over the real line, for
    :math:`s^2 < 2a` (strict concavity); the closed form of :func:`landscape.kac_rice.complexity_mixed` with its
    centre :math:`\xi' u/\xi` replaced by ``c``, and the argmax made explicit."""
    sa = jnp.sqrt(a)
    d = a - s2
    edge = (2.0 * a - s2) / sa
    ac = jnp.abs(c)
    inside = ac <= edge
    value_in = c**2 / (2.0 * (2.0 * a - s2)) - 0.5
    mu_in = 2.0 * a * c / (2.0 * a - s2)
    co = jnp.where(inside, edge + 1.0, ac)
    g = 2.0 * sa / (co + jnp.sqrt(jnp.maximum(co**2 - 4.0 * d, 0.0)))  # G(x*) in (0, 1)
    x_out = g + 1.0 / g
    value_out = rmt._log_potential(x_out) - s2 * g**2 / (2.0 * a)
    mu_out = jnp.sign(c) * sa * x_out
    return jnp.where(inside, value_in, value_out), jnp.where(inside, mu_in, mu_out)


def _sup_above(c: jax.Array, s2: jax.Array, a: jax.Array, lo: jax.Array) -> tuple[jax.Array, jax.Array]:
    r"""``(value, active)``: the same supremum restricted to :math:`\mu \ge` ``lo``; by concavity it is the free one
    when its argmax is :math:`\ge` ``lo``, else the value at ``lo`` (``active``: the constraint binds)."""
    free, mu = _sup_free(c, s2, a)
    active = mu < lo
    at_lo = rmt._log_potential(lo / jnp.sqrt(a)) - (lo - c) ** 2 / (2.0 * s2)
    return jnp.where(active, at_lo, free), active


def _minima_bound(m: jax.Array, p: int, inv2: jax.Array, invp: jax.Array) -> jax.Array:
    r""":math:`\mu_{\min}(m) = \sqrt{\xi''}\,\lambda_{\rm BBP}(\theta(m)/\sqrt{\xi''})`: the smallest multiplier with
    a positive semidefinite typical Hessian (bulk edge :math:`2\sqrt{\xi''}`, or the BBP outlier when
    :math:`\theta > \sqrt{\xi''}`; a negative :math:`\theta`, possible for odd ``p`` at :math:`m < 0`, only moves an
    eigenvalue up)."""
    sa = jnp.sqrt(inv2 + (p - 1) * invp)
    theta = _derivatives(m, p, inv2, invp)[2] * (1.0 - m**2)
    return sa * rmt._bbp_outlier(theta / sa)


@partial(jax.jit, static_argnames=("p", "minima", "over_u"))
def _sigma(m: jax.Array, u: jax.Array, p: int, inv2: jax.Array, invp: jax.Array, minima: bool,
           over_u: bool) -> tuple[jax.Array, jax.Array]:
    """``(Σ, active)`` at overlap ``m`` (and energy ``u`` unless ``over_u``), of all critical points or of minima."""
    c0, b, a = 0.5 * inv2 + invp / p, inv2 + invp, inv2 + (p - 1) * invp
    xm, h, _ = _derivatives(m, p, inv2, invp)
    one_m2 = 1.0 - m**2
    base = 0.5 + 0.5 * jnp.log(a / b) + 0.5 * jnp.log1p(-(m**2)) - one_m2 * h**2 / (2.0 * b)
    if over_u:
        centre, s2, gauss = m * h, a + b, 0.0
    else:
        x = u + xm
        centre, s2, gauss = m * h - b * x / c0, a + b - b * b / c0, x**2 / (2.0 * c0)
    if minima:
        value, active = _sup_above(centre, s2, a, _minima_bound(m, p, inv2, invp))
    else:
        value, active = _sup_free(centre, s2, a)[0], jnp.zeros(jnp.shape(centre), dtype=bool)
    return base - gauss + value, active


# ------------------------------------------------------------------------------------------------ public


def complexity(m: Any, u: Any, model: Any) -> jax.Array:
    r"""Annealed complexity (density in :math:`m` and :math:`u`) of critical points of any index of the spiked
    matrix–tensor loss :math:`L = -N\xi(m) + H` at overlap ``m`` and energy ``u = L/N``:

    .. math:: \Sigma(m, u) = \frac12 + \frac12\log\frac{\xi''}{\xi'} + \frac12\log(1-m^2)
        - \frac{(1-m^2)\,\xi'(m)^2}{2\xi'} - \frac{x^2}{2\xi}
        + \sup_{\mu\in\mathbb R}\Big[\Omega\Big(\frac{\mu}{\sqrt{\xi''}}\Big) - \frac{(\mu - c)^2}{2s^2}\Big],

    :math:`x = u + \xi(m)` (the energy of the noise), :math:`c = m\xi'(m) - \xi' x/\xi`,
    :math:`s^2 = \xi'' + \xi' - \xi'^2/\xi`, :math:`\xi^{(k)} = \xi^{(k)}(1)`. The terms: volume of the slab at
    overlap ``m`` with the density of the tangent gradient at the value :math:`\xi'(m)Px^*` it must cancel; the
    Gaussian density of :math:`X = x` and of :math:`Y = m\xi'(m) - \mu` given :math:`X`; :math:`\Omega` the
    semicircle log-potential (:func:`landscape.rmt.semicircle_log_potential`), the rate of
    :math:`\mathbb E|\det(\sqrt{\xi''}W + \mu - \theta ee^\top)|` (derivation in the module docstring; cf. Ros et al.
    2019 and Sarao Mannelli et al. 2019). The supremum is in closed form, as in
    :func:`landscape.kac_rice.complexity_mixed` (strictly concave since :math:`s^2 < 2\xi''`), and at :math:`m = 0`
    (where :math:`\xi'(0) = 0`) :math:`\Sigma(0, u)` *is* ``complexity_mixed(u, xi)``: the signal only shifts the
    energy by :math:`-\xi(0) = 0` there.

    With ``u=None`` it returns :math:`\sup_u\Sigma(m, u)`, the same formula with :math:`x` integrated out:
    :math:`c = m\xi'(m)`, :math:`s^2 = \xi''+\xi'` and no :math:`x^2` term. This vanishes (a sub-exponential count)
    exactly at the ML-AMP fixed points with :math:`\xi'(m)^2+\xi' > \xi''` (module docstring, :func:`good_minimum`).

    Args:
        m: overlaps with the signal, real, in the open interval ``(-1, 1)``.
        u: energies per spin, real and finite, broadcast against ``m``; or ``None`` (supremum over the energy).
        model: an object with ``p`` (integer ``>= 3``), ``delta2 > 0`` and ``deltap > 0``.

    Returns:
        float64 array of the broadcast shape of ``m`` and ``u``.
    """
    p, inv2, invp = _checked_model(model)
    m = _overlaps(m)
    if u is None:
        return _sigma(m, m, p, jnp.float64(inv2), jnp.float64(invp), False, True)[0]
    m, u = jnp.broadcast_arrays(m, rmt._real_array("u", u))
    return _sigma(m, u, p, jnp.float64(inv2), jnp.float64(invp), False, False)[0]


def complexity_minima(m: Any, model: Any, u: Any = None) -> jax.Array:
    r"""Annealed complexity of local minima at overlap ``m`` (and energy ``u``, or the supremum over the energy).

    The formula of :func:`complexity` with the supremum restricted to the multipliers for which the typical Hessian
    :math:`\sqrt{\xi''}W + \mu - \theta(m)ee^\top`, :math:`\theta(m) = \xi''(m)(1-m^2)`, is positive semidefinite:

    .. math:: \mu \ge \mu_{\min}(m) = \begin{cases} 2\sqrt{\xi''}, & \theta(m) \le \sqrt{\xi''},\\
        \theta(m) + \xi''/\theta(m), & \theta(m) > \sqrt{\xi''}, \end{cases}

    the edge of the bulk or, above the BBP transition, the outlier :math:`\mu - \theta - \xi''/\theta`
    (:func:`landscape.rmt.bbp_outlier` in units of :math:`\sqrt{\xi''}`). This is a hard constraint on the *typical*
    spectrum, the convention of the literature (Ros et al. 2019; Sarao Mannelli et al. 2019): a large deviation of
    the bulk costs :math:`O(N^2)` and is rightly ignored, but a large deviation of the single outlier (rate
    :math:`O(N)`) that would make a point with :math:`\mu < \mu_{\min}` a minimum is *not* counted. By concavity the
    restricted supremum is the free one when its argmax is :math:`\ge \mu_{\min}`, else the value at
    :math:`\mu_{\min}` (marginal minima, whose lowest eigenvalue touches 0). Hence ``complexity_minima <=
    complexity`` with equality where typical critical points are minima.

    Args:
        m: overlaps, real, in ``(-1, 1)``.
        model: an object with ``p`` (integer ``>= 3``), ``delta2 > 0`` and ``deltap > 0``.
        u: energies per spin (finite, broadcast against ``m``), or ``None`` for :math:`\sup_u`, the total number of
            minima at overlap ``m``.

    Returns:
        float64 array of the broadcast shape.
    """
    p, inv2, invp = _checked_model(model)
    m = _overlaps(m)
    if u is None:
        return _sigma(m, m, p, jnp.float64(inv2), jnp.float64(invp), True, True)[0]
    m, u = jnp.broadcast_arrays(m, rmt._real_array("u", u))
    return _sigma(m, u, p, jnp.float64(inv2), jnp.float64(invp), True, False)[0]


# --------------------------------------------------------------------------------------- the good minimum


def _fixed_points(p: int, inv2: float, invp: float, positive: bool) -> list[float]:
    r"""Nonzero solutions in :math:`(0, 1)` (``positive``) or :math:`(-1, 0)` of the ML-AMP state-evolution equation
    :math:`m\sqrt{\xi'(m)^2 + \xi'(1)} = \xi'(m)`: sign changes on a grid of 4000 points, each refined by
    :func:`scipy.optimize.brentq` to :math:`10^{-15}` (a tangential double root, a measure-zero case, is missed)."""
    b = inv2 + invp

    def phi(m: float) -> float:
        h = inv2 * m + invp * m ** (p - 1)
        return m * math.sqrt(h * h + b) - h

    grid = np.linspace(1e-4, 1.0 - 1e-12, 4000) * (1.0 if positive else -1.0)
    values = [phi(float(m)) for m in grid]
    return [float(brentq(phi, grid[i], grid[i + 1], xtol=1e-15, rtol=4 * np.finfo(float).eps))
            for i in range(len(grid) - 1) if values[i] == 0.0 or values[i] * values[i + 1] < 0]


def _isolated(m: float, p: int, inv2: float, invp: float) -> tuple[bool, float, float]:
    """For a state-evolution fixed point ``m``: (is it an isolated minimum, R, mu_min) with R² = ξ'(m)² + ξ'(1)."""
    a = inv2 + (p - 1) * invp
    h = inv2 * m + invp * m ** (p - 1)
    r = math.sqrt(h * h + inv2 + invp)
    mu_min = float(_minima_bound(jnp.float64(m), p, jnp.float64(inv2), jnp.float64(invp)))
    return r * r > a and r + a / r >= mu_min, r, mu_min


def good_minimum(model: Any) -> tuple[float, float]:
    r"""Overlap and energy :math:`(m^*, u^*)` of the good (informative) local minimum.

    **Characterisation (exact).** With :math:`R(m)^2 = \xi'(m)^2 + \xi'(1)` and :math:`a = \xi''(1)`,
    :math:`b = \xi'(1)`, every solution of the ML-AMP state-evolution equation

    .. math:: m = \frac{\xi'(m)}{\sqrt{\xi'(m)^2 + \xi'(1)}}

    with :math:`R > \sqrt a` is a critical point of :math:`m \mapsto \sup_u\Sigma(m, u)` with value exactly 0: the
    optimal multiplier is :math:`\mu = R + a/R` (Stieltjes transform :math:`g = \sqrt a/R` of the semicircle at
    :math:`\mu/\sqrt a`), and with :math:`1 - m^2 = b/R^2` all terms of :func:`complexity` cancel,
    :math:`\frac12 - \frac{m^2}2 - \frac{b}{2R^2} = 0`; the derivative in :math:`m` is
    :math:`\xi'(m)(h^2 + b - R^2)/(Rb) = 0`. The optimal noise energy is :math:`x = \mathbb E[X|Y]`, so

    .. math:: u^* = -\xi(m^*) - \frac{\xi'(1)}{\sqrt{\xi'(m^*)^2 + \xi'(1)}} .

    So the Kac–Rice route and the ML-AMP state evolution give the *same* :math:`m^*`, not only numerically (Sarao
    Mannelli et al. 2019 state that gradient flow and ML-AMP reach the same error). :math:`m^*` is the largest
    fixed point in :math:`(0, 1)` (the one the iteration reaches from :math:`m = 1`); it is returned when it is a
    local minimum with an isolated annealed count: :math:`R > \sqrt a` and :math:`\mu \ge \mu_{\min}(m^*)` (see
    :func:`complexity_minima`). Then :func:`complexity_minima` (sup over ``u``) is :math:`\le 0` near :math:`m^*`
    and touches 0 at :math:`m^*`. Values (``p=3``, :math:`\Delta_p = 1`): :math:`1/\Delta_2 = 1.5, 2, 3` give
    :math:`m^* = 0.692912, 0.782665, 0.854882` and :math:`u^* = -1.611027, -1.850479, -2.342136`.

    Args:
        model: an object with ``p`` (integer ``>= 3``), ``delta2 > 0`` and ``deltap > 0``.

    Returns:
        ``(m_star, u_star)`` as floats.

    Raises:
        ValueError: when there is no informative fixed point, or when it is not an isolated local minimum (it then
            sits inside a band of marginal states, or is a saddle).
    """
    p, inv2, invp = _checked_model(model)
    roots = _fixed_points(p, inv2, invp, positive=True)
    if not roots:
        raise ValueError(f"no informative minimum: m = xi'(m)/sqrt(xi'(m)^2 + xi'(1)) has no solution in (0, 1) for "
                         f"p={p}, delta2={model.delta2}, deltap={model.deltap} (raise 1/delta2)")
    m = max(roots)
    ok, r, mu_min = _isolated(m, p, inv2, invp)
    if not ok:
        a = inv2 + (p - 1) * invp
        why = (f"R^2 = xi'(m)^2 + xi'(1) = {r * r:.6g} <= xi''(1) = {a:.6g}: it lies inside a band of marginal "
               f"states" if r * r <= a else f"mu = {r + a / r:.6g} < mu_min = {mu_min:.6g}: it is a saddle")
        raise ValueError(f"the informative fixed point m = {m:.6g} is not an isolated local minimum for p={p}, "
                         f"delta2={model.delta2}, deltap={model.deltap}: {why}")
    u = -(0.5 * inv2 * m * m + invp * m**p / p) - (inv2 + invp) / r
    return m, u


# ---------------------------------------------------------------------------------------- trivialization


_REGIONS = ("all", "positive", "equator")
_GRID = 4001
_ZOOM = 201
_CANDIDATES = 4
_EDGE = 1e-4  # the grid of overlaps stops at |m| = 1 - _EDGE, where Sigma ~ log(1 - m^2)/2 is far below 0


def _gradient_flow_line(p: int, invp: float) -> float:
    r""":math:`1/\Delta_2` at which :math:`\theta(0) = 1/\Delta_2 = \sqrt{\xi''(1)}`: the BBP transition of the
    Hessian at the equator, :math:`(1 + \sqrt{1 + 4(p-1)/\Delta_p})/2`."""
    return 0.5 * (1.0 + math.sqrt(1.0 + 4.0 * (p - 1) * invp))


def _equator_minima_complexity(inv2: float, p: int, invp: float) -> float:
    r""":math:`\Sigma_{\min}(0)` in closed form (see :func:`trivialization_threshold`, ``region="equator"``)."""
    a, b = inv2 + (p - 1) * invp, inv2 + invp
    if inv2 * inv2 <= a:  # no outlier at m = 0: the bulk edge binds
        return 1.0 + 0.5 * math.log(a / b) - 2.0 * a / (a + b)
    return 0.5 + math.log(inv2 / math.sqrt(b)) + a / (2.0 * inv2**2) - (inv2**2 + a) ** 2 / (2.0 * inv2**2 * (a + b))


def _spurious(inv2: float, p: int, invp: float, region: str) -> tuple[float, float]:
    r"""``(value, m)``: the largest :math:`\Sigma_{\min}(m)` over the overlaps of ``region`` where the minima
    constraint binds (marginal minima), and where it is attained. Grid of ``_GRID`` points, then the
    ``_CANDIDATES`` best local maxima refined by three zooms of ``_ZOOM`` points (factor 50 each). Returns
    ``(-1.0, nan)`` when the constraint binds nowhere."""
    lo = 0.0 if region == "positive" else -1.0 + _EDGE
    hi = 1.0 - _EDGE
    args = (p, jnp.float64(inv2), jnp.float64(invp), True, True)
    grid = np.linspace(lo, hi, _GRID)
    s, active = (np.asarray(v) for v in _sigma(jnp.asarray(grid), jnp.asarray(grid), *args))
    s = np.where(active, s, -np.inf)
    if not np.isfinite(s).any():
        return -1.0, math.nan
    padded = np.concatenate([[-np.inf], s, [-np.inf]])
    peaks = np.flatnonzero((s >= padded[:-2]) & (s >= padded[2:]) & np.isfinite(s))
    centres = grid[peaks[np.argsort(s[peaks])[::-1][:_CANDIDATES]]]
    centres = np.resize(centres, _CANDIDATES)  # a fixed shape: one compilation
    width = np.full(_CANDIDATES, grid[1] - grid[0])
    offsets = np.linspace(-1.0, 1.0, _ZOOM)
    for _ in range(3):
        sub = np.clip(centres[:, None] + width[:, None] * offsets, lo, hi)
        v, act = (np.asarray(x) for x in _sigma(jnp.asarray(sub), jnp.asarray(sub), *args))
        v = np.where(act, v, -np.inf)
        best = np.argmax(v, axis=1)
        centres = sub[np.arange(_CANDIDATES), best]
        values = v[np.arange(_CANDIDATES), best]
        width = width / 50.0
    k = int(np.argmax(values))
    return float(values[k]), float(centres[k])


def _births(p: int, invp: float, region: str) -> list[tuple[float, float]]:
    r"""``(1/Δ₂, m)`` where a state-evolution fixed point in ``region`` leaves the bulk, :math:`R(m)^2 = \xi''(1)`:
    then :math:`\xi'(m) = \pm\sqrt{(p-2)/\Delta_p}` and :math:`m = \xi'(m)/\sqrt{\xi''(1)}`, one equation in
    :math:`1/\Delta_2` (sign changes on a log grid over :math:`[10^{-3}, 10^4]`, then brentq)."""
    s = math.sqrt((p - 2) * invp)
    out = []
    for sign in ((1.0,) if region == "positive" else (1.0, -1.0)):
        def f(inv2: float, sign: float = sign) -> float:
            m = sign * s / math.sqrt(inv2 + (p - 1) * invp)
            return inv2 * m + invp * m ** (p - 1) - sign * s
        grid = np.geomspace(1e-3, 1e4, 3000)
        values = [f(x) for x in grid]
        for i in range(len(grid) - 1):
            if values[i] * values[i + 1] < 0:
                inv2 = float(brentq(f, grid[i], grid[i + 1], xtol=1e-14, rtol=4 * np.finfo(float).eps))
                out.append((inv2, sign * s / math.sqrt(inv2 + (p - 1) * invp)))
    return out


def trivialization_threshold(p: int, deltap: float, region: str = "all") -> float:
    r"""The signal strength :math:`1/\Delta_2^{\rm triv}` above which the annealed count of *spurious* local minima
    is no longer exponential: :math:`\Sigma_{\min}(m) < 0` (:func:`complexity_minima`, sup over ``u``) at every
    overlap of ``region``, except at the isolated minima (state-evolution fixed points with
    :math:`\xi'(m)^2 + \xi'(1) > \xi''(1)`, where :math:`\Sigma_{\min} = 0` exactly: see :func:`good_minimum`).

    **How the last spurious minima disappear (found numerically, proved where stated).** Where the minima
    constraint :math:`\mu \ge \mu_{\min}(m)` does not bind, :math:`\Sigma_{\min} = \sup_u\Sigma \le 0` (checked on
    :math:`p \le 6`, :math:`\Delta_p \in [0.05, 50]`, :math:`1/\Delta_2 \in [0.2, 20]`), zero only at the isolated
    fixed points; so exponentially many minima are *marginal* (lowest eigenvalue at 0) and form bands in ``m``. A
    band disappears either by crossing 0 (a simple root in :math:`1/\Delta_2`) or by shrinking onto a fixed point
    as it leaves the bulk (:math:`R(m)^2 = \xi''(1)`, a "birth" in closed form, where the band's maximum vanishes to
    high order). At the equator :math:`\theta(0) = 1/\Delta_2`; at and below the gradient-flow line
    :math:`1/\Delta_2 = (1 + \sqrt{1 + 4(p-1)/\Delta_p})/2` (where :math:`\theta(0) = \sqrt{\xi''(1)}`),
    :math:`\Sigma_{\min}(0) = 1 + \frac12\log\frac{\xi''}{\xi'} - \frac{2\xi''}{\xi''+\xi'} > 0` (it increases from 0
    in :math:`\xi''/\xi' \ge 1`), so the threshold always lies above the gradient-flow line (proved), hence above the
    ML-AMP line too. Above it the outlier binds, and at :math:`m = 0` (:math:`a = \xi''(1)`, :math:`b = \xi'(1)`)

    .. math:: \Sigma_{\min}(0) = \frac12 + \log\frac{1/\Delta_2}{\sqrt{b}} + \frac{a\Delta_2^2}{2}
        - \frac{(1/\Delta_2^2 + a)^2\,\Delta_2^2}{2(a + b)} .

    * ``p = 4, 6`` (even, checked for :math:`\Delta_p \in [0.01, 100]`): the last spurious minima sit at the
      equator, and the threshold is the root of this closed form (``region="equator"``).
    * ``p = 3``: :math:`\theta'(0) = 2/\Delta_p \ne 0`, so above the gradient-flow line
      :math:`\partial_m\Sigma_{\min}(0) < 0` and the equator band's maximum moves to :math:`m < 0`. Restricted to
      :math:`m \ge 0` (``region="positive"``) the maximum stays at :math:`m = 0` and the threshold is again the
      closed form. Over all overlaps (``region="all"``) a second band sits near the *mirror* fixed point at
      :math:`m < 0` (the loss is even up to the tensor term) and collapses onto it when it leaves the bulk; this
      birth is the threshold for :math:`\Delta_p \lesssim 4`, the equator band (its maximum at
      :math:`-0.1 < m < 0`) above.
      ``p = 5`` (:math:`\theta'(0) = 0`): the equator for :math:`\Delta_p \gtrsim 0.6`, the mirror birth below.
      Past its birth the mirror point of an odd ``p`` stays an isolated *bad* local minimum,
      :math:`\Sigma_{\min} = 0` (a sub-exponential, not an exponential, count): for odd ``p`` the landscape never
      becomes free of bad minima altogether.

    Values of :math:`1/\Delta_2^{\rm triv}` (``region="all"`` / ``"positive"``): ``p = 3``:
    :math:`\Delta_p = 0.5`: 3.80631 / 2.85296; 1: 2.61347 / 2.19138; 2: 1.91421 / 1.74100; 5: 1.41579 / 1.37139.
    ``p = 4`` (all regions): 3.53400, 2.64995, 2.04499, 1.54067. Sarao Mannelli et al. (2019), Fig. 1, place the
    Kac–Rice line above the gradient-flow and ML-AMP lines, all three tending to 1 as :math:`\Delta_p \to \infty`,
    as here; which overlaps their line covers could not be checked for this draft (the closed form of
    ``region="equator"`` is the natural candidate for their closed-form line).

    Method: ``"equator"``: brentq on the closed form from the gradient-flow line. Otherwise the largest
    :math:`\Sigma_{\min}` over the marginal overlaps of the region (:func:`_spurious`) is scanned in steps of 1% from
    the gradient-flow line past every birth, its last sign change refined by brentq (:math:`x_{\rm tol} = 10^{-12}`);
    a root within :math:`10^{-2}` of a birth whose band it is (maximum within 0.02 in ``m``) is replaced by the
    birth's closed-form value (the band vanishes to high order there, so its numerical root is only good to
    :math:`\sim 10^{-4}`). About a second.

    Args:
        p: the tensor order, an integer ``>= 3``.
        deltap: :math:`\Delta_p`, a real in ``[0.01, 100]``.
        region: ``"all"`` (:math:`m \in (-1, 1)`), ``"positive"`` (:math:`m \in [0, 1)`) or ``"equator"``
            (:math:`m = 0`, closed form).

    Returns:
        :math:`1/\Delta_2^{\rm triv}` as a float.
    """
    p = _validate.integer("p", p, minimum=3)
    deltap = _validate.real("deltap", deltap, minimum=0.01, maximum=100.0)
    if region not in _REGIONS:
        raise ValueError(f"region must be one of {_REGIONS}, got {region!r}")
    invp = 1.0 / deltap
    start = _gradient_flow_line(p, invp)
    if region == "equator":
        stop = 2.0 * start
        while _equator_minima_complexity(stop, p, invp) >= 0.0:
            stop *= 2.0
        return float(brentq(_equator_minima_complexity, start, stop, args=(p, invp), xtol=1e-12,
                            rtol=4 * np.finfo(float).eps))
    births = _births(p, invp, region)
    end = 1.05 * max([start] + [inv2 for inv2, _ in births])
    levels, values = [start], [_spurious(start, p, invp, region)[0]]
    while levels[-1] < end or values[-1] >= 0.0:
        if len(levels) > 2000:  # a factor e^20 above the gradient-flow line: never reached for deltap in range
            raise RuntimeError(f"no trivialization found below 1/delta2 = {levels[-1]:.6g} for p={p}, "
                               f"deltap={deltap}")
        levels.append(levels[-1] * 1.01)
        values.append(_spurious(levels[-1], p, invp, region)[0])
    last = max(i for i in range(1, len(levels)) if values[i - 1] >= 0.0 > values[i])
    root = float(brentq(lambda x: _spurious(x, p, invp, region)[0], levels[last - 1], levels[last], xtol=1e-12))
    where = _spurious(root - 1e-6, p, invp, region)[1]
    for inv2, m in births:
        if abs(root - inv2) < 1e-2 and abs(where - m) < 0.02:
            return inv2
    return root
