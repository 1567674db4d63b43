//! The real-model chapter (`view=model`): SmolLM2-135M's parameters, its jobs (analysis of a prompt,
//! the changed model, generation) and their display data.

pub mod choices;
pub mod params;

pub use params::{parse, ChangeSpec, ModelParams, ParsedModel, Source};
pub mod analysis;
pub mod change;
pub mod finder;
pub mod generate;
pub mod grid;
pub mod hooks;
pub mod pass;
pub mod tokens;
