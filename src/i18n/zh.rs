//! Simplified Chinese messages (planned). Any id missing here falls back to English.

/// (id, text) pairs; every id must exist in the English catalogue with the same placeholders.
pub const MESSAGES: &[(&str, &str)] = &[("app.title", "Attention Atlas · 注意力图谱")];
