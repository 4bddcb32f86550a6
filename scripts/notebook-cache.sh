#!/usr/bin/env bash
# The book builds keep executed notebooks in a jupyter-cache (_build/.jupyter_cache, see _config.yml), which
# matches a notebook by its own code only. A chapter's outputs also depend on the `landscape` package and the
# installed libraries, so this script empties the cache whenever those change (a fingerprint is kept next to it).
#   bash scripts/notebook-cache.sh          empty the cache if the package or the environment changed
#   bash scripts/notebook-cache.sh clear    empty it unconditionally (the test command does: it always executes)
# Run from the repository root with the environment active (build-book.sh and run-tests.sh do both).
set -euo pipefail
cd "$(dirname "$0")/.."
CACHE=_build/.jupyter_cache
STAMP=_build/.jupyter_cache.fingerprint
fingerprint=$(
  {
    python -VV
    python -m pip freeze --exclude-editable
    find landscape -name '*.py' -print0 | LC_ALL=C sort -z | xargs -0 cat
    cat pyproject.toml
    env | LC_ALL=C grep -E '^(JAX_PLATFORMS|JAX_ENABLE_X64|XLA_FLAGS|LANDSCAPES_GPU)=' || true
  } | sha256sum | cut -d' ' -f1
)
if [ "${1:-}" = "clear" ] || [ ! -f "$STAMP" ] || [ "$(cat "$STAMP")" != "$fingerprint" ]; then
  rm -rf "$CACHE"
fi
mkdir -p _build
echo "$fingerprint" > "$STAMP"
