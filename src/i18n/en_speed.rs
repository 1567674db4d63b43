//! English messages of the speed view (owned by that chapter).

/// (id, text) pairs; ids start with `speed.`.
pub const MESSAGES: &[(&str, &str)] = &[];
