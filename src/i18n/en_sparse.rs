//! English messages of the sparse view (owned by that chapter).

/// (id, text) pairs; ids start with `sparse.`.
pub const MESSAGES: &[(&str, &str)] = &[];
