//! Tests of the GGUF reader on tiny files built in memory: metadata, tensor table and every typed error.

use super::write::*;
use super::*;

/// A valid file: two metadata keys, one F32 tensor of 4 values.
fn tiny() -> Vec<u8> {
    let mut b = header(3, 1, 2);
    kv_u32(&mut b, "llama.block_count", 2);
    kv_strings(&mut b, "tokenizer.ggml.tokens", &["a", "b", "ab"]);
    tensor(&mut b, "w", &[4], 0, 0);
    pad(&mut b, 32);
    for v in [1.0f32, 2.0, 3.0, 4.0] {
        b.extend_from_slice(&v.to_le_bytes());
    }
    b
}

#[test]
fn a_tiny_file_reads_back_its_metadata_and_tensor_table() {
    let bytes = tiny();
    let g = Gguf::parse(&bytes).unwrap();
    assert_eq!(g.version, 3);
    assert_eq!(g.get_u64("llama.block_count").unwrap(), 2);
    assert_eq!(g.get_strings("tokenizer.ggml.tokens").unwrap(), vec!["a", "b", "ab"]);
    let t = g.tensor("w").unwrap();
    assert_eq!((t.offset, t.size, t.kind), (g.data_offset, 16, TensorType::F32));
    assert_eq!(g.data_offset % 32, 0);
    assert_eq!(
        g.get_str("llama.block_count"),
        Err(GgufError::WrongType {
            key: "llama.block_count".into(),
            expected: "a string"
        })
    );
}

#[test]
fn every_prefix_of_a_valid_file_is_a_typed_truncation_error() {
    let bytes = tiny();
    for cut in 0..bytes.len() {
        match Gguf::parse(&bytes[..cut]) {
            Err(GgufError::Truncated { .. }) => {}
            other => panic!("prefix of {cut} bytes: {other:?}"),
        }
    }
}

#[test]
fn corrupted_headers_name_what_is_wrong() {
    let mut b = tiny();
    b[0] = b'X';
    assert_eq!(Gguf::parse(&b).unwrap_err(), GgufError::BadMagic(*b"XGUF"));
    let mut b = tiny();
    b[4] = 1;
    assert_eq!(Gguf::parse(&b).unwrap_err(), GgufError::UnsupportedVersion(1));
    // An absurd array length is refused before allocating.
    let mut b = header(3, 0, 1);
    string(&mut b, "k");
    b.extend_from_slice(&9u32.to_le_bytes());
    b.extend_from_slice(&4u32.to_le_bytes());
    b.extend_from_slice(&u64::MAX.to_le_bytes());
    assert!(matches!(Gguf::parse(&b), Err(GgufError::Truncated { .. })));
    let mut b = header(3, 0, 1);
    string(&mut b, "k");
    b.extend_from_slice(&13u32.to_le_bytes());
    b.extend_from_slice(&[0; 8]);
    assert_eq!(
        Gguf::parse(&b).unwrap_err(),
        GgufError::UnknownValueType {
            key: "k".into(),
            type_id: 13
        }
    );
}

#[test]
fn unknown_tensor_types_and_bad_offsets_are_refused() {
    let mut b = header(3, 1, 0);
    tensor(&mut b, "q", &[32], 12, 0); // Q4_K: no kernel here
    pad(&mut b, 32);
    b.extend_from_slice(&[0; 256]);
    assert_eq!(
        Gguf::parse(&b).unwrap_err(),
        GgufError::UnknownTensorType {
            tensor: "q".into(),
            type_id: 12
        }
    );
    let mut b = header(3, 1, 0);
    tensor(&mut b, "w", &[4], 0, 4);
    pad(&mut b, 32);
    b.extend_from_slice(&[0; 64]);
    assert_eq!(
        Gguf::parse(&b).unwrap_err(),
        GgufError::Misaligned { tensor: "w".into() }
    );
    let mut b = header(3, 1, 0);
    tensor(&mut b, "w", &[33], 8, 0); // Q8_0 rows must be whole 32-element blocks
    pad(&mut b, 32);
    assert_eq!(Gguf::parse(&b).unwrap_err(), GgufError::BadShape { tensor: "w".into() });
}

#[test]
fn every_error_has_a_gguf_message_id() {
    let errors = [
        GgufError::BadMagic(*b"ABCD"),
        GgufError::UnsupportedVersion(9),
        GgufError::Truncated { what: "x", offset: 3 },
        GgufError::MissingKey("k".into()),
    ];
    for e in errors {
        assert!(e.message().id.starts_with("error.gguf_"), "{e}");
    }
}
