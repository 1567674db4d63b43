//! The data behind a figure, as CSV and JSON: matrices with their row and column labels, chart series
//! with their axis labels (which carry the units), tables as shown; JSON also carries the figure's id
//! and the URL parameters that produced it. Pure text building, tested natively.

use std::fmt::Write;

/// A matrix as drawn (pooled when the source is larger), with labels.
#[derive(Clone, Debug, PartialEq)]
pub struct MatrixData {
    /// What the matrix is (a heatmap's accessible label).
    pub name: String,
    pub rows: usize,
    pub cols: usize,
    /// Row-major values (NaN / −∞ = masked, written empty in CSV and `null` in JSON).
    pub values: Vec<f32>,
    /// One label per row (token text), or empty for row indices.
    pub row_labels: Vec<String>,
    /// One label per column, or empty.
    pub col_labels: Vec<String>,
    /// Size before pooling.
    pub source: (usize, usize),
}

/// Line-chart series: x and y axis labels (with units) and (x, y) points per series.
#[derive(Clone, Debug, PartialEq)]
pub struct SeriesData {
    pub x_label: String,
    pub y_label: String,
    pub series: Vec<(String, Vec<(f64, f64)>)>,
}

/// A table's header and cells, as the page shows them.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct TableData {
    pub header: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

/// One exportable part of a figure.
#[derive(Clone, Debug, PartialEq)]
pub enum FigureData {
    Matrix(MatrixData),
    Series(SeriesData),
    Table(TableData),
}

/// A CSV field, quoted when it holds a comma, quote or line break.
pub fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

fn label(labels: &[String], i: usize, count: usize) -> String {
    if labels.len() == count {
        labels[i].clone()
    } else {
        i.to_string()
    }
}

fn number(v: f64) -> String {
    if v.is_finite() {
        format!("{v}")
    } else {
        String::new()
    }
}

/// CSV of one part: a matrix as a labelled grid (first row: an empty corner and the column labels;
/// first column: row labels; the matrix's name is in the JSON), series in long form (`series,<x label>,<y label>`), a table as shown.
pub fn part_csv(part: &FigureData) -> String {
    let mut out = String::new();
    match part {
        FigureData::Matrix(m) => {
            let head: Vec<String> = (0..m.cols)
                .map(|j| csv_field(&label(&m.col_labels, j, m.cols)))
                .collect();
            let _ = writeln!(out, ",{}", head.join(","));
            for i in 0..m.rows {
                let cells: Vec<String> = (0..m.cols)
                    .map(|j| number(m.values.get(i * m.cols + j).copied().unwrap_or(f32::NAN) as f64))
                    .collect();
                let _ = writeln!(
                    out,
                    "{},{}",
                    csv_field(&label(&m.row_labels, i, m.rows)),
                    cells.join(",")
                );
            }
        }
        FigureData::Series(s) => {
            let _ = writeln!(out, "series,{},{}", csv_field(&s.x_label), csv_field(&s.y_label));
            for (name, points) in &s.series {
                for (x, y) in points {
                    let _ = writeln!(out, "{},{},{}", csv_field(name), number(*x), number(*y));
                }
            }
        }
        FigureData::Table(t) => {
            let row = |r: &[String]| r.iter().map(|c| csv_field(c)).collect::<Vec<_>>().join(",");
            let _ = writeln!(out, "{}", row(&t.header));
            for r in &t.rows {
                let _ = writeln!(out, "{}", row(r));
            }
        }
    }
    out
}

/// CSV of every part, separated by a blank line.
pub fn csv(parts: &[FigureData]) -> String {
    parts.iter().map(part_csv).collect::<Vec<_>>().join("\n")
}

/// A JSON string literal.
pub fn json_string(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out += "\\\"",
            '\\' => out += "\\\\",
            '\n' => out += "\\n",
            '\r' => out += "\\r",
            '\t' => out += "\\t",
            c if (c as u32) < 0x20 => out += &format!("\\u{:04x}", c as u32),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn json_number(v: f64) -> String {
    if v.is_finite() {
        format!("{v}")
    } else {
        "null".into()
    }
}

fn json_strings(v: &[String]) -> String {
    format!("[{}]", v.iter().map(|s| json_string(s)).collect::<Vec<_>>().join(","))
}

fn part_json(part: &FigureData) -> String {
    match part {
        FigureData::Matrix(m) => {
            let rows: Vec<String> = (0..m.rows)
                .map(|i| {
                    let r: Vec<String> = (0..m.cols)
                        .map(|j| json_number(m.values.get(i * m.cols + j).copied().unwrap_or(f32::NAN) as f64))
                        .collect();
                    format!("[{}]", r.join(","))
                })
                .collect();
            let rl: Vec<String> = (0..m.rows).map(|i| label(&m.row_labels, i, m.rows)).collect();
            let cl: Vec<String> = (0..m.cols).map(|j| label(&m.col_labels, j, m.cols)).collect();
            format!(
                "{{\"kind\":\"matrix\",\"name\":{},\"rows\":{},\"cols\":{},\"source\":[{},{}],\"row_labels\":{},\"col_labels\":{},\"values\":[{}]}}",
                json_string(&m.name),
                m.rows,
                m.cols,
                m.source.0,
                m.source.1,
                json_strings(&rl),
                json_strings(&cl),
                rows.join(",")
            )
        }
        FigureData::Series(s) => {
            let series: Vec<String> = s
                .series
                .iter()
                .map(|(name, pts)| {
                    let p: Vec<String> = pts
                        .iter()
                        .map(|(x, y)| format!("[{},{}]", json_number(*x), json_number(*y)))
                        .collect();
                    format!("{{\"label\":{},\"points\":[{}]}}", json_string(name), p.join(","))
                })
                .collect();
            format!(
                "{{\"kind\":\"series\",\"x\":{{\"label\":{}}},\"y\":{{\"label\":{}}},\"series\":[{}]}}",
                json_string(&s.x_label),
                json_string(&s.y_label),
                series.join(",")
            )
        }
        FigureData::Table(t) => {
            let rows: Vec<String> = t.rows.iter().map(|r| json_strings(r)).collect();
            format!(
                "{{\"kind\":\"table\",\"header\":{},\"rows\":[{}]}}",
                json_strings(&t.header),
                rows.join(",")
            )
        }
    }
}

/// JSON of a figure: `{"figure": id, "params": {key: value, …}, "parts": [...]}`.
pub fn json(figure: &str, params: &[(String, String)], parts: &[FigureData]) -> String {
    let params: Vec<String> = params
        .iter()
        .map(|(k, v)| format!("{}:{}", json_string(k), json_string(v)))
        .collect();
    let parts: Vec<String> = parts.iter().map(part_json).collect();
    format!(
        "{{\"figure\":{},\"params\":{{{}}},\"parts\":[{}]}}\n",
        json_string(figure),
        params.join(","),
        parts.join(",")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn matrix() -> FigureData {
        FigureData::Matrix(MatrixData {
            name: "weights".into(),
            rows: 2,
            cols: 2,
            values: vec![0.25, 0.75, f32::NAN, 1.0],
            row_labels: vec!["a,b".into(), "c".into()],
            col_labels: vec![],
            source: (2, 2),
        })
    }

    #[test]
    fn a_matrix_is_a_labelled_grid_with_masked_cells_empty() {
        assert_eq!(part_csv(&matrix()), ",0,1\n\"a,b\",0.25,0.75\nc,,1\n");
    }

    #[test]
    fn json_carries_parameters_labels_and_nulls_and_parses() {
        let j = json("sdpa-weights", &[("n".into(), "2".into())], &[matrix()]);
        let v: serde_json::Value = serde_json::from_str(&j).expect("valid JSON");
        assert_eq!(v["params"]["n"], "2");
        assert_eq!(v["parts"][0]["row_labels"][0], "a,b");
        assert!(v["parts"][0]["values"][1][0].is_null());
        let s = FigureData::Series(SeriesData {
            x_label: "N (tokens)".into(),
            y_label: "time (ms)".into(),
            series: vec![("exact \"x\"".into(), vec![(1.0, 2.5)])],
        });
        assert_eq!(part_csv(&s), "series,N (tokens),time (ms)\n\"exact \"\"x\"\"\",1,2.5\n");
        let v: serde_json::Value = serde_json::from_str(&json("f", &[], &[s])).expect("valid JSON");
        assert_eq!(v["parts"][0]["y"]["label"], "time (ms)");
    }
}
