r"""Geometry of the sphere :math:`S_N = \{\sigma \in \mathbb{R}^N : |\sigma|^2 = N\}`.

Uniform random points, the tangent projector, an orthonormal tangent basis, a retraction, and the Riemannian
gradient and Hessian of any JAX scalar function restricted to :math:`S_N`.

With :math:`P_\sigma = I - \sigma\sigma^\top/N` the projector onto the tangent space,

.. math::

    \operatorname{grad} f(\sigma) = P_\sigma \nabla f(\sigma), \qquad
    \operatorname{Hess} f(\sigma) = P_\sigma\Big[\nabla^2 f(\sigma) - \frac{\sigma\cdot\nabla f(\sigma)}{N}\, I\Big] P_\sigma .

The second term is the curvature of the sphere (the Lagrange multiplier of the constraint :math:`|\sigma|^2 = N`).
Sources: Absil, Mahony & Sepulchre, *Optimization Algorithms on Matrix Manifolds* (2008), §5.5 and §4.1
(retractions); Auffinger, Ben Arous & Černý, *Random matrices and complexity of spin glasses*, CPAM 66 (2013) 165.

Argument checks (types, ranges, finiteness, shapes; sizes against :func:`landscape.max_bytes`) run on concrete
values. Under ``jax.jit``/``jax.vmap`` the arguments are tracers and only shapes are checked: call a function
once on concrete inputs before transforming it (the package docstring: errors and limits).
"""

from __future__ import annotations

import math
from functools import partial
from typing import Callable

import jax
import jax.numpy as jnp
import numpy as np

from . import _validate

Array = jax.Array
ScalarFn = Callable[[Array], Array]

__all__ = [
    "ON_SPHERE_RTOL",
    "normalize",
    "random_points",
    "points_at_overlap",
    "overlap",
    "tangent_projector",
    "project_gradient",
    "project_hessian",
    "riemannian_gradient",
    "riemannian_hessian",
    "tangent_basis",
    "to_tangent",
    "from_tangent",
    "tangent_hessian",
    "retract",
]

#: Relative tolerance on :math:`|\sigma|^2/N - 1` accepted by functions that require a point on the sphere.
ON_SPHERE_RTOL = 1e-6


#: Bytes per entry of a batch of random points while drawing it: the float64 output (8) and the sampler's work
#: array (12, from XLA's memory analysis of ``jax.random.normal``).
_SAMPLE_BYTES_PER_ENTRY = 20


def _real_array(name: str, x: Array) -> Array:
    """Check that ``x`` is a real numeric array (``TypeError`` naming ``name`` otherwise) with finite entries
    (``ValueError``); return it as float64. Tracers are returned unchanged (their values cannot be checked)."""
    if _validate.is_traced(x):
        return x
    if isinstance(x, (jax.Array, np.ndarray)):
        dtype = x.dtype
    else:
        try:
            dtype = np.asarray(x).dtype
        except (TypeError, ValueError):
            dtype = np.dtype(object)
    if not (jnp.issubdtype(dtype, jnp.floating) or jnp.issubdtype(dtype, jnp.integer)):
        raise TypeError(f"{name} must be a real numeric array, got {type(x).__name__} of dtype {dtype}")
    x = jnp.asarray(x, dtype=jnp.float64)
    _validate.finite_array(name, x)
    return x


def _shaped(name: str, x: Array, shape: tuple[int, ...], what: str) -> Array:
    """A real finite array of exactly ``shape`` (``what`` says what it is, for the message)."""
    x = _real_array(name, x)
    if x.shape != shape:
        raise ValueError(f"{name} must have shape {shape} ({what}), got shape {x.shape}")
    return x


def _batched_like(name: str, x: Array, sigma: Array) -> Array:
    """A real finite array with last axis ``N`` and leading axes that broadcast with those of ``sigma``."""
    x = _real_array(name, x)
    n = sigma.shape[-1]
    if x.ndim == 0 or x.shape[-1] != n:
        raise ValueError(f"{name} must have a last axis of length N = {n} (that of sigma), got shape {x.shape}")
    _batches_broadcast(name, x, "sigma", sigma)
    return x


def _batches_broadcast(name_a: str, a: Array, name_b: str, b: Array) -> None:
    """Raise ``ValueError`` naming both arrays unless their leading (batch) axes broadcast together."""
    try:
        np.broadcast_shapes(a.shape[:-1], b.shape[:-1])
    except ValueError:
        raise ValueError(f"{name_a} of shape {a.shape} and {name_b} of shape {b.shape} must have leading (batch) "
                         f"axes that broadcast together") from None


def _point(name: str, sigma: Array, *, batched: bool = False) -> Array:
    """Validate a point (or a batch of points, last axis) on ``S_N``; return it as a float64 array."""
    sigma = _real_array(name, sigma)
    if sigma.ndim == 0 or (not batched and sigma.ndim != 1):
        raise ValueError(f"{name} must be a 1-d array of length N >= 2 (a point of S_N), got shape {sigma.shape}")
    if sigma.shape[-1] < 2:
        raise ValueError(f"{name} must have length N >= 2, got N = {sigma.shape[-1]}")
    if not _validate.is_traced(sigma):
        _validate.finite_array(name, sigma)
        n = sigma.shape[-1]
        radius2 = np.sum(np.asarray(sigma) ** 2, axis=-1) / n
        if np.any(np.abs(radius2 - 1.0) > ON_SPHERE_RTOL):
            raise ValueError(
                f"{name} must lie on the sphere |sigma|^2 = N = {n} (relative tolerance {ON_SPHERE_RTOL}); "
                f"got |sigma|^2/N = {float(np.max(np.abs(radius2))):.6g}. Use landscape.sphere.normalize first."
            )
    return sigma


def normalize(x: Array) -> Array:
    r"""Radial projection onto :math:`S_N`: :math:`x \mapsto \sqrt{N}\, x/|x|` along the last axis.

    Raises ``ValueError`` for a zero vector (which has no direction).
    """
    x = _real_array("x", x)
    if x.ndim == 0 or x.shape[-1] < 2:
        raise ValueError(f"x must have a last axis of length N >= 2, got shape {x.shape}")
    if not _validate.is_traced(x):
        if np.any(np.linalg.norm(np.asarray(x), axis=-1) == 0):
            raise ValueError("x must be non-zero (a zero vector has no direction to project onto S_N)")
    n = x.shape[-1]
    return jnp.sqrt(n) * x / jnp.linalg.norm(x, axis=-1, keepdims=True)


def random_points(key: Array, n: int, num: int | None = None) -> Array:
    r"""Uniform random points on :math:`S_N`, :math:`N = n`.

    A standard Gaussian vector :math:`g \in \mathbb{R}^N` is rotation invariant, so :math:`\sqrt{N}\, g/|g|` is
    uniform on :math:`S_N` (Muller, Comm. ACM 2 (1959) 19). Returns shape ``(n,)``, or ``(num, n)`` if ``num``.
    """
    _validate.prng_key("key", key)
    n = _validate.integer("n", n, minimum=2)
    shape = (n,) if num is None else (_validate.integer("num", num, minimum=1), n)
    _validate.allocation(f"n = {n}" if num is None else f"num = {shape[0]} points of S_N, n = {n}",
                         _SAMPLE_BYTES_PER_ENTRY * math.prod(shape))
    g = jax.random.normal(key, (math.prod(shape),), dtype=jnp.float64).reshape(shape)  # flat: compiles faster
    return jnp.sqrt(n) * g / jnp.linalg.norm(g, axis=-1, keepdims=True)


def points_at_overlap(key: Array, sigma: Array, q: Array) -> Array:
    r"""Random points :math:`\tau` of :math:`S_N` with overlap exactly :math:`\tau\cdot\sigma/N = q`.

    :math:`\tau = q\,\sigma + \sqrt{1-q^2}\,\sqrt N\,e` with :math:`e` a uniform unit vector orthogonal to
    :math:`\sigma`, so :math:`|\tau|^2 = N`. Vectorised over ``q`` (any shape, values in :math:`[-1, 1]`): the
    result has shape ``q.shape + (N,)``. Used to measure two-point functions such as
    :math:`\mathbb E[H(\sigma)H(\tau)] = N\xi(q)` at a prescribed overlap.
    """
    _validate.prng_key("key", key)
    sigma = _point("sigma", sigma)
    q = _real_array("q", q)
    if not _validate.is_traced(q) and np.any(np.abs(np.asarray(q)) > 1):
        raise ValueError(f"q must lie in [-1, 1], got values up to {float(np.max(np.abs(np.asarray(q))))}")
    n = sigma.shape[0]
    # XLA's memory analysis: the sampler's work and the result, as for random_points (the projection is fused)
    _validate.allocation(f"q of size {q.size} times N = {n}", _SAMPLE_BYTES_PER_ENTRY * q.size * n)
    g = jax.random.normal(key, (q.size * n,), dtype=jnp.float64).reshape(q.shape + (n,))
    g = g - (g @ sigma)[..., None] * sigma / n
    e = g / jnp.linalg.norm(g, axis=-1, keepdims=True)
    return q[..., None] * sigma + jnp.sqrt(1 - q**2)[..., None] * jnp.sqrt(n) * e


def overlap(sigma: Array, tau: Array) -> Array:
    r"""Overlap :math:`q(\sigma, \tau) = \sigma\cdot\tau/N \in [-1, 1]`, batched over leading axes."""
    sigma = _point("sigma", sigma, batched=True)
    tau = _point("tau", tau, batched=True)
    if sigma.shape[-1] != tau.shape[-1]:
        raise ValueError(f"sigma and tau must have the same N, got {sigma.shape[-1]} and {tau.shape[-1]}")
    _batches_broadcast("sigma", sigma, "tau", tau)
    return jnp.sum(sigma * tau, axis=-1) / sigma.shape[-1]


def tangent_projector(sigma: Array) -> Array:
    r"""The projector :math:`P_\sigma = I - \sigma\sigma^\top/N` onto the tangent space :math:`T_\sigma S_N`."""
    sigma = _point("sigma", sigma)
    n = sigma.shape[0]
    _validate.allocation(f"an N x N projector, N = {n}", 24 * n * n)
    return jnp.eye(n) - jnp.outer(sigma, sigma) / n


def project_gradient(sigma: Array, euclidean_gradient: Array) -> Array:
    r"""Riemannian gradient from the Euclidean one: :math:`P_\sigma \nabla f = \nabla f - (\sigma\cdot\nabla f/N)\sigma`.

    Batched over leading axes of both arguments.
    """
    sigma = _point("sigma", sigma, batched=True)
    euclidean_gradient = _batched_like("euclidean_gradient", euclidean_gradient, sigma)
    n = sigma.shape[-1]
    radial = jnp.sum(sigma * euclidean_gradient, axis=-1, keepdims=True) / n
    return euclidean_gradient - radial * sigma


def project_hessian(sigma: Array, euclidean_gradient: Array, euclidean_hessian: Array) -> Array:
    r"""Riemannian Hessian :math:`P_\sigma[\nabla^2 f - (\sigma\cdot\nabla f/N) I]P_\sigma` from Euclidean derivatives.

    An :math:`N\times N` symmetric matrix that annihilates :math:`\sigma`; its restriction to the tangent space
    (see :func:`tangent_basis`) carries the :math:`N-1` eigenvalues that define the index. The projection is
    applied as two rank-one corrections, :math:`PAP = A - \hat\sigma(\hat\sigma^\top A) - (A\hat\sigma)
    \hat\sigma^\top + (\hat\sigma^\top A\hat\sigma)\hat\sigma\hat\sigma^\top` with :math:`\hat\sigma =
    \sigma/\sqrt N`: :math:`O(N^2)` work instead of two matrix products.
    """
    sigma = _point("sigma", sigma)
    n = sigma.shape[0]
    euclidean_gradient = _shaped("euclidean_gradient", euclidean_gradient, (n,), "a vector of length N")
    euclidean_hessian = _shaped("euclidean_hessian", euclidean_hessian, (n, n), "an N x N matrix")
    shift = jnp.dot(sigma, euclidean_gradient) / n
    a = euclidean_hessian - shift * jnp.eye(n)
    unit = sigma / jnp.sqrt(n)
    left = unit @ a  # sigma^T A / sqrt(N)
    right = a @ unit
    return (a - jnp.outer(unit, left) - jnp.outer(right, unit)
            + jnp.dot(unit, right) * jnp.outer(unit, unit))


@partial(jax.jit, static_argnums=0)
def _riemannian_gradient(f: ScalarFn, sigma: Array) -> Array:
    return project_gradient(sigma, jax.grad(f)(sigma))


@partial(jax.jit, static_argnums=0)
def _riemannian_hessian(f: ScalarFn, sigma: Array) -> Array:
    return project_hessian(sigma, jax.grad(f)(sigma), jax.hessian(f)(sigma))


def riemannian_gradient(f: ScalarFn, sigma: Array) -> Array:
    r"""Riemannian gradient of a JAX scalar function ``f`` on :math:`S_N` at ``sigma``, by autodiff.

    :math:`\operatorname{grad} f(\sigma) = P_\sigma \nabla f(\sigma)`, with :math:`\nabla f` from ``jax.grad``
    (Absil, Mahony & Sepulchre 2008, ch. 3).
    """
    if not callable(f):
        raise TypeError(f"f must be a callable R^N -> R, got {type(f).__name__}")
    return _riemannian_gradient(f, _point("sigma", sigma))


def riemannian_hessian(f: ScalarFn, sigma: Array) -> Array:
    r"""Riemannian Hessian of a JAX scalar function ``f`` on :math:`S_N` at ``sigma``, by autodiff.

    .. math:: \operatorname{Hess} f(\sigma) = P_\sigma\Big[\nabla^2 f(\sigma) - \frac{\sigma\cdot\nabla f(\sigma)}{N} I\Big]P_\sigma

    (Absil, Mahony & Sepulchre 2008, §5.5: the Weingarten term of the sphere). Returned as an :math:`N\times N`
    matrix with :math:`\sigma` in its kernel.
    """
    if not callable(f):
        raise TypeError(f"f must be a callable R^N -> R, got {type(f).__name__}")
    sigma = _point("sigma", sigma)
    n = sigma.shape[0]
    _validate.allocation(f"an N x N Hessian, N = {n}", 48 * n * n)
    return _riemannian_hessian(f, sigma)


def _householder(sigma: Array) -> tuple[Array, Array]:
    """The vector :math:`w` and :math:`\beta = 2/|w|^2` of the reflection :math:`I - \beta ww^\top` of :func:`tangent_basis`."""
    s = sigma / jnp.linalg.norm(sigma)
    sign = jnp.where(s[0] >= 0, 1.0, -1.0)
    w = s.at[0].add(sign)  # w = s + sign(s_0) e_1, never small: |w|^2 >= 2
    return w, 2.0 / jnp.dot(w, w)


def tangent_basis(sigma: Array) -> Array:
    r"""An orthonormal basis of :math:`T_\sigma S_N` as the columns of an :math:`N\times(N-1)` matrix.

    Built from the Householder reflection :math:`R = I - 2ww^\top/|w|^2` that maps :math:`e_1` to
    :math:`\pm\sigma/|\sigma|`; the columns :math:`2,\dots,N` of :math:`R` span :math:`\sigma^\perp`
    (Golub & Van Loan, *Matrix Computations*, §5.1). Deterministic and differentiable away from a measure-zero set.
    :func:`to_tangent`, :func:`from_tangent` and :func:`tangent_hessian` apply this basis without forming it.
    """
    sigma = _point("sigma", sigma)
    n = sigma.shape[0]
    _validate.allocation(f"an N x (N-1) basis, N = {n}", 24 * n * n)
    w, beta = _householder(sigma)
    reflection = jnp.eye(sigma.shape[0]) - beta * jnp.outer(w, w)
    return reflection[:, 1:]


def to_tangent(sigma: Array, v: Array) -> Array:
    r"""Tangent coordinates :math:`E^\top v` of a vector ``v`` (shape ``(N,)``), ``E = tangent_basis(sigma)``.

    :math:`E^\top v` is :math:`Rv = v - \beta w(w\cdot v)` without its first entry: :math:`O(N)` work.
    """
    sigma = _point("sigma", sigma)
    v = _shaped("v", v, sigma.shape, "a vector of length N")
    w, beta = _householder(sigma)
    return (v - beta * jnp.dot(w, v) * w)[1:]


def from_tangent(sigma: Array, x: Array) -> Array:
    r"""The vector :math:`Ex \in T_\sigma S_N` with tangent coordinates ``x`` (shape ``(N-1,)``), in :math:`O(N)`."""
    sigma = _point("sigma", sigma)
    x = _shaped("x", x, (sigma.shape[0] - 1,), "tangent coordinates, length N-1")
    w, beta = _householder(sigma)
    full = jnp.concatenate([jnp.zeros((1,), dtype=x.dtype), x])
    return full - beta * jnp.dot(w, full) * w


def tangent_hessian(sigma: Array, riemannian_hessian_matrix: Array) -> Array:
    r"""The :math:`(N-1)\times(N-1)` matrix :math:`E^\top A E` in the basis ``E = tangent_basis(sigma)``.

    Its eigenvalues are the :math:`N-1` tangent eigenvalues; their negative count is the index. Computed as
    :math:`RAR` without its first row and column, with two rank-one corrections (:math:`O(N^2)`):
    :math:`RAR = A - \beta w (w^\top A) - \beta (Aw) w^\top + \beta^2(w^\top Aw)ww^\top`. For
    :math:`A = \nabla^2 f - (\sigma\cdot\nabla f/N)I` the result equals that of the projected Riemannian Hessian
    (the projector acts as the identity on tangent vectors).
    """
    sigma = _point("sigma", sigma)
    n = sigma.shape[0]
    a = _shaped("riemannian_hessian_matrix", riemannian_hessian_matrix, (n, n), "an N x N matrix")
    w, beta = _householder(sigma)
    u, v = a @ w, w @ a
    reflected = (a - beta * jnp.outer(w, v) - beta * jnp.outer(u, w)
                 + beta * beta * jnp.dot(w, u) * jnp.outer(w, w))
    return reflected[1:, 1:]


def retract(sigma: Array, v: Array) -> Array:
    r"""Metric-projection retraction :math:`R_\sigma(v) = \sqrt{N}\,(\sigma+v)/|\sigma+v|`, batched over leading axes.

    First-order agreement with the exponential map (Absil, Mahony & Sepulchre 2008, §4.1); ``v`` is
    expected to be tangent but any vector with :math:`\sigma+v\neq 0` gives a point on :math:`S_N`.
    """
    sigma = _point("sigma", sigma, batched=True)
    v = _batched_like("v", v, sigma)
    x = sigma + v
    return jnp.sqrt(sigma.shape[-1]) * x / jnp.linalg.norm(x, axis=-1, keepdims=True)
