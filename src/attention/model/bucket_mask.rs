//! Reformer LSH attention inside the model (Kitaev, Kaiser & Levskaya 2020, "Reformer: The Efficient
//! Transformer", §3): the zoo's angular hash applied to the model's own queries and keys.
//!
//! For each of n_hashes rounds r, h_r(x) = argmax([x·R_r ; −x·R_r]) ∈ 0 … n_buckets−1 with the zoo's
//! rotations R_r (d × n_buckets/2, N(0, 1), drawn in order from `stream(seed, "lsh_rotations")`, the
//! draws [`crate::attention::sparse::lsh::lsh_attention`] makes for width d) and its
//! [`lsh_hash`]. Query i at absolute position p may attend to key j iff
//!
//!   j ≤ p and h_r(q_i) = h_r(k_j) for some round r;
//!
//! a query with no such key attends to itself alone (the Reformer's rule for a token with nothing
//! else to attend to). Two differences from the zoo's pattern, both forced by a trained causal model:
//! - the model's queries and keys are its own (W_Q ≠ W_K, no shared-QK), so a token may share a bucket
//!   with its own key and attend to itself like any other key;
//! - no chunks: the zoo sorts the tokens by bucket and keeps the own and the previous chunk of c
//!   sorted tokens, a device for equal-sized batches whose boundaries depend on every token of the
//!   sequence, future ones included. The model uses the exact same-bucket rule, which chunking
//!   approximates, so a row depends only on its own query and the keys before it (prefix-stable).
//!
//! One set of rotations serves every layer and head. Cost per call: (n_queries + n_keys)·d·n_buckets/2
//! per round for the hashes, then the usual exact kernel under the mask.

use crate::attention::mask::AttentionMask;
use crate::attention::matrix::{MatRef, Matrix};
use crate::attention::rng::{normal_matrix, stream};
use crate::attention::sparse::lsh::{lsh_hash, MAX_HASHES};

/// Most buckets per round (the zoo allows 2·N; for the model's 64-wide heads more than this only
/// isolates tokens).
pub const MAX_BUCKETS: usize = 256;

/// The hash rotations of LSH attention for heads of width d.
#[derive(Clone, Debug, PartialEq)]
pub struct LshHashes {
    /// One d × n_buckets/2 rotation per round.
    pub rotations: Vec<Matrix>,
}

impl LshHashes {
    /// Draws `hashes` rotations for `buckets` buckets (clamped: buckets into 2 ..= [`MAX_BUCKETS`],
    /// odd → the next even number, as the zoo does; hashes into 1 ..= [`MAX_HASHES`]).
    pub fn draw(d: usize, buckets: usize, hashes: usize, seed: u64) -> Self {
        let buckets = buckets.clamp(2, MAX_BUCKETS).next_multiple_of(2);
        let mut rng = stream(seed, "lsh_rotations");
        Self {
            rotations: (0..hashes.clamp(1, MAX_HASHES))
                .map(|_| normal_matrix(&mut rng, d, buckets / 2, 1.0))
                .collect(),
        }
    }

    /// Buckets per round.
    pub fn buckets(&self) -> usize {
        2 * self.rotations.first().map_or(1, |r| r.cols)
    }

    /// The mask of a call: queries `q` at positions `first_pos` …, keys `k` at 0 … n_keys−1.
    pub fn mask(&self, q: MatRef<'_>, k: MatRef<'_>, first_pos: usize) -> BucketMask {
        let hash =
            |x: MatRef<'_>| -> Vec<Vec<usize>> { self.rotations.iter().map(|r| lsh_hash(x, r.view())).collect() };
        let (q_buckets, k_buckets) = (hash(q), hash(k));
        let shares = |i: usize, j: usize| q_buckets.iter().zip(&k_buckets).any(|(qb, kb)| qb[i] == kb[j]);
        let alone = (0..q.rows)
            .map(|i| !(0..(first_pos + i + 1).min(k.rows)).any(|j| shares(i, j)))
            .collect();
        BucketMask {
            first_pos,
            q_buckets,
            k_buckets,
            alone,
        }
    }
}

/// The LSH mask of one call, over absolute query positions (module doc).
#[derive(Clone, Debug, PartialEq)]
pub struct BucketMask {
    first_pos: usize,
    /// Bucket of each query row / key, per round.
    q_buckets: Vec<Vec<usize>>,
    k_buckets: Vec<Vec<usize>>,
    /// Query rows that share no bucket with any key up to their position.
    alone: Vec<bool>,
}

impl BucketMask {
    /// Bucket of query row i (relative to the call) and of key j in round r.
    pub fn buckets(&self, round: usize, i: usize, j: usize) -> (usize, usize) {
        (self.q_buckets[round][i], self.k_buckets[round][j])
    }
}

impl AttentionMask for BucketMask {
    fn allows(&self, p: usize, j: usize) -> bool {
        let i = p - self.first_pos;
        if self.alone[i] {
            j == p
        } else {
            j <= p
                && self
                    .q_buckets
                    .iter()
                    .zip(&self.k_buckets)
                    .any(|(qb, kb)| qb[i] == kb[j])
        }
    }

    fn key_range(&self, p: usize, n_keys: usize) -> std::ops::Range<usize> {
        if self.alone[p - self.first_pos] {
            p.min(n_keys)..(p + 1).min(n_keys)
        } else {
            0..(p + 1).min(n_keys)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::attention::rng::normal_matrix;

    #[test]
    fn queries_see_past_keys_of_a_shared_bucket_or_only_themselves() {
        let mut rng = stream(5, "bucket-test");
        let (n, d) = (40, 8);
        let q = normal_matrix(&mut rng, n, d, 1.0);
        let k = normal_matrix(&mut rng, n, d, 1.0);
        let h = LshHashes::draw(d, 7, 2, 1);
        assert_eq!((h.buckets(), h.rotations.len()), (8, 2));
        let m = h.mask(q.view(), k.view(), 0);
        let shares = |p: usize, j: usize| (0..2).any(|r| m.buckets(r, p, j).0 == m.buckets(r, p, j).1);
        let (mut pairs, mut alone) = (0, 0);
        for p in 0..n {
            let row: Vec<usize> = (0..n).filter(|&j| m.allows(p, j)).collect();
            let sharing: Vec<usize> = (0..=p).filter(|&j| shares(p, j)).collect();
            if sharing.is_empty() {
                assert_eq!(row, vec![p]);
                alone += 1;
            } else {
                assert_eq!(row, sharing, "row {p}");
            }
            pairs += row.len();
        }
        // 8 buckets, 2 rounds: a pair shares a bucket with probability ≈ 1 − (7/8)² ≈ 0.23, so the
        // 820 causal pairs keep roughly 190; the count is this draw's.
        assert!((100..300).contains(&pairs), "{pairs} pairs, {alone} alone");
        assert!(alone < 5, "{alone} rows alone");
    }

    #[test]
    fn a_block_of_queries_gets_the_rows_of_the_full_sequence() {
        let mut rng = stream(6, "bucket-block");
        let (n, d) = (24, 8);
        let q = normal_matrix(&mut rng, n, d, 1.0);
        let k = normal_matrix(&mut rng, n, d, 1.0);
        let h = LshHashes::draw(d, 4, 1, 9);
        let full = h.mask(q.view(), k.view(), 0);
        let block = h.mask(q.view().rows_range(16, 8), k.view(), 16);
        for p in 16..n {
            for j in 0..n {
                assert_eq!(full.allows(p, j), block.allows(p, j), "({p}, {j})");
            }
            assert_eq!(full.key_range(p, n), block.key_range(p, n));
        }
    }
}
