"""Input validation shared by every public function of :mod:`landscape`.

Each helper raises :class:`TypeError` for a value of the wrong kind and :class:`ValueError` for a value
out of range, and the message always names the parameter and the allowed range, so that bad input never
turns into a silent NaN further down.
"""

from __future__ import annotations

import numbers
import os
from typing import Any

import jax
import numpy as np

# A private module: its helpers are shared by the package, not part of the API (max_bytes and set_max_bytes are
# re-exported by landscape/__init__.py and documented there).
__all__ = ["is_traced", "integer", "real", "finite_array", "prng_key", "DEFAULT_MAX_BYTES", "max_bytes",
           "set_max_bytes", "allocation"]


def is_traced(x: Any) -> bool:
    """True when ``x`` is a JAX tracer (inside ``jit``/``vmap``), where its value cannot be inspected."""
    return isinstance(x, jax.core.Tracer)


def integer(name: str, value: Any, *, minimum: int | None = None, maximum: int | None = None) -> int:
    """Return ``value`` as a Python ``int`` after checking it is an integer in ``[minimum, maximum]``.

    Booleans and floats (even ``3.0``) are rejected with a ``TypeError``: a degree or a dimension is a count.
    """
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (numbers.Integral, np.integer)):
        raise TypeError(f"{name} must be an integer, got {value!r} of type {type(value).__name__}")
    value = int(value)
    if minimum is not None and value < minimum:
        allowed = f">= {minimum}" if maximum is None else f"in [{minimum}, {maximum}]"
        raise ValueError(f"{name} must be an integer {allowed}, got {value}")
    if maximum is not None and value > maximum:
        allowed = f"<= {maximum}" if minimum is None else f"in [{minimum}, {maximum}]"
        raise ValueError(f"{name} must be an integer {allowed}, got {value}")
    return value


def real(name: str, value: Any, *, minimum: float | None = None, maximum: float | None = None,
         strict_minimum: bool = False) -> float:
    """Return ``value`` as a finite Python ``float`` in the given range (``strict_minimum``: ``> minimum``)."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (numbers.Real, np.floating, np.integer)):
        raise TypeError(f"{name} must be a real number, got {value!r} of type {type(value).__name__}")
    value = float(value)
    if not np.isfinite(value):
        raise ValueError(f"{name} must be finite, got {value}")
    if minimum is not None and (value <= minimum if strict_minimum else value < minimum):
        op = ">" if strict_minimum else ">="
        raise ValueError(f"{name} must be {op} {minimum}, got {value}")
    if maximum is not None and value > maximum:
        raise ValueError(f"{name} must be <= {maximum}, got {value}")
    return value


def finite_array(name: str, value: Any) -> None:
    """Raise ``ValueError`` if a concrete array contains NaN or infinity (no-op on tracers)."""
    if is_traced(value):
        return
    arr = np.asarray(value)
    if not np.issubdtype(arr.dtype, np.number):
        raise TypeError(f"{name} must be a numeric array, got dtype {arr.dtype}")
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} must contain only finite values (found NaN or infinity)")


def prng_key(name: str, key: Any) -> None:
    """Check that ``key`` is a JAX PRNG key (new-style typed key or legacy ``uint32[2]``)."""
    if is_traced(key):
        return
    try:
        dtype = key.dtype
    except AttributeError:
        raise TypeError(f"{name} must be a JAX PRNG key from jax.random.key(seed), got {type(key).__name__}") from None
    if jax.dtypes.issubdtype(dtype, jax.dtypes.prng_key):
        return
    if dtype == np.uint32 and getattr(key, "shape", None) == (2,):
        return
    raise TypeError(f"{name} must be a JAX PRNG key from jax.random.key(seed), got an array of dtype {dtype}")


# ------------------------------------------------------------------------------------------- memory limit

#: Default of the largest working memory, in bytes, that a public function may allocate from a size argument
#: (4 GiB). Change it for a session with :func:`landscape.set_max_bytes` or for a process with the environment
#: variable ``LANDSCAPES_MAX_BYTES``.
DEFAULT_MAX_BYTES = 4 * 2**30

_max_bytes = int(os.environ.get("LANDSCAPES_MAX_BYTES", DEFAULT_MAX_BYTES))


def max_bytes() -> int:
    """The current limit, in bytes, on the memory a public function of :mod:`landscape` allocates from a size
    argument (an array of ``n`` points, ``num`` samples, ``n_starts`` starts...)."""
    return _max_bytes


def set_max_bytes(limit: int) -> int:
    """Set the memory limit (bytes) checked before allocating from a size argument; returns the previous one.

    The default is 4 GiB (``LANDSCAPES_MAX_BYTES`` overrides it at import). Calls whose estimate exceeds the limit
    raise ``ValueError`` before anything is allocated, instead of exhausting memory (which aborts a Jupyter
    kernel or the interpreter). Raise it on a machine with more memory, e.g. ``set_max_bytes(32 * 2**30)``.
    """
    global _max_bytes
    limit = integer("limit", limit, minimum=1)
    previous, _max_bytes = _max_bytes, limit
    return previous


def allocation(what: str, n_bytes: float) -> None:
    """Refuse an allocation estimated at ``n_bytes`` above :func:`max_bytes`: ``what`` names the sizes that set it
    (e.g. ``"num = 10**9 points of S_N, N = 100"``) so that the message says which argument to lower."""
    if n_bytes > _max_bytes:
        raise ValueError(f"{what} needs about {_human(n_bytes)} of memory, above the limit of {_human(_max_bytes)}; "
                         f"lower it, or raise the limit with landscape.set_max_bytes (or LANDSCAPES_MAX_BYTES)")


def _human(n_bytes: float) -> str:
    for unit, size in (("TiB", 2**40), ("GiB", 2**30), ("MiB", 2**20), ("KiB", 2**10)):
        if n_bytes >= size:
            return f"{n_bytes / size:.3g} {unit}"
    return f"{int(n_bytes)} bytes"
