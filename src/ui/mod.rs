//! The Leptos front end (browser only): app shell, controls, canvas renderers and one folder per view.
//! It calls the engine and the view model; neither knows it exists.

pub mod alloc;
pub mod app;
pub mod bench_api;
pub mod browser;
pub mod components;
pub mod embed_height;
pub mod figure;
pub mod jobs;
pub mod panic;
pub mod reactive;
pub mod render;
pub mod teaching;
pub mod theme;
pub mod url;
pub mod views;
pub mod workers;

/// Installs the panic hook and mounts the app on `<body>`.
pub fn start() {
    panic::install();
    leptos::mount::mount_to_body(app::App);
}
