//! English messages of the approx view (owned by that chapter).

/// (id, text) pairs; ids start with `approx.`.
pub const MESSAGES: &[(&str, &str)] = &[];
