//! The quantised products under WebAssembly: `QMatrix::matvec` (the `simd128` row dots) and
//! `matmul_rows` checked against dequantise-then-multiply in f64, and, ignored by default, their speed
//! and the real model's decode speed in Node.
//!
//! Checks: `CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner cargo test
//! --target wasm32-unknown-unknown --test wasm_quant` (run by `scripts/test.sh`). Measurements: the
//! same with `--release` and `-- --include-ignored --nocapture`; `quantised_matvec_speed` times four
//! SmolLM2 shapes against the portable kernel, `smollm2_decode_speed` reads
//! `~/.cache/attention-atlas/SmolLM2-135M-Instruct.Q4_1.gguf` through Node's `fs` and prints prompt
//! speed, decode speed and one token's matrix products alone.
#![cfg(target_arch = "wasm32")]

use attention_atlas::attention::model::quant::{f32_to_f16, QMatrix, TensorType};
use wasm_bindgen::prelude::wasm_bindgen;
use wasm_bindgen_test::{console_log, wasm_bindgen_test};

#[wasm_bindgen]
extern "C" {
    /// `performance.now()`: milliseconds (Node ≥ 16 has the global).
    #[wasm_bindgen(js_namespace = performance)]
    fn now() -> f64;
}

#[wasm_bindgen(module = "fs")]
extern "C" {
    #[wasm_bindgen(js_name = readFileSync, catch)]
    fn read_file_sync(path: &str) -> Result<Vec<u8>, wasm_bindgen::JsValue>;
}

#[wasm_bindgen(module = "os")]
extern "C" {
    fn homedir() -> String;
}

/// `rows × cols` of `kind` (Q4_1 or Q8_0) with scales, minima and quants from a linear congruence.
fn random_matrix(kind: TensorType, rows: usize, cols: usize, seed: u32) -> Vec<u8> {
    let mut s = seed;
    let mut next = || {
        s = s.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
        s >> 8
    };
    let mut bytes = Vec::with_capacity(rows * kind.row_bytes(cols));
    for _ in 0..rows * cols / 32 {
        let d = (next() % 1000) as f32 / 10_000.0 + 0.001;
        bytes.extend(f32_to_f16(d).to_le_bytes());
        match kind {
            TensorType::Q4_1 => {
                bytes.extend(f32_to_f16(-((next() % 100) as f32) / 1000.0).to_le_bytes());
                bytes.extend((0..16).map(|_| (next() % 256) as u8));
            }
            TensorType::Q8_0 => bytes.extend((0..32).map(|_| (next() % 256) as u8)),
            _ => unreachable!("block formats only"),
        }
    }
    bytes
}

fn inputs(n: usize, seed: usize) -> Vec<f32> {
    (0..n).map(|i| ((i * 37 + seed) % 101) as f32 / 50.0 - 1.0).collect()
}

#[wasm_bindgen_test]
fn simd_quantised_products_equal_dequantise_then_multiply_for_ragged_shapes() {
    let mut checked = 0;
    for kind in [TensorType::Q4_1, TensorType::Q8_0] {
        for &(rows, cols) in &[(1, 32), (3, 64), (4, 96), (5, 32), (7, 160), (45, 96), (66, 576)] {
            let bytes = random_matrix(kind, rows, cols, (rows * cols) as u32);
            let w = QMatrix::new(kind, &bytes, rows, cols);
            let mut dense = vec![0.0f32; rows * cols];
            for (r, row) in dense.chunks_exact_mut(cols).enumerate() {
                w.dequantize_row(r, row);
            }
            for n in [1, 2, 5] {
                let x = inputs(n * cols, rows);
                let mut y = vec![0.0f32; n * rows];
                w.matmul_rows(&x, n, &mut y);
                for i in 0..n {
                    for r in 0..rows {
                        let want: f64 = (0..cols)
                            .map(|c| dense[r * cols + c] as f64 * x[i * cols + c] as f64)
                            .sum();
                        let got = y[i * rows + r] as f64;
                        assert!(
                            (got - want).abs() < 1e-4 * (1.0 + want.abs()),
                            "{kind:?} {rows}×{cols} n={n} ({i},{r}): {got} vs {want}"
                        );
                        checked += 1;
                    }
                }
            }
        }
    }
    assert_eq!(checked, 2 * (1 + 3 + 4 + 5 + 7 + 45 + 66) * 8);
}

/// The fastest of many single calls of `f`, in milliseconds (at least 1 s of calls): the minimum
/// discards the calls that other processes on the machine interrupted.
fn best_ms(mut f: impl FnMut()) -> f64 {
    f();
    let (start, mut best) = (now(), f64::INFINITY);
    while now() - start < 1000.0 {
        let t = now();
        f();
        best = best.min(now() - t);
    }
    best
}

#[wasm_bindgen_test]
#[ignore = "a measurement: run with --release -- --include-ignored"]
fn quantised_matvec_speed() {
    for &(kind, rows, cols) in &[
        (TensorType::Q4_1, 1536, 576),
        (TensorType::Q4_1, 576, 1536),
        (TensorType::Q4_1, 576, 576),
        (TensorType::Q8_0, 49_152, 576),
    ] {
        let bytes = random_matrix(kind, rows, cols, 3);
        let w = QMatrix::new(kind, &bytes, rows, cols);
        let x = inputs(cols, 1);
        let mut y = vec![0.0f32; rows];
        let ms = best_ms(|| w.matvec(&x, &mut y));
        let portable = best_ms(|| w.matvec_portable(&x, &mut y));
        let x64 = inputs(64 * cols, 1);
        let mut y64 = vec![0.0f32; 64 * rows];
        let ms64 = best_ms(|| w.matmul_rows(&x64, 64, &mut y64));
        console_log!(
            "{kind:?} {rows}×{cols}: matvec {ms:.3} ms ({:.2} GB/s of weights), portable kernel {portable:.3} ms \
             ({:.2}× slower); 64 rows {ms64:.2} ms",
            bytes.len() as f64 / ms / 1e6,
            portable / ms
        );
    }
}

#[wasm_bindgen_test]
#[ignore = "a measurement: run with --release -- --include-ignored (needs the model file)"]
fn smollm2_decode_speed() {
    use attention_atlas::attention::model::forward::top_k;
    use attention_atlas::attention::model::{ForwardOptions, KvCache, Model};
    let path = format!("{}/.cache/attention-atlas/SmolLM2-135M-Instruct.Q4_1.gguf", homedir());
    let Ok(bytes) = read_file_sync(&path) else {
        console_log!("{path} is absent: decode speed not measured");
        return;
    };
    let m = Model::from_bytes(bytes).expect("the model parses");
    let mut ids = Vec::new();
    while ids.len() < 64 {
        ids.extend(
            m.tokenizer
                .encode("The quick brown fox jumps over the lazy dog. ", false),
        );
    }
    ids.truncate(64);
    // Each decoded position's fastest time over the rounds: a token that another process interrupted
    // in one round counts with its time from another.
    let (mut best_prompt, mut best_token) = (f64::INFINITY, [f64::INFINITY; 32]);
    for _ in 0..5 {
        let mut cache = KvCache::new(&m.config);
        let t = now();
        let logits = m.forward(&ids, &mut cache, &ForwardOptions::default()).unwrap().logits;
        best_prompt = best_prompt.min(now() - t);
        let mut next = top_k(logits.row(0), 1)[0].0 as u32;
        for best in &mut best_token {
            let t = now();
            let l = m
                .forward(&[next], &mut cache, &ForwardOptions::default())
                .unwrap()
                .logits;
            next = top_k(l.row(0), 1)[0].0 as u32;
            *best = best.min(now() - t);
        }
    }
    let best_decode: f64 = best_token.iter().sum();
    // The matrix-vector products of one decoded token alone, every weight streamed from memory.
    let (mut layers_ms, mut output_ms) = (f64::INFINITY, f64::INFINITY);
    for _ in 0..5 {
        let t = now();
        for w in &m.layers {
            for t in [&w.w_q, &w.w_k, &w.w_v, &w.w_o, &w.w_gate, &w.w_up, &w.w_down] {
                let x = inputs(t.cols, 1);
                let mut y = vec![0.0f32; t.rows];
                m.matrix(t).matvec(&x, &mut y);
            }
        }
        layers_ms = layers_ms.min(now() - t);
        let out = m.output_matrix();
        let x = inputs(out.cols, 1);
        let mut y = vec![0.0f32; out.rows];
        let t = now();
        out.matvec(&x, &mut y);
        output_ms = output_ms.min(now() - t);
    }
    console_log!(
        "wasm: one token's products: {layers_ms:.1} ms in the {} layers, {output_ms:.1} ms for the logits",
        m.layers.len()
    );
    console_log!(
        "wasm: 64-token prompt {best_prompt:.0} ms = {:.1} tokens/s; 32 decoded tokens {best_decode:.0} ms = {:.1} tokens/s",
        64e3 / best_prompt,
        32e3 / best_decode
    );
}
