#!/usr/bin/env bash
# Install what the tests need (Debian packages too) and run lint, types and the whole suite;
# then the fast tests again with the clock moved 400 days ahead, so that a test that depends
# on the day it runs fails on the day it is written. Extra arguments go to both pytest runs.
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1
bash scripts/setup.sh test || exit 1
export NO_MKDOCS_2_WARNING=1
.venv/bin/ruff check . || exit 1
.venv/bin/mypy || exit 1

.venv/bin/python -m pytest "$@"
status=$?
if [ $status -eq 5 ]; then
  echo "test.sh: pytest collected no tests; that is a failure" >&2
  exit 1
fi
[ $status -eq 0 ] || exit $status

# The fast tests only: the slow, browser and PDF ones take most of the time, and the fast ones
# run the same build code. A -m among the arguments replaces this selection.
echo "test.sh: the fast tests again, with the clock 400 days ahead (faketime)"
faketime '+400 days' .venv/bin/python -m pytest -q -m "not slow and not browser and not pdf" "$@"
status=$?
[ $status -eq 5 ] && exit 0  # the arguments chose no fast test: nothing to run again
exit $status
