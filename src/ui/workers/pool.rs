//! The pool itself: the workers and the queue of parts (module doc of [`crate::ui::workers`]); the
//! exact-attention calls that cut work into parts are `attend.rs`.

use std::cell::RefCell;
use std::collections::VecDeque;
use std::rc::{Rc, Weak};

use js_sys::{Array, Float32Array, Object, Promise, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

/// Most workers started, whatever `navigator.hardwareConcurrency` says.
pub const MAX_WORKERS: usize = 4;
/// A worker that has not said "ready" after this many ms is not waited for.
const START_TIMEOUT_MS: i32 = 10_000;
/// Parts posted to one worker before its first answer: the second waits in the worker's own
/// message queue, so the worker starts it the moment the first is done (no round trip through the
/// main thread between parts), while later parts still go to whichever worker frees up first.
const IN_FLIGHT: usize = 2;

#[wasm_bindgen]
extern "C" {
    /// A dedicated `Worker` (declared here so web-sys needs no new features).
    #[wasm_bindgen(js_name = Worker)]
    type JsWorker;
    #[wasm_bindgen(constructor, catch, js_class = "Worker")]
    fn new(url: &str) -> Result<JsWorker, JsValue>;
    #[wasm_bindgen(method, catch, js_name = postMessage)]
    fn post_message(this: &JsWorker, message: &JsValue, transfer: &Array) -> Result<(), JsValue>;
    #[wasm_bindgen(method)]
    fn terminate(this: &JsWorker);
    #[wasm_bindgen(method, setter)]
    fn set_onmessage(this: &JsWorker, f: &js_sys::Function);
    #[wasm_bindgen(method, setter)]
    fn set_onerror(this: &JsWorker, f: &js_sys::Function);
}

/// What became of one part.
pub(super) enum PartState {
    Waiting,
    Done(Float32Array),
    Failed,
}

pub(super) type PartSlot = Rc<RefCell<PartState>>;

/// A part waiting for a worker.
struct Queued {
    id: u64,
    message: JsValue,
    transfer: Array,
    slot: Weak<RefCell<PartState>>,
    /// The one worker (slot index) that may take it, when its call asked for fewer workers than
    /// the pool has; any worker otherwise.
    only: Option<usize>,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum WorkerState {
    Starting,
    /// Started: takes parts (up to [`IN_FLIGHT`] at once).
    Ready,
    Dead,
}

struct Slot {
    worker: JsWorker,
    state: WorkerState,
    /// The ids and result slots of the parts posted to it, oldest first.
    running: VecDeque<(u64, Weak<RefCell<PartState>>)>,
    _on_message: Closure<dyn FnMut(JsValue)>,
    _on_error: Closure<dyn FnMut(JsValue)>,
}

/// The page's pool (one per page, in a thread-local).
struct Pool {
    slots: Vec<Slot>,
    queue: VecDeque<Queued>,
    next_id: u64,
    /// Resolvers of [`activity`] futures, called at the next worker message.
    waiters: Vec<js_sys::Function>,
}

thread_local! {
    static POOL: RefCell<Option<Pool>> = const { RefCell::new(None) };
    static TRIED: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
    static PARTS: std::cell::Cell<u64> = const { std::cell::Cell::new(0) };
    /// Whether the last worker that said "ready" loaded the relaxed-SIMD build.
    static RELAXED: std::cell::Cell<Option<bool>> = const { std::cell::Cell::new(None) };
}

/// How many workers to start: `hardwareConcurrency` capped at [`MAX_WORKERS`]; 0 below 2 cores, or
/// when `window.__atlasWorkers` is a number (the test hook; 0 disables the pool).
fn wanted() -> usize {
    let Some(w) = web_sys::window() else { return 0 };
    if let Ok(v) = Reflect::get(&w, &JsValue::from_str("__atlasWorkers")) {
        if let Some(n) = v.as_f64() {
            return (n.max(0.0) as usize).min(MAX_WORKERS);
        }
    }
    let cores = w.navigator().hardware_concurrency();
    if !(cores.is_finite() && cores >= 2.0) {
        return 0;
    }
    (cores as usize).min(MAX_WORKERS)
}

/// The worker script's URL: next to the page (`dist/`), or `window.__atlasWorkerUrl` when a page
/// loads the app's module from elsewhere (the peer benchmark). `window.__atlasWorkerBuild =
/// "simd128"` (benchmarks, tests) adds `?build=simd128`: the workers then skip the relaxed-SIMD wasm.
fn script_url() -> Option<String> {
    let w = web_sys::window()?;
    let get = |key: &str| {
        Reflect::get(&w, &JsValue::from_str(key))
            .ok()
            .and_then(|v| v.as_string())
    };
    let url = match get("__atlasWorkerUrl") {
        Some(u) => web_sys::Url::new(&u).ok()?,
        None => web_sys::Url::new_with_base("atlas-worker.js", &w.document()?.base_uri().ok()??).ok()?,
    };
    if get("__atlasWorkerBuild").as_deref() == Some("simd128") {
        url.search_params().set("build", "simd128");
    }
    Some(url.href())
}

/// Starts the pool in the background if it was never tried (cheap afterwards). Failures are silent:
/// [`threads`] stays 0.
pub fn warm() {
    if TRIED.with(|t| t.replace(true)) {
        return;
    }
    let count = wanted();
    let Some(url) = script_url().filter(|_| count > 0) else {
        return;
    };
    let mut slots = Vec::new();
    for index in 0..count {
        // Throws in a sandboxed iframe (opaque origin) or where Worker is missing: no pool then.
        let Ok(worker) = JsWorker::new(&url) else { break };
        let on_message = Closure::<dyn FnMut(JsValue)>::new(move |event: JsValue| on_message(index, event));
        let on_error = Closure::<dyn FnMut(JsValue)>::new(move |event: JsValue| {
            // Handled here: keeps the browser from reporting it as an uncaught error.
            if let Some(e) = event.dyn_ref::<web_sys::Event>() {
                e.prevent_default();
            }
            retire(index);
        });
        worker.set_onmessage(on_message.as_ref().unchecked_ref());
        worker.set_onerror(on_error.as_ref().unchecked_ref());
        slots.push(Slot {
            worker,
            state: WorkerState::Starting,
            running: VecDeque::new(),
            _on_message: on_message,
            _on_error: on_error,
        });
    }
    if slots.is_empty() {
        return;
    }
    POOL.with(|p| {
        *p.borrow_mut() = Some(Pool {
            slots,
            queue: VecDeque::new(),
            next_id: 1,
            waiters: Vec::new(),
        })
    });
    // Workers still starting after the timeout are given up on (a hung load must not hold parts).
    if let Some(w) = web_sys::window() {
        let give_up = Closure::once_into_js(|| {
            with_pool(|pool| {
                for slot in &mut pool.slots {
                    if slot.state == WorkerState::Starting {
                        slot.state = WorkerState::Dead;
                        slot.worker.terminate();
                    }
                }
            });
        });
        let _ = w.set_timeout_with_callback_and_timeout_and_arguments_0(give_up.unchecked_ref(), START_TIMEOUT_MS);
    }
}

fn with_pool<R>(f: impl FnOnce(&mut Pool) -> R) -> Option<R> {
    POOL.with(|p| p.borrow_mut().as_mut().map(f))
}

/// Workers ready to take parts (0 while starting, when unavailable or disabled).
pub fn threads() -> usize {
    with_pool(|p| p.slots.iter().filter(|s| s.state == WorkerState::Ready).count()).unwrap_or(0)
}

/// Whether the ready workers run the relaxed-SIMD build (fused multiply-adds), or None before any
/// is ready.
pub fn relaxed_simd() -> Option<bool> {
    RELAXED.with(|r| r.get()).filter(|_| threads() > 0)
}

/// True while no worker is ready yet but some are still starting.
pub fn starting() -> bool {
    threads() == 0 && with_pool(|p| p.slots.iter().any(|s| s.state == WorkerState::Starting)).unwrap_or(false)
}

/// Workers started and not given up on (ready or still starting).
pub fn started() -> usize {
    with_pool(|p| p.slots.iter().filter(|s| s.state != WorkerState::Dead).count()).unwrap_or(0)
}

/// A worker failed (error event, or an error reply): it is terminated, its part fails.
fn retire(index: usize) {
    with_pool(|pool| {
        if let Some(slot) = pool.slots.get_mut(index) {
            slot.state = WorkerState::Dead;
            slot.worker.terminate();
            for (_, part) in slot.running.drain(..) {
                if let Some(part) = part.upgrade() {
                    *part.borrow_mut() = PartState::Failed;
                }
            }
        }
        // With no live worker left, queued parts fail too (their callers compute them).
        if pool.slots.iter().all(|s| s.state == WorkerState::Dead) {
            for q in pool.queue.drain(..) {
                if let Some(part) = q.slot.upgrade() {
                    *part.borrow_mut() = PartState::Failed;
                }
            }
        }
        pool.wake();
    });
    dispatch();
}

fn on_message(index: usize, event: JsValue) {
    let data = Reflect::get(&event, &JsValue::from_str("data")).unwrap_or(JsValue::UNDEFINED);
    let get = |k: &str| Reflect::get(&data, &JsValue::from_str(k)).unwrap_or(JsValue::UNDEFINED);
    if get("ready").is_truthy() {
        with_pool(|pool| {
            if let Some(slot) = pool.slots.get_mut(index) {
                if slot.state == WorkerState::Starting {
                    slot.state = WorkerState::Ready;
                }
            }
            pool.wake();
        });
        crate::ui::browser::record_metric("workers_ready", threads() as f64);
        // Which wasm the workers run: 1 for the relaxed-SIMD build, 0 for simd128 only.
        let relaxed = get("build").as_string().as_deref() == Some("relaxed-simd");
        RELAXED.with(|r| r.set(Some(relaxed)));
        crate::ui::browser::record_metric("workers_relaxed", f64::from(u8::from(relaxed)));
        dispatch();
        return;
    }
    if !get("failed").is_undefined() || !get("error").is_undefined() {
        retire(index);
        return;
    }
    let out = get("out").dyn_into::<Float32Array>().ok();
    let id = get("id").as_f64().map(|x| x as u64);
    // For tests and benchmarks: parts answered so far (`window.__atlas.workers_parts`).
    PARTS.with(|c| c.set(c.get() + 1));
    crate::ui::browser::record_metric("workers_parts", PARTS.with(|c| c.get()) as f64);
    if let Some(ms) = get("ms").as_f64() {
        crate::ui::browser::record_metric("workers_part_ms", ms);
    }
    with_pool(|pool| {
        if let Some(slot) = pool.slots.get_mut(index) {
            // Answers come in the order the parts were posted; the id is checked all the same.
            if let Some(at) = slot.running.iter().position(|(i, _)| Some(*i) == id) {
                let (_, part) = slot.running.remove(at).expect("position found");
                if let Some(part) = part.upgrade() {
                    *part.borrow_mut() = out.map_or(PartState::Failed, PartState::Done);
                }
            }
        }
        pool.wake();
    });
    dispatch();
}

impl Pool {
    fn wake(&mut self) {
        for resolve in self.waiters.drain(..) {
            let _ = resolve.call0(&JsValue::NULL);
        }
    }
}

/// Hands queued parts to ready workers, the least loaded first (every worker gets one before any
/// gets a second, up to [`IN_FLIGHT`]); parts whose caller is gone are dropped unsent.
pub(super) fn dispatch() {
    with_pool(|pool| {
        for depth in 1..=IN_FLIGHT {
            for index in 0..pool.slots.len() {
                let slot = &pool.slots[index];
                if slot.state != WorkerState::Ready || slot.running.len() >= depth {
                    continue;
                }
                // Parts whose caller is gone are dropped; the first part this worker may take goes.
                pool.queue.retain(|q| q.slot.strong_count() > 0);
                let Some(at) = pool.queue.iter().position(|q| q.only.is_none_or(|w| w == index)) else {
                    continue;
                };
                let q = pool.queue.remove(at).expect("position found");
                let slot = &mut pool.slots[index];
                match slot.worker.post_message(&q.message, &q.transfer) {
                    Ok(()) => slot.running.push_back((q.id, q.slot)),
                    Err(_) => {
                        if let Some(part) = q.slot.upgrade() {
                            *part.borrow_mut() = PartState::Failed;
                        }
                    }
                }
            }
        }
    });
}

/// Resolves at the next message of any worker, or after 50 ms (what the job runner awaits while
/// a job waits for its parts, instead of spinning on the main thread).
pub async fn activity() {
    let promise = Promise::new(&mut |resolve, _reject| {
        if let Some(w) = web_sys::window() {
            let _ = w.set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, 50);
        }
        let _ = with_pool(|pool| pool.waiters.push(resolve));
    });
    let _ = JsFuture::from(promise).await;
}

/// Queues one part for any worker (`only`: for that worker alone); its slot is filled when a
/// worker answers.
pub(super) fn queue_part(message: Object, arrays: &[&Float32Array], only: Option<usize>) -> PartSlot {
    let slot = Rc::new(RefCell::new(PartState::Waiting));
    let transfer = Array::new();
    for a in arrays {
        transfer.push(&a.buffer());
    }
    let queued = with_pool(|pool| {
        let id = pool.next_id;
        pool.next_id += 1;
        let _ = Reflect::set(&message, &JsValue::from_str("id"), &JsValue::from_f64(id as f64));
        pool.queue.push_back(Queued {
            id,
            message: message.into(),
            transfer,
            slot: Rc::downgrade(&slot),
            only,
        });
    });
    if queued.is_none() {
        *slot.borrow_mut() = PartState::Failed;
    }
    slot
}

/// The slot indices of the workers ready to take parts.
pub(super) fn ready_workers() -> Vec<usize> {
    with_pool(|pool| {
        (0..pool.slots.len())
            .filter(|&i| pool.slots[i].state == WorkerState::Ready)
            .collect()
    })
    .unwrap_or_default()
}
