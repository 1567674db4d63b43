//! Human-readable numbers for labels and readouts: FLOPs, bytes, durations, plain values.

/// `1234567` → `"1.23 M"`; SI prefixes k, M, G, T, P with three significant digits.
pub fn si(v: f64) -> String {
    if !v.is_finite() {
        return "—".to_string();
    }
    let units = [(1e15, "P"), (1e12, "T"), (1e9, "G"), (1e6, "M"), (1e3, "k")];
    for (scale, unit) in units {
        if v.abs() >= scale {
            return format!("{} {unit}", sig3(v / scale));
        }
    }
    sig3(v)
}

/// Bytes with binary prefixes: `1536` → `"1.50 KiB"`.
pub fn bytes(v: f64) -> String {
    if !v.is_finite() {
        return "—".to_string();
    }
    let units = [
        (1u64 << 50, "PiB"),
        (1 << 40, "TiB"),
        (1 << 30, "GiB"),
        (1 << 20, "MiB"),
        (1 << 10, "KiB"),
    ];
    for (scale, unit) in units {
        if v.abs() >= scale as f64 {
            return format!("{} {unit}", sig3(v / scale as f64));
        }
    }
    format!("{} B", sig3(v))
}

/// Milliseconds: `0.0123` → `"0.0123 ms"`, `12.3456` → `"12.3 ms"`.
pub fn millis(ms: f64) -> String {
    format!("{} ms", sig3(ms))
}

/// Three significant digits without exponent noise; `−0` prints as `0`.
pub fn sig3(v: f64) -> String {
    if !v.is_finite() {
        return "—".to_string();
    }
    if v == 0.0 {
        return "0".to_string();
    }
    let mag = v.abs().log10().floor() as i32;
    let decimals = (2 - mag).clamp(0, 6) as usize;
    let s = format!("{v:.decimals$}");
    if s.starts_with("-0") && s.trim_start_matches(['-', '0', '.']).is_empty() {
        return "0".to_string();
    }
    s
}

/// Axis tick text: three significant digits without trailing zeros (`2`, `0.5`, `128`).
pub fn tick(v: f64) -> String {
    let s = sig3(v);
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    }
}

/// The q-quantile (0..=1) of the finite values of `data` (None when there are none): the k-th
/// smallest with k = round((count − 1)·q).
///
/// Large inputs (colour ranges of whole heatmaps, every repaint) take a histogram pass first: the
/// bin holding the k-th value is found by counting, and only that bin's values are selected from.
/// The answer is the same; the work is linear instead of a selection over everything.
pub fn quantile(data: &[f32], q: f64) -> Option<f32> {
    let (mut lo, mut hi, mut count) = (f32::INFINITY, f32::NEG_INFINITY, 0usize);
    for &x in data.iter().filter(|x| x.is_finite()) {
        lo = if x < lo { x } else { lo };
        hi = if x > hi { x } else { hi };
        count += 1;
    }
    if count == 0 {
        return None;
    }
    let k = ((count - 1) as f64 * q.clamp(0.0, 1.0)).round() as usize;
    const BINS: usize = 1024;
    let select = |mut v: Vec<f32>, k: usize| {
        let (_, x, _) = v.select_nth_unstable_by(k, |a, b| a.total_cmp(b));
        *x
    };
    if count <= 4 * BINS || lo == hi {
        return Some(select(data.iter().copied().filter(|x| x.is_finite()).collect(), k));
    }
    // Monotone in x, so every value in a lower bin is smaller than every value in a higher one.
    // Non-finite values go to an extra bin past the end and are never counted.
    let scale = (BINS as f64 / (hi as f64 - lo as f64)) as f32;
    let (lo_f, span_ok) = (lo, scale.is_finite() && (hi - lo).is_finite());
    if !span_ok {
        return Some(select(data.iter().copied().filter(|x| x.is_finite()).collect(), k));
    }
    let bin_of = |x: f32| {
        if x.is_finite() {
            (((x - lo_f) * scale) as usize).min(BINS - 1)
        } else {
            BINS
        }
    };
    let mut hist = [0usize; BINS + 1];
    for &x in data {
        hist[bin_of(x)] += 1;
    }
    let (mut bin, mut below) = (0, 0);
    while below + hist[bin] <= k {
        below += hist[bin];
        bin += 1;
    }
    let in_bin = data
        .iter()
        .copied()
        .filter(|x| x.is_finite() && bin_of(*x) == bin)
        .collect();
    Some(select(in_bin, k - below))
}

/// A value with four decimals for readouts (q·k, weights).
pub fn fixed4(v: f32) -> String {
    if v.is_finite() {
        format!("{v:.4}")
    } else if v < 0.0 {
        "−∞".to_string()
    } else {
        "—".to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefixes_and_significant_digits() {
        assert_eq!(si(1_234_567.0), "1.23 M");
        assert_eq!(si(536_870_912.0), "537 M");
        assert_eq!(si(12.0), "12.0");
        assert_eq!(bytes(1536.0), "1.50 KiB");
        assert_eq!(bytes(524_288.0), "512 KiB");
        assert_eq!(bytes(3.0 * (1u64 << 30) as f64), "3.00 GiB");
        assert_eq!(millis(12.3456), "12.3 ms");
        assert_eq!(sig3(0.0123), "0.0123");
        assert_eq!(fixed4(f32::NEG_INFINITY), "−∞");
        assert_eq!(si(f64::NAN), "—");
        assert_eq!(tick(2.0), "2");
        assert_eq!(tick(0.5), "0.5");
        assert_eq!(tick(128.0), "128");
        assert_eq!(tick(-0.25), "-0.25");
    }

    #[test]
    fn quantiles_ignore_non_finite_values() {
        let d = [f32::NAN, 1.0, 2.0, 3.0, 4.0, f32::NEG_INFINITY];
        assert_eq!(quantile(&d, 0.0), Some(1.0));
        assert_eq!(quantile(&d, 1.0), Some(4.0));
        assert_eq!(quantile(&d, 0.5), Some(3.0));
        assert_eq!(quantile(&[f32::NAN], 0.5), None);
        // Large inputs take the histogram path: the same answers as sorting.
        let big: Vec<f32> = (0..50_000)
            .map(|i| {
                if i % 97 == 0 {
                    f32::NAN
                } else {
                    ((i * 7919) % 10_007) as f32 * 0.013 - 40.0
                }
            })
            .collect();
        let mut sorted: Vec<f32> = big.iter().copied().filter(|x| x.is_finite()).collect();
        sorted.sort_by(f32::total_cmp);
        for q in [0.0, 0.25, 0.5, 0.995, 1.0] {
            let k = ((sorted.len() - 1) as f64 * q).round() as usize;
            assert_eq!(quantile(&big, q), Some(sorted[k]), "q = {q}");
        }
    }
}
