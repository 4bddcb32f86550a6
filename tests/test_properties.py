"""Property tests (hypothesis) of the package's boundary checks and of the padding plan of descent_experiment.

For any position of a single NaN or infinity in any array argument, the functions below raise ValueError naming
that argument (never a NaN result); and the padding plan of ``glm.descent_experiment(pad=k)`` is the split of the
sizes into at most k consecutive groups with the fewest padded rows, checked against brute force.
"""

import itertools

import jax
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import landscape as ls
from landscape import glm, sphere

KEY = jax.random.key(0)


def _best_padding(sizes, k):
    """Fewest padded rows over every split of the sorted distinct sizes into at most k consecutive groups."""
    u = sorted(set(sizes))
    best = None
    for g in range(1, min(k, len(u)) + 1):
        for cuts in itertools.combinations(range(1, len(u)), g - 1):
            bounds = (0, *cuts, len(u))
            top = {v: u[b - 1] for a, b in zip(bounds, bounds[1:]) for v in u[a:b]}
            rows = sum(top[n] for n in sizes)
            best = rows if best is None else min(best, rows)
    return best


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(1, 50), min_size=1, max_size=7), st.integers(1, 5))
def test_padding_plan_is_optimal(sizes, k):
    padded = glm._padded_sizes(sizes, k)
    assert len(padded) == len(sizes)
    assert all(p >= n for p, n in zip(padded, sizes))  # never truncates a problem
    assert set(padded) <= set(sizes) and len(set(padded)) <= k  # at most k compiled sizes, each a real size
    assert all(p == q for n, p in zip(sizes, padded) for m, q in zip(sizes, padded) if n == m)  # a size, one pad
    assert sum(padded) == _best_padding(sizes, k)


def _poison(n, pos, bad, shape=None):
    x = np.ones(shape or (n,))
    x.reshape(-1)[pos % x.size] = bad
    return x


BAD = st.sampled_from([np.nan, np.inf, -np.inf])


@settings(max_examples=25, deadline=None)
@given(st.integers(2, 9), st.integers(0, 100), BAD)
def test_one_bad_entry_in_a_tangent_vector_is_named(n, pos, bad):
    sigma = sphere.normalize(np.arange(1.0, n + 1.0))
    with pytest.raises(ValueError, match=r"\bv\b"):
        sphere.retract(sigma, _poison(n, pos, bad))
    with pytest.raises(ValueError, match="euclidean_gradient"):
        sphere.project_gradient(sigma, _poison(n, pos, bad))
    with pytest.raises(ValueError, match="euclidean_hessian"):
        sphere.project_hessian(sigma, np.ones(n), _poison(n, pos, bad, (n, n)))


@settings(max_examples=20, deadline=None)
@given(st.integers(0, 10**6), BAD)
def test_one_bad_coupling_is_named_at_every_entry_point(pos, bad):
    n = 5
    couplings = np.array(ls.fields.sample_pspin(KEY, n, 3))
    couplings.reshape(-1)[pos % couplings.size] = bad
    sigma = sphere.normalize(np.ones(n))
    for f in (ls.fields.energy, ls.fields.gradient, ls.fields.hessian):
        with pytest.raises(ValueError, match="field"):
            f(couplings, sigma)
    with pytest.raises(ValueError, match="field"):
        ls.fields.prepare(couplings)


@settings(max_examples=25, deadline=None)
@given(st.integers(0, 40), BAD)
def test_one_bad_eigenvalue_is_named(pos, bad):
    x = _poison(40, pos, bad)
    with pytest.raises(ValueError, match="eigenvalues"):
        ls.rmt.empirical_moment(x, 2)
