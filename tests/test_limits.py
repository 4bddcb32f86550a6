"""The memory limit shared by the package's size checks (landscape.max_bytes / set_max_bytes)."""

import pytest

import landscape as ls
from landscape import _validate


def test_set_max_bytes_returns_the_previous_limit_and_allocation_obeys_it():
    before = ls.max_bytes()
    assert before == _validate.DEFAULT_MAX_BYTES  # 4 GiB unless LANDSCAPES_MAX_BYTES is set (not in the tests)
    try:
        assert ls.set_max_bytes(2**20) == before
        assert ls.max_bytes() == 2**20
        _validate.allocation("num = 1 point", 2**20)  # at the limit: allowed
        with pytest.raises(ValueError, match=r"num = 2 points needs about 2 MiB .* limit of 1 MiB"):
            _validate.allocation("num = 2 points", 2**21)
    finally:
        ls.set_max_bytes(before)
    assert ls.max_bytes() == before


def test_set_max_bytes_rejects_bad_limits():
    with pytest.raises(ValueError, match="limit"):
        ls.set_max_bytes(0)
    with pytest.raises(TypeError, match="limit"):
        ls.set_max_bytes(1.5e9)
