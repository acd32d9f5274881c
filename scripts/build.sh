#!/usr/bin/env bash
# Install what the briefing needs and build it: the site in site/ and the PDF.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
.venv/bin/briefing build
