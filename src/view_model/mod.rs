//! The pure step between the engine and the canvas: parameter schemas and parsing with clamping
//! notices, resumable jobs, pooling, colour lookup and number formatting. No web imports, so all of
//! it is tested natively.

// Shared by every view.
pub mod colormap;
pub mod export;
pub mod figures;
pub mod format;
pub mod formulas;
pub mod heatmap_text;
pub mod home;
pub mod job;
pub mod legend_box;
pub mod look;
pub mod math;
pub mod offload;
pub mod params;
pub mod permalink;
pub mod schema;
pub mod shell;
pub mod slider;
pub mod tour;

// One folder per chapter view: its parameters (schema, parser, writer), its job and display data.
pub mod approx;
pub mod heads;
pub mod model;
pub mod sdpa;
pub mod sparse;
pub mod speed;
