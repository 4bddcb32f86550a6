r"""Gradient flow and Langevin dynamics on :math:`S_N`: finite-:math:`N` integrators and the :math:`N\to\infty` theory.

Conventions (the book's): :math:`S_N = \{|\sigma|^2 = N\}`, a centred Gaussian field with
:math:`\mathbb E[H(\sigma)H(\sigma')] = N\xi(\sigma\cdot\sigma'/N)`, :math:`\xi(1) = 1` for the pure
:math:`\xi(q) = q^p`, energy per spin :math:`u = H/N`. The dynamics is the Itô equation

.. math:: d\sigma = \big(-\nabla H(\sigma) - \mu(t)\,\sigma\big)\,dt + \sqrt{2T}\,P_\sigma\,dW,
    \qquad \mu(t) = \frac{N-1}{N}\,T - \frac{\sigma\cdot\nabla H(\sigma)}{N},

where :math:`P_\sigma = I - \sigma\sigma^\top/N` and :math:`\mu` is the Lagrange multiplier that keeps
:math:`d|\sigma|^2 = 0` (Itô: :math:`d|\sigma|^2 = 2\sigma\cdot d\sigma + 2T\,\mathrm{tr}P_\sigma\,dt`). For a pure
model Euler's identity :math:`\sigma\cdot\nabla H = pH` makes this :math:`\mu = T(N-1)/N - pu` *exactly*, which
is the finite-:math:`N` form of :math:`\mu(t) = T - pE(t)`. Gradient flow is :math:`T = 0`.

* :func:`gradient_flow`, :func:`langevin` — finite :math:`N`, a batch of starts (and, through ``jax.vmap``, a batch
  of fields), recording the energy, :math:`\mu`, two-time correlations and optionally the bottom of the Hessian.
* :func:`parallel_tempering` — equilibrium sampling of the Gibbs measures :math:`e^{-H/T}` at a ladder of
  temperatures by replica exchange (Metropolis moves on :math:`S_N` and swaps), with the diagnostics
  :func:`integrated_autocorrelation_time` and :func:`round_trips`.
* :func:`cugliandolo_kurchan` — the closed equations for :math:`C(t,t')`, :math:`R(t,t')`, :math:`\mu(t)` and
  :math:`E(t)` that the dynamics obeys as :math:`N\to\infty` from a uniformly random start, on a uniform grid.
* :func:`cugliandolo_kurchan_adaptive` — the same equations to long times (:math:`10^4` and beyond) on a grid
  that coarsens as the system ages (Kim & Latz 2001), with aging curves :math:`C(t_w + \tau, t_w)`.
* :func:`spherical_sk_gradient_flow` — the exact :math:`N = \infty` solution of gradient flow for :math:`p = 2`.

**Units of the sources.** Cugliandolo & Kurchan (1993) and Crisanti, Horner & Sommers (1993) use
:math:`\xi(q) = q^p/2`, i.e. :math:`H_{\rm CK} = H/\sqrt2` in law. Rescaling time keeps the equations of motion
identical: :math:`t_{\rm CK} = \sqrt2\,t`, :math:`T_{\rm CK} = T/\sqrt2`, :math:`E_{\rm CK} = E/\sqrt2`,
:math:`\mu_{\rm CK} = \mu/\sqrt2` (book quantities without subscript). So their threshold energy
:math:`-\sqrt{2(p-1)/p}` is the book's :math:`-2\sqrt{(p-1)/p}`, and their :math:`T_d = \sqrt{p(p-2)^{p-2}/
(2(p-1)^{p-1})}` (0.612 at :math:`p = 3`) is the book's :math:`\sqrt{p(p-2)^{p-2}/(p-1)^{p-1}}` (0.866).

Sources: L. F. Cugliandolo and J. Kurchan, Phys. Rev. Lett. 71 (1993) 173; A. Crisanti, H. Horner and
H.-J. Sommers, Z. Phys. B 92 (1993) 257; L. F. Cugliandolo, *Dynamics of glassy systems*, Les Houches lectures,
arXiv:cond-mat/0210312 (the equations for general :math:`\xi`); G. Ben Arous, A. Dembo and A. Guionnet, Probab.
Theory Relat. Fields 136 (2006) 619 (a proof of the equations for spherical mixtures); L. F. Cugliandolo and
D. S. Dean, J. Phys. A 28 (1995) 4213 (the :math:`p = 2` solution); P. E. Kloeden and E. Platen, *Numerical
Solution of Stochastic Differential Equations* (1992) (Euler–Maruyama); K. Hukushima and K. Nemoto, J. Phys.
Soc. Jpn. 65 (1996) 1604 and R. H. Swendsen and J.-S. Wang, Phys. Rev. Lett. 57 (1986) 2607 (replica exchange);
N. Metropolis, A. W. Rosenbluth, M. N. Rosenbluth, A. H. Teller and E. Teller, J. Chem. Phys. 21 (1953) 1087;
N. Madras and A. D. Sokal, J. Stat. Phys. 50 (1988) 109 (the autocorrelation window); H. G. Katzgraber, S. Trebst,
D. A. Huse and M. Troyer, J. Stat. Mech. (2006) P03018 (round trips); E. Hairer, C. Lubich and G. Wanner,
*Geometric Numerical Integration* (2006), §IV.4 (projection methods); E. Hairer, S. P. Nørsett and G. Wanner,
*Solving Ordinary Differential Equations I* (1993), §III.1 (Adams methods); B. Kim and A. Latz, Europhys. Lett.
53 (2001) 660 (the decimated two-time grid).

Argument checks (types, ranges, finiteness, shapes; sizes against :func:`landscape.max_bytes`) run on concrete
values. Under ``jax.jit``/``jax.vmap`` the arguments are tracers and only shapes are checked: call a function
once on concrete inputs before transforming it (the package docstring: errors and limits).
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable, Sequence
from functools import partial
from typing import Any, NamedTuple

import jax
import jax.numpy as jnp
import numpy as np
from scipy.optimize import brentq
from scipy.special import gammaln, ive

from . import _validate, fields, sphere, thermo

Array = jax.Array
Field = fields.Field

__all__ = [
    "Landscape",
    "Trajectory",
    "CKSolution",
    "gradient_flow",
    "langevin",
    "cugliandolo_kurchan",
    "CKAdaptiveSolution",
    "cugliandolo_kurchan_adaptive",
    "spherical_sk_gradient_flow",
    "TemperingRun",
    "parallel_tempering",
    "integrated_autocorrelation_time",
    "round_trips",
    "EquilibriumSolution",
    "equilibrium_dynamics",
    "MCTExponents",
    "mct_exponents",
    "MAX_CK_STEPS",
    "MAX_EQUILIBRIUM_STEPS",
    "MAX_CKA_RANGE",
    "MAX_SK_TIME",
]

MAX_CK_STEPS = 4094
"""Largest number of time steps ``t_max/dt`` accepted by :func:`cugliandolo_kurchan`. The solver stores
:math:`C` and :math:`R` as two square float64 arrays of at most :math:`4096^2` entries each: 256 MiB together.
:func:`cugliandolo_kurchan_adaptive` has no such limit."""

MAX_CKA_RANGE = 2.0**64
r"""Largest ratio ``t_max / t_start`` accepted by :func:`cugliandolo_kurchan_adaptive` (about
:math:`1.8\times10^{19}`): the grid doubles its step once per level, so this bounds the run at 64 levels.
A larger ratio would run for hours (one level per doubling) instead of failing."""

MAX_SK_TIME = 1e8
r"""Largest time accepted by :func:`spherical_sk_gradient_flow`: the scaled Bessel functions :math:`I_0, I_1` of
SciPy return NaN beyond an argument of about :math:`10^9` (here :math:`4\sqrt2\,t`); at :math:`t = 10^8` the energy
equals its limit :math:`-\sqrt2` to :math:`4\times10^{-9}`."""

MAX_EQUILIBRIUM_STEPS = 400_000
r"""Largest number of time steps ``t_max/dt`` accepted by :func:`equilibrium_dynamics` (the work grows as the
square of the number of steps: :math:`2\times10^4` steps take about half a second on two CPU cores,
:math:`4\times10^4` about four, once the arrays leave the cache)."""


class Landscape(NamedTuple):
    r"""Any smooth function on :math:`S_N` for :func:`gradient_flow` and :func:`langevin`, given by its jet.

    ``jet(operand, sigma, order)`` returns the value :math:`H(\sigma)`, the Euclidean gradient and (for
    ``order = 2``) the Euclidean Hessian, batched over the leading axes of ``sigma`` and traceable (it runs inside
    ``jax.jit``); ``operand`` is a pytree of arrays (the data) passed through unchanged. The integrators record
    :math:`H/N` as the energy, so an intensive function (an empirical risk :math:`R`) should be given as
    :math:`NR`. ``jet`` is a static argument of the compiled integrator: a module-level function or a bound method
    of a hashable object compiles once, a new ``lambda`` or ``functools.partial`` at every call compiles every time.
    For a field, ``Landscape(fields.prepare(J), fields.derivatives)`` is what the integrators use internally.
    """

    operand: Any
    jet: Callable


class Trajectory(NamedTuple):
    r"""Observables recorded along a finite-:math:`N` trajectory, at ``times[k] = k * record_every * dt``.

    ``batch`` is the shape of the leading axes of ``sigma0``. Under ``jax.vmap`` over fields every array gains a
    leading field axis (``times`` and ``waiting_times`` too).
    """

    times: Array  #: shape (R,), R = n_steps // record_every + 1, starting at t = 0
    energy: Array  #: u = H/N, shape ``(R, *batch)``
    mu: Array  #: the Lagrange multiplier T (N-1)/N - sigma.grad H/N, shape ``(R, *batch)``
    correlation: Array  #: C(t, t_w) = sigma(t).sigma(t_w)/N, shape ``(R, W, *batch)``; NaN where t < t_w
    waiting_times: Array  #: the W waiting times t_w, shape (W,)
    min_hessian_eigenvalue: Array | None  #: lowest tangent Hessian eigenvalue, shape ``(R, *batch)``, or None
    final: Array  #: the configuration at the last step, shape ``(*batch, N)``
    #: Langevin at T > 0 only (else None), the per-sample estimator of the integrated response
    #: chi(t, t_w) = sigma(t).(B(t) - B(t_w))/(N sqrt(2T)), B the driving Brownian motion; shape ``(R, W, *batch)``
    response: Array | None = None
    #: with ``reference`` only (else None): the overlap sigma(t).reference/N, shape ``(R, *batch)``
    overlap: Array | None = None
    #: with ``reference`` and ``hessian`` only (else None): the squared overlap of the lowest tangent-Hessian
    #: eigenvector with the unit tangent projection of the reference, in [0, 1], shape ``(R, *batch)``
    hessian_overlap: Array | None = None


class CKSolution(NamedTuple):
    r"""Solution of the Cugliandolo–Kurchan equations on the grid ``times[k] = k * dt`` (NumPy arrays, book units)."""

    times: np.ndarray  #: shape (n+1,)
    energy: np.ndarray  #: E(t), the energy per spin, shape (n+1,)
    mu: np.ndarray  #: the Lagrange multiplier mu(t), shape (n+1,)
    C: np.ndarray  #: C[i, j] = C(t_i, t_j), symmetric, C[i, i] = 1, shape (n+1, n+1)
    R: np.ndarray  #: R[i, j] = R(t_i, t_j) for j <= i (R[i, i] = 1, the limit t -> t_j+), 0 for j > i
    m: np.ndarray | None = None  #: with a ``signal`` only: the overlap m(t_i) with the planted direction, shape (n+1,)


# --------------------------------------------------------------------------------------------- finite N


@partial(jax.jit, static_argnames=("n_records", "record_every", "method", "hessian", "jet"))
def _integrate(key: Array, field: Any, sigma: Array, temperature: Array, dt: Array,
               wait_idx: Array, reference: Array | None, n_records: int, record_every: int, method: str,
               hessian: bool, jet: Callable):
    batch, n = sigma.shape

    def gradient(s):  # for a prepared field: one pass over the symmetrised couplings, a matrix product for a batch
        return jet(field, s, 1)[1]

    def drift(s):  # -P_s grad H(s): the gradient-flow velocity, tangent to S_N
        return -sphere.project_gradient(s, gradient(s))

    def step(s, k):
        if method == "heun":
            f0 = drift(s)
            f1 = drift(sphere.normalize(s + dt * f0))
            return sphere.normalize(s + 0.5 * dt * (f0 + f1))
        v = dt * drift(s)
        if method == "euler-maruyama":
            xi = jax.random.normal(jax.random.fold_in(key, k), (batch * n,), dtype=sigma.dtype).reshape(batch, n)
            v = v + jnp.sqrt(2.0 * temperature * dt) * sphere.project_gradient(s, xi)
            return sphere.retract(s, v), jnp.sqrt(dt) * xi
        return sphere.retract(s, v)

    def lowest_mode(s):  # the lowest tangent eigenvalue and the squared overlap of its mode with the reference
        _, grad, hess = jet(field, s, 2)
        hess = sphere.tangent_hessian(s, hess) - jnp.dot(s, grad) / n * jnp.eye(n - 1)
        if reference is None:
            return jnp.linalg.eigvalsh(hess)[0], None
        values, vectors = jnp.linalg.eigh(hess)
        e = sphere.to_tangent(s, reference)
        return values[0], jnp.dot(vectors[:, 0], e) ** 2 / jnp.dot(e, e)

    noisy = method == "euler-maruyama"

    def observe(s, brown, saved, r):
        h, grad = jet(field, s, 1)
        energy = h / n
        mu = temperature * (n - 1) / n - jnp.sum(s * grad, axis=-1) / n  # sigma . grad H = sum_p p H_p
        here = (wait_idx == r)[:, None, None]
        saved = (jnp.where(here, s[None], saved[0]), jnp.where(here, brown[None], saved[1]))
        valid = (r >= wait_idx)[:, None]
        corr = jnp.where(valid, jnp.einsum("wbn,bn->wb", saved[0], s) / n, jnp.nan)
        chi = None
        if noisy:  # Girsanov / Novikov: d<sigma(t)>/dh(s) = <sigma(t) dB(s)/ds>/sqrt(2T), h entering like the noise
            chi = jnp.einsum("wbn,bn->wb", brown[None] - saved[1], s) / (n * jnp.sqrt(2.0 * temperature))
            chi = jnp.where(valid, chi, jnp.nan)
        low, low_overlap = jax.vmap(lowest_mode)(s) if hessian else (None, None)
        overlap = None if reference is None else s @ reference / n
        return saved, (energy, mu, corr, low, chi, overlap, low_overlap)

    def advance(carry, k):
        s, brown = carry
        if noisy:
            s, db = step(s, k)
            return (s, brown + db), None
        return (step(s, k), brown), None

    def block(carry, r):
        s, brown, saved = carry
        (s, brown), _ = jax.lax.scan(advance, (s, brown), (r - 1) * record_every + jnp.arange(record_every))
        saved, obs = observe(s, brown, saved, r)
        return (s, brown, saved), obs

    brown0 = jnp.zeros_like(sigma)
    saved0 = (jnp.zeros((wait_idx.shape[0],) + sigma.shape, dtype=sigma.dtype),) * 2
    saved0, obs0 = observe(sigma, brown0, saved0, 0)
    (final, _, _), obs = jax.lax.scan(block, (sigma, brown0, saved0), jnp.arange(1, n_records + 1))
    obs = jax.tree_util.tree_map(lambda a, b: jnp.concatenate([a[None], b]), obs0, obs)
    return final, obs


def _finite_operand(name: str, operand: Any) -> None:
    """Check every concrete floating array (or float) in a field or a Landscape's operand for NaN or infinity."""
    for leaf in jax.tree_util.tree_leaves(operand):
        if isinstance(leaf, (float, np.floating)) or (
                isinstance(leaf, (np.ndarray, jax.Array)) and jnp.issubdtype(leaf.dtype, jnp.inexact)):
            _validate.finite_array(name, leaf)


def _numeric(name: str, x: Any) -> None:
    """TypeError naming ``name`` for a concrete array that is not numeric (a string, an object array)."""
    if x is not None and not _validate.is_traced(x) and not np.issubdtype(np.asarray(x).dtype, np.number):
        raise TypeError(f"{name} must be a numeric array, got dtype {np.asarray(x).dtype}")


def _run(key: Array, field: Field, sigma0: Array, temperature: float, dt: float, n_steps: int, record_every: int,
         waiting_times: Sequence[float], method: str, hessian: bool, reference: Array | None) -> Trajectory:
    _numeric("sigma0", sigma0)
    _numeric("reference", reference)
    if isinstance(field, Landscape):
        operand, jet = field
        if not callable(jet):
            raise TypeError(f"a Landscape's jet must be callable, got {type(jet).__name__}")
        _finite_operand("field (the Landscape's operand)", operand)
        sigma0 = sphere._point("sigma0", sigma0, batched=True)
        n = sigma0.shape[-1]
    else:
        couplings, weights = fields._check_field(field)  # also finite couplings and weights, once per array
        n = couplings[0].shape[0]
        sigma0 = sphere._point("sigma0", sigma0, batched=True)
        if sigma0.shape[-1] != n:
            raise ValueError(f"sigma0 must have last axis of length n = {n} (the couplings' size), "
                             f"got {sigma0.shape[-1]}")
        operand, jet = fields.prepare(field), fields.derivatives
    dt = _validate.real("dt", dt, minimum=0.0, strict_minimum=True)
    n_steps = _validate.integer("n_steps", n_steps, minimum=1)
    record_every = _validate.integer("record_every", record_every, minimum=1, maximum=n_steps)
    if n_steps % record_every:
        raise ValueError(f"record_every must divide n_steps, got n_steps = {n_steps}, record_every = {record_every}")
    if not isinstance(hessian, bool):
        raise TypeError(f"hessian must be True or False, got {hessian!r}")
    interval = dt * record_every
    n_records = n_steps // record_every
    if isinstance(waiting_times, (numbers.Real, np.ndarray, jax.Array)) and np.ndim(waiting_times) == 0:
        waiting_times = (waiting_times,)
    if not isinstance(waiting_times, (Sequence, np.ndarray, jax.Array)) or isinstance(waiting_times, str):
        raise TypeError(f"waiting_times must be a sequence of times, got {waiting_times!r}")
    if len(waiting_times) == 0:
        raise ValueError("waiting_times must contain at least one time (0.0 correlates with the start)")
    idx = []
    for k_w, tw in enumerate(waiting_times):
        tw = _validate.real(f"waiting_times[{k_w}]", tw, minimum=0.0, maximum=n_steps * dt * (1 + 1e-12))
        k = round(tw / interval)
        if abs(k * interval - tw) > 1e-9 * max(1.0, tw):
            raise ValueError(f"each waiting time must be a recorded time, a multiple of dt * record_every = "
                             f"{interval:g}; got {tw:g}")
        idx.append(k)
    if reference is not None:
        reference = sphere._point("reference", reference)
        if reference.shape != (n,):
            raise ValueError(f"reference must be one point of S_N of shape ({n},), got shape {reference.shape}")
    batch = sigma0.shape[:-1]
    starts, n_wait = math.prod(batch), len(idx)
    # the records (energy, mu, overlaps, lowest eigenvalue: 5 per start, correlation and response: 2 per waiting
    # time), the saved states and noise at the waiting times and the running state, and per start and record an
    # N x N Hessian and its eigenvectors when hessian=True
    _validate.allocation(
        f"the trajectory with n_steps / record_every = {n_records} records of {starts} starts, N = {n} and "
        f"{n_wait} waiting times", 8.0 * starts * ((n_records + 1) * (5 + 2 * n_wait) + n * (2 * n_wait + 4)
                                                   + (3 * n * n if hessian else 0)))
    flat = sigma0.reshape((-1, n)).astype(jnp.float64)
    final, (energy, mu, corr, low, chi, overlap, low_overlap) = _integrate(
        key, operand, flat, jnp.float64(temperature), jnp.float64(dt), jnp.asarray(idx), reference,
        n_records, record_every, method, hessian, jet)
    if not _validate.is_traced(energy) and not (np.all(np.isfinite(np.asarray(energy)))
                                                and np.all(np.isfinite(np.asarray(final)))):
        raise ValueError(f"the trajectory became non-finite (NaN or infinity): dt = {dt:g} is too large for this "
                         f"field (a stable step needs dt * lambda_max <~ 1, lambda_max the top of the Hessian; "
                         f"temperature = {temperature:g}), or the field's jet returns non-finite values")
    r = n_records + 1
    return Trajectory(
        times=jnp.arange(r) * interval,
        energy=energy.reshape((r,) + batch),
        mu=mu.reshape((r,) + batch),
        correlation=corr.reshape((r, len(idx)) + batch),
        waiting_times=jnp.asarray(idx) * interval,
        min_hessian_eigenvalue=None if low is None else low.reshape((r,) + batch),
        final=final.reshape(sigma0.shape),
        response=None if chi is None else chi.reshape((r, len(idx)) + batch),
        overlap=None if overlap is None else overlap.reshape((r,) + batch),
        hessian_overlap=None if low_overlap is None else low_overlap.reshape((r,) + batch),
    )


def gradient_flow(field: Field, sigma0: Array, dt: float = 0.05, n_steps: int = 2000, record_every: int = 10,
                  waiting_times: Sequence[float] = (0.0,), method: str = "euler", hessian: bool = False,
                  reference: Array | None = None) -> Trajectory:
    r"""Gradient flow :math:`\dot\sigma = -\operatorname{grad}H(\sigma)` on :math:`S_N` from ``sigma0``, observed.

    ``sigma0`` is a point or a batch (leading axes) of points of :math:`S_N`; ``field`` a coupling tensor, a
    :class:`~landscape.fields.MixedField`, a :class:`~landscape.fields.PreparedField`, or a :class:`Landscape` (any
    smooth function given by its jet, e.g. an empirical risk). Schemes (the flow preserves :math:`|\sigma|^2`, and each step ends with
    the projection :math:`x\mapsto\sqrt N x/|x|`, so :math:`|\sigma|^2 = N` to rounding):

    * ``"euler"`` — :math:`\sigma_{k+1} = R_{\sigma_k}(-\Delta t\,P_{\sigma_k}\nabla H(\sigma_k))`, first order; the
      scheme of :func:`landscape.critical.gradient_descent` (same steps, to rounding), here with observables;
    * ``"heun"`` — the explicit trapezoidal rule for :math:`\dot\sigma = -P_\sigma\nabla H` followed by the
      projection, second order (a projection method keeps the order of the method it projects; Hairer, Lubich &
      Wanner 2006, §IV.4).

    Records every ``record_every`` steps (and at :math:`t = 0`) the energy per spin :math:`u`,
    :math:`\mu = -\sigma\cdot\nabla H/N` (:math:`= -pu` for a pure model), the correlations
    :math:`C(t, t_w) = \sigma(t)\cdot\sigma(t_w)/N` with each waiting time in ``waiting_times`` (which must be
    recorded times), and, if ``hessian``, the lowest eigenvalue of the tangent Hessian
    :math:`E^\top(\nabla^2H - (\sigma\cdot\nabla H/N)I)E` (an :math:`O(N^3)` eigensolve per record and start).
    With a ``reference`` point :math:`x^*` of :math:`S_N` (a planted signal) it also records the overlap
    :math:`m(t) = \sigma(t)\cdot x^*/N` and, if ``hessian``, the squared overlap :math:`(v_{\min}\cdot e)^2` of the
    lowest Hessian eigenvector :math:`v_{\min}` with the unit tangent direction :math:`e = P_\sigma x^*/|P_\sigma x^*|`
    (chapter 9: the direction along which a saddle leads to the signal).
    A stable step needs :math:`\Delta t\,\lambda_{\max} \lesssim 1` with :math:`\lambda_{\max}\approx
    2\sqrt{\xi''(1)} + \xi'(1)` the top of the Hessian: :math:`\Delta t \le 0.1` for :math:`p \le 4`.

    **A batch of fields**: sample them with ``jax.vmap`` and map this function over fields and starts,
    ``jax.vmap(lambda f, s: gradient_flow(f, s, dt, n_steps, record_every))(fields_, sigma0s)`` with
    ``fields_ = jax.vmap(lambda k: sample_pspin(k, n, p))(keys)`` and ``sigma0s`` of shape ``(m, *batch, N)``;
    every output gains a leading axis of length ``m``.
    """
    if method not in ("euler", "heun"):
        raise ValueError(f"method must be 'euler' or 'heun', got {method!r}")
    return _run(jax.random.key(0), field, sigma0, 0.0, dt, n_steps, record_every, waiting_times, method, hessian,
                reference)


def langevin(key: Array, field: Field, sigma0: Array, temperature: float, dt: float = 0.01, n_steps: int = 1000,
             record_every: int = 10, waiting_times: Sequence[float] = (0.0,), hessian: bool = False,
             reference: Array | None = None) -> Trajectory:
    r"""Langevin dynamics :math:`d\sigma = (-\nabla H - \mu\sigma)\,dt + \sqrt{2T}P_\sigma dW` on :math:`S_N`.

    Projected Euler–Maruyama: :math:`\sigma_{k+1} = R_{\sigma_k}(v_k)` with
    :math:`v_k = -\Delta t\,P_{\sigma_k}\nabla H(\sigma_k) + \sqrt{2T\Delta t}\,P_{\sigma_k}g_k`, :math:`g_k` i.i.d.
    standard Gaussian in :math:`\mathbb R^N` and :math:`R_\sigma(v) = \sqrt N(\sigma+v)/|\sigma+v|`. Since
    :math:`|\sigma+v|^2 = N + |v|^2` and :math:`\mathbb E|v|^2 = 2T\Delta t(N-1) + O(\Delta t^2)`, the projection
    supplies the Itô drift :math:`-T\frac{N-1}{N}\sigma\,\Delta t` of Brownian motion on the sphere: the scheme is
    the Euler–Maruyama method for the equation above, weak order 1 and strong order 1/2 (Kloeden & Platen 1992),
    and keeps :math:`|\sigma|^2 = N` exactly. Stationary averages carry an :math:`O(\Delta t)` bias.

    Recorded observables are those of :func:`gradient_flow`, with the Lagrange multiplier
    :math:`\mu = T(N-1)/N - \sigma\cdot\nabla H/N` (:math:`= T(N-1)/N - pu` for a pure model; :math:`T - pE` as
    :math:`N\to\infty`). ``key`` drives the noise (step :math:`k` uses ``fold_in(key, k)``); ``temperature = 0``
    reproduces :func:`gradient_flow` with ``method="euler"``. Map over fields with ``jax.vmap`` as described there
    (map over keys too, for independent noise). With a ``reference`` it records the overlaps described in
    :func:`gradient_flow`.

    **Response without a perturbation.** At :math:`T > 0` the trajectory also carries ``response``, a per-sample
    estimator of the integrated response :math:`\chi(t, t_w) = \frac1N\sum_i\int_{t_w}^t R_{ii}(t, s)\,ds` to a
    field :math:`H \to H - h\cdot\sigma` switched on at :math:`t_w`:

    .. math:: \hat\chi(t, t_w) = \frac{\sigma(t)\cdot\big(B(t) - B(t_w)\big)}{N\sqrt{2T}},
        \qquad B(t_k) = \sqrt{\Delta t}\sum_{j<k} g_j .

    A field enters the scheme exactly as a shift of the Gaussian increments, :math:`g_j \to g_j +
    h\sqrt{\Delta t/(2T)}`, so Gaussian integration by parts (Novikov's theorem; Girsanov in continuous time) makes
    :math:`\mathbb E\hat\chi` the response of the discrete scheme itself, with no :math:`O(\Delta t)` or
    nonlinear error. Its variance is :math:`O((t - t_w)/(NT))` per sample: average over a batch. Unlike two runs
    with the same noise, one perturbed, it is not swamped by the separation of nearby trajectories along the
    unstable directions of the landscape (Cugliandolo & Kurchan 1993 for the response; Chatelain 2003, Ricci-Tersenghi 2003 for
    perturbation-free estimators).
    """
    _validate.prng_key("key", key)
    temperature = _validate.real("temperature", temperature, minimum=0.0)
    method = "euler-maruyama" if temperature > 0 else "euler"  # T = 0: no noise, and no response estimator
    return _run(key, field, sigma0, temperature, dt, n_steps, record_every, waiting_times, method, hessian, reference)


# ---------------------------------------------------------------------------------- equilibrium: replica exchange


class TemperingRun(NamedTuple):
    r"""A parallel-tempering run (:func:`parallel_tempering`): ``M`` temperatures, ``S`` recorded sweeps.

    Slot ``m`` always holds temperature ``temperatures[m]``; the replicas move between slots by swaps. Under
    ``jax.vmap`` over fields every array gains a leading field axis.
    """

    temperatures: Array  #: the ladder T_0 < ... < T_{M-1}, shape (M,)
    energy: Array  #: u = H/N of the configuration at temperature m after sweep s, shape (S, M)
    move_acceptance: Array  #: fraction of accepted Metropolis moves at each temperature (production sweeps), (M,)
    swap_acceptance: Array  #: fraction of accepted swaps of the pair (m, m+1) among those attempted, shape (M-1,)
    temperature_index: Array  #: the slot (temperature index) of replica r after sweep s, integers, shape (S, M)
    step_size: Array  #: the Metropolis step size used at each temperature in the production sweeps, shape (M,)
    final: Array  #: the configurations after the last sweep, ordered by temperature, shape (M, N)


@partial(jax.jit, static_argnames=("n_sweeps", "n_adapt", "n_moves", "jet", "order"))
def _tempering(key: Array, field: Any, sigma: Array, betas: Array, step0: Array, target: Array,
               n_sweeps: int, n_adapt: int, n_moves: int, jet: Callable, order: int):
    m_temp, n = sigma.shape

    def energy(s):  # order 0 for a field (the energy alone), 1 for a Landscape (whose jet starts at order 1)
        return jet(field, s, order)[0]

    def moves(s, h, step, k):  # n_moves Metropolis moves of every replica at its own temperature and step size
        def one(carry, j):
            s, h, acc = carry
            kg, ku = jax.random.split(jax.random.fold_in(k, j))
            g = jax.random.normal(kg, (m_temp * n,), dtype=s.dtype).reshape(m_temp, n)
            proposal = sphere.retract(s, step[:, None] * sphere.project_gradient(s, g))
            h_new = energy(proposal)
            accept = jnp.log(jax.random.uniform(ku, (m_temp,), dtype=s.dtype)) < -betas * (h_new - h)
            s = jnp.where(accept[:, None], proposal, s)
            return (s, jnp.where(accept, h_new, h), acc + accept), None

        (s, h, acc), _ = jax.lax.scan(one, (s, h, jnp.zeros(m_temp, s.dtype)), jnp.arange(n_moves))
        return s, h, acc / n_moves

    def swaps(s, h, labels, parity, k):  # pairs (m, m+1) with m = parity mod 2, all at once (disjoint pairs)
        low = jnp.arange(m_temp - 1)
        tried = (low % 2) == parity
        log_ratio = (betas[:-1] - betas[1:]) * (h[:-1] - h[1:])
        accept = tried & (jnp.log(jax.random.uniform(k, (m_temp - 1,), dtype=s.dtype)) < log_ratio)
        up = jnp.concatenate([accept, jnp.zeros(1, bool)])  # slot m swaps with m+1
        down = jnp.concatenate([jnp.zeros(1, bool), accept])  # slot m swaps with m-1
        slots = jnp.arange(m_temp)
        perm = jnp.where(up, slots + 1, jnp.where(down, slots - 1, slots))
        return s[perm], h[perm], labels[perm], accept, tried

    def sweep(carry, i):
        s, h, labels, log_step = carry
        k_move, k_swap = jax.random.split(jax.random.fold_in(key, i))
        s, h, rate = moves(s, h, jnp.exp(log_step), k_move)
        # Robbins-Monro on log(step) towards the target acceptance, during the n_adapt burn-in sweeps only
        log_step = log_step + jnp.where(i < n_adapt, (rate - target) / jnp.sqrt(1.0 + i / 10.0), 0.0)
        s, h, labels, accept, tried = swaps(s, h, labels, i % 2, k_swap)
        return (s, h, labels, log_step), (h / n, jnp.argsort(labels), rate, accept, tried)

    # one scan over burn-in and production (one compilation of the sweep); the burn-in records are dropped
    carry = (sigma, energy(sigma), jnp.arange(m_temp), jnp.log(step0))
    (s, _, _, log_step), out = jax.lax.scan(sweep, carry, jnp.arange(n_adapt + n_sweeps))
    u, index, rate, accept, tried = (a[n_adapt:] for a in out)
    swap_rate = jnp.sum(accept, axis=0) / jnp.maximum(jnp.sum(tried, axis=0), 1)
    return u, index, jnp.mean(rate, axis=0), swap_rate, jnp.exp(log_step), s


def parallel_tempering(key: Array, field: Field, temperatures: Array, n_sweeps: int, *,
                       moves_per_sweep: int | None = None, n_adapt: int = 100, step_size: float | Array | None = None,
                       target_acceptance: float = 0.4, sigma0: Array | None = None) -> TemperingRun:
    r"""Replica-exchange Monte Carlo (parallel tempering) for the Gibbs measures :math:`\propto e^{-H/T_m}` on
    :math:`S_N`, one replica per temperature of a ladder :math:`T_0 < \dots < T_{M-1}`.

    The target is the product measure :math:`\prod_m e^{-\beta_m H(\sigma_m)}\,d\sigma_m/Z_m`, :math:`d\sigma` the
    uniform (surface) measure of :math:`S_N`. One **sweep** is

    1. ``moves_per_sweep`` (default :math:`N`) Metropolis moves of every replica: the proposal is
       :math:`\sigma' = R_\sigma(\epsilon_m P_\sigma g)`, :math:`g` standard Gaussian in :math:`\mathbb R^N`,
       :math:`R` the projection retraction of :func:`landscape.sphere.retract`, accepted with probability
       :math:`\min(1, e^{-\beta_m[H(\sigma') - H(\sigma)]})`. **Detailed balance.** The law of :math:`\sigma'` is
       invariant under the rotations that fix :math:`\sigma` (those commute with :math:`P_\sigma` and with the
       retraction, and preserve the law of :math:`g`), and the whole construction is equivariant under all
       rotations; so its density with respect to :math:`d\sigma` is a function of :math:`\sigma\cdot\sigma'` alone,
       :math:`k(\sigma, \sigma') = \kappa(\sigma\cdot\sigma'/N) = k(\sigma', \sigma)`. A symmetric proposal with the
       Metropolis acceptance satisfies detailed balance with respect to :math:`e^{-\beta H}d\sigma` (Metropolis et
       al. 1953).
    2. one round of **swaps** between neighbouring temperatures, the pairs :math:`(m, m+1)` with :math:`m` even on
       even sweeps and odd on odd sweeps (disjoint pairs, done at once), each exchanging the two configurations
       with probability

       .. math:: \min\big(1, e^{(\beta_m - \beta_{m+1})(H(\sigma_m) - H(\sigma_{m+1}))}\big),

       the Metropolis ratio of the exchange for the product measure (Hukushima & Nemoto 1996; Swendsen & Wang 1986).
       Each round satisfies detailed balance; their alternation keeps the product measure invariant.

    **Step sizes.** ``step_size`` (:math:`\epsilon_m`, a scalar or one per temperature; default
    :math:`\min(1, T_m)/\sqrt N`, for which the energy change of a move is :math:`O(T)`) is adapted during
    ``n_adapt`` burn-in sweeps, which are not recorded: after each, :math:`\log\epsilon_m` moves by
    :math:`(a_m - a^*)/\sqrt{1 + s/10}` with :math:`a_m` the sweep's acceptance and :math:`a^*` =
    ``target_acceptance``. The recorded ``n_sweeps`` use the final step sizes, fixed, so the recorded chain is an
    exact Markov chain with the target as invariant measure. Everything runs in one compiled ``lax.scan``; a new
    number of temperatures, sweeps or moves compiles anew, new temperatures or step sizes do not.

    ``field`` is a coupling tensor, a :class:`~landscape.fields.MixedField`, a
    :class:`~landscape.fields.PreparedField` or a :class:`Landscape`; ``sigma0`` (shape ``(M, N)``, ordered by
    temperature) defaults to independent uniform points (drawn from ``key``). Cost: ``n_sweeps * moves_per_sweep``
    energy evaluations of ``M`` points. Use :func:`integrated_autocorrelation_time` on ``energy`` for error bars
    and :func:`round_trips` on ``temperature_index`` to see whether replicas cross the ladder.
    """
    _validate.prng_key("key", key)
    temps = _temperature_ladder(temperatures)
    m_temp = temps.shape[0]
    n_sweeps = _validate.integer("n_sweeps", n_sweeps, minimum=1)
    n_adapt = _validate.integer("n_adapt", n_adapt, minimum=0)
    target = _validate.real("target_acceptance", target_acceptance, minimum=0.0, maximum=1.0, strict_minimum=True)
    if target >= 1.0:
        raise ValueError(f"target_acceptance must be in (0, 1), got {target}")
    if isinstance(field, Landscape):
        operand, jet = field
        if not callable(jet):
            raise TypeError(f"a Landscape's jet must be callable, got {type(jet).__name__}")
        _finite_operand("field (the Landscape's operand)", operand)
        if sigma0 is None:
            raise ValueError("sigma0 is required with a Landscape (its dimension N is not known otherwise)")
        n = np.shape(sigma0)[-1]
    else:
        couplings, _ = fields._check_field(field)
        n = couplings[0].shape[0]
        operand, jet = fields.prepare(field), fields.derivatives
    moves_per_sweep = n if moves_per_sweep is None else moves_per_sweep
    moves_per_sweep = _validate.integer("moves_per_sweep", moves_per_sweep, minimum=1)
    # records: energies (8 bytes), indices (8), acceptances (3 x 8) per sweep and temperature; per move the M x N
    # proposal, noise and state (a few copies)
    _validate.allocation(f"n_sweeps = {n_sweeps} sweeps of M = {m_temp} temperatures, N = {n}",
                         8.0 * m_temp * (5 * n_sweeps + 8 * n))
    if step_size is None:
        step = np.minimum(1.0, temps) / math.sqrt(n)
    else:
        _numeric("step_size", step_size)
        step = np.asarray(step_size, dtype=np.float64)
        if step.ndim == 0:
            step = np.full(m_temp, float(step))
        if step.shape != (m_temp,):
            raise ValueError(f"step_size must be a number or one per temperature, shape ({m_temp},), "
                             f"got shape {step.shape}")
        if not np.all(np.isfinite(step)) or np.any(step <= 0):
            raise ValueError(f"step_size must be finite and > 0, got {step}")
    k_start, k_run = jax.random.split(key)
    if sigma0 is None:
        sigma0 = sphere.random_points(k_start, n, m_temp)
    else:
        _numeric("sigma0", sigma0)
        sigma0 = sphere._point("sigma0", sigma0, batched=True)
        if sigma0.shape != (m_temp, n):
            raise ValueError(f"sigma0 must have shape (M, N) = ({m_temp}, {n}), one point per temperature, "
                             f"got {sigma0.shape}")
    u, index, rate, swap_rate, step_final, final = _tempering(
        k_run, operand, jnp.asarray(sigma0, dtype=jnp.float64), jnp.asarray(1.0 / temps), jnp.asarray(step),
        jnp.float64(target), n_sweeps, n_adapt, moves_per_sweep, jet, 1 if isinstance(field, Landscape) else 0)
    if not _validate.is_traced(u) and not np.all(np.isfinite(np.asarray(u))):
        raise ValueError("the run became non-finite (NaN or infinity): the field's jet returns non-finite values")
    return TemperingRun(jnp.asarray(temps), u, rate, swap_rate, index, step_final, final)


def _temperature_ladder(temperatures: Any) -> np.ndarray:
    _numeric("temperatures", temperatures)
    if isinstance(temperatures, str) or temperatures is None:
        raise TypeError(f"temperatures must be an array of temperatures, got {temperatures!r}")
    temps = np.asarray(temperatures, dtype=np.float64)
    if temps.ndim != 1 or temps.shape[0] < 1:
        raise ValueError(f"temperatures must be a one-dimensional array of M >= 1 temperatures, got shape "
                         f"{temps.shape}")
    if not np.all(np.isfinite(temps)) or np.any(temps <= 0):
        raise ValueError(f"temperatures must be finite and > 0, got {temps}")
    if np.any(np.diff(temps) <= 0):
        raise ValueError(f"temperatures must be strictly increasing, got {temps}")
    return temps


def integrated_autocorrelation_time(series: Array, c: float = 5.0) -> np.ndarray:
    r"""Integrated autocorrelation time of a stationary series, with Sokal's automatic window.

    .. math:: \tau_{\rm int} = 1 + 2\sum_{t=1}^{W}\rho(t), \qquad
        \rho(t) = \frac{\sum_{s}(x_s - \bar x)(x_{s+t} - \bar x)}{\sum_s (x_s - \bar x)^2},

    with :math:`W` the smallest lag such that :math:`W \ge c\,\tau_{\rm int}(W)` (Madras & Sokal 1988; Sokal,
    *Monte Carlo methods in statistical mechanics*, 1997, §3). The variance of the mean of :math:`n` correlated
    samples is :math:`\tau_{\rm int}\,\mathrm{Var}(x)/n`, so the standard error is
    :math:`\sqrt{\tau_{\rm int}\mathrm{Var}(x)/n}`. Time in units of the sampling interval (1 means uncorrelated).
    The autocovariance is computed by FFT.

    Args:
        series: shape ``(n,)`` or ``(n, k)`` (then one time per column), ``n >= 4``, finite.
        c: the window factor, > 0 (5 is Sokal's choice for nearly exponential decay).

    Returns:
        an array of shape ``()`` or ``(k,)``, :math:`\ge` a small positive floor; a constant column gives 1.
    """
    _numeric("series", series)
    x = np.asarray(series, dtype=np.float64)
    if x.ndim not in (1, 2) or x.shape[0] < 4:
        raise ValueError(f"series must have shape (n,) or (n, k) with n >= 4, got {x.shape}")
    _validate.finite_array("series", x)
    c = _validate.real("c", c, minimum=0.0, strict_minimum=True)
    flat = x.reshape(x.shape[0], -1)
    n = flat.shape[0]
    d = flat - flat.mean(axis=0)
    size = 1 << (2 * n - 1).bit_length()
    f = np.fft.rfft(d, n=size, axis=0)
    acov = np.fft.irfft(f * np.conj(f), n=size, axis=0)[:n]
    out = np.ones(flat.shape[1])
    for k in range(flat.shape[1]):
        if acov[0, k] <= 0:
            continue
        rho = acov[:, k] / acov[0, k]
        tau = 1.0 + 2.0 * np.cumsum(rho[1:])
        window = np.flatnonzero(np.arange(1, n) >= c * tau)
        w = window[0] if window.size else n - 2
        out[k] = max(tau[w], 1.0 / n)
    return out.reshape(x.shape[1:]) if x.ndim == 2 else out[0]


def round_trips(temperature_index: Array) -> np.ndarray:
    r"""Number of completed round trips of each replica through a temperature ladder.

    A round trip is a visit to the coldest slot (index 0), then to the hottest (index :math:`M-1`), then to the
    coldest again, counted from the replica's first visit to either end (the standard measure of a replica-exchange
    run's mixing, e.g. Katzgraber, Trebst, Huse & Troyer 2006): each completed cold–hot–cold (or hot–cold–hot)
    cycle counts one, as half-trips between the two ends divided by two, rounded down.

    Args:
        temperature_index: integer array of shape ``(S, M)``, the slot of each of the :math:`M` replicas after
            each of :math:`S` sweeps (``TemperingRun.temperature_index``), entries in ``[0, M-1]``.

    Returns:
        integer array of shape ``(M,)``.
    """
    _numeric("temperature_index", temperature_index)
    idx = np.asarray(temperature_index)
    if idx.ndim != 2 or idx.shape[1] < 2:
        raise ValueError(f"temperature_index must have shape (S, M) with M >= 2, got {idx.shape}")
    if not np.issubdtype(idx.dtype, np.integer):
        raise TypeError(f"temperature_index must hold integers, got dtype {idx.dtype}")
    m = idx.shape[1]
    if np.any(idx < 0) or np.any(idx > m - 1):
        raise ValueError(f"temperature_index entries must be in [0, {m - 1}]")
    out = np.zeros(m, dtype=np.int64)
    for r in range(m):
        ends = idx[:, r][(idx[:, r] == 0) | (idx[:, r] == m - 1)]
        if ends.size:
            changes = np.count_nonzero(np.diff(ends) != 0)  # half-trips between the two ends
            out[r] = changes // 2
    return out


# --------------------------------------------------------------------------------------- N = infinity

# Quadrature over [a, b] with m = b - a steps: weights h * (1 + eps), the corrections eps on the three nodes at each
# end. m >= 5: the fourth-order Gregory rule 3/8, 7/6, 23/24, 1, ..., 1, 23/24, 7/6, 3/8 (Numerical Recipes, eq.
# 4.1.14). m = 1..4: trapezoid, Simpson, Simpson 3/8, composite Simpson; m = 0: zero. Row m of _EPS_LEFT holds the
# corrections at a, a+1, a+2 and of _EPS_RIGHT at b, b-1, b-2 (each node counted once).
_GREGORY = (-5 / 8, 1 / 6, -1 / 24)
_EPS_LEFT = np.array([(-1, 0, 0), (-1 / 2, -1 / 2, 0), (-2 / 3, 1 / 3, -2 / 3), (-5 / 8, 1 / 8, 1 / 8),
                      (-2 / 3, 1 / 3, -1 / 3), _GREGORY])
_EPS_RIGHT = np.array([(0, 0, 0), (0, 0, 0), (0, 0, 0), (-5 / 8, 0, 0), (-2 / 3, 1 / 3, 0), _GREGORY])
# Adams–Bashforth predictors (coefficients of F_i, F_{i-1}, F_{i-2}) and correctors (F_{i+1}, F_i, F_{i-1}, F_{i-2}),
# by the number of earlier force rows a column has: 0 -> trapezoid, 1 -> Simpson from the diagonal (base value 1),
# 2 -> the fourth-order Adams–Moulton formula.
_AB = np.array([(1, 0, 0), (3 / 2, -1 / 2, 0), (23 / 12, -16 / 12, 5 / 12)])
_AM = np.array([(1 / 2, 1 / 2, 0, 0), (1 / 3, 4 / 3, 1 / 3, 0), (9 / 24, 19 / 24, -5 / 24, 1 / 24)])


def _xi_derivative(degrees: tuple[int, ...], coefficients: Array, q: Array, d: int) -> Array:
    total = jnp.zeros_like(q)
    for k, p in enumerate(degrees):
        if p >= d:
            falling = float(np.prod(np.arange(p, p - d, -1))) if d else 1.0
            total = total + coefficients[k] * falling * q ** (p - d)
    return total


def _shift(v: Array, k: int) -> Array:
    """``w[j] = v[j + k]``, zero-padded."""
    if k == 0:
        return v
    if k > 0:
        return jnp.concatenate([v[k:], jnp.zeros(k, v.dtype)])
    return jnp.concatenate([jnp.zeros(-k, v.dtype), v[:k]])


def _ck_forces(state, n, c, r, m_n, degrees, coefficients, signal, temperature, h):
    r"""Right-hand sides :math:`\partial_tC(t_n, t_j)`, :math:`\partial_tR(t_n, t_j)`, and :math:`\mu(t_n)`,
    :math:`E(t_n)`, for a new row ``n`` (values ``c``, ``r``) that is not yet stored in the matrices.

    The matrices hold rows ``< n`` and the identity beyond; ``dC[k][j] = C[j, j-k]`` and ``colC[k][j] = C[j, k]``
    (likewise for R) are kept alongside so that every quadrature correction is a gather of a few vectors. Only
    the three matrix-vector products read the big arrays.

    With a planted direction (``signal``, the coefficients of :math:`\xi_s` on the same degrees; zero without
    one) ``m_n`` is the candidate :math:`m(t_n)` and ``state[10]`` holds :math:`m(t_k)`, :math:`k < n`; the
    signal adds :math:`\xi_s'(m(t_n))m(t_j)` to the force on :math:`C`, :math:`m\xi_s'(m)` to :math:`\mu` and
    :math:`-\xi_s(m)` to :math:`E`, and the force on :math:`m` is returned too. Without a signal every added
    term is an exact zero, so the solution is bit for bit the one without it.
    """
    cmat, rmat, dc, dr, colc, colr = state[:6]
    ms = state[10]
    size = cmat.shape[0]
    s = jnp.arange(size)
    eps_l, eps_r = jnp.asarray(_EPS_LEFT), jnp.asarray(_EPS_RIGHT)
    inside = s <= n
    d1 = jnp.where(inside, _xi_derivative(degrees, coefficients, c, 1), 0.0)
    d2 = jnp.where(inside, _xi_derivative(degrees, coefficients, c, 2), 0.0)
    kern = d2 * r  # Sigma(t_n, s) = xi''(C(t_n, s)) R(t_n, s)
    m_row = jnp.minimum(n, 5)
    w = jnp.where(inside, 1.0, 0.0)
    for k in range(3):
        w = w + eps_l[m_row, k] * (s == k) + eps_r[m_row, k] * (s == n - k)
    m_all = jnp.where(s == n, m_n, jnp.where(s < n, ms, 0.0))  # m(t_s), s <= n
    pull = _xi_derivative(degrees, signal, m_n, 1)  # xi_s'(m(t_n))
    mu = temperature + h * jnp.sum(w * (d1 + d2 * c) * r) + m_n * pull
    energy = -h * jnp.sum(w * d1 * r) - _xi_derivative(degrees, signal, m_n, 0)
    force_m = -mu * m_n + pull + h * jnp.sum(w * kern * m_all)  # int_0^{t_n} Sigma(t_n, s) m(s) ds
    at_n = s == n
    m_left = jnp.minimum(s, 5)  # [0, t_j]
    m_right = jnp.clip(n - s, 0, 5)  # [t_j, t_n]
    i1 = jnp.where(at_n, jnp.dot(r, d1), rmat @ d1)  # int_0^{t_j} xi'(C(t_n,s)) R(t_j,s) ds
    i3 = kern @ rmat + kern[n] * (r - at_n)  # int_{t_j}^{t_n} Sigma(t_n,s) R(s,t_j) ds
    i2 = jnp.where(at_n, jnp.dot(c, kern), cmat @ kern + kern[n] * (c - at_n)) + kern  # node s = t_j counted twice
    for k in range(3):
        ok = n - k >= 0
        nk = jnp.maximum(n - k, 0)
        col_r = jnp.where(at_n, r[k], colr[k])
        col_c = jnp.where(at_n, c[k], colc[k])
        sub_r = jnp.where(at_n, jnp.where(ok, r[nk], 0.0), dr[k])  # R(t_j, t_{j-k})
        sub_c = jnp.where(at_n, jnp.where(ok, c[nk], 0.0), dc[k])
        row_r = r if k == 0 else jnp.where(ok, rmat[nk], 0.0)  # R(t_{n-k}, .)
        row_c = c if k == 0 else jnp.where(ok, cmat[nk], 0.0)
        kern_nk = jnp.where(ok, kern[nk], 0.0)
        i1 = i1 + eps_l[m_left, k] * col_r * d1[k] + eps_r[m_left, k] * sub_r * _shift(d1, -k)
        i3 = i3 + eps_l[m_right, k] * _shift(sub_r, k) * _shift(kern, k) + eps_r[m_right, k] * row_r * kern_nk
        i2 = i2 + (eps_l[m_left, k] * col_c * kern[k] + eps_r[m_left, k] * sub_c * _shift(kern, -k)
                   + eps_l[m_right, k] * _shift(sub_c, k) * _shift(kern, k) + eps_r[m_right, k] * row_c * kern_nk)
    force_c = jnp.where(inside, -mu * c + h * (i1 + i2) + pull * m_all, 0.0)
    force_r = jnp.where(inside, -mu * r + h * i3, 0.0)
    return force_c, force_r, mu, energy, force_m


@partial(jax.jit, static_argnames=("degrees",), donate_argnums=(0,))
def _ck_block(state, coefficients, signal, temperature, h, start, stop, degrees):
    """Advance the grid from row ``start`` to row ``stop`` (a while loop: one compilation per array size).

    The overlap :math:`m` with a planted direction is one more column of the same predictor–corrector: the
    column :math:`t_j = 0`, with the same coefficients, its first step revisited by the same three-point formula.
    """
    size = state[0].shape[0]
    s = jnp.arange(size)
    ab, am = jnp.asarray(_AB), jnp.asarray(_AM)

    def body(i, state):
        cmat, rmat, dc, dr, colc, colr, mus, energies, fc_hist, fr_hist, ms, fm_hist = state
        n = i + 1
        m_hist = jnp.minimum(i, 2)  # the m column is column 0
        history = jnp.clip(i - s, 0, 2)  # earlier force rows available to column j (beyond F_i)
        old = s <= i
        diag = (s == n).astype(cmat.dtype)
        c_i, r_i = cmat[i], rmat[i]
        pred = ab[history]
        pc = jnp.where(old, c_i + h * jnp.sum(pred.T * fc_hist, axis=0), diag)
        pr = jnp.where(old, r_i + h * jnp.sum(pred.T * fr_hist, axis=0), diag)
        # the first step of column i, predicted by its Taylor polynomial: the second derivative along the column
        # is taken from column i-1, (F(i, i-1) - F(i-1, i-1))/h, so the prediction is third-order accurate
        first = (s == i) & (i >= 1)
        j = jnp.maximum(i - 1, 0)
        pc = jnp.where(first, 1.0 + h * fc_hist[0][i] + 0.5 * h * (fc_hist[0][j] - fc_hist[1][j]), pc)
        pr = jnp.where(first, 1.0 + h * fr_hist[0][i] + 0.5 * h * (fr_hist[0][j] - fr_hist[1][j]), pr)
        pm = ms[i] + h * jnp.dot(ab[m_hist], fm_hist)
        corr = am[history]
        from_diag = s == i - 1  # Simpson over [t_{i-1}, t_{i+1}] starts from the diagonal value 1
        base_c = jnp.where(from_diag, 1.0, c_i)
        base_r = jnp.where(from_diag, 1.0, r_i)
        base_m = jnp.where(i == 1, ms[0], ms[i])
        corr_m = am[m_hist]
        state_now = state[:10] + (ms,)

        def evaluate_correct(k, val):  # PECE: evaluate at the prediction, correct, evaluate at the correction
            c, r, m, _ = val
            f_c, f_r, mu, energy, f_m = _ck_forces(state_now, n, c, r, m, degrees, coefficients, signal,
                                                   temperature, h)
            new_c = jnp.where(old, base_c + h * (corr[:, 0] * f_c + jnp.sum(corr[:, 1:].T * fc_hist, axis=0)), diag)
            new_r = jnp.where(old, base_r + h * (corr[:, 0] * f_r + jnp.sum(corr[:, 1:].T * fr_hist, axis=0)), diag)
            new_m = base_m + h * (corr_m[0] * f_m + jnp.dot(corr_m[1:], fm_hist))
            last = k == 1
            return (jnp.where(last, c, new_c), jnp.where(last, r, new_r), jnp.where(last, m, new_m),
                    (f_c, f_r, mu, energy, f_m))

        zero = jnp.zeros(size)
        scalar = jnp.zeros(())
        c, r, m, (f_c, f_r, mu, energy, f_m) = jax.lax.fori_loop(
            0, 2, evaluate_correct, (pc, pr, pm, (zero, zero, scalar, scalar, scalar)))
        # store row n
        cmat = cmat.at[n].set(c).at[:, n].set(c)
        rmat = rmat.at[n].set(r)
        back = n - jnp.arange(3)
        dc = dc.at[:, n].set(jnp.where(back >= 0, c[jnp.maximum(back, 0)], 0.0))
        dr = dr.at[:, n].set(jnp.where(back >= 0, r[jnp.maximum(back, 0)], 0.0))
        colc = colc.at[:, n].set(c[:3])
        colr = colr.at[:, n].set(r[:3])
        # revisit the first step of column i-1, (t_i, t_{i-1}), with the three-point formula now that F(t_{i+1}, .)
        # is known (local error O(h^4) instead of the trapezoid's O(h^3)), and the force stored for it
        ok = i >= 1
        yc = jnp.where(ok, 1.0 + h / 12 * (5 * fc_hist[1][j] + 8 * fc_hist[0][j] - f_c[j]), cmat[i, j])
        yr = jnp.where(ok, 1.0 + h / 12 * (5 * fr_hist[1][j] + 8 * fr_hist[0][j] - f_r[j]), rmat[i, j])
        fc_i = fc_hist[0].at[j].add(-mus[i] * (yc - cmat[i, j]))
        fr_i = fr_hist[0].at[j].add(-mus[i] * (yr - rmat[i, j]))
        cmat = cmat.at[i, j].set(yc).at[j, i].set(yc)
        rmat = rmat.at[i, j].set(yr)
        dc = dc.at[1, i].set(jnp.where(ok, yc, dc[1, i]))
        dr = dr.at[1, i].set(jnp.where(ok, yr, dr[1, i]))
        three = jnp.arange(3)
        colc = colc.at[:, i].set(jnp.where(ok & (three == j), yc, colc[:, i]))
        colc = colc.at[:, j].set(jnp.where(ok & (three == i), yc, colc[:, j]))
        colr = colr.at[:, i].set(jnp.where(ok & (three == j), yr, colr[:, i]))
        fc_hist = jnp.stack([f_c, fc_i, fc_hist[1]])
        fr_hist = jnp.stack([f_r, fr_i, fr_hist[1]])
        # the m column's first step, (t_1, t_0), revisited in the same way (its stored force corrected to first
        # order: d(force_m)/dm = -mu + xi_s''(m))
        first_m = i == 1
        ym = jnp.where(first_m, ms[0] + h / 12 * (5 * fm_hist[1] + 8 * fm_hist[0] - f_m), ms[1])
        slope = -mus[1] + _xi_derivative(degrees, signal, ms[1], 2)
        fm_1 = jnp.where(first_m, fm_hist[0] + slope * (ym - ms[1]), fm_hist[0])
        ms = ms.at[1].set(ym).at[n].set(m)
        fm_hist = jnp.stack([f_m, fm_1, fm_hist[1]])
        return (cmat, rmat, dc, dr, colc, colr, mus.at[n].set(mu), energies.at[n].set(energy), fc_hist, fr_hist,
                ms, fm_hist)

    return jax.lax.fori_loop(start, stop, body, state)


def _ck_initial_state(size: int, temperature: float, signal: fields.Mixture | None = None, m0: float = 0.0) -> tuple:
    """Row 0: C(0,0) = R(0,0) = 1, m(0) = m0, mu(0) = T + m0 xi_s'(m0), E(0) = -xi_s(m0), dC/dt(0+,0) = -T,
    dR/dt(0+,0) = -mu(0), dm/dt(0) = -mu(0) m0 + xi_s'(m0) (no memory yet)."""
    pull, potential = (float(fields.xi(signal, m0, 1)), float(fields.xi(signal, m0))) if signal else (0.0, 0.0)
    mu0 = temperature + m0 * pull
    eye = np.eye(size)
    diagonals = np.zeros((3, size))
    diagonals[0] = 1.0
    forces_c = np.zeros((3, size))
    forces_c[0, 0] = -mu0 + m0 * pull
    forces_r = np.zeros((3, size))
    forces_r[0, 0] = -mu0
    mus = np.zeros(size)
    mus[0] = mu0
    energies = np.zeros(size)
    energies[0] = -potential
    ms = np.zeros(size)
    ms[0] = m0
    forces_m = np.array([-mu0 * m0 + pull, 0.0, 0.0])
    return (eye, eye.copy(), diagonals, diagonals.copy(), eye[:3].copy(), eye[:3].copy(), mus, energies,
            forces_c, forces_r, ms, forces_m)


def _ck_grow(state: tuple, size: int) -> tuple:
    """Embed the state in arrays of a larger ``size`` (identity / zero padding)."""
    cmat, rmat, dc, dr, colc, colr, mus, energies, fc_hist, fr_hist, ms, fm_hist = (np.asarray(a) for a in state)
    old = cmat.shape[0]

    def square(a):
        out = np.eye(size)
        out[:old, :old] = a
        return out

    def rows(a, fill_first=0.0):
        out = np.zeros((a.shape[0], size))
        out[:, :old] = a
        out[0, old:] = fill_first
        return out

    return (square(cmat), square(rmat), rows(dc, 1.0), rows(dr, 1.0), rows(colc), rows(colr),
            np.pad(mus, (0, size - old)), np.pad(energies, (0, size - old)), rows(fc_hist), rows(fr_hist),
            np.pad(ms, (0, size - old)), fm_hist)


def _ck_sizes(rows: int) -> list[int]:
    """The array sizes the uniform-grid solver steps through to hold ``rows`` rows: 256, 512, 1024, then steps of
    256 to 2048 and of 512 to 4096. Each block advances only the rows that fit the current size, so the
    matrix-vector products read the filled part of the arrays plus at most a quarter of padding beyond 1024 rows,
    instead of up to twice the filled part for a power of two; one compilation per size used."""
    ladder = [256, 512, 1024, 1280, 1536, 1792, 2048, 2560, 3072, 3584, 4096]
    sizes = []
    for size in ladder:
        sizes.append(size)
        if size >= rows:
            break
    return sizes


def _planted(signal: fields.Mixture | int | None, m0: float) -> tuple[fields.Mixture | None, float]:
    """Validate a planted direction's ``signal`` (a mixture, or None) and initial overlap ``m0``."""
    if signal is not None:
        signal = fields._mixture("signal", signal)
    m0 = _validate.real("m0", m0, minimum=-1.0, maximum=1.0)
    if m0 != 0.0 and signal is None:
        raise ValueError("m0 is the overlap with a planted direction: give signal= too (m0 = 0 without one)")
    return signal, m0


def _aligned(mix: fields.Mixture, signal: fields.Mixture | None) -> tuple[tuple[int, ...], Array, Array]:
    """The union of the degrees of ``mix`` and ``signal`` and both coefficient vectors on it (zeros where a degree
    is absent, an exact zero without a signal)."""
    degrees = tuple(sorted(set(mix.degrees) | set(signal.degrees if signal else ())))
    noise_c = dict(zip(mix.degrees, mix.coefficients))
    signal_c = dict(zip(signal.degrees, signal.coefficients)) if signal else {}
    return (degrees, jnp.asarray([noise_c.get(d, 0.0) for d in degrees], dtype=jnp.float64),
            jnp.asarray([signal_c.get(d, 0.0) for d in degrees], dtype=jnp.float64))


def cugliandolo_kurchan(xi: fields.Mixture | int, temperature: float, t_max: float, dt: float = 0.05, *,
                        signal: fields.Mixture | int | None = None, m0: float = 0.0) -> CKSolution:
    r"""Solve the :math:`N\to\infty` dynamics of :math:`C`, :math:`R`, :math:`\mu`, :math:`E` from a random start.

    For :math:`t > t'`, in book units (:math:`\mathbb E[H(\sigma)H(\sigma')] = N\xi(q)`; Cugliandolo & Kurchan
    1993 for :math:`\xi = q^p/2`, Cugliandolo 2002 for any :math:`\xi`, Ben Arous, Dembo & Guionnet 2006):

    .. math::
        \partial_t C(t,t') &= -\mu(t)C(t,t') + \int_0^{t'}\!\xi'(C(t,s))R(t',s)\,ds
            + \int_0^{t}\!\xi''(C(t,s))R(t,s)C(s,t')\,ds, \\
        \partial_t R(t,t') &= -\mu(t)R(t,t') + \int_{t'}^{t}\!\xi''(C(t,s))R(t,s)R(s,t')\,ds,
            \qquad R(t'^+,t') = 1,\quad C(t,t) = 1, \\
        \mu(t) &= T + \int_0^t\big[\xi'(C(t,s)) + \xi''(C(t,s))C(t,s)\big]R(t,s)\,ds, \qquad
        E(t) = -\int_0^t \xi'(C(t,s))R(t,s)\,ds,

    with :math:`C(0,0) = 1`, :math:`E(0) = 0`, :math:`\mu(0) = T` (a uniform start, independent of the disorder).
    For a pure model :math:`\xi' + \xi''C = p\,\xi'` on :math:`C^{p-1}`, so :math:`\mu = T - pE`; in equilibrium
    (FDT, :math:`R = \partial_{t'}C/T`) the energy is :math:`-\xi(1)/T`. ``xi`` is an integer :math:`p` (the pure
    model) or a :class:`~landscape.fields.Mixture`; the source conventions are converted in the module docstring.

    **A planted direction** (``signal`` = :math:`\xi_s`, with ``m0`` = :math:`m(0)`): the energy is
    :math:`-N\xi_s(m) + H` with :math:`m = \sigma\cdot x^*/N` (chapter 9: the spiked matrix–tensor model, where
    :math:`\xi_s = \xi`). The overlap joins the equations (Sarao Mannelli, Krzakala, Urbani & Zdeborová 2019,
    arXiv:1902.00139, and their code ``sphinxteam/spiked_matrix-tensor_T0``, converted to book units):

    .. math::
        \dot m(t) &= -\mu(t)m(t) + \xi_s'(m(t)) + \int_0^t\!\xi''(C(t,s))R(t,s)m(s)\,ds, \\
        \partial_t C(t,t') &\mathrel{+}= \xi_s'(m(t))\,m(t'), \qquad
        \mu(t) \mathrel{+}= m(t)\xi_s'(m(t)), \qquad E(t) \mathrel{+}= -\xi_s(m(t)),

    :math:`R` unchanged. The random start has :math:`m(0) = m_0` (:math:`\approx N^{-1/2}` for a uniform start at
    finite :math:`N`). :math:`m` is integrated as one more column of the same predictor–corrector, to the same
    order, and returned as ``m``; with ``m0 = 0`` every added term is an exact zero and the solution is, bit for
    bit, the one without a signal.

    **Scheme.** A uniform grid :math:`t_k = k\,\Delta t`, :math:`k \le n = \lceil t_{\max}/\Delta t\rceil`. Each new
    row :math:`C(t_{i+1}, \cdot)`, :math:`R(t_{i+1}, \cdot)` comes from a PECE predictor–corrector in :math:`t` for
    every column :math:`t_j` (Adams–Bashforth 3 / Adams–Moulton 4 once a column has three force rows; a Simpson
    step from the diagonal for its second step; the trapezoid for its first step, predicted by a Taylor
    polynomial and revisited one step later with a three-point formula). The memory integrals use the fourth-order
    Gregory rule (exact end corrections for intervals of fewer than six nodes), split at :math:`s = t'` where
    :math:`C(s, t')` has its :math:`T > 0` cusp. Work :math:`O(n^3)`, three matrix–vector products per force
    evaluation, two evaluations per step (at most :data:`MAX_CK_STEPS` steps). The arrays grow through a few
    bucket sizes (256, 512, 1024, then steps of 256 and 512), and each block of rows runs on the smallest bucket
    that holds it, so the products read the filled part of the arrays plus at most a quarter of padding. Against
    the former powers of two (up to twice the filled part) the time per step falls from 31 to 17 ms at
    :math:`n = 2000` and from 73 to 27 ms at :math:`n = 3000` (1.8 and 2.7 times, compilation included,
    ``benchmarks/bench_dynamics.py`` on a shared two-core CPU); the results are unchanged to rounding. For long
    times use :func:`cugliandolo_kurchan_adaptive`.

    **Accuracy** (measured; the tests repeat it by halving :math:`\Delta t`): fourth order. Errors against the
    exact :func:`spherical_sk_gradient_flow` fall by 11–16 per halving; for :math:`p = 3` the Richardson ratios of
    :math:`E(6)` are 8.6 then 11.9 at :math:`T = 0` and 6.8 then 11.1 at :math:`T = 0.6` (for
    :math:`\Delta t = 0.1 \to 0.0125`: still approaching 16, the problem is stiff). For :math:`p = 3`,
    :math:`T = 0` the energy at :math:`t = 40` is within :math:`3\times10^{-3}` of the converged value at
    :math:`\Delta t = 0.1` and :math:`3\times10^{-4}` at :math:`\Delta t = 0.05`. Only the first grid point
    :math:`E(\Delta t)` carries an :math:`O(\Delta t^3)` error (a one-interval trapezoid). The step must resolve the
    fastest relaxation, :math:`\Delta t\,(\mu + 2\sqrt{\xi''(1)}) \lesssim 1`; a non-finite solution raises
    ``FloatingPointError``. Returns NumPy arrays (:class:`CKSolution`).
    """
    mix = fields._mixture("xi", xi)
    temperature = _validate.real("temperature", temperature, minimum=0.0)
    t_max = _validate.real("t_max", t_max, minimum=0.0, strict_minimum=True)
    dt = _validate.real("dt", dt, minimum=0.0, strict_minimum=True)
    signal, m0 = _planted(signal, m0)
    n = math.ceil(t_max / dt - 1e-9)
    if n > MAX_CK_STEPS:
        raise ValueError(f"t_max/dt = {t_max / dt:.6g} exceeds MAX_CK_STEPS = {MAX_CK_STEPS} (memory: the solver "
                         f"keeps two square arrays of up to 4096^2 float64 entries); raise dt or lower t_max")
    return _ck_solve(mix, temperature, dt, n, _ck_sizes(n + 2), signal, m0)


def _ck_solve(mix: fields.Mixture, temperature: float, dt: float, n: int, sizes: list[int],
              signal: fields.Mixture | None = None, m0: float = 0.0) -> CKSolution:
    """The uniform-grid solver for validated arguments, stepping through the array ``sizes`` (the benchmark
    passes other ladders to measure their cost)."""
    steps = n + 1  # one step beyond t_max, so that the last row's first-step entry is revisited like all others
    degrees, coefficients, pulls = _aligned(mix, signal)
    state = _ck_initial_state(sizes[0], temperature, signal, m0)
    done = 0
    for size in sizes:
        if size > state[0].shape[0]:
            state = _ck_grow(state, size)
        stop = min(steps, size - 1)
        state = _ck_block(tuple(jnp.asarray(a) for a in state), coefficients, pulls, jnp.float64(temperature),
                          jnp.float64(dt), done, stop, degrees)
        done = stop
    energies = np.asarray(state[7][: n + 1])
    if not np.all(np.isfinite(energies)):
        bad = int(np.argmin(np.isfinite(energies)))
        raise FloatingPointError(f"the solution became non-finite near t = {bad * dt:g}: decrease dt (now {dt:g})")
    return CKSolution(times=np.arange(n + 1) * dt, energy=energies, mu=np.asarray(state[6][: n + 1]),
                      C=np.array(state[0][: n + 1, : n + 1]), R=np.array(state[1][: n + 1, : n + 1]),
                      m=np.asarray(state[10][: n + 1]) if signal else None)


# ------------------------------------------------------------------ N = infinity on an adaptive (decimated) grid
#
# Model and grid are kept apart. The grid machinery below (_cka_level, _cka_decimate, cugliandolo_kurchan_adaptive)
# knows only that row t of the two-time functions obeys
#     dC(t,t')/dt = -mu(t) C(t,t') + int_0^t' K1(t,s) R(t',s) ds + int_0^t K2(t,s) R(t,s) C(s,t') ds + S_C(t,t'),
#     dChi(t,t')/dt = 1 - mu(t) Chi(t,t') + int_t'^t K2(t,s) R(t,s) Chi(s,t') ds,
# with kernels K1 = f1(C(t,s)), K2 = f2(C(t,s)) and one-time quantities (mu, E) that are Stieltjes sums over the
# row. Everything model-specific comes from _CKModel: the kernel functions, their antiderivatives (for the
# Stieltjes weights), mu and E from those weights, and an optional one-time state. Chapter 9's spiked matrix-tensor
# model (Sarao Mannelli et al., arXiv:1902.00139, 1907.08226) adds the overlap m(t) with the signal: a one-time
# state (stored on the grid and decimated like mu), a source S_C(t,t') = xi_s'(m(t)) m(t') in the C equation, its
# own ODE dm/dt = -mu m + xi_s'(m) + int_0^t K2 R m ds (the same BDF2 step, inside the same fixed-point sweep), and
# terms in mu and E (_CKModel.planted). Without a signal its coefficients are zero and m stays exactly 0.


class _CKModel(NamedTuple):
    """The model-specific part of the Cugliandolo-Kurchan equations: xi through its degrees and coefficients."""

    degrees: tuple[int, ...]

    def xi(self, coefficients: Array, q: Array, d: int) -> Array:
        """The d-th derivative of xi at q (d = 0, 1, 2)."""
        return _xi_derivative(self.degrees, coefficients, q, d)

    def weights(self, coefficients: Array, c_lo: Array, c_hi: Array, dq: Array) -> tuple[Array, Array, Array]:
        r"""Stieltjes weights of one interval of a row: :math:`\int f(C(t,s))\,R(t,s)\,ds` over the interval for
        :math:`f = \xi'`, :math:`\xi''` and :math:`(c\,\xi')' = \xi' + c\,\xi''`, assuming :math:`\chi(t,s)` linear
        in :math:`C(t,s)` across it (exact under FDT, whatever the fast structure inside the interval):
        ``dq`` times the mean of :math:`f` over :math:`c \in [c_{lo}, c_{hi}]`, from its antiderivative."""
        width = c_hi - c_lo
        small = jnp.abs(width) < 1e-6
        safe = jnp.where(small, 1.0, width)
        mid = 0.5 * (c_lo + c_hi)

        def mean(antiderivative, f):
            return jnp.where(small, f(mid), (antiderivative(c_hi) - antiderivative(c_lo)) / safe)

        x0, x1, x2 = (lambda c, d=d: self.xi(coefficients, c, d) for d in range(3))
        w1 = dq * mean(x0, x1)
        w2 = dq * mean(x1, x2)
        w3 = dq * mean(lambda c: c * x1(c), lambda c: x1(c) + c * x2(c))
        return w1, w2, w3

    def one_time(self, temperature: Array, w1: Array, w3: Array) -> tuple[Array, Array]:
        r""":math:`\mu(t) = T + \int_0^t(\xi' + C\xi'')R\,ds` and :math:`E(t) = -\int_0^t\xi'(C)R\,ds` from the
        row's Stieltjes weights."""
        return temperature + jnp.sum(w3), -jnp.sum(w1)

    def planted(self, signal: Array, m: Array) -> tuple[Array, Array, Array]:
        r"""A planted direction's terms at overlap :math:`m`: the pull :math:`\xi_s'(m)`, and the additions
        :math:`m\xi_s'(m)` to :math:`\mu` and :math:`-\xi_s(m)` to :math:`E` (``signal`` holds the coefficients of
        :math:`\xi_s` on the same degrees; zero without a signal)."""
        pull = self.xi(signal, m, 1)
        return pull, m * pull, -self.xi(signal, m, 0)


_CKA_MAX_ITERATIONS = 100
_CKA_TOLERANCE = 1e-10  # on the change of C and chi in a fixed-point sweep; far below the discretisation error


class CKAdaptiveSolution(NamedTuple):
    r"""Solution of the Cugliandolo–Kurchan equations on a decimated grid (:func:`cugliandolo_kurchan_adaptive`)."""

    times: np.ndarray  #: every time the solver stepped to, increasing, non-uniform, shape (K,)
    energy: np.ndarray  #: E at those times, shape (K,)
    mu: np.ndarray  #: mu at those times, shape (K,)
    grid: np.ndarray  #: the final grid t_k = k h, shape (n+1,)
    C: np.ndarray  #: C(t_i, t_j) on the final grid, symmetric, shape (n+1, n+1)
    chi: np.ndarray  #: chi(t_i, t_j) = int_{t_j}^{t_i} R(t_i, s) ds for j <= i, 0 above the diagonal
    waiting_times: np.ndarray  #: the requested t_w, shape (W,)
    aging_C: np.ndarray  #: C(times[k], t_w[w]), shape (K, W); NaN where t < t_w + 3h or t_w < 8h (unresolved)
    aging_chi: np.ndarray  #: chi(times[k], t_w[w]), same shape and NaNs
    sweeps: int = 0  #: fixed-point sweeps over all rows (a measure of the work)
    m: np.ndarray | None = None  #: with a ``signal`` only: the overlap m at ``times``, shape (K,)

    def aging(self, w: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """``(tau, C(t_w + tau, t_w), chi(t_w + tau, t_w))`` for the waiting time ``waiting_times[w]``, where
        resolved."""
        ok = np.isfinite(self.aging_C[:, w])
        return self.times[ok] - self.waiting_times[w], self.aging_C[ok, w], self.aging_chi[ok, w]


def _cka_initial_state(points: int, h: float, temperature: float, xi1: float, xi12: float, model: _CKModel,
                       coefficients: Array, signal: Array, m0: float):
    """Rows 0..points/2 from the short-time expansion C = 1 - T|t - t'|, chi = t - t', mu = T + (xi'(1) + xi''(1)) t,
    E = -xi'(1) t, and with a signal m = m0 + (xi_s'(m0) - mu(0) m0) t plus the planted terms of mu and E at m0
    (errors O(t^2), negligible for the tiny first span)."""
    size = points + 1
    half = points // 2
    k = np.arange(size)
    lag = np.abs(k[:, None] - k[None, :]).astype(float)
    inside = (k[:, None] <= half) & (k[None, :] <= half)
    c = np.where(inside, 1.0 - temperature * h * lag, 0.0)
    q = np.where(inside & (k[:, None] >= k[None, :]), h * lag, 0.0)
    # interval l = [t_{l-1}, t_l]: mean lag from row a is |a - l + 1/2|
    mean_lag = np.abs(k[:, None] - k[None, :] + 0.5)
    cbar = np.where(inside & (k[None, :] >= 1), 1.0 - temperature * h * mean_lag, 0.0)
    qh = np.where(inside & (k[None, :] > k[:, None]), h * mean_lag, 0.0)
    t = k * h
    pull, mu_m, energy_m = (float(a) for a in model.planted(signal, jnp.float64(m0)))
    mu = np.where(k <= half, temperature + mu_m + xi12 * t, 0.0)
    energy = np.where(k <= half, energy_m - xi1 * t, 0.0)
    ms = np.where(k <= half, m0 + (pull - (temperature + mu_m) * m0) * t, 0.0)
    c, q, cbar, qh, mu, energy, ms = (jnp.asarray(a) for a in (c, q, cbar, qh, mu, energy, ms))
    lags = jnp.arange(1.0, 5.0)  # the last row's intervals at lags 1..4
    wdiag = jnp.stack(model.weights(coefficients, 1.0 - temperature * h * lags, 1.0 - temperature * h * (lags - 1),
                                    h * jnp.ones(4)))
    return c, q, cbar, qh, _cka_weights(q), wdiag, mu, energy, ms


@partial(jax.jit, static_argnames=("model",), donate_argnums=(0,))
def _cka_level(state, coefficients, signal, temperature, h, stop, model: _CKModel):
    """Rows points/2 + 1 .. stop of one level of the grid, step h (BDF2, fixed-point iteration in each row)."""
    c_mat, q_mat, cbar, qh, dq_rows, wdiag, mus, energies, ms = state
    size = c_mat.shape[0]
    half = (size - 1) // 2
    s = jnp.arange(size)

    def body(i, carry):
        c_mat, q_mat, cbar, qh, dq_rows, wdiag, mus, energies, ms, worst, total = carry
        # near the diagonal (lags h and 2h) the values are carried along the diagonal: the short-lag dynamics is
        # stationary once h is small against the age (Kim & Latz 2001), and the interval means there keep the
        # sub-grid structure resolved at earlier, finer levels
        c_mat = c_mat.at[i, i].set(1.0)
        for lag in (1, 2):
            c_mat = c_mat.at[i, i - lag].set(c_mat[i - 1, i - 1 - lag]).at[i - lag, i].set(c_mat[i - 1, i - 1 - lag])
            q_mat = q_mat.at[i, i - lag].set(q_mat[i - 1, i - 1 - lag])
            cbar = cbar.at[i, i + 1 - lag].set(cbar[i - 1, i - lag])  # row i, interval i+1-lag
            cbar = cbar.at[i - lag, i].set(cbar[i - 1 - lag, i - 1])  # column i-lag, interval i
            qh = qh.at[i - lag, i].set(qh[i - 1 - lag, i - 1])
        far = s <= i - 3
        row_ok = s <= i
        interval = (s >= 1) & row_ok
        prev1, prev2 = c_mat[i - 1], c_mat[i - 2]
        qprev1, qprev2 = q_mat[i - 1], q_mat[i - 2]
        # columns > i of cbar and qh are zero, and qh vanishes for l <= j: no masks needed; column i is replaced
        cbar_i, qh_i = cbar[:, i], qh[:, i]
        c0 = jnp.where(far, 2 * prev1 - prev2, c_mat[i])  # linear extrapolation along the column
        q0 = jnp.where(far, 2 * qprev1 - qprev2, q_mat[i])
        m_guess = 2 * ms[i - 1] - ms[i - 2]

        def sweep(c, q, m):
            c_left = jnp.roll(c, 1)
            dq = jnp.where(interval, jnp.roll(q, 1) - q, 0.0)
            w1, w2, w3 = model.weights(coefficients, c_left, c, dq)
            # the two intervals next to the diagonal carry the weights of the previous row (merged sums of finer
            # intervals after a decimation), like the values there
            w1, w2, w3 = (jnp.where(interval, jnp.where(s == i, wdiag[k, 0], jnp.where(s == i - 1, wdiag[k, 1], w)),
                                    0.0) for k, w in enumerate((w1, w2, w3)))
            mu, energy = model.one_time(temperature, w1, w3)
            pull, mu_m, energy_m = model.planted(signal, m)
            mu, energy = mu + mu_m, energy + energy_m
            m_row = jnp.where(s < i, ms, jnp.where(s == i, m, 0.0))
            m_mean = jnp.where(interval, 0.5 * (jnp.roll(m_row, 1) + m_row), 0.0)  # trapezoid mean of m(s)
            k1 = jnp.where(row_ok, model.xi(coefficients, c, 1), 0.0)
            k1_mean = jnp.where(s >= 1, 0.5 * (k1 + jnp.roll(k1, 1)), 0.0)  # trapezoid mean of xi'(C(t_i, s))
            cbar_new = jnp.where(far, (-prev2 + 8 * prev1 + 5 * c) / 12, cbar[:, i])  # column j, interval i
            qh_new = jnp.where(far, (-qprev2 + 8 * qprev1 + 5 * q) / 12, qh[:, i])
            a = dq_rows @ k1_mean
            b = cbar @ w2 + (cbar_new - cbar_i) * w2[i]
            bq = qh @ w2 + (qh_new - qh_i) * w2[i]
            denom = 3.0 + 2.0 * h * mu
            c_new = jnp.where(far, (4 * prev1 - prev2 + 2 * h * (a + b + pull * m_row)) / denom, c)
            q_new = jnp.where(far, (4 * qprev1 - qprev2 + 2 * h * (1.0 + bq)) / denom, q)
            m_new = (4 * ms[i - 1] - ms[i - 2] + 2 * h * (pull + jnp.dot(w2, m_mean))) / denom
            return c_new, q_new, m_new, mu, energy, cbar_new, qh_new, jnp.stack([w1, w2, w3])[:, i - jnp.arange(4)]

        def cond(val):
            return (val[3] > _CKA_TOLERANCE) & (val[4] < _CKA_MAX_ITERATIONS)

        def iterate(val):
            c, q, m, _, it, *_ = val
            c_new, q_new, m_new, mu, energy, cb, qb, wd = sweep(c, q, m)
            change = jnp.max(jnp.abs(c_new - c)) + jnp.max(jnp.abs(q_new - q)) + jnp.abs(m_new - m)
            return c_new, q_new, m_new, change, it + 1, mu, energy, cb, qb, wd

        zero = jnp.zeros(())
        c, q, m, change, iterations, mu, energy, cb, qb, wdiag = jax.lax.while_loop(
            cond, iterate, (c0, q0, m_guess, jnp.ones(()), jnp.zeros((), jnp.int32), zero, zero, cbar[:, i],
                            qh[:, i], wdiag))
        c_mat = c_mat.at[i].set(jnp.where(row_ok, c, 0.0))
        c_mat = c_mat.at[:, i].set(jnp.where(row_ok, c, 0.0))
        q_mat = q_mat.at[i].set(jnp.where(row_ok, q, 0.0))
        dq_rows = dq_rows.at[i].set(jnp.where(interval, jnp.roll(q, 1) - q, 0.0))
        # interval means along row i (quadratic through three neighbours), for intervals l <= i-2
        row_mean = (5 * jnp.roll(c, 1) + 8 * c - jnp.roll(c, -1)) / 12
        cbar = cbar.at[i].set(jnp.where((s >= 1) & (s <= i - 2), row_mean, cbar[i]))
        cbar = cbar.at[:, i].set(cb)
        qh = qh.at[:, i].set(qb)
        worst = jnp.maximum(worst, change)
        return (c_mat, q_mat, cbar, qh, dq_rows, wdiag, mus.at[i].set(mu), energies.at[i].set(energy),
                ms.at[i].set(m), worst, total + iterations)

    *state, worst, total = jax.lax.fori_loop(half + 1, stop + 1, body, (c_mat, q_mat, cbar, qh, dq_rows, wdiag, mus,
                                                                         energies, ms, jnp.zeros(()), jnp.int32(0)))
    return tuple(state), worst, total


@partial(jax.jit, donate_argnums=(0,))
def _cka_decimate(state):
    """Keep every other grid point, t_i <- t_{2i} (i <= points/2); interval means of the merged pairs are averaged,
    so the integrals keep what the finer grid resolved."""
    c_mat, q_mat, cbar, qh, _, wdiag, mus, energies, ms = state
    size = c_mat.shape[0]
    half = (size - 1) // 2

    def pad(a):
        return jnp.zeros((size,) * a.ndim).at[tuple(slice(0, n) for n in a.shape)].set(a)

    def merge(a):
        pairs = 0.5 * (a[::2, 1::2] + a[::2, 2::2])  # new interval l = old intervals 2l-1 and 2l
        return pad(jnp.concatenate([jnp.zeros((half + 1, 1)), pairs], axis=1))

    q_new = pad(q_mat[::2, ::2])
    merged = jnp.zeros_like(wdiag).at[:, 0].set(wdiag[:, 0] + wdiag[:, 1]).at[:, 1].set(wdiag[:, 2] + wdiag[:, 3])
    return (pad(c_mat[::2, ::2]), q_new, merge(cbar), merge(qh), _cka_weights(q_new), merged, pad(mus[::2]),
            pad(energies[::2]), pad(ms[::2]))


def _cka_weights(q_mat: Array) -> Array:
    """``dq[j, l] = chi(t_j, t_{l-1}) - chi(t_j, t_l)`` for 1 <= l <= j (the R-weight of interval l on row j)."""
    s = jnp.arange(q_mat.shape[0])
    keep = (s[None, :] >= 1) & (s[None, :] <= s[:, None])
    return jnp.where(keep, jnp.roll(q_mat, 1, axis=1) - q_mat, 0.0)


def _interpolate_columns(rows: np.ndarray, x: float) -> np.ndarray:
    """Four-point Lagrange interpolation of each row at the fractional column index ``x`` (needs 1 <= x)."""
    j0 = int(math.floor(x))
    u = x - j0
    nodes = np.array([-1.0, 0.0, 1.0, 2.0])
    weights = np.array([np.prod([(u - nodes[b]) / (nodes[a] - nodes[b]) for b in range(4) if b != a])
                        for a in range(4)])
    return rows[:, j0 - 1:j0 + 3] @ weights


def cugliandolo_kurchan_adaptive(xi: fields.Mixture | int, temperature: float, t_max: float,
                                 waiting_times: Sequence[float] = (), points: int = 512,
                                 t_start: float = 1e-4, *, signal: fields.Mixture | int | None = None,
                                 m0: float = 0.0) -> CKAdaptiveSolution:
    r"""Solve the Cugliandolo–Kurchan equations to long times on a grid that coarsens as the system ages.

    The equations are those of :func:`cugliandolo_kurchan` (book units), written for :math:`C` and the integrated
    response :math:`\chi(t,t') = \int_{t'}^t R(t,s)\,ds` instead of :math:`R`:

    .. math::
        \partial_t\chi(t,t') = 1 - \mu(t)\chi(t,t') + \int_{t'}^t \xi''(C(t,s))R(t,s)\chi(s,t')\,ds ,

    which follows from the :math:`R` equation by integrating over :math:`t'` (:math:`R(t^+,t) = 1`). Every memory
    integral then has the form :math:`\int f\,R\,ds = -\int f\,d_s\chi`.

    **Grid** (B. Kim and A. Latz, Europhys. Lett. 53 (2001) 660; the scheme of L. Berthier, G. Biroli,
    J.-P. Bouchaud, W. Kob, K. Miyazaki and D. R. Reichman, J. Chem. Phys. 126 (2007) 184504, App. C, also used by
    G. Folena, S. Franz and F. Ricci-Tersenghi, Phys. Rev. X 10 (2020) 031045). ``points`` + 1 grid times
    :math:`t_k = kh`. Rows :math:`0..\tfrac12` ``points`` start from the short-time expansion at the tiny
    ``t_start``; the solver fills the second half row by row, then keeps every other time (:math:`t_i \leftarrow
    t_{2i}`), doubles :math:`h` and fills the second half again, so that :math:`h/t` stays between
    ``1/points`` and ``2/points`` and the cost per decade of time is fixed. Next to the values on the grid it keeps
    interval means :math:`\bar C` of :math:`C(t_a, s)` over each grid interval of :math:`s` (and of
    :math:`\chi(s, t_a)`), computed when the interval is resolved and averaged pairwise at each decimation, so
    integrals over intervals in which a function changes much faster than :math:`h` (the short-time, FDT part of
    the dynamics) remain those of the finer grids. Each integral is a sum over intervals of a Stieltjes weight
    :math:`\int_{\rm interval} f(C(t,s))R(t,s)\,ds` — taken as :math:`\Delta\chi` times the mean of :math:`f` over
    the :math:`C`-range of the interval, exact when :math:`\chi` is linear in :math:`C` there, as under FDT —
    times the interval mean of the other factor. Time steps are the implicit BDF2 formula, solved in each row by
    fixed-point iteration to :math:`10^{-10}`. The entries at lags :math:`h` and :math:`2h` are carried along the
    diagonal (stationary short-lag dynamics, Kim & Latz), which is accurate once :math:`h \ll t`. The grid assumes
    that nothing fast happens late: a relaxation of rate :math:`\lambda` that starts at time :math:`t` (with a
    ``signal``, the fall into the good minimum after a long plateau) is resolved only if :math:`2t\lambda/`
    ``points`` :math:`\ll 1`; otherwise the carried diagonal freezes a wrong state (an example is measured in
    :func:`landscape.spiked.gradient_flow_dmft`). Double ``points`` to check.

    **Accuracy and cost** (measured; the tests and ``benchmarks/bench_dynamics.py`` repeat it). The quadratures
    are second order in :math:`h/t`, but the values carried along the diagonal lag by up to one level, and the
    error falls about in proportion to ``1/points``: for :math:`p = 3`, :math:`T = 0`, :math:`E(100)` is
    :math:`-1.61683`, :math:`-1.61659`, :math:`-1.61636` with 128, 256, 512 points, against :math:`-1.61615` from
    the fourth-order uniform grid (extrapolated in :math:`\Delta t`). With 256 points the energy agrees with the
    uniform grid to :math:`3\times10^{-4}` and :math:`C(t_w+\tau, t_w)` to :math:`2\times10^{-3}` for
    :math:`t \le 12` (:math:`p = 3` at :math:`T = 0` and :math:`0.6`, a mixture at :math:`T = 0.5`). At each
    decimation the far memory integrals switch to the coarser grid, which shows as a step in :math:`E(t)` of the
    size of that error. The work per decade of time is fixed, :math:`\propto` ``points``\ :sup:`3`:
    :math:`p = 3`, :math:`T = 0` to :math:`t = 10^4` takes 12.5 s with 512 points and 4 s with 256, compilation
    (2–5 s) included, on two CPU cores at load average 2–3 (42 s and 8 s at load 4); the uniform grid needs
    :math:`O(n^3)` work and stops at a few hundred time units. At equal cost the two grids are about equally
    accurate at :math:`t = 100` (error of :math:`E(100)`: :math:`1.5\times10^{-4}` in 21 s for the uniform grid
    at :math:`\Delta t = 0.05`, :math:`1.7\times10^{-4}` in 10 s with 512 points, :math:`6\times10^{-5}` after
    extrapolating 256 and 512 points in ``1/points``); the adaptive grid's gain is the long times.

    Args:
        xi: an integer :math:`p \ge 2` or a :class:`~landscape.fields.Mixture`.
        temperature: :math:`T \ge 0`.
        t_max: the last time, :math:`> 0` (the solver stops at the first grid time :math:`\ge t_{\max}`).
        waiting_times: times :math:`t_w > 0` at which to record :math:`C(t, t_w)` and :math:`\chi(t, t_w)` for
            every later time (four-point interpolation in :math:`t'`; NaN where :math:`t - t_w < 3h` or
            :math:`t_w < 8h`, i.e. for :math:`t \gtrsim t_w\,` ``points``/16).
        points: grid size, an even integer in [32, 4096].
        t_start: length of the first (finest) half grid, in :math:`(0, 10^{-2}]`, with ``t_max / t_start`` at most
            ``MAX_CKA_RANGE`` (:math:`2^{64}`).
        signal, m0: a planted direction, as in :func:`cugliandolo_kurchan` (the overlap :math:`m` takes the same
            BDF2 step inside the same fixed-point sweep; its memory integral uses the trapezoid mean of :math:`m`
            over each interval), recorded as ``m`` at ``times``.

    Returns:
        :class:`CKAdaptiveSolution` (NumPy arrays). ``C`` and ``chi`` are on the final grid; ``times``,
        ``energy``, ``mu`` and the aging curves on every time stepped to. :math:`R` itself is not returned: on the
        coarse grid only its integrals over grid intervals are resolved.

    Raises:
        FloatingPointError: if the solution becomes non-finite.
    """
    mix = fields._mixture("xi", xi)
    temperature = _validate.real("temperature", temperature, minimum=0.0)
    t_max = _validate.real("t_max", t_max, minimum=0.0, strict_minimum=True)
    points = _validate.integer("points", points, minimum=32, maximum=4096)
    if points % 2:
        raise ValueError(f"points must be even, got {points}")
    t_start = _validate.real("t_start", t_start, minimum=0.0, maximum=1e-2, strict_minimum=True)
    if t_max / t_start > MAX_CKA_RANGE:
        raise ValueError(f"t_max / t_start must be <= MAX_CKA_RANGE = 2**64 (one grid level per doubling), got "
                         f"t_max = {t_max:g}, t_start = {t_start:g}")
    if isinstance(waiting_times, (str, bytes)) or not isinstance(waiting_times, Sequence | np.ndarray):
        raise TypeError("waiting_times must be a sequence of positive times")
    tws = np.array([_validate.real("waiting_times", w, minimum=0.0, strict_minimum=True) for w in waiting_times],
                   dtype=float)
    if np.any(tws >= t_max):
        raise ValueError(f"waiting_times must be < t_max = {t_max:g}, got {tws.tolist()}")
    signal, m0 = _planted(signal, m0)
    half = points // 2
    h = t_start / half
    degrees, coefficients, pulls = _aligned(mix, signal)
    xi1 = float(sum(a * p for p, a in zip(mix.degrees, mix.coefficients)))
    xi2 = float(sum(a * p * (p - 1) for p, a in zip(mix.degrees, mix.coefficients)))
    model = _CKModel(degrees)
    state = _cka_initial_state(points, h, temperature, xi1, xi1 + xi2, model, coefficients, pulls, m0)
    times, energies, mus, overlaps, aging_c, aging_chi = [], [], [], [], [], []

    def record(state, first, last, h):
        c_mat, q_mat = np.asarray(state[0]), np.asarray(state[1])
        rows = np.arange(first, last + 1)
        t = rows * h
        times.append(t)
        energies.append(np.asarray(state[7])[first:last + 1])
        mus.append(np.asarray(state[6])[first:last + 1])
        overlaps.append(np.asarray(state[8])[first:last + 1])
        ac = np.full((len(rows), len(tws)), np.nan)
        aq = np.full_like(ac, np.nan)
        for w, tw in enumerate(tws):
            x = tw / h
            ok = (x >= 8) & (rows >= x + 3)
            if ok.any():
                ac[ok, w] = _interpolate_columns(c_mat[rows[ok]], x)
                aq[ok, w] = _interpolate_columns(q_mat[rows[ok]], x)
        aging_c.append(ac)
        aging_chi.append(aq)

    record(state, 0, half, h)
    sweeps = 0
    while True:
        stop = min(points, max(half + 1, math.ceil(t_max / h - 1e-9)))
        state, worst, iterations = _cka_level(state, coefficients, pulls, jnp.float64(temperature), jnp.float64(h),
                                              stop, model)
        sweeps += int(iterations)
        record(state, half + 1, stop, h)
        if not np.isfinite(float(worst)) or not np.all(np.isfinite(energies[-1])):
            raise FloatingPointError(f"the solution became non-finite near t = {stop * h:g}; raise points")
        if stop < points or stop * h >= t_max - 1e-12 * t_max:
            break
        state = _cka_decimate(state)
        h *= 2.0
    n = stop
    c_mat, q_mat = np.asarray(state[0])[: n + 1, : n + 1], np.asarray(state[1])[: n + 1, : n + 1]
    return CKAdaptiveSolution(times=np.concatenate(times), energy=np.concatenate(energies), mu=np.concatenate(mus),
                              grid=np.arange(n + 1) * h, C=c_mat, chi=np.tril(q_mat), waiting_times=tws,
                              aging_C=np.concatenate(aging_c), aging_chi=np.concatenate(aging_chi), sweeps=sweeps,
                              m=np.concatenate(overlaps) if signal else None)


def _log_g(s: np.ndarray) -> np.ndarray:
    r""":math:`\log G(s)`, :math:`G(s) = \int e^{-\sqrt2 xs}\rho_{\rm sc}(x)dx = I_1(2\sqrt2 s)/(\sqrt2 s)`.

    :math:`G(0) = 1`. Computed with the exponentially scaled Bessel function: no overflow at large :math:`s`.
    """
    a = 2.0 * np.sqrt(2.0) * np.abs(s)
    safe = np.where(a == 0, 1.0, a)
    return np.where(a == 0, 0.0, np.log(ive(1, safe)) + safe - np.log(safe / 2.0))


def spherical_sk_gradient_flow(times: np.ndarray) -> CKSolution:
    r"""Exact :math:`N = \infty` gradient flow (:math:`T = 0`) of the spherical SK model :math:`\xi(q) = q^2`.

    :math:`H(\sigma) = \tfrac12\sigma^\top A\sigma` with :math:`A = \sqrt2\,W`, :math:`W` a GOE matrix in the book's
    normalisation, so the flow is linear up to the normalisation: :math:`\sigma(t) = \sqrt N e^{-At}\sigma_0/
    |e^{-At}\sigma_0|`. With :math:`G(s) = \int e^{-\sqrt2xs}\rho_{\rm sc}(x)\,dx = I_1(2\sqrt2 s)/(\sqrt2 s)`
    (the semicircle's Laplace transform),

    .. math::
        C(t,t') = \frac{G(t+t')}{\sqrt{G(2t)G(2t')}},\quad R(t,t') = G(t-t')\sqrt{\frac{G(2t')}{G(2t)}},\quad
        E(t) = -\frac{G'(2t)}{2G(2t)} = -\sqrt2\Big[\frac{I_0(z)}{I_1(z)} - \frac2z\Big]_{z = 4\sqrt2\,t},

    and :math:`\mu = -2E`; :math:`E \to -\sqrt2 = u_{\rm th}(2)`, the ground state, as
    :math:`-\sqrt2 + 3/(8t)`. The Cugliandolo–Kurchan equations with :math:`\xi = q^2` must reproduce it
    (Cugliandolo & Dean 1995 solve the model at every :math:`T`). ``times`` is a 1-d array of times in
    :math:`[0, \text{MAX\_SK\_TIME}]` (:math:`10^8`); returns a :class:`CKSolution` on that grid (``R`` zero above the diagonal).
    """
    _validate.finite_array("times", times)
    t = np.asarray(times, dtype=np.float64)
    if t.ndim != 1 or t.size == 0 or np.any(t < 0):
        raise ValueError("times must be a non-empty 1-d array of times >= 0")
    if np.any(t > MAX_SK_TIME):
        raise ValueError(f"times must be <= MAX_SK_TIME = {MAX_SK_TIME:g} (SciPy's Bessel functions fail beyond), "
                         f"got maximum {float(t.max()):g}")
    # C and R and about six temporaries of the same size (the meshgrid, the log G terms)
    _validate.allocation(f"spherical_sk_gradient_flow with {t.size} times (times x times float64 arrays)",
                         8.0 * 8 * t.size * t.size)
    z = 4.0 * np.sqrt(2.0) * t
    safe = np.where(z == 0, 1.0, z)
    energy = np.where(z == 0, 0.0, -np.sqrt(2.0) * (ive(0, safe) / ive(1, safe) - 2.0 / safe))
    first, second = np.meshgrid(t, t, indexing="ij")
    log_c = _log_g(first + second) - 0.5 * (_log_g(2 * first) + _log_g(2 * second))
    log_r = _log_g(first - second) + 0.5 * (_log_g(2 * second) - _log_g(2 * first))
    return CKSolution(times=t, energy=energy, mu=-2.0 * energy, C=np.exp(log_c),
                      R=np.exp(np.where(first >= second, log_r, -np.inf)))


# --------------------------------------------------------------------------------- equilibrium dynamics


class EquilibriumSolution(NamedTuple):
    r"""The stationary correlation and response of equilibrium dynamics (:func:`equilibrium_dynamics`)."""

    times: np.ndarray  #: tau_k = k dt, shape (n+1,)
    C: np.ndarray  #: C(tau), C(0) = 1
    R: np.ndarray  #: R(tau) = -C'(tau)/T (the fluctuation-dissipation theorem)


@partial(jax.jit, static_argnames=("n", "degrees"))
def _equilibrium(coefficients: Array, temperature: Array, h: Array, n: int, degrees: tuple[int, ...]):
    def kernel(c, d=1):
        return _xi_derivative(degrees, coefficients, c, d)

    beta = 1.0 / temperature

    def force(c, memory):
        return -temperature * c - beta * memory

    def newton(g, dg, c):
        for _ in range(4):  # quadratic convergence from an O(h^2) predictor: machine precision after three
            c = c - g(c) / dg(c)
        return c

    # the first step: I_1 = (K(1) + K(c))/2 (c - 1), trapezoid in time
    k0 = kernel(jnp.float64(1.0))
    f0 = force(jnp.float64(1.0), 0.0)

    def g1(c):
        return c - 1.0 - 0.5 * h * (force(c, 0.5 * (k0 + kernel(c)) * (c - 1.0)) + f0)

    def dg1(c):
        return 1.0 + 0.5 * h * (temperature + beta * (0.5 * (k0 + kernel(c)) + 0.5 * kernel(c, 2) * (c - 1.0)))

    c1 = newton(g1, dg1, 1.0 + h * f0)
    edge, first = 0.5 * (k0 + kernel(c1)), c1 - 1.0  # the fixed parts of the k = m and k = 1 terms below
    f1 = force(c1, edge * first)
    corr = jnp.zeros(n + 1).at[0].set(1.0).at[1].set(c1)
    forces = jnp.zeros(n + 1).at[0].set(f0).at[1].set(f1)
    # I_m = sum_{k=1}^m A_{m-k} D_k with A_j = (K(C_j) + K(C_{j+1}))/2 and D_k = C_k - C_{k-1}. The k = 2..m-1 terms
    # do not involve C_m: one dot product of a contiguous slice of the reversed A (rev[n - j] = A_j, zeros beyond)
    # with D (whose entries k = 1 and k >= m are kept at zero and added separately).
    rev = jnp.zeros(2 * n + 2).at[n].set(edge)
    diffs = jnp.zeros(n + 1)

    def body(m, carry):
        corr, forces, rev, diffs, k_prev = carry
        inner = jnp.dot(jax.lax.dynamic_slice(rev, (n - m,), (n + 1,)), diffs)
        prev, f_prev = corr[m - 1], forces[m - 1]

        def memory(c):
            return inner + edge * (c - prev) + 0.5 * (k_prev + kernel(c)) * first

        def g(c):
            return c - prev - 0.5 * h * (force(c, memory(c)) + f_prev)

        def dg(c):
            return 1.0 + 0.5 * h * (temperature + beta * (edge + 0.5 * kernel(c, 2) * first))

        c = newton(g, dg, prev + h * f_prev)
        k_new = kernel(c)
        return (corr.at[m].set(c), forces.at[m].set(force(c, memory(c))),
                rev.at[n - m + 1].set(0.5 * (k_prev + k_new)), diffs.at[m].set(c - prev), k_new)

    corr, forces, *_ = jax.lax.fori_loop(2, n + 1, body, (corr, forces, rev, diffs, kernel(c1)))
    return corr, forces


def equilibrium_dynamics(xi: fields.Mixture | int, temperature: float, t_max: float,
                         dt: float = 0.1) -> EquilibriumSolution:
    r"""Stationary Langevin dynamics at :math:`N = \infty`, started *in equilibrium* at temperature :math:`T > 0`.

    With time-translation invariance :math:`C(t, t') = C(t - t')` and the fluctuation–dissipation theorem
    :math:`R(\tau) = -C'(\tau)/T`, the Cugliandolo–Kurchan equations (see :func:`cugliandolo_kurchan`) close on
    one function — the schematic mode-coupling equation of Crisanti, Horner & Sommers (1993), in book units:

    .. math:: \dot C(\tau) = -T\,C(\tau) - \frac1T\int_0^\tau \xi'\big(C(\tau - s)\big)\,\dot C(s)\,ds,
        \qquad C(0) = 1 .

    Above the dynamical temperature :math:`T_d` (:func:`landscape.thermo.dynamical_temperature`) :math:`C` decays
    to zero with a relaxation time that diverges as :math:`T\downarrow T_d` (see :func:`mct_exponents`); at and
    below :math:`T_d` it stops on a plateau :math:`q > 0`.

    **Scheme.** Uniform grid :math:`\tau_k = k\Delta t`; the memory integral over :math:`[\tau_{k-1}, \tau_k]` is
    :math:`\tfrac12[\xi'(C_{m-k}) + \xi'(C_{m-k+1})](C_k - C_{k-1})` (the discretisation of Fuchs, Götze,
    Hofacker & Latz, J. Phys. C 24 (1991) 5047, on a uniform grid), and the equation is stepped with the implicit
    trapezoidal rule, solved for :math:`C_m` by Newton's method. Second order in :math:`\Delta t` (the tests halve
    the step); :math:`O(n^2)` work for :math:`n = t_{\max}/\Delta t` steps and :math:`O(n)` memory, so long times
    are cheap: the critical decay at :math:`T_d` to :math:`t = 4000` takes :math:`4\times10^4` steps.

    Args:
        xi: an integer :math:`p \ge 2` or a :class:`~landscape.fields.Mixture`.
        temperature: :math:`T > 0`.
        t_max: the last time, :math:`> 0`.
        dt: the step, :math:`> 0`; :math:`\Delta t\,(T + \xi'(1)/T) \lesssim 1` resolves the initial decay.

    Raises:
        FloatingPointError: if the solution leaves :math:`[-1, 1]` or rises (a step too large: in equilibrium
            :math:`C(\tau) = \sum_k c_k^2 e^{-\lambda_k\tau}` is non-increasing, the generator being self-adjoint).
    """
    mix = fields._mixture("xi", xi)
    temperature = _validate.real("temperature", temperature, minimum=0.0, strict_minimum=True)
    t_max = _validate.real("t_max", t_max, minimum=0.0, strict_minimum=True)
    dt = _validate.real("dt", dt, minimum=0.0, strict_minimum=True)
    n = max(2, math.ceil(t_max / dt - 1e-9))
    if n > MAX_EQUILIBRIUM_STEPS:
        raise ValueError(f"t_max/dt = {t_max / dt:.6g} exceeds MAX_EQUILIBRIUM_STEPS = {MAX_EQUILIBRIUM_STEPS}; "
                         "raise dt or lower t_max")
    corr, forces = _equilibrium(jnp.asarray(mix.coefficients, dtype=jnp.float64), jnp.float64(temperature),
                                jnp.float64(dt), n, tuple(mix.degrees))
    corr, forces = np.asarray(corr), np.asarray(forces)
    if not (np.all(np.isfinite(corr)) and np.all(np.abs(corr) <= 1.0 + 1e-9)):
        raise FloatingPointError(f"the solution left [-1, 1] or became non-finite: decrease dt (now {dt:g})")
    if np.any(np.diff(corr) > 1e-12):  # reversible dynamics: C(tau) = sum_k c_k^2 exp(-lambda_k tau) never rises
        raise FloatingPointError(f"the solution oscillates (an equilibrium C(tau) is non-increasing): decrease dt "
                                 f"(now {dt:g})")
    return EquilibriumSolution(times=np.arange(n + 1) * dt, C=corr, R=-forces / temperature)


class MCTExponents(NamedTuple):
    r"""The critical exponents of the dynamical transition (:func:`mct_exponents`)."""

    temperature: float  #: T_d, book units
    plateau: float  #: q_d, the plateau of C at T_d
    exponent_parameter: float  #: lambda = xi^(3)(q_d) (1 - q_d)^3 / (2 T_d^2)
    a: float  #: ``C - q_d ~ tau^(-a)`` at T_d, where ``Gamma(1-a)^2/Gamma(1-2a) = lambda``
    b: float  #: von Schweidler, ``q_d - C ~ tau^b``, where ``Gamma(1+b)^2/Gamma(1+2b) = lambda``
    gamma: float  #: relaxation time ~ (T - T_d)^(-gamma), gamma = 1/(2a) + 1/(2b)


def mct_exponents(xi: fields.Mixture | int) -> MCTExponents:
    r"""Mode-coupling exponents at the dynamical transition of a spherical model with a discontinuous transition.

    :func:`equilibrium_dynamics` divided by :math:`T` is Götze's one-component schematic model
    :math:`T^{-1}\dot\phi + \phi + \int_0^\tau m(\tau - s)\dot\phi(s)\,ds = 0` with memory
    :math:`m = \mathcal F(\phi) = \xi'(\phi)/T^2`. Its plateau solves :math:`f/(1-f) = \mathcal F(f)`, i.e.
    :math:`T^2 q = \xi'(q)(1-q)`, which first has a root at :math:`(T_d, q_d)`
    (:func:`landscape.thermo.dynamical_temperature`). Near it (Götze 1985; Götze, *Complex Dynamics of
    Glass-Forming Liquids*, OUP 2009, ch. 4):

    .. math:: \lambda = \tfrac12\mathcal F''(f)(1-f)^3 = \frac{\xi'''(q_d)(1-q_d)^3}{2T_d^2}, \qquad
        \frac{\Gamma(1-a)^2}{\Gamma(1-2a)} = \lambda = \frac{\Gamma(1+b)^2}{\Gamma(1+2b)}, \qquad
        \gamma = \frac1{2a} + \frac1{2b},

    with :math:`C(\tau) - q_d \sim \tau^{-a}` at :math:`T_d` and :math:`\tau_\alpha \sim (T - T_d)^{-\gamma}` above.
    For the pure p-spin :math:`q_d = (p-2)/(p-1)` and :math:`\lambda = \tfrac12` for every :math:`p`, so
    :math:`b = 1`, :math:`a = 0.3953\ldots`, :math:`\gamma = 1.765\ldots`.

    Args:
        xi: an integer ``p >= 3`` or a :class:`~landscape.fields.Mixture` (degrees :math:`\ge 2`) with a
            discontinuous transition.
    """
    glassy = thermo._glassy(xi)
    t_d, q_d = thermo._dynamical(glassy)
    lam = glassy(q_d, 3) * (1.0 - q_d) ** 3 / (2.0 * t_d * t_d)
    if not 0.0 < lam < 1.0:  # pragma: no cover - lambda -> 1 only where the transition turns continuous
        raise ValueError(f"the exponent parameter lambda = {lam:.6g} is outside (0, 1)")
    a = brentq(lambda s: math.exp(2 * gammaln(1 - s) - gammaln(1 - 2 * s)) - lam, 1e-12, 0.5 - 1e-12, xtol=1e-15)
    b = brentq(lambda s: math.exp(2 * gammaln(1 + s) - gammaln(1 + 2 * s)) - lam, 1e-12, 20.0, xtol=1e-15)
    return MCTExponents(temperature=t_d, plateau=q_d, exponent_parameter=float(lam), a=float(a), b=float(b),
                        gamma=float(0.5 / a + 0.5 / b))
