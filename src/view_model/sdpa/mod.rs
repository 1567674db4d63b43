//! The "Scaled dot-product attention" view's pure side: its parameters ([`params`]), the resumable job
//! that computes everything it draws ([`job`]), and the result with what a next run may reuse
//! ([`result`]).

pub mod job;
pub mod params;
pub mod result;

pub use job::SdpaJob;
pub use result::{
    head_score_maps, HeadMaps, HeadScoreJob, HeadScoreMaps, HeadScores, InputKey, Projected, Reuse, SdpaResult,
    PIPE_PX, SCORE_BUDGET,
};
