//! The Leptos front end (browser only).
