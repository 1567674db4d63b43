//! Reusable controls and panels shared by every view.

pub mod controls;
pub mod notices;
pub mod param_controls;
pub mod progress;
pub mod share;
