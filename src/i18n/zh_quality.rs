//! Simplified Chinese messages of the speed-against-quality chart.

/// (id, text) pairs; every id exists in `en_quality.rs` with the same placeholders.
pub const MESSAGES: &[(&str, &str)] = &[
    ("quality.run", "速度与质量"),
    ("quality.title", "N = {n} 时的速度与质量（在这里实测）"),
    ("quality.caption", "所有内核使用同一组固定种子生成的 Q、K、V。横轴：相对精确注意力的速度，现在计时（两次调用取最快）。纵轴：与精确注意力的接近程度 1 − ‖O − O_exact‖ / ‖O_exact‖。气泡面积：这次调用分配的峰值内存，相对于精确注意力。灰色菱形：已发表的 Long Range Arena 结果（Tay 等，2021）：4K 时的加速比（表 2），平均分相对 Transformer 的 54.39（表 1），面积对应 4K 时的内存。输入带有语言的局部性：每个查询和键都携带其位置的编码，所以精确注意力在大约 8 个词元之内衰减，正如训练好的模型中大多数头那样。保留邻近词元对的模式与它很接近；在全部 4096 个键上平滑 softmax 核的方法会丢失它的峰值（接近程度为 0：误差达到或超过 100%）。"),
    ("quality.x", "相对精确注意力的加速比（对数坐标）"),
    ("quality.y", "接近程度 · LRA 得分 ÷ Transformer 得分"),
    ("quality.measured", "在这里实测：与精确注意力的接近程度"),
    ("quality.lra.legend", "Long Range Arena（已发表）"),
    ("quality.button", "测量（需要几秒钟）"),
    ("quality.stop", "停止"),
    ("quality.again", "重新测量"),
    ("quality.empty", "按“测量”，在 N = 4096 上对每个内核与精确注意力比较计时，并测量误差和内存。"),
    ("quality.col.method", "方法"),
    ("quality.col.ms", "时间"),
    ("quality.col.speedup", "加速比"),
    ("quality.col.error", "相对误差"),
    ("quality.col.fidelity", "接近程度"),
    ("quality.col.memory", "峰值内存"),
    ("quality.lra_note", "两层数据衡量的东西不同：LRA 是在 TPU 上的训练速度和训练后五项任务的准确率；这里是一层未经训练的注意力在这台设备上的速度，以及它复现精确注意力的程度。请比较各方法所处的位置，而不是具体数值。"),
];
