r"""Gaussian single-index models and phase retrieval (chapter 10): data, losses, empirical risk and its derivatives.

**Data.** :math:`n` Gaussian inputs :math:`x_i \sim \mathcal N(0, I_d)`, sample ratio :math:`\alpha = n/d`, and a
teacher :math:`\theta^*` uniform on :math:`S_d = \{|\theta|^2 = d\}`. A student :math:`\theta \in S_d` has
pre-activations and the teacher labels

.. math:: z_i = \frac{x_i\cdot\theta}{\sqrt d}, \qquad y_i = \frac{x_i\cdot\theta^*}{\sqrt d}, \qquad
    m = \frac{\theta\cdot\theta^*}{d},

so that :math:`(z_i, y_i)` are standard Gaussians with correlation :math:`m` for :math:`\theta` independent of the
inputs. Phase retrieval observes only :math:`y_i^2`: :func:`sample` stores :math:`y_i` itself, and a loss used for
phase retrieval must depend on it through :math:`y_i^2` only (the package cannot check this for you).
Maillard, Bonnaire & Biroli write :math:`q` for the overlap :math:`m`.

**Risk.** :math:`R(\theta) = \frac1n\sum_i \ell(z_i, y_i)` for a :class:`Loss` :math:`\ell(z, y)`; the book's main
loss is :math:`\ell_a(z, y) = (z^2 - y^2)^2/(a + y^2)`, :math:`a > 0` (:func:`phase_retrieval_loss`). With
:math:`\ell' = \partial_z\ell`, :math:`\ell'' = \partial_z^2\ell` (by ``jax.grad`` of the scalar loss, never by hand),

.. math::

    \nabla R = \frac1n\sum_i \ell'(z_i, y_i)\,\frac{x_i}{\sqrt d}, \qquad
    \nabla^2 R = \frac1n\sum_i \ell''(z_i, y_i)\,\frac{x_ix_i^\top}{d}, \qquad
    \operatorname{Hess} R = P\nabla^2RP - \frac{\theta\cdot\nabla R}{d}P, \qquad P = I - \frac{\theta\theta^\top}{d}.

The Riemannian Hessian has :math:`O(1/d)` eigenvalues; :func:`scaled_hessian` returns :math:`d` times it,

.. math:: d\operatorname{Hess}R = \frac1n\sum_i \ell''(z_i, y_i)\,Px_ix_i^\top P - \mu P, \qquad
    \mu = \frac1n\sum_i \ell'(z_i, y_i)\,z_i = \theta\cdot\nabla R,

a sample covariance with data-dependent weights minus the Lagrange multiplier :math:`\mu` (:func:`multiplier`): the
matrix whose spectrum chapter 10 compares with a Marchenko–Pastur-type law, with the teacher direction as a
possible BBP outlier.

Sources: A. Maillard, T. Bonnaire and G. Biroli, *Topological exploration of high-dimensional empirical risk
landscapes: general approach, and applications to phase retrieval*, arXiv:2602.17779 (2026) (the landscape of phase
retrieval; the overlap written :math:`q` there); Annesi, Bocchi & Cammarota, arXiv:2510.18435 (the loss :math:`\ell_a`
and gradient descent on it); S. Sarao Mannelli, G. Biroli, C. Cammarota, F. Krzakala, P. Urbani and
L. Zdeborová, *Complex dynamics in simple neural networks: understanding gradient flow in phase retrieval*,
NeurIPS 2020, arXiv:2006.06997 (the square-intensity loss, the spectrum of the Hessian as a weighted sample
covariance); Absil, Mahony & Sepulchre, *Optimization Algorithms on Matrix Manifolds* (2008), §5.5 (the Riemannian
Hessian on the sphere).
"""

from __future__ import annotations

import dataclasses
import math
from functools import partial
from typing import Any, Callable, NamedTuple

import jax
import jax.numpy as jnp
import numpy as np

from . import _validate, dynamics, sphere

Array = jax.Array

__all__ = [
    "MAX_DATA_ENTRIES",
    "MAX_HESSIAN_DIMENSION",
    "Loss",
    "phase_retrieval_loss",
    "correlation_loss",
    "square_intensity_loss",
    "derivatives",
    "GLMData",
    "sample",
    "empirical_risk",
    "euclidean_gradient",
    "euclidean_hessian",
    "riemannian_gradient",
    "riemannian_hessian",
    "multiplier",
    "scaled_hessian",
    "overlap",
    "gradient_flow",
]

#: Largest ``n * d`` that :func:`sample` accepts: the inputs take ``8 * n * d`` bytes (128 MiB at the limit), and a
#: batch of students evaluates an ``(batch, n)`` array of pre-activations on top.
MAX_DATA_ENTRIES = 2**24

#: Largest ``d`` for which the Hessians (``d x d`` float64 matrices, per student) are formed.
MAX_HESSIAN_DIMENSION = 4096

#: Points ``(z, y)`` at which :class:`Loss` checks that the loss and its first two z-derivatives are finite scalars.
_TEST_POINTS = ((0.3, -0.7), (1.2, 0.5), (-2.0, 1.5))


# ------------------------------------------------------------------------------------------------- losses


@dataclasses.dataclass(frozen=True)
class Loss:
    r"""A validated loss :math:`\ell(z, y)` of a pre-activation :math:`z` and a teacher label :math:`y`.

    Build it directly: ``Loss(f, name="my loss")`` with ``f(z, y)`` a JAX function of two scalars returning a scalar,
    or ``Loss(f, name, params)`` with ``f(z, y, *params)`` (``params`` a tuple of floats: the package's own losses
    use a module-level ``f`` and their parameters here, so two equal losses compare and hash equal and ``jax.jit``
    compiles once for them). Immutable and hashable (a static argument under ``jax.jit``; a pytree with no leaves).

    The constructor checks that ``f`` is callable and that :math:`\ell`, :math:`\partial_z\ell` and
    :math:`\partial_z^2\ell` (``jax.grad`` twice) are finite real scalars at a few points; otherwise it raises a
    ``TypeError`` (not callable, wrong number of arguments, non-scalar output, not differentiable) or a
    ``ValueError`` (non-finite values) naming ``loss``. For phase retrieval the loss must depend on :math:`y` only
    through :math:`y^2`; that is your responsibility (:func:`correlation_loss` does not, it is meant for a linear
    teacher).
    """

    f: Callable[..., Array]
    name: str = "custom loss"
    params: tuple = ()

    def __post_init__(self) -> None:
        if not callable(self.f):
            raise TypeError(f"loss must be built from a callable f(z, y) -> scalar, got {type(self.f).__name__}")
        if not isinstance(self.name, str):
            raise TypeError(f"loss name must be a string, got {type(self.name).__name__}")
        if not isinstance(self.params, tuple):
            raise TypeError(f"loss params must be a tuple of reals, got {type(self.params).__name__}")
        object.__setattr__(self, "params", tuple(_validate.real(f"loss params[{k}]", p)
                                                 for k, p in enumerate(self.params)))
        first = jax.grad(self._call, argnums=0)
        second = jax.grad(first, argnums=0)
        for z0, y0 in _TEST_POINTS:
            z, y = jnp.float64(z0), jnp.float64(y0)
            try:
                value = jnp.asarray(self._call(z, y))
            except Exception as err:  # noqa: BLE001 - any failure means f is not a loss of (z, y)
                raise TypeError(f"loss f must accept two scalars (z, y) and return a scalar; calling it at "
                                f"(z, y) = ({z0}, {y0}) raised {type(err).__name__}: {err}") from err
            if value.shape != ():
                raise TypeError(f"loss f(z, y) must return a scalar, got shape {value.shape} at (z, y) = ({z0}, {y0})")
            if not jnp.issubdtype(value.dtype, jnp.floating):
                raise TypeError(f"loss f(z, y) must return a real floating-point scalar, got dtype {value.dtype}")
            try:
                d1, d2 = first(z, y), second(z, y)
            except Exception as err:  # noqa: BLE001
                raise TypeError(f"loss f must be twice differentiable in z with jax.grad; at (z, y) = ({z0}, {y0}) "
                                f"it raised {type(err).__name__}: {err}") from err
            values = np.array([float(value), float(d1), float(d2)])
            if not np.all(np.isfinite(values)):
                raise ValueError(f"loss f and its first two z-derivatives must be finite; at (z, y) = ({z0}, {y0}) "
                                 f"got (l, l', l'') = {tuple(values)}")

    def _call(self, z: Array, y: Array) -> Array:
        return self.f(z, y, *self.params)

    def __call__(self, z: Array, y: Array) -> Array:
        """:math:`\\ell(z, y)` for scalar ``z``, ``y`` (use :func:`derivatives` for arrays)."""
        return self._call(z, y)

    def _jet(self, data: GLMData, theta: Array, order: int) -> tuple[Array, ...]:
        """The jet of :math:`dR` for :class:`landscape.dynamics.Landscape`: value, gradient and (``order = 2``)
        Hessian of :math:`d\\,R(\\theta)`, batched; a bound method of a hashable loss, so it compiles once."""
        d = data.x.shape[1]
        out = _risk_derivatives(self, data, theta, order)
        jet = (d * out[0], d * out[1])
        return jet + (d * out[3],) if order == 2 else jet


jax.tree_util.register_pytree_node(Loss, lambda loss: ((), loss), lambda loss, _: loss)


def _phase_retrieval(z: Array, y: Array, a: float) -> Array:
    return (z**2 - y**2) ** 2 / (a + y**2)


def _correlation(z: Array, y: Array) -> Array:
    return -y * z


def _square_intensity(z: Array, y: Array) -> Array:
    return (z**2 - y**2) ** 2


def phase_retrieval_loss(a: float) -> Loss:
    r"""The book's phase-retrieval loss :math:`\ell_a(z, y) = \dfrac{(z^2 - y^2)^2}{a + y^2}`, :math:`a > 0`.

    Depends on :math:`y` through :math:`y^2` only. :math:`a\,\ell_a \to (z^2-y^2)^2` as :math:`a\to\infty`
    (:func:`square_intensity_loss`); small :math:`a` weights the samples with small :math:`|y|` more (Maillard,
    Bonnaire & Biroli, arXiv:2602.17779; Annesi, Bocchi & Cammarota, arXiv:2510.18435).
    """
    a = _validate.real("a", a, minimum=0.0, strict_minimum=True)
    return Loss(_phase_retrieval, f"phase retrieval (a = {a:g})", (a,))


def correlation_loss() -> Loss:
    r"""The correlation loss :math:`\ell(z, y) = -yz`, for a *linear* teacher (it uses the sign of :math:`y`).

    Its risk :math:`R(\theta) = -\theta\cdot X^\top X\theta^*/(nd)` is linear in :math:`\theta`, so on :math:`S_d` it
    has exactly two critical points, :math:`\theta = \pm\sqrt d\, v/|v|` with :math:`v = X^\top X\theta^*`: a check
    of the Riemannian machinery with a known answer.
    """
    return Loss(_correlation, "correlation")


def square_intensity_loss() -> Loss:
    r"""The square intensity loss :math:`\ell(z, y) = (z^2 - y^2)^2`, the :math:`a\to\infty` limit of
    :math:`a\,\ell_a` (Sarao Mannelli et al., NeurIPS 2020, arXiv:2006.06997)."""
    return Loss(_square_intensity, "square intensity")


def _loss(loss: Any) -> Loss:
    if not isinstance(loss, Loss):
        raise TypeError(f"loss must be a landscape.glm.Loss (e.g. phase_retrieval_loss(a)), got {type(loss).__name__}")
    return loss


@partial(jax.jit, static_argnums=0)
def _derivatives(loss: Loss, z: Array, y: Array) -> tuple[Array, Array, Array]:
    """:math:`\\ell, \\ell', \\ell''` elementwise for arrays ``z``, ``y`` of one shape (vmap of jax.grad)."""
    first = jax.grad(loss._call, argnums=0)
    second = jax.grad(first, argnums=0)
    shape = z.shape
    zf, yf = z.reshape(-1), y.reshape(-1)
    out = [jax.vmap(g)(zf, yf).reshape(shape) for g in (loss._call, first, second)]
    return out[0], out[1], out[2]


def derivatives(loss: Loss, z: Array, y: Array) -> tuple[Array, Array, Array]:
    r"""The loss and its first two derivatives in :math:`z`: :math:`(\ell, \partial_z\ell, \partial_z^2\ell)`.

    ``z`` and ``y`` are broadcast against each other; each output has the broadcast shape. Computed with
    ``jax.vmap`` of ``jax.grad`` of the scalar loss (exact, no hand-written derivatives).
    """
    loss = _loss(loss)
    for name, v in (("z", z), ("y", y)):
        if not _validate.is_traced(v):
            _validate.finite_array(name, v)
    z, y = jnp.broadcast_arrays(jnp.asarray(z, dtype=jnp.float64), jnp.asarray(y, dtype=jnp.float64))
    return _derivatives(loss, z, y)


# ------------------------------------------------------------------------------------------------- data


class GLMData(NamedTuple):
    r"""A sample of a Gaussian single-index model: inputs, teacher labels and the teacher itself.

    A pytree of three arrays (use it with ``jax.jit``/``jax.vmap``). For phase retrieval only ``y**2`` is observed:
    ``y`` is stored with its sign, and the loss must not use it.
    """

    x: Array  #: inputs x_i ~ N(0, I_d), shape (n, d)
    y: Array  #: labels y_i = x_i . theta* / sqrt(d), shape (n,)
    teacher: Array  #: theta*, uniform on S_d, shape (d,)


_TEACHERS = ("phase", "linear")


@partial(jax.jit, static_argnums=(1, 2))
def _sample(key: Array, n: int, d: int) -> GLMData:
    k_teacher, k_x = jax.random.split(key)
    teacher = sphere.random_points(k_teacher, d)
    x = jax.random.normal(k_x, (n * d,), dtype=jnp.float64).reshape(n, d)
    return GLMData(x, x @ teacher / math.sqrt(d), teacher)


def sample(key: Array, n: int, d: int, teacher: str = "phase") -> GLMData:
    r"""Sample :math:`x_i \sim \mathcal N(0, I_d)` (:math:`i = 1..n`), :math:`\theta^*` uniform on :math:`S_d` and
    :math:`y_i = x_i\cdot\theta^*/\sqrt d`.

    ``teacher`` names the observation model and does not change the arrays: ``"phase"`` (phase retrieval: only
    :math:`y_i^2` is observed, so the loss must depend on :math:`y` through :math:`y^2`, as
    :func:`phase_retrieval_loss` and :func:`square_intensity_loss` do) or ``"linear"`` (the labels with their sign,
    which losses such as :func:`correlation_loss` may use). Requires ``n >= 1``, ``d >= 2`` and refuses
    ``n * d > MAX_DATA_ENTRIES`` (:data:`MAX_DATA_ENTRIES`, 128 MiB of inputs) before allocating.
    """
    _validate.prng_key("key", key)
    n = _validate.integer("n", n, minimum=1)
    d = _validate.integer("d", d, minimum=2)
    if not isinstance(teacher, str) or teacher not in _TEACHERS:
        raise ValueError(f"teacher must be one of {_TEACHERS}, got {teacher!r}")
    if n * d > MAX_DATA_ENTRIES:
        raise ValueError(f"n * d = {n} * {d} = {n * d} exceeds MAX_DATA_ENTRIES = {MAX_DATA_ENTRIES} "
                         f"({8 * MAX_DATA_ENTRIES // 2**20} MiB of float64 inputs); lower n or d")
    return _sample(key, n, d)


def _check_data(data: Any) -> GLMData:
    if not isinstance(data, GLMData):
        raise TypeError(f"data must be a landscape.glm.GLMData (from sample), got {type(data).__name__}")
    x, y, teacher = data
    if getattr(x, "ndim", None) != 2 or x.shape[0] < 1 or x.shape[1] < 2:
        raise ValueError(f"data.x must have shape (n, d) with n >= 1, d >= 2, got {getattr(x, 'shape', x)}")
    n, d = x.shape
    if getattr(y, "shape", None) != (n,):
        raise ValueError(f"data.y must have shape (n,) = ({n},), got {getattr(y, 'shape', y)}")
    if getattr(teacher, "shape", None) != (d,):
        raise ValueError(f"data.teacher must have shape (d,) = ({d},), got {getattr(teacher, 'shape', teacher)}")
    for name, a in (("data.x", x), ("data.y", y), ("data.teacher", teacher)):
        if not _validate.is_traced(a):
            _validate.finite_array(name, a)
    return data


def _check_theta(theta: Any, d: int, *, on_sphere: bool, hessian: bool = False) -> Array:
    """A student or a batch of students (last axis of length ``d``), finite, optionally on :math:`S_d`."""
    traced = _validate.is_traced(theta)
    if not traced:
        _validate.finite_array("theta", theta)
        theta = jnp.asarray(theta, dtype=jnp.float64)
    if theta.ndim == 0 or theta.shape[-1] != d:
        raise ValueError(f"theta must have a last axis of length d = {d} (the data's dimension), "
                         f"got shape {theta.shape}")
    if on_sphere and not traced:
        radius2 = np.sum(np.asarray(theta) ** 2, axis=-1) / d
        if np.any(np.abs(radius2 - 1.0) > sphere.ON_SPHERE_RTOL):
            raise ValueError(f"theta must lie on the sphere |theta|^2 = d = {d} (relative tolerance "
                             f"{sphere.ON_SPHERE_RTOL}); use landscape.sphere.normalize first")
    if hessian and d > MAX_HESSIAN_DIMENSION:
        raise ValueError(f"d = {d} exceeds MAX_HESSIAN_DIMENSION = {MAX_HESSIAN_DIMENSION} for a d x d Hessian")
    return theta


# ------------------------------------------------------------------------------------------ risk and derivatives


def _preactivations(data: GLMData, theta: Array) -> tuple[Array, Array]:
    """:math:`z = \\theta X^\\top/\\sqrt d` (shape ``batch + (n,)``) and ``y`` broadcast to it."""
    d = data.x.shape[1]
    z = theta @ data.x.T / math.sqrt(d)
    return z, jnp.broadcast_to(data.y, z.shape)


@partial(jax.jit, static_argnums=(0, 3))
def _risk_derivatives(loss: Loss, data: GLMData, theta: Array, order: int) -> tuple[Array, ...]:
    """Risk, Euclidean gradient and Hessian up to ``order`` (0, 1, 2), batched over leading axes of theta."""
    n, d = data.x.shape
    z, y = _preactivations(data, theta)
    value, d1, d2 = _derivatives(loss, z, y)
    out: tuple[Array, ...] = (jnp.mean(value, axis=-1),)
    if order >= 1:
        out += (d1 @ data.x / (n * math.sqrt(d)), jnp.mean(d1 * z, axis=-1))
    if order >= 2:
        out += (jnp.einsum("...i,ij,ik->...jk", d2, data.x, data.x) / (n * d),)
    return out


def empirical_risk(loss: Loss, data: GLMData, theta: Array) -> Array:
    r"""The empirical risk :math:`R(\theta) = \frac1n\sum_i \ell(z_i, y_i)`, :math:`z_i = x_i\cdot\theta/\sqrt d`,
    batched over the leading axes of ``theta`` (shape ``batch + (d,)``, result ``batch``).

    Defined for any finite :math:`\theta \in \mathbb R^d` (so that ``jax.grad`` of it is the Euclidean gradient);
    the book evaluates it on :math:`S_d`.
    """
    loss, data = _loss(loss), _check_data(data)
    theta = _check_theta(theta, data.x.shape[1], on_sphere=False)
    return _risk_derivatives(loss, data, theta, 0)[0]


def euclidean_gradient(loss: Loss, data: GLMData, theta: Array) -> Array:
    r"""The Euclidean gradient :math:`\nabla R = \frac1n\sum_i \ell'(z_i, y_i)\,x_i/\sqrt d`, any finite
    :math:`\theta`, batched over leading axes (:math:`\ell' = \partial_z\ell` by ``jax.grad``)."""
    loss, data = _loss(loss), _check_data(data)
    theta = _check_theta(theta, data.x.shape[1], on_sphere=False)
    return _risk_derivatives(loss, data, theta, 1)[1]


def euclidean_hessian(loss: Loss, data: GLMData, theta: Array) -> Array:
    r"""The Euclidean Hessian :math:`\nabla^2 R = \frac1n\sum_i \ell''(z_i, y_i)\,x_ix_i^\top/d`, any finite
    :math:`\theta`, batched over leading axes (shape ``batch + (d, d)``)."""
    loss, data = _loss(loss), _check_data(data)
    theta = _check_theta(theta, data.x.shape[1], on_sphere=False, hessian=True)
    return _risk_derivatives(loss, data, theta, 2)[3]


def multiplier(loss: Loss, data: GLMData, theta: Array) -> Array:
    r"""The Lagrange multiplier :math:`\mu = \frac1n\sum_i\ell'(z_i, y_i)\,z_i = \theta\cdot\nabla R` at
    :math:`\theta \in S_d`, batched over leading axes; :math:`-\mu P` is the curvature term of
    :func:`scaled_hessian`. At a critical point :math:`\nabla R = \mu\theta/d`."""
    loss, data = _loss(loss), _check_data(data)
    theta = _check_theta(theta, data.x.shape[1], on_sphere=True)
    return _risk_derivatives(loss, data, theta, 1)[2]


def riemannian_gradient(loss: Loss, data: GLMData, theta: Array) -> Array:
    r"""Riemannian gradient :math:`P\nabla R = \nabla R - (\theta\cdot\nabla R/d)\,\theta` on :math:`S_d`, with
    :math:`\nabla R = \frac1n\sum_i \ell'(z_i, y_i)\,x_i/\sqrt d`; batched over leading axes of ``theta``.

    Projected with :func:`landscape.sphere.project_gradient` (Absil, Mahony & Sepulchre 2008, ch. 3).
    """
    loss, data = _loss(loss), _check_data(data)
    theta = _check_theta(theta, data.x.shape[1], on_sphere=True)
    return sphere.project_gradient(theta, _risk_derivatives(loss, data, theta, 1)[1])


@partial(jax.jit, static_argnums=0)
def _riemannian_hessian(loss: Loss, data: GLMData, theta: Array) -> Array:
    d = data.x.shape[1]
    _, grad, _, hess = _risk_derivatives(loss, data, theta, 2)
    batch = theta.shape[:-1]
    flat = jax.vmap(sphere.project_hessian)(theta.reshape(-1, d), grad.reshape(-1, d), hess.reshape(-1, d, d))
    return flat.reshape(batch + (d, d))


def riemannian_hessian(loss: Loss, data: GLMData, theta: Array) -> Array:
    r"""Riemannian Hessian on :math:`S_d` (radius :math:`\sqrt d`) as a :math:`d\times d` matrix with :math:`\theta`
    in its kernel, batched over leading axes of ``theta`` (shape ``batch + (d, d)``):

    .. math:: \operatorname{Hess}R = P\nabla^2RP - \frac{\theta\cdot\nabla R}{d}P, \qquad
        \nabla^2 R = \frac1n\sum_i\ell''(z_i, y_i)\frac{x_ix_i^\top}{d}, \qquad P = I - \frac{\theta\theta^\top}{d}.

    Projected with :func:`landscape.sphere.project_hessian` (Absil, Mahony & Sepulchre 2008, §5.5). Its
    eigenvalues are :math:`O(1/d)`; :func:`scaled_hessian` is the :math:`O(1)` version.
    """
    loss, data = _loss(loss), _check_data(data)
    theta = _check_theta(theta, data.x.shape[1], on_sphere=True, hessian=True)
    return _riemannian_hessian(loss, data, theta)


def scaled_hessian(loss: Loss, data: GLMData, theta: Array) -> Array:
    r""":math:`d` times the Riemannian Hessian, the matrix with an :math:`O(1)` spectrum:

    .. math:: d\operatorname{Hess}R(\theta) = \frac1n\sum_i \ell''(z_i, y_i)\,Px_ix_i^\top P - \mu P, \qquad
        \mu = \frac1n\sum_i \ell'(z_i, y_i)\,z_i,

    a sample covariance of the projected inputs with weights :math:`\ell''` minus the multiplier :math:`\mu`
    (:func:`multiplier`). Chapter 10 compares its spectrum with a Marchenko–Pastur-type law (Sarao Mannelli et al.,
    NeurIPS 2020, arXiv:2006.06997). Shape ``batch + (d, d)``, :math:`\theta` in the kernel; for the
    :math:`d-1` tangent eigenvalues alone use ``landscape.sphere.tangent_hessian(theta, scaled_hessian(...))``.
    """
    loss, data = _loss(loss), _check_data(data)
    theta = _check_theta(theta, data.x.shape[1], on_sphere=True, hessian=True)
    return data.x.shape[1] * _riemannian_hessian(loss, data, theta)


def overlap(data: GLMData, theta: Array) -> Array:
    r"""The overlap with the teacher :math:`m = \theta\cdot\theta^*/d \in [-1, 1]` (Maillard, Bonnaire & Biroli's
    :math:`q`), for :math:`\theta` on :math:`S_d`, batched over leading axes of ``theta``."""
    data = _check_data(data)
    d = data.x.shape[1]
    theta = _check_theta(theta, d, on_sphere=True)
    return theta @ data.teacher / d


# ------------------------------------------------------------------------------------------- gradient flow


def gradient_flow(loss: Loss, data: GLMData, theta0: Array, dt: float = 0.05, n_steps: int = 2000,
                  record_every: int = 10, hessian: bool = False, method: str = "euler") -> dynamics.Trajectory:
    r"""Gradient flow :math:`\dot\theta = -d\,\operatorname{grad}R(\theta)` on :math:`S_d` for a sampled problem.

    Runs :func:`landscape.dynamics.gradient_flow` (its integrators, its retraction onto the sphere, no new scheme)
    on :math:`dR` given by its jet (:class:`landscape.dynamics.Landscape`): the time is measured in units in which
    the per-coordinate drift is :math:`O(1)`, the scale of :func:`scaled_hessian`. The
    :class:`~landscape.dynamics.Trajectory` records the risk :math:`R` as ``energy``, the overlap
    :math:`m(t) = \theta(t)\cdot\theta^*/d` as ``overlap``, and ``mu`` :math:`= -\theta\cdot\nabla(dR)/d =`
    ``-multiplier``; with ``hessian=True`` also the lowest eigenvalue of the tangent :func:`scaled_hessian` and the
    squared overlap of its eigenvector with the tangent direction of :math:`\theta^*` (``hessian_overlap``).
    ``theta0`` is a point or a batch of points of :math:`S_d`; a stable Euler step needs ``dt`` times the largest
    eigenvalue of the scaled Hessian below 1 (the weights :math:`\ell''` of :math:`\ell_a` grow like
    :math:`12z^2/a`: take ``dt`` :math:`\lesssim a/(12\max_i z_i^2)`).
    """
    loss = _loss(loss)
    data = _check_data(data)
    return dynamics.gradient_flow(dynamics.Landscape(data, loss._jet), theta0, dt=dt, n_steps=n_steps,
                                  record_every=record_every, method=method, hessian=hessian,
                                  reference=data.teacher)
