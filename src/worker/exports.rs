//! The exports of both worker builds (`main.rs`, `relaxed.rs`): one export per kind of part, called by
//! `assets/atlas-worker.js` on the Float32Arrays the main thread transferred. Pure engine calls; the
//! messages, transfers and errors are the script's.

/// One part of an exact attention call ([`attention_engine::split::attend_part`]): `heads` heads of
/// Q (`heads × rows × d`) against K, V (`heads × keys × d`), causal from global row `row0` or full,
/// scale 1/√d. Returns O, `heads × rows × d`.
#[cfg(target_arch = "wasm32")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn worker_attend(q: &[f32], k: &[f32], v: &[f32], heads: usize, d: usize, causal: bool, row0: usize) -> Vec<f32> {
    let scale = 1.0 / (d.max(1) as f32).sqrt();
    attention_engine::split::attend_part(q, k, v, heads, d, scale, causal, row0)
}

/// One head of the SDPA view ([`attention_engine::head_summary::summarize_head`]) from Q_h, K_h
/// (`n × dh`) or the raw scores (`n × n`), packed into one array: `[w_rows, w_cols, r_rows, r_cols,
/// mean_entropy, mean_max_weight, has_scores]`, then the pooled weights, the row-pooled weights and
/// the raw scores when `keep` asked for them.
#[cfg(target_arch = "wasm32")]
#[wasm_bindgen::prelude::wasm_bindgen]
#[allow(clippy::too_many_arguments)]
pub fn worker_head(
    q: &[f32],
    k: &[f32],
    scores: Option<Vec<f32>>,
    n: usize,
    dh: usize,
    keep: bool,
    scale: f32,
    causal: bool,
    side: usize,
    pipe: usize,
    pool_max: bool,
    block: usize,
) -> Vec<f32> {
    use attention_engine::head_summary::summarize_head;
    use attention_engine::matrix::MatRef;
    use attention_engine::pooling::PoolMode;
    let view = |data| MatRef {
        data,
        offset: 0,
        rows: n,
        cols: dh,
        row_stride: dh,
    };
    let pool = if pool_max { PoolMode::Max } else { PoolMode::Mean };
    let (s, made) = summarize_head(
        view(q),
        view(k),
        scores.as_deref(),
        keep,
        scale,
        causal,
        side,
        pipe,
        pool,
        block,
    );
    let mut out = vec![
        s.weights.rows as f32,
        s.weights.cols as f32,
        s.weight_rows.rows as f32,
        s.weight_rows.cols as f32,
        s.mean_entropy,
        s.mean_max_weight,
        if made.is_some() { 1.0 } else { 0.0 },
    ];
    out.extend_from_slice(&s.weights.data);
    out.extend_from_slice(&s.weight_rows.data);
    if let Some(m) = made {
        out.extend_from_slice(&m);
    }
    out
}

/// One weight matrix of the SDPA view's layer
/// ([`attention_engine::multi_head::LayerWeights::seeded_projection`]): matrix `label` (0 … 3: W_Q,
/// W_K, W_V, W_O) for the seed `seed_hi·2³² + seed_lo` at width `d`, then X·W when `x` (`n × d`) is
/// not empty. Returns W's `d²` floats followed by X·W's `n·d`.
#[cfg(target_arch = "wasm32")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn worker_weight(x: &[f32], n: usize, d: usize, seed_lo: u32, seed_hi: u32, label: usize) -> Vec<f32> {
    use attention_engine::matrix::MatRef;
    use attention_engine::multi_head::LayerWeights;
    let seed = (u64::from(seed_hi) << 32) | u64::from(seed_lo);
    let x = (n > 0 && x.len() == n * d).then_some(MatRef {
        data: x,
        offset: 0,
        rows: n,
        cols: d,
        row_stride: d,
    });
    let (w, xw) = LayerWeights::seeded_projection(x, d, seed, label);
    let mut out = w.data;
    if let Some(xw) = xw {
        out.extend_from_slice(&xw.data);
    }
    out
}
