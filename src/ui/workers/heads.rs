//! The SDPA chapter's heads computed on the pool: each worker gets one message with its group of
//! heads (their Q, K, V rows and what to summarise), and answers with each head's summary
//! (`attention::head_summary`). The [`Workers`] handle is what the view model's jobs offload to.

use std::task::Poll;

use js_sys::{Array, Float32Array, Object, Reflect};
use wasm_bindgen::prelude::*;

use super::attend::attend;
use super::pool::*;
use crate::attention::head_summary::HeadSummary;
use crate::attention::matrix::{MatRef, Matrix};
use crate::attention::pooling::PoolMode;
use crate::attention::split::plan;
use crate::view_model::offload::{HeadReply, HeadTask, Offload, PendingCall, PendingHead, PendingWeight};

/// A view's rows (possibly a column window of a wider matrix) as one fresh Float32Array: gathered
/// in wasm memory first, then one copy across (a copy per row cost 16 K JS calls, 38 ms of the main
/// thread, per head-count change at N = 1024 and 8 heads).
fn js_rows(m: MatRef<'_>) -> Float32Array {
    let mut rows = Vec::with_capacity(m.rows * m.cols);
    for i in 0..m.rows {
        rows.extend_from_slice(m.row(i));
    }
    let a = Float32Array::new_with_length(rows.len() as u32);
    a.copy_from(&rows);
    a
}

/// One SDPA head on a worker: item `index` of its group's answer.
struct HeadCall {
    slot: PartSlot,
    index: usize,
}

impl PendingHead for HeadCall {
    fn poll(&mut self) -> Poll<Option<HeadReply>> {
        let state = self.slot.borrow();
        let o = match &*state {
            PartState::Waiting => return Poll::Pending,
            PartState::Failed => return Poll::Ready(None),
            PartState::Done(o) => o,
        };
        // The group's answer: [count, len_0 … len_{count−1}, item_0 …] (assets/atlas-worker.js).
        let count = o.get_index(0) as usize;
        if self.index >= count || o.length() as usize <= count {
            return Poll::Ready(None);
        }
        let lens: Vec<usize> = (0..count).map(|i| o.get_index(1 + i as u32) as usize).collect();
        let at = 1 + count + lens[..self.index].iter().sum::<usize>();
        let end = at + lens[self.index];
        if end > o.length() as usize {
            return Poll::Ready(None);
        }
        Poll::Ready(unpack_head(&o.subarray(at as u32, end as u32).to_vec()))
    }
}

/// Reads `worker_head`'s packed answer (src/worker/main.rs); None if it is malformed.
fn unpack_head(out: &[f32]) -> Option<HeadReply> {
    let head = out.get(..7)?;
    let dims = |a: f32, b: f32| (a as usize, b as usize);
    let ((wr, wc), (rr, rc)) = (dims(head[0], head[1]), dims(head[2], head[3]));
    let mut at = 7;
    let mut take = |len: usize| -> Option<Vec<f32>> {
        let v = out.get(at..at + len)?.to_vec();
        at += len;
        Some(v)
    };
    let weights = Matrix {
        rows: wr,
        cols: wc,
        data: take(wr * wc)?,
    };
    let weight_rows = Matrix {
        rows: rr,
        cols: rc,
        data: take(rr * rc)?,
    };
    let scores = if head[6] > 0.0 { Some(take(rc * rc)?) } else { None };
    let summary = HeadSummary {
        weights,
        weight_rows,
        mean_entropy: head[4],
        mean_max_weight: head[5],
    };
    Some((summary, scores))
}

/// One head's message item and the arrays it transfers.
fn head_item(task: &HeadTask<'_>, arrays: &mut Vec<Float32Array>) -> Object {
    let (qa, ka) = (js_rows(task.q), js_rows(task.k));
    let m = Object::new();
    let set = |key: &str, value: &JsValue| {
        let _ = Reflect::set(&m, &JsValue::from_str(key), value);
    };
    let num = |x: usize| JsValue::from_f64(x as f64);
    set("q", &qa);
    set("k", &ka);
    arrays.push(qa);
    arrays.push(ka);
    if let Some(s) = task.scores {
        let sa = Float32Array::new_with_length(s.len() as u32);
        sa.copy_from(s);
        set("scores", &sa);
        arrays.push(sa);
    }
    set("n", &num(task.q.rows));
    set("dh", &num(task.q.cols));
    set("keep", &JsValue::from_bool(task.keep));
    set("scale", &JsValue::from_f64(task.scale as f64));
    set("causal", &JsValue::from_bool(task.causal));
    set("side", &num(task.side));
    set("pipe", &num(task.pipe));
    set("poolMax", &JsValue::from_bool(task.pool == PoolMode::Max));
    set("block", &num(task.block));
    m
}

/// Least work of a group of heads (see [`start_heads`]; ≈ 2 ms in a worker): a smaller group would
/// spend as long in messages and copies as in the worker.
const GROUP_MIN_WORK: usize = 25_000_000;

/// Starts SDPA heads on the workers in groups of consecutive heads, one to four groups per worker
/// (one message each way per group: answers stream back while the workers go on, and a worker
/// slowed by the other core's load hands its share to the other); None when no worker is ready.
pub fn start_heads(tasks: &[HeadTask<'_>]) -> Option<Vec<Box<dyn PendingHead>>> {
    let workers = threads();
    if workers == 0 || tasks.is_empty() {
        return None;
    }
    let mut calls: Vec<Box<dyn PendingHead>> = Vec::new();
    // Work of a head in multiply-add-sized units: the softmax and pooling of N² weights (≈ 16 per
    // weight), plus Q_h·K_hᵀ when the scores are not given; groups of at least GROUP_MIN_WORK.
    let work: usize = tasks
        .iter()
        .map(|t| t.q.rows * t.k.rows * (16 + if t.scores.is_some() { 0 } else { 2 * t.q.cols }))
        .sum();
    let groups = (work / GROUP_MIN_WORK).clamp(workers, 4 * workers).min(tasks.len());
    for part in plan(tasks.len(), 1, groups, false) {
        let mut arrays = Vec::new();
        let items = Array::new();
        for task in &tasks[part.heads.clone()] {
            items.push(&head_item(task, &mut arrays));
        }
        let m = Object::new();
        let _ = Reflect::set(&m, &JsValue::from_str("op"), &JsValue::from_str("heads"));
        let _ = Reflect::set(&m, &JsValue::from_str("items"), &items);
        let refs: Vec<&Float32Array> = arrays.iter().collect();
        let slot = queue_part(m, &refs, None);
        for index in 0..part.heads.len() {
            calls.push(Box::new(HeadCall {
                slot: slot.clone(),
                index,
            }));
        }
        // Posted at once: a worker starts on its first group while the next ones are copied.
        dispatch();
    }
    Some(calls)
}

/// The pool as the view model's [`Offload`].
#[derive(Clone, Copy, Debug, Default)]
pub struct Workers;

impl Offload for Workers {
    fn threads(&self) -> usize {
        threads()
    }
    fn starting(&self) -> bool {
        starting()
    }
    fn start(
        &self,
        q: &[f32],
        k: &[f32],
        v: &[f32],
        heads: usize,
        d: usize,
        causal: bool,
    ) -> Option<Box<dyn PendingCall>> {
        attend(q, k, v, heads, d, causal)
    }
    fn start_heads(&self, tasks: &[HeadTask<'_>]) -> Option<Vec<Box<dyn PendingHead>>> {
        start_heads(tasks)
    }
    fn start_weight(&self, x: Option<MatRef<'_>>, d: usize, seed: u64, label: usize) -> Option<Box<dyn PendingWeight>> {
        super::weights::start_weight(x, d, seed, label)
    }
}
