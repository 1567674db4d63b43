//! Canvas rendering: heatmaps by one `putImageData` of a colour-looked-up buffer, charts by plotters.

pub mod chart_backend;
pub mod chart_legend;
pub mod heatmap;
pub mod legend;
pub mod math;
pub mod plot;
