//! The pure step between the engine and the canvas: parameter parsing and clamping, pooling jobs,
//! colour lookup and number formatting. No web imports, so all of it is tested natively.

pub mod colormap;
pub mod format;
pub mod job;
pub mod params;
pub mod schema;
pub mod sdpa;
pub mod shell;

// One file per chapter view (parameters, derived display data), owned by that chapter.
pub mod approx;
pub mod heads_view;
pub mod sparse;
pub mod speed_view;
