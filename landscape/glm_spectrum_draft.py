r"""Draft (to be merged into ``landscape/glm.py``): the Hessian spectrum of a single-index loss at a random start,
and the spectral method of phase retrieval, as weighted Marchenko–Pastur laws with a rank-one BBP outlier.

Setting (the book's notation sheet, chapter 10): ``x_i ~ N(0, I_d)``, ``i = 1..n``, ``α = n/d``; teacher ``θ*``
and student ``θ`` on the sphere of radius ``√d``, ``y_i = x_i·θ*/√d``, ``z_i = x_i·θ/√d``. At a random start
(``θ ⟂ θ*``, overlap ``m = 0``) ``z_i`` and ``y_i`` are independent ``N(0, 1)``. The ``O(1)``-scaled Riemannian
Hessian of ``R(θ) = (1/n) Σ ℓ(z_i, y_i)`` is

.. math:: H = \frac1n \sum_i t_i P x_i x_i^\top P - \mu P, \qquad t_i = \partial_z^2 \ell(z_i, y_i), \qquad
    \mu = \frac1n\sum_i \partial_z\ell(z_i, y_i) z_i \to \mathbb E[\partial_z \ell\, z] = \mathbb E[t]

(the last equality is Stein's lemma, ``z`` independent of ``y``). On ``θ^⟂`` (dimension ``d - 1``) ``Px_i`` is a
standard Gaussian independent of ``z_i``, so ``H + μ`` is the spectral-method matrix
``D = (1/n) Σ t_i x̃_i x̃_iᵀ`` with the *randomised* preprocessing ``t = T(y, z)``. Everything below is stated
for ``D`` with i.i.d. weights ``t`` (law of ``T(y, z)``) that depend on the data only through ``y_i = x̃_i·e``,
``e = θ*/√d``.

**Bulk (Silverstein equation).** With ``m(λ) = ∫ ρ(x) dx/(x − λ)`` (Stieltjes transform of the limiting
spectral law of ``D``), leave-one-out (Sherman–Morrison) gives ``x_iᵀ G x_i ≈ d m/(1 + t_i m/α)`` and hence

.. math:: m = \Big(-\lambda + \mathbb E\Big[\frac{t}{1 + t m/\alpha}\Big]\Big)^{-1}
    \iff \lambda(m) = -\frac1m + \mathbb E\Big[\frac{t}{1 + t m/\alpha}\Big].

(Silverstein & Bai 1995, with their ratio ``c = d/n = 1/α``; ``t ≡ 1`` gives Marchenko–Pastur with edges
``(1 ± α^{-1/2})²``.) Below the bulk ``m > 0`` and ``λ(m)`` increases from ``−∞`` (``m → 0⁺``); the lower edge
is ``λ(m_e)`` at the first zero ``m_e`` of ``λ'(m) = m^{-2} − α^{-1} E[t²/(1 + tm/α)²]`` in
``(0, m_b)``, ``m_b = α/|t_min|`` (``t_min`` the essential infimum of ``t``, when negative), or, if
``λ' > 0`` on all of ``(0, m_b)``, the edge sits *at the bound*: ``λ_- = λ(m_b^-)`` (Silverstein & Choi 1995:
the complement of the support is ``{λ(m) : λ'(m) > 0}``). The upper edge is minus the lower edge for
weights ``−t``; it is ``+∞`` when ``t`` is unbounded above (then the law has an unbounded tail).

**Outlier.** Write ``x̃_i = y_i e + w_i`` (``w_i ⟂ e``). A Schur complement on ``e`` gives, for an eigenvalue
``λ`` outside the bulk, ``λ = c − bᵀ(A − λ)^{-1} b`` with ``c = (1/n) Σ t_i y_i²``, ``b = (1/n) Σ t_i y_i w_i``,
``A = (1/n) Σ t_i w_i w_iᵀ``; only the diagonal of ``W(A − λ)^{-1}Wᵀ/n`` survives (the off-diagonal part is odd
under ``w_i → −w_i``), so ``λ = E[t y²/(1 + t m/α)]``. Subtracting the bulk equation, the outlier below the
bulk is ``λ(m*)`` at the smallest root ``m* ∈ (0, m_e)`` of

.. math:: F(m) = 1 + m\,\mathbb E\Big[\frac{t\,(y^2 - 1)}{1 + t m/\alpha}\Big] = 0,

and its eigenvector ``u`` has squared overlap with ``e``

.. math:: \langle u, e\rangle^2 = \Big(1 + \frac{\mathbb E[t^2 y^2/(1 + t m^*/\alpha)^2]}{\alpha\,\lambda'(m^*)}\Big)^{-1}.

Conversion: Lu & Li (arXiv:1702.06435) and Mondelli & Montanari (arXiv:1708.05932, Lemma 2) state the same
result for the *top* eigenvalue with sensing vectors ``a_i ~ N(0, I_d/d)``, ``δ = n/d = α`` and a deterministic
preprocessing ``T(y)`` of the measurement ``y = (a·x)²``, through ``ψ_δ(λ) = λ(1/δ + E[T/(λ − T)])`` and
``φ(λ) = λ E[T y/(λ − T)]``; their ``λ`` (a spectral parameter, not the eigenvalue) is ``−α/m`` for weights
``−T`` here, their measurement ``y`` is our ``y²``, and their conditions ``ψ_δ(λ) = φ(λ)`` and
``ψ_δ'(λ) = 0`` are our ``F(m) = 0`` and ``λ'(m) = 0`` (a direct substitution; the formulas above were derived
independently and are checked against diagonalised matrices in the tests). Here ``T`` may also depend on an
independent ``z``: nothing changes, since only ``y`` correlates with the spike.

**The essential bound.** When ``t_min`` is not attained and the density of ``t`` near it is thin (for
``ℓ_a``, ``t + 4 = (12z² + 4a)/(a + y²)``, so ``P(t < −4 + ε) ~ e^{-c/ε}``), ``E[t²/(1 + tm/α)²]`` stays finite
at ``m_b`` and two regimes exist: (i) the edge is a critical point (square-root edge, outlier born continuously
with zero overlap, finite-``d`` fluctuations ``~ d^{-2/3}``); (ii) the edge sits at the bound ``λ(m_b)``: it is
reached only by single samples with ``t_i`` close to ``t_min`` (``t_i → t_min`` like ``1/log n``, so finite ``d``
converges logarithmically), and the outlier, when ``F(m_b) < 0``, is born at the bound with a *positive*
overlap (the overlap jumps).

Expectations over ``(z, y)`` use a tensor-product Gauss–Hermite rule (probabilists' nodes, ``num_nodes`` per
axis, default 160); integrands are rational in ``(z, y)`` with poles off the real plane, so the rule converges
geometrically: for ``ℓ_{1/2}`` at ``α = 4`` the edge, outlier and ``μ`` move by ``≤ 2e-6`` (relative ``2e-7``)
from 160 to 240 nodes, and by ``3e-4`` from 80 to 160. Near-singular preprocessings (``1 − 1/y²``) converge
slower inside the bulk; their thresholds at the bound are polynomial moments and exact.

Sources: J. W. Silverstein and Z. D. Bai, J. Multivariate Anal. 54 (1995) 175; J. W. Silverstein and S.-I. Choi,
J. Multivariate Anal. 54 (1995) 295; Y. M. Lu and G. Li, Inf. Inference 9 (2020) 507 (arXiv:1702.06435);
M. Mondelli and A. Montanari, Found. Comput. Math. 19 (2019) 703 (arXiv:1708.05932); W. Luo, W. Alghamdi and
Y. M. Lu, IEEE Trans. Signal Process. 67 (2019) 2347 (arXiv:1811.04420).
"""

from __future__ import annotations

from typing import Any, Callable, NamedTuple

import jax
import jax.numpy as jnp
import numpy as np
from scipy.optimize import brentq
from scipy.special import roots_hermitenorm

from ._validate import integer, real

__all__ = [
    "HessianSpectrum",
    "hessian_spectrum_at_random",
    "init_bbp_threshold",
    "spectral_method_spectrum",
    "spectral_threshold",
    "loss_a",
    "optimal_preprocessing",
    "weighted_mp_density",
]

_SCAN = 600           # grid points for locating the first sign change on (0, m_b)


class HessianSpectrum(NamedTuple):
    """Limits (``d → ∞`` at fixed ``α``) of the spectrum of ``H = D − μ`` on ``θ^⟂``.

    ``lower_edge``/``upper_edge``: bulk edges of ``H`` (``upper_edge = inf`` for weights unbounded above);
    ``edge_at_bound``: the lower edge sits at the essential bound (regime (ii), logarithmic finite-``d``
    convergence); ``mu``: the multiplier; ``outlier``: eigenvalue of ``H`` toward ``θ*`` below the bulk (NaN if
    none); ``overlap``: squared overlap of its eigenvector with ``θ*/√d`` (0 if none); ``m_edge``, ``m_outlier``:
    the Stieltjes parameters; ``density``: ``λ ↦ ρ_H(λ)`` (callable on arrays).
    """

    lower_edge: float
    upper_edge: float
    edge_at_bound: bool
    mu: float
    outlier: float
    overlap: float
    m_edge: float
    m_outlier: float
    alpha: float
    density: Callable[[Any], np.ndarray]


# ------------------------------------------------------------------------------------------------ losses


def loss_a(a: float) -> Callable[[Any, Any], Any]:
    r"""The book's loss :math:`\ell_a(z, y) = (z^2 - y^2)^2/(a + y^2)`, ``a > 0``; its curvature weight is
    :math:`\ell_a'' = (12 z^2 - 4 y^2)/(a + y^2) \in (-4, \infty)` (infimum ``−4`` not attained)."""
    a = real("a", a, minimum=0.0, strict_minimum=True)
    return lambda z, y: (z**2 - y**2) ** 2 / (a + y**2)


def optimal_preprocessing(y: Any) -> Any:
    r"""Luo–Alghamdi–Lu optimal preprocessing for noiseless real phase retrieval, in the book's variables:
    :math:`T^*(y) = 1 - 1/y^2` (their measurement ``y = (a·x)²`` with ``E y = 1`` is our ``y²``). The top
    eigenvector of ``(1/n) Σ T*(y_i) x_i x_iᵀ`` correlates with ``θ*`` iff ``α > 1/2`` (Mondelli & Montanari's
    weak-recovery threshold; their ``T*_δ(y) = (y − 1)/(y + √δ − 1)`` is a Möbius transform of this one)."""
    return 1.0 - 1.0 / y**2


# ------------------------------------------------------------------------------------------- quadrature


def _nodes(num_nodes: int):
    x, w = roots_hermitenorm(num_nodes)
    w = w / np.sqrt(2.0 * np.pi)
    return x, w


def _check_callable(name: str, f: Any) -> None:
    if not callable(f):
        raise TypeError(f"{name} must be a callable, got {type(f).__name__}")


def _hessian_atoms(loss, num_nodes: int):
    """Quadrature atoms ``(t, y, weight)`` of ``t = ℓ''(z, y)`` and ``μ = E[ℓ'(z, y) z]``."""
    x, w = _nodes(num_nodes)
    z, y = np.meshgrid(x, x, indexing="ij")
    wt = np.outer(w, w).ravel()
    keep = wt > 1e-300
    z, y, wt = z.ravel()[keep], y.ravel()[keep], wt[keep]
    d1 = jax.grad(loss, argnums=0)
    d2 = jax.grad(d1, argnums=0)
    zz, yy = jnp.asarray(z), jnp.asarray(y)
    t = np.asarray(jax.vmap(d2)(zz, yy), dtype=float)
    g = np.asarray(jax.vmap(d1)(zz, yy), dtype=float)
    if not (np.all(np.isfinite(t)) and np.all(np.isfinite(g))):
        raise ValueError("loss must have finite first and second z-derivatives at the quadrature nodes")
    mu = float(np.sum(wt * g * z))
    return t, y, wt, mu


def _spectral_atoms(preprocessing, num_nodes: int):
    x, w = _nodes(num_nodes)
    keep = w > 1e-300
    x, w = x[keep], w[keep]
    t = np.asarray(preprocessing(jnp.asarray(x)), dtype=float)
    if t.shape != x.shape or not np.all(np.isfinite(t)):
        raise ValueError("preprocessing must map an array of y to a finite array of the same shape")
    return t, x, w


# ------------------------------------------------------------------------------------------- the core


def _lam(m, t, w, alpha):
    return -1.0 / m + np.sum(w * t / (1.0 + t * m / alpha))


def _dlam(m, t, w, alpha):
    return 1.0 / m**2 - np.sum(w * t**2 / (1.0 + t * m / alpha) ** 2) / alpha


def _first_root(f, hi, fv=None):
    """Smallest root of ``f`` on ``(0, hi)``, located on a geometric-then-linear grid (``fv``: ``f`` vectorised
    over the grid) and refined by Brent's method; ``None`` if there is no sign change."""
    grid = np.unique(np.concatenate([hi * np.geomspace(1e-8, 1.0, _SCAN // 2),
                                     hi * np.linspace(0.0, 1.0, _SCAN // 2)[1:]]))
    grid = grid[grid < hi]
    grid = np.append(grid, hi * (1.0 - 1e-12))
    vals = fv(grid) if fv is not None else np.array([f(g) for g in grid])
    sign = np.nonzero(np.sign(vals[1:]) != np.sign(vals[:-1]))[0]
    if sign.size == 0:
        return None
    k = sign[0]
    return brentq(f, grid[k], grid[k + 1], xtol=1e-14, rtol=1e-13)


def _expect(g, m, t, w, alpha, chunk=64):
    """``E[g(t) / (1 + t m/α)^p]`` vectorised over an array of ``m``: ``g`` maps ``den`` to the integrand."""
    m = np.asarray(m, dtype=float)
    out = np.empty(m.shape)
    for k in range(0, m.size, chunk):
        den = 1.0 + np.outer(m[k:k + chunk], t) / alpha
        out[k:k + chunk] = g(den) @ w
    return out


def _lower(t, y, w, alpha, t_min):
    """Lower edge, bound flag, outlier, overlap and Stieltjes parameters of ``D`` (weights ``t``)."""
    if t_min < 0.0:
        m_b = alpha / -t_min
    else:  # no pole on m > 0: scan far out (λ' → 1/m² (1 − α P(t≠0)) as m → ∞)
        m_b = 1e8
    crit = _first_root(lambda m: m**2 * _dlam(m, t, w, alpha), m_b,
                       lambda ms: 1.0 - ms**2 * _expect(lambda den: t**2 / den**2, ms, t, w, alpha) / alpha)
    at_bound = crit is None
    m_e = m_b * (1.0 - 1e-12) if at_bound else crit
    if at_bound and t_min >= 0.0:  # no edge: an atom at 0 (α < 1) — the continuous part starts at 0
        lower = 0.0
    else:
        lower = _lam(m_e, t, w, alpha)

    def F(m):
        return 1.0 + m * np.sum(w * t * (y**2 - 1.0) / (1.0 + t * m / alpha))

    ty = t * (y**2 - 1.0)
    m_star = _first_root(F, m_e, lambda ms: 1.0 + ms * _expect(lambda den: ty / den, ms, t, w, alpha)) \
        if F(m_e) < 0 else None
    if m_star is None:
        return lower, at_bound, np.nan, 0.0, m_e, np.nan
    lam_star = _lam(m_star, t, w, alpha)
    h = np.sum(w * t**2 * y**2 / (1.0 + t * m_star / alpha) ** 2)
    overlap = 1.0 / (1.0 + h / (alpha * _dlam(m_star, t, w, alpha)))
    return lower, at_bound, lam_star, overlap, m_e, m_star


def _stieltjes_newton(lam, t, w, alpha, etas=(1.0, 0.3, 0.1, 0.03, 0.01, 3e-3, 1e-3)):
    """Solve ``m(−λ' + E[t/(1 + tm/α)]) = 1`` for ``λ' = λ + iη`` by vectorised Newton, ``η`` decreasing."""
    lam = np.asarray(lam, dtype=float)
    m = 1j * np.ones_like(lam, dtype=complex)
    for eta in etas:
        zc = lam + 1j * eta
        for _ in range(60):
            den = 1.0 + np.outer(m, t) / alpha
            e1 = (t / den) @ w
            e2 = (t**2 / den**2) @ w
            f = m * (-zc + e1) - 1.0
            fp = -zc + e1 - m * e2 / alpha
            step = f / fp
            m_new = m - step
            m_new = np.where(m_new.imag > 0, m_new, m.real + 0.5j * np.abs(m.imag))
            if np.max(np.abs(m_new - m)) < 1e-13:
                m = m_new
                break
            m = m_new
    return m


def weighted_mp_density(lam: Any, weights: Any, probabilities: Any, alpha: float) -> np.ndarray:
    r"""Density of the limiting spectral law of ``(1/n) Σ t_i x_i x_iᵀ`` (``n = αd``, ``t_i`` i.i.d. from the
    discrete law ``P(t = weights[k]) = probabilities[k]``): :math:`\rho(\lambda) = \operatorname{Im} m(\lambda
    + i0)/\pi` from the Silverstein equation :math:`m = (-\lambda + E[t/(1 + tm/\alpha)])^{-1}`, solved by Newton
    at ``λ + iη`` with ``η`` lowered to ``1e-3`` (the density is smoothed on that scale)."""
    alpha = real("alpha", alpha, minimum=0.0, strict_minimum=True)
    t = np.asarray(weights, dtype=float).ravel()
    p = np.asarray(probabilities, dtype=float).ravel()
    if t.shape != p.shape or np.any(p < 0) or not np.isclose(p.sum(), 1.0):
        raise ValueError("probabilities must be nonnegative, sum to 1 and match weights in shape")
    lam = np.atleast_1d(np.asarray(lam, dtype=float))
    return np.clip(_stieltjes_newton(lam, t, p, alpha).imag / np.pi, 0.0, None)


def _density_atoms(t, w, cap=4000):
    """Thin the quadrature law to at most ``cap`` heaviest atoms (renormalised) for the density solver."""
    if t.size > cap:
        idx = np.argsort(w)[-cap:]
        t, w = t[idx], w[idx]
    return t, w / w.sum()


# -------------------------------------------------------------------------------------------- public API


def hessian_spectrum_at_random(loss: Callable[[Any, Any], Any], alpha: float, *,
                               weight_bounds: tuple[float, float] | None = None,
                               num_nodes: int = 160) -> HessianSpectrum:
    r"""Limiting spectrum of the ``O(1)`` Riemannian Hessian :math:`H = \frac1n\sum_i \ell''(z_i,y_i) P x_i
    x_i^\top P - \mu P` of ``R(θ) = (1/n) Σ ℓ(z_i, y_i)`` at a random start (``θ ⟂ θ*``), as ``d → ∞`` with
    ``n = αd``: bulk edges and density (Silverstein equation for weights ``t = ℓ''(z, y)``, ``z, y`` i.i.d.
    ``N(0,1)``), shift :math:`\mu = E[\ell'(z,y) z] = E[t]`, and the BBP outlier toward ``θ*``, solving

    .. math:: 1 + m\,E\Big[\frac{t(y^2-1)}{1+tm/\alpha}\Big] = 0,\quad
        \lambda_{\rm out} = -\frac1m + E\Big[\frac{t}{1+tm/\alpha}\Big] - \mu,\quad
        \langle u, \theta^*\rangle^2/d = \Big(1 + \frac{E[t^2y^2/(1+tm/\alpha)^2]}{\alpha\lambda'(m)}\Big)^{-1}

    (module docstring: derivation and conversion from Lu–Li and Mondelli–Montanari). ``weight_bounds``: the
    essential infimum and supremum of ``t`` (default: their values over the quadrature nodes; pass the exact
    ones when known, e.g. ``(−4, inf)`` for ``ℓ_a``). Expectations by ``num_nodes²``-point Gauss–Hermite.
    """
    _check_callable("loss", loss)
    alpha = real("alpha", alpha, minimum=0.0, strict_minimum=True)
    num_nodes = integer("num_nodes", num_nodes, minimum=20, maximum=400)
    t, y, w, mu = _hessian_atoms(loss, num_nodes)
    t_min, t_max = _bounds(weight_bounds, t)
    lower, at_bound, out, ov, m_e, m_s = _lower(t, y, w, alpha, t_min)
    if np.isinf(t_max):
        upper = np.inf
    else:
        upper = -_lower(-t, y, w, alpha, -t_max)[0]
    td, wd = _density_atoms(t, w)

    def density(lam):
        return weighted_mp_density(np.asarray(lam, dtype=float) + mu, td, wd, alpha)

    return HessianSpectrum(lower - mu, upper - mu, at_bound, mu, out - mu, ov, m_e, m_s, alpha, density)


def _bounds(weight_bounds, t):
    if weight_bounds is None:
        return float(np.min(t)), float(np.max(t))
    if not isinstance(weight_bounds, (tuple, list)) or len(weight_bounds) != 2:
        raise TypeError("weight_bounds must be a pair (t_min, t_max)")
    lo, hi = (float(v) for v in weight_bounds)
    if np.isnan(lo) or np.isnan(hi) or lo > np.min(t) + 1e-9 or hi < np.max(t) - 1e-9:
        raise ValueError(f"weight_bounds must enclose the weights at the quadrature nodes "
                         f"[{np.min(t):.6g}, {np.max(t):.6g}], got {weight_bounds!r}")
    return lo, hi


def init_bbp_threshold(loss: Callable[[Any, Any], Any], *, weight_bounds: tuple[float, float] | None = None,
                       num_nodes: int = 160, alpha_max: float = 200.0) -> tuple[float, float]:
    r"""Sample ratios at which a random start first sees the signal in its Hessian, as ``(α_BBP, α_neg)``.

    ``α_BBP``: the outlier toward ``θ*`` separates from the lower bulk edge of ``H`` (root in ``α`` of
    ``F(m_e(α)) = 0``, with ``F`` and ``m_e`` as in the module docstring). ``α_neg``: the smallest ``α ≥ α_BBP``
    at which the outlier eigenvalue is negative, i.e. ``θ*`` is a direction of negative curvature (gradient flow
    from a random start escapes toward the signal exponentially); equal to ``α_BBP`` when the outlier is
    born negative. Either is ``inf`` if it does not happen for ``α ≤ alpha_max``. The book's notion of the
    "init BBP threshold" is ``α_BBP``; ``α_neg`` is reported alongside because a positive outlier does not help
    descent.
    """
    _check_callable("loss", loss)
    num_nodes = integer("num_nodes", num_nodes, minimum=20, maximum=400)
    alpha_max = real("alpha_max", alpha_max, minimum=0.0, strict_minimum=True)
    t, y, w, mu = _hessian_atoms(loss, num_nodes)
    t_min, _ = _bounds(weight_bounds, t)
    return _thresholds(t, y, w, mu, t_min, alpha_max)


def _thresholds(t, y, w, mu, t_min, alpha_max):
    def margin(alpha):  # F(m_e): negative once the outlier has left the bulk
        _, _, _, _, m_e, _ = _lower(t, y, w, alpha, t_min)
        return 1.0 + m_e * np.sum(w * t * (y**2 - 1.0) / (1.0 + t * m_e / alpha))

    alphas = np.geomspace(1e-2, alpha_max, 30)
    a_bbp = _first_alpha(margin, alphas)
    if not np.isfinite(a_bbp):
        return np.inf, np.inf

    def out(alpha):
        val = _lower(t, y, w, alpha, t_min)[2]
        return val - mu if np.isfinite(val) else 1.0

    if out(a_bbp * (1 + 1e-9)) < 0:
        return a_bbp, a_bbp
    grid = np.geomspace(a_bbp * (1 + 1e-6), alpha_max, 30)
    return a_bbp, _first_alpha(out, grid)


def _first_alpha(f, grid):
    vals = np.array([f(a) for a in grid])
    idx = np.nonzero(vals < 0)[0]
    if idx.size == 0:
        return np.inf
    k = idx[0]
    if k == 0:
        return float(grid[0])
    return brentq(f, grid[k - 1], grid[k], xtol=1e-12, rtol=1e-11)


def spectral_method_spectrum(preprocessing: Callable[[Any], Any], alpha: float, *, top: bool = True,
                             weight_bounds: tuple[float, float] | None = None,
                             num_nodes: int = 400) -> HessianSpectrum:
    r"""Limiting spectrum of the spectral-method matrix ``D = (1/n) Σ T(y_i) x_i x_iᵀ`` (``μ = 0``): same
    formulas with ``t = T(y)``. ``top=True`` (the usual spectral method) studies the top outlier through the
    weights ``−T`` and reports eigenvalues and edges of ``D`` itself (then ``lower_edge`` is the edge next to the
    outlier, i.e. the *upper* edge of ``D``, and ``upper_edge`` the other one, sign-flipped back)."""
    _check_callable("preprocessing", preprocessing)
    alpha = real("alpha", alpha, minimum=0.0, strict_minimum=True)
    num_nodes = integer("num_nodes", num_nodes, minimum=20, maximum=1000)
    t, y, w = _spectral_atoms(preprocessing, num_nodes)
    t_min, t_max = _bounds(weight_bounds, t)
    s = -1.0 if top else 1.0
    ts = s * t
    lo_b, hi_b = (-t_max, -t_min) if top else (t_min, t_max)
    lower, at_bound, out, ov, m_e, m_s = _lower(ts, y, w, alpha, lo_b)
    other = np.inf if np.isinf(hi_b) else -_lower(-ts, y, w, alpha, -hi_b)[0]
    td, wd = _density_atoms(t, w)

    def density(lam):
        return weighted_mp_density(lam, td, wd, alpha)

    return HessianSpectrum(s * lower, s * other, at_bound, 0.0, s * out, ov, m_e, m_s, alpha, density)


def spectral_threshold(preprocessing: Callable[[Any], Any], *, top: bool = True,
                       weight_bounds: tuple[float, float] | None = None, num_nodes: int = 400,
                       alpha_max: float = 200.0) -> float:
    """Weak-recovery threshold of the spectral method with preprocessing ``T(y)``: the ``α`` above which the
    top (``top=True``) eigenvalue of ``D`` separates from the bulk (``inf`` if not for ``α ≤ alpha_max``, e.g.
    for ``T(y) = y²``, whose bulk is unbounded above)."""
    _check_callable("preprocessing", preprocessing)
    num_nodes = integer("num_nodes", num_nodes, minimum=20, maximum=1000)
    alpha_max = real("alpha_max", alpha_max, minimum=0.0, strict_minimum=True)
    t, y, w = _spectral_atoms(preprocessing, num_nodes)
    t_min, t_max = _bounds(weight_bounds, t)
    if top:
        t, t_min = -t, -t_max
    if np.isinf(t_min):
        return np.inf
    return _thresholds(t, y, w, 0.0, t_min, alpha_max)[0]
