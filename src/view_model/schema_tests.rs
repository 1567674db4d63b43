//! Tests of the parameter schema: choices, snapping, the writer and the README table.

use super::*;
use crate::view_model::params::pairs_lookup;

#[derive(Clone, Copy, Debug, PartialEq)]
enum Fruit {
    Apple,
    Pear,
}
crate::url_choice!(Fruit {
    Fruit::Apple => ("apple", "test.apple"),
    Fruit::Pear => ("pear", "test.pear"),
});

const FRUIT: ChoiceParam<Fruit> = ChoiceParam {
    key: "fruit",
    label: "test.fruit",
    doc: "a fruit",
    default: Fruit::Apple,
};
const COUNT: IntParam = IntParam::new("count", "test.count", "how many", 3, 1, 9).log();
const WIDTH: SnapParam = SnapParam {
    key: "w",
    label: "test.w",
    doc: "width",
    default: 32,
    allowed: &[16, 32, 64],
};
const SCHEMA: Schema = Schema {
    view: "test",
    params: &[&FRUIT, &COUNT, &WIDTH],
};

#[test]
fn choices_parse_case_insensitively_and_unknown_words_fall_back_with_a_notice() {
    let get = pairs_lookup(&[("fruit", " PEAR ")]);
    let mut r = ParamReader::new(&get);
    assert_eq!(FRUIT.read(&mut r), Fruit::Pear);
    let get = pairs_lookup(&[("fruit", "kiwi")]);
    let mut r = ParamReader::new(&get);
    assert_eq!(FRUIT.read(&mut r), Fruit::Apple);
    assert_eq!(r.notices.len(), 1);
    assert_eq!(
        r.notices[0].reason,
        NoticeReason::UnknownChoice {
            allowed: vec!["apple", "pear"]
        }
    );
}

#[test]
fn snapping_picks_the_nearest_allowed_value_and_says_so() {
    assert_eq!(WIDTH.nearest(47.0), 32);
    assert_eq!(WIDTH.nearest(49.0), 64);
    assert_eq!(WIDTH.nearest(-1e9), 16);
    let get = pairs_lookup(&[("w", "100")]);
    let mut r = ParamReader::new(&get);
    assert_eq!(WIDTH.read(&mut r), 64);
    assert_eq!(
        r.notices[0].reason,
        NoticeReason::NotAllowed {
            allowed: "16, 32, 64".into()
        }
    );
}

#[test]
fn the_writer_clamps_and_the_reader_reads_back_what_it_wrote() {
    let pairs = QueryWriter::new("test")
        .choice(&FRUIT, Fruit::Pear)
        .int(&COUNT, 99)
        .snap(&WIDTH, 17)
        .finish();
    assert_eq!(
        pairs,
        vec![
            ("view", "test".to_string()),
            ("fruit", "pear".into()),
            ("count", "9".into()),
            ("w", "16".into())
        ]
    );
    let borrowed: Vec<(&str, &str)> = pairs.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let get = pairs_lookup(&borrowed);
    let mut r = ParamReader::new(&get);
    assert_eq!(
        (FRUIT.read(&mut r), COUNT.read(&mut r), WIDTH.read(&mut r)),
        (Fruit::Pear, 9, 16)
    );
    assert!(r.notices.is_empty());
}

#[test]
fn the_markdown_table_lists_every_key_with_its_values_and_default() {
    let table = SCHEMA.markdown_table();
    assert_eq!(SCHEMA.keys(), vec!["fruit", "count", "w"]);
    assert!(
        table.contains("| `fruit` | a fruit | `apple`, `pear` | `apple` |"),
        "{table}"
    );
    assert!(table.contains("| `count` | how many | 1 … 9 | 3 |"), "{table}");
    assert!(table.contains("| `w` | width | 16, 32, 64 | 32 |"), "{table}");
}

#[test]
fn query_strings_are_percent_encoded() {
    assert_eq!(
        query_string(&[("text", "a b&c".into()), ("n", "3".into())]),
        "?text=a%20b%26c&n=3"
    );
    assert_eq!(query_string(&[]), "");
}
