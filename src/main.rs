//! Entry point: install the panic hook and mount the app (browser only).

#[cfg(target_arch = "wasm32")]
fn main() {
    attention_atlas::ui::start();
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!(
        "Attention Atlas is a browser app: run `scripts/serve.sh` and open http://127.0.0.1:8080 (see README.md)."
    );
}
