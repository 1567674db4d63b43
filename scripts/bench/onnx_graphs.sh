#!/usr/bin/env bash
# Regenerates tests/bench/attention_{full,causal}.onnx: a venv with the pinned onnx and numpy from PyPI
# (scripts/bench/requirements.txt) in ~/.cache/attention-atlas/venv-onnx, then attention_onnx.py.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
venv="${ATLAS_CACHE:-$HOME/.cache/attention-atlas}/venv-onnx"
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
fi
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r "$here/requirements.txt"
"$venv/bin/python" "$here/attention_onnx.py"
