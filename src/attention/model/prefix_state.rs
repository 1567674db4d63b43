//! The recurrent state of causal kernel attention, kept between calls: what makes linear attention
//! "an RNN" (Katharopoulos et al. 2020, §3.4, "Transformers are RNNs").
//!
//! For feature maps φ and the keys and values folded so far (positions 0 … n−1), one K/V head holds
//!
//!   S = Σ_j φ(k_j)·v_jᵀ   (m × d_v)    z = Σ_j φ(k_j)   (m)
//!
//! and a query reads o = φ(q)ᵀS / φ(q)·z. A decode step folds one key in O(m·d_v), whatever the
//! length; the state's size is fixed (m·(d_v + 1) floats) where a KV cache grows by 2·d per token.
//!
//! **Exponential features** (FAVOR+) are stored relative to a shift C: the state holds
//! E = Σ_j e^{a_j − C}·v_jᵀ and E_z = Σ_j e^{a_j − C} (a_j the key's log-features), plus Σ_j v_j and n
//! for the additive ε of φ = ratio·(e^{a − C} + ε). A new key with larger logs raises C to C′ and
//! multiplies E and E_z by e^{C − C′} ≤ 1, so nothing overflows, and S = ratio·(E + ε·1·(Σv)ᵀ),
//! z = ratio·(E_z + ε·n) exactly as if every key had been stabilised by C′ from the start; the common
//! factor ratio cancels in o. Linear attention (φ = elu + 1) uses C = 0 and ε = 0.
//!
//! **Validity.** A state is reused only for the same keys: it stores a 64-bit hash of the bits of every
//! folded key and value row ([`fingerprint`]), and a call whose first rows hash differently (another
//! prompt, a truncated and refilled cache) starts from an empty state. Checking costs one pass over
//! the cached rows, O(n·2d) — about a dot product per key, far less than refolding, O(n·m·d).

use std::collections::HashMap;
use std::ops::Range;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

use crate::attention::matrix::MatRef;

/// The FNV-1a 64-bit prime, the hash's multiplier.
const HASH_PRIME: u64 = 0x0000_0100_0000_01b3;
/// The FNV-1a 64-bit offset basis, the hash of no rows.
pub const HASH_START: u64 = 0xcbf2_9ce4_8422_2325;

/// Extends hash `h` (start from [`HASH_START`]) with the bit patterns of rows `rows` of `k` and `v`:
/// four interleaved FNV-style lanes h ← (h ⊕ bits)·p per row, then folded into one value.
pub fn fingerprint(mut h: u64, k: MatRef<'_>, v: MatRef<'_>, rows: Range<usize>) -> u64 {
    for j in rows {
        let mut lanes = [h, h.rotate_left(16), h.rotate_left(32), h.rotate_left(48)];
        for row in [k.row(j), v.row(j)] {
            let mut quads = row.chunks_exact(4);
            for quad in &mut quads {
                for (l, x) in lanes.iter_mut().zip(quad) {
                    *l = (*l ^ x.to_bits() as u64).wrapping_mul(HASH_PRIME);
                }
            }
            for x in quads.remainder() {
                lanes[0] = (lanes[0] ^ x.to_bits() as u64).wrapping_mul(HASH_PRIME);
            }
        }
        h = lanes.iter().fold(j as u64 ^ HASH_START, |acc, l| {
            (acc ^ l).wrapping_mul(HASH_PRIME).rotate_left(29)
        });
    }
    h
}

/// The running sums of one K/V head (module doc).
#[derive(Clone, Debug, PartialEq)]
pub struct PrefixState {
    /// Keys folded, n.
    pub folded: usize,
    /// Hash of the folded key and value rows.
    pub hash: u64,
    /// C, the shift of the exponential features (−∞ before the first key; 0 for linear features).
    pub shift: f32,
    m: usize,
    d_v: usize,
    /// E, m × d_v.
    e: Vec<f32>,
    /// E_z, m.
    e_z: Vec<f32>,
    /// Σ_j v_j, d_v.
    v_sum: Vec<f32>,
}

impl PrefixState {
    /// An empty state for m features and values of width d_v.
    pub fn new(m: usize, d_v: usize) -> Self {
        Self {
            folded: 0,
            hash: HASH_START,
            shift: f32::NEG_INFINITY,
            m,
            d_v,
            e: vec![0.0; m * d_v],
            e_z: vec![0.0; m],
            v_sum: vec![0.0; d_v],
        }
    }

    /// Moves the shift to `c` (≥ the current one): E and E_z are multiplied by e^{C − c}.
    pub fn raise_shift(&mut self, c: f32) {
        if c <= self.shift {
            return;
        }
        if self.folded > 0 && self.shift > f32::NEG_INFINITY {
            let f = (self.shift - c).exp();
            self.e.iter_mut().chain(self.e_z.iter_mut()).for_each(|x| *x *= f);
        }
        self.shift = c;
    }

    /// Folds one key: `features` = e^{a_j − C} (or φ(k_j) for linear features), `v` its value.
    pub fn fold(&mut self, features: &[f32], v: &[f32]) {
        for ((row, z), f) in self.e.chunks_exact_mut(self.d_v).zip(&mut self.e_z).zip(features) {
            *z += f;
            row.iter_mut().zip(v).for_each(|(acc, x)| *acc += f * x);
        }
        self.v_sum.iter_mut().zip(v).for_each(|(s, x)| *s += x);
        self.folded += 1;
    }

    /// o = φ(q)ᵀ(E + ε·1·(Σv)ᵀ) / φ(q)·(E_z + ε·n) into `out`; a zero or non-finite denominator gives a
    /// zero row (as the approximation chapter's kernels do). Each entry is divided, not multiplied by
    /// the reciprocal, which would overflow for a subnormal denominator.
    pub fn read(&self, phi_q: &[f32], epsilon: f32, out: &mut [f32]) {
        debug_assert_eq!(phi_q.len(), self.m);
        out.fill(0.0);
        let mut den = 0.0f32;
        for ((row, z), a) in self.e.chunks_exact(self.d_v).zip(&self.e_z).zip(phi_q) {
            den += a * z;
            out.iter_mut().zip(row).for_each(|(o, x)| *o += a * x);
        }
        if epsilon != 0.0 {
            let q_sum: f32 = phi_q.iter().sum();
            den += epsilon * q_sum * self.folded as f32;
            out.iter_mut()
                .zip(&self.v_sum)
                .for_each(|(o, s)| *o += epsilon * q_sum * s);
        }
        if den != 0.0 && den.is_finite() {
            out.iter_mut().for_each(|o| *o /= den);
        } else {
            out.fill(0.0);
        }
    }
}

/// One [`PrefixState`] per (layer, K/V head), shared by the query heads of a group.
#[derive(Debug, Default)]
pub struct PrefixStates {
    states: Mutex<HashMap<(usize, usize), PrefixState>>,
    /// States started from empty so far (a measure of how often keys were folded anew).
    starts: AtomicUsize,
}

impl PrefixStates {
    /// Runs `f` on the state of (layer, kv_head) after checking it against the call's keys and values:
    /// the state is kept when it folded at most `usable` rows (the keys the call's first query may
    /// read, first_pos + 1) and their hash matches, and replaced by an empty one (m features, values
    /// of width v.cols) otherwise.
    pub fn with_state<T>(
        &self,
        (layer, kv_head): (usize, usize),
        m: usize,
        k: MatRef<'_>,
        v: MatRef<'_>,
        usable: usize,
        f: impl FnOnce(&mut PrefixState) -> T,
    ) -> T {
        let mut states = self.states.lock().unwrap_or_else(|e| e.into_inner());
        let state = states.entry((layer, kv_head)).or_insert_with(|| {
            self.starts.fetch_add(1, Ordering::Relaxed);
            PrefixState::new(m, v.cols)
        });
        let valid = state.m == m
            && state.d_v == v.cols
            && state.folded <= usable.min(k.rows)
            && fingerprint(HASH_START, k, v, 0..state.folded) == state.hash;
        if !valid {
            self.starts.fetch_add(1, Ordering::Relaxed);
            *state = PrefixState::new(m, v.cols);
        }
        f(state)
    }

    /// How many states were started from empty (a new head, or keys that did not match).
    pub fn starts(&self) -> usize {
        self.starts.load(Ordering::Relaxed)
    }

    /// Drops every state (memory: m·(d_v + 1)·4 bytes per K/V head of each layer that used one).
    pub fn clear(&self) {
        self.states.lock().unwrap_or_else(|e| e.into_inner()).clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::attention::matrix::Matrix;

    #[test]
    fn a_raised_shift_rescales_the_sums_as_if_every_key_had_used_it() {
        // Two keys with log-features a = (0, 1) and (2, −1), values 1 and 3; shifts 0 then 2.
        let mut s = PrefixState::new(2, 1);
        s.raise_shift(0.0);
        s.fold(&[1.0, 1f32.exp()], &[1.0]);
        s.raise_shift(2.0);
        s.fold(&[1.0, (-3f32).exp()], &[3.0]);
        let mut direct = PrefixState::new(2, 1);
        direct.raise_shift(2.0);
        direct.fold(&[(-2f32).exp(), (-1f32).exp()], &[1.0]);
        direct.fold(&[1.0, (-3f32).exp()], &[3.0]);
        let (mut a, mut b) = ([0.0], [0.0]);
        s.read(&[0.3, 0.7], 1e-6, &mut a);
        direct.read(&[0.3, 0.7], 1e-6, &mut b);
        assert!((a[0] - b[0]).abs() < 1e-6, "{a:?} vs {b:?}");
        // By hand with ε = 0: weights ∝ 0.3·e^{−2} + 0.7·e^{−1} and 0.3 + 0.7·e^{−3}.
        let (w1, w2) = (0.3 * (-2f32).exp() + 0.7 * (-1f32).exp(), 0.3 + 0.7 * (-3f32).exp());
        s.read(&[0.3, 0.7], 0.0, &mut a);
        assert!((a[0] - (w1 + 3.0 * w2) / (w1 + w2)).abs() < 1e-5, "{a:?}");
    }

    #[test]
    fn a_state_is_kept_for_the_same_rows_and_dropped_for_changed_ones() {
        let k = Matrix::from_fn(6, 4, |i, j| (i * 4 + j) as f32 * 0.1);
        let v = Matrix::from_fn(6, 3, |i, j| (i + j) as f32);
        let states = PrefixStates::default();
        let fold_all = |s: &mut PrefixState, upto: usize| {
            for j in s.folded..upto {
                s.fold(&[1.0, 1.0], v.row(j));
            }
            s.hash = fingerprint(HASH_START, k.view(), v.view(), 0..upto);
            s.folded
        };
        assert_eq!(
            states.with_state((0, 0), 2, k.view(), v.view(), 0, |s| fold_all(s, 4)),
            4
        );
        // Same rows, a later call: the 4 folded keys are kept.
        assert_eq!(states.with_state((0, 0), 2, k.view(), v.view(), 5, |s| s.folded), 4);
        // A state that folded more keys than the call's first query may read cannot be unfolded.
        assert_eq!(states.with_state((0, 0), 2, k.view(), v.view(), 3, |s| s.folded), 0);
        states.with_state((0, 0), 2, k.view(), v.view(), 0, |s| fold_all(s, 4));
        let mut k2 = k.clone();
        k2.set(2, 1, 7.0);
        assert_eq!(states.with_state((0, 0), 2, k2.view(), v.view(), 5, |s| s.folded), 0);
        // Another layer has its own state; the hash tells rows apart by position as well as by bits.
        assert_eq!(states.with_state((1, 0), 2, k.view(), v.view(), 5, |s| s.folded), 0);
        let same = Matrix::from_fn(2, 4, |_, _| 1.0);
        let same_v = Matrix::from_fn(2, 3, |_, _| 1.0);
        assert_ne!(
            fingerprint(HASH_START, same.view(), same_v.view(), 0..1),
            fingerprint(HASH_START, same.view(), same_v.view(), 1..2)
        );
    }
}
