//! The speed view's parameters and pure view-model helpers (owned by that chapter).
