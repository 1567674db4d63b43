//! The pure step between the engine and the canvas: parameter parsing and clamping, pooling jobs,
//! colour lookup and number formatting. No web imports, so all of it is tested natively.

pub mod colormap;
pub mod format;
pub mod heads;
pub mod job;
pub mod params;
pub mod permalink;
pub mod schema;
pub mod sdpa;
pub mod shell;
pub mod slider;
pub mod speed;

// One file per chapter view (parameters, derived display data), owned by that chapter.
pub mod approx;
pub mod sparse;
