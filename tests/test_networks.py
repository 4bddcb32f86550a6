"""The one-hidden-layer network of chapter 11 (landscape.networks)."""

from __future__ import annotations

import functools
import math

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from landscape import networks as nw


@functools.cache
def _data():
    return nw.digits()


@functools.cache
def _trained():
    """Two ReLU networks of width 16 trained from two seeds (one compiled call)."""
    res = nw.train_seeds(jax.random.key(0), _data(), 16, 2, n_steps=600, batch_size=64, learning_rate=0.05,
                         record_every=100)
    return res, [jax.tree_util.tree_map(lambda a, s=s: a[s], res.params) for s in range(2)]


def test_digits_split_is_deterministic_centred_and_complete():
    d = _data()
    assert d.x_train.shape[0] + d.x_test.shape[0] == 1797 and d.x_test.shape[0] == round(1797 * 0.25)
    assert d.x_train.dtype == jnp.float64 and d.y_train.dtype == jnp.int32
    np.testing.assert_allclose(np.asarray(d.x_train).mean(axis=0), 0.0, atol=1e-12)
    assert np.all(np.asarray(d.x_train).std(axis=0) > 0)  # no blank pixel left
    assert set(np.unique(np.asarray(d.y_train))) == set(range(10))
    d2 = nw.digits()
    assert np.array_equal(np.asarray(d.y_test), np.asarray(d2.y_test))
    assert not np.array_equal(np.asarray(nw.digits(seed=1).y_test), np.asarray(d.y_test))


def test_init_apply_loss_shapes_and_the_loss_at_initialisation():
    d = _data()
    p = nw.init_mlp(jax.random.key(1), d.x_train.shape[1], 7, 10)
    assert [a.shape for a in p] == [(7, d.x_train.shape[1]), (7,), (10, 7), (10,)]
    assert nw.n_params(p) == 7 * (d.x_train.shape[1] + 1) + 10 * 8 == nw.flatten(p).size
    logits = nw.apply(p, d.x_train, "tanh")
    assert logits.shape == (d.x_train.shape[0], 10)
    # cross-entropy against a direct formula, and the weight-decay term
    ref = np.mean(jax.nn.logsumexp(logits, axis=1) - logits[np.arange(len(logits)), d.y_train])
    assert abs(float(nw.loss(p, d.x_train, d.y_train, "tanh")) - ref) < 1e-12
    sq = float(jnp.sum(nw.flatten(p) ** 2))
    assert abs(float(nw.loss(p, d.x_train, d.y_train, "tanh", 0.1)) - ref - 0.05 * sq) < 1e-12
    # small random logits: the loss is close to log 10
    assert abs(ref - math.log(10)) < 0.5
    np.testing.assert_array_equal(nw.flatten(nw.unflatten(nw.flatten(p), p)), nw.flatten(p))


def test_training_lowers_the_loss_and_generalises():
    res, nets = _trained()
    assert res.losses.shape == (2, 7) and list(res.steps) == list(range(0, 601, 100))
    assert np.all(res.losses[:, -1] < 0.25 * res.losses[:, 0])
    d = _data()
    for p in nets:
        assert nw.accuracy(p, d.x_test, d.y_test) > 0.9
    # the vmapped call equals the single call with the same key
    one = nw.train(jax.random.split(jax.random.key(0), 2)[1], d, 16, n_steps=600, batch_size=64,
                   learning_rate=0.05, record_every=100)
    np.testing.assert_allclose(one.losses, res.losses[1], rtol=1e-10)


def test_full_batch_gradient_descent_is_monotone_and_keeps_checkpoints():
    d = _data()
    res = nw.train(jax.random.key(2), d, 4, n_steps=200, batch_size=None, learning_rate=0.2, momentum=0.0,
                   record_every=20, checkpoints=True)
    assert res.checkpoints.w1.shape == (11, 4, d.x_train.shape[1])
    assert np.all(np.diff(np.asarray(res.losses)) < 0)
    last = jax.tree_util.tree_map(lambda a: a[-1], res.checkpoints)
    assert abs(float(nw.loss(last, d.x_train, d.y_train)) - float(res.losses[-1])) < 1e-12


def test_permuted_network_has_identical_logits_but_is_far_away():
    _, (p, _) = _trained()
    perm = np.random.default_rng(0).permutation(16)
    q = nw.permute_hidden(p, perm)
    x = _data().x_test
    np.testing.assert_allclose(nw.apply(q, x), nw.apply(p, x), atol=1e-13)
    assert float(jnp.linalg.norm(nw.flatten(q) - nw.flatten(p))) > 0.5 * float(jnp.linalg.norm(nw.flatten(p)))
    # the wrong rule (permute w1 but not w2) changes the function
    bad = nw.MLP(q.w1, q.b1, p.w2, p.b2)
    assert float(jnp.max(jnp.abs(nw.apply(bad, x) - nw.apply(p, x)))) > 1e-2


def test_align_hidden_undoes_a_permutation_and_never_increases_the_distance():
    _, (p, r) = _trained()
    perm = np.random.default_rng(1).permutation(16)
    aligned, found = nw.align_hidden(p, nw.permute_hidden(p, perm))
    np.testing.assert_array_equal(nw.flatten(aligned), nw.flatten(p))
    assert np.array_equal(perm[found], np.arange(16))
    r_al, _ = nw.align_hidden(p, r)
    dist = float(jnp.linalg.norm(nw.flatten(r) - nw.flatten(p)))
    assert float(jnp.linalg.norm(nw.flatten(r_al) - nw.flatten(p))) < dist


def test_barrier_definition():
    ts = np.linspace(0, 1, 11)
    assert nw.barrier(ts, 2.0 + 3.0 * ts) == pytest.approx(0.0, abs=1e-14)  # linear: no barrier
    assert nw.barrier(ts, 1 + ts * (1 - ts)) == pytest.approx(0.25)
    assert nw.barrier(ts, (ts - 0.5) ** 2) == pytest.approx(0.0, abs=1e-14)  # convex: the chord is above


def test_barrier_along_paths_of_a_linear_model_is_zero_and_curves_reduce_to_the_line():
    d = _data()
    _, (p, r) = _trained()
    ts = np.linspace(0, 1, 9)
    # the straight line equals the Bezier curve whose bend is the midpoint
    mid = jax.tree_util.tree_map(lambda a, b: 0.5 * (a + b), p, r)
    np.testing.assert_allclose(nw.line_losses(p, r, d.x_train, d.y_train, ts),
                               nw.bezier_losses(p, mid, r, d.x_train, d.y_train, ts), rtol=1e-12)
    lin = nw.line_losses(p, r, d.x_train, d.y_train, ts)
    assert abs(float(lin[0]) - float(nw.loss(p, d.x_train, d.y_train))) < 1e-12
    assert abs(float(lin[-1]) - float(nw.loss(r, d.x_train, d.y_train))) < 1e-12


def test_fit_bezier_lowers_the_barrier_between_two_solutions():
    d = _data()
    _, (p, r) = _trained()
    ts = np.linspace(0, 1, 21)
    line = nw.barrier(ts, nw.line_losses(p, r, d.x_train, d.y_train, ts))
    bend = nw.fit_bezier(jax.random.key(3), p, r, d, n_steps=600, learning_rate=0.05)
    curve = nw.barrier(ts, nw.bezier_losses(p, bend, r, d.x_train, d.y_train, ts))
    assert line > 0.1 and curve < 0.3 * line
    # the end points stayed fixed
    lc = nw.bezier_losses(p, bend, r, d.x_train, d.y_train, np.array([0.0, 1.0]))
    np.testing.assert_allclose(lc, nw.line_losses(p, r, d.x_train, d.y_train, np.array([0.0, 1.0])), rtol=1e-12)


@pytest.mark.parametrize("activation", ["relu", "tanh"])
def test_hvp_and_dense_hessian_against_jax_hessian(activation):
    d = _data()
    p = nw.init_mlp(jax.random.key(4), d.x_train.shape[1], 3, 10)
    x, y = d.x_train[:100], d.y_train[:100]

    def flat_loss(theta):
        return nw.loss(nw.unflatten(theta, p), x, y, activation, 0.01)

    ref = np.asarray(jax.hessian(flat_loss)(nw.flatten(p)))
    h = np.asarray(nw.hessian(p, x, y, activation, 0.01))
    np.testing.assert_allclose(h, ref, atol=1e-12)
    v = np.random.default_rng(0).normal(size=h.shape[0])
    np.testing.assert_allclose(nw.hvp(p, x, y, v, activation, 0.01), ref @ v, atol=1e-12)
    # weight decay adds lambda * I
    h0 = np.asarray(nw.hessian(p, x, y, activation, 0.0))
    np.testing.assert_allclose(h - h0, 0.01 * np.eye(h.shape[0]), atol=1e-12)


def test_permutation_conjugates_the_hessian():
    d = _data()
    p = nw.init_mlp(jax.random.key(5), d.x_train.shape[1], 3, 10)
    x, y = d.x_train[:100], d.y_train[:100]
    e1 = np.linalg.eigvalsh(np.asarray(nw.hessian(p, x, y, "tanh")))
    e2 = np.linalg.eigvalsh(np.asarray(nw.hessian(nw.permute_hidden(p, np.array([2, 0, 1])), x, y, "tanh")))
    np.testing.assert_allclose(e1, e2, atol=1e-12)


def test_index_counts_negative_eigenvalues():
    assert nw.index(np.array([-1.0, -1e-9, 0.0, 2.0])) == 2
    assert nw.index(np.array([-1.0, -1e-9, 0.0, 2.0]), tol=1e-6) == 1


def test_bad_inputs_name_the_parameter():
    d = _data()
    p = nw.init_mlp(jax.random.key(1), d.x_train.shape[1], 5, 10)
    with pytest.raises(ValueError, match="activation"):
        nw.loss(p, d.x_train, d.y_train, "sigmoid")
    with pytest.raises(ValueError, match="x"):
        nw.apply(p, d.x_train[:, :5])
    with pytest.raises(ValueError, match="y"):
        nw.loss(p, d.x_train, d.y_train + 10)
    with pytest.raises(ValueError, match="perm"):
        nw.permute_hidden(p, np.array([0, 0, 1, 2, 3]))
    with pytest.raises(ValueError, match="record_every"):
        nw.train(jax.random.key(0), d, 5, n_steps=100, record_every=30)
    with pytest.raises(ValueError, match="momentum"):
        nw.train(jax.random.key(0), d, 5, n_steps=100, momentum=1.0)
    with pytest.raises(TypeError, match="data"):
        nw.train(jax.random.key(0), (1, 2), 5)
    with pytest.raises(ValueError, match="ts"):
        nw.barrier(np.array([0.2, 1.0]), np.array([1.0, 2.0]))
    with pytest.raises(ValueError, match="test_fraction"):
        nw.digits(test_fraction=1.0)
    big = nw.init_mlp(jax.random.key(0), d.x_train.shape[1], 200, 10)
    with pytest.raises(ValueError, match="MAX_DENSE_PARAMS"):
        nw.hessian(big, d.x_train, d.y_train)
    q = nw.init_mlp(jax.random.key(1), d.x_train.shape[1], 6, 10)
    with pytest.raises(ValueError, match="params_b"):
        nw.line_losses(p, q, d.x_train, d.y_train, np.linspace(0, 1, 3))
