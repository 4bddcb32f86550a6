"""Unit tests of landscape.spiked: the spiked matrix-tensor model, its loss, thresholds, AMP and gradient flow.

Sizes are small (tensor checks at n = 5, 6; Monte Carlo at N = 64; AMP at N = 200; gradient flow at N = 128) so that
the file runs in well under a minute on two shared CPU cores. Keys: a key handed to ``sample`` is used up there;
the tests split before sampling (``fold_in(k, 1)`` after ``sample(k, ...)`` can reproduce one of the sampler's own
streams and correlate the start with the noise).
"""

import itertools
import math

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from scipy.optimize import brentq

import landscape as ls
import landscape.spiked as sp

KEY = jax.random.key(9)


def _literal_loss(instance, x):
    """The loss as printed: sums over i < j and i1 < ... < ip of the stored entries, with explicit index masks."""
    model = instance.model
    n, p = x.shape[0], model.p
    i, j = np.triu_indices(n, 1)
    sets = np.array(list(itertools.combinations(range(n), p)))
    matrix = jnp.sum(instance.Y[i, j] * x[i] * x[j])
    tensor = jnp.sum(instance.T[tuple(sets.T)] * jnp.prod(x[sets], axis=1))
    return (-matrix / (model.delta2 * math.sqrt(n))
            - math.sqrt(math.factorial(p - 1)) / (model.deltap * n ** ((p - 1) / 2)) * tensor)


def _mean_instance(instance):
    """The instance with the noise replaced by its mean: E Y_ij = x*_i x*_j / sqrt(N) off the diagonal, and
    E T = sqrt((p-1)!) x*^{(x)p} / N^((p-1)/2) on distinct indices; built with explicit index sets."""
    model, x = instance.model, np.asarray(instance.signal)
    n, p = x.shape[0], model.p
    y = np.outer(x, x) / math.sqrt(n) * (1 - np.eye(n))
    t = np.zeros((n,) * p)
    for idx in itertools.permutations(range(n), p):
        t[idx] = math.sqrt(math.factorial(p - 1)) * np.prod(x[list(idx)]) / n ** ((p - 1) / 2)
    return sp.SpikedInstance(instance.signal, jnp.asarray(y), jnp.asarray(t), model)


def _elementary(v, k):
    return sum(np.prod(v[list(c)]) for c in itertools.combinations(range(len(v)), k))


# ------------------------------------------------------------------------------------------- the model


def test_model_is_validated_immutable_and_hashable():
    m = sp.SpikedMatrixTensor(3, 0.5, 2)
    assert (m.p, m.delta2, m.deltap) == (3, 0.5, 2.0) and isinstance(m.deltap, float)
    assert m == sp.SpikedMatrixTensor(3, 0.5, 2.0) and hash(m) == hash(sp.SpikedMatrixTensor(3, 0.5, 2.0))
    assert m.xi == ls.fields.mixture({2: 1.0, 3: 1 / 6})  # 1/(2 Delta_2), 1/(p Delta_p)
    with pytest.raises(AttributeError):
        m.p = 4
    for args, err in [((2, 1.0, 1.0), ValueError), ((3.0, 1.0, 1.0), TypeError), ((3, 0.0, 1.0), ValueError),
                      ((3, 1.0, -1.0), ValueError), ((3, np.inf, 1.0), ValueError), ((3, "1", 1.0), TypeError)]:
        with pytest.raises(err):
            sp.SpikedMatrixTensor(*args)


def test_sample_stores_symmetric_observations_with_the_stated_law():
    model = sp.SpikedMatrixTensor(3, 0.7, 1.3)
    n = 64
    inst = sp.sample(KEY, n, model)
    x, y, t = (np.asarray(a) for a in (inst.signal, inst.Y, inst.T))
    np.testing.assert_allclose(x @ x, n, rtol=1e-12)
    np.testing.assert_array_equal(y, y.T)
    assert np.all(np.diag(y) == 0)
    for perm in itertools.permutations(range(3)):
        np.testing.assert_array_equal(t, t.transpose(perm))
    i = np.arange(n)
    assert np.all(t[i, i, :] == 0) and np.all(t[i, :, i] == 0) and np.all(t[:, i, i] == 0)
    # ordered entries minus their means, over the noise scale, are i.i.d. N(0, 1): check mean and variance to
    # 5 standard errors (a wrong sqrt(Delta) or a doubled entry from the mirroring would move the variance by >= 30%)
    a, b = np.triu_indices(n, 1)
    z2 = (y[a, b] - x[a] * x[b] / math.sqrt(n)) / math.sqrt(model.delta2)
    sets = np.array(list(itertools.combinations(range(n), 3)))
    zp = (t[tuple(sets.T)] - math.sqrt(2) * np.prod(x[sets], axis=1) / n) / math.sqrt(model.deltap)
    for z in (z2, zp):
        assert abs(z.mean()) < 5 / math.sqrt(z.size)
        assert abs(z.var() - 1) < 5 * math.sqrt(2 / z.size)
    # the signal is in the entries: their mean along x* x*^T/sqrt(N) has the right amplitude (5 s.e.)
    amp = (y[a, b] @ (x[a] * x[b])) / np.sum((x[a] * x[b]) ** 2) * math.sqrt(n)
    assert abs(amp - 1) < 5 * math.sqrt(model.delta2 * n / np.sum((x[a] * x[b]) ** 2))


def test_sample_validates_and_refuses_huge_tensors_before_allocating():
    model = sp.SpikedMatrixTensor(3, 1.0, 1.0)
    with pytest.raises(ValueError, match="MAX_INSTANCE_ENTRIES"):
        sp.sample(KEY, 10**4, model)
    with pytest.raises(ValueError, match="n must be"):
        sp.sample(KEY, 2, model)
    with pytest.raises(TypeError, match="key"):
        sp.sample(0, 8, model)
    with pytest.raises(TypeError, match="model"):
        sp.sample(KEY, 8, 3)
    inst = sp.sample(KEY, 6, model)
    with pytest.raises(ValueError, match="instance.T"):
        sp.loss(inst._replace(T=inst.T[:5]), inst.signal)
    with pytest.raises(ValueError, match="finite"):
        sp.loss(inst._replace(Y=inst.Y.at[0, 1].set(jnp.nan)), inst.signal)
    with pytest.raises(TypeError, match="SpikedInstance"):
        sp.loss((inst.signal, inst.Y, inst.T, model), inst.signal)
    with pytest.raises(ValueError, match="sphere"):
        sp.loss(inst, 2 * inst.signal)
    with pytest.raises(ValueError, match="last axis"):
        sp.loss(inst, jnp.ones(5))


# ------------------------------------------------------------------------------------------------ loss


@pytest.mark.parametrize("n, p", [(5, 3), (6, 4)])
def test_loss_field_derivatives_match_the_literal_ordered_sums(n, p):
    model = sp.SpikedMatrixTensor(p, 0.6, 1.7)
    k1, k2 = jax.random.split(jax.random.fold_in(KEY, p))
    inst = sp.sample(k1, n, model)
    x = ls.sphere.random_points(k2, n, 3)
    def literal(s):
        return _literal_loss(inst, s)
    field = sp.loss_field(inst)
    h, g, hess = ls.fields.derivatives(field, x, 2)
    np.testing.assert_allclose(h, jax.jit(jax.vmap(literal))(x), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(g, jax.jit(jax.vmap(jax.grad(literal)))(x), rtol=1e-11, atol=1e-12)
    np.testing.assert_allclose(hess, jax.jit(jax.vmap(jax.hessian(literal)))(x), rtol=1e-11, atol=1e-12)
    for k in range(2):
        np.testing.assert_allclose(sp.riemannian_gradient(inst, x[k]),
                                   ls.sphere.riemannian_gradient(literal, x[k]), atol=1e-11)
        np.testing.assert_allclose(sp.riemannian_hessian(inst, x[k]),
                                   ls.sphere.riemannian_hessian(literal, x[k]), atol=1e-11)
    # batched over leading axes, and extensive (L, not L/N)
    np.testing.assert_allclose(sp.loss(inst, x.reshape(3, 1, n))[:, 0], h, rtol=1e-13)
    assert sp.riemannian_gradient(inst, x).shape == (3, n) and sp.riemannian_hessian(inst, x).shape == (3, n, n)
    # test the test: doubling the matrix prefactor (forgetting that i < j is half the full sum) is caught
    wrong = ls.fields.PreparedField((2 * field.tensors[0], field.tensors[1]), field.weights)
    assert abs(float(ls.fields.energy(wrong, x[0]) - literal(x[0]))) > 1e-3


@pytest.mark.parametrize("n, p", [(5, 3), (6, 4)])
def test_exact_mean_and_covariance_of_the_loss(n, p):
    model = sp.SpikedMatrixTensor(p, 0.8, 0.6)
    k1, k2 = jax.random.split(jax.random.fold_in(KEY, 10 + p))
    inst = sp.sample(k1, n, model)
    x, y = ls.sphere.random_points(k2, n, 2)
    star = np.asarray(inst.signal)
    # K(x, y) from the ordered sums: sum over i<j of x_i y_i x_j y_j / (Delta_2 N) + (p-1)! e_p / (Delta_p N^(p-1))
    def kernel(a, b):
        v = np.asarray(a) * np.asarray(b)
        return (_elementary(v, 2) / (model.delta2 * n)
                + math.factorial(p - 1) * _elementary(v, p) / (model.deltap * n ** (p - 1)))
    np.testing.assert_allclose(sp.loss_covariance(model, x, y), kernel(x, y), rtol=1e-12)
    np.testing.assert_allclose(sp.expected_loss(model, star, x), -kernel(star, x), rtol=1e-12)
    # the loss is linear in the data, so the loss of the mean data is the mean loss
    np.testing.assert_allclose(sp.loss(_mean_instance(inst), x), sp.expected_loss(model, star, x), rtol=1e-12)
    # batched: leading axes broadcast
    both = jnp.stack([x, y])
    assert sp.loss_covariance(model, both[:, None], both[None]).shape == (2, 2)


def test_kernel_is_n_xi_minus_the_diagonal_correction():
    # p = 3 exactly: K(x, y) = N xi(q) - xi''(q) P2/(2N) + 2 P3/(3 Delta_p N^2), P_k = sum_i (x_i y_i)^k (Newton's
    # identities for e_2 and e_3); the O(1) term is what the ordered sums leave out, and it is not zero
    model = sp.SpikedMatrixTensor(3, 0.5, 2.0)
    n = 64
    k1, k2 = jax.random.split(jax.random.fold_in(KEY, 20))
    star = ls.sphere.random_points(k1, n)
    x = ls.sphere.points_at_overlap(k2, star, jnp.array([0.0, 0.3, 0.7, 1.0]))
    v = np.asarray(x) * np.asarray(star)
    q = v.sum(-1) / n
    def xi(d, s):
        return np.asarray(ls.fields.xi(model.xi, s, d))
    p2, p3 = (v**2).sum(-1), (v**3).sum(-1)
    exact = n * xi(0, q) - xi(2, q) * p2 / (2 * n) + 2 * p3 / (3 * model.deltap * n**2)
    k = np.asarray(sp.loss_covariance(model, star, x))
    np.testing.assert_allclose(k, exact, rtol=1e-12)
    np.testing.assert_allclose(-np.asarray(sp.expected_loss(model, star, x)), k, rtol=1e-15)
    assert np.all(np.abs(k - n * xi(0, q)) > 0.1)  # the O(1) correction is there ...
    assert np.all(np.abs(k - n * xi(0, q)) < 3 * xi(2, 1.0))  # ... and O(1): |P2/N| <= max x_i^2 y_i^2 ~ log N
    # the variance at x = y is N xi(1)(1 - O(1/N))
    var = float(sp.loss_covariance(model, star, star))
    assert 0 < 1 - var / (n * xi(0, 1.0)) < 10 / n


def test_monte_carlo_law_of_the_loss():
    # S independent instances at N = 64; at points x drawn at overlaps m with each instance's signal, and x' at
    # overlap 0.5 with x, the standardised residual z = (L(x) - E L(x))/sqrt(K(x, x)) is exactly N(0, 1) and
    # corr(z(x), z(x')) = K(x, x')/sqrt(K(x,x) K(x',x')). Tolerances: 5 standard errors.
    model = sp.SpikedMatrixTensor(3, 0.5, 1.5)
    n, s = 64, 240
    overlaps = jnp.array([0.0, 0.5, 0.9])

    def one(key):
        k1, k2, k3 = jax.random.split(key, 3)
        inst = sp.sample(k1, n, model)
        x = ls.sphere.points_at_overlap(k2, inst.signal, overlaps)
        x2 = jax.vmap(lambda k, a: ls.sphere.points_at_overlap(k, a, jnp.asarray(0.5)))(jax.random.split(k3, 3), x)
        both = jnp.stack([x, x2])
        mean = sp.expected_loss(model, inst.signal, both)
        resid = ls.fields.energy(sp.loss_field(inst), both) - mean
        var = sp.loss_covariance(model, both, both)
        return resid / jnp.sqrt(var), sp.loss_covariance(model, x, x2) / jnp.sqrt(var[0] * var[1]), mean[0]

    z, r, mean = (np.asarray(a) for a in jax.lax.map(one, jax.random.split(jax.random.fold_in(KEY, 30), s)))
    assert z.shape == (s, 2, 3)
    assert np.all(np.abs(z.mean(0)) < 5 / math.sqrt(s))
    assert np.all(np.abs(z.var(0) - 1) < 5 * math.sqrt(2 / s))
    rho = r.mean(0)
    np.testing.assert_allclose(rho, np.asarray(ls.fields.xi(model.xi, 0.5)) / float(ls.fields.xi(model.xi, 1.0)),
                               atol=0.05)  # K(x, x') ~ N xi(1/2): the field's covariance, to O(1/N)
    corr = (z[:, 0] * z[:, 1]).mean(0)
    assert np.all(np.abs(corr - rho) < 5 * (1 - rho**2) / math.sqrt(s) + 0.02)
    # the mean is -N xi(m) + xi''(m) sum_i x*_i^2 x_i^2/(2N) + O(1/N); for x = m x* + sqrt(1 - m^2) e with e uniform
    # orthogonal to x*, E sum_i x*_i^2 x_i^2/N = 3 m^2 N/(N+2) + 1 - m^2 + O(1/N) (E x*_i^4 = 3N/(N+2) on S_N).
    # Tolerance 10%: over 240 instances the sample mean of sum_i x*_i^2 x_i^2/N has a relative error of about 3%.
    m = np.asarray(overlaps)
    correction = np.asarray(ls.fields.xi(model.xi, m, 2)) * (3 * m**2 * n / (n + 2) + 1 - m**2) / 2
    np.testing.assert_allclose(mean.mean(0) + n * np.asarray(ls.fields.xi(model.xi, m)), correction, rtol=0.1)


# ------------------------------------------------------------------------------------------ thresholds


def _slope_ml(theta, deltap):
    # the ML-AMP state-evolution map f(m) = xi'(m)/sqrt(xi'(m)^2 + xi'(1)) has f'(0) = xi''(0)/sqrt(xi'(1))
    mix = sp.SpikedMatrixTensor(3, 1 / theta, deltap).xi
    return float(ls.fields.xi(mix, 0.0, 2)) / math.sqrt(float(ls.fields.xi(mix, 1.0, 1)))


@pytest.mark.parametrize("p", [3, 4])
@pytest.mark.parametrize("deltap", [0.3, 1.0, 4.0])
def test_thresholds_solve_their_defining_conditions(p, deltap):
    ml = brentq(lambda th: _slope_ml(th, deltap) - 1, 0.1, 50, xtol=1e-13)

    def slope_bayes(th):  # d/dm [xi'(m)/(1 + xi'(m))] at m = 0 is xi''(0)/(1 + xi'(0))^2
        mix = sp.SpikedMatrixTensor(p, 1 / th, deltap).xi
        return float(ls.fields.xi(mix, 0.0, 2)) / (1 + float(ls.fields.xi(mix, 0.0, 1))) ** 2 - 1

    bayes = brentq(slope_bayes, 0.1, 50, xtol=1e-13)

    def bbp(th):  # theta = sqrt(xi''(1)): the spike reaches the edge of the threshold states' semicircle
        return th - math.sqrt(float(ls.fields.xi(sp.SpikedMatrixTensor(p, 1 / th, deltap).xi, 1.0, 2)))

    gf = brentq(bbp, 0.1, 50, xtol=1e-13)
    assert abs(sp.ml_amp_threshold(p, deltap) - ml) < 1e-10
    assert abs(sp.bayes_amp_threshold(p, deltap) - bayes) < 1e-10
    assert abs(sp.gradient_flow_threshold(p, deltap) - gf) < 1e-10
    # the BBP reading: rmt.bbp_outlier of the spike in units of the bulk radius leaves the edge exactly there
    assert float(ls.rmt.bbp_outlier(0.999)) == 2.0 and float(ls.rmt.bbp_outlier(1.001)) > 2.0
    assert 1 < sp.ml_amp_threshold(p, deltap) < sp.gradient_flow_threshold(p, deltap)
    # the state-evolution functions have slope one at m = 0 exactly at the thresholds
    model = sp.SpikedMatrixTensor(p, 1 / sp.ml_amp_threshold(p, deltap), deltap)
    m = np.asarray(sp.ml_amp_state_evolution(model, 1e-7, 1))
    assert abs(m[1] / m[0] - 1) < 1e-6
    model = sp.SpikedMatrixTensor(p, 1.0, deltap)
    m = np.asarray(sp.bayes_amp_state_evolution(model, 1e-7, 1))
    assert abs(m[1] / m[0] - 1) < 1e-6


def test_threshold_values_limits_and_validation():
    np.testing.assert_allclose(sp.ml_amp_threshold(3, 1.0), (1 + math.sqrt(5)) / 2, rtol=1e-15)  # 1.6180...
    np.testing.assert_allclose(sp.gradient_flow_threshold(3, 1.0), 2.0, rtol=1e-15)
    np.testing.assert_allclose(sp.gradient_flow_threshold(4, 1.0), (1 + math.sqrt(13)) / 2, rtol=1e-15)  # 2.3028
    np.testing.assert_allclose(sp.gradient_flow_threshold(4, 1.5), 2.0, rtol=1e-15)  # 1 + 4*3/1.5 = 9
    np.testing.assert_allclose(sp.ml_amp_threshold(4, 3.0), sp.ml_amp_threshold(3, 3.0), rtol=1e-15)
    # in the papers' variables: Delta_2^GF = (sqrt(Dp^2 + 4(p-1)Dp) - Dp)/(2(p-1)), Delta_2^ML = (sqrt(Dp^2+4Dp)-Dp)/2
    dp = np.array([0.2, 1.0, 7.0])
    np.testing.assert_allclose(1 / sp.gradient_flow_threshold(3, dp), (np.sqrt(dp**2 + 8 * dp) - dp) / 4, rtol=1e-14)
    np.testing.assert_allclose(1 / sp.ml_amp_threshold(3, dp), (np.sqrt(dp**2 + 4 * dp) - dp) / 2, rtol=1e-14)
    assert sp.bayes_amp_threshold(3, dp).shape == (3,) and np.all(sp.bayes_amp_threshold(3, dp) == 1)
    # Delta_p -> infinity: the spiked matrix alone, threshold 1
    for f in (sp.ml_amp_threshold, sp.gradient_flow_threshold):
        assert abs(f(3, 1e12) - 1) < 1e-11
    for bad, err in [(0.0, ValueError), (-1.0, ValueError), (np.inf, ValueError), (True, TypeError)]:
        with pytest.raises(err):
            sp.gradient_flow_threshold(3, bad)
    with pytest.raises(ValueError):
        sp.ml_amp_threshold(2, 1.0)


def test_state_evolutions():
    model = sp.SpikedMatrixTensor(3, 0.4, 1.0)
    def xi1(m):
        return m / 0.4 + m ** 2
    m = np.asarray(sp.ml_amp_state_evolution(model, np.array([0.1, 0.3]), 60))
    assert m.shape == (61, 2)
    np.testing.assert_allclose(m[1], xi1(m[0]) / np.sqrt(xi1(m[0]) ** 2 + xi1(1.0)), rtol=1e-14)
    np.testing.assert_allclose(m[-1, 0], xi1(m[-1, 0]) / np.sqrt(xi1(m[-1, 0]) ** 2 + xi1(1.0)), rtol=1e-12)
    b = np.asarray(sp.bayes_amp_state_evolution(model, 0.1, 60))
    np.testing.assert_allclose(b[1:], xi1(b[:-1]) / (1 + xi1(b[:-1])), rtol=1e-14)
    # from q0 != m0 the pair (m, q) flows; q0 = m0 is the default
    np.testing.assert_allclose(sp.bayes_amp_state_evolution(model, 0.1, 5, q0=0.1), b[:6], rtol=1e-15)
    off = np.asarray(sp.bayes_amp_state_evolution(model, 0.1, 1, q0=1.0))
    np.testing.assert_allclose(off[1], xi1(0.1) / (1 + xi1(1.0)), rtol=1e-14)
    for bad in (1.5, np.nan):
        with pytest.raises(ValueError):
            sp.ml_amp_state_evolution(model, bad, 3)
    with pytest.raises(ValueError, match="Cauchy"):
        sp.bayes_amp_state_evolution(model, 0.5, 3, q0=0.1)
    with pytest.raises(ValueError):
        sp.ml_amp_state_evolution(model, 0.1, 0)


# ---------------------------------------------------------------------------------------- AMP at finite N


N_AMP, K_AMP = 200, 6
ABOVE = sp.SpikedMatrixTensor(3, 0.4, 1.0)  # 1/Delta_2 = 2.5 > ml_amp_threshold(3, 1) = 1.618
BELOW = sp.SpikedMatrixTensor(3, 1.0, 1.0)  # 1/Delta_2 = 1 < 1.618: ML-AMP stays at m = 0
BAYES = sp.SpikedMatrixTensor(3, 1 / 1.2, 1.0)  # 1/Delta_2 = 1.2 > bayes_amp_threshold = 1, below ML-AMP's


def _at(instance, model):
    """The same signal and noise at another Delta_2: Y = E Y + sqrt(Delta_2) Z, with Z reused."""
    n = instance.signal.shape[0]
    mean = jnp.outer(instance.signal, instance.signal) / math.sqrt(n) * (1 - jnp.eye(n))
    y = mean + jnp.sqrt(model.delta2 / instance.model.delta2) * (instance.Y - mean)
    return sp.SpikedInstance(instance.signal, y, instance.T, model)


def _two_time_ml_se(model, m0, n_iter):
    """ML-AMP's two-time state evolution (see AMPResult), written out here independently of the package."""
    def xi1(q):
        return q / model.delta2 + q ** (model.p - 1) / model.deltap
    m = [m0]
    for _ in range(n_iter):
        m.append(xi1(m[-1]) / math.sqrt(xi1(m[-1]) ** 2 + xi1(1.0)))
    d = [math.sqrt(xi1(a) ** 2 + xi1(1.0)) for a in m]
    c = np.eye(n_iter + 1)
    for t in range(n_iter):
        c[t + 1, 0] = c[0, t + 1] = xi1(m[t]) * m0 / d[t]
        for s in range(t):
            c[t + 1, s + 1] = c[s + 1, t + 1] = (xi1(m[t]) * xi1(m[s]) + xi1(c[t, s])) / (d[t] * d[s])
    return np.array(m), c


@pytest.fixture(scope="module")
def amp_runs():
    """K instances at N = 200 (sampled once, at 1/Delta_2 = 2.5, and moved to the other Delta_2 by rescaling the
    same noise); two starts each for every run."""
    n_iter = 12

    def runs(key):
        ks, k1, k2, k3 = jax.random.split(key, 4)
        inst = sp.sample(ks, N_AMP, ABOVE)
        up = sp.ml_amp(inst, ls.sphere.points_at_overlap(k1, inst.signal, jnp.full((2,), 0.3)), n_iter)
        down = sp.ml_amp(_at(inst, BELOW), ls.sphere.points_at_overlap(k2, inst.signal, jnp.full((2,), 0.1)), n_iter)
        a = math.sqrt(0.1)  # Nishimori start: |x0|^2/N = x0.x*/N = 0.1
        x0 = a * ls.sphere.points_at_overlap(k3, inst.signal, jnp.full((2,), a))
        bayes = sp.bayes_amp(_at(inst, BAYES), x0, n_iter)
        return up.overlap, up.correlation, down.overlap, bayes.overlap, bayes.self_overlap

    out = jax.lax.map(runs, jax.random.split(jax.random.fold_in(KEY, 40), K_AMP))
    return n_iter, [np.asarray(a) for a in out]


def _agree(runs, theory, allowance):
    """Mean over runs (instances x starts, the last axis of ``runs``) within 4 standard errors plus the allowance."""
    flat = np.moveaxis(runs, -1, 1).reshape((-1,) + np.shape(theory))
    mean, se = flat.mean(0), flat.std(0, ddof=1) / math.sqrt(flat.shape[0])
    return np.all(np.abs(mean - theory) <= 4 * se + allowance), mean, se


def test_ml_amp_follows_its_state_evolution_above_threshold(amp_runs):
    n_iter, (up, corr, *_) = amp_runs
    # Allowance: at finite N each iteration moves m by a Gaussian of standard deviation
    # sqrt(xi'(1)/(xi'(m)^2 + xi'(1)))/sqrt(N) <= 1/sqrt(N); the mean deviation from SE is bounded by the rms one,
    # so 1/sqrt(N) (= 0.07) bounds it while the fluctuations have not been amplified (observed: about 10/N).
    allowance = 1 / math.sqrt(N_AMP)
    m_se, c_se = _two_time_ml_se(ABOVE, 0.3, n_iter)
    np.testing.assert_allclose(sp.ml_amp_state_evolution(ABOVE, 0.3, n_iter), m_se, rtol=1e-13)
    assert up.shape == (K_AMP, n_iter + 1, 2) and corr.shape == (K_AMP, n_iter + 1, n_iter + 1, 2)
    ok, mean, se = _agree(up, m_se, allowance)
    assert ok, (mean, m_se, se)
    assert mean[-1] > 0.7  # it found the signal: SE fixed point 0.827
    # the two-time correlations follow the two-time SE; C_{2,0} would be off by ~0.45 without the Onsager term
    ok, mean, se = _agree(corr, c_se, allowance)
    assert ok, (mean - c_se) / (se + 1e-9)
    assert abs(mean[2, 0] - c_se[2, 0]) < 0.2


def test_ml_amp_stays_uninformed_below_threshold(amp_runs):
    n_iter, (_, _, down, *_) = amp_runs
    m_se = np.asarray(sp.ml_amp_state_evolution(BELOW, 0.1, n_iter))
    assert m_se[-1] < 0.01
    ok, mean, se = _agree(down, m_se, 1 / math.sqrt(N_AMP))
    assert ok, (mean, m_se, se)
    # finite N: the overlap ends at the noise level, rms O(1/sqrt(N)) (3/sqrt(N) = 0.21), never near the signal
    assert np.sqrt(np.mean(down[:, -1] ** 2)) < 3 / math.sqrt(N_AMP)


def test_bayes_amp_follows_its_state_evolution_where_ml_amp_fails(amp_runs):
    n_iter, (*_, bayes, q) = amp_runs
    m_se = np.asarray(sp.bayes_amp_state_evolution(BAYES, 0.1, n_iter))
    ml_se = np.asarray(sp.ml_amp_state_evolution(BAYES, 0.1, n_iter))
    assert m_se[-1] > 0.25 and ml_se[-1] < 0.05  # at 1/Delta_2 = 1.2 Bayes-AMP learns, ML-AMP does not
    ok, mean, se = _agree(bayes, m_se, 1 / math.sqrt(N_AMP))
    assert ok, (mean, m_se, se)
    # Nishimori: the self-overlap tracks the overlap
    ok, mean, se = _agree(q - bayes, np.zeros(n_iter + 1), 1 / math.sqrt(N_AMP))
    assert ok, (mean, se)


def test_amp_validation_and_vmap_over_instances():
    model = sp.SpikedMatrixTensor(3, 0.5, 1.0)
    keys = jax.random.split(jax.random.fold_in(KEY, 50), 2)
    insts = jax.vmap(lambda k: sp.sample(k, 12, model))(keys)
    assert insts.T.shape == (2, 12, 12, 12) and insts.model == model
    x0 = jax.vmap(lambda s: ls.sphere.points_at_overlap(jax.random.key(1), s, jnp.full((3,), 0.2)))(insts.signal)
    out = jax.vmap(lambda i, x: sp.ml_amp(i, x, 4))(insts, x0)
    one = sp.ml_amp(jax.tree_util.tree_map(lambda a: a[1], insts), x0[1], 4)
    np.testing.assert_allclose(out.overlap[1], one.overlap, atol=1e-13)
    assert one.overlap.shape == (5, 3) and one.correlation.shape == (5, 5, 3) and one.estimate.shape == (3, 12)
    np.testing.assert_allclose(one.self_overlap, 1.0, atol=1e-13)
    np.testing.assert_allclose(jnp.einsum("ttb->tb", one.correlation), one.self_overlap, atol=1e-13)
    inst = jax.tree_util.tree_map(lambda a: a[0], insts)
    with pytest.raises(ValueError, match="sphere"):
        sp.ml_amp(inst, 0.5 * x0[0], 3)
    sp.bayes_amp(inst, 0.5 * x0[0], 3)  # Bayes-AMP starts anywhere
    with pytest.raises(ValueError, match="n_iter"):
        sp.ml_amp(inst, x0[0], sp.MAX_AMP_ITERATIONS + 1)
    with pytest.raises(ValueError, match="x0"):
        sp.bayes_amp(inst, x0[0, :, :5], 3)


# -------------------------------------------------------------------------------------------- gradient flow


def test_gradient_flow_finds_the_signal_above_threshold():
    model = sp.SpikedMatrixTensor(3, 1 / 3.0, 1.0)  # 1/Delta_2 = 3 > gradient_flow_threshold(3, 1) = 2
    n = 128
    ks, kx = jax.random.split(jax.random.fold_in(KEY, 60))
    inst = sp.sample(ks, n, model)
    x0 = ls.sphere.points_at_overlap(kx, inst.signal, jnp.full((2,), 0.1))
    traj = sp.gradient_flow(inst, x0, dt=0.05, n_steps=400, record_every=40, hessian=True)
    energy, overlap = np.asarray(traj.energy), np.asarray(traj.overlap)
    assert energy.shape == overlap.shape == (11, 2)
    assert np.all(np.diff(energy, axis=0) <= 1e-12)  # descent
    np.testing.assert_allclose(overlap[0], 0.1, atol=1e-12)
    np.testing.assert_allclose(overlap[-1], np.asarray(traj.final) @ np.asarray(inst.signal) / n, atol=1e-12)
    np.testing.assert_allclose(energy[0], np.asarray(sp.loss(inst, x0)) / n, rtol=1e-12)  # u = L/N
    np.testing.assert_allclose(energy[-1], np.asarray(sp.loss(inst, traj.final)) / n, rtol=1e-12)
    assert np.all((np.asarray(traj.hessian_overlap) >= 0) & (np.asarray(traj.hessian_overlap) <= 1 + 1e-12))
    # the end is a local minimum: zero gradient, positive lowest Hessian eigenvalue
    assert np.all(np.linalg.norm(np.asarray(sp.riemannian_gradient(inst, traj.final)), axis=-1) < 1e-6)
    assert np.all(np.asarray(traj.min_hessian_eigenvalue)[-1] > 0)
    # ... near the signal, and the same critical point as ML-AMP's fixed point on this instance
    m_star = float(sp.ml_amp_state_evolution(model, 0.1, 200)[-1])
    amp = sp.ml_amp(inst, x0, 60)
    for b in range(2):
        assert overlap[-1, b] > m_star - 3 / math.sqrt(n)
        np.testing.assert_allclose(np.asarray(amp.estimate[b]), np.asarray(traj.final[b]), atol=1e-5)
    # energy of ML-AMP's fixed point as N -> infinity: at the fixed point B = xi'(m) x* + sqrt(xi'(1)) z, and
    # x.(-grad L_k) = -k L_k per degree, with each degree's share of x.B and of the Onsager term, gives
    # u* = -[xi'(m) xi(m)/m + xi'(1)]/sqrt(xi'(m)^2 + xi'(1)) at the SE fixed point m* (for Delta_p -> infinity it
    # is -(theta + 1)/2, the top eigenvalue of the spiked matrix, as it must be). Tolerance: the loss per
    # degree of freedom fluctuates by sqrt(xi(1)/N) (0.12 here) from one instance to the next; allow 3 of them.
    def xi(d, q):
        return float(ls.fields.xi(model.xi, q, d))
    u_star = -(xi(1, m_star) * xi(0, m_star) / m_star + xi(1, 1.0)) / math.sqrt(xi(1, m_star) ** 2 + xi(1, 1.0))
    assert np.all(np.abs(energy[-1] - u_star) < 3 * math.sqrt(xi(0, 1.0) / n))
    assert np.all(energy[-1] < -xi(0, m_star))  # below the mean -xi(m): the minimum also exploits the noise


# ------------------------------------------------------------------------------- N = infinity gradient flow


def test_dmft_without_a_matrix_part_or_an_initial_overlap_is_cugliandolo_kurchan():
    model = sp.SpikedMatrixTensor(3, 0.4, 1.0)
    dmft = sp.gradient_flow_dmft(model, 6.0, 0.1, 0.0)
    ck = ls.dynamics.cugliandolo_kurchan(model.xi, 0.0, 6.0, 0.1)
    for a, b in zip((dmft.energy, dmft.mu, dmft.C, dmft.R), (ck.energy, ck.mu, ck.C, ck.R)):
        np.testing.assert_array_equal(a, b)
    assert np.all(dmft.m == 0.0)
    # no matrix part (1/Delta_2 -> 0): the pure 3-spin scaled by 1/(3 Delta_3)
    tensor_only = sp.gradient_flow_dmft(sp.SpikedMatrixTensor(3, 1e300, 0.5), 6.0, 0.1, 0.0)
    pure = ls.dynamics.cugliandolo_kurchan(ls.fields.mixture({3: 2 / 3}), 0.0, 6.0, 0.1)
    np.testing.assert_allclose(tensor_only.energy, pure.energy, rtol=1e-14, atol=1e-300)
    np.testing.assert_allclose(tensor_only.C, pure.C, rtol=1e-14)


def test_dmft_converges_in_dt_and_reaches_the_kac_rice_good_minimum():
    model = sp.SpikedMatrixTensor(3, 1 / 2.5, 1.0)  # above the gradient-flow line 1/Delta_2 = 2
    runs = [sp.gradient_flow_dmft(model, 8.0, dt, 0.05) for dt in (0.1, 0.05, 0.025)]
    at = [run.m[int(round(8.0 / (run.times[1] - run.times[0])))] for run in runs]
    assert (at[0] - at[1]) / (at[1] - at[2]) > 6.0  # fourth order: 16 in the limit
    # the long run on the adaptive grid ends at the good minimum of the Kac-Rice count (= ML-AMP's fixed point)
    long = sp.gradient_flow_dmft(model, 400.0, m0=1e-3, adaptive=True)
    m_star, u_star = sp.good_minimum(model)
    assert long.R is None and long.times[-1] >= 400.0
    assert abs(long.m[-1] - m_star) < 2e-3 and abs(long.energy[-1] - u_star) < 2e-3, (long.m[-1], m_star)
    # there the Hessian's multiplier is mu* = R + xi''(1)/R, R = xi'(m*)/m* (the Kac-Rice optimum)
    r = float(ls.fields.xi(model.xi, m_star, 1)) / m_star
    assert abs(long.mu[-1] - (r + float(ls.fields.xi(model.xi, 1.0, 2)) / r)) < 5e-3


def test_dmft_overlap_grows_at_the_bbp_rate_above_the_gradient_flow_line():
    deltap = 1.0
    line = sp.gradient_flow_threshold(3, deltap)
    for inv2, above in ((1.3 * line, True), (0.85 * line, False)):
        model = sp.SpikedMatrixTensor(3, 1 / inv2, deltap)
        sol = sp.gradient_flow_dmft(model, 100.0, m0=1e-12, adaptive=True, points=256)
        rate = np.gradient(np.log(sol.m), sol.times)
        v = float(ls.fields.xi(model.xi, 1.0, 2))
        k = np.argmin(np.abs(sol.times - 100.0))
        if above:  # the outlier theta + v/theta of the marginal states' Hessian, minus mu(t): measured 0.109 vs 0.106
            predicted = inv2 + v / inv2 - sol.mu[k]
            assert predicted > 0.05 and abs(rate[k] - predicted) < 0.1 * predicted, (rate[k], predicted)
        else:  # no outlier: the overlap creeps up as a power law, its rate ~ 1/t
            assert 0 < rate[k] < 0.01 and sol.m[k] < 100 * sol.m[0]


@pytest.mark.parametrize("kwargs, exc", [
    (dict(model=(3, 0.5, 1.0)), TypeError), (dict(m0=1.5), ValueError), (dict(t_max=0.0), ValueError),
    (dict(dt=-0.1), ValueError), (dict(adaptive=1), TypeError), (dict(adaptive=True, points=31), ValueError),
])
def test_dmft_validation(kwargs, exc):
    args = dict(model=sp.SpikedMatrixTensor(3, 0.5, 1.0), t_max=1.0, dt=0.1, m0=0.01)
    args.update(kwargs)
    with pytest.raises(exc):
        sp.gradient_flow_dmft(**args)
