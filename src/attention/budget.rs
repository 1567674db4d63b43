//! A budget checked before any computation: a job estimates the bytes it will hold and the
//! floating-point operations it will do, and refuses — with a message that says what would fit —
//! instead of allocating past what a browser tab can spare or computing for minutes.

use crate::attention::message::Message;

/// The most memory one view's computation may hold at once (a tab's wasm memory tops out at 4 GiB,
/// and phones kill tabs far earlier).
pub const MAX_BYTES: f64 = 768.0 * 1024.0 * 1024.0;
/// The most work one recomputation may do (≈ 10–30 s of wasm on a laptop core).
pub const MAX_FLOPS: f64 = 2e11;

/// What a computation will cost, estimated from its sizes before it starts.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Estimate {
    /// Bytes held at the peak.
    pub bytes: f64,
    /// Floating-point operations.
    pub flops: f64,
}

impl Estimate {
    /// Holding `floats` f32 values and doing `flops` operations.
    pub fn new(floats: f64, flops: f64) -> Self {
        Self {
            bytes: 4.0 * floats,
            flops,
        }
    }

    /// Ok when within both limits; otherwise `error.budget` with the need, the limit and `fits`
    /// (what the user can change, e.g. "N ≤ 2048 fits"), in that order of importance.
    pub fn check(self, fits: impl FnOnce() -> String) -> Result<(), Message> {
        let over_memory = !(self.bytes <= MAX_BYTES);
        let over_work = !(self.flops <= MAX_FLOPS);
        if !over_memory && !over_work {
            return Ok(());
        }
        let (need, limit) = if over_memory {
            (format_bytes(self.bytes), format_bytes(MAX_BYTES))
        } else {
            (
                format!("{:.0} GFLOP", self.flops / 1e9),
                format!("{:.0} GFLOP", MAX_FLOPS / 1e9),
            )
        };
        let id = if over_memory {
            "error.budget"
        } else {
            "error.budget_time"
        };
        Err(Message::new(id)
            .arg("need", need)
            .arg("limit", limit)
            .arg("fits", fits()))
    }
}

fn format_bytes(b: f64) -> String {
    if b >= 1024.0 * 1024.0 * 1024.0 {
        format!("{:.1} GiB", b / (1024.0 * 1024.0 * 1024.0))
    } else {
        format!("{:.0} MiB", b / (1024.0 * 1024.0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn within_the_limits_passes_and_past_them_names_need_limit_and_what_fits() {
        assert!(Estimate::new(1e6, 1e9).check(|| unreachable!()).is_ok());
        let m = Estimate::new(1e9, 1.0).check(|| "N ≤ 4096".into()).unwrap_err();
        assert_eq!(m.id, "error.budget");
        assert_eq!(m.args[0], ("need", "3.7 GiB".to_string()));
        assert_eq!(m.args[1], ("limit", "768 MiB".to_string()));
        assert_eq!(m.args[2], ("fits", "N ≤ 4096".to_string()));
        let slow = Estimate::new(1.0, 1e13).check(|| "fewer heads".into()).unwrap_err();
        assert_eq!(slow.id, "error.budget_time");
        let nan = Estimate::new(f64::NAN, 0.0).check(|| "x".into());
        assert!(
            nan.is_err(),
            "an estimate that overflowed is refused, not waved through"
        );
    }
}
