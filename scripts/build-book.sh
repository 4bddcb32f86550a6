#!/usr/bin/env bash
# Set everything up and build the book, executing its chapters, into _build/html.
#   bash scripts/build-book.sh          the book, with solutions
#   bash scripts/build-book.sh course   the course edition, solutions hidden, into _build/course/_build/html
# Both editions share one cache of executed notebooks (_build/.jupyter_cache): a chapter whose code, package and
# environment have not changed since it last ran is not executed again.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup-env.sh
# Executed notebooks are reused from _build/.jupyter_cache unless the package or the environment changed.
bash scripts/notebook-cache.sh
case "${1:-book}" in
  book)   jupyter-book build . --all -W -n --keep-going ;;
  course) jupyter-book build . --all --config _config_course.yml --toc _toc_course.yml --path-output _build/course -W -n --keep-going ;;
  *)      echo "usage: bash scripts/build-book.sh [book|course]" >&2; exit 2 ;;
esac
