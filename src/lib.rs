//! Attention Atlas: attention mechanisms computed live in the browser.
//!
//! [`attention`] is the pure engine (tested and benchmarked natively); `ui` is the Leptos
//! front end, compiled only for the browser.

pub mod attention;
pub mod i18n;
pub mod view_model;

#[cfg(target_arch = "wasm32")]
pub mod ui;
