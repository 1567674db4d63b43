//! The "Speed" view's pure side: its parameters ([`params`]), the kernels' names ([`kernels`]), the
//! sampling rule and the slope fit ([`sampling`]), the benchmark as a resumable job ([`job`]) with
//! what it shows ([`report`]), and the machine line ([`machine`]). The kernels themselves,
//! prepared on seeded inputs, are the engine's (`attention::bench`); time is read only through the
//! clock the job is given.

pub mod job;
pub mod kernels;
pub mod lra;
pub mod machine;
pub mod params;
pub mod quality;
pub mod report;
pub mod sampling;

pub use job::{BenchJob, BenchReport, BenchState, Clock};
pub use params::{parse, ParsedSpeed, Plan, SpeedParams};
