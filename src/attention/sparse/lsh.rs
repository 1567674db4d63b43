//! Reformer LSH attention (Kitaev, Kaiser & Levskaya 2020, "Reformer: The Efficient Transformer",
//! §3) as a pattern.
//!
//! - Shared QK: keys are the unit-normalised queries, k_j = q_j / ‖q_j‖ ([`unit_rows`]).
//! - Angular LSH: for a random d × (n_buckets/2) rotation R, h(x) = argmax([xR ; −xR]) ∈ 0..n_buckets
//!   (n_buckets must be even; ties go to the lower bucket).
//! - For each of n_hashes rounds (independent R): sort tokens by bucket, stably by position; cut the
//!   sorted order into chunks of c tokens; a query attends to the keys of its own chunk and the
//!   previous chunk (chunk 0 has no previous chunk; the trax implementation wraps around, which the
//!   same-bucket rule makes matter only when everything shares a bucket) that have its bucket.
//! - The pattern is the union of the rounds. A token does not attend to itself (with shared QK it
//!   would always win) unless it has no other allowed key; then it attends to itself alone.
//! - Causal: additionally j ≤ i (the Reformer language model).
//!
//! Clamps: n_buckets into 2..=2·max(N, 1), odd → next even; n_hashes into 1..=[`MAX_HASHES`];
//! chunk length into 1..=N.

use crate::attention::matrix::{matmul, MatRef, Matrix};
use crate::attention::rng::{normal_matrix, stream};
use crate::attention::sparse::csr::SparsePattern;
use crate::attention::sparse::notes::{clamp_usize, ClampNote, Clamped, Param};

/// Most hash rounds (the Reformer paper goes up to 8; more only repeats the picture).
pub const MAX_HASHES: usize = 16;

/// LSH parameters. Reformer's enwik8 configuration (Kitaev et al. 2020, §5): chunk length 64,
/// n_hashes up to 8; the number of buckets is chosen as about N / chunk.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LshConfig {
    pub n_buckets: usize,
    pub n_hashes: usize,
    pub chunk: usize,
    pub causal: bool,
}

/// One hashing round as the view shows it.
#[derive(Clone, Debug, PartialEq)]
pub struct LshRound {
    /// The random rotation R, d × (n_buckets / 2).
    pub rotation: Matrix,
    /// Bucket of each token.
    pub buckets: Vec<usize>,
    /// Token positions sorted by (bucket, position).
    pub order: Vec<usize>,
    /// Chunk id (position in `order` / c) of each token.
    pub chunk_of: Vec<usize>,
}

/// The LSH pattern with every round's hashing.
#[derive(Clone, Debug, PartialEq)]
pub struct LshAttention {
    pub pattern: SparsePattern,
    pub rounds: Vec<LshRound>,
    /// The configuration actually used (after clamping).
    pub config: LshConfig,
}

/// Rows scaled to unit Euclidean norm (a zero row stays zero): the Reformer's shared keys.
pub fn unit_rows(x: MatRef<'_>) -> Matrix {
    Matrix::from_fn(x.rows, x.cols, |i, j| {
        let norm = x.row(i).iter().map(|v| v * v).sum::<f32>().sqrt();
        if norm > 0.0 {
            x.get(i, j) / norm
        } else {
            0.0
        }
    })
}

/// h(x) = argmax([xR ; −xR]) for every row x of `x`, with `rotation` d × (n_buckets / 2).
/// Returns an empty vector when the widths disagree.
pub fn lsh_hash(x: MatRef<'_>, rotation: MatRef<'_>) -> Vec<usize> {
    if x.cols != rotation.rows {
        return Vec::new();
    }
    let projected = matmul(x, rotation);
    (0..x.rows)
        .map(|i| {
            let row = projected.row(i);
            let mut best = (0, f32::NEG_INFINITY);
            for (b, v) in row.iter().copied().chain(row.iter().map(|v| -v)).enumerate() {
                if v > best.1 {
                    best = (b, v);
                }
            }
            best.0
        })
        .collect()
}

/// The LSH attention pattern of the shared query/key vectors `x` (module doc); rotations come from
/// `stream(seed, "lsh_rotations")`, one d × (n_buckets/2) N(0, 1) matrix per round.
pub fn lsh_attention(x: MatRef<'_>, config: &LshConfig, seed: u64) -> Clamped<LshAttention> {
    let mut notes = Vec::new();
    let used = clamp_config(x.rows, config, &mut notes);
    let mut rng = stream(seed, "lsh_rotations");
    let rotations = (0..used.n_hashes)
        .map(|_| normal_matrix(&mut rng, x.cols, used.n_buckets / 2, 1.0))
        .collect();
    Clamped {
        value: lsh_with_rotations(x, rotations, &used),
        notes,
    }
}

/// Applies the clamps of the module doc to `config` for `n` tokens.
fn clamp_config(n: usize, config: &LshConfig, notes: &mut Vec<ClampNote>) -> LshConfig {
    let mut n_buckets = clamp_usize(notes, Param::Buckets, config.n_buckets, 2, 2 * n.max(1));
    if n_buckets % 2 == 1 {
        notes.push(ClampNote {
            param: Param::Buckets,
            requested: n_buckets as f64,
            used: Some((n_buckets + 1) as f64),
        });
        n_buckets += 1;
    }
    LshConfig {
        n_buckets,
        n_hashes: clamp_usize(notes, Param::Hashes, config.n_hashes, 1, MAX_HASHES),
        chunk: clamp_usize(notes, Param::ChunkLength, config.chunk, 1, n),
        causal: config.causal,
    }
}

/// The LSH pattern for given rotations, one round per matrix (each d × (n_buckets/2)); `config`'s
/// n_hashes and n_buckets are taken from the rotations, its chunk length is clamped into 1..=N.
/// A rotation whose height is not d puts every token in bucket 0.
pub fn lsh_with_rotations(x: MatRef<'_>, rotations: Vec<Matrix>, config: &LshConfig) -> LshAttention {
    let n = x.rows;
    let chunk = config.chunk.clamp(1, n.max(1));
    let rounds: Vec<LshRound> = rotations
        .into_iter()
        .map(|rotation| {
            let mut buckets = lsh_hash(x, rotation.view());
            buckets.resize(n, 0);
            let mut order: Vec<usize> = (0..n).collect();
            order.sort_by_key(|&t| buckets[t]); // stable: equal buckets keep position order
            let mut chunk_of = vec![0; n];
            for (p, &t) in order.iter().enumerate() {
                chunk_of[t] = p / chunk;
            }
            LshRound {
                rotation,
                buckets,
                order,
                chunk_of,
            }
        })
        .collect();
    let pattern = SparsePattern::from_row_fn(n, n, |i, out| {
        for round in &rounds {
            let c = round.chunk_of[i];
            let start = c.saturating_sub(1) * chunk;
            let end = ((c + 1) * chunk).min(n);
            out.extend(
                round.order[start..end]
                    .iter()
                    .copied()
                    .filter(|&j| j != i && round.buckets[j] == round.buckets[i] && (!config.causal || j <= i)),
            );
        }
        if out.is_empty() {
            out.push(i);
        }
    });
    let config = LshConfig {
        n_buckets: rounds.first().map_or(config.n_buckets, |r| 2 * r.rotation.cols),
        n_hashes: rounds.len(),
        chunk,
        causal: config.causal,
    };
    LshAttention {
        pattern,
        rounds,
        config,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hash_is_the_argmax_over_plus_and_minus_projections() {
        // x = (1, 0), R = [[0.5, −2], [1, 1]]: xR = (0.5, −2); [xR; −xR] = (0.5, −2, −0.5, 2) → bucket 3.
        let x = Matrix::from_vec(2, 2, vec![1.0, 0.0, 0.0, 1.0]);
        let r = Matrix::from_vec(2, 2, vec![0.5, -2.0, 1.0, 1.0]);
        // Second row x = (0, 1): xR = (1, 1) → tie between buckets 0 and 1 → the lower, 0.
        assert_eq!(lsh_hash(x.view(), r.view()), vec![3, 0]);
    }

    #[test]
    fn tokens_attend_only_to_same_bucket_keys_in_their_own_or_previous_chunk() {
        let x = normal_matrix(&mut stream(3, "x"), 40, 8, 1.0);
        let cfg = LshConfig {
            n_buckets: 4,
            n_hashes: 1,
            chunk: 5,
            causal: false,
        };
        let lsh = lsh_attention(x.view(), &cfg, 7).value;
        let round = &lsh.rounds[0];
        for w in round.order.windows(2) {
            let (a, b) = (w[0], w[1]);
            assert!(
                (round.buckets[a], a) < (round.buckets[b], b),
                "sort is by bucket, then position"
            );
        }
        for i in 0..40 {
            for &j in lsh.pattern.row(i) {
                if j == i {
                    assert_eq!(lsh.pattern.row_len(i), 1, "self only when alone");
                    continue;
                }
                assert_eq!(round.buckets[i], round.buckets[j]);
                let (ci, cj) = (round.chunk_of[i], round.chunk_of[j]);
                assert!(cj == ci || cj + 1 == ci || ci + 1 == cj);
            }
        }
    }

    #[test]
    fn more_rounds_only_add_pairs_and_odd_buckets_round_up() {
        let x = normal_matrix(&mut stream(1, "x"), 64, 6, 1.0);
        let mut cfg = LshConfig {
            n_buckets: 7,
            n_hashes: 1,
            chunk: 8,
            causal: true,
        };
        let one = lsh_attention(x.view(), &cfg, 2);
        assert_eq!(one.value.config.n_buckets, 8);
        assert_eq!(one.notes.len(), 1);
        assert!(one.value.pattern.is_causal());
        cfg.n_hashes = 3;
        let three = lsh_attention(x.view(), &cfg, 2).value;
        assert_eq!(three.rounds[0], one.value.rounds[0]);
        for i in 0..64 {
            for &j in one.value.pattern.row(i) {
                assert!(j == i || three.pattern.contains(i, j));
            }
        }
        assert!(three.pattern.nnz() >= one.value.pattern.nnz());
    }

    #[test]
    fn degenerate_parameters_are_clamped_without_panicking() {
        let x = normal_matrix(&mut stream(1, "x"), 5, 3, 1.0);
        let cfg = LshConfig {
            n_buckets: 0,
            n_hashes: 0,
            chunk: 0,
            causal: false,
        };
        let c = lsh_attention(x.view(), &cfg, 0);
        assert_eq!(c.notes.len(), 3);
        assert_eq!(c.value.config.n_buckets, 2);
        let empty = Matrix::zeros(0, 3);
        assert_eq!(lsh_attention(empty.view(), &cfg, 0).value.pattern.nnz(), 0);
    }
}
