# Sourced by build-book.sh and run-tests.sh: create .venv (once), install the package with the book and test
# tools, and activate it. Needs only Python >= 3.11 and access to PyPI.
PYTHON="${PYTHON:-python3}"
"$PYTHON" - <<'PY' || { echo "Landscapes needs Python >= 3.11 (set PYTHON=/path/to/python3.11)" >&2; exit 1; }
import sys
sys.exit(0 if sys.version_info >= (3, 11) else 1)
PY
if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv
fi
export PIP_DISABLE_PIP_VERSION_CHECK=1
.venv/bin/python -m pip install --quiet --upgrade pip
# The distribution was named `landscape` before it became `landscapes-book`: an old install under that name would
# own the package's files too (and `landscape` on PyPI is an unrelated project), so it goes first.
if .venv/bin/python -m pip show landscape >/dev/null 2>&1; then
  .venv/bin/python -m pip uninstall --quiet --yes landscape
  rm -rf landscape.egg-info  # its editable install's metadata, left in the clone
fi
.venv/bin/python -m pip install --quiet -e ".[test]"
# shellcheck disable=SC1091
source .venv/bin/activate
# JAX on the CPU unless the reader asks for a GPU (LANDSCAPES_GPU=1); keeps platform notices out of outputs.
if [ "${LANDSCAPES_GPU:-0}" != "1" ]; then
  export JAX_PLATFORMS=cpu
fi
# Persistent JAX compilation cache, shared by the unit tests, nbval and both book builds (Jupyter kernels inherit
# these variables): a second run loads compiled programs from disk instead of compiling them again. It lives in
# .jax_cache/ (git-ignored, safe to delete); compilations faster than the threshold are not worth a disk entry.
export JAX_COMPILATION_CACHE_DIR="${JAX_COMPILATION_CACHE_DIR:-$PWD/.jax_cache}"
export JAX_PERSISTENT_CACHE_MIN_COMPILE_TIME_SECS="${JAX_PERSISTENT_CACHE_MIN_COMPILE_TIME_SECS:-0.1}"
export JAX_PERSISTENT_CACHE_MIN_ENTRY_SIZE_BYTES="${JAX_PERSISTENT_CACHE_MIN_ENTRY_SIZE_BYTES:-0}"
