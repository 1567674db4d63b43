# Sourced by the scripts: puts the project's tools first on PATH (npm's wasm-opt before any system one).
ATLAS_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export PATH="$ATLAS_ROOT/node_modules/.bin:$HOME/.cargo/bin:$PATH"
