//! Exact attention cut into independent parts, so several threads (the app's Web Workers, each with
//! its own wasm instance and memory) can compute one call together: a part is a range of heads and a
//! range of query rows of a head-major `[H, N, d]` problem (the layout of [`crate::attention::packed`]).
//!
//! Heads are split when there are at least as many heads as parts; otherwise (one head, as in the
//! Speed chapter) query rows are, at equal *work*: with a causal mask row i costs i + 1 keys, so the
//! cut points follow √ of the work fraction. A part carries only the keys its rows may see (causal:
//! 0..row_end), and every row is computed by the same kernel as the one-thread call
//! ([`crate::attention::exact::attend`]), so a part's rows equal the whole call's (module tests).

use std::ops::Range;

use crate::attention::exact::attend;
use crate::attention::mask::{AttentionMask, Full};
use crate::attention::matrix::MatRef;

/// One part of a `[heads, n, d]` exact attention call.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Part {
    /// Heads of the part.
    pub heads: Range<usize>,
    /// Query rows of the part (of every head in `heads`).
    pub rows: Range<usize>,
}

impl Part {
    /// Keys the part's rows may see: 0..rows.end with a causal mask, all N otherwise.
    pub fn keys(&self, n: usize, causal: bool) -> usize {
        if causal {
            self.rows.end.min(n)
        } else {
            n
        }
    }
}

/// Cuts `heads × n` rows into at most `parts` parts of about equal work (never an empty one): whole
/// heads when heads ≥ parts, otherwise row ranges of each head (causal rows weighted by i + 1).
pub fn plan(heads: usize, n: usize, parts: usize, causal: bool) -> Vec<Part> {
    let parts = parts.max(1);
    if heads == 0 || n == 0 {
        return Vec::new();
    }
    if heads >= parts {
        return (0..parts)
            .map(|p| Part {
                heads: p * heads / parts..(p + 1) * heads / parts,
                rows: 0..n,
            })
            .filter(|p| !p.heads.is_empty())
            .collect();
    }
    // Fewer heads than parts: each head's rows in ⌈parts / heads⌉ pieces.
    let per_head = parts.div_ceil(heads).min(n);
    let cut = |k: usize| -> usize {
        let f = k as f64 / per_head as f64;
        let at = if causal { f.sqrt() } else { f } * n as f64;
        (at.round() as usize).min(n)
    };
    let mut out = Vec::new();
    for h in 0..heads {
        for k in 0..per_head {
            let rows = cut(k)..cut(k + 1);
            if !rows.is_empty() {
                out.push(Part { heads: h..h + 1, rows });
            }
        }
    }
    out
}

/// A part's inputs copied out of the whole Q, K, V (`[heads, n, d]` each): Q of its heads and rows,
/// K and V of its heads and visible keys, each head-major.
pub fn gather(q: &[f32], k: &[f32], v: &[f32], n: usize, d: usize, causal: bool, part: &Part) -> [Vec<f32>; 3] {
    let keys = part.keys(n, causal);
    let take = |x: &[f32], rows: Range<usize>| -> Vec<f32> {
        let mut out = Vec::with_capacity(part.heads.len() * rows.len() * d);
        for h in part.heads.clone() {
            out.extend_from_slice(&x[(h * n + rows.start) * d..(h * n + rows.end) * d]);
        }
        out
    };
    [take(q, part.rows.clone()), take(k, 0..keys), take(v, 0..keys)]
}

/// Writes a part's output (`[part heads, part rows, d]`) into the whole output (`[heads, n, d]`).
pub fn scatter(out: &mut [f32], part_out: &[f32], n: usize, d: usize, part: &Part) {
    let rows = part.rows.len() * d;
    for (i, h) in part.heads.clone().enumerate() {
        let src = &part_out[i * rows..(i + 1) * rows];
        out[(h * n + part.rows.start) * d..(h * n + part.rows.end) * d].copy_from_slice(src);
    }
}

/// Causal mask of rows that start at `row0` of the whole problem: local row i sees keys ≤ row0 + i.
#[derive(Clone, Copy, Debug)]
pub struct CausalFrom(pub usize);

impl AttentionMask for CausalFrom {
    fn allows(&self, i: usize, j: usize) -> bool {
        j <= self.0 + i
    }
    fn key_range(&self, i: usize, n_keys: usize) -> Range<usize> {
        0..(self.0 + i + 1).min(n_keys)
    }
    fn is_contiguous(&self) -> bool {
        true
    }
}

/// O of one part: for each of `heads` heads, softmax(Q·Kᵀ·scale + M)·V over `q` (`heads × rows × d`)
/// and `k`, `v` (`heads × keys × d`), M causal from global row `row0` or none. What a worker runs.
pub fn attend_part(
    q: &[f32],
    k: &[f32],
    v: &[f32],
    heads: usize,
    d: usize,
    scale: f32,
    causal: bool,
    row0: usize,
) -> Vec<f32> {
    let heads = heads.max(1);
    let d = d.max(1);
    let rows = q.len() / (heads * d);
    let keys = k.len() / (heads * d);
    assert!(q.len() == heads * rows * d && k.len() == heads * keys * d && v.len() == k.len());
    let mut out = Vec::with_capacity(q.len());
    fn mat(data: &[f32], offset: usize, rows: usize, d: usize) -> MatRef<'_> {
        MatRef {
            data,
            offset,
            rows,
            cols: d,
            row_stride: d,
        }
    }
    for h in 0..heads {
        let (qo, ko) = (h * rows * d, h * keys * d);
        let (qh, kh, vh) = (mat(q, qo, rows, d), mat(k, ko, keys, d), mat(v, ko, keys, d));
        let o = if causal {
            attend(qh, kh, vh, scale, &CausalFrom(row0))
        } else {
            attend(qh, kh, vh, scale, &Full)
        };
        out.extend_from_slice(&o.data);
    }
    out
}

/// The whole call computed part by part on this thread (what the workers together return).
pub fn attend_split(q: &[f32], k: &[f32], v: &[f32], heads: usize, d: usize, causal: bool, parts: usize) -> Vec<f32> {
    let n = q.len() / (heads.max(1) * d.max(1));
    let scale = 1.0 / (d.max(1) as f32).sqrt();
    let mut out = vec![0.0f32; q.len()];
    for part in plan(heads, n, parts, causal) {
        let [qp, kp, vp] = gather(q, k, v, n, d, causal, &part);
        let o = attend_part(&qp, &kp, &vp, part.heads.len(), d, scale, causal, part.rows.start);
        scatter(&mut out, &o, n, d, &part);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::attention::packed::{attend_packed, ExactKernel};
    use crate::attention::rng::{normal_matrix, stream};

    #[test]
    fn plans_cover_every_row_once_with_balanced_causal_work() {
        for &(heads, n, parts, causal) in &[
            (8, 100, 2, false),
            (1, 1000, 2, true),
            (3, 7, 4, true),
            (1, 1, 4, false),
        ] {
            let mut seen = vec![0u32; heads * n];
            for p in plan(heads, n, parts, causal) {
                assert!(!p.heads.is_empty() && !p.rows.is_empty());
                for h in p.heads.clone() {
                    for i in p.rows.clone() {
                        seen[h * n + i] += 1;
                    }
                }
            }
            assert!(seen.iter().all(|&c| c == 1), "{heads} {n} {parts} {causal}");
        }
        // One causal head in two: the cut at N/√2 gives both halves about N²/4 pairs.
        let p = plan(1, 1000, 2, true);
        assert_eq!(p[0].rows, 0..707);
        let work = |r: &Range<usize>| r.clone().map(|i| i + 1).sum::<usize>() as f64;
        let ratio = work(&p[0].rows) / work(&p[1].rows);
        assert!((ratio - 1.0).abs() < 0.01, "{ratio}");
    }

    #[test]
    fn split_calls_equal_the_one_thread_call() {
        let mut rng = stream(5, "split");
        for &(heads, n, d, parts) in &[(8, 70, 16, 2), (1, 130, 64, 2), (2, 33, 8, 4), (3, 5, 8, 2)] {
            let len = heads * n * d;
            let (q, k, v) = (
                normal_matrix(&mut rng, 1, len, 1.0).data,
                normal_matrix(&mut rng, 1, len, 1.0).data,
                normal_matrix(&mut rng, 1, len, 1.0).data,
            );
            for causal in [false, true] {
                let scale = 1.0 / (d as f32).sqrt();
                let whole = attend_packed(&q, &k, &v, heads, d, scale, causal, ExactKernel::Fast);
                let split = attend_split(&q, &k, &v, heads, d, causal, parts);
                let err = whole
                    .iter()
                    .zip(&split)
                    .map(|(a, b)| (a - b).abs())
                    .fold(0.0f32, f32::max);
                assert!(err < 1e-5, "{heads}×{n}×{d} in {parts}, causal {causal}: {err}");
            }
        }
    }
}
