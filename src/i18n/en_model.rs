//! English messages of the model chapter's engine: why a GGUF file could not be read, and why an
//! intervention could not be built.

/// (id, text) pairs; ids start with `error.gguf_` or `error.intervention_`.
pub const MESSAGES: &[(&str, &str)] = &[
    ("error.gguf_magic", "This is not a GGUF model file (it starts with “{found}”, not “GGUF”)."),
    ("error.gguf_version", "GGUF version {version} is not supported; versions 2 and 3 are."),
    ("error.gguf_truncated", "The model file is cut short: it ends while reading {what} (byte {offset}). Download it again."),
    ("error.gguf_value_type", "The metadata entry {key} has an unknown value type ({type})."),
    ("error.gguf_tensor_type", "Tensor {tensor} uses a quantisation this engine cannot read (ggml type {type}); F32, F16, Q4_1 and Q8_0 are supported."),
    ("error.gguf_string", "The model file holds a string that is not UTF-8 (byte {offset})."),
    ("error.gguf_shape", "Tensor {tensor} has an invalid shape."),
    ("error.gguf_alignment", "Tensor {tensor} is not aligned as the file says it should be."),
    ("error.gguf_missing_key", "The model file lacks the metadata entry {key}."),
    ("error.gguf_wrong_type", "The metadata entry {key} is not {expected}."),
    ("error.gguf_missing_tensor", "The model file lacks the tensor {tensor}."),
    ("error.gguf_unsupported", "{what} is {got}; this engine expects {expected}."),
    ("error.intervention_not_causal", "{pattern} attention cannot run inside the model: it chooses keys by looking at later tokens, so generation would see the future."),
    ("error.intervention_no_head", "There is no head {head} in layer {layer}: the model has {layers} layers of {heads} heads (counted from 0)."),
];
