#!/usr/bin/env bash
# Set everything up and run the whole test suite, in order:
#   1. unit tests of `landscape` and the book-structure tests;
#   2. nbval on every chapter (current environment, lax: a chapter passes if every cell runs);
#   3. the book build, -W -n --keep-going, execution errors fatal; it executes every chapter (its cache of executed
#      notebooks is emptied first);
#   4. the course-edition build (solutions hidden), which reuses the notebooks the book build executed;
#   5. rendering tests in headless Chromium on the built pages, and the course edition's contents.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup-env.sh
bash scripts/ensure-chromium.sh
python -m pytest tests --ignore=tests/built -q
python -m pytest --nbval-lax --nbval-current-env chapters -q
bash scripts/notebook-cache.sh clear
jupyter-book build . --all -W -n --keep-going
jupyter-book build . --all --config _config_course.yml --path-output _build/course -W -n --keep-going
python -m pytest tests/built -q
