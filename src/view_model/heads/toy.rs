//! The toy layer behind the sharing, MLA and low-rank panels: the built-in passage's first n tokens,
//! embedded and run through seeded weights as MHA, GQA (mean-pooled K/V heads), MLA and [K V].
//! The layer is small (N ≤ 96, d_model ≤ 64, d_c ≤ 64), so each panel takes well under a frame.

use crate::attention::embedding::embed;
use crate::attention::heads::error::HeadsError;
use crate::attention::heads::grouped::{grouped_query_attention_with_maps, GqaConfig, GqaProjections, GqaWeights};
use crate::attention::heads::low_rank::{joint_kv, LowRank, RankPoint};
use crate::attention::heads::mla::{mla_absorbed, MlaConfig, MlaProjections, MlaWeights};
use crate::attention::heads::total_variation::mean_tv;
use crate::attention::matrix::Matrix;
use crate::attention::tokenizer::example_tokens;

/// The settings the toy layer's panels depend on (the calculator, the RoPE panel and `part` are not
/// among them).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ToyLayer {
    pub n: usize,
    pub d_model: usize,
    pub n_heads: usize,
    pub n_kv_heads: usize,
    pub selected_head: usize,
    pub causal: bool,
    pub seed: u64,
    pub d_c: usize,
    pub d_r: usize,
    /// RoPE base θ of MLA's decoupled key.
    pub rope_theta: f64,
}

impl ToyLayer {
    /// d_head = d_model / n_h.
    pub fn d_head(&self) -> usize {
        self.d_model / self.n_heads.max(1)
    }

    /// The grouped-query config (n_kv K/V heads).
    pub fn gqa(&self) -> GqaConfig {
        GqaConfig {
            n_heads: self.n_heads,
            n_kv_heads: self.n_kv_heads,
            d_head: self.d_head(),
            causal: self.causal,
        }
    }

    /// The same layer with every query head its own K/V head.
    pub fn mha(&self) -> GqaConfig {
        GqaConfig {
            n_kv_heads: self.n_heads,
            ..self.gqa()
        }
    }

    /// The MLA config (same heads and d_head, no query compression).
    pub fn mla(&self) -> MlaConfig {
        MlaConfig {
            n_heads: self.n_heads,
            d_head: self.d_head(),
            d_c: self.d_c,
            d_r: self.d_r,
            d_cq: None,
            rope_base: self.rope_theta,
            causal: self.causal,
        }
    }

    /// The inputs: the built-in passage's first n tokens, embedded.
    fn input(&self) -> (Vec<String>, Matrix) {
        let tokens = example_tokens(self.n);
        let x = embed(&tokens, self.d_model, self.seed);
        (tokens, x)
    }
}

/// The toy layer computed as MHA and as GQA with mean-pooled K/V heads (the GQA paper's conversion),
/// from the same seeded weights, so the two differ only by the sharing.
#[derive(Clone, Debug)]
pub struct Sharing {
    pub tokens: Vec<String>,
    pub cfg: GqaConfig,
    /// Each query head's GQA attention weights, N × N.
    pub gqa_maps: Vec<Matrix>,
    /// Each head's MHA attention weights, N × N.
    pub mha_maps: Vec<Matrix>,
    /// Per head: mean over query rows of the total-variation distance ½·Σ_j |w_gqa − w_mha|.
    pub tv: Vec<f64>,
    /// ‖out_gqa − out_mha‖_F / ‖out_mha‖_F.
    pub out_rel_diff: f64,
}

/// Computes the [`Sharing`] panel's data.
pub fn sharing(p: &ToyLayer) -> Result<Sharing, HeadsError> {
    let (tokens, x) = p.input();
    let mha_cfg = p.mha();
    let w = GqaWeights::seeded(p.d_model, &mha_cfg, p.seed)?;
    let (w_g, cfg) = w.mean_pooled(&mha_cfg, p.n_kv_heads)?;
    let (mha, mha_maps) = grouped_query_attention_with_maps(&x, &w, &mha_cfg)?;
    let (gqa, gqa_maps) = grouped_query_attention_with_maps(&x, &w_g, &cfg)?;
    let tv = gqa_maps.iter().zip(&mha_maps).map(|(a, b)| mean_tv(a, b)).collect();
    let diff = Matrix::from_fn(x.rows, x.cols, |i, j| gqa.out.get(i, j) - mha.out.get(i, j));
    let denom = mha.out.frobenius() as f64;
    let out_rel_diff = if denom > 0.0 {
        diff.frobenius() as f64 / denom
    } else {
        0.0
    };
    Ok(Sharing {
        tokens,
        cfg,
        gqa_maps,
        mha_maps,
        tv,
        out_rel_diff,
    })
}

/// The toy layer as MLA: the selected head's weights, naive vs absorbed agreement, and the cache.
#[derive(Clone, Debug)]
pub struct MlaToy {
    pub cfg: MlaConfig,
    /// The selected head's attention weights, N × N.
    pub head_map: Matrix,
    /// max |out_naive − out_absorbed|.
    pub absorbed_diff: f32,
    /// Numbers cached per token per layer: MHA, GQA (with n_kv heads), MLA.
    pub cache_mha: usize,
    pub cache_gqa: usize,
    pub cache_mla: usize,
}

/// Computes the MLA panel's data.
pub fn mla_toy(p: &ToyLayer) -> Result<MlaToy, HeadsError> {
    let (_, x) = p.input();
    let cfg = p.mla();
    let w = MlaWeights::seeded(p.d_model, &cfg, p.seed)?;
    let proj = MlaProjections::compute(&x, &w, &cfg)?;
    let naive = proj.naive_output(&w.w_o);
    let absorbed = mla_absorbed(&x, &w, &cfg)?;
    Ok(MlaToy {
        cfg,
        head_map: proj.head_weights(p.selected_head),
        absorbed_diff: naive.out.max_abs_diff(&absorbed.out),
        cache_mha: cfg.mha_cache_elements_per_token(),
        cache_gqa: 2 * p.n_kv_heads * p.d_head(),
        cache_mla: cfg.cache_elements_per_token(),
    })
}

/// The low-rank curve of the toy MHA layer's joint [K V] (N × 2·d_model) and where d_c falls on it.
#[derive(Clone, Debug)]
pub struct LowRankCurve {
    pub points: Vec<RankPoint>,
    /// The point at rank d_c (clamped to the max rank).
    pub at_d_c: RankPoint,
    /// Numbers per token in [K V]: 2·d_model.
    pub width: usize,
}

/// Computes the low-rank panel's data.
pub fn low_rank_curve(p: &ToyLayer) -> Result<LowRankCurve, HeadsError> {
    let (_, x) = p.input();
    let cfg = p.mha();
    let w = GqaWeights::seeded(p.d_model, &cfg, p.seed)?;
    let proj = GqaProjections::compute(&x, &w, &cfg)?;
    let kv = joint_kv(&proj.k, &proj.v)?;
    let lr = LowRank::of(&kv)?;
    Ok(LowRankCurve {
        points: lr.curve(),
        at_d_c: lr.place(p.d_c),
        width: kv.cols,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::view_model::heads::params::parse;
    use crate::view_model::params::pairs_lookup;

    fn toy(pairs: &[(&str, &str)]) -> ToyLayer {
        parse(&pairs_lookup(pairs)).params.toy()
    }

    #[test]
    fn mha_setting_of_the_sharing_panel_has_no_difference() {
        let p = toy(&[("kv", "8"), ("n", "12")]);
        let s = sharing(&p).unwrap();
        assert_eq!(s.out_rel_diff, 0.0);
        assert!(s.tv.iter().all(|t| *t == 0.0));
        let g = sharing(&ToyLayer { n_kv_heads: 1, ..p }).unwrap();
        assert!(g.out_rel_diff > 0.0);
        assert!(g.tv.iter().all(|t| *t > 0.0 && *t <= 1.0), "{:?}", g.tv);
        assert_eq!(g.gqa_maps.len(), 8);
        for m in &g.gqa_maps {
            assert!((m.row(5).iter().sum::<f32>() - 1.0).abs() < 1e-5);
        }
    }

    #[test]
    fn mla_panel_agrees_and_counts_the_cache() {
        let p = toy(&[]);
        let m = mla_toy(&p).unwrap();
        assert!(m.absorbed_diff < 1e-4);
        // 8 heads of d_head 8: MHA 2·8·8 = 128, GQA(2) 2·2·8 = 32, MLA 16 + 8 = 24.
        assert_eq!((m.cache_mha, m.cache_gqa, m.cache_mla), (128, 32, 24));
        assert_eq!((m.head_map.rows, m.head_map.cols), (24, 24));
    }

    #[test]
    fn joint_kv_rank_never_exceeds_d_model() {
        // [K V] = X·[W_K W_V] with X of width d_model: rank ≤ d_model, so the error is 0 from there on.
        let p = toy(&[("n", "90"), ("d_model", "32"), ("d_c", "32")]);
        let c = low_rank_curve(&p).unwrap();
        assert_eq!(c.width, 64);
        assert_eq!(c.points.len(), 65);
        assert!(c.at_d_c.relative_error < 1e-4);
        assert_eq!(c.at_d_c.memory_saved, 0.5);
    }
}
