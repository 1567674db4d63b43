//! Simplified Chinese messages of the Web Worker pool (`ui::workers`) as the Speed chapter shows it.

/// (id, text) pairs; every id exists in `en_workers.rs` with the same placeholders.
pub const MESSAGES: &[(&str, &str)] = &[
    ("workers.threads", "精确注意力使用的线程"),
    ("workers.threads.one", "1（本页面的线程）"),
    ("workers.threads.workers", "1 和 Web Worker（两者都显示）"),
    (
        "workers.threads.hint",
        "Web Worker：每个核心一个（最多 4 个），各自带一份引擎；注意力矩阵的行分给它们计算。",
    ),
    ("workers.k.exact", "精确注意力，Web Worker"),
    ("workers.s.exact", "精确（Worker）"),
    ("workers.table.unavailable", "Worker 不可用"),
    (
        "workers.speedup",
        "{workers} 个 Web Worker 上的精确注意力与单线程相比：{ratios}（大于 1：Worker 更快）。",
    ),
    (
        "workers.speedup.pending",
        "{workers} 个 Web Worker 上的精确注意力与单线程相比：测量中…",
    ),
];
