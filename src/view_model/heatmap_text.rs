//! A heatmap in words, for readers who cannot see it: for each row, the columns it is strongest on,
//! with their values ("the" → "cat" 0.41, "sat" 0.22); and, for small maps, the whole matrix as a
//! table. A pooled map (more cells than pixels) is described block by block, each block named by
//! its index range. Masked cells (NaN, −∞) are never "strong".

use crate::attention::matrix::Matrix;

/// Rows described at most (the rest is summarised by a count).
pub const MAX_ROWS: usize = 16;
/// Largest side for which the data table is offered.
pub const MAX_TABLE: usize = 24;

/// One row's strongest links.
#[derive(Clone, Debug, PartialEq)]
pub struct RowLinks {
    pub row: String,
    pub links: Vec<(String, f32)>,
}

/// The name of display index `i` of `shown` cells standing for `source` ones: its label when the
/// map is not pooled and labels fit, else its 0-based index or index range.
fn name(i: usize, shown: usize, source: usize, labels: Option<&[String]>) -> String {
    if shown == source {
        if let Some(l) = labels.filter(|l| l.len() == source) {
            return format!("“{}”", l[i]);
        }
        return i.to_string();
    }
    let lo = i * source / shown;
    let hi = ((i + 1) * source / shown).max(lo + 1) - 1;
    if hi > lo {
        format!("{lo}–{hi}")
    } else {
        lo.to_string()
    }
}

/// The `per_row` strongest links of the first [`MAX_ROWS`] rows of `m` (shown at display size,
/// standing for a `source` matrix). `signed`: strongest by |value| (scores), else by value (weights).
pub fn strongest_links(
    m: &Matrix,
    source: (usize, usize),
    rows: Option<&[String]>,
    cols: Option<&[String]>,
    per_row: usize,
    signed: bool,
) -> Vec<RowLinks> {
    let strength = |v: f32| if signed { v.abs() } else { v };
    (0..m.rows.min(MAX_ROWS))
        .map(|i| {
            let mut cells: Vec<(usize, f32)> = (0..m.cols)
                .map(|j| (j, m.get(i, j)))
                .filter(|(_, v)| v.is_finite())
                .collect();
            cells.sort_by(|a, b| strength(b.1).total_cmp(&strength(a.1)).then(a.0.cmp(&b.0)));
            RowLinks {
                row: name(i, m.rows, source.0, rows),
                links: cells
                    .into_iter()
                    .take(per_row)
                    .map(|(j, v)| (name(j, m.cols, source.1, cols), v))
                    .collect(),
            }
        })
        .collect()
}

/// Whether the data table is offered: a map shown cell for cell, at most [`MAX_TABLE`] a side.
pub fn table_fits(m: &Matrix, source: (usize, usize)) -> bool {
    (m.rows, m.cols) == source && m.rows <= MAX_TABLE && m.cols <= MAX_TABLE && m.rows > 0
}

/// A table cell: two decimals (three below 0.1 in magnitude), "—" for a masked cell.
pub fn cell_text(v: f32) -> String {
    if !v.is_finite() {
        "—".into()
    } else if v != 0.0 && v.abs() < 0.1 {
        format!("{v:.3}")
    } else {
        format!("{v:.2}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labels(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn each_row_names_its_strongest_columns_by_label_and_skips_masked_cells() {
        let m = Matrix::from_vec(2, 3, vec![0.2, 0.7, 0.1, 0.5, f32::NEG_INFINITY, 0.5]);
        let t = labels(&["the", "cat", "sat"]);
        let rows = strongest_links(&m, (2, 3), Some(&t[..2]), Some(&t), 2, false);
        assert_eq!(rows[0].row, "“the”");
        assert_eq!(
            strongest_links(&m, (2, 3), Some(&t), None, 1, false)[0].row,
            "0",
            "3 labels for 2 rows: indices"
        );
        assert_eq!(
            rows[0].links,
            vec![("“cat”".to_string(), 0.7), ("“the”".to_string(), 0.2)]
        );
        assert_eq!(
            rows[1].links,
            vec![("“the”".to_string(), 0.5), ("“sat”".to_string(), 0.5)],
            "ties by column"
        );
        let signed = Matrix::from_vec(1, 3, vec![0.5, -2.0, 1.0]);
        assert_eq!(
            strongest_links(&signed, (1, 3), None, None, 1, true)[0].links,
            vec![("1".to_string(), -2.0)]
        );
    }

    #[test]
    fn a_pooled_map_names_index_ranges_and_only_the_first_rows_are_described() {
        let m = Matrix::from_fn(32, 4, |i, j| (i * 4 + j) as f32);
        let rows = strongest_links(&m, (128, 8), None, None, 1, false);
        assert_eq!(rows.len(), MAX_ROWS);
        assert_eq!(rows[1].row, "4–7");
        assert_eq!(rows[1].links, vec![("6–7".to_string(), 7.0)]);
        assert!(!table_fits(&m, (128, 8)));
        assert!(table_fits(&Matrix::zeros(24, 24), (24, 24)));
        assert!(!table_fits(&Matrix::zeros(25, 4), (25, 4)));
    }

    #[test]
    fn table_cells_keep_small_values_readable_and_mark_masked_ones() {
        assert_eq!(cell_text(0.4567), "0.46");
        assert_eq!(cell_text(0.04567), "0.046");
        assert_eq!(cell_text(-1.5), "-1.50");
        assert_eq!(cell_text(0.0), "0.00");
        assert_eq!(cell_text(f32::NEG_INFINITY), "—");
        assert_eq!(cell_text(f32::NAN), "—");
    }
}
