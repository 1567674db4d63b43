//! The "MHA · GQA · MLA" view's pure side: its parameters ([`params`], with its choices in
//! [`choices`]), the toy layer's panels
//! ([`toy`]) computed by one staged job ([`job`]), the RoPE panel ([`rope`]) and the KV-cache
//! calculator ([`calculator`]).

pub mod calculator;
pub mod choices;
pub mod job;
pub mod params;
pub mod rope;
pub mod toy;

pub use job::{toy_job, ToyJob, ToyOutput, ToyPanels};
pub use params::{parse, HeadsParams, ParsedHeads, Part};
