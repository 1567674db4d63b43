//! Simplified Chinese messages of the model chapter's engine: why a GGUF file could not be read, and
//! why an intervention could not be built.

/// (id, text) pairs; every id exists in `en_model.rs` with the same placeholders.
pub const MESSAGES: &[(&str, &str)] = &[
    (
        "error.gguf_magic",
        "这不是 GGUF 模型文件（它以“{found}”开头，而不是“GGUF”）。",
    ),
    ("error.gguf_version", "不支持 GGUF 版本 {version}；只支持版本 2 和 3。"),
    (
        "error.gguf_truncated",
        "模型文件不完整：读取 {what} 时文件就结束了（第 {offset} 字节）。请重新下载。",
    ),
    ("error.gguf_value_type", "元数据项 {key} 的值类型未知（{type}）。"),
    (
        "error.gguf_tensor_type",
        "张量 {tensor} 使用了本引擎无法读取的量化格式（ggml 类型 {type}）；支持的格式为 F32、F16、Q4_1 和 Q8_0。",
    ),
    (
        "error.gguf_string",
        "模型文件中有一个不是 UTF-8 编码的字符串（第 {offset} 字节）。",
    ),
    ("error.gguf_shape", "张量 {tensor} 的形状无效。"),
    ("error.gguf_alignment", "张量 {tensor} 没有按文件声明的方式对齐。"),
    ("error.gguf_missing_key", "模型文件缺少元数据项 {key}。"),
    ("error.gguf_wrong_type", "元数据项 {key} 不是 {expected}。"),
    ("error.gguf_missing_tensor", "模型文件缺少张量 {tensor}。"),
    ("error.gguf_unsupported", "{what} 是 {got}；本引擎要求 {expected}。"),
    (
        "error.intervention_not_causal",
        "{pattern} 注意力不能在模型内部运行：它要看后面的词元来选择键，生成时就会看到未来。",
    ),
    (
        "error.intervention_no_head",
        "第 {layer} 层没有第 {head} 个头：模型共有 {layers} 层，每层 {heads} 个头（从 0 开始计数）。",
    ),
];
