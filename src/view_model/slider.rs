//! Where a slider's thumb sits for a value, and the value at a thumb position: the range input runs
//! over 0..=1000 positions, mapped linearly or logarithmically onto a parameter's `min..=max`. The
//! two ends map exactly to `min` and `max`, so a slider built from a schema constant reaches its
//! parameter's whole range and no value past it.

/// Positions of the range input.
pub const POSITIONS: i64 = 1000;

/// Slider position 0..=POSITIONS of value `v` (clamped into `min..=max`).
pub fn to_position(v: i64, min: i64, max: i64, log: bool) -> i64 {
    if max <= min {
        return 0;
    }
    let v = v.clamp(min, max);
    let f = if log && min >= 1 {
        (v as f64 / min as f64).ln() / (max as f64 / min as f64).ln()
    } else {
        (v - min) as f64 / (max - min) as f64
    };
    (f * POSITIONS as f64).round() as i64
}

/// The value at position `p`, a multiple of `step` above `min`, always inside `min..=max`.
pub fn from_position(p: i64, min: i64, max: i64, log: bool, step: i64) -> i64 {
    if max <= min {
        return min;
    }
    let f = p.clamp(0, POSITIONS) as f64 / POSITIONS as f64;
    let raw = if log && min >= 1 {
        (min as f64 * (max as f64 / min as f64).powf(f)).round() as i64
    } else {
        (min as f64 + f * (max - min) as f64).round() as i64
    };
    let step = step.max(1);
    if p >= POSITIONS {
        return max;
    }
    ((raw.clamp(min, max) - min) / step * step + min).clamp(min, max)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_ends_are_exactly_the_bounds_and_positions_round_trip() {
        for &(min, max, log) in &[
            (1, 4096, true),
            (0, 63, false),
            (1, 100_000, true),
            (0, i64::from(u32::MAX), false),
            (5, 5, false),
        ] {
            assert_eq!(from_position(0, min, max, log, 1), min);
            assert_eq!(from_position(POSITIONS, min, max, log, 1), max);
            assert_eq!(from_position(-7, min, max, log, 1), min);
            assert_eq!(from_position(POSITIONS + 9, min, max, log, 1), max);
            let values: Vec<i64> = (0..=POSITIONS).map(|p| from_position(p, min, max, log, 1)).collect();
            assert!(values.windows(2).all(|w| w[0] <= w[1]), "monotone in the position");
            assert!(values.iter().all(|v| (min..=max).contains(v)));
            if !log && max - min <= POSITIONS {
                // Every value of a short range has a thumb position that gives it back.
                for v in min..=max {
                    assert_eq!(from_position(to_position(v, min, max, log), min, max, log, 1), v);
                }
            }
        }
        assert_eq!(
            from_position(500, 0, 10, false, 4),
            4,
            "values are multiples of the step above min"
        );
    }
}
