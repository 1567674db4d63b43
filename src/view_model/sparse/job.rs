//! The sparse view's computation as a resumable [`Job`].
//!
//! [`SparseJob::new`] embeds the tokens (d-wide), projects Q, K, V with seeded weights and builds the
//! pattern (and its pooled mask); then, one stage per step so the browser can paint in between: the
//! sparse kernel checked against dense masked attention, counts and tiles (with the fill of every
//! `tile`×`tile` tile), the masked attention weights softmax(QKᵀ/√d + M) beside the unmasked
//! reference, the `vs` pattern's weights, numbers and mass, the attention mass kept (in slices of
//! query rows), the reach over stacked layers and the mixed-pattern layer's heads.

use std::sync::Arc;

use crate::attention::embedding::embed;
use crate::attention::exact::{attention_rows, attention_weights};
use crate::attention::mask::{causal_or_full, DenseMask};
use crate::attention::matrix::Matrix;
use crate::attention::multi_head::{LayerWeights, Projections};
use crate::attention::pooling::{PoolMode, Pooler};
use crate::attention::sparse::csr::SparsePattern;
use crate::attention::sparse::kernel::sparse_attend;
use crate::attention::sparse::lsh::unit_rows;
use crate::attention::sparse::masked::masked_weights;
use crate::attention::sparse::pooled::pool_pattern;
use crate::attention::sparse::reach::{reach_after, reach_profile, FullReach, ReachProfile, ReachTarget};
use crate::attention::sparse::stats::{mass_kept, mass_kept_rows, PatternStats, TILE_SIZES};
use crate::attention::sparse::tiles::{tile_picture, tile_rows, TilePicture, TileRow};
use crate::attention::sparse::zoo::{build, mixed_heads, Detail, PatternKind};
use crate::view_model::job::Job;
use crate::view_model::params::Notice;
use crate::view_model::sparse::params::SparseParams;
use crate::view_model::sparse::result::{
    note_to_notice, Compared, HeadView, SparseResult, CHECK_ROWS, MAP_PX, SMALL_PX,
};

/// Query rows per slice of the attention-mass stage.
const MASS_ROWS: usize = 128;

/// The stages of a [`SparseJob`], in order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Stage {
    /// Kernel check, counts, tiles and the tile picture.
    Counts,
    /// Masked attention weights.
    Weights,
    /// Reference (full or causal) attention weights.
    Reference,
    /// The `vs` pattern's weights and counts.
    Second,
    /// The `vs` pattern's attention mass.
    SecondMass,
    /// One slice of MASS_ROWS query rows of the attention mass.
    Mass,
    ReachProfile,
    ReachMap,
    Heads,
}

/// The computation as a sequence of short stages (module doc).
pub struct SparseJob {
    plan: Vec<Stage>,
    params: SparseParams,
    next: usize,
    q: Arc<Matrix>,
    k: Arc<Matrix>,
    v: Matrix,
    scale: f32,
    pattern: Arc<SparsePattern>,
    notices: Vec<Notice>,
    detail: Detail,
    mask_map: Matrix,
    stats: PatternStats,
    kernel_diff: f32,
    tiles: Vec<TileRow>,
    mass_sum: f64,
    mass_rows: usize,
    reach: ReachProfile,
    reach_map: Matrix,
    heads: Vec<HeadView>,
    weights: Arc<Matrix>,
    reference: Arc<Matrix>,
    tile_picture: TilePicture,
    /// The `vs` pattern's kind and the projected keys, until the Second stage builds the pattern (so
    /// its build cost does not add to the first pattern's); then the pattern and its keys (LSH keys
    /// are the unit-normalised queries) until the SecondMass stage.
    second_kind: Option<(PatternKind, Matrix)>,
    second_input: Option<(SparsePattern, Matrix)>,
    second: Option<Compared>,
}

/// No reach yet (or the engine refused the pattern).
fn no_reach() -> ReachProfile {
    ReachProfile {
        target: ReachTarget::All,
        coverage: Vec::new(),
        full: FullReach::Never,
    }
}

impl SparseJob {
    /// Embeds the tokens (d-wide), projects Q, K, V with seeded weights and builds the pattern.
    pub fn new(params: SparseParams, tokens: &[String]) -> Self {
        let d = params.d.max(1);
        let x = embed(tokens, d, params.settings.seed);
        let proj = Projections::compute(&x, &LayerWeights::seeded(d, params.settings.seed), d);
        let n = tokens.len();
        let built = build(params.pattern, n, &params.settings, proj.q.view(), MAP_PX);
        let second_kind = params.vs.map(|kind| (kind, proj.k.clone()));
        let k = if params.pattern == PatternKind::Lsh {
            unit_rows(proj.q.view())
        } else {
            proj.k
        };
        let pattern = built.pattern;
        let mask_map = pool_pattern(&pattern, MAP_PX);
        let mass_slices = pattern.n_queries.div_ceil(MASS_ROWS).max(1);
        let mut plan = vec![Stage::Counts, Stage::Weights, Stage::Reference];
        if second_kind.is_some() {
            plan.extend([Stage::Second, Stage::SecondMass]);
        }
        plan.extend(std::iter::repeat_n(Stage::Mass, mass_slices));
        plan.extend([Stage::ReachProfile, Stage::ReachMap, Stage::Heads]);
        Self {
            plan,
            weights: Arc::new(Matrix::zeros(0, 0)),
            reference: Arc::new(Matrix::zeros(0, 0)),
            tile_picture: tile_picture(&SparsePattern::empty(0, 0), 1),
            second_kind,
            second_input: None,
            second: None,
            scale: 1.0 / (d as f32).sqrt(),
            next: 0,
            q: Arc::new(proj.q),
            k: Arc::new(k),
            v: proj.v,
            stats: PatternStats::new(&pattern, params.d),
            pattern: Arc::new(pattern),
            notices: built.notes.iter().map(note_to_notice).collect(),
            detail: built.detail,
            mask_map,
            kernel_diff: 0.0,
            tiles: Vec::new(),
            mass_sum: 0.0,
            mass_rows: 0,
            reach: no_reach(),
            reach_map: Matrix::zeros(0, 0),
            heads: Vec::new(),
            params,
        }
    }

    fn n(&self) -> usize {
        self.pattern.n_queries
    }

    fn counts_stage(&mut self) {
        let (q, k, v, p) = (self.q.view(), self.k.view(), self.v.view(), &*self.pattern);
        let n = self.n();
        self.kernel_diff = match sparse_attend(q, k, v, self.scale, p) {
            Ok(sparse) => {
                let rows = n.min(CHECK_ROWS);
                let dense_mask = DenseMask {
                    n_queries: rows,
                    n_keys: n,
                    allowed: (0..rows * n).map(|t| p.contains(t / n, t % n)).collect(),
                };
                let mut dense = Matrix::zeros(rows, v.cols);
                attention_rows(
                    q.rows_range(0, rows),
                    k,
                    v,
                    self.scale,
                    &dense_mask,
                    0..rows,
                    64,
                    &mut dense.data,
                    |_| {},
                );
                let head = Matrix::from_view(sparse.rows_view(0, rows));
                head.max_abs_diff(&dense)
            }
            Err(_) => f32::NAN,
        };
        self.tiles = tile_rows(p, &TILE_SIZES);
        self.tile_picture = tile_picture(p, self.params.tile.size());
    }

    fn weights_stage(&mut self) {
        let (q, k) = (self.q.view(), self.k.view());
        self.weights = Arc::new(masked_weights(q, k, self.scale, &self.pattern));
    }

    fn reference_stage(&mut self) {
        let (q, k) = (self.q.view(), self.k.view());
        let reference = causal_or_full(self.pattern.is_causal());
        self.reference = Arc::new(attention_weights(q, k, self.scale, reference));
    }

    fn second_stage(&mut self) {
        let Some((kind, proj_k)) = self.second_kind.take() else {
            return;
        };
        let q = self.q.view();
        let built = build(kind, self.n(), &self.params.settings, q, MAP_PX);
        for notice in built.notes.iter().map(note_to_notice) {
            if !self.notices.contains(&notice) {
                self.notices.push(notice);
            }
        }
        let p2 = built.pattern;
        let k2 = if kind == PatternKind::Lsh { unit_rows(q) } else { proj_k };
        self.second = Some(Compared {
            kind,
            mask_map: pool_pattern(&p2, MAP_PX),
            weights: Arc::new(masked_weights(q, k2.view(), self.scale, &p2)),
            stats: PatternStats::new(&p2, self.params.d),
            mass: 0.0,
        });
        self.second_input = Some((p2, k2));
    }

    fn second_mass_stage(&mut self) {
        if let (Some((p2, k2)), Some(c)) = (self.second_input.take(), self.second.as_mut()) {
            c.mass = mass_kept(
                self.q.view(),
                k2.view(),
                self.scale,
                &p2,
                causal_or_full(p2.is_causal()),
            );
        }
    }

    fn mass_slice(&mut self) {
        let start = self.mass_rows;
        let rows = MASS_ROWS.min(self.n() - start);
        let reference = causal_or_full(self.pattern.is_causal());
        self.mass_sum += mass_kept_rows(
            self.q.view(),
            self.k.view(),
            self.scale,
            &self.pattern,
            reference,
            start..start + rows,
        );
        self.mass_rows += rows;
    }

    fn reach_map_stage(&mut self) {
        if let Ok(r) = reach_after(&self.pattern, self.params.layers) {
            let n = self.n();
            let mut pooler = Pooler::new(n, n, MAP_PX, MAP_PX, PoolMode::Mean);
            let mut row = vec![0.0f32; n];
            for i in 0..n {
                row.iter_mut()
                    .enumerate()
                    .for_each(|(j, v)| *v = r.get(i, j) as u8 as f32);
                pooler.add_row(i, &row);
            }
            self.reach_map = pooler.finish();
        }
    }

    fn heads_stage(&mut self) {
        let (plan, kinds) = mixed_heads(self.n(), &self.params.settings);
        self.heads = plan
            .build(self.n(), self.params.settings.seed)
            .into_iter()
            .zip(kinds)
            .map(|(c, kind)| HeadView {
                kind,
                map: pool_pattern(&c.value, SMALL_PX),
                nnz: c.value.nnz(),
            })
            .collect();
    }
}

impl Job for SparseJob {
    type Output = SparseResult;

    fn step(&mut self) {
        let Some(&stage) = self.plan.get(self.next) else {
            return;
        };
        match stage {
            Stage::Counts => self.counts_stage(),
            Stage::Weights => self.weights_stage(),
            Stage::Reference => self.reference_stage(),
            Stage::Second => self.second_stage(),
            Stage::SecondMass => self.second_mass_stage(),
            Stage::Mass => self.mass_slice(),
            Stage::ReachProfile => self.reach = reach_profile(&self.pattern).unwrap_or_else(|_| no_reach()),
            Stage::ReachMap => self.reach_map_stage(),
            Stage::Heads => self.heads_stage(),
        }
        self.next += 1;
    }

    fn progress(&self) -> f64 {
        self.next as f64 / self.plan.len() as f64
    }

    fn is_done(&self) -> bool {
        self.next >= self.plan.len()
    }

    fn finish(mut self) -> SparseResult {
        while !self.is_done() {
            self.step();
        }
        let n = self.n();
        SparseResult {
            n,
            stats: self.stats,
            mass: if n == 0 { 0.0 } else { self.mass_sum / n as f64 },
            reach: self.reach,
            pattern: self.pattern,
            notices: self.notices,
            mask_map: self.mask_map,
            kernel_diff: self.kernel_diff,
            tiles: self.tiles,
            reach_map: self.reach_map,
            detail: self.detail,
            heads: self.heads,
            weights: self.weights,
            reference: self.reference,
            tile_picture: self.tile_picture,
            second: self.second,
            q: self.q,
            k: self.k,
            scale: self.scale,
        }
    }
}
