#!/usr/bin/env bash
# Installs what is missing, builds the release app and serves it on http://127.0.0.1:8080.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh --model
source scripts/env.sh
exec trunk serve --release --address 127.0.0.1 --port "${PORT:-8080}" --no-autoreload
