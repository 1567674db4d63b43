//! Writers for tiny GGUF byte strings: what the tests build valid and corrupted files from.

/// Appends a GGUF string (u64 length + bytes).
pub fn string(out: &mut Vec<u8>, s: &str) {
    out.extend_from_slice(&(s.len() as u64).to_le_bytes());
    out.extend_from_slice(s.as_bytes());
}

/// Appends a u32 metadata entry.
pub fn kv_u32(out: &mut Vec<u8>, key: &str, v: u32) {
    string(out, key);
    out.extend_from_slice(&4u32.to_le_bytes());
    out.extend_from_slice(&v.to_le_bytes());
}

/// Appends a string-array metadata entry.
pub fn kv_strings(out: &mut Vec<u8>, key: &str, items: &[&str]) {
    string(out, key);
    out.extend_from_slice(&9u32.to_le_bytes());
    out.extend_from_slice(&8u32.to_le_bytes());
    out.extend_from_slice(&(items.len() as u64).to_le_bytes());
    for s in items {
        string(out, s);
    }
}

/// The header: magic, version, tensor and metadata counts.
pub fn header(version: u32, n_tensors: u64, n_kv: u64) -> Vec<u8> {
    let mut out = b"GGUF".to_vec();
    out.extend_from_slice(&version.to_le_bytes());
    out.extend_from_slice(&n_tensors.to_le_bytes());
    out.extend_from_slice(&n_kv.to_le_bytes());
    out
}

/// Appends a tensor-table entry.
pub fn tensor(out: &mut Vec<u8>, name: &str, dims: &[u64], type_id: u32, offset: u64) {
    string(out, name);
    out.extend_from_slice(&(dims.len() as u32).to_le_bytes());
    for d in dims {
        out.extend_from_slice(&d.to_le_bytes());
    }
    out.extend_from_slice(&type_id.to_le_bytes());
    out.extend_from_slice(&offset.to_le_bytes());
}

/// Pads with zeros to a multiple of `alignment`.
pub fn pad(out: &mut Vec<u8>, alignment: usize) {
    while !out.len().is_multiple_of(alignment) {
        out.push(0);
    }
}
