//! English messages of the Web Worker pool (`ui::workers`) as the Speed chapter shows it.

/// (id, text) pairs; each has its Simplified Chinese translation in `zh_workers.rs`.
pub const MESSAGES: &[(&str, &str)] = &[
    ("workers.threads", "Threads for exact attention"),
    ("workers.threads.one", "1 (this page's thread)"),
    ("workers.threads.workers", "1 and Web Workers (both shown)"),
    (
        "workers.threads.hint",
        "Web Workers: one per core (at most 4), each with its own copy of the engine; the rows of the attention matrix are split between them.",
    ),
    ("workers.k.exact", "Exact attention, Web Workers"),
    ("workers.s.exact", "exact (workers)"),
    ("workers.table.unavailable", "workers unavailable"),
    ("workers.speedup", "Exact attention on {workers} Web Workers against one thread: {ratios} (above 1: the workers are faster)."),
    ("workers.speedup.pending", "Exact attention on {workers} Web Workers against one thread: measuring…"),
];
