#!/usr/bin/env bash
# Set everything up and run the whole test suite, in order:
#   1. unit tests of `landscape` and the book-structure tests;
#   2. nbval on every chapter (current environment, lax: a chapter passes if every cell runs);
#   3. the book build, -W -n --keep-going, execution errors fatal; it executes every chapter (its cache of executed
#      notebooks is emptied first);
#   4. the course-edition build (solutions hidden), which reuses the notebooks the book build executed;
#   5. rendering tests in headless Chromium on the built pages, and the course edition's contents;
#   6. the assignments: for every chapter, the autograder gives full marks to the reference answers and zero to
#      the blank student notebook.
set -euo pipefail
cd "$(dirname "$0")/.."
# each phase prints its wall time (and the load average) when it ends, so a CI log shows where the time went
phase() {
  local name="$1" start=$SECONDS
  shift
  "$@"
  echo "== phase '$name': $((SECONDS - start)) s (load average: $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo n/a))"
}
phase setup source scripts/setup-env.sh
phase chromium bash scripts/ensure-chromium.sh
phase "unit tests" python -m pytest tests --ignore=tests/built -q
phase nbval python -m pytest --nbval-lax --nbval-current-env chapters reference_values.ipynb -q
bash scripts/notebook-cache.sh clear
phase "book build" jupyter-book build . --all -W -n --keep-going
phase "course build" jupyter-book build . --all --config _config_course.yml --toc _toc_course.yml --path-output _build/course -W -n --keep-going
phase "rendering tests" python -m pytest tests/built -q
phase "assignments check" python scripts/make-assignments.py --check
echo "== total: $SECONDS s"
