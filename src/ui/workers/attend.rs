//! Exact attention split over the pool: the parts a call is cut into (whole heads, or causal-balanced
//! rows of one head), their inputs sliced and queued, and the [`Call`] that collects their outputs.

use std::task::Poll;

use js_sys::{Float32Array, Object, Reflect};
use wasm_bindgen::prelude::*;

use crate::attention::split::{plan, Part};
use crate::view_model::offload::PendingCall;

use super::pool::{dispatch, queue_part, ready_workers, threads, PartSlot, PartState};

/// Most parts per worker an exact-attention call is cut into (whole heads, at most one per head):
/// small parts let a worker slowed by the other core's load hand its share to the other.
const PARTS_PER_WORKER: usize = 4;
/// Least work of a part, in multiply-adds (≈ 2 ms of the kernel): a smaller part would spend as
/// long in messages and copies as in the kernel.
const PART_MIN_MACS: usize = 25_000_000;

/// Where a part's rows lie in a `[heads, n, d]` buffer: one contiguous range, because a part is
/// whole heads (all rows; with a causal mask its keys are then all N) or rows of one head.
fn span(part: &Part, n: usize, d: usize, rows: std::ops::Range<usize>) -> std::ops::Range<usize> {
    if part.heads.len() == 1 {
        let h = part.heads.start;
        (h * n + rows.start) * d..(h * n + rows.end) * d
    } else {
        part.heads.start * n * d..part.heads.end * n * d
    }
}

/// An exact attention call split over the workers.
pub struct Call {
    n: usize,
    d: usize,
    len: usize,
    parts: Vec<(Part, PartSlot)>,
}

impl Call {
    /// The output as one Float32Array once every part is back; `Ready(None)` if one failed.
    pub fn poll_array(&mut self) -> Poll<Option<Float32Array>> {
        let mut waiting = false;
        for (_, slot) in &self.parts {
            match &*slot.borrow() {
                PartState::Failed => return Poll::Ready(None),
                PartState::Waiting => waiting = true,
                PartState::Done(_) => {}
            }
        }
        if waiting {
            return Poll::Pending;
        }
        let out = Float32Array::new_with_length(self.len as u32);
        for (part, slot) in &self.parts {
            if let PartState::Done(o) = &*slot.borrow() {
                let at = span(part, self.n, self.d, part.rows.clone());
                if o.length() as usize != at.len() {
                    return Poll::Ready(None);
                }
                out.set(o, at.start as u32);
            }
        }
        Poll::Ready(Some(out))
    }
}

impl PendingCall for Call {
    fn poll(&mut self) -> Poll<Option<Vec<f32>>> {
        self.poll_array().map(|o| o.map(|a| a.to_vec()))
    }
}

/// Starts O = softmax(Q·Kᵀ/√d + M)·V of `[heads, n, d]` Q, K, V (JS arrays: each part's inputs are
/// one `slice`, a copy the worker receives by transfer) over the ready workers; None when there are
/// none or the shapes disagree. `workers` parts at most (at most [`threads`]).
pub fn attend_arrays(
    q: &Float32Array,
    k: &Float32Array,
    v: &Float32Array,
    heads: usize,
    d: usize,
    causal: bool,
    workers: usize,
) -> Option<Call> {
    let workers = workers.min(threads());
    let len = q.length() as usize;
    if workers == 0
        || heads == 0
        || d == 0
        || len % (heads * d) != 0
        || k.length() as usize != len
        || v.length() as usize != len
    {
        return None;
    }
    let n = len / (heads * d);
    // A call for fewer workers than are ready pins its parts to the first `workers` of them.
    let ready = ready_workers();
    let pinned = workers < ready.len();
    let mut parts = Vec::new();
    // Parts of at least PART_MIN_MACS (2·n²·d per full head, about half causal), one to
    // PARTS_PER_WORKER per worker, whole heads; rows of a head only when there are fewer heads
    // than workers.
    let macs = heads * 2 * n * n * d / if causal { 2 } else { 1 };
    let pieces = (macs / PART_MIN_MACS)
        .clamp(workers, workers * PARTS_PER_WORKER)
        .min(heads.max(workers));
    for part in plan(heads, n, pieces, causal) {
        let (qs, ks) = (
            span(&part, n, d, part.rows.clone()),
            span(&part, n, d, 0..part.keys(n, causal)),
        );
        let slice = |a: &Float32Array, r: &std::ops::Range<usize>| a.slice(r.start as u32, r.end as u32);
        let (qa, ka, va) = (slice(q, &qs), slice(k, &ks), slice(v, &ks));
        let m = Object::new();
        let set = |key: &str, value: &JsValue| {
            let _ = Reflect::set(&m, &JsValue::from_str(key), value);
        };
        set("op", &JsValue::from_str("attend"));
        set("q", &qa);
        set("k", &ka);
        set("v", &va);
        set("heads", &JsValue::from_f64(part.heads.len() as f64));
        set("d", &JsValue::from_f64(d as f64));
        set("causal", &JsValue::from_bool(causal));
        set("row0", &JsValue::from_f64(part.rows.start as f64));
        let only = pinned.then(|| ready[parts.len() % workers]);
        let slot = queue_part(m, &[&qa, &ka, &va], only);
        parts.push((part, slot));
        // Posted at once: a worker starts on its first part while the next ones are cut.
        dispatch();
    }
    Some(Call { n, d, len, parts })
}

/// [`attend_arrays`] on slices of this wasm memory (copied into a JS array each first).
pub fn attend(q: &[f32], k: &[f32], v: &[f32], heads: usize, d: usize, causal: bool) -> Option<Box<dyn PendingCall>> {
    if threads() == 0 {
        return None;
    }
    let js = |x: &[f32]| {
        let a = Float32Array::new_with_length(x.len() as u32);
        a.copy_from(x);
        a
    };
    attend_arrays(&js(q), &js(k), &js(v), heads, d, causal, threads()).map(|c| Box::new(c) as Box<dyn PendingCall>)
}
