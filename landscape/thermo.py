r"""Equilibrium thermodynamics of spherical spin glasses: paramagnet, one-step replica symmetry breaking (1RSB),
the dynamical and static temperatures, the configurational entropy and the zero-temperature limit.

Conventions (the book's): :math:`S_N = \{\sigma : |\sigma|^2 = N\}`, a centred Gaussian field with
:math:`\mathbb E[H(\sigma)H(\sigma')] = N\xi(\sigma\cdot\sigma'/N)`, Gibbs measure
:math:`\propto e^{-H/T}` (:math:`\beta = 1/T`) on the *Lebesgue* (surface) measure of :math:`S_N`, energies and
free energies per spin. The pure p-spin is :math:`\xi(q) = q^p`, so :math:`\xi(1) = 1`.

**Units of the physics literature.** Crisanti & Sommers (1992), Crisanti, Horner & Sommers (1993),
Cugliandolo & Kurchan (1993), Kurchan, Parisi & Virasoro (1993) and the reviews of Barrat (1997) and Castellani &
Cavagna (2005) use :math:`\xi(q) = q^p/2`. Their Hamiltonian is the book's divided by :math:`\sqrt2`, so their
energies, free energies *and temperatures* are the book's divided by :math:`\sqrt2`
(:math:`\beta_{\rm phys}^2\,\xi_{\rm phys} = \beta^2\xi`). Every formula below is in book units; a docstring that
quotes a literature value gives both.

**The entropy constant.** The free energies contain the entropy of the sphere,
:math:`s_0 = \lim\frac1N\log|S_N| = \frac12(1 + \log 2\pi)` (:data:`SPHERE_ENTROPY`), so that
:math:`f = -\frac TN\mathbb E\log\int_{S_N}e^{-H/T}d\sigma` exactly. Papers that use the uniform probability
measure on the sphere drop it. Energies and complexities do not depend on it.

**The Crisanti–Sommers functional.** For a Parisi measure with distribution function :math:`x(q)` (the
fraction of pairs of replicas with overlap :math:`\le q`), and :math:`\hat q` the top of its support,

.. math:: -\beta f = s_0 + \inf_x \frac12\Big[\beta^2\int_0^1 \xi'(q)\,x(q)\,dq
    + \int_0^{\hat q}\frac{dq}{\int_q^1 x(s)\,ds} + \log(1 - \hat q)\Big]

(Crisanti & Sommers 1992; proved by Talagrand 2006 and Chen 2013 for even and general mixtures). The one-step
ansatz :math:`x(s) = x` on :math:`[0, q)`, :math:`1` on :math:`[q, 1]` gives, with
:math:`y = xq/(1-q)`,

.. math:: f_{\rm 1RSB}(q, x) = -Ts_0 - \frac\beta2\big[\xi(1) - (1-x)\xi(q)\big]
    - \frac T{2x}\log(1 + y) - \frac T2\log(1-q).

At :math:`q = 0` or at :math:`x = 1` it is the paramagnet :math:`-\beta\xi(1)/2 - Ts_0`. For the pure model it
becomes the physics-unit functional of Crisanti & Sommers (1992) under :math:`\beta^2 = \beta_{\rm phys}^2/2`,
:math:`f = \sqrt2 f_{\rm phys}`. Its stationarity equations are

.. math:: \beta^2\xi'(q) = \frac{q}{(1-q)(1-q+xq)} \quad (q\text{-equation}), \qquad
    \Sigma(x) \equiv \frac12\Big[\log(1+y) - \frac{y}{1+y} - x^2\beta^2\xi(q)\Big] = 0 \quad (x\text{-equation}),

where :math:`\Sigma = -x^2\,\partial_x(-\beta f)` is Monasson's complexity: the log-number per spin of the states
selected by :math:`x` (Monasson 1995). Guerra's bound makes :math:`f_{\rm 1RSB}(q, x)` a *lower* bound on the
free energy for every :math:`(q, x)`, so the 1RSB free energy is the maximum over :math:`(q, x)`. For the pure
p-spin (:math:`p \ge 3`) the 1RSB solution is exact (Crisanti & Sommers 1992); for a mixture it may need more
steps or full RSB, and then everything here is the 1RSB approximation (a lower bound on the free energy).

**Pure p-spin in closed form.** With :math:`y = xq/(1-q)` the two equations separate:
:math:`y^2/p = (1+y)\log(1+y) - y` fixes :math:`y_s(p)` independently of :math:`T`, and
:math:`\beta^2 p\,q^{p-2}(1-q)^2(1+y) = 1` then gives :math:`q(T)`. At :math:`x = 1` (:math:`y = q/(1-q)`):
:math:`T_s^2 = p\,y_s^{p-2}/(1+y_s)^{p-1}`. The marginal (replicon-zero) condition
:math:`\beta^2\xi''(q)(1-q)^2 = 1` is :math:`y = p - 2`, and at :math:`x = 1` it gives the dynamical temperature
:math:`T_d^2 = p(p-2)^{p-2}/(p-1)^{p-1}` (:math:`\times\frac12` in physics units: Crisanti, Horner & Sommers 1993).
For :math:`p = 3`: :math:`T_d = 0.866025` (:math:`0.612372` physics), :math:`T_s = 0.828805` (:math:`0.586054`).

**States and Kac–Rice.** At :math:`x = 1` the complexity is the configurational entropy
:math:`\Sigma_c(T) = \frac12[-\log(1-q) - q - \beta^2\xi(q)]`. For the pure model the states are labelled by
critical points of :math:`H` (:mod:`landscape.tap`): a state whose :math:`T = 0` minimum has energy :math:`u` has
:math:`y = w^2/p - 1` with :math:`w = (-pu + \sqrt{p^2u^2 - 4p(p-1)})/2`, and Monasson's :math:`\Sigma` equals the
Kac–Rice complexity :math:`\Sigma_p(u)` (:func:`landscape.kac_rice.complexity`) *at that label*, at every
temperature, for the states on the stable side of marginality (:math:`y \ge p-2`, i.e. :math:`x` between the
marginal value of :func:`threshold_1rsb` and 1). At :math:`T_d` the equilibrium states are the threshold
states (:math:`u = u_{\rm th}`), so
:math:`\Sigma_c(T_d) = \frac12\log(p-1) - \frac{p-2}p = \Theta_{0,p}(u_{\rm th})`; at :math:`T_s` they are the
ground states (:math:`\Sigma = 0`, :math:`u = u_0`); and the zero-temperature limit of the 1RSB free energy is
the zero :math:`u_0 = -E_0` of the Kac–Rice complexity (:func:`ground_state_energy_1rsb`).

Sources: A. Crisanti and H.-J. Sommers, *The spherical p-spin interaction spin glass model: the statics*,
Z. Phys. B 87 (1992) 341; A. Crisanti, H. Horner and H.-J. Sommers, *The spherical p-spin interaction spin glass
model: the dynamics*, Z. Phys. B 92 (1993) 257; L. F. Cugliandolo and J. Kurchan, Phys. Rev. Lett. 71 (1993) 173;
R. Monasson, Phys. Rev. Lett. 75 (1995) 2847 (complexity from :math:`x`); A. Barrat, *The p-spin spherical spin
glass model*, arXiv:cond-mat/9701031; T. Castellani and A. Cavagna, *Spin-glass theory for pedestrians*,
J. Stat. Mech. (2005) P05012; M. Talagrand, *Free energy of the spherical mean field model*, Probab. Theory Relat.
Fields 134 (2006) 339; W.-K. Chen, Electron. J. Probab. 18 (2013) 94 (general mixtures); W.-K. Chen and A. Sen,
Commun. Math. Phys. 350 (2017) 129 (zero temperature); A. Auffinger, G. Ben Arous and J. Černý, CPAM 66 (2013)
165 (Kac–Rice).

Argument checks (types, ranges, finiteness, shapes; sizes against :func:`landscape.max_bytes`) run on concrete
values. Under ``jax.jit``/``jax.vmap`` the arguments are tracers and only shapes are checked: call a function
once on concrete inputs before transforming it (the package docstring: errors and limits).
"""

from __future__ import annotations

import math
from typing import Any, Callable, NamedTuple

import numpy as np
from scipy.optimize import brentq, minimize_scalar

from . import _validate, fields

__all__ = [
    "SPHERE_ENTROPY",
    "OneStepRSB",
    "paramagnetic_free_energy",
    "paramagnetic_energy",
    "crisanti_sommers_1rsb",
    "complexity_1rsb",
    "solve_1rsb",
    "threshold_1rsb",
    "equilibrium_complexity",
    "dynamical_temperature",
    "static_temperature",
    "ground_state_energy_1rsb",
    "threshold_energy_1rsb",
    "MIN_SOLVER_TEMPERATURE",
    "log_second_moment",
    "second_moment_temperature",
]

SPHERE_ENTROPY = 0.5 * (1.0 + math.log(2.0 * math.pi))
r""":math:`s_0 = \lim_N \frac1N\log|S_N| = \frac12(1 + \log 2\pi)`, the entropy per spin of the sphere of radius
:math:`\sqrt N` (:math:`|S_N| = 2\pi^{N/2}N^{(N-1)/2}/\Gamma(N/2)`)."""

MIN_SOLVER_TEMPERATURE = 1e-6
"""Lowest temperature accepted by the 1RSB solvers (:func:`complexity_1rsb`, :func:`solve_1rsb`,
:func:`threshold_1rsb`, :func:`equilibrium_complexity`): below, :math:`1 - q` falls under the resolution of the root
bracketing (:math:`10^{-15}`) and the root search would fail; use the zero-temperature functions
(:func:`ground_state_energy_1rsb`, :func:`threshold_energy_1rsb`) instead."""

_EPS = np.finfo(float).eps
# interior points of (0, 1) for root bracketing: uniform, plus geometric towards 1 (low temperatures, q -> 1)
_GRID = np.union1d(np.linspace(0.0, 1.0, 4097)[1:-1], 1.0 - np.geomspace(1e-4, 1e-15, 300))


class OneStepRSB(NamedTuple):
    """A stationary point of the 1RSB Crisanti–Sommers functional (book units, per spin)."""

    q: float  #: self-overlap of a state (Edwards–Anderson parameter); 0 in the paramagnet
    x: float  #: Parisi's breaking parameter, in (0, 1]
    free_energy: float  #: value of the functional f_1RSB(q, x) (the Gibbs free energy for solve_1rsb)
    energy: float  #: ``-beta [xi(1) - (1 - x) xi(q)]``, the internal energy (solve_1rsb) or the asymptotic aging energy (threshold)
    complexity: float  #: Monasson's complexity Sigma of the states selected by x (log-number per spin)
    state_free_energy: float  #: free energy of one of those states, f_1RSB + T Sigma / x


class _Xi:
    """NumPy evaluation of :math:`\\xi^{(d)}(q) = \\sum_p c_p p^{\\underline d} q^{p-d}` (fast for root finding; the
    same polynomial as :func:`landscape.fields.xi`)."""

    def __init__(self, mix: fields.Mixture):
        self.degrees = np.asarray(mix.degrees, dtype=float)
        self.coefficients = np.asarray(mix.coefficients, dtype=float)

    def __call__(self, q: Any, d: int = 0) -> Any:
        q = np.asarray(q, dtype=float)
        total = np.zeros_like(q)
        for p, c in zip(self.degrees, self.coefficients):
            if p >= d:
                falling = float(np.prod(np.arange(p, p - d, -1.0))) if d else 1.0
                total = total + c * falling * q ** (p - d)
        return total if total.ndim else float(total)


def _mix(xi: Any) -> fields.Mixture:
    return fields._mixture("xi", xi)


def _glassy(xi: Any) -> _Xi:
    """A :class:`_Xi` for a mixture without a degree-1 (random-field) term, the setting of the 1RSB solvers."""
    mix = _mix(xi)
    if min(mix.degrees) < 2:
        raise ValueError("xi must not contain a degree-1 term (a random external field): the 1RSB solutions here "
                         "assume no field (q0 = 0); use degrees p >= 2")
    return _Xi(mix)


def _temperature(temperature: Any) -> float:
    return _validate.real("temperature", temperature, minimum=0.0, strict_minimum=True)


def _solver_temperature(temperature: Any) -> float:
    return _validate.real("temperature", temperature, minimum=MIN_SOLVER_TEMPERATURE)


def _overlap(q: Any) -> float:
    q = _validate.real("q", q, minimum=0.0)
    if not q < 1.0:
        raise ValueError(f"q must be in [0, 1), got {q}")
    return q


def _breaking(x: Any) -> float:
    return _validate.real("x", x, minimum=0.0, maximum=1.0, strict_minimum=True)


# ------------------------------------------------------------------------------------------- functionals


def _functional(xi: _Xi, beta: float, q: float, x: float) -> float:
    r""":math:`P(q, x) = -\beta f_{\rm 1RSB} - s_0` (the bracket of the Crisanti–Sommers formula, halved)."""
    y = x * q / (1.0 - q)
    return 0.5 * (beta**2 * (xi(1.0) - (1.0 - x) * xi(q)) + math.log1p(y) / x + math.log1p(-q))


def _sigma(xi: _Xi, beta: float, q: float, x: float) -> float:
    r"""Monasson's complexity :math:`-x^2\partial_x P = \frac12[\log(1+y) - y/(1+y) - x^2\beta^2\xi(q)]`."""
    y = x * q / (1.0 - q)
    return 0.5 * (math.log1p(y) - y / (1.0 + y) - x * x * beta**2 * xi(q))


def _f_value(xi: _Xi, temperature: float, q: float, x: float) -> float:
    return -temperature * (_functional(xi, 1.0 / temperature, q, x) + SPHERE_ENTROPY)


def paramagnetic_free_energy(xi: Any, temperature: float) -> float:
    r"""Free energy per spin of the paramagnet (replica-symmetric with :math:`q = 0`):

    .. math:: f_{\rm para}(T) = -\frac{\beta\,\xi(1)}2 - T s_0, \qquad s_0 = \tfrac12(1 + \log 2\pi),

    the annealed value :math:`-\frac TN\log\mathbb E\int_{S_N}e^{-\beta H}`, since
    :math:`\mathbb E e^{-\beta H(\sigma)} = e^{N\beta^2\xi(1)/2}`. It is the true free energy for :math:`T \ge T_s`
    (Crisanti & Sommers 1992; Talagrand 2006). Its entropy is :math:`s_0 - \beta^2\xi(1)/2`, which turns negative
    at low :math:`T`. For :math:`\xi = q^p/2` (physics units) every term is divided by :math:`\sqrt2`.

    Args:
        xi: an integer ``p`` (the pure p-spin) or a :class:`landscape.fields.Mixture`.
        temperature: :math:`T > 0`.
    """
    mix = _Xi(_mix(xi))
    t = _temperature(temperature)
    return -0.5 * mix(1.0) / t - t * SPHERE_ENTROPY


def paramagnetic_energy(xi: Any, temperature: float) -> float:
    r"""Internal energy per spin of the paramagnet, :math:`u = \partial(\beta f)/\partial\beta = -\xi(1)/T`.

    Equivalently :math:`\langle H\rangle/N` for the Gibbs measure when :math:`H` is Gaussian and annealed = quenched
    (Crisanti & Sommers 1992). For the pure model it reaches the threshold energy
    :math:`-2\sqrt{(p-1)/p}` only at :math:`T = \sqrt{p/(4(p-1))}`, below :math:`T_d`.

    Args:
        xi: an integer ``p`` or a :class:`landscape.fields.Mixture`.
        temperature: :math:`T > 0`.
    """
    mix = _Xi(_mix(xi))
    return -mix(1.0) / _temperature(temperature)


def crisanti_sommers_1rsb(xi: Any, temperature: float, q: float, x: float) -> float:
    r"""The one-step Crisanti–Sommers free-energy functional at given :math:`(q, x)`, per spin, book units:

    .. math:: f_{\rm 1RSB}(q, x) = -Ts_0 - \frac\beta2\big[\xi(1) - (1-x)\xi(q)\big]
        - \frac T{2x}\log\Big(1 + \frac{xq}{1-q}\Big) - \frac T2\log(1-q).

    Derived from the Crisanti–Sommers formula (module docstring) with :math:`x(s) = x\,\mathbf 1_{s<q} +
    \mathbf 1_{s\ge q}`. At :math:`q = 0` or :math:`x = 1` it equals :func:`paramagnetic_free_energy`; for
    :math:`\xi = q^p` and :math:`T \to T/\sqrt2` it is Crisanti & Sommers (1992) (times :math:`\sqrt2`). By Guerra's
    bound the true free energy is :math:`\ge f_{\rm 1RSB}(q, x)` for every :math:`(q, x)` (Talagrand 2006).

    Args:
        xi: an integer ``p`` or a :class:`landscape.fields.Mixture`.
        temperature: :math:`T > 0`.
        q: the self-overlap, in :math:`[0, 1)`.
        x: the breaking parameter, in :math:`(0, 1]`.
    """
    mix = _Xi(_mix(xi))
    return _f_value(mix, _temperature(temperature), _overlap(q), _breaking(x))


# ------------------------------------------------------------------------------------------- root finding


def _largest_root(fun: Callable[[Any], Any], target: float) -> float | None:
    r"""Largest :math:`q \in (0, 1)` with ``fun(q) = target``, for ``fun`` continuous with ``fun(1^-) < target``;
    ``None`` if ``fun < target`` throughout. A grid of 4095 points brackets the last downward crossing; if the grid
    misses a near-tangency, the maximum is refined with a bounded scalar search first."""
    values = fun(_GRID)
    above = np.nonzero(values >= target)[0]
    if above.size:
        i = above[-1]
        lo = _GRID[i]
        hi = _GRID[i + 1] if i + 1 < _GRID.size else 1.0 - _EPS / 2
    else:
        j = int(np.argmax(values))
        a, b = _GRID[max(j - 1, 0)], _GRID[min(j + 1, _GRID.size - 1)]
        best = minimize_scalar(lambda s: -float(fun(s)), bounds=(a, b), method="bounded",
                               options={"xatol": 1e-15})
        if float(fun(best.x)) < target:
            return None
        lo, hi = float(best.x), b
        if float(fun(lo)) == target:
            return lo
    return float(brentq(lambda s: float(fun(s)) - target, lo, hi, xtol=1e-15, rtol=4 * _EPS, maxiter=500))


def _ratio(xi: _Xi, x: float) -> Callable[[Any], Any]:
    r""":math:`R_x(q) = \xi'(q)(1-q)(1-(1-x)q)/q`: the :math:`q`-equation reads :math:`R_x(q) = T^2`."""
    return lambda q: xi(q, 1) * (1.0 - q) * (1.0 - (1.0 - x) * q) / q


def _q_root(xi: _Xi, temperature: float, x: float) -> float | None:
    """The largest (stable) root of the q-equation at (T, x), or None."""
    return _largest_root(_ratio(xi, x), temperature**2)


def _x1_root(xi: _Xi, temperature: float) -> float | None:
    """The stable root of the x = 1 q-equation, exactly :math:`q_d` at :math:`T_d` (where rounding could lose the
    tangent root), None above :math:`T_d`."""
    t_d, q_d = _dynamical(xi)
    if abs(temperature - t_d) <= 1e-13 * t_d:
        return q_d
    if temperature > t_d:
        return None
    return _q_root(xi, temperature, 1.0) or q_d


def _dynamical(xi: _Xi) -> tuple[float, float]:
    r"""(:math:`T_d`, :math:`q_d`): the maximum of :math:`R_1(q) = \xi'(q)(1-q)/q` over :math:`(0, 1)`."""
    ratio = _ratio(xi, 1.0)
    values = ratio(_GRID)
    j = int(np.argmax(values))
    origin = xi(0.0, 2)  # R_1(0+) = xi''(0)
    if j == 0:
        raise ValueError(f"this xi has a continuous glass transition at T = sqrt(xi''(0)) = {math.sqrt(origin):.6g} "
                         "(R(q) = xi'(q)(1-q)/q decreases from q = 0): there is no discontinuous one-step "
                         "transition and no dynamical temperature (a pure model needs p >= 3)")
    a, b = _GRID[j - 1], _GRID[min(j + 1, _GRID.size - 1)]

    def slope(s):  # R_1'(q) = 0  <=>  xi''(q) q (1-q) = xi'(q): locates the maximum to machine precision
        return xi(s, 2) * s * (1.0 - s) - xi(s, 1)

    if slope(a) > 0 > slope(b):
        q_d = float(brentq(slope, a, b, xtol=1e-16, rtol=4 * _EPS, maxiter=500))
    else:  # pragma: no cover - a maximum that is not a simple sign change of the slope
        q_d = float(minimize_scalar(lambda s: -float(ratio(s)), bounds=(a, b), method="bounded",
                                    options={"xatol": 1e-15}).x)
    r_max = float(ratio(q_d))
    if r_max <= origin:
        raise ValueError("this xi has a continuous glass transition (the supremum of xi'(q)(1-q)/q is at q -> 0): "
                         "no discontinuous one-step transition")
    return math.sqrt(r_max), q_d


# --------------------------------------------------------------------------------------------- solutions


def complexity_1rsb(xi: Any, temperature: float, x: float = 1.0) -> float:
    r"""Monasson's complexity of the states selected by the breaking parameter :math:`x` at temperature :math:`T`:

    .. math:: \Sigma(T, x) = -x^2\frac{\partial(-\beta f_{\rm 1RSB})}{\partial x}
        = \frac12\Big[\log(1+y) - \frac y{1+y} - x^2\beta^2\xi(q)\Big], \qquad y = \frac{xq}{1-q},

    at the largest root :math:`q` of the :math:`q`-equation :math:`\beta^2\xi'(q)(1-q)(1-q+xq) = q`
    (Monasson 1995). The free energy of those states is :math:`f_{\rm 1RSB} + T\Sigma/x`; varying :math:`x` traces
    the curve :math:`\Sigma(f)`. At :math:`x = 1` it is the **configurational entropy**
    :math:`\Sigma_c(T) = \frac12[-\log(1-q) - q - \beta^2\xi(q)]` (the x = 1 solution exists for :math:`T \le T_d`):
    it vanishes at :math:`T_s` and is negative below (the Kauzmann, or entropy, crisis).
    For the pure p-spin, :math:`\Sigma(T, x) = \Sigma_p(u)` (Kac–Rice, :func:`landscape.kac_rice.complexity`) at the
    zero-temperature label :math:`u = -(w + p(p-1)/w)/p`, :math:`w = \sqrt{p(1+y)}`, for every :math:`T`; in
    particular :math:`\Sigma_c(T_d) = \frac12\log(p-1) - \frac{p-2}p`, the Kac–Rice complexity at the threshold.
    This holds for :math:`y \ge p - 2` (:math:`x` at least the marginal value of :func:`threshold_1rsb`); for
    smaller :math:`x` the selected saddle point violates Plefka's condition and is not a TAP state.

    Args:
        xi: an integer ``p`` or a :class:`landscape.fields.Mixture` (degrees :math:`\ge 2`).
        temperature: :math:`T \ge` ``MIN_SOLVER_TEMPERATURE`` (:math:`10^{-6}`).
        x: the breaking parameter in :math:`(0, 1]` (default 1).

    Raises:
        ValueError: if the :math:`q`-equation has no root :math:`q > 0` at :math:`(T, x)` (e.g. :math:`T > T_d` at
            :math:`x = 1`).
    """
    mix = _glassy(xi)
    t = _solver_temperature(temperature)
    x = _breaking(x)
    q = _x1_root(mix, t) if x == 1.0 else _q_root(mix, t, x)
    if q is None:
        raise ValueError(f"no 1RSB solution with q > 0 at temperature {t} and x = {x}: the q-equation "
                         "beta^2 xi'(q)(1-q)(1-q+xq) = q has no root in (0, 1) (for x = 1: temperature > T_d)")
    return _sigma(mix, 1.0 / t, q, x)


def _static(xi: _Xi) -> tuple[float, float]:
    r"""(:math:`T_s`, :math:`q_s`): on the :math:`x = 1` branch :math:`T^2 = R_1(q)`, :math:`q > q_d`, the first zero of
    :math:`\Sigma_c = \frac12[-\log(1-q) - q - \xi(q)/R_1(q)]`."""
    t_d, q_d = _dynamical(xi)

    def s(q):
        return -np.log1p(-q) - q - xi(q) * q / (xi(q, 1) * (1.0 - q))

    if not s(q_d) > 0:
        raise ValueError("the configurational entropy is not positive at T_d for this xi: no 1RSB static transition "
                         "below T_d")
    grid = q_d + (1.0 - q_d) * (1.0 - np.geomspace(1.0, 1e-12, 2000))[1:]
    values = s(grid)
    k = int(np.argmax(values < 0))
    lo = q_d if k == 0 else grid[k - 1]
    q_s = float(brentq(s, lo, grid[k], xtol=1e-15, rtol=4 * _EPS, maxiter=500))
    return math.sqrt(float(_ratio(xi, 1.0)(q_s))), q_s


def dynamical_temperature(xi: Any) -> float:
    r"""The dynamical (mode-coupling) temperature :math:`T_d`, book units: the highest temperature at which the
    :math:`q`-equation at :math:`x = 1` has a root :math:`q > 0`,

    .. math:: T_d^2 = \max_{0<q<1}\frac{\xi'(q)(1-q)}{q} \quad\Longrightarrow\quad
        T_d = \sqrt{\frac{p(p-2)^{p-2}}{(p-1)^{p-1}}}\ \text{ for } \xi = q^p .

    At the maximum the replicon vanishes, :math:`\beta^2\xi''(q_d)(1-q_d)^2 = 1` (marginal stability; for the pure
    model :math:`q_d = (p-2)/(p-1)`). Below :math:`T_d` the Gibbs measure splits into exponentially many states and
    Langevin dynamics no longer equilibrates (Crisanti, Horner & Sommers 1993, whose physics-unit value is
    :math:`\sqrt{p(p-2)^{p-2}/(2(p-1)^{p-1})}`: :math:`0.612372` for :math:`p = 3`; book :math:`0.866025`).
    For a mixture this is the 1RSB (x = 1) value.

    Args:
        xi: an integer ``p >= 3`` or a :class:`landscape.fields.Mixture` (degrees :math:`\ge 2`) with a
            discontinuous transition.

    Raises:
        ValueError: for a continuous transition (e.g. :math:`p = 2`, where :math:`\max` is at :math:`q \to 0`).
    """
    return _dynamical(_glassy(xi))[0]


def static_temperature(xi: Any) -> float:
    r"""The static (Kauzmann) temperature :math:`T_s`, book units: the temperature at which the :math:`x = 1`
    solution has zero configurational entropy, below which the 1RSB solution has :math:`x < 1`. Solves

    .. math:: T^2 = \frac{\xi'(q)(1-q)}{q}, \qquad -\log(1-q) - q = \beta^2\xi(q), \qquad q > q_d .

    For :math:`\xi = q^p`: :math:`T_s^2 = p\,y^{p-2}/(1+y)^{p-1}` with :math:`y^2/p = (1+y)\log(1+y) - y`
    (Crisanti & Sommers 1992). :math:`p = 3`: :math:`T_s = 0.828805` (physics units :math:`0.586054`);
    :math:`p = 4`: :math:`0.711405` (:math:`0.503039`). Always :math:`T_s < T_d`.

    Args:
        xi: an integer ``p >= 3`` or a :class:`landscape.fields.Mixture` (degrees :math:`\ge 2`).
    """
    return _static(_glassy(xi))[0]


def _state_free_energy(xi: _Xi, temperature: float, q: float, x: float) -> tuple[float, float]:
    sigma = _sigma(xi, 1.0 / temperature, q, x)
    return _f_value(xi, temperature, q, x) + temperature * sigma / x, sigma


def _energy(xi: _Xi, temperature: float, q: float, x: float) -> float:
    return -(xi(1.0) - (1.0 - x) * xi(q)) / temperature


def solve_1rsb(xi: Any, temperature: float) -> OneStepRSB:
    r"""The thermodynamically relevant 1RSB solution at temperature :math:`T` (book units, per spin).

    * :math:`T > T_d`: the paramagnet, :math:`q = 0`, :math:`x = 1`, :math:`f = -\beta\xi(1)/2 - Ts_0`,
      complexity 0 (one ergodic state).
    * :math:`T_s \le T \le T_d`: :math:`x = 1` and :math:`q` the largest root of
      :math:`\beta^2\xi'(q)(1-q) = q`. The free energy and energy are still the paramagnet's, but the measure is
      split into :math:`e^{N\Sigma_c}` states (``complexity`` = :math:`\Sigma_c(T) \ge 0`), each of free energy
      ``state_free_energy`` :math:`= f_{\rm para} + T\Sigma_c`.
    * :math:`T < T_s`: :math:`x < 1` solves :math:`\Sigma(T, x) = 0` (the :math:`x`-equation) with :math:`q` from
      the :math:`q`-equation; :math:`f = f_{\rm 1RSB}(q, x) > f_{\rm para}`, internal energy
      :math:`u = \partial(\beta f)/\partial\beta = -\beta[\xi(1) - (1-x)\xi(q)]`, complexity 0.

    This is the maximum of :func:`crisanti_sommers_1rsb` over :math:`(q, x)` (Guerra's bound; Crisanti & Sommers
    1992). For the pure p-spin below :math:`T_s`, :math:`y = xq/(1-q)` is the temperature-independent root of
    :math:`y^2/p = (1+y)\log(1+y) - y`, and :math:`(q, f)` are those of the TAP states of the ground states
    (:func:`landscape.tap.tap_self_overlap` and :func:`landscape.tap.tap_state_free_energy` at
    :math:`u_0 = ` :func:`landscape.kac_rice.ground_state_energy`).

    Args:
        xi: an integer ``p >= 3`` or a :class:`landscape.fields.Mixture` (degrees :math:`\ge 2`, discontinuous
            transition).
        temperature: :math:`T \ge` ``MIN_SOLVER_TEMPERATURE`` (:math:`10^{-6}`).

    Returns:
        :class:`OneStepRSB` ``(q, x, free_energy, energy, complexity, state_free_energy)``.
    """
    mix = _glassy(xi)
    t = _solver_temperature(temperature)
    para = -0.5 * mix(1.0) / t - t * SPHERE_ENTROPY
    energy = -mix(1.0) / t
    q1 = _x1_root(mix, t)
    if q1 is None:
        return OneStepRSB(0.0, 1.0, para, energy, 0.0, para)
    sigma1 = _sigma(mix, 1.0 / t, q1, 1.0)
    if sigma1 >= 0:
        return OneStepRSB(q1, 1.0, para, energy, sigma1, para + t * sigma1)

    def sigma_at(x):
        q = _q_root(mix, t, x)
        return None if q is None else _sigma(mix, 1.0 / t, q, x)

    # Sigma(T, 1) < 0; walk x down (geometrically, halving the step where the q-root is lost) until Sigma > 0
    hi, lo = 1.0, 0.7
    for _ in range(400):
        value = sigma_at(lo)
        if value is None:
            if hi - lo < 1e-14 * hi:
                raise RuntimeError(f"the 1RSB q-equation loses its root before Sigma(x) = 0 at T = {t}")
            lo = 0.5 * (lo + hi)
        elif value > 0:
            break
        else:
            hi, lo = lo, 0.7 * lo
    else:  # pragma: no cover - x would be below 1e-60
        raise RuntimeError(f"no root of Sigma(x) = 0 found at T = {t}")
    x = float(brentq(sigma_at, lo, hi, xtol=1e-16, rtol=4 * _EPS, maxiter=500))
    q = _q_root(mix, t, x)
    f = _f_value(mix, t, q, x)
    return OneStepRSB(q, x, f, _energy(mix, t, q, x), 0.0, f)


def equilibrium_complexity(xi: Any, temperature: float) -> float:
    r"""Complexity (log-number of states per spin) of the states that carry the Gibbs measure at temperature
    :math:`T`: :math:`\Sigma_c(T)` (:func:`complexity_1rsb` at :math:`x = 1`) for :math:`T_s \le T \le T_d`, and 0
    outside (one ergodic state above :math:`T_d`; a sub-exponential number of lowest states below :math:`T_s`).

    It jumps at :math:`T_d` from 0 to :math:`\Sigma_c(T_d)`, which for the pure p-spin equals
    :math:`\frac12\log(p-1) - \frac{p-2}p`, the Kac–Rice complexity of the threshold minima
    (:func:`landscape.kac_rice.complexity_index` at :math:`u_{\rm th}`, ``k = 0``): at :math:`T_d` the equilibrium
    states are the TAP states built on the threshold critical points. It decreases to 0 at :math:`T_s`
    (Crisanti & Sommers 1995; Castellani & Cavagna 2005). Note that the states at :math:`T` are labelled by the
    energy of their :math:`T = 0` minimum, not by the equilibrium energy :math:`-\xi(1)/T`.

    Args:
        xi: an integer ``p >= 3`` or a :class:`landscape.fields.Mixture` (degrees :math:`\ge 2`).
        temperature: :math:`T \ge` ``MIN_SOLVER_TEMPERATURE`` (:math:`10^{-6}`).
    """
    return solve_1rsb(xi, temperature).complexity


def threshold_1rsb(xi: Any, temperature: float) -> OneStepRSB:
    r"""The marginal (threshold) 1RSB solution at :math:`T \le T_d`: the :math:`x`-equation is replaced by the
    vanishing of the replicon eigenvalue,

    .. math:: \beta^2\xi''(q)(1-q)^2 = 1, \qquad \beta^2\xi'(q)(1-q)(1-q+xq) = q ,

    with :math:`q` the largest root. These are the states reached by the aging dynamics from a random start:
    :math:`q` is the plateau of the correlation, :math:`x` the fluctuation–dissipation ratio and
    ``energy`` :math:`= -\beta[\xi(1) - (1-x)\xi(q)]` the asymptotic energy of Langevin dynamics (Cugliandolo &
    Kurchan 1993; Kurchan, Parisi & Virasoro 1993). ``complexity`` is Monasson's :math:`\Sigma(T, x)` of the
    marginal states and ``state_free_energy`` their free energy. For the pure p-spin :math:`y = xq/(1-q) = p-2` at
    every :math:`T`: the marginal states are the TAP states of the threshold critical points
    (:math:`u_{\rm th} = -2\sqrt{(p-1)/p}`) and their complexity is
    :math:`\frac12\log(p-1) - \frac{p-2}p` at every temperature; at :math:`T = T_d`, :math:`x = 1` and this is
    :func:`solve_1rsb`'s solution; as :math:`T \to 0` the energy tends to :math:`u_{\rm th}`
    (:func:`threshold_energy_1rsb`).

    Args:
        xi: an integer ``p >= 3`` or a :class:`landscape.fields.Mixture` (degrees :math:`\ge 2`).
        temperature: :math:`10^{-6} = ` ``MIN_SOLVER_TEMPERATURE`` :math:`\le T \le T_d`.

    Raises:
        ValueError: above :math:`T_d` (the marginal :math:`x` would exceed 1: the dynamics equilibrates).
    """
    mix = _glassy(xi)
    t = _solver_temperature(temperature)
    t_d, _ = _dynamical(mix)
    q = _largest_root(lambda s: mix(s, 2) * (1.0 - s) ** 2, t * t)
    x = None
    if q is not None:
        x = 1.0 - (1.0 - q * t * t / (mix(q, 1) * (1.0 - q))) / q
        if 1.0 < x <= 1.0 + 1e-9:
            x = 1.0
    if q is None or not 0.0 < x <= 1.0:
        raise ValueError(f"temperature must be <= T_d = {t_d:.12g} for the marginal 1RSB solution, got {t}")
    f_state, sigma = _state_free_energy(mix, t, q, x)
    return OneStepRSB(q, x, _f_value(mix, t, q, x), _energy(mix, t, q, x), sigma, f_state)


# ------------------------------------------------------------------------------------------ zero temperature


def _y_static(p_eff: float) -> float:
    r"""The root :math:`y > 0` of :math:`(1+y)\log(1+y) - y - y^2/p = 0` (exists and is unique for :math:`p > 2`)."""

    def h(y):
        return (1.0 + y) * math.log1p(y) - y - y * y / p_eff

    hi = 1.0
    while h(hi) > 0:
        hi *= 2.0
    lo = hi / 2.0
    while h(lo) < 0 and lo > 1e-300:
        lo /= 2.0
    return float(brentq(h, lo, hi, xtol=1e-15, rtol=4 * _EPS, maxiter=500))


def ground_state_energy_1rsb(xi: Any) -> float:
    r"""The zero-temperature limit of the 1RSB free energy: :math:`T \to 0` with :math:`z = \beta x` and
    :math:`\chi = \beta(1 - q)` fixed turns :func:`crisanti_sommers_1rsb` into

    .. math:: u_0^{\rm 1RSB} = -\frac12\min_{z\ge0,\ \chi>0}\Big[\xi'(1)\chi + \xi(1)z
        + \frac1z\log\Big(1 + \frac z\chi\Big)\Big].

    Stationarity gives :math:`\chi = (\xi'(1)(1+y))^{-1/2}`, :math:`z = y\chi` with :math:`y` the root of
    :math:`y^2\xi(1)/\xi'(1) = (1+y)\log(1+y) - y` (the :math:`T`-independent :math:`y` of the static solution).
    If :math:`\xi'(1) \le 2\xi(1)` there is no root and the minimum is at :math:`z \to 0`: the replica-symmetric
    value :math:`-\sqrt{\xi'(1)}` (:math:`-\sqrt2` for :math:`p = 2`, the top eigenvalue of the coupling matrix).

    For the pure p-spin this equals the zero of the Kac–Rice complexity of minima,
    :func:`landscape.kac_rice.ground_state_energy` (e.g. :math:`-1.656998` for :math:`p = 3`): the replica and the
    Kac–Rice routes give the same ground state (Crisanti & Sommers 1992; Auffinger, Ben Arous & Černý 2013; Subag
    2017; Chen & Sen 2017). It depends on :math:`\xi` only through :math:`\xi(1)` and :math:`\xi'(1)`, and
    numerically equals the lower zero of :func:`landscape.kac_rice.complexity_mixed` for the mixtures tested. By
    Guerra's bound it is a *lower* bound on the ground-state energy of any mixture; where the zero-temperature
    Parisi measure is not one-step (full RSB, e.g. mixtures with a strong 2-spin part), the true ground state lies
    above it (Chen & Sen 2017).

    Args:
        xi: an integer ``p >= 2`` or a :class:`landscape.fields.Mixture` (degrees :math:`\ge 2`).
    """
    mix = _glassy(xi)
    c, b = mix(1.0), mix(1.0, 1)
    replica_symmetric = 2.0 * math.sqrt(b)
    if b <= 2.0 * c:
        return -0.5 * replica_symmetric
    y = _y_static(b / c)
    chi = 1.0 / math.sqrt(b * (1.0 + y))
    z = y * chi
    value = b * chi + c * z + math.log1p(y) / z
    return -0.5 * min(value, replica_symmetric)


def threshold_energy_1rsb(xi: Any) -> float:
    r"""The zero-temperature limit of the marginal solution (:func:`threshold_1rsb`): with
    :math:`\chi = \beta(1-q)`, :math:`z = \beta x`, the replicon condition gives :math:`\chi = \xi''(1)^{-1/2}`, the
    :math:`q`-equation :math:`\chi + z = 1/(\xi'(1)\chi)`, and the energy :math:`-[\xi'(1)\chi + \xi(1)z]`:

    .. math:: u_{\rm th} = -\frac{\xi(1)\big(\xi''(1) - \xi'(1)\big) + \xi'(1)^2}{\xi'(1)\sqrt{\xi''(1)}},

    the energy where the Hessian bulk of the Kac–Rice conditional Hessian touches zero
    (:func:`landscape.kac_rice.mixed_threshold_energy`; :math:`-2\sqrt{(p-1)/p}` for :math:`\xi = q^p`,
    :func:`landscape.kac_rice.threshold_energy`). It is the :math:`T \to 0` limit of the asymptotic energy of the
    aging dynamics (Cugliandolo & Kurchan 1993).

    The breaking parameter :math:`z = (\xi''(1) - \xi'(1))/(\xi'(1)\sqrt{\xi''(1)})` is :math:`\ge 0` because
    every degree is :math:`\ge 2` (it is 0 for :math:`p = 2`, where :math:`u_{\rm th} = -\sqrt2` is the ground state).

    Args:
        xi: an integer ``p >= 2`` or a :class:`landscape.fields.Mixture` (degrees :math:`\ge 2`).
    """
    mix = _glassy(xi)
    c, b, a = mix(1.0), mix(1.0, 1), mix(1.0, 2)
    return -(c * (a - b) + b * b) / (b * math.sqrt(a))


# ------------------------------------------------------------------------------- finite N: the second moment

_THETA = np.linspace(0.0, math.pi, 8193)[1:-1]  # interior nodes of [0, pi] for locating the integrand's peaks


def _log_overlap_integral(n: int, g: Callable[[Any], Any]) -> float:
    r""":math:`\log\int_0^\pi \sin^{n-2}\theta\, e^{g(\cos\theta)}d\theta`, by adaptive quadrature around the peaks of
    the log-integrand (located on a grid first and scaled out, so that nothing overflows)."""
    from scipy.integrate import quad

    def log_integrand(theta):
        return (n - 2) * np.log(np.sin(theta)) + g(np.cos(theta))

    values = log_integrand(_THETA)
    top = float(values.max())
    peaks = _THETA[np.flatnonzero((values >= np.roll(values, 1)) & (values >= np.roll(values, -1)))]
    total, _ = quad(lambda t: math.exp(log_integrand(t) - top) if 0.0 < t < math.pi else 0.0, 0.0, math.pi,
                    points=tuple(peaks[:20]), limit=400, epsabs=0.0, epsrel=1e-12)
    return top + math.log(total)


def log_second_moment(xi: Any, temperature: float, n: int) -> float:
    r"""Exact finite-:math:`N` log of the normalised second moment of the partition function,
    :math:`\log\big(\mathbb E[Z_N^2]/(\mathbb EZ_N)^2\big)`, with :math:`Z_N = \int_{S_N}e^{-H/T}d\sigma`.

    For two points at overlap :math:`q`, :math:`H(\sigma) + H(\tau)` is centred Gaussian with variance
    :math:`2N[\xi(1) + \xi(q)]`, so :math:`\mathbb E[e^{-\beta(H(\sigma)+H(\tau))}] = e^{N\beta^2[\xi(1)+\xi(q)]}`,
    while :math:`\mathbb EZ_N = |S_N|e^{N\beta^2\xi(1)/2}`. Hence

    .. math:: \frac{\mathbb E[Z_N^2]}{(\mathbb EZ_N)^2} = \mathbb E\,e^{N\beta^2\xi(q)}
        = \frac{\int_{-1}^1(1-q^2)^{(N-3)/2}e^{N\beta^2\xi(q)}dq}{\int_{-1}^1(1-q^2)^{(N-3)/2}dq},

    :math:`q` the overlap of two independent uniform points of :math:`S_N`, whose density is
    :math:`\propto(1-q^2)^{(N-3)/2}` (the area of the circle of latitude; e.g. Muirhead 1982, §1.5). Evaluated as an
    integral over the angle :math:`q = \cos\theta` by adaptive quadrature (relative accuracy about
    :math:`10^{-12}`). It is :math:`\ge 0` (Jensen), and by Cauchy–Schwarz it bounds how far quenched averages can be
    from annealed ones at the same :math:`N`: with :math:`w = Z/\mathbb EZ`,
    :math:`\mathrm{Var}\,w = e^{\text{this}} - 1`. For large :math:`N` it grows like :math:`N\max_q[\beta^2\xi(q) +
    \frac12\log(1-q^2)]` below :func:`second_moment_temperature` and stays bounded above it.

    Args:
        xi: an integer ``p`` or a :class:`landscape.fields.Mixture` (any degrees, a degree-1 field included).
        temperature: :math:`T > 0`.
        n: the dimension :math:`N \ge 2`.
    """
    mix = _Xi(_mix(xi))
    beta = 1.0 / _temperature(temperature)
    n = _validate.integer("n", n, minimum=2, maximum=10**9)
    scale = n * beta * beta
    if not math.isfinite(scale * float(np.max(np.abs(mix(np.array([-1.0, 1.0])))))):
        raise ValueError(f"temperature is too small for n = {n}: N xi(q) / T^2 overflows")
    return _log_overlap_integral(n, lambda q: scale * mix(q)) - _log_overlap_integral(n, lambda q: 0.0 * q)


def second_moment_temperature(xi: Any) -> float:
    r"""The temperature :math:`T_2` below which the annealed second moment of :math:`Z_N` grows exponentially with
    :math:`N` (:func:`log_second_moment`):

    .. math:: T_2^2 = \sup_{q\in(-1,1)\setminus\{0\}} \frac{2\,\xi(q)}{-\log(1-q^2)},

    the smallest :math:`T` with :math:`\beta^2\xi(q) + \frac12\log(1-q^2) \le 0` for every :math:`q`, by Laplace's
    method on the overlap integral. Above :math:`T_2` the second moment stays bounded, and the second-moment method
    (the Paley–Zygmund inequality together with the Gaussian concentration of :math:`\log Z_N`) gives that the
    quenched free energy is the annealed one, the paramagnet. Between :math:`T_s` and :math:`T_2` the two are still
    equal as :math:`N \to \infty` (the Crisanti–Sommers solution is the paramagnet there), but
    :math:`\mathbb E[Z_N^2]` is carried by rare fields, pairs of configurations in the same deep state. For the pure
    3-spin :math:`T_2 = 1.0110`, between :math:`T_d = 0.8660` and the spinodal temperature of the ground-state TAP
    states, :math:`1.1189`.

    Args:
        xi: an integer ``p`` or a :class:`landscape.fields.Mixture`.
    """
    mix = _Xi(_mix(xi))
    q = np.union1d(np.linspace(-1.0, 1.0, 8001)[1:-1], 1.0 - np.geomspace(1e-4, 1e-12, 60))
    q = np.union1d(q, -q)
    q = q[q != 0.0]

    def ratio(s):
        return 2.0 * mix(s) / -np.log1p(-s * s)

    values = ratio(q)
    k = int(np.argmax(values))
    lo, hi = q[max(k - 1, 0)], q[min(k + 1, q.size - 1)]
    best = float(values[k])
    if lo < hi and (lo > 0.0 or hi < 0.0):
        res = minimize_scalar(lambda s: -ratio(s), bounds=(lo, hi), method="bounded", options={"xatol": 1e-13})
        best = max(best, -float(res.fun))
    if best <= 0.0:
        raise ValueError("xi has no q with xi(q) > 0: the second moment never grows")
    return math.sqrt(best)
