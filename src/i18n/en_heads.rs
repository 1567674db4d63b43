//! English messages of the heads view (owned by that chapter).

/// (id, text) pairs; ids start with `heads.`.
pub const MESSAGES: &[(&str, &str)] = &[];
