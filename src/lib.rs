//! Attention Atlas: attention mechanisms computed live in the browser.
//!
//! [`attention`] is the pure engine (its own crate, `src/attention`; tested and benchmarked
//! natively); `ui` is the Leptos front end, compiled only for the browser.

pub use attention_engine as attention;
pub mod i18n;
pub mod view_model;

#[cfg(target_arch = "wasm32")]
pub mod ui;
