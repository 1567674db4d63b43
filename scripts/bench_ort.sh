#!/usr/bin/env bash
# The peer benchmark in one command: exact attention, the atlas against onnxruntime-web (wasm, 1 and 2
# threads), in one headless Chromium run (tests/e2e/bench-ort.mjs). Installs what is missing, builds the
# release app when dist/ is missing or older than src/, then prints the table (JSON in
# tests/e2e/out/bench-ort.json).
#   scripts/bench_ort.sh [rounds] [max_n]      (defaults 7 and 2048)
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh --browser
source scripts/env.sh
wasm=dist/attention-atlas_bg.wasm
if [ ! -f "$wasm" ] || [ -n "$(find src Cargo.toml Cargo.lock index.html -newer "$wasm" -print -quit)" ]; then
  trunk build --release
fi
exec node tests/e2e/bench-ort.mjs "$@"
