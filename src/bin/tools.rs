//! The on-demand worker: the file reader plus the data generator (the built-in sample) and the SQL
//! translator ("Copy as SQL"), kept out of the modules every visit downloads.

use js_sys::{Array, Object, Reflect};
use trailscope_core::generate::{generate, GenConfig};
use trailscope_core::ingest::{ingest_file, FileResult, IngestOptions};
use trailscope_core::query;
use trailscope_core::sql::{self, Dialect, Scope};
use wasm_bindgen::JsValue;

fn main() {
    trailscope::worker::run(Some(trailscope::worker::Tools { sample, sql: translate }));
}

fn sample(options: &IngestOptions) -> Vec<FileResult> {
    let (files, _truth) = generate(&GenConfig::sample());
    files.iter().map(|f| ingest_file(&f.name, &f.bytes, options)).collect()
}

/// `{query, start, end, dialect, source, showAll, table, bucket, prefix, accounts, regions, since}` in;
/// `{sql, notes, create, error}` out. The query is parsed here from what the person typed, exactly as the
/// page parses it, so the SQL means the shown rows.
fn translate(request: &JsValue) -> Object {
    let text = |key: &str| Reflect::get(request, &key.into()).ok().and_then(|v| v.as_string()).unwrap_or_default();
    let number = |key: &str| Reflect::get(request, &key.into()).ok().and_then(|v| v.as_f64());
    let (mut query, _hints) = query::parse(&text("query"));
    if let (Some(start), Some(end)) = (number("start"), number("end")) {
        query.range = Some((start as i64, end as i64));
    }
    let dialect = match text("dialect").as_str() {
        "lake" => Dialect::Lake,
        "duckdb" => Dialect::DuckDb,
        _ => Dialect::Athena,
    };
    let show_all = Reflect::get(request, &"showAll".into()).ok().and_then(|v| v.as_bool()).unwrap_or(false);
    let scope = if show_all { Scope::AllEvents } else { Scope::Transcribe };
    let answer = Object::new();
    let set = |key: &str, value: JsValue| {
        let _ = Reflect::set(&answer, &key.into(), &value);
    };
    // The page numbers its requests and keeps only the answer to its latest.
    set("seq", Reflect::get(request, &"seq".into()).unwrap_or(JsValue::UNDEFINED));
    match sql::to_sql_in(&query, dialect, &text("source"), scope) {
        Ok(translation) => {
            set("sql", translation.sql.into());
            set("notes", translation.notes.iter().map(|n| JsValue::from(n.as_str())).collect::<Array>().into());
        }
        Err(error) => set("error", error.message().into()),
    }
    if dialect == Dialect::Athena {
        let list = |key: &str| -> Vec<String> {
            text(key).split([',', ' ', '\n']).map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned).collect()
        };
        let (accounts, regions) = (list("accounts"), list("regions"));
        let accounts: Vec<&str> = accounts.iter().map(String::as_str).collect();
        let regions: Vec<&str> = regions.iter().map(String::as_str).collect();
        match sql::athena_create_table(
            &text("source"),
            &text("bucket"),
            &text("prefix"),
            &accounts,
            &regions,
            &text("since"),
        ) {
            Ok(create) => set("create", create.into()),
            Err(error) => set("createError", error.message().into()),
        }
    }
    answer
}
