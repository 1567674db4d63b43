//! The SDPA chapter's layer weights drawn on the pool: one part per matrix (W_Q, W_K, W_V with X·W,
//! then W_O alone), so two workers share the draws and the products of a seed change.

use std::task::Poll;

use js_sys::{Float32Array, Object, Reflect};
use wasm_bindgen::prelude::*;

use super::pool::*;
use crate::attention::matrix::{MatRef, Matrix};
use crate::view_model::offload::{PendingWeight, WeightReply};

thread_local! {
    static STARTED: std::cell::Cell<u64> = const { std::cell::Cell::new(0) };
}

/// One weight matrix on a worker: its `d × d` floats, then X·W's `n × d` when `n > 0`.
struct WeightCall {
    slot: PartSlot,
    n: usize,
    d: usize,
}

impl PendingWeight for WeightCall {
    fn poll(&mut self) -> Poll<Option<WeightReply>> {
        let state = self.slot.borrow();
        let out = match &*state {
            PartState::Waiting => return Poll::Pending,
            PartState::Failed => return Poll::Ready(None),
            PartState::Done(o) => o,
        };
        let (n, d) = (self.n, self.d);
        if out.length() as usize != d * d + n * d {
            return Poll::Ready(None);
        }
        let take = |at: usize, rows: usize| Matrix {
            rows,
            cols: d,
            data: out.subarray(at as u32, (at + rows * d) as u32).to_vec(),
        };
        let w = take(0, d);
        let xw = (n > 0).then(|| take(d * d, n));
        Poll::Ready(Some((w, xw)))
    }
}

/// Starts matrix `label` (0 … 3: W_Q, W_K, W_V, W_O) of the layer of seed `seed` at width `d`, with
/// X·W when `x` (`N × d`, contiguous) is given; None when no worker is ready.
pub fn start_weight(x: Option<MatRef<'_>>, d: usize, seed: u64, label: usize) -> Option<Box<dyn PendingWeight>> {
    if threads() == 0 || x.is_some_and(|x| x.row_stride != x.cols || x.cols != d) {
        return None;
    }
    let rows = x.map_or(&[][..], |x| &x.data[x.offset..x.offset + x.rows * x.cols]);
    let n = x.map_or(0, |x| x.rows);
    let xa = Float32Array::new_with_length(rows.len() as u32);
    xa.copy_from(rows);
    let m = Object::new();
    let set = |key: &str, value: &JsValue| {
        let _ = Reflect::set(&m, &JsValue::from_str(key), value);
    };
    let num = |v: f64| JsValue::from_f64(v);
    set("op", &JsValue::from_str("weight"));
    set("x", &xa);
    set("n", &num(n as f64));
    set("d", &num(d as f64));
    set("seedLo", &num((seed & 0xffff_ffff) as f64));
    set("seedHi", &num((seed >> 32) as f64));
    set("label", &num(label as f64));
    let slot = queue_part(m, &[&xa], None);
    dispatch();
    // For tests: weight matrices handed to the workers so far (`window.__atlas.workers_weights`).
    STARTED.with(|c| c.set(c.get() + 1));
    crate::ui::browser::record_metric("workers_weights", STARTED.with(|c| c.get()) as f64);
    Some(Box::new(WeightCall { slot, n, d }))
}
