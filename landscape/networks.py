r"""A one-hidden-layer network on a real dataset (chapter 11): training, symmetries, mode connectivity, Hessian.

**Data.** :func:`digits` loads scikit-learn's handwritten digits (1797 images of :math:`8\times8` pixels, ten
classes, shipped inside the package: nothing is downloaded), scales the pixels to :math:`[0, 1]`, drops the
pixels that are constant on the training set and centres the rest on the training mean.

**Network.** With inputs :math:`x \in \mathbb R^d`, width :math:`K`, :math:`C` classes and parameters
:math:`\theta = (W_1, b_1, W_2, b_2)` (:class:`MLP`),

.. math:: f_\theta(x) = W_2\,\phi(W_1x + b_1) + b_2 \in \mathbb R^C, \qquad
    L(\theta) = \frac1n\sum_{i=1}^n \Big[\log\sum_c e^{f_\theta(x_i)_c} - f_\theta(x_i)_{y_i}\Big]
    + \frac{\lambda}{2}|\theta|^2,

with :math:`\phi` = ReLU or tanh and weight decay :math:`\lambda` (:func:`loss`). It is trained by stochastic
gradient descent with momentum, ``optax.sgd`` (:func:`train`, :func:`train_seeds`).

**Symmetry.** Permuting the hidden units, :math:`(W_1, b_1, W_2) \mapsto (PW_1, Pb_1, W_2P^\top)`, leaves
:math:`f_\theta` unchanged (:func:`permute_hidden`): every critical point comes in :math:`K!` copies (generically
distinct). :func:`align_hidden` picks the permutation that best matches two networks (weight matching, Ainsworth,
Hayase & Srinivasa 2023).

**Mode connectivity.** The loss along the straight line :math:`(1-t)\theta_a + t\theta_b` and along a quadratic
Bézier curve with a trained bend (Garipov et al. 2018; Draxler et al. 2018): :func:`line_losses`,
:func:`bezier_losses`, :func:`fit_bezier`, :func:`barrier`.

**Hessian.** Hessian–vector products by forward-over-reverse differentiation (:func:`hvp`,
:func:`hessian_operator`, for :func:`landscape.rmt.slq`), the dense Hessian for small networks (:func:`hessian`)
and the index (:func:`index`).

Sources: Y. LeCun, L. Bottou, Y. Bengio and P. Haffner, Proc. IEEE 86 (1998) 2278 (the digits task; the dataset
itself is the UCI "optical recognition of handwritten digits" set, E. Alpaydin and C. Kaynak 1998); T. Garipov,
P. Izmailov, D. Podoprikhin, D. Vetrov and A. G. Wilson, *Loss surfaces, mode connectivity, and fast ensembling of
DNNs*, NeurIPS 2018; F. Draxler, K. Veschgini, M. Salmhofer and F. Hamprecht, *Essentially no barriers in neural
network energy landscape*, ICML 2018; S. K. Ainsworth, J. Hayase and S. Srinivasa, *Git Re-Basin: merging models
modulo permutation symmetries*, ICLR 2023; L. Sagun, U. Evci, V. U. Güney, Y. Dauphin and L. Bottou, *Empirical
analysis of the Hessian of over-parametrized neural networks*, arXiv:1706.04454 (2017); V. Papyan, *Traces of
class/cross-class structure pervade deep learning spectra*, JMLR 21 (2020) 252; B. A. Pearlmutter, *Fast exact
multiplication by the Hessian*, Neural Comput. 6 (1994) 147.

Argument checks run on concrete values (types, ranges, shapes, finiteness); under ``jit``/``vmap`` only shapes are
checked. Sizes are fixed by static arguments, so a chapter compiles each kernel once per shape.
"""

from __future__ import annotations

import functools
import math
from typing import Any, NamedTuple

import jax
import jax.numpy as jnp
import numpy as np
import optax
from scipy.optimize import linear_sum_assignment

from ._validate import allocation, finite_array, integer, prng_key, real

__all__ = ["ACTIVATIONS", "MAX_DENSE_PARAMS", "Dataset", "MLP", "TrainResult", "digits", "init_mlp", "apply",
           "loss", "accuracy", "n_params", "flatten", "unflatten", "train", "train_seeds", "permute_hidden",
           "align_hidden", "line_losses", "bezier_losses", "fit_bezier", "barrier", "hvp", "hessian_operator",
           "hessian", "index"]

#: Names of the hidden-layer activations, ``"relu"`` (:math:`\max(0, z)`) and ``"tanh"``.
ACTIVATIONS = ("relu", "tanh")

#: The largest number of parameters for which :func:`hessian` builds the dense Hessian (``P × P`` float64:
#: 8 000 parameters are 0.5 GB); above it, use Hessian–vector products (:func:`hessian_operator`).
MAX_DENSE_PARAMS = 8000


class Dataset(NamedTuple):
    """A classification dataset split into training and test sets: inputs ``(n, d)`` float64, labels ``(n,)``
    int32 in ``0..C-1``."""

    x_train: jax.Array
    y_train: jax.Array
    x_test: jax.Array
    y_test: jax.Array


class MLP(NamedTuple):
    """Parameters of a one-hidden-layer network: ``w1 (K, d)``, ``b1 (K,)``, ``w2 (C, K)``, ``b2 (C,)`` (a
    pytree; a leading axis on every leaf holds several networks)."""

    w1: jax.Array
    b1: jax.Array
    w2: jax.Array
    b2: jax.Array


class TrainResult(NamedTuple):
    """Output of :func:`train`: final ``params``; ``losses`` the full training loss (with weight decay) at steps
    ``steps`` (step 0 is the initialisation); ``checkpoints`` the parameters at those steps (an :class:`MLP` whose
    leaves have a leading axis), or ``None``."""

    params: MLP
    losses: jax.Array
    steps: np.ndarray
    checkpoints: MLP | None


# ------------------------------------------------------------------------------------------- checks


def _activation(activation: Any) -> str:
    if activation not in ACTIVATIONS:
        raise ValueError(f"activation must be one of {ACTIVATIONS}, got {activation!r}")
    return activation


def _params(name: str, params: Any) -> MLP:
    if not isinstance(params, MLP):
        raise TypeError(f"{name} must be an MLP (w1, b1, w2, b2), got {type(params).__name__}")
    for leaf in params:
        finite_array(name, leaf)
    w1, b1, w2, b2 = (jnp.shape(p) for p in params)
    if len(w1) < 2 or len(w2) < 2:
        raise ValueError(f"{name} must have w1 of shape (K, d) and w2 of shape (C, K), got {w1} and {w2}")
    k, c = w1[-2], w2[-2]
    if b1[-1:] != (k,) or w2[-1] != k or b2[-1:] != (c,):
        raise ValueError(f"{name} has inconsistent shapes w1 {w1}, b1 {b1}, w2 {w2}, b2 {b2}")
    return MLP(*(jnp.asarray(p, dtype=jnp.float64) for p in params))


def _same_shapes(name: str, params: MLP, like: MLP, like_name: str) -> None:
    if any(jnp.shape(p) != jnp.shape(q) for p, q in zip(params, like)):
        raise ValueError(f"{name} must have the shapes of {like_name}: "
                         f"{[jnp.shape(p) for p in params]} against {[jnp.shape(q) for q in like]}")


def _xy(params: MLP, x: Any, y: Any) -> tuple[jax.Array, jax.Array]:
    finite_array("x", x)
    x = jnp.asarray(x, dtype=jnp.float64)
    if x.ndim != 2 or x.shape[1] != params.w1.shape[-1]:
        raise ValueError(f"x must have shape (n, {params.w1.shape[-1]}) to match params.w1, got {x.shape}")
    if isinstance(y, str) or not hasattr(y, "__len__") and not hasattr(y, "shape"):
        raise TypeError(f"y must be an integer array of labels, got {type(y).__name__}")
    y_np = np.asarray(y) if not isinstance(y, jax.core.Tracer) else None
    if y_np is not None:
        if not np.issubdtype(y_np.dtype, np.integer):
            raise TypeError(f"y must be an integer array of labels, got dtype {y_np.dtype}")
        n_out = params.w2.shape[-2]
        if y_np.shape != (x.shape[0],):
            raise ValueError(f"y must have shape ({x.shape[0]},) to match x, got {y_np.shape}")
        if y_np.size and (y_np.min() < 0 or y_np.max() >= n_out):
            raise ValueError(f"y must hold labels in [0, {n_out - 1}] (the rows of params.w2)")
    return x, jnp.asarray(y, dtype=jnp.int32)


def _dataset(data: Any) -> Dataset:
    if not isinstance(data, Dataset):
        raise TypeError(f"data must be a Dataset (from networks.digits), got {type(data).__name__}")
    for name, v in zip(Dataset._fields, data):
        finite_array(f"data.{name}", v)
    return data


# ------------------------------------------------------------------------------------------- data


@functools.cache
def _digits_raw() -> tuple[np.ndarray, np.ndarray]:
    from sklearn.datasets import load_digits  # imported here: keeps `import landscape` fast

    bunch = load_digits()
    return np.asarray(bunch.data, dtype=np.float64) / 16.0, np.asarray(bunch.target, dtype=np.int32)


def digits(seed: int = 0, test_fraction: float = 0.25) -> Dataset:
    r"""scikit-learn's handwritten digits, split into training and test sets.

    1797 images of :math:`8\times 8` pixels with grey levels 0–16, ten classes. Pixels are divided by 16; the
    pixels constant on the training set (always blank) are dropped, so that no weight of the first layer is
    left without data; the rest are centred on the training mean (:math:`x \leftarrow x - \bar x_{\rm train}`).

    Parameters
    ----------
    seed : int
        Seed of the split (a NumPy permutation): the same seed gives the same split on every machine.
    test_fraction : float
        Fraction of the images held out, in ``(0, 1)``; ``round(1797 * test_fraction)`` of them.

    Returns
    -------
    Dataset
        ``x_train (n_train, d)``, ``y_train (n_train,)``, ``x_test``, ``y_test``; ``d = 61`` for the default split.

    References
    ----------
    E. Alpaydin and C. Kaynak (1998), UCI "Optical recognition of handwritten digits", as shipped by
    ``sklearn.datasets.load_digits``.
    """
    seed = integer("seed", seed, minimum=0, maximum=2**32 - 1)
    test_fraction = real("test_fraction", test_fraction, minimum=0.0, strict_minimum=True)
    if test_fraction >= 1.0:
        raise ValueError(f"test_fraction must be in (0, 1), got {test_fraction}")
    x, y = _digits_raw()
    n_test = round(len(y) * test_fraction)
    if not 1 <= n_test < len(y) - 1:
        raise ValueError(f"test_fraction = {test_fraction} leaves an empty training or test set")
    perm = np.random.default_rng(seed).permutation(len(y))
    test, tr = perm[:n_test], perm[n_test:]
    keep = x[tr].std(axis=0) > 0
    mean = x[tr][:, keep].mean(axis=0)
    return Dataset(jnp.asarray(x[tr][:, keep] - mean), jnp.asarray(y[tr]), jnp.asarray(x[test][:, keep] - mean),
                   jnp.asarray(y[test]))


# ------------------------------------------------------------------------------------------- the network


def init_mlp(key: jax.Array, n_in: int, width: int, n_out: int) -> MLP:
    r"""Random initial parameters: :math:`W_1 \sim \mathcal N(0, 1/d)`, :math:`W_2 \sim \mathcal N(0, 1/K)`
    entrywise, zero biases (LeCun initialisation: pre-activations of order one).

    Parameters
    ----------
    key : jax.Array
        PRNG key.
    n_in : int
        Input dimension ``d >= 1``.
    width : int
        Number of hidden units ``K >= 1``.
    n_out : int
        Number of classes ``C >= 2``.

    Returns
    -------
    MLP
        ``w1 (K, d)``, ``b1 (K,)``, ``w2 (C, K)``, ``b2 (C,)``.

    References
    ----------
    Y. LeCun, L. Bottou, G. Orr and K.-R. Müller, *Efficient backprop*, in Neural Networks: Tricks of the Trade
    (1998).
    """
    prng_key("key", key)
    n_in = integer("n_in", n_in, minimum=1, maximum=10**6)
    width = integer("width", width, minimum=1, maximum=10**6)
    n_out = integer("n_out", n_out, minimum=2, maximum=10**6)
    allocation(f"width = {width}, n_in = {n_in}, n_out = {n_out}", 8.0 * width * (n_in + n_out + 2))
    return _init(key, n_in, width, n_out)


@functools.partial(jax.jit, static_argnums=(1, 2, 3))
def _init(key, n_in, width, n_out):
    k1, k2 = jax.random.split(key)
    return MLP(jax.random.normal(k1, (width, n_in)) / math.sqrt(n_in), jnp.zeros(width),
               jax.random.normal(k2, (n_out, width)) / math.sqrt(width), jnp.zeros(n_out))


def _mix(activation: str) -> jax.Array:
    """The activation as a traced weight, so that ReLU and tanh networks share one compiled program."""
    return jnp.asarray(1.0 if activation == "relu" else 0.0)


def _act(mix: jax.Array, z: jax.Array) -> jax.Array:
    # mix = 1: exactly relu(z) (0 * tanh(z) = 0, and so are its derivatives); mix = 0: exactly tanh(z)
    return mix * jax.nn.relu(z) + (1.0 - mix) * jnp.tanh(z)


def _apply(params: MLP, x: jax.Array, mix: jax.Array) -> jax.Array:
    h = _act(mix, x @ params.w1.T + params.b1)
    return h @ params.w2.T + params.b2


def _sq_norm(params: MLP) -> jax.Array:
    return sum(jnp.sum(p**2) for p in params)


def _loss(params: MLP, x: jax.Array, y: jax.Array, mix: jax.Array, weight_decay) -> jax.Array:
    ce = optax.softmax_cross_entropy_with_integer_labels(_apply(params, x, mix), y)
    return jnp.mean(ce) + 0.5 * weight_decay * _sq_norm(params)


def apply(params: MLP, x: Any, activation: str = "relu") -> jax.Array:
    r"""Logits :math:`f_\theta(x) = W_2\phi(W_1x + b_1) + b_2` of a batch of inputs.

    Parameters
    ----------
    params : MLP
        The network.
    x : jax.Array
        Inputs ``(n, d)``.
    activation : str
        ``"relu"`` or ``"tanh"``.

    Returns
    -------
    jax.Array
        Logits ``(n, C)``.
    """
    params = _params("params", params)
    activation = _activation(activation)
    x, _ = _xy(params, x, np.zeros(np.shape(x)[0] if np.ndim(x) else 0, dtype=np.int32))
    return _apply_jit(params, x, _mix(activation))


_apply_jit = jax.jit(_apply)
_loss_jit = jax.jit(_loss)


def loss(params: MLP, x: Any, y: Any, activation: str = "relu", weight_decay: float = 0.0) -> jax.Array:
    r"""Mean cross-entropy plus weight decay,
    :math:`L(\theta) = \frac1n\sum_i[\log\sum_c e^{f_\theta(x_i)_c} - f_\theta(x_i)_{y_i}] + \frac\lambda2|\theta|^2`.

    Parameters
    ----------
    params : MLP
        The network.
    x : jax.Array
        Inputs ``(n, d)``.
    y : jax.Array
        Integer labels ``(n,)`` in ``0..C-1``.
    activation : str
        ``"relu"`` or ``"tanh"``.
    weight_decay : float
        :math:`\lambda \ge 0`.

    Returns
    -------
    jax.Array
        The scalar loss.
    """
    params = _params("params", params)
    activation = _activation(activation)
    x, y = _xy(params, x, y)
    weight_decay = real("weight_decay", weight_decay, minimum=0.0)
    return _loss_jit(params, x, y, _mix(activation), weight_decay)


def accuracy(params: MLP, x: Any, y: Any, activation: str = "relu") -> float:
    r"""Fraction of inputs whose largest logit is the label, :math:`\frac1n\#\{i : \arg\max_c f_\theta(x_i)_c
    = y_i\}`.

    Parameters
    ----------
    params : MLP
        The network.
    x : jax.Array
        Inputs ``(n, d)``.
    y : jax.Array
        Integer labels ``(n,)``.
    activation : str
        ``"relu"`` or ``"tanh"``.

    Returns
    -------
    float
        The accuracy in ``[0, 1]``.
    """
    params = _params("params", params)
    activation = _activation(activation)
    x, y = _xy(params, x, y)
    return float(jnp.mean(jnp.argmax(_apply_jit(params, x, _mix(activation)), axis=1) == y))


def n_params(params: MLP) -> int:
    """Number of parameters :math:`P = K(d + 1) + C(K + 1)` of one network.

    Parameters
    ----------
    params : MLP
        The network.

    Returns
    -------
    int
        ``P``.
    """
    params = _params("params", params)
    return int(sum(math.prod(p.shape) for p in params))


def flatten(params: MLP) -> jax.Array:
    """The parameters as one vector ``(P,)``, in the order ``w1, b1, w2, b2`` (row-major).

    Parameters
    ----------
    params : MLP
        One network.

    Returns
    -------
    jax.Array
        The vector :math:`\\theta \\in \\mathbb R^P`.
    """
    params = _params("params", params)
    if params.w1.ndim != 2:
        raise ValueError(f"params must be a single network (w1 of shape (K, d)), got w1 {params.w1.shape}")
    return _flatten(params)


def _flatten(params: MLP) -> jax.Array:
    return jnp.concatenate([jnp.ravel(p) for p in params])


def _unflatten(theta: jax.Array, like: MLP) -> MLP:
    out, start = [], 0
    for p in like:
        size = math.prod(p.shape)
        out.append(jnp.reshape(theta[start:start + size], p.shape))
        start += size
    return MLP(*out)


def unflatten(theta: Any, like: MLP) -> MLP:
    """Inverse of :func:`flatten`: the vector ``theta`` cut into the shapes of ``like``.

    Parameters
    ----------
    theta : jax.Array
        Vector ``(P,)``.
    like : MLP
        A network with the target shapes (its values are not used).

    Returns
    -------
    MLP
        The network with parameters ``theta``.
    """
    like = _params("like", like)
    finite_array("theta", theta)
    theta = jnp.asarray(theta, dtype=jnp.float64)
    size = sum(math.prod(p.shape) for p in like)
    if theta.shape != (size,):
        raise ValueError(f"theta must have shape ({size},) to match like, got {theta.shape}")
    return _unflatten(theta, like)


# ------------------------------------------------------------------------------------------- training


def _train_core(key, x, y, x_all, y_all, width, n_out, n_steps, batch_size, record_every, keep_checkpoints,
                learning_rate, momentum, weight_decay, activation):
    k_init, k_steps = jax.random.split(key)
    params = _init(k_init, x.shape[1], width, n_out)
    opt = optax.sgd(learning_rate, momentum=momentum)
    n = x.shape[0]
    full_batch = batch_size >= n

    def step(carry, idx):
        params, state = carry
        xb, yb = (x, y) if full_batch else (x[idx], y[idx])
        grads = jax.grad(_loss)(params, xb, yb, activation, weight_decay)
        updates, state = opt.update(grads, state, params)
        return (optax.apply_updates(params, updates), state), None

    def block(carry, idx):
        carry, _ = jax.lax.scan(step, carry, idx)
        p = carry[0]
        return carry, (_loss(p, x_all, y_all, activation, weight_decay), p if keep_checkpoints else None)

    n_rec = n_steps // record_every
    # every batch drawn up front, outside the loop (uniform with replacement): a smaller program to compile
    shape = (n_rec, record_every, 0 if full_batch else batch_size)
    batches = jax.random.randint(k_steps, shape, 0, n)
    carry0 = (params, opt.init(params))
    (params, _), (losses, ckpt) = jax.lax.scan(block, carry0, batches)
    loss0 = _loss(carry0[0], x_all, y_all, activation, weight_decay)
    losses = jnp.concatenate([loss0[None], losses])
    if keep_checkpoints:
        ckpt = jax.tree_util.tree_map(lambda a, b: jnp.concatenate([a[None], b]), carry0[0], ckpt)
    return params, losses, ckpt


_STATIC = ("width", "n_out", "n_steps", "batch_size", "record_every", "keep_checkpoints")
_train_one = jax.jit(_train_core, static_argnames=_STATIC)


@functools.partial(jax.jit, static_argnames=_STATIC)
def _train_many(keys, x, y, x_all, y_all, width, n_out, n_steps, batch_size, record_every, keep_checkpoints,
                learning_rate, momentum, weight_decay, activation):
    def one(k):
        return _train_core(k, x, y, x_all, y_all, width, n_out, n_steps, batch_size, record_every,
                           keep_checkpoints, learning_rate, momentum, weight_decay, activation)

    # lax.map, not vmap: one compiled program that trains the networks in turn; on a CPU, vmap of the training
    # loop more than doubles the compilation time for no gain at these sizes
    return jax.lax.map(one, keys)


def _train_args(data, width, n_steps, batch_size, learning_rate, momentum, activation, weight_decay,
                record_every, checkpoints):
    data = _dataset(data)
    width = integer("width", width, minimum=1, maximum=10**5)
    n_steps = integer("n_steps", n_steps, minimum=1, maximum=10**8)
    n_train = int(data.x_train.shape[0])
    batch_size = n_train if batch_size is None else integer("batch_size", batch_size, minimum=1, maximum=n_train)
    learning_rate = real("learning_rate", learning_rate, minimum=0.0, strict_minimum=True)
    momentum = real("momentum", momentum, minimum=0.0)
    if momentum >= 1.0:
        raise ValueError(f"momentum must be in [0, 1), got {momentum}")
    activation = _activation(activation)
    weight_decay = real("weight_decay", weight_decay, minimum=0.0)
    record_every = integer("record_every", record_every, minimum=1, maximum=n_steps)
    if n_steps % record_every:
        raise ValueError(f"record_every must divide n_steps = {n_steps}, got {record_every}")
    if not isinstance(checkpoints, (bool, np.bool_)):
        raise TypeError(f"checkpoints must be True or False, got {checkpoints!r}")
    n_out = int(np.max(np.asarray(data.y_train))) + 1
    d = int(data.x_train.shape[1])
    size = width * (d + n_out + 2)
    allocation(f"checkpoints of width = {width} every record_every = {record_every} of n_steps = {n_steps}, "
               f"and n_steps * batch_size = {n_steps} * {batch_size} batch indices",
               8.0 * size * (n_steps // record_every + 1) * bool(checkpoints) + 8.0 * batch_size * width * 4
               + 4.0 * n_steps * batch_size * (batch_size < n_train))
    static = dict(width=width, n_out=n_out, n_steps=n_steps, batch_size=batch_size, record_every=record_every,
                  keep_checkpoints=bool(checkpoints))
    return data, static, (learning_rate, momentum, weight_decay, _mix(activation))


def train(key: jax.Array, data: Dataset, width: int, *, n_steps: int = 2000, batch_size: int | None = 64,
          learning_rate: float = 0.1, momentum: float = 0.9, activation: str = "relu", weight_decay: float = 0.0,
          record_every: int = 100, checkpoints: bool = False) -> TrainResult:
    r"""Train a network from :func:`init_mlp` by SGD with momentum (``optax.sgd``) in one compiled ``lax.scan``.

    Each step draws ``batch_size`` training examples uniformly with replacement and applies
    :math:`v \leftarrow \beta v - \eta\nabla L_{\rm batch}(\theta)`, :math:`\theta \leftarrow \theta + v` (optax's
    form of heavy-ball momentum, Polyak 1964; Sutskever et al. 2013), with :math:`L` of :func:`loss`. With
    ``batch_size=None`` every step uses the whole training set: gradient descent with momentum (plain gradient
    descent for ``momentum=0``).

    Parameters
    ----------
    key : jax.Array
        PRNG key (initialisation and batches).
    data : Dataset
        From :func:`digits`; ``C`` is one more than the largest training label.
    width : int
        Hidden units ``K``.
    n_steps : int
        Number of SGD steps, a multiple of ``record_every``.
    batch_size : int or None
        Examples per step, at most ``n_train``; ``None`` for full batches.
    learning_rate : float
        :math:`\eta > 0`.
    momentum : float
        :math:`\beta \in [0, 1)`.
    activation : str
        ``"relu"`` or ``"tanh"``.
    weight_decay : float
        :math:`\lambda \ge 0`.
    record_every : int
        The full training loss (and, with ``checkpoints``, the parameters) is recorded every ``record_every``
        steps.
    checkpoints : bool
        Keep the parameters at every record (memory ``P`` floats per record).

    Returns
    -------
    TrainResult
        Final parameters, recorded losses at ``steps = 0, record_every, ..., n_steps``, checkpoints or ``None``.

    References
    ----------
    B. T. Polyak, USSR Comput. Math. Math. Phys. 4 (1964) 1; I. Sutskever, J. Martens, G. Dahl and G. Hinton,
    ICML 2013; DeepMind, Optax (``optax.sgd``).
    """
    prng_key("key", key)
    data, static, dyn = _train_args(data, width, n_steps, batch_size, learning_rate, momentum, activation,
                                    weight_decay, record_every, checkpoints)
    params, losses, ckpt = _train_one(key, data.x_train, data.y_train, data.x_train, data.y_train, **static,
                                      learning_rate=dyn[0], momentum=dyn[1], weight_decay=dyn[2], activation=dyn[3])
    steps = np.arange(0, static["n_steps"] + 1, static["record_every"])
    return TrainResult(params, losses, steps, ckpt)


def train_seeds(key: jax.Array, data: Dataset, width: int, n_seeds: int, *, n_steps: int = 2000,
                batch_size: int | None = 64, learning_rate: float = 0.1, momentum: float = 0.9,
                activation: str = "relu", weight_decay: float = 0.0, record_every: int = 100,
                checkpoints: bool = False) -> TrainResult:
    """Train ``n_seeds`` independent networks in one compiled call (``jax.lax.map`` of :func:`train` over the keys
    ``jax.random.split(key, n_seeds)``: network ``s`` is exactly ``train(keys[s], ...)``).

    Parameters
    ----------
    key : jax.Array
        PRNG key, split into one key per network.
    data : Dataset
        From :func:`digits`.
    width : int
        Hidden units ``K``.
    n_seeds : int
        Number of networks, ``>= 1``.
    n_steps : int
        As in :func:`train`.
    batch_size : int or None
        As in :func:`train`.
    learning_rate : float
        As in :func:`train`.
    momentum : float
        As in :func:`train`.
    activation : str
        As in :func:`train`.
    weight_decay : float
        As in :func:`train`.
    record_every : int
        As in :func:`train`.
    checkpoints : bool
        As in :func:`train`.

    Returns
    -------
    TrainResult
        As :func:`train`, with a leading axis ``n_seeds`` on ``params``, ``losses`` and ``checkpoints``; network
        ``s`` is ``jax.tree_util.tree_map(lambda a: a[s], result.params)``.
    """
    prng_key("key", key)
    n_seeds = integer("n_seeds", n_seeds, minimum=1, maximum=10**4)
    data, static, dyn = _train_args(data, width, n_steps, batch_size, learning_rate, momentum, activation,
                                    weight_decay, record_every, checkpoints)
    allocation(f"n_seeds = {n_seeds} networks of width = {width} with checkpoints",
               8.0 * n_seeds * width * (data.x_train.shape[1] + 12) * (static["n_steps"] // static["record_every"] + 1)
               * static["keep_checkpoints"])
    keys = jax.random.split(key, n_seeds)
    params, losses, ckpt = _train_many(keys, data.x_train, data.y_train, data.x_train, data.y_train, **static,
                                       learning_rate=dyn[0], momentum=dyn[1], weight_decay=dyn[2], activation=dyn[3])
    steps = np.arange(0, static["n_steps"] + 1, static["record_every"])
    return TrainResult(params, losses, steps, ckpt)


# ------------------------------------------------------------------------------------------- permutations


def permute_hidden(params: MLP, perm: Any) -> MLP:
    r"""Relabel the hidden units: :math:`(W_1, b_1, W_2, b_2) \mapsto (W_1[\pi], b_1[\pi], W_2[:, \pi], b_2)`.

    The network computes the same function, :math:`f_{\pi\theta} = f_\theta`, for every permutation
    :math:`\pi` of the ``K`` hidden units, so the loss is invariant and every critical point has :math:`K!`
    images (distinct unless two hidden units coincide).

    Parameters
    ----------
    params : MLP
        One network (``w1`` of shape ``(K, d)``).
    perm : jax.Array
        A permutation of ``0..K-1``.

    Returns
    -------
    MLP
        The permuted network.
    """
    params = _params("params", params)
    k = params.w1.shape[-2]
    perm_np = np.asarray(perm)
    if not np.issubdtype(perm_np.dtype, np.integer):
        raise TypeError(f"perm must be an integer array, got dtype {perm_np.dtype}")
    if perm_np.shape != (k,) or not np.array_equal(np.sort(perm_np), np.arange(k)):
        raise ValueError(f"perm must be a permutation of 0..{k - 1} (the hidden units of params)")
    perm = jnp.asarray(perm_np)
    return MLP(params.w1[..., perm, :], params.b1[..., perm], params.w2[..., perm], params.b2)


def align_hidden(params_a: MLP, params_b: MLP) -> tuple[MLP, np.ndarray]:
    r"""Permute the hidden units of ``params_b`` to best match ``params_a`` (weight matching).

    Solves the linear assignment problem
    :math:`\max_\pi \sum_k \big(\langle W_1^a[k], W_1^b[\pi_k]\rangle + b_1^a[k]b_1^b[\pi_k]
    + \langle W_2^a[:, k], W_2^b[:, \pi_k]\rangle\big)`, i.e. :math:`\min_\pi |\theta_a - \pi\theta_b|^2`, with
    ``scipy.optimize.linear_sum_assignment``. For one hidden layer this is exact (Ainsworth, Hayase & Srinivasa
    2023, weight matching, whose coordinate descent over layers reduces here to one assignment).

    Parameters
    ----------
    params_a : MLP
        The reference network.
    params_b : MLP
        The network to permute, with the shapes of ``params_a``.

    Returns
    -------
    tuple
        ``permute_hidden(params_b, perm)`` and ``perm``.

    References
    ----------
    S. K. Ainsworth, J. Hayase and S. Srinivasa, *Git Re-Basin: merging models modulo permutation symmetries*,
    ICLR 2023 (arXiv:2209.04836).
    """
    params_a = _params("params_a", params_a)
    params_b = _params("params_b", params_b)
    _same_shapes("params_b", params_b, params_a, "params_a")
    if params_a.w1.ndim != 2:
        raise ValueError(f"params_a must be a single network, got w1 {params_a.w1.shape}")
    a, b = (np.asarray(p) for p in params_a), (np.asarray(p) for p in params_b)
    (w1a, b1a, w2a, _), (w1b, b1b, w2b, _) = a, b
    score = w1a @ w1b.T + np.outer(b1a, b1b) + w2a.T @ w2b
    _, perm = linear_sum_assignment(score, maximize=True)
    return permute_hidden(params_b, perm), perm


# ------------------------------------------------------------------------------------------- mode connectivity


def _ts(ts: Any) -> jax.Array:
    finite_array("ts", ts)
    ts = jnp.asarray(ts, dtype=jnp.float64)
    if ts.ndim != 1 or ts.size < 2:
        raise ValueError(f"ts must be a 1-d array of at least two values in [0, 1], got shape {ts.shape}")
    if bool(jnp.any((ts < 0) | (ts > 1))):
        raise ValueError("ts must lie in [0, 1]")
    return ts


def _bezier(a, bend, b, t):
    return jax.tree_util.tree_map(lambda p, q, r: (1 - t) ** 2 * p + 2 * t * (1 - t) * q + t**2 * r, a, bend, b)


@jax.jit
def _bezier_losses(a, bend, b, x, y, activation, weight_decay, ts):
    return jax.vmap(lambda t: _loss(_bezier(a, bend, b, t), x, y, activation, weight_decay))(ts)


def _path_args(params_a, params_b, x, y, activation, weight_decay, ts):
    params_a = _params("params_a", params_a)
    params_b = _params("params_b", params_b)
    _same_shapes("params_b", params_b, params_a, "params_a")
    x, y = _xy(params_a, x, y)
    return (params_a, params_b, x, y, _mix(_activation(activation)),
            real("weight_decay", weight_decay, minimum=0.0), _ts(ts))


def line_losses(params_a: MLP, params_b: MLP, x: Any, y: Any, ts: Any, activation: str = "relu",
                weight_decay: float = 0.0) -> jax.Array:
    r"""The loss along the straight line :math:`\theta(t) = (1 - t)\theta_a + t\theta_b` at the times ``ts``.

    Parameters
    ----------
    params_a : MLP
        The end point at :math:`t = 0`.
    params_b : MLP
        The end point at :math:`t = 1`.
    x : jax.Array
        Inputs ``(n, d)``.
    y : jax.Array
        Labels ``(n,)``.
    ts : jax.Array
        Times in ``[0, 1]``, shape ``(m,)``.
    activation : str
        ``"relu"`` or ``"tanh"``.
    weight_decay : float
        :math:`\lambda \ge 0` of :func:`loss`.

    Returns
    -------
    jax.Array
        :math:`L(\theta(t))`, shape ``(m,)``.

    References
    ----------
    I. J. Goodfellow, O. Vinyals and A. M. Saxe, *Qualitatively characterizing neural network optimization
    problems*, ICLR 2015 (the linear path).
    """
    a, b, x, y, act, wd, ts = _path_args(params_a, params_b, x, y, activation, weight_decay, ts)
    mid = jax.tree_util.tree_map(lambda p, q: 0.5 * (p + q), a, b)  # the Bézier curve with this bend is the line
    return _bezier_losses(a, mid, b, x, y, act, wd, ts)


def bezier_losses(params_a: MLP, bend: MLP, params_b: MLP, x: Any, y: Any, ts: Any, activation: str = "relu",
                  weight_decay: float = 0.0) -> jax.Array:
    r"""The loss along the quadratic Bézier curve
    :math:`\varphi(t) = (1-t)^2\theta_a + 2t(1-t)\hat\theta + t^2\theta_b` at the times ``ts``.

    Parameters
    ----------
    params_a : MLP
        The end point at :math:`t = 0`.
    bend : MLP
        The control point :math:`\hat\theta` (from :func:`fit_bezier`).
    params_b : MLP
        The end point at :math:`t = 1`.
    x : jax.Array
        Inputs ``(n, d)``.
    y : jax.Array
        Labels ``(n,)``.
    ts : jax.Array
        Times in ``[0, 1]``, shape ``(m,)``.
    activation : str
        ``"relu"`` or ``"tanh"``.
    weight_decay : float
        :math:`\lambda \ge 0` of :func:`loss`.

    Returns
    -------
    jax.Array
        :math:`L(\varphi(t))`, shape ``(m,)``.

    References
    ----------
    T. Garipov et al., NeurIPS 2018, Sec. 3.
    """
    a, b, x, y, act, wd, ts = _path_args(params_a, params_b, x, y, activation, weight_decay, ts)
    bend = _params("bend", bend)
    _same_shapes("bend", bend, a, "params_a")
    return _bezier_losses(a, bend, b, x, y, act, wd, ts)


@functools.partial(jax.jit, static_argnames=("n_steps", "batch_size"))
def _fit_bezier(key, a, b, x, y, n_steps, batch_size, activation, learning_rate, momentum, weight_decay):
    bend = jax.tree_util.tree_map(lambda p, q: 0.5 * (p + q), a, b)
    opt = optax.sgd(learning_rate, momentum=momentum)
    n = x.shape[0]

    def step(carry, draw):
        bend, state = carry
        t, idx = draw
        g = jax.grad(lambda q: _loss(_bezier(a, q, b, t), x[idx], y[idx], activation, weight_decay))(bend)
        updates, state = opt.update(g, state, bend)
        return (optax.apply_updates(bend, updates), state), None

    k_t, k_b = jax.random.split(key)  # every time and batch drawn up front
    draws = (jax.random.uniform(k_t, (n_steps,)), jax.random.randint(k_b, (n_steps, batch_size), 0, n))
    (bend, _), _ = jax.lax.scan(step, (bend, opt.init(bend)), draws)
    return bend


def fit_bezier(key: jax.Array, params_a: MLP, params_b: MLP, data: Dataset, *, n_steps: int = 1000,
               batch_size: int = 64, learning_rate: float = 0.05, momentum: float = 0.9, activation: str = "relu",
               weight_decay: float = 0.0) -> MLP:
    r"""Train the bend :math:`\hat\theta` of a quadratic Bézier curve between two fixed end points.

    Minimises :math:`\mathbb E_{t\sim U[0,1]} L(\varphi_{\hat\theta}(t))` by SGD with momentum (``optax.sgd``),
    one uniform :math:`t` and one mini-batch per step, starting from the midpoint
    :math:`\hat\theta = (\theta_a + \theta_b)/2` (the straight line); the end points stay fixed.

    Parameters
    ----------
    key : jax.Array
        PRNG key (times and batches).
    params_a : MLP
        End point at :math:`t = 0`.
    params_b : MLP
        End point at :math:`t = 1`.
    data : Dataset
        Training data (the training set is used).
    n_steps : int
        SGD steps, ``>= 1``.
    batch_size : int
        Examples per step, at most ``n_train``.
    learning_rate : float
        :math:`\eta > 0`.
    momentum : float
        In ``[0, 1)``.
    activation : str
        ``"relu"`` or ``"tanh"``.
    weight_decay : float
        :math:`\lambda \ge 0` of :func:`loss`.

    Returns
    -------
    MLP
        The bend :math:`\hat\theta`.

    References
    ----------
    T. Garipov, P. Izmailov, D. Podoprikhin, D. Vetrov and A. G. Wilson, NeurIPS 2018 (curve-finding, Sec. 3.2).
    """
    prng_key("key", key)
    params_a = _params("params_a", params_a)
    params_b = _params("params_b", params_b)
    _same_shapes("params_b", params_b, params_a, "params_a")
    data = _dataset(data)
    x, y = _xy(params_a, data.x_train, data.y_train)
    n_steps = integer("n_steps", n_steps, minimum=1, maximum=10**8)
    batch_size = integer("batch_size", batch_size, minimum=1, maximum=int(x.shape[0]))
    learning_rate = real("learning_rate", learning_rate, minimum=0.0, strict_minimum=True)
    momentum = real("momentum", momentum, minimum=0.0)
    if momentum >= 1.0:
        raise ValueError(f"momentum must be in [0, 1), got {momentum}")
    activation = _activation(activation)
    weight_decay = real("weight_decay", weight_decay, minimum=0.0)
    allocation(f"n_steps * batch_size = {n_steps} * {batch_size} batch indices", 4.0 * n_steps * (batch_size + 2))
    return _fit_bezier(key, params_a, params_b, x, y, n_steps, batch_size, _mix(activation), learning_rate,
                       momentum, weight_decay)


def barrier(ts: Any, losses: Any) -> float:
    r"""Height of the loss barrier along a path: :math:`\max_t\,[L(t) - ((1-t)L(0) + tL(1))]`.

    The excess of the loss over the chord between the end points, maximised over the sampled times (the
    definition of Frankle, Dziugaite, Roy & Carbin 2020 and Entezari et al. 2022, used by Ainsworth et al. 2023);
    it is 0 when the loss is linear (or convex) along the path, and never negative since ``ts`` contains 0 and 1.

    Parameters
    ----------
    ts : jax.Array
        Increasing times ``(m,)`` with ``ts[0] = 0`` and ``ts[-1] = 1``.
    losses : jax.Array
        Losses at those times ``(m,)``.

    Returns
    -------
    float
        The barrier height.

    References
    ----------
    J. Frankle, G. K. Dziugaite, D. Roy and M. Carbin, *Linear mode connectivity and the lottery ticket
    hypothesis*, ICML 2020; S. K. Ainsworth, J. Hayase and S. Srinivasa, ICLR 2023.
    """
    ts = np.asarray(_ts(ts))
    finite_array("losses", losses)
    losses = np.asarray(losses, dtype=np.float64)
    if losses.shape != ts.shape:
        raise ValueError(f"losses must have the shape of ts {ts.shape}, got {losses.shape}")
    if ts[0] != 0.0 or ts[-1] != 1.0 or np.any(np.diff(ts) <= 0):
        raise ValueError("ts must increase from ts[0] = 0 to ts[-1] = 1")
    return float(np.max(losses - ((1 - ts) * losses[0] + ts * losses[-1])))


# ------------------------------------------------------------------------------------------- Hessian


def _hvp_impl(params, x, y, weight_decay, mix, v):
    def flat_loss(theta):
        return _loss(_unflatten(theta, params), x, y, mix, weight_decay)

    theta = _flatten(params)
    return jax.jvp(jax.grad(flat_loss), (theta,), (v,))[1]


_hvp_jit = jax.jit(_hvp_impl)


def _hessian_args(params, x, y, activation, weight_decay):
    params = _params("params", params)
    if params.w1.ndim != 2:
        raise ValueError(f"params must be a single network, got w1 {params.w1.shape}")
    x, y = _xy(params, x, y)
    return params, x, y, _mix(_activation(activation)), real("weight_decay", weight_decay, minimum=0.0)


def hvp(params: MLP, x: Any, y: Any, v: Any, activation: str = "relu", weight_decay: float = 0.0) -> jax.Array:
    r"""Hessian–vector product :math:`\nabla^2 L(\theta)\,v` of :func:`loss`, by forward-over-reverse
    differentiation (``jax.jvp`` of ``jax.grad``): exact, at the cost of a few gradients, without forming the
    Hessian.

    Parameters
    ----------
    params : MLP
        The point :math:`\theta`.
    x : jax.Array
        Inputs ``(n, d)``.
    y : jax.Array
        Labels ``(n,)``.
    v : jax.Array
        Vector ``(P,)`` in the order of :func:`flatten`.
    activation : str
        ``"relu"`` or ``"tanh"``.
    weight_decay : float
        :math:`\lambda \ge 0`.

    Returns
    -------
    jax.Array
        :math:`Hv`, shape ``(P,)``.

    References
    ----------
    B. A. Pearlmutter, Neural Comput. 6 (1994) 147.
    """
    params, x, y, act, wd = _hessian_args(params, x, y, activation, weight_decay)
    finite_array("v", v)
    v = jnp.asarray(v, dtype=jnp.float64)
    p = sum(math.prod(q.shape) for q in params)
    if v.shape != (p,):
        raise ValueError(f"v must have shape ({p},) (the parameters of params), got {v.shape}")
    return _hvp_jit(params, x, y, wd, act, v)


def hessian_operator(params: MLP, x: Any, y: Any, activation: str = "relu",
                     weight_decay: float = 0.0) -> jax.tree_util.Partial:
    """The map :math:`v \\mapsto \\nabla^2L(\\theta)v` (:func:`hvp`) as a ``jax.tree_util.Partial``, to pass to
    :func:`landscape.rmt.lanczos` and :func:`landscape.rmt.slq`: its arrays are pytree leaves, so networks of the
    same shape share one compiled Lanczos.

    Parameters
    ----------
    params : MLP
        The point :math:`\\theta`.
    x : jax.Array
        Inputs ``(n, d)``.
    y : jax.Array
        Labels ``(n,)``.
    activation : str
        ``"relu"`` or ``"tanh"``.
    weight_decay : float
        :math:`\\lambda \\ge 0`.

    Returns
    -------
    jax.tree_util.Partial
        A function of ``v (P,)``.
    """
    params, x, y, act, wd = _hessian_args(params, x, y, activation, weight_decay)
    # a module-level function with array arguments: operators of the same shapes share one compiled Lanczos
    return jax.tree_util.Partial(_hvp_impl, params, x, y, jnp.asarray(wd), act)


@functools.partial(jax.jit, static_argnums=(5,))
def _dense_hessian(params, x, y, weight_decay, mix, chunk):
    p = sum(math.prod(q.shape) for q in params)
    eye = jnp.eye(p)
    cols = jax.lax.map(lambda v: _hvp_impl(params, x, y, weight_decay, mix, v), eye, batch_size=chunk)
    h = cols.T
    return 0.5 * (h + h.T)


def hessian(params: MLP, x: Any, y: Any, activation: str = "relu", weight_decay: float = 0.0) -> jax.Array:
    r"""The dense Hessian :math:`\nabla^2L(\theta)`, ``(P, P)``, column by column from :func:`hvp` (symmetrised).

    Refused (``ValueError``, before anything is allocated) when ``P`` exceeds :data:`MAX_DENSE_PARAMS` or the
    memory exceeds :func:`landscape.max_bytes`: use :func:`hessian_operator` with :func:`landscape.rmt.slq`.

    Parameters
    ----------
    params : MLP
        The point :math:`\theta`.
    x : jax.Array
        Inputs ``(n, d)``.
    y : jax.Array
        Labels ``(n,)``.
    activation : str
        ``"relu"`` or ``"tanh"``.
    weight_decay : float
        :math:`\lambda \ge 0`.

    Returns
    -------
    jax.Array
        The symmetric Hessian ``(P, P)`` in the order of :func:`flatten`.
    """
    params, x, y, act, wd = _hessian_args(params, x, y, activation, weight_decay)
    p = sum(math.prod(q.shape) for q in params)
    if p > MAX_DENSE_PARAMS:
        raise ValueError(f"params has P = {p} parameters, above MAX_DENSE_PARAMS = {MAX_DENSE_PARAMS} for a dense "
                         f"Hessian; use hessian_operator with landscape.rmt.slq")
    chunk = 32
    allocation(f"a dense Hessian of params with P = {p} parameters",
               8.0 * (3 * p * p + chunk * x.shape[0] * (params.w1.shape[0] + params.w2.shape[0]) * 4))
    return _dense_hessian(params, x, y, wd, act, chunk)


def index(eigenvalues: Any, tol: float = 0.0) -> int:
    r"""The index: the number of eigenvalues below :math:`-\mathrm{tol}`, :math:`\#\{j : \lambda_j < -\mathrm{tol}\}`.

    Parameters
    ----------
    eigenvalues : jax.Array
        Eigenvalues, shape ``(P,)``.
    tol : float
        Tolerance ``>= 0`` (eigenvalues in ``[-tol, 0)`` are counted as zero).

    Returns
    -------
    int
        The index.
    """
    finite_array("eigenvalues", eigenvalues)
    ev = np.asarray(eigenvalues, dtype=np.float64)
    if ev.ndim != 1:
        raise ValueError(f"eigenvalues must be a 1-d array, got shape {ev.shape}")
    tol = real("tol", tol, minimum=0.0)
    return int(np.sum(ev < -tol))
