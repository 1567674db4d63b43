//! Grouped-query attention, one kernel for MHA, GQA and MQA.
//!
//! n_heads query heads share n_kv_heads key/value heads (Ainslie et al. 2023, "GQA: Training
//! Generalized Multi-Query Transformer Models from Multi-Head Checkpoints"). With group size
//! g = n_heads / n_kv_heads, query head h reads K/V head ⌊h / g⌋ — exactly what LLaMA's `repeat_kv`
//! does when it repeats each K/V head g times along the head axis (HF `modeling_llama.py`):
//!
//!   Q = X·W_Q (N × n_heads·d_head), K = X·W_K, V = X·W_V (N × n_kv_heads·d_head),
//!   O_h = softmax(Q_h·K_{⌊h/g⌋}ᵀ / √d_head + M)·V_{⌊h/g⌋},  out = [O_0 … O_{n_heads−1}]·W_O.
//!
//! n_kv_heads = n_heads is multi-head attention (Vaswani et al. 2017); n_kv_heads = 1 is multi-query
//! attention (Shazeer 2019, "Fast Transformer Decoding: One Write-Head is All You Need"). The KV cache
//! holds 2·n_kv_heads·d_head numbers per token per layer, so it shrinks by the factor g.

use crate::attention::exact::{attend, attention_weights};
use crate::attention::heads::error::{positive, HeadsError};
use crate::attention::mask::causal_or_full;
use crate::attention::matrix::{matmul, MatRef, Matrix};
use crate::attention::multi_head::LayerWeights;
use crate::attention::rng::{normal_matrix, stream};
use crate::attention::scale::Scale;

/// Head counts, head width and mask of a grouped-query layer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct GqaConfig {
    pub n_heads: usize,
    pub n_kv_heads: usize,
    pub d_head: usize,
    pub causal: bool,
}

impl GqaConfig {
    /// Multi-head attention: one K/V head per query head (n_kv_heads = n_heads).
    pub fn mha(n_heads: usize, d_head: usize, causal: bool) -> Self {
        Self {
            n_heads,
            n_kv_heads: n_heads,
            d_head,
            causal,
        }
    }

    /// Multi-query attention: a single K/V head shared by all query heads (n_kv_heads = 1).
    pub fn mqa(n_heads: usize, d_head: usize, causal: bool) -> Self {
        Self {
            n_heads,
            n_kv_heads: 1,
            d_head,
            causal,
        }
    }

    /// Checks every size is positive and n_kv_heads divides n_heads.
    pub fn validate(&self) -> Result<(), HeadsError> {
        positive(self.n_heads, "n_heads")?;
        positive(self.n_kv_heads, "n_kv_heads")?;
        positive(self.d_head, "d_head")?;
        if !self.n_heads.is_multiple_of(self.n_kv_heads) {
            return Err(HeadsError::KvHeadsDoNotDivide {
                n_heads: self.n_heads,
                n_kv_heads: self.n_kv_heads,
            });
        }
        Ok(())
    }

    /// Group size g = n_heads / n_kv_heads: how many query heads read each K/V head (1 if invalid).
    pub fn group_size(&self) -> usize {
        if self.validate().is_ok() {
            self.n_heads / self.n_kv_heads
        } else {
            1
        }
    }

    /// The K/V head that query head h reads: ⌊h / g⌋ (h is clamped to the last head).
    pub fn kv_head_of(&self, h: usize) -> usize {
        h.min(self.n_heads.saturating_sub(1)) / self.group_size()
    }

    /// The score scale 1/√d_head.
    pub fn scale(&self) -> f32 {
        Scale::InvSqrtDHead.factor(self.d_head)
    }
}

/// Projection matrices of a grouped-query layer (row-vector convention, x·W):
/// W_Q d_model × n_heads·d_head, W_K and W_V d_model × n_kv_heads·d_head, W_O n_heads·d_head × d_model.
#[derive(Clone, Debug, PartialEq)]
pub struct GqaWeights {
    pub w_q: Matrix,
    pub w_k: Matrix,
    pub w_v: Matrix,
    pub w_o: Matrix,
}

impl GqaWeights {
    /// N(0, 1/fan_in) weights from the streams "w_q", "w_k", "w_v", "w_o" — the same streams and
    /// shapes as [`LayerWeights::seeded`] when n_heads·d_head = d_model and n_kv_heads = n_heads, so the
    /// MHA setting of this layer is the foundation chapter's layer.
    pub fn seeded(d_model: usize, cfg: &GqaConfig, seed: u64) -> Result<Self, HeadsError> {
        cfg.validate()?;
        positive(d_model, "d_model")?;
        let (q_width, kv_width) = (cfg.n_heads * cfg.d_head, cfg.n_kv_heads * cfg.d_head);
        let std_in = 1.0 / (d_model as f32).sqrt();
        let std_out = 1.0 / (q_width as f32).sqrt();
        let draw =
            |label: &str, rows: usize, cols: usize, std: f32| normal_matrix(&mut stream(seed, label), rows, cols, std);
        Ok(Self {
            w_q: draw("w_q", d_model, q_width, std_in),
            w_k: draw("w_k", d_model, kv_width, std_in),
            w_v: draw("w_v", d_model, kv_width, std_in),
            w_o: draw("w_o", q_width, d_model, std_out),
        })
    }

    /// A multi-head layer's weights seen as GQA weights with n_kv_heads = n_heads.
    pub fn from_layer(w: &LayerWeights) -> Self {
        Self {
            w_q: w.w_q.clone(),
            w_k: w.w_k.clone(),
            w_v: w.w_v.clone(),
            w_o: w.w_o.clone(),
        }
    }

    /// The GQA paper's checkpoint conversion: each new K (and V) head is the mean of the old K (V)
    /// heads in its group, W_K'_g = (1/r)·Σ_{j<r} W_K_{g·r + j} with r = old n_kv / new n_kv. Query and
    /// output weights are unchanged. Returns the new weights and config.
    pub fn mean_pooled(&self, cfg: &GqaConfig, n_kv_heads: usize) -> Result<(Self, GqaConfig), HeadsError> {
        cfg.validate()?;
        let new_cfg = GqaConfig { n_kv_heads, ..*cfg };
        new_cfg.validate()?;
        if !cfg.n_kv_heads.is_multiple_of(n_kv_heads) {
            return Err(HeadsError::KvHeadsDoNotDivide {
                n_heads: cfg.n_kv_heads,
                n_kv_heads,
            });
        }
        self.check(cfg)?;
        let r = cfg.n_kv_heads / n_kv_heads;
        let d = cfg.d_head;
        let pool = |w: &Matrix| {
            Matrix::from_fn(w.rows, n_kv_heads * d, |i, c| {
                let (g, j) = (c / d, c % d);
                (0..r).map(|t| w.get(i, (g * r + t) * d + j)).sum::<f32>() / r as f32
            })
        };
        Ok((
            Self {
                w_q: self.w_q.clone(),
                w_k: pool(&self.w_k),
                w_v: pool(&self.w_v),
                w_o: self.w_o.clone(),
            },
            new_cfg,
        ))
    }

    /// Model width d_model (rows of W_Q).
    pub fn d_model(&self) -> usize {
        self.w_q.rows
    }

    /// Checks the weight shapes against `cfg`.
    fn check(&self, cfg: &GqaConfig) -> Result<(), HeadsError> {
        let d_model = self.w_q.rows;
        let (q_width, kv_width) = (cfg.n_heads * cfg.d_head, cfg.n_kv_heads * cfg.d_head);
        let checks = [
            ("W_Q columns", q_width, self.w_q.cols),
            ("W_K rows", d_model, self.w_k.rows),
            ("W_K columns", kv_width, self.w_k.cols),
            ("W_V rows", d_model, self.w_v.rows),
            ("W_V columns", kv_width, self.w_v.cols),
            ("W_O rows", q_width, self.w_o.rows),
        ];
        for (what, expected, got) in checks {
            if expected != got {
                return Err(HeadsError::WidthMismatch { what, expected, got });
            }
        }
        Ok(())
    }
}

/// Q (N × n_heads·d_head), K and V (N × n_kv_heads·d_head) of a grouped-query layer.
#[derive(Clone, Debug, PartialEq)]
pub struct GqaProjections {
    pub q: Matrix,
    pub k: Matrix,
    pub v: Matrix,
    pub cfg: GqaConfig,
}

impl GqaProjections {
    /// Q = X·W_Q, K = X·W_K, V = X·W_V after checking the config and every shape.
    pub fn compute(x: &Matrix, w: &GqaWeights, cfg: &GqaConfig) -> Result<Self, HeadsError> {
        cfg.validate()?;
        w.check(cfg)?;
        if x.cols != w.d_model() {
            return Err(HeadsError::WidthMismatch {
                what: "input X",
                expected: w.d_model(),
                got: x.cols,
            });
        }
        Ok(Self {
            q: x.matmul(&w.w_q),
            k: x.matmul(&w.w_k),
            v: x.matmul(&w.w_v),
            cfg: *cfg,
        })
    }

    /// (Q_h, K_{⌊h/g⌋}, V_{⌊h/g⌋}) as column windows; h is clamped to the last head.
    pub fn head(&self, h: usize) -> (MatRef<'_>, MatRef<'_>, MatRef<'_>) {
        let d = self.cfg.d_head;
        let h = h.min(self.cfg.n_heads.saturating_sub(1));
        let kv = self.cfg.kv_head_of(h);
        (
            self.q.columns(h * d, d),
            self.k.columns(kv * d, d),
            self.v.columns(kv * d, d),
        )
    }

    /// Head h's attention weights softmax(Q_h·K_{⌊h/g⌋}ᵀ/√d_head + M), N × N (for the heatmaps).
    pub fn head_weights(&self, h: usize) -> Matrix {
        let (q, k, _) = self.head(h);
        attention_weights(q, k, self.cfg.scale(), causal_or_full(self.cfg.causal))
    }

    /// Head h's output O_h, N × d_head.
    pub fn head_output(&self, h: usize) -> Matrix {
        let (q, k, v) = self.head(h);
        attend(q, k, v, self.cfg.scale(), causal_or_full(self.cfg.causal))
    }
}

/// A grouped-query layer's projections, concatenated heads (N × n_heads·d_head) and output
/// concat·W_O (N × d_model).
#[derive(Clone, Debug, PartialEq)]
pub struct GqaOutput {
    pub projections: GqaProjections,
    pub concat: Matrix,
    pub out: Matrix,
}

/// The whole grouped-query layer: out = [O_0 … O_{n_heads−1}]·W_O (see the module doc).
pub fn grouped_query_attention(x: &Matrix, w: &GqaWeights, cfg: &GqaConfig) -> Result<GqaOutput, HeadsError> {
    let projections = GqaProjections::compute(x, w, cfg)?;
    let d = cfg.d_head;
    let mut concat = Matrix::zeros(x.rows, cfg.n_heads * d);
    for h in 0..cfg.n_heads {
        let o = projections.head_output(h);
        for i in 0..x.rows {
            concat.row_mut(i)[h * d..(h + 1) * d].copy_from_slice(o.row(i));
        }
    }
    let out = matmul(concat.view(), w.w_o.view());
    Ok(GqaOutput {
        projections,
        concat,
        out,
    })
}

/// The layer together with every head's attention weights, each computed once:
/// W_h = softmax(Q_h·K_{⌊h/g⌋}ᵀ/√d_head + M), O_h = W_h·V_{⌊h/g⌋}, out = [O_0 … O_{n_heads−1}]·W_O.
/// Same result as [`grouped_query_attention`]; for views that draw every head's map.
pub fn grouped_query_attention_with_maps(
    x: &Matrix,
    w: &GqaWeights,
    cfg: &GqaConfig,
) -> Result<(GqaOutput, Vec<Matrix>), HeadsError> {
    let projections = GqaProjections::compute(x, w, cfg)?;
    let d = cfg.d_head;
    let mut concat = Matrix::zeros(x.rows, cfg.n_heads * d);
    let mut maps = Vec::with_capacity(cfg.n_heads);
    for h in 0..cfg.n_heads {
        let weights = projections.head_weights(h);
        let o = matmul(weights.view(), projections.head(h).2);
        for i in 0..x.rows {
            concat.row_mut(i)[h * d..(h + 1) * d].copy_from_slice(o.row(i));
        }
        maps.push(weights);
    }
    let out = matmul(concat.view(), w.w_o.view());
    Ok((
        GqaOutput {
            projections,
            concat,
            out,
        },
        maps,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::attention::embedding::embed;
    use crate::attention::multi_head::{multi_head_attention, HeadConfig, Kernel};
    use crate::attention::tokenizer::example_tokens;

    #[test]
    fn gqa_with_groups_equal_heads_is_mha() {
        let x = embed(&example_tokens(23), 32, 4);
        let layer = LayerWeights::seeded(32, 4);
        for causal in [false, true] {
            let mha = multi_head_attention(
                &x,
                &layer,
                &HeadConfig {
                    n_heads: 4,
                    scale: Scale::InvSqrtDHead,
                    causal,
                },
                Kernel::Exact,
            )
            .unwrap();
            let cfg = GqaConfig::mha(4, 8, causal);
            let gqa = grouped_query_attention(&x, &GqaWeights::from_layer(&layer), &cfg).unwrap();
            assert!(gqa.out.max_abs_diff(&mha.out) < 1e-5);
            assert!(gqa.concat.max_abs_diff(&mha.concat) < 1e-5);
            // Seeded GQA weights in the MHA setting are the foundation layer's weights.
            assert_eq!(GqaWeights::seeded(32, &cfg, 4).unwrap(), GqaWeights::from_layer(&layer));
        }
    }

    #[test]
    fn mqa_is_gqa_with_one_kv_head() {
        let x = embed(&example_tokens(17), 24, 2);
        let cfg = GqaConfig::mqa(6, 4, true);
        let w = GqaWeights::seeded(24, &cfg, 2).unwrap();
        let mqa = grouped_query_attention(&x, &w, &cfg).unwrap();
        let gqa1 = grouped_query_attention(
            &x,
            &w,
            &GqaConfig {
                n_kv_heads: 1,
                ..GqaConfig::mha(6, 4, true)
            },
        )
        .unwrap();
        assert_eq!(mqa.out, gqa1.out);
        // Every query head reads the one K/V head, so K has a single head's width.
        assert_eq!(mqa.projections.k.cols, 4);
        assert!((0..6).all(|h| cfg.kv_head_of(h) == 0));
    }

    #[test]
    fn layer_with_maps_equals_the_layer() {
        let x = embed(&example_tokens(15), 16, 3);
        let cfg = GqaConfig {
            n_heads: 4,
            n_kv_heads: 2,
            d_head: 4,
            causal: true,
        };
        let w = GqaWeights::seeded(16, &cfg, 3).unwrap();
        let plain = grouped_query_attention(&x, &w, &cfg).unwrap();
        let (with_maps, maps) = grouped_query_attention_with_maps(&x, &w, &cfg).unwrap();
        assert!(with_maps.out.max_abs_diff(&plain.out) < 1e-5);
        assert_eq!(maps.len(), 4);
        assert_eq!(maps[3], plain.projections.head_weights(3));
    }

    #[test]
    fn query_head_reads_kv_head_h_over_group_size() {
        // 8 query heads, 2 K/V heads: g = 4, heads 0–3 read K/V 0 and heads 4–7 read K/V 1 (repeat_kv).
        let cfg = GqaConfig {
            n_heads: 8,
            n_kv_heads: 2,
            d_head: 4,
            causal: false,
        };
        assert_eq!(cfg.group_size(), 4);
        let map: Vec<usize> = (0..8).map(|h| cfg.kv_head_of(h)).collect();
        assert_eq!(map, vec![0, 0, 0, 0, 1, 1, 1, 1]);
    }

    #[test]
    fn heads_sharing_a_kv_head_reuse_its_keys_and_rows_sum_to_one() {
        let x = embed(&example_tokens(12), 16, 8);
        let cfg = GqaConfig {
            n_heads: 4,
            n_kv_heads: 2,
            d_head: 4,
            causal: true,
        };
        let w = GqaWeights::seeded(16, &cfg, 8).unwrap();
        let p = GqaProjections::compute(&x, &w, &cfg).unwrap();
        for h in 0..4 {
            let wts = p.head_weights(h);
            for i in 0..12 {
                let sum: f32 = wts.row(i).iter().sum();
                assert!((sum - 1.0).abs() < 1e-5, "head {h} row {i} sums to {sum}");
                assert!(wts.row(i)[i + 1..].iter().all(|v| *v == 0.0), "causal");
            }
            // Head output = weights · V of its K/V head.
            let v = Matrix::from_view(p.head(h).2);
            assert!(p.head_output(h).max_abs_diff(&wts.matmul(&v)) < 1e-5);
        }
        assert_eq!(p.head(1).1.offset, p.head(0).1.offset);
        assert_ne!(p.head(2).1.offset, p.head(0).1.offset);
    }

    #[test]
    fn kv_heads_must_divide_heads_and_shapes_must_match() {
        let bad = GqaConfig {
            n_heads: 6,
            n_kv_heads: 4,
            d_head: 4,
            causal: false,
        };
        assert_eq!(
            bad.validate(),
            Err(HeadsError::KvHeadsDoNotDivide {
                n_heads: 6,
                n_kv_heads: 4
            })
        );
        assert_eq!(GqaWeights::seeded(8, &bad, 0), Err(bad.validate().unwrap_err()));
        assert_eq!(GqaConfig::mha(0, 4, false).validate(), Err(HeadsError::Zero("n_heads")));
        let cfg = GqaConfig::mha(2, 4, false);
        let w = GqaWeights::seeded(8, &cfg, 0).unwrap();
        let x = Matrix::zeros(3, 7);
        assert_eq!(
            grouped_query_attention(&x, &w, &cfg).unwrap_err(),
            HeadsError::WidthMismatch {
                what: "input X",
                expected: 8,
                got: 7
            }
        );
    }

    #[test]
    fn mean_pooling_averages_the_kv_heads_of_each_group() {
        let cfg = GqaConfig::mha(4, 2, false);
        let w = GqaWeights::seeded(6, &cfg, 1).unwrap();
        let (pooled, new_cfg) = w.mean_pooled(&cfg, 2).unwrap();
        assert_eq!(new_cfg.n_kv_heads, 2);
        assert_eq!((pooled.w_k.rows, pooled.w_k.cols), (6, 4));
        // New K head 1, column 0 = mean of old heads 2 and 3, column 0 (old columns 4 and 6).
        let want = (w.w_k.get(3, 4) + w.w_k.get(3, 6)) / 2.0;
        assert!((pooled.w_k.get(3, 2) - want).abs() < 1e-7);
        // Pooling to the same count changes nothing; 3 does not divide 4.
        assert_eq!(w.mean_pooled(&cfg, 4).unwrap().0, w);
        assert!(w.mean_pooled(&cfg, 3).is_err());
    }
}
