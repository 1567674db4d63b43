//! What a generator changed about its parameters.
//!
//! Pattern generators never panic on out-of-range parameters (a window wider than the sequence, a
//! stride of 0, an odd bucket count…): they clamp to the nearest meaningful value and report each
//! change as a [`ClampNote`], so the view can say what it actually drew.

use std::fmt;

/// The parameter a [`ClampNote`] is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Param {
    /// Local / sliding window w.
    Window,
    /// Stride s of a strided or fixed pattern.
    Stride,
    /// Summary columns c per block of the fixed pattern.
    SummaryColumns,
    /// Longformer dilation δ.
    Dilation,
    /// A global token index (out-of-range indices are dropped).
    GlobalIndex,
    /// Block size b (BigBird, Sinkhorn).
    BlockSize,
    /// Number g of BigBird global blocks.
    GlobalBlocks,
    /// Number r of BigBird random blocks per block row.
    RandomBlocks,
    /// Number of LSH buckets.
    Buckets,
    /// Number of LSH hash rounds.
    Hashes,
    /// LSH chunk length c.
    ChunkLength,
    /// Number k of Sinkhorn iterations.
    Iterations,
    /// Sinkhorn temperature τ.
    Temperature,
    /// Hidden width of the Sinkhorn sort net.
    Hidden,
}

impl Param {
    /// The symbol the chapter uses for the parameter.
    pub fn symbol(self) -> &'static str {
        match self {
            Param::Window => "w",
            Param::Stride => "s",
            Param::SummaryColumns => "c",
            Param::Dilation => "δ",
            Param::GlobalIndex => "global index",
            Param::BlockSize => "b",
            Param::GlobalBlocks => "g",
            Param::RandomBlocks => "r",
            Param::Buckets => "n_buckets",
            Param::Hashes => "n_hashes",
            Param::ChunkLength => "chunk",
            Param::Iterations => "k",
            Param::Temperature => "τ",
            Param::Hidden => "hidden",
        }
    }
}

/// One clamped parameter: `requested` was replaced by `used`; `used == None` means the value was
/// dropped (an out-of-range global index).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ClampNote {
    pub param: Param,
    pub requested: f64,
    pub used: Option<f64>,
}

impl fmt::Display for ClampNote {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.used {
            Some(used) => write!(
                f,
                "{} = {} is out of range; using {}",
                self.param.symbol(),
                self.requested,
                used
            ),
            None => write!(
                f,
                "{} = {} is out of range; dropped",
                self.param.symbol(),
                self.requested
            ),
        }
    }
}

/// A generated value together with the notes on every parameter that had to be clamped.
#[derive(Clone, Debug, PartialEq)]
pub struct Clamped<T> {
    pub value: T,
    pub notes: Vec<ClampNote>,
}

impl<T> Clamped<T> {
    /// Applies `f` to the value, keeping the notes.
    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> Clamped<U> {
        Clamped {
            value: f(self.value),
            notes: self.notes,
        }
    }
}

/// Clamps `requested` into `lo..=hi` (with `hi` raised to `lo` if it is below), noting any change.
pub(crate) fn clamp_usize(notes: &mut Vec<ClampNote>, param: Param, requested: usize, lo: usize, hi: usize) -> usize {
    let used = requested.clamp(lo, hi.max(lo));
    if used != requested {
        notes.push(ClampNote {
            param,
            requested: requested as f64,
            used: Some(used as f64),
        });
    }
    used
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clamping_notes_only_real_changes() {
        let mut notes = Vec::new();
        assert_eq!(clamp_usize(&mut notes, Param::Window, 3, 0, 9), 3);
        assert!(notes.is_empty());
        assert_eq!(clamp_usize(&mut notes, Param::Window, 50, 0, 9), 9);
        assert_eq!(clamp_usize(&mut notes, Param::Stride, 0, 1, 0), 1);
        assert_eq!(notes.len(), 2);
        assert_eq!(notes[0].to_string(), "w = 50 is out of range; using 9");
        assert_eq!(notes[1].used, Some(1.0));
    }
}
