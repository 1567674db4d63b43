//! A reader of GGUF files (the container llama.cpp writes), working on a byte slice.
//!
//! Layout (GGUF spec, `ggml/docs/gguf.md`, versions 2 and 3; every integer little-endian):
//!
//! ```text
//! magic "GGUF" · version u32 · tensor_count u64 · kv_count u64
//! kv_count × { key: string · value_type u32 · value }
//! tensor_count × { name: string · n_dims u32 · ne[n_dims] u64 · ggml_type u32 · offset u64 }
//! padding to `general.alignment` (default 32) · tensor data
//! ```
//!
//! A string is a u64 byte length and UTF-8 bytes (no terminator). Value types: 0 u8, 1 i8, 2 u16,
//! 3 i16, 4 u32, 5 i32, 6 f32, 7 bool (one byte), 8 string, 9 array (element type u32, count u64,
//! elements), 10 u64, 11 i64, 12 f64. Tensor offsets are relative to the start of the data section and
//! multiples of the alignment. `ne[0]` is the contiguous dimension: a weight `ne = [n_in, n_out]` is
//! n_out rows of n_in values, each row a whole number of quantisation blocks.
//!
//! Version 1 (u32 counts, 2023) is refused. Every read is bounds-checked, and a count is compared with the
//! bytes left before anything is allocated, so a corrupted or hostile file gives a [`GgufError`], never
//! a panic or a huge allocation.

use std::collections::HashMap;
use std::fmt;

use crate::attention::message::{Explain, Message};
use crate::attention::model::quant::TensorType;

/// "GGUF" read as a little-endian u32.
pub const GGUF_MAGIC: [u8; 4] = *b"GGUF";
/// Alignment of the data section when `general.alignment` is absent (GGUF spec: `GGUF_DEFAULT_ALIGNMENT`).
pub const DEFAULT_ALIGNMENT: u64 = 32;

/// Why a byte string is not a GGUF file this engine can read.
#[derive(Clone, Debug, PartialEq)]
pub enum GgufError {
    /// The first four bytes are not "GGUF".
    BadMagic([u8; 4]),
    /// A GGUF version other than 2 or 3.
    UnsupportedVersion(u32),
    /// The file ends (or a count points) past its last byte while reading `what` at byte `offset`.
    Truncated { what: &'static str, offset: u64 },
    /// A metadata value type id outside 0..=12.
    UnknownValueType { key: String, type_id: u32 },
    /// A tensor type this engine has no kernel for (ggml type id).
    UnknownTensorType { tensor: String, type_id: u32 },
    /// A string that is not UTF-8, at byte `offset`.
    InvalidString { offset: u64 },
    /// A tensor whose shape is empty, has more than 4 dimensions, or whose rows are not whole blocks.
    BadShape { tensor: String },
    /// A tensor whose offset is not a multiple of the alignment, or an alignment that is not a power of two.
    Misaligned { tensor: String },
    /// A metadata key the model needs is absent.
    MissingKey(String),
    /// A metadata key holds another type than expected.
    WrongType { key: String, expected: &'static str },
    /// A tensor the model needs is absent.
    MissingTensor(String),
    /// A metadata value or tensor shape differs from what the model code supports.
    Unsupported {
        what: String,
        expected: String,
        got: String,
    },
}

impl fmt::Display for GgufError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            GgufError::BadMagic(m) => write!(f, "not a GGUF file (magic {m:?}, expected \"GGUF\")"),
            GgufError::UnsupportedVersion(v) => write!(f, "GGUF version {v} is not supported (2 or 3)"),
            GgufError::Truncated { what, offset } => write!(f, "GGUF truncated while reading {what} at byte {offset}"),
            GgufError::UnknownValueType { key, type_id } => {
                write!(f, "metadata key {key} has unknown value type {type_id}")
            }
            GgufError::UnknownTensorType { tensor, type_id } => {
                write!(f, "tensor {tensor} has unsupported ggml type {type_id}")
            }
            GgufError::InvalidString { offset } => write!(f, "string at byte {offset} is not UTF-8"),
            GgufError::BadShape { tensor } => write!(f, "tensor {tensor} has an invalid shape"),
            GgufError::Misaligned { tensor } => write!(f, "tensor {tensor} is not aligned"),
            GgufError::MissingKey(k) => write!(f, "metadata key {k} is missing"),
            GgufError::WrongType { key, expected } => write!(f, "metadata key {key} is not {expected}"),
            GgufError::MissingTensor(t) => write!(f, "tensor {t} is missing"),
            GgufError::Unsupported { what, expected, got } => write!(f, "{what} is {got}, expected {expected}"),
        }
    }
}

impl std::error::Error for GgufError {}

impl Explain for GgufError {
    fn message(&self) -> Message {
        match self {
            GgufError::BadMagic(m) => Message::new("error.gguf_magic").arg("found", String::from_utf8_lossy(m)),
            GgufError::UnsupportedVersion(v) => Message::new("error.gguf_version").arg("version", v),
            GgufError::Truncated { what, offset } => Message::new("error.gguf_truncated")
                .arg("what", what)
                .arg("offset", offset),
            GgufError::UnknownValueType { key, type_id } => Message::new("error.gguf_value_type")
                .arg("key", key)
                .arg("type", type_id),
            GgufError::UnknownTensorType { tensor, type_id } => Message::new("error.gguf_tensor_type")
                .arg("tensor", tensor)
                .arg("type", type_id),
            GgufError::InvalidString { offset } => Message::new("error.gguf_string").arg("offset", offset),
            GgufError::BadShape { tensor } => Message::new("error.gguf_shape").arg("tensor", tensor),
            GgufError::Misaligned { tensor } => Message::new("error.gguf_alignment").arg("tensor", tensor),
            GgufError::MissingKey(k) => Message::new("error.gguf_missing_key").arg("key", k),
            GgufError::WrongType { key, expected } => Message::new("error.gguf_wrong_type")
                .arg("key", key)
                .arg("expected", expected),
            GgufError::MissingTensor(t) => Message::new("error.gguf_missing_tensor").arg("tensor", t),
            GgufError::Unsupported { what, expected, got } => Message::new("error.gguf_unsupported")
                .arg("what", what)
                .arg("expected", expected)
                .arg("got", got),
        }
    }
}

/// A metadata value.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    U8(u8),
    I8(i8),
    U16(u16),
    I16(i16),
    U32(u32),
    I32(i32),
    F32(f32),
    Bool(bool),
    String(String),
    Array(Vec<Value>),
    U64(u64),
    I64(i64),
    F64(f64),
}

impl Value {
    /// Any integer type as u64 (negative values → None).
    pub fn as_u64(&self) -> Option<u64> {
        match *self {
            Value::U8(v) => Some(v as u64),
            Value::U16(v) => Some(v as u64),
            Value::U32(v) => Some(v as u64),
            Value::U64(v) => Some(v),
            Value::I8(v) => u64::try_from(v).ok(),
            Value::I16(v) => u64::try_from(v).ok(),
            Value::I32(v) => u64::try_from(v).ok(),
            Value::I64(v) => u64::try_from(v).ok(),
            _ => None,
        }
    }

    /// Any integer type as i64 (u64 above i64::MAX → None).
    pub fn as_i64(&self) -> Option<i64> {
        match *self {
            Value::I8(v) => Some(v as i64),
            Value::I16(v) => Some(v as i64),
            Value::I32(v) => Some(v as i64),
            Value::I64(v) => Some(v),
            _ => self.as_u64().and_then(|v| i64::try_from(v).ok()),
        }
    }

    /// F32 or F64 as f64.
    pub fn as_f64(&self) -> Option<f64> {
        match *self {
            Value::F32(v) => Some(v as f64),
            Value::F64(v) => Some(v),
            _ => None,
        }
    }

    /// The string, if this is one.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    /// The elements, if this is an array.
    pub fn as_array(&self) -> Option<&[Value]> {
        match self {
            Value::Array(a) => Some(a),
            _ => None,
        }
    }
}

/// One entry of the tensor table.
#[derive(Clone, Debug, PartialEq)]
pub struct TensorInfo {
    pub name: String,
    /// ggml dimensions, contiguous first: `[n_in, n_out]` for a weight matrix.
    pub dims: Vec<u64>,
    pub kind: TensorType,
    /// Absolute byte offset of the tensor's data in the file.
    pub offset: usize,
    /// Bytes of data.
    pub size: usize,
}

impl TensorInfo {
    /// Number of elements, the product of the dimensions.
    pub fn n_elements(&self) -> u64 {
        self.dims.iter().product()
    }

    /// (rows, columns) when read as a matrix of `dims[0]`-long rows.
    pub fn rows_cols(&self) -> (usize, usize) {
        let cols = self.dims[0] as usize;
        (self.n_elements() as usize / cols.max(1), cols)
    }
}

/// A parsed GGUF header: version, metadata, tensor table and where the data starts.
#[derive(Clone, Debug)]
pub struct Gguf {
    pub version: u32,
    pub metadata: HashMap<String, Value>,
    /// Metadata keys in file order.
    pub keys: Vec<String>,
    pub tensors: Vec<TensorInfo>,
    pub alignment: u64,
    /// Absolute byte offset of the data section.
    pub data_offset: usize,
}

/// A bounds-checked little-endian cursor.
struct Cursor<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl<'a> Cursor<'a> {
    fn take(&mut self, n: usize, what: &'static str) -> Result<&'a [u8], GgufError> {
        let end = self
            .pos
            .checked_add(n)
            .filter(|&e| e <= self.bytes.len())
            .ok_or(GgufError::Truncated {
                what,
                offset: self.pos as u64,
            })?;
        let s = &self.bytes[self.pos..end];
        self.pos = end;
        Ok(s)
    }

    fn array<const N: usize>(&mut self, what: &'static str) -> Result<[u8; N], GgufError> {
        Ok(self.take(N, what)?.try_into().expect("take returns N bytes"))
    }

    fn u32(&mut self, what: &'static str) -> Result<u32, GgufError> {
        Ok(u32::from_le_bytes(self.array(what)?))
    }

    fn u64(&mut self, what: &'static str) -> Result<u64, GgufError> {
        Ok(u64::from_le_bytes(self.array(what)?))
    }

    fn remaining(&self) -> usize {
        self.bytes.len() - self.pos
    }

    /// A count of items at least `min_item_bytes` each, refused when the rest of the file cannot hold it.
    fn count(&mut self, min_item_bytes: usize, what: &'static str) -> Result<usize, GgufError> {
        let at = self.pos as u64;
        let n = self.u64(what)?;
        match usize::try_from(n) {
            Ok(n) if n.saturating_mul(min_item_bytes.max(1)) <= self.remaining() => Ok(n),
            _ => Err(GgufError::Truncated { what, offset: at }),
        }
    }

    fn string(&mut self, what: &'static str) -> Result<String, GgufError> {
        let len = self.count(1, what)?;
        let at = self.pos as u64;
        let bytes = self.take(len, what)?;
        String::from_utf8(bytes.to_vec()).map_err(|_| GgufError::InvalidString { offset: at })
    }

    fn value(&mut self, type_id: u32, key: &str) -> Result<Value, GgufError> {
        const WHAT: &str = "a metadata value";
        Ok(match type_id {
            0 => Value::U8(self.array::<1>(WHAT)?[0]),
            1 => Value::I8(self.array::<1>(WHAT)?[0] as i8),
            2 => Value::U16(u16::from_le_bytes(self.array(WHAT)?)),
            3 => Value::I16(i16::from_le_bytes(self.array(WHAT)?)),
            4 => Value::U32(self.u32(WHAT)?),
            5 => Value::I32(i32::from_le_bytes(self.array(WHAT)?)),
            6 => Value::F32(f32::from_le_bytes(self.array(WHAT)?)),
            7 => Value::Bool(self.array::<1>(WHAT)?[0] != 0),
            8 => Value::String(self.string(WHAT)?),
            9 => {
                let elem = self.u32("an array element type")?;
                let min = value_min_bytes(elem).ok_or_else(|| GgufError::UnknownValueType {
                    key: key.to_string(),
                    type_id: elem,
                })?;
                let n = self.count(min, "an array length")?;
                let mut items = Vec::with_capacity(n);
                for _ in 0..n {
                    items.push(self.value(elem, key)?);
                }
                Value::Array(items)
            }
            10 => Value::U64(self.u64(WHAT)?),
            11 => Value::I64(i64::from_le_bytes(self.array(WHAT)?)),
            12 => Value::F64(f64::from_le_bytes(self.array(WHAT)?)),
            other => {
                return Err(GgufError::UnknownValueType {
                    key: key.to_string(),
                    type_id: other,
                })
            }
        })
    }
}

/// The fewest bytes a value of this type occupies (None for an unknown type).
fn value_min_bytes(type_id: u32) -> Option<usize> {
    Some(match type_id {
        0 | 1 | 7 => 1,
        2 | 3 => 2,
        4..=6 => 4,
        8 | 10..=12 => 8,
        9 => 12,
        _ => return None,
    })
}

impl Gguf {
    /// Parses the header, metadata and tensor table of `bytes`, and checks that every tensor's data lies
    /// inside `bytes`.
    pub fn parse(bytes: &[u8]) -> Result<Gguf, GgufError> {
        let mut c = Cursor { bytes, pos: 0 };
        let magic = c.array::<4>("the magic")?;
        if magic != GGUF_MAGIC {
            return Err(GgufError::BadMagic(magic));
        }
        let version = c.u32("the version")?;
        if !(2..=3).contains(&version) {
            return Err(GgufError::UnsupportedVersion(version));
        }
        // A tensor entry takes at least 8 + 4 + 8 + 4 + 8 bytes, a metadata entry 8 + 4 + 1.
        let n_tensors = c.count(32, "the tensor count")?;
        let n_kv = c.count(13, "the metadata count")?;
        let mut metadata = HashMap::with_capacity(n_kv);
        let mut keys = Vec::with_capacity(n_kv);
        for _ in 0..n_kv {
            let key = c.string("a metadata key")?;
            let type_id = c.u32("a metadata value type")?;
            let value = c.value(type_id, &key)?;
            keys.push(key.clone());
            metadata.insert(key, value);
        }
        let alignment = match metadata.get("general.alignment") {
            None => DEFAULT_ALIGNMENT,
            Some(v) => v.as_u64().ok_or_else(|| GgufError::WrongType {
                key: "general.alignment".into(),
                expected: "an integer",
            })?,
        };
        if alignment == 0 || !alignment.is_power_of_two() {
            return Err(GgufError::Misaligned {
                tensor: format!("(general.alignment = {alignment})"),
            });
        }
        let mut raw = Vec::with_capacity(n_tensors);
        for _ in 0..n_tensors {
            let name = c.string("a tensor name")?;
            let n_dims = c.u32("a tensor's dimension count")? as usize;
            if n_dims == 0 || n_dims > 4 {
                return Err(GgufError::BadShape { tensor: name });
            }
            let mut dims = Vec::with_capacity(n_dims);
            for _ in 0..n_dims {
                dims.push(c.u64("a tensor dimension")?);
            }
            let type_id = c.u32("a tensor type")?;
            let rel = c.u64("a tensor offset")?;
            raw.push((name, dims, type_id, rel));
        }
        let data_offset = (c.pos as u64).div_ceil(alignment) * alignment;
        let mut tensors = Vec::with_capacity(n_tensors);
        for (name, dims, type_id, rel) in raw {
            let kind = TensorType::from_ggml(type_id).ok_or_else(|| GgufError::UnknownTensorType {
                tensor: name.clone(),
                type_id,
            })?;
            let n = dims.iter().try_fold(1u64, |a, &d| a.checked_mul(d));
            let size = match n {
                Some(n) if n > 0 && dims[0] % kind.block_elements() as u64 == 0 => {
                    n / kind.block_elements() as u64 * kind.block_bytes() as u64
                }
                _ => return Err(GgufError::BadShape { tensor: name }),
            };
            if rel % alignment != 0 {
                return Err(GgufError::Misaligned { tensor: name });
            }
            let start = data_offset.checked_add(rel);
            let end = start.and_then(|s| s.checked_add(size));
            match (start, end) {
                (Some(s), Some(e)) if e <= bytes.len() as u64 => tensors.push(TensorInfo {
                    name,
                    dims,
                    kind,
                    offset: s as usize,
                    size: size as usize,
                }),
                _ => {
                    return Err(GgufError::Truncated {
                        what: "tensor data",
                        offset: bytes.len() as u64,
                    })
                }
            }
        }
        Ok(Gguf {
            version,
            metadata,
            keys,
            tensors,
            alignment,
            data_offset: data_offset as usize,
        })
    }

    /// The value of metadata key `key`.
    pub fn get(&self, key: &str) -> Result<&Value, GgufError> {
        self.metadata
            .get(key)
            .ok_or_else(|| GgufError::MissingKey(key.to_string()))
    }

    /// An integer metadata value.
    pub fn get_u64(&self, key: &str) -> Result<u64, GgufError> {
        self.get(key)?.as_u64().ok_or_else(|| GgufError::WrongType {
            key: key.to_string(),
            expected: "an unsigned integer",
        })
    }

    /// A float metadata value.
    pub fn get_f64(&self, key: &str) -> Result<f64, GgufError> {
        self.get(key)?.as_f64().ok_or_else(|| GgufError::WrongType {
            key: key.to_string(),
            expected: "a float",
        })
    }

    /// A string metadata value.
    pub fn get_str(&self, key: &str) -> Result<&str, GgufError> {
        self.get(key)?.as_str().ok_or_else(|| GgufError::WrongType {
            key: key.to_string(),
            expected: "a string",
        })
    }

    /// An array of strings.
    pub fn get_strings(&self, key: &str) -> Result<Vec<&str>, GgufError> {
        let wrong = || GgufError::WrongType {
            key: key.to_string(),
            expected: "an array of strings",
        };
        self.get(key)?
            .as_array()
            .ok_or_else(wrong)?
            .iter()
            .map(|v| v.as_str().ok_or_else(wrong))
            .collect()
    }

    /// The tensor called `name`.
    pub fn tensor(&self, name: &str) -> Result<&TensorInfo, GgufError> {
        self.tensors
            .iter()
            .find(|t| t.name == name)
            .ok_or_else(|| GgufError::MissingTensor(name.to_string()))
    }
}

/// Writers for tiny GGUF byte strings: what the tests build corrupted files from.
#[path = "gguf_write.rs"]
pub mod write;

#[cfg(test)]
#[path = "gguf_tests.rs"]
mod tests;
