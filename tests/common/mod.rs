//! Loading the NumPy reference fixtures in `tests/fixtures/` (written by `scripts/fixtures/*.py`).
#![allow(dead_code)]

use attention_atlas::attention::matrix::Matrix;
use serde_json::Value;

/// The `cases` array of `tests/fixtures/<name>.json`.
pub fn cases(name: &str) -> Vec<Value> {
    let path = format!("{}/tests/fixtures/{name}.json", env!("CARGO_MANIFEST_DIR"));
    let text =
        std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("read {path}: {e} (run scripts/fixtures/{name}.py)"));
    parse_cases(&text)
}

/// The `cases` array of a fixture's text (wasm tests embed fixtures with `include_str!`).
pub fn parse_cases(text: &str) -> Vec<Value> {
    let v: Value = serde_json::from_str(text).expect("fixture is JSON");
    v["cases"].as_array().expect("fixture has cases").clone()
}

/// A `{"rows", "cols", "data"}` matrix.
pub fn matrix(v: &Value) -> Matrix {
    let rows = v["rows"].as_u64().expect("rows") as usize;
    let cols = v["cols"].as_u64().expect("cols") as usize;
    let data = v["data"]
        .as_array()
        .expect("data")
        .iter()
        .map(|x| x.as_f64().expect("number") as f32)
        .collect();
    Matrix::from_vec(rows, cols, data)
}

/// An unsigned integer field.
pub fn usize_of(v: &Value, key: &str) -> usize {
    v[key].as_u64().unwrap_or_else(|| panic!("fixture field {key}")) as usize
}

/// A float field.
pub fn f32_of(v: &Value, key: &str) -> f32 {
    v[key].as_f64().unwrap_or_else(|| panic!("fixture field {key}")) as f32
}

/// Asserts two matrices agree element-wise within `tol`, naming the case on failure.
pub fn assert_close(what: &str, got: &Matrix, want: &Matrix, tol: f32) {
    assert_eq!((got.rows, got.cols), (want.rows, want.cols), "{what}: shape");
    let diff = got.max_abs_diff(want);
    assert!(diff <= tol, "{what}: max |Δ| = {diff:e} > {tol:e}");
}
pub mod smollm2;
