"""Tests of landscape.glm (descent_experiment): gradient descent from random starts in phase retrieval, batched over problems.

Small sizes (d = 40..60) and fixed keys; the shapes are shared between tests (the module fixture) so that the file
compiles few programs. The success/failure test has a margin: at d = 100 and 32 problems per ratio the default flow
succeeded 0/32 times at alpha = 1 and 32/32 at alpha >= 5 (a = 1), so a sign error, a wrong time scale or a broken
padding shows up as the wrong count, not as a borderline one.
"""

import math

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import landscape as ls
import landscape.glm as glm
from landscape import glm as gd

KEY = jax.random.key(1010)
LOSS = glm.phase_retrieval_loss(1.0)
D = 60
ALPHAS = (1.0, 3.5, 10.0)  # below, inside and above the transition at d = 60
SAMPLES = 8


@pytest.fixture(scope="module")
def result():
    # pad=True: one shape (n = 600) for all ratios, so the comparisons below also check the padding
    return gd.descent_experiment(KEY, LOSS, ALPHAS, D, SAMPLES, pad=True)


def test_descent_succeeds_with_many_samples_and_fails_with_few(result):
    assert result.success.shape == (3, SAMPLES)
    p, se = result.success_probability()
    assert p[0] == 0.0, result.overlap[0]  # alpha = 1: stuck away from the signal
    assert p[2] >= 7 / 8, result.overlap[2]  # alpha = 10: recovers the teacher up to its sign
    np.testing.assert_allclose(se, np.sqrt(p * (1 - p) / SAMPLES))
    # a success is an exact fit of noiseless data: zero risk and a positive-definite Hessian at the teacher
    ok = result.success
    assert np.all(result.risk[ok] < 1e-12) and np.all(result.min_eigenvalue[ok] > 0.1)
    assert np.all(np.abs(np.abs(result.overlap[ok]) - 1.0) < 1e-8)
    assert np.all(result.risk[0] > 1e-3)  # the failures sit at positive risk (spurious minima or saddles)
    assert np.all(np.isnan(result.eigenvector_overlap[ok]))  # +-theta* has no tangent direction to overlap with
    assert np.all((result.eigenvector_overlap[0] >= 0) & (result.eigenvector_overlap[0] <= 1))
    # the risk never increases along gradient flow (recorded every record_every steps, after the warm-up)
    assert np.all(np.diff(result.risk_trajectory, axis=-1) <= 1e-12)


def test_recorded_end_state_matches_the_glm_functions_at_the_returned_end_point(result):
    for k, alpha in enumerate(ALPHAS):
        n = round(alpha * D)
        assert result.n[k] == n and result.z[k].shape == (SAMPLES, n) and result.y[k].shape == (SAMPLES, n)
    k, alpha = 1, ALPHAS[1]
    assert not result.success[k, 0] and result.success[k, 2]  # a failure and a success (the key is fixed)
    for s in (0, 2):
        data, _ = gd.descent_problem(KEY, alpha, D, s)
        end = jnp.asarray(result.final[k, s])
        assert abs(float(jnp.sum(end**2)) / D - 1.0) < 1e-12
        assert abs(result.overlap[k, s] - float(glm.overlap(data, end))) < 1e-12
        assert abs(result.risk[k, s] - float(glm.empirical_risk(LOSS, data, end))) < 1e-12
        assert abs(result.multiplier[k, s] - float(glm.multiplier(LOSS, data, end))) < 1e-10
        np.testing.assert_allclose(result.z[k][s], np.asarray(data.x @ end) / math.sqrt(D), atol=1e-12)
        np.testing.assert_allclose(result.y[k][s], np.asarray(data.y), atol=1e-12)
        tangent = ls.sphere.tangent_hessian(end, glm.scaled_hessian(LOSS, data, end))
        assert abs(result.min_eigenvalue[k, s] - float(np.linalg.eigvalsh(np.asarray(tangent))[0])) < 1e-9
    assert np.array_equal(result.success, np.abs(result.overlap) > gd.SUCCESS_OVERLAP)
    np.testing.assert_array_equal(result.overlap, result.overlap_trajectory[..., -1])


def test_batched_runs_equal_one_unbatched_glm_gradient_flow(result):
    # a failure and a success at alpha = 3.5, each rerun alone with glm.gradient_flow on its unpadded data (the
    # warm-up, then the main steps): the batched, padded runs agree to rounding (measured: 3e-15)
    k, alpha = 1, ALPHAS[1]
    dt0 = float(result.dt_warmup[k])
    for s in (0, 2):
        data, theta0 = gd.descent_problem(KEY, alpha, D, s)
        warm = glm.gradient_flow(LOSS, data, theta0, dt0, 100, 100, method="heun")
        main = glm.gradient_flow(LOSS, data, warm.final, 0.05, 1200, 40, method="heun")
        m = np.concatenate([np.asarray(warm.overlap[:1]), np.asarray(main.overlap)])
        risk = np.concatenate([np.asarray(warm.energy[:1]), np.asarray(main.energy)])
        np.testing.assert_allclose(result.overlap_trajectory[k, s], m, atol=1e-9)
        np.testing.assert_allclose(result.risk_trajectory[k, s], risk, atol=1e-9)
        np.testing.assert_allclose(result.final[k, s], np.asarray(main.final), atol=1e-8)
        assert abs(result.multiplier[k, s] + float(main.mu[-1])) < 1e-9
    np.testing.assert_allclose(result.times[k], np.concatenate([[0.0], 100 * dt0 + np.asarray(main.times)]),
                               rtol=1e-12)


def test_problems_follow_the_documented_keys_and_the_results_are_reproducible(result):
    alpha, s = ALPHAS[2], 5
    n = round(alpha * D)
    data, theta0 = gd.descent_problem(KEY, alpha, D, s)
    k_data, k_start = jax.random.split(jax.random.fold_in(jax.random.fold_in(jax.random.fold_in(KEY, D), n), s))
    ref = glm.sample(k_data, n, D)
    for a, b in zip(data, ref):
        np.testing.assert_allclose(np.asarray(a), np.asarray(b), atol=1e-13)
    np.testing.assert_allclose(np.asarray(theta0), np.asarray(ls.sphere.random_points(k_start, D)), atol=1e-13)
    # the same key gives the same runs, and a problem does not depend on the other ratios (nor, by the end-state
    # test, which draws problems one at a time with descent_problem, on the number of problems): alpha = 10 alone
    # has the shapes of the padded fixture, so it runs the same compiled programs on the same inputs
    alone = gd.descent_experiment(KEY, LOSS, [alpha], D, SAMPLES)
    for name in ("overlap", "risk", "multiplier", "final", "overlap_trajectory", "min_eigenvalue", "times"):
        np.testing.assert_array_equal(getattr(alone, name)[0], getattr(result, name)[2])
    other = gd.descent_experiment(jax.random.key(1011), LOSS, [alpha], D, SAMPLES)
    assert np.max(np.abs(other.final[0] - alone.final[0])) > 0.1


def test_halving_the_steps_changes_no_outcome_near_the_transition(result):
    # alpha = 3.5 at d = 60 is inside the transition (5 of 8 runs succeed, two of them late); the defaults against
    # half the step and half the warm-up step over the same time
    half = gd.descent_experiment(KEY, LOSS, ALPHAS, D, SAMPLES, dt=0.025, n_steps=2400, record_every=80,
                                 n_warmup=200, warmup_courant=0.25, pad=True)
    assert 0 < result.success[1].sum() < SAMPLES, result.overlap[1]
    np.testing.assert_array_equal(result.success, half.success)
    np.testing.assert_allclose(result.times, half.times, rtol=1e-12)
    np.testing.assert_allclose(np.abs(result.overlap), np.abs(half.overlap), atol=1e-3)


def test_two_padded_sizes_give_the_runs_of_one(result):
    # pad=2 splits the sizes n = 60, 210, 600 into (60, 210 | 600), the split with the fewest padded rows: alpha = 10
    # keeps the fixture's shape, alpha = 1 and 3.5 run padded to 210 rows; zero rows change nothing but rounding
    two = gd.descent_experiment(KEY, LOSS, ALPHAS, D, SAMPLES, pad=2)
    np.testing.assert_array_equal(two.success, result.success)
    np.testing.assert_array_equal(two.n, result.n)
    for name in ("final", "overlap_trajectory", "risk_trajectory", "multiplier", "min_eigenvalue"):
        np.testing.assert_allclose(getattr(two, name), getattr(result, name), rtol=0, atol=1e-9, err_msg=name)
    np.testing.assert_array_equal(two.final[2], result.final[2])  # the same compiled program, the same inputs
    assert gd._padded_sizes([60, 210, 600], 2) == [210, 210, 600]
    assert gd._padded_sizes([800, 1200, 1600, 2800], 2) == [1600, 1600, 1600, 2800]
    assert gd._padded_sizes([800, 1200, 1600, 2800], 1) == [2800] * 4
    assert gd._padded_sizes([800, 1200, 1600, 2800], 9) == [800, 1200, 1600, 2800]
    assert gd._padded_sizes([5, 3, 5], 2) == [5, 3, 5]  # repeated sizes, in the caller's order


def test_bad_inputs_raise_naming_the_parameter():
    def run(**kw):
        args = dict(key=KEY, loss=LOSS, alphas=[2.0], d=20, n_samples=2)
        args.update(kw)
        return gd.descent_experiment(args.pop("key"), args.pop("loss"), args.pop("alphas"), args.pop("d"),
                                     args.pop("n_samples"), **args)

    with pytest.raises(TypeError, match="key"):
        run(key=3)
    with pytest.raises(TypeError, match="loss"):
        run(loss=lambda z, y: z**2)
    with pytest.raises(TypeError, match="alphas"):
        run(alphas=2.0)
    with pytest.raises(TypeError, match="alphas"):
        run(alphas=[[2.0]])
    with pytest.raises(ValueError, match="alphas"):
        run(alphas=[])
    with pytest.raises(ValueError, match=r"alphas\[1\]"):
        run(alphas=[2.0, -1.0])
    with pytest.raises(ValueError, match=r"alphas\[0\]"):
        run(alphas=[0.01])  # round(0.01 * 20) = 0 samples
    with pytest.raises(ValueError, match="MAX_DATA_ENTRIES"):
        run(alphas=[1e6], d=100)  # 10^10 entries: refused before anything is drawn
    with pytest.raises(ValueError, match="MAX_HESSIAN_DIMENSION"):
        run(alphas=[1 / 5000], d=5000)
    with pytest.raises(ValueError, match="d"):
        run(d=1)
    with pytest.raises(TypeError, match="n_samples"):
        run(n_samples=2.0)
    with pytest.raises(ValueError, match="n_samples"):
        run(n_samples=0)
    with pytest.raises(ValueError, match="dt"):
        run(dt=0.0)
    with pytest.raises(ValueError, match="record_every"):
        run(n_steps=100, record_every=30)
    with pytest.raises(ValueError, match="method"):
        run(method="rk4")
    with pytest.raises(ValueError, match="n_warmup"):
        run(n_warmup=-1)
    with pytest.raises(ValueError, match="warmup_courant"):
        run(warmup_courant=0.0)
    with pytest.raises(TypeError, match="hessian"):
        run(hessian=1)
    with pytest.raises(ValueError, match="batch_size"):
        run(batch_size=0)
    with pytest.raises(ValueError, match="pad"):
        run(loss=glm.Loss(lambda z, y: (z**2 - y**2 - 1.0) ** 2, "shifted"), pad=True)
    with pytest.raises(ValueError, match="pad"):
        run(loss=glm.Loss(lambda z, y: (z**2 - y**2 - 1.0) ** 2, "shifted"), pad=2)
    with pytest.raises(ValueError, match="pad"):
        run(pad=0)
    with pytest.raises(TypeError, match="pad"):
        run(pad=2.0)
    with pytest.raises(TypeError, match="pad"):
        run(pad="2")
    with pytest.raises(ValueError, match="index"):
        gd.descent_problem(KEY, 2.0, 20, -1)


def test_escape_time_is_the_first_recorded_crossing(result):
    t = result.escape_time(0.5)
    assert t.shape == result.success.shape
    traj = np.abs(result.overlap_trajectory)
    for k in range(len(ALPHAS)):
        for s in range(SAMPLES):
            hits = np.nonzero(traj[k, s] > 0.5)[0]
            if hits.size:
                assert t[k, s] == result.times[k, hits[0]] and np.all(traj[k, s, : hits[0]] <= 0.5)
            else:
                assert t[k, s] == np.inf
    assert np.all(np.isinf(t[0])) and np.all(np.isfinite(t[2][result.success[2]]))  # never at alpha = 1
    # a higher level is reached later, and every success has crossed 0.9 by the horizon
    assert np.all(result.escape_time(0.9) >= t)
    assert np.all(np.isfinite(result.escape_time(0.9)[result.success]))
    assert np.all(result.escape_time(0.0)[:, :] <= result.times[:, -1:])
    for bad in (-0.1, 1.5, float("nan")):
        with pytest.raises(ValueError, match="level"):
            result.escape_time(bad)
    with pytest.raises(TypeError, match="level"):
        result.escape_time("0.5")
