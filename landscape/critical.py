r"""Finding and classifying critical points of a sampled field on :math:`S_N`.

* :func:`newton` — Riemannian Newton iteration in tangent coordinates, converging (quadratically) to the
  nearest non-degenerate critical point of *any* index; the step length is capped so it cannot leave the chart.
* :func:`census` — many starts, Newton, a gradient-norm certificate, deduplication, energy and index of each
  point: a list of the critical points of one sample, complete at small :math:`N` when the starts are many.
* :func:`gradient_descent` — Riemannian gradient descent with the metric-projection retraction; it ends near
  local minima, which :func:`newton` then polishes to machine precision.
* :func:`saddle_free_newton` — Newton's step with the Hessian's eigenvalues replaced by their absolute values
  (Dauphin et al. 2014): it keeps Newton's curvature rescaling but always descends, so saddles repel it.
* :func:`classify` — energy, Riemannian gradient norm, tangent Hessian spectrum and index at given points.

A point is *certified critical* when :math:`|\operatorname{grad} H(\sigma)| \le` ``tol``
(with :math:`|\cdot|` the Euclidean norm in :math:`\mathbb{R}^N`; :math:`H` is extensive, so a typical
non-critical point has :math:`|\operatorname{grad} H| \sim \sqrt{N}`). The index is the number of negative
eigenvalues of the :math:`(N-1)\times(N-1)` tangent Hessian.

Sources: Absil, Mahony & Sepulchre, *Optimization Algorithms on Matrix Manifolds* (2008), ch. 4 and 6
(retractions, Riemannian Newton); Milnor, *Morse Theory* (1963) for the index.

Argument checks (types, ranges, finiteness, shapes; sizes against :func:`landscape.max_bytes`) run on concrete
values. Under ``jax.jit``/``jax.vmap`` the arguments are tracers and only shapes are checked: call a function
once on concrete inputs before transforming it (the package docstring: errors and limits).
"""

from __future__ import annotations

import math
from functools import partial
from typing import NamedTuple

import jax
import jax.numpy as jnp
import numpy as np

from . import _validate, fields, sphere

Array = jax.Array
Field = fields.Field

__all__ = [
    "CriticalPoints",
    "newton",
    "saddle_free_newton",
    "classify",
    "census",
    "deduplicate",
    "gradient_descent",
    "morse_sum",
    "census_convergence",
    "saddle_search",
    "MAX_STEPS",
]

#: Most steps :func:`gradient_descent`, :func:`saddle_search`, :func:`newton` and :func:`saddle_free_newton` take in
#: one call (their cost is time, not memory: about 10 µs a step at small N, so ten million steps are minutes; the
#: book's chapters use a few thousand).
MAX_STEPS = 10**7


class CriticalPoints(NamedTuple):
    """Critical points of one sample with their certificates (NumPy arrays, one row per point)."""

    points: np.ndarray  #: shape (m, N), on S_N
    energies: np.ndarray  #: intensive energies u = H/N, shape (m,)
    indices: np.ndarray  #: number of negative tangent Hessian eigenvalues, shape (m,)
    grad_norms: np.ndarray  #: ``|grad H|`` at each point, shape (m,)
    hessian_eigenvalues: np.ndarray  #: tangent Hessian spectra, shape (m, N-1), ascending


@jax.jit
def _second_order_batch(field: fields.PreparedField, sigma: Array, n_iter: Array, max_step: float, tol: float,
                        damping: float, saddle_free: Array) -> tuple[Array, Array]:
    """Newton (``saddle_free`` false) or saddle-free Newton iterations from a batch of points: one kernel for both.

    Every argument but the field's and the points' shapes is traced, so one compilation per shape serves both
    methods, any ``n_iter`` and any tolerance; ``lax.cond`` runs only the chosen step (an unbatched predicate stays a
    branch under ``vmap``), so Newton keeps its LU solve. Each start stops at the first iterate with
    ``|grad| <= tol``; the loop ends when every start has stopped or after ``n_iter`` steps, and the second output
    counts each start's steps.
    """

    def newton_step(g_t, h_t):  # -H^{-1} g
        return -jnp.linalg.solve(h_t, g_t)

    def saddle_free_step(g_t, h_t):  # -V (|Lambda| + damping)^{-1} V^T g
        lam, vecs = jnp.linalg.eigh(h_t)
        return -vecs @ ((vecs.T @ g_t) / (jnp.abs(lam) + damping))

    def one(s):
        def go_on(carry):
            i, _, _, done = carry
            return (i < n_iter) & ~done

        def body(carry):
            i, s, steps, _ = carry
            _, g_t, h_t = fields.tangent_derivatives(field, s)
            done = jnp.linalg.norm(g_t) <= tol
            x = jax.lax.cond(saddle_free, saddle_free_step, newton_step, g_t, h_t)
            v = sphere.from_tangent(s, x)
            norm = jnp.linalg.norm(v)
            v = jnp.where(norm > max_step, v * max_step / norm, v)
            v = jnp.where(jnp.all(jnp.isfinite(v)), v, 0.0)
            return i + 1, jnp.where(done, s, sphere.retract(s, v)), steps + jnp.where(done, 0, 1), done

        _, s, steps, _ = jax.lax.while_loop(go_on, body, (jnp.int32(0), s, jnp.int32(0), jnp.bool_(False)))
        return s, steps

    return jax.vmap(one)(sigma)


def _second_order(field: Field, sigma: Array, name: str, n_iter: int, max_step: float, tol: float, damping: float,
                  saddle_free: bool, return_iterations: bool) -> Array | tuple[Array, np.ndarray]:
    """Shared driver of :func:`newton` and :func:`saddle_free_newton` (arguments already validated)."""
    if not isinstance(return_iterations, bool):
        raise TypeError(f"return_iterations must be True or False, got {return_iterations!r}")
    _check_starts(field, math.prod(jnp.shape(sigma)[:-1]), f"the batch size of {name}")
    sigma = jnp.asarray(sigma, dtype=jnp.float64)
    batch = sigma.reshape(-1, sigma.shape[-1])
    out, steps = _second_order_batch(fields.prepare(field), batch, jnp.int32(n_iter),
                                     max_step * np.sqrt(sigma.shape[-1]), tol, damping, jnp.asarray(saddle_free))
    out = out.reshape(sigma.shape)
    if return_iterations:
        return out, np.asarray(steps).reshape(sigma.shape[:-1])
    return out


def newton(field: Field, sigma: Array, n_iter: int = 30, max_step: float = 0.5, tol: float = 0.0,
           return_iterations: bool = False) -> Array | tuple[Array, np.ndarray]:
    r"""Riemannian Newton iterations from ``sigma`` (one point or a batch), returning the final points.

    Each step solves :math:`\operatorname{Hess}H(\sigma)\,v = -\operatorname{grad}H(\sigma)` on the tangent space,
    caps :math:`|v| \le` ``max_step`` :math:`\cdot\sqrt{N}`, and retracts. Newton is attracted by critical points
    of every index (Absil, Mahony & Sepulchre 2008, ch. 6), which is what a census needs. Check the result with
    :func:`classify`: a start far from any critical point may stall.

    Stopping: ``n_iter`` steps, except that a start stops moving at the first iterate where
    :math:`|\operatorname{grad}H| \le` ``tol`` (the default ``tol = 0`` never stops early). With
    ``return_iterations=True`` the function also returns, per start, the number of steps it took (``n_iter`` for a
    start that never reached ``tol``, or reached it only at the last step). :func:`saddle_free_newton` runs in the
    same kernel.
    """
    _check_field_and_points(field, sigma)
    n_iter = _validate.integer("n_iter", n_iter, minimum=1, maximum=MAX_STEPS)
    max_step = _validate.real("max_step", max_step, minimum=0.0, strict_minimum=True)
    tol = _validate.real("tol", tol, minimum=0.0)
    return _second_order(field, sigma, "sigma", n_iter, max_step, tol, 0.0, False, return_iterations)


def saddle_free_newton(field: Field, sigma0: Array, n_iter: int = 50, damping: float = 0.05, max_step: float = 0.5,
                       tol: float = 1e-10, return_iterations: bool = False) -> Array | tuple[Array, np.ndarray]:
    r"""Saddle-free Newton iterations on :math:`S_N` from ``sigma0`` (one point or a batch): descent that uses curvature.

    With :math:`h = V\Lambda V^\top` the tangent Riemannian Hessian and :math:`g` the tangent gradient
    (:func:`landscape.fields.tangent_derivatives`), each step is

    .. math::

        v = -V\,(|\Lambda| + \delta I)^{-1}\,V^\top g, \qquad \sigma \leftarrow R_\sigma(v),

    with :math:`\delta` = ``damping`` :math:`> 0`, the step capped at :math:`|v| \le` ``max_step``
    :math:`\cdot\sqrt N` and :math:`R` the retraction :func:`landscape.sphere.retract`. Newton's step
    :math:`-h^{-1}g` divides the gradient component along each eigenvector by :math:`\lambda_i`, so along a direction of
    negative curvature it points uphill and a saddle attracts it; dividing by :math:`|\lambda_i|` keeps Newton's
    rescaling but always goes downhill, so saddles repel. This is the saddle-free Newton method of Dauphin et al.,
    *Identifying and attacking the saddle point problem in high-dimensional non-convex optimization*, NeurIPS 2014
    (Advances in Neural Information Processing Systems 27, pp. 2933–2941; arXiv:1406.2572), where :math:`|A|` is
    the matrix :math:`A` with each eigenvalue replaced by its absolute value. They derive the step
    :math:`-|H|^{-1}\nabla f` as a generalised trust-region step: minimise the first-order model of :math:`f` within
    a region whose size is measured by the second-order term of the Taylor expansion, bounded through their
    Lemma 1, :math:`|x^\top A x| \le x^\top |A| x`, so that the region is :math:`\Delta\theta^\top|H|\Delta\theta \le
    \Delta`. Their Algorithm 1 ("approximate saddle-free Newton") does not form :math:`|H|` in full: at each outer
    iteration it computes :math:`k` Lanczos vectors of the Hessian, the rows of :math:`U` (their :math:`V`), takes
    the Hessian :math:`\hat H` of :math:`\hat f(\alpha) = f(\theta + \alpha U)` in that :math:`k`-dimensional Krylov
    subspace and its absolute value :math:`|\hat H|`, and then takes several steps
    :math:`\theta \leftarrow \theta + g\,(|\hat H| + \lambda I)^{-1} U` with :math:`g = -\partial\hat f/\partial\alpha`,
    the damping :math:`\lambda` chosen at each step as the value that minimises :math:`\hat f` after the step.
    (Algorithm 1 was read in a transcription of the paper, not in the paper itself; the damping values tried were not
    checked.) Here the tangent Hessian is diagonalised exactly (:math:`N-1 \le` a few hundred), there is no subspace,
    and the damping is the fixed additive :math:`\delta`, which bounds the step along nearly flat directions
    (:math:`|\lambda_i| \ll \delta`) by :math:`|g_i|/\delta`; the cap bounds it further. Near a minimum with smallest
    eigenvalue :math:`\lambda_1` the error contracts by about :math:`\delta/(\lambda_1 + \delta)` per step: linear,
    not quadratic, convergence.

    Stopping: at most ``n_iter`` steps; a start stops moving at the first iterate where
    :math:`|\operatorname{grad}H| \le` ``tol``. Returns the final points (shape of ``sigma0``) and, with
    ``return_iterations=True``, also the number of steps each start took (``n_iter`` where it never reached ``tol``
    before the last step). Certify end points with :func:`classify`. Same kernel as :func:`newton`.

    Parameters
    ----------
    field : jax.Array
        The couplings of a pure p-spin (or a mixed field), as for :func:`newton`.
    sigma0 : jax.Array
        Starting point(s) on :math:`S_N`, shape ``(N,)`` or ``(..., N)``.
    n_iter : int
        Most steps per start, ``>= 1``.
    damping : float
        The additive damping :math:`\delta > 0` of :math:`|\Lambda|`.
    max_step : float
        Cap on the step length in units of :math:`\sqrt N`, ``> 0``.
    tol : float
        Gradient norm :math:`|\operatorname{grad}H|` at which a start stops, ``>= 0``.
    return_iterations : bool
        Also return the steps taken per start.

    Returns
    -------
    jax.Array or tuple
        The end points, and with ``return_iterations`` a NumPy integer array of steps (shape ``sigma0.shape[:-1]``).
    """
    _check_field_and_points(field, sigma0, "sigma0")
    n_iter = _validate.integer("n_iter", n_iter, minimum=1, maximum=MAX_STEPS)
    damping = _validate.real("damping", damping, minimum=0.0, strict_minimum=True)
    max_step = _validate.real("max_step", max_step, minimum=0.0, strict_minimum=True)
    tol = _validate.real("tol", tol, minimum=0.0)
    return _second_order(field, sigma0, "sigma0", n_iter, max_step, tol, damping, True, return_iterations)


@jax.jit
def _classify_batch(field: fields.PreparedField, sigma: Array) -> tuple[Array, Array, Array]:
    def one(s):
        h, g_t, h_t = fields.tangent_derivatives(field, s)
        return h / s.shape[0], jnp.linalg.norm(g_t), jnp.linalg.eigvalsh(h_t)

    return jax.vmap(one)(sigma)


def classify(field: Field, sigma: Array) -> CriticalPoints:
    """Energy per spin, gradient norm, tangent Hessian spectrum and index at each of a batch of points."""
    _check_field_and_points(field, sigma)
    sigma = jnp.atleast_2d(jnp.asarray(sigma, dtype=jnp.float64))
    energies, grad_norms, eigs = (np.asarray(a) for a in _classify_batch(fields.prepare(field), sigma))
    return CriticalPoints(np.asarray(sigma), energies, np.sum(eigs < 0, axis=1), grad_norms, eigs)


def census(key: Array, field: Field, n_starts: int = 500, tol: float = 1e-9, n_iter: int = 40,
           antipodes: bool = False) -> CriticalPoints:
    r"""All critical points that Newton reaches from ``n_starts`` uniform random starts, deduplicated.

    Keeps the points with :math:`|\operatorname{grad}H| \le` ``tol`` and a non-singular tangent Hessian, merges
    points closer than :math:`10^{-6}\sqrt{N}`, and sorts by energy. At small :math:`N` and with many starts this
    finds every critical point; check completeness by letting ``n_starts`` grow and, on the sphere
    :math:`S^{N-1}`, by Morse's identity :math:`\sum_k(-1)^k n_k = 1 + (-1)^{N-1}`.

    With ``antipodes=True`` the antipode :math:`-\sigma` of every Newton end point is classified too. A field of
    definite parity (a pure :math:`p`-spin, or a mixture of only even or only odd degrees) satisfies
    :math:`H(-\sigma) = \pm H(\sigma)`, so the antipode of a critical point is critical: this doubles the yield of
    every Newton run at no extra cost. Antipodes are certified like every other point, so the option is safe
    (if useless) for a field without parity.
    """
    _validate.prng_key("key", key)
    n_starts = _validate.integer("n_starts", n_starts, minimum=1)
    tol = _validate.real("tol", tol, minimum=0.0, strict_minimum=True)
    if not isinstance(antipodes, bool):
        raise TypeError(f"antipodes must be True or False, got {antipodes!r}")
    _check_starts(field, n_starts, "n_starts", 2 if antipodes else 1)
    field = fields.prepare(field)  # validated and symmetrised once for Newton and the classification
    n = field.tensors[0].shape[0]
    ends = newton(field, sphere.random_points(key, n, n_starts), n_iter=n_iter)
    if antipodes:
        ends = jnp.concatenate([ends, -ends])
    found = classify(field, ends)
    return deduplicate(CriticalPoints(*(a[_certified(found, tol)] for a in found)))


def _check_starts(field: Field, n_starts: int, name: str, copies: int = 1) -> None:
    """Validate the field and refuse a number of starts whose Newton and classification work exceeds the memory limit.

    Per start, the batched kernels hold the contraction of each tensor but one slot (:math:`N^{p-1}` entries) and a
    few :math:`N\times N` matrices (Hessian, tangent Hessian, the solver's and eigensolver's copies): XLA's memory
    analysis of :func:`_second_order_batch` and :func:`_classify_batch` finds 2 to 3 such matrices per start, counted as 3
    here. ``copies`` = 2 when the antipodes are classified too.
    """
    couplings, _ = fields._check_field(field)
    n = couplings[0].shape[0]
    per_start = 8 * (sum(n ** (j.ndim - 1) for j in couplings) + 3 * n * n)
    _validate.allocation(f"{name} = {n_starts} Newton starts, N = {n}", copies * n_starts * per_start)


def _certified(found: CriticalPoints, tol: float) -> np.ndarray:
    """Mask of the points with :math:`|\\operatorname{grad}H| \\le` ``tol`` and a non-singular tangent Hessian."""
    return (found.grad_norms <= tol) & (np.min(np.abs(found.hessian_eigenvalues), axis=1) > 1e-8)


def deduplicate(points: CriticalPoints, atol: float = 1e-6) -> CriticalPoints:
    r"""Merge points closer than ``atol``:math:`\cdot\sqrt{N}` (keeping the smallest gradient norm); sort by energy.

    Points are visited in order of increasing gradient norm and kept when they are farther than
    :math:`r = ` ``atol``:math:`\cdot\sqrt N` from every point kept before. A grid of cell size :math:`r/\sqrt N` first
    keeps one representative per cell (two points in one cell are closer than :math:`r`), so the pairwise
    comparison runs only over the few distinct candidates: fast for thousands of Newton end points.
    """
    if not isinstance(points, CriticalPoints):
        raise TypeError(f"points must be a landscape.critical.CriticalPoints, got {type(points).__name__}")
    atol = _validate.real("atol", atol, minimum=0.0, strict_minimum=True)
    x = np.asarray(points.points)
    if not (np.issubdtype(x.dtype, np.floating) or np.issubdtype(x.dtype, np.integer)):
        raise TypeError(f"points.points must be a real numeric array, got dtype {x.dtype}")
    if x.ndim != 2:
        raise ValueError(f"points.points must have shape (m, N), got {x.shape}")
    m = x.shape[0]
    for name in ("energies", "grad_norms"):
        if np.shape(getattr(points, name)) != (m,):
            raise ValueError(f"points.{name} must have shape ({m},), one entry per point, got "
                             f"{np.shape(getattr(points, name))}")
    for name in ("points", "energies", "grad_norms"):
        _validate.finite_array(f"points.{name}", getattr(points, name))
    order = np.argsort(points.grad_norms, kind="stable")
    x = x[order]
    if len(x) == 0:
        return points
    n = x.shape[1]
    radius = atol * np.sqrt(n)
    _, first = np.unique(np.floor(x * (np.sqrt(n) / radius)), axis=0, return_index=True)
    candidates = np.sort(first)  # one per grid cell, still in gradient-norm order
    y = x[candidates]
    _validate.allocation(f"comparing {len(y)} distinct points pairwise, N = {n}", 8 * len(y) ** 2 * (n + 1))
    close = np.linalg.norm(y[:, None, :] - y[None, :, :], axis=-1) <= radius
    kept: list[int] = []
    for i in range(len(y)):
        if not close[i, kept].any():
            kept.append(i)
    idx = order[candidates[kept]]
    idx = idx[np.argsort(points.energies[idx], kind="stable")]
    return CriticalPoints(*(a[idx] for a in points))


@partial(jax.jit, static_argnames=("n_steps", "record_every"))
def _descent(field: fields.PreparedField, sigma: Array, step_size: float, n_steps: int,
             record_every: int) -> tuple[Array, Array]:
    n = sigma.shape[-1]

    def step(s, _):
        grad = sphere.project_gradient(s, fields.derivatives(field, s, 1)[1])  # one pass over the couplings
        return sphere.retract(s, -step_size * grad), None

    def block(s, _):
        s, _ = jax.lax.scan(step, s, None, length=record_every)
        return s, fields.energy(field, s) / n

    return jax.lax.scan(block, sigma, None, length=n_steps // record_every)


def gradient_descent(field: Field, sigma0: Array, step_size: float = 0.05, n_steps: int = 2000,
                     record_every: int = 10) -> tuple[Array, Array]:
    r"""Riemannian gradient descent :math:`\sigma_{t+1} = R_{\sigma_t}(-\eta\,\operatorname{grad}H(\sigma_t))`.

    ``sigma0`` is one point or a batch (leading axes) of :math:`S_N`. Returns the final points and the energy
    per spin :math:`u = H/N` every ``record_every`` steps, shape ``(n_steps // record_every, *batch)``.
    The Hessian of :math:`H` on :math:`S_N` has :math:`O(1)` eigenvalues, so a step :math:`\eta \lesssim 0.1`
    is stable for :math:`p\le 4`; this is the Euler discretisation of gradient flow with time step :math:`\eta`.
    """
    _check_field_and_points(field, sigma0, "sigma0")
    step_size = _validate.real("step_size", step_size, minimum=0.0, strict_minimum=True)
    n_steps = _validate.integer("n_steps", n_steps, minimum=1, maximum=MAX_STEPS)
    record_every = _validate.integer("record_every", record_every, minimum=1, maximum=n_steps)
    starts = math.prod(jnp.shape(sigma0)[:-1])
    _validate.allocation(f"n_steps // record_every = {n_steps // record_every} records of {starts} starts",
                         8.0 * (n_steps // record_every) * starts)
    final, energies = _descent(fields.prepare(field), jnp.asarray(sigma0, dtype=jnp.float64), step_size, n_steps,
                               record_every)
    return final, energies


def _check_field_and_points(field: Field, sigma: Array, name: str = "sigma") -> None:
    couplings, _ = fields._check_field(field)
    fields._check_sigma(sigma, couplings[0].shape[0], name)


def morse_sum(indices: np.ndarray) -> int:
    r"""The alternating count :math:`\sum_k (-1)^k n_k` of critical points with the given indices.

    For a Morse function on :math:`S^{N-1}` it equals :math:`\chi(S^{N-1}) = 1 + (-1)^{N-1}` (Milnor 1963):
    a census that violates it has missed critical points.
    """
    indices = np.asarray(indices)
    if indices.ndim != 1 or (indices.size and (not np.issubdtype(indices.dtype, np.integer) or indices.min() < 0)):
        raise ValueError("indices must be a one-dimensional array of non-negative integers")
    return int(np.sum((-1) ** indices))


def census_convergence(key: Array, field: Field, n_starts: tuple[int, ...] = (25, 50, 100, 200, 400),
                       tol: float = 1e-9, n_iter: int = 40) -> dict[int, int]:
    r"""Completeness diagnostic: the number of distinct critical points found by the first ``m`` starts.

    One Newton run from ``max(n_starts)`` uniform starts; for each ``m`` in ``n_starts`` the certified end points of
    the first ``m`` starts are deduplicated and counted. A census is complete when the count has stopped growing
    (and satisfies :func:`morse_sum`).
    """
    _validate.prng_key("key", key)
    if not isinstance(n_starts, (tuple, list)):
        raise TypeError(f"n_starts must be a non-empty tuple of positive integers, got {type(n_starts).__name__}")
    if not n_starts or any(_validate.integer("n_starts entry", m, minimum=1) < 1 for m in n_starts):
        raise ValueError("n_starts must be a non-empty tuple of positive integers")
    tol = _validate.real("tol", tol, minimum=0.0, strict_minimum=True)
    _check_starts(field, max(n_starts), "max(n_starts)")
    field = fields.prepare(field)
    n = field.tensors[0].shape[0]
    m_max = max(n_starts)
    found = classify(field, newton(field, sphere.random_points(key, n, m_max), n_iter=n_iter))
    ok = _certified(found, tol)
    counts = {}
    for m in sorted(n_starts):
        keep = ok & (np.arange(m_max) < m)
        counts[m] = len(deduplicate(CriticalPoints(*(a[keep] for a in found))).energies)
    return counts


@partial(jax.jit, static_argnames=("n_steps",))
def _saddle_flow(field: fields.PreparedField, sigma: Array, index: Array, step_size: float, n_steps: int) -> Array:
    # `index` is traced: one compilation serves every index
    def one(s):
        def body(_, s):
            _, g_t, h_t = fields.tangent_derivatives(field, s)
            _, vecs = jnp.linalg.eigh(h_t)
            low = jnp.arange(vecs.shape[1]) < index  # the `index` lowest Hessian directions, in tangent coordinates
            reflected = g_t - 2.0 * vecs @ jnp.where(low, vecs.T @ g_t, 0.0)
            return sphere.retract(s, -step_size * sphere.from_tangent(s, reflected))

        return jax.lax.fori_loop(0, n_steps, body, s)

    return jax.vmap(one)(sigma)


def saddle_search(field: Field, sigma0: Array, index: int, step_size: float = 0.05, n_steps: int = 2000,
                  polish: int = 10) -> CriticalPoints:
    r"""Critical points of a chosen index by eigenvector-following dynamics, polished by Newton and classified.

    The flow :math:`\dot\sigma = -(I - 2\sum_{i\le k} v_iv_i^\top)\operatorname{grad}H`, with :math:`v_i` the
    eigenvectors of the :math:`k` = ``index`` lowest Hessian eigenvalues, ascends along those directions and
    descends along the others, so index-:math:`k` saddles are its stable fixed points (the "gentlest ascent" idea
    of E & Zhou, *Nonlinearity* 24 (2011) 1831, with :math:`k` reflected directions). ``index = 0`` is gradient
    descent. Each end point is polished by :func:`newton` and returned with :func:`classify`; keep those whose
    gradient norm is tiny and whose index equals ``index``.
    """
    couplings, _ = fields._check_field(field)
    n = couplings[0].shape[0]
    index = _validate.integer("index", index, minimum=0, maximum=n - 2)
    step_size = _validate.real("step_size", step_size, minimum=0.0, strict_minimum=True)
    n_steps = _validate.integer("n_steps", n_steps, minimum=1, maximum=MAX_STEPS)
    polish = _validate.integer("polish", polish, minimum=1)
    fields._check_sigma(sigma0, n, "sigma0")
    sigma0 = jnp.atleast_2d(jnp.asarray(sigma0, dtype=jnp.float64))
    field = fields.prepare(field)
    end = _saddle_flow(field, sigma0, jnp.int32(index), step_size, n_steps)
    return classify(field, newton(field, end, n_iter=polish))
