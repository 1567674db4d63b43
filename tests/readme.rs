//! The README's parameter tables are the schemas: each table between `<!-- params:VIEW -->` and
//! `<!-- /params -->` must equal `Schema::markdown_table()`. `UPDATE_README=1 cargo test --test readme`
//! rewrites them from the schemas.

use attention_atlas::view_model::schema::Schema;
use attention_atlas::view_model::{approx, heads, model, sdpa, shell, sparse, speed};

fn schemas() -> Vec<&'static Schema> {
    vec![
        &shell::SCHEMA,
        &sdpa::params::SCHEMA,
        &heads::params::SCHEMA,
        &sparse::params::SCHEMA,
        &approx::params::SCHEMA,
        &speed::params::SCHEMA,
        &model::params::SCHEMA,
    ]
}

#[test]
fn readme_parameter_tables_are_generated_from_the_schemas() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/README.md");
    let mut readme = std::fs::read_to_string(path).expect("README.md");
    let update = std::env::var_os("UPDATE_README").is_some();
    let mut checked = 0;
    for schema in schemas() {
        let begin = format!("<!-- params:{} -->\n", schema.view);
        let start = readme
            .find(&begin)
            .unwrap_or_else(|| panic!("README.md has no {begin:?} marker"))
            + begin.len();
        let len = readme[start..].find("<!-- /params -->").expect("closing marker");
        let want = schema.markdown_table();
        if update {
            readme.replace_range(start..start + len, &want);
        } else {
            assert_eq!(
                readme[start..start + len],
                want,
                "the README table of {} differs from its schema (UPDATE_README=1 cargo test --test readme)",
                schema.view
            );
        }
        checked += 1;
    }
    if update {
        std::fs::write(path, readme).expect("write README.md");
    }
    assert_eq!(checked, schemas().len());
}
