#!/usr/bin/env bash
# Installs what is missing and runs every test: native (engine, view model, NumPy fixtures), wasm
# (the same math under wasm SIMD, in Node), and end-to-end (the built dist/ in headless Chromium).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh --browser --model
source scripts/env.sh

step() { printf '\n\033[1;34m== %s ==\033[0m\n' "$*"; }

step "native tests (cargo test)"
cargo test
cargo build --benches --quiet

step "wasm tests (wasm32 + simd128, run by wasm-bindgen-test-runner in Node)"
CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner \
  cargo test --target wasm32-unknown-unknown --test wasm --test wasm_quant

step "release build (trunk build --release → dist/)"
trunk build --release

step "end-to-end tests (headless Chromium)"
node --test --test-concurrency=1 tests/e2e/
