"""Unit tests of landscape.glm: losses, data, empirical risk and its (Riemannian) derivatives, the overlap.

Exact identities at small sizes (n = 7, d = 5) against automatic differentiation of the literal risk; one Monte Carlo
check (n = 40 000, d = 8) to four standard errors. Fixed keys throughout.
"""

import math

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from scipy.integrate import quad

import landscape as ls
import landscape.glm as glm

KEY = jax.random.key(10)
N, D = 7, 5


def _custom(z, y):
    return jnp.log1p((z**2 - y**2) ** 2) + 0.1 * jnp.sin(z) * y**2 + 0.05 * z**3 * y


LOSSES = {
    "phase a=0.5": glm.phase_retrieval_loss(0.5),
    "correlation": glm.correlation_loss(),
    "custom": glm.Loss(_custom, "custom"),
}


@pytest.fixture(scope="module")
def data():
    return glm.sample(KEY, N, D, teacher="linear")


@pytest.fixture(scope="module")
def theta():
    return ls.sphere.random_points(jax.random.key(11), D)


def _literal_risk(loss, data):
    """R(theta) = (1/n) sum_i l(x_i . theta / sqrt(d), y_i) with a Python loop over samples."""
    x, y = data.x, data.y
    d = x.shape[1]

    def risk(t):
        return sum(loss(jnp.dot(x[i], t) / math.sqrt(d), y[i]) for i in range(x.shape[0])) / x.shape[0]

    return risk


# ----------------------------------------------------------------------------------------------- losses


def test_builtin_losses_values_and_derivatives():
    z = jnp.array([-1.3, 0.2, 0.7, 2.1])
    y = jnp.array([0.4, -1.1, 0.7, -0.3])
    a = 0.5
    value, d1, d2 = glm.derivatives(glm.phase_retrieval_loss(a), z, y)
    np.testing.assert_allclose(value, (z**2 - y**2) ** 2 / (a + y**2), rtol=1e-14, atol=1e-14)
    np.testing.assert_allclose(d1, 4 * z * (z**2 - y**2) / (a + y**2), rtol=1e-13, atol=1e-13)
    np.testing.assert_allclose(d2, (12 * z**2 - 4 * y**2) / (a + y**2), rtol=1e-13, atol=1e-13)
    value, d1, d2 = glm.derivatives(glm.correlation_loss(), z, y)
    np.testing.assert_allclose(value, -y * z, rtol=1e-15)
    np.testing.assert_allclose(d1, -y, rtol=1e-15)
    np.testing.assert_allclose(d2, 0.0, atol=1e-15)
    value, _, d2 = glm.derivatives(glm.square_intensity_loss(), z, y)
    np.testing.assert_allclose(value, (z**2 - y**2) ** 2, rtol=1e-14, atol=1e-14)
    np.testing.assert_allclose(d2, 12 * z**2 - 4 * y**2, rtol=1e-13)
    # a * l_a -> square intensity as a -> infinity
    big = glm.derivatives(glm.phase_retrieval_loss(1e8), z, y)[0] * 1e8
    np.testing.assert_allclose(big, (z**2 - y**2) ** 2, rtol=1e-6, atol=1e-12)


def test_derivatives_broadcast_and_shape():
    value, d1, d2 = glm.derivatives(glm.phase_retrieval_loss(1.0), jnp.ones((3, 1)), jnp.arange(4.0))
    assert value.shape == d1.shape == d2.shape == (3, 4)


def test_loss_is_hashable_and_static_under_jit():
    a, b = glm.phase_retrieval_loss(2.0), glm.phase_retrieval_loss(2.0)
    assert a == b and hash(a) == hash(b)
    assert a != glm.phase_retrieval_loss(3.0)

    @jax.jit
    def f(loss, z):
        return loss(z, 1.0)

    assert float(f(a, 2.0)) == pytest.approx(9.0 / 3.0)


@pytest.mark.parametrize("bad", [0.0, -1.0, float("nan"), float("inf")])
def test_phase_retrieval_loss_rejects_bad_a(bad):
    with pytest.raises(ValueError, match="a must"):
        glm.phase_retrieval_loss(bad)
    with pytest.raises(TypeError, match="a must"):
        glm.phase_retrieval_loss("1")


@pytest.mark.parametrize("f, exc", [
    (lambda z: z**2, TypeError),                              # one argument
    (lambda z, y: jnp.array([z, y]), TypeError),              # vector-valued
    (lambda z, y: 1, TypeError),                              # integer output, not differentiable
    (lambda z, y: jnp.abs(z) ** 0.5 + jnp.log(y), ValueError),  # non-finite at a test point (y < 0)
    (3.0, TypeError),                                         # not callable
])
def test_loss_validation(f, exc):
    with pytest.raises(exc, match="loss"):
        glm.Loss(f, "bad")


def test_functions_reject_non_loss(data, theta):
    with pytest.raises(TypeError, match="loss must be"):
        glm.empirical_risk(lambda z, y: z, data, theta)


# ------------------------------------------------------------------------------------------------- data


def test_sample_shapes_and_labels():
    data = glm.sample(KEY, 50, 6)
    assert data.x.shape == (50, 6) and data.y.shape == (50,) and data.teacher.shape == (6,)
    np.testing.assert_allclose(jnp.sum(data.teacher**2), 6.0, rtol=1e-13)
    np.testing.assert_allclose(data.y, data.x @ data.teacher / math.sqrt(6), rtol=1e-13)
    same = glm.sample(KEY, 50, 6, teacher="linear")  # the kind names the observation model, not the arrays
    np.testing.assert_array_equal(data.x, same.x)
    assert float(glm.overlap(data, data.teacher)) == pytest.approx(1.0, abs=1e-13)


def test_sample_validation():
    with pytest.raises(ValueError, match="n must"):
        glm.sample(KEY, 0, 5)
    with pytest.raises(ValueError, match="d must"):
        glm.sample(KEY, 5, 1)
    with pytest.raises(TypeError, match="d must"):
        glm.sample(KEY, 5, 4.0)
    with pytest.raises(ValueError, match="MAX_DATA_ENTRIES"):
        glm.sample(KEY, 10**6, 10**6)  # refused before allocating 8 TB
    with pytest.raises(ValueError, match="teacher must"):
        glm.sample(KEY, 5, 4, teacher="relu")
    with pytest.raises(TypeError, match="key"):
        glm.sample(0, 5, 4)


def test_theta_and_data_validation(data, theta):
    loss = LOSSES["phase a=0.5"]
    with pytest.raises(ValueError, match="finite"):
        glm.empirical_risk(loss, data, theta.at[0].set(jnp.nan))
    with pytest.raises(ValueError, match="last axis of length d"):
        glm.riemannian_gradient(loss, data, jnp.ones(D + 1))
    with pytest.raises(ValueError, match="last axis of length d"):
        glm.overlap(data, jnp.float64(1.0))
    with pytest.raises(ValueError, match="sphere"):
        glm.riemannian_hessian(loss, data, 2 * theta)
    with pytest.raises(TypeError, match="data must"):
        glm.empirical_risk(loss, (data.x, data.y), theta)
    with pytest.raises(ValueError, match="data.y"):
        glm.empirical_risk(loss, data._replace(y=data.y[:-1]), theta)
    with pytest.raises(ValueError, match="data.x"):
        glm.empirical_risk(loss, data._replace(x=data.x.at[0, 0].set(jnp.inf)), theta)


# ----------------------------------------------------------------------------- closed forms vs autodiff


@pytest.mark.parametrize("name", list(LOSSES))
def test_closed_forms_match_autodiff(name, data, theta):
    loss = LOSSES[name]
    risk = _literal_risk(loss, data)
    np.testing.assert_allclose(glm.empirical_risk(loss, data, theta), risk(theta), rtol=1e-13)
    np.testing.assert_allclose(glm.euclidean_gradient(loss, data, theta), jax.grad(risk)(theta),
                               rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(glm.euclidean_hessian(loss, data, theta), jax.hessian(risk)(theta),
                               rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(glm.riemannian_gradient(loss, data, theta),
                               ls.sphere.riemannian_gradient(risk, theta), rtol=1e-12, atol=1e-14)
    hess = glm.riemannian_hessian(loss, data, theta)
    np.testing.assert_allclose(hess, ls.sphere.riemannian_hessian(risk, theta), rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(glm.scaled_hessian(loss, data, theta), D * hess, rtol=1e-13, atol=1e-14)


@pytest.mark.parametrize("name", list(LOSSES))
def test_scaled_hessian_is_weighted_covariance_minus_multiplier(name, data, theta):
    """d Hess R = (1/n) sum_i l''_i P x_i x_i^T P - mu P with mu = (1/n) sum_i l'_i z_i = theta . grad R."""
    loss = LOSSES[name]
    z = data.x @ theta / math.sqrt(D)
    d1 = jnp.array([jax.grad(loss, 0)(z[i], data.y[i]) for i in range(N)])
    d2 = jnp.array([jax.grad(jax.grad(loss, 0), 0)(z[i], data.y[i]) for i in range(N)])
    mu = jnp.mean(d1 * z)
    np.testing.assert_allclose(glm.multiplier(loss, data, theta), mu, rtol=1e-13, atol=1e-15)
    np.testing.assert_allclose(mu, theta @ jax.grad(_literal_risk(loss, data))(theta), rtol=1e-12, atol=1e-15)
    p = jnp.eye(D) - jnp.outer(theta, theta) / D
    px = data.x @ p
    expected = sum(d2[i] * jnp.outer(px[i], px[i]) for i in range(N)) / N - mu * p
    np.testing.assert_allclose(glm.scaled_hessian(loss, data, theta), expected, rtol=1e-12, atol=1e-14)
    # theta is in the kernel; the tangent matrix of landscape.sphere carries the other d - 1 eigenvalues
    np.testing.assert_allclose(glm.scaled_hessian(loss, data, theta) @ theta, 0.0, atol=1e-12)
    tangent = ls.sphere.tangent_hessian(theta, glm.scaled_hessian(loss, data, theta))
    full = np.sort(np.linalg.eigvalsh(np.asarray(expected)))
    eig = np.sort(np.linalg.eigvalsh(np.asarray(tangent)))
    zero = np.argmin(np.abs(full))
    np.testing.assert_allclose(eig, np.delete(full, zero), rtol=1e-10, atol=1e-12)


def test_batched_over_leading_axes(data):
    loss = LOSSES["custom"]
    thetas = ls.sphere.random_points(jax.random.key(12), D, 6).reshape(2, 3, D)
    for f in (glm.empirical_risk, glm.riemannian_gradient, glm.scaled_hessian, glm.multiplier):
        batched = f(loss, data, thetas)
        single = jnp.stack([f(loss, data, t) for t in thetas.reshape(6, D)])
        assert batched.shape[:2] == (2, 3)
        np.testing.assert_allclose(batched.reshape(single.shape), single, rtol=1e-13, atol=1e-15)
    np.testing.assert_allclose(glm.overlap(data, thetas), thetas @ data.teacher / D, rtol=1e-14, atol=1e-14)


def test_correlation_loss_critical_points():
    """R = -theta . X^T X theta* / (n d) is linear: grad R vanishes on S_d exactly at +- sqrt(d) v/|v|."""
    data = glm.sample(jax.random.key(13), 40, 12, teacher="linear")
    loss = glm.correlation_loss()
    v = data.x.T @ data.x @ data.teacher
    best = ls.sphere.normalize(v)
    for sign in (1.0, -1.0):
        np.testing.assert_allclose(glm.riemannian_gradient(loss, data, sign * best), 0.0, atol=1e-13)
    other = ls.sphere.random_points(jax.random.key(14), 12)
    assert float(jnp.linalg.norm(glm.riemannian_gradient(loss, data, other))) > 1e-2
    # + is the minimum (Hessian -mu P with mu = R < 0), - the maximum
    tangent = ls.sphere.tangent_hessian(best, glm.scaled_hessian(loss, data, best))
    assert np.all(np.linalg.eigvalsh(np.asarray(tangent)) > 0)
    tangent = ls.sphere.tangent_hessian(-best, glm.scaled_hessian(loss, data, -best))
    assert np.all(np.linalg.eigvalsh(np.asarray(tangent)) < 0)


# ----------------------------------------------------------------------------------------------- Monte Carlo


def test_risk_at_zero_overlap_monte_carlo():
    """theta independent of the inputs with m = 0: z_i, y_i are i.i.d. independent N(0, 1), so
    E R = E l_1(z, y) = E_y[(3 - 2y^2 + y^4)/(1 + y^2)] (E_z (z^2 - y^2)^2 = 3 - 2y^2 + y^4)."""
    n, d = 40_000, 8
    data = glm.sample(jax.random.key(15), n, d)
    theta = ls.sphere.points_at_overlap(jax.random.key(16), data.teacher, jnp.float64(0.0))
    assert abs(float(glm.overlap(data, theta))) < 1e-12
    loss = glm.phase_retrieval_loss(1.0)
    z = data.x @ theta / math.sqrt(d)
    terms = np.asarray(glm.derivatives(loss, z, data.y)[0])
    risk = float(glm.empirical_risk(loss, data, theta))
    assert risk == pytest.approx(terms.mean(), rel=1e-12)
    exact = quad(lambda y: math.exp(-y * y / 2) / math.sqrt(2 * math.pi) * (3 - 2 * y**2 + y**4) / (1 + y**2),
                 -np.inf, np.inf, epsabs=1e-12)[0]
    stderr = terms.std(ddof=1) / math.sqrt(n)
    assert abs(risk - exact) < 4 * stderr, (risk, exact, stderr)


# ------------------------------------------------------------------------------------------- gradient flow


def test_gradient_flow_runs_dynamics_on_the_risk_and_records_the_overlap_and_the_hessian():
    key = jax.random.key(1010)
    n, d = 600, 40
    data = ls.glm.sample(key, n, d, teacher="linear")
    starts = ls.sphere.random_points(jax.random.fold_in(key, 1), d, 3)
    # the correlation loss has one minimum on S_d, at normalize(X^T X theta*)
    loss = ls.glm.correlation_loss()
    traj = ls.glm.gradient_flow(loss, data, starts, dt=0.2, n_steps=2000, record_every=500, hessian=True)
    target = np.asarray(data.x.T @ (data.x @ data.teacher))
    target = target / np.linalg.norm(target) * np.sqrt(d)
    np.testing.assert_allclose(np.asarray(traj.final), np.broadcast_to(target, (3, d)), atol=1e-6)
    np.testing.assert_allclose(np.asarray(traj.energy[-1]),
                               np.asarray(ls.glm.empirical_risk(loss, data, jnp.asarray(target))), atol=1e-10)
    np.testing.assert_allclose(np.asarray(traj.overlap[-1]),
                               np.asarray(ls.glm.overlap(data, jnp.asarray(target))), atol=1e-8)
    assert np.all(np.diff(np.asarray(traj.energy), axis=0) <= 1e-12)
    # the recorded bottom of the Hessian is that of the tangent scaled Hessian; mu is minus the multiplier
    end = traj.final[0]
    tangent = ls.sphere.tangent_hessian(end, ls.glm.scaled_hessian(loss, data, end))
    assert abs(float(traj.min_hessian_eigenvalue[-1, 0]) - float(np.linalg.eigvalsh(np.asarray(tangent))[0])) < 1e-8
    assert abs(float(traj.mu[-1, 0]) + float(ls.glm.multiplier(loss, data, end))) < 1e-10
    # phase retrieval with plenty of data: a random start finds the signal up to its sign
    pr = ls.glm.phase_retrieval_loss(1.0)
    data_pr = ls.glm.sample(jax.random.fold_in(key, 2), 8 * d, d)
    out = ls.glm.gradient_flow(pr, data_pr, starts, dt=0.01, n_steps=4000, record_every=4000)
    assert np.all(np.abs(np.asarray(out.overlap[-1])) > 0.95), np.asarray(out.overlap[-1])
    with pytest.raises(TypeError, match="loss"):
        ls.glm.gradient_flow(lambda z, y: z, data, starts)
    with pytest.raises(ValueError, match="sphere"):
        ls.glm.gradient_flow(loss, data, 2 * starts)
