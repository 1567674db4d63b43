//! The SmolLM2-135M model for the native model tests, loaded once per test binary.
//!
//! Read from `ATLAS_MODEL`, or `$ATLAS_CACHE/SmolLM2-135M-Instruct.Q4_1.gguf` (default cache
//! `~/.cache/attention-atlas`), where `scripts/fetch_model.sh` puts it.

use std::sync::OnceLock;

use attention_atlas::attention::model::Model;

/// Where the model file is expected.
pub fn model_path() -> String {
    std::env::var("ATLAS_MODEL").unwrap_or_else(|_| {
        let cache = std::env::var("ATLAS_CACHE")
            .unwrap_or_else(|_| format!("{}/.cache/attention-atlas", std::env::var("HOME").unwrap_or_default()));
        format!("{cache}/SmolLM2-135M-Instruct.Q4_1.gguf")
    })
}

/// The model; panics (fails the test) when the file is absent.
pub fn model() -> &'static Model {
    static MODEL: OnceLock<Model> = OnceLock::new();
    MODEL.get_or_init(|| {
        let path = model_path();
        let bytes = std::fs::read(&path).unwrap_or_else(|e| {
            panic!("SmolLM2 model not found at {path} ({e}): run scripts/fetch_model.sh (or set ATLAS_MODEL)")
        });
        Model::from_bytes(bytes).unwrap_or_else(|e| panic!("{path}: {e}"))
    })
}
