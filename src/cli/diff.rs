//! `davscope diff BEFORE AFTER [--json] [--all-props] [--filter Q] [--fail-on KIND,...]`.

use std::io::Write;
use std::path::PathBuf;

use serde::Serialize;

use crate::cli::Exit;
use crate::core::diff::{ChangeKind, Diff, DiffOptions, diff, filter_entries};
use crate::core::document::{Document, LoadOptions, load_path};
use crate::core::filter::FilterQuery;
use crate::core::render::render_filter_error;

#[derive(Debug, clap::Args)]
pub struct DiffArgs {
    /// The payload before the fix.
    pub before: PathBuf,
    /// The payload after the fix.
    pub after: PathBuf,
    /// Print JSON.
    #[arg(long)]
    pub json: bool,
    /// Parse with N threads (default: every core for big payloads; 1 = sequential).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..))]
    pub threads: Option<u16>,
    /// Compare volatile properties too (getetag, getlastmodified, lock tokens, ...).
    #[arg(long)]
    pub all_props: bool,
    /// Only entries matching this query (`change:regressed`, `path:/x/**`, ...).
    #[arg(long, value_name = "Q")]
    pub filter: Option<String>,
    /// Exit 1 when an entry of one of these kinds exists (e.g. `regressed,still_failing`).
    #[arg(long, value_name = "KIND,...", value_delimiter = ',')]
    pub fail_on: Vec<String>,
    /// Also list unchanged paths in the text output.
    #[arg(long)]
    pub unchanged: bool,
}

#[derive(Serialize)]
struct SideJson {
    status: Option<u16>,
    propstats: Vec<Option<u16>>,
}

#[derive(Serialize)]
struct PropJson {
    name: String,
    before: Option<String>,
    after: Option<String>,
    before_status: Option<u16>,
    after_status: Option<u16>,
}

#[derive(Serialize)]
struct EntryJson {
    path: String,
    change: &'static str,
    before: Option<SideJson>,
    after: Option<SideJson>,
    props: Vec<PropJson>,
}

#[derive(Serialize)]
struct SummaryJson {
    fixed: usize,
    regressed: usize,
    still_failing: usize,
    status_changed: usize,
    props_changed: usize,
    added: usize,
    removed: usize,
    unchanged: usize,
    /// `"before"`, `"after"` or `"both"` when a side is not a multistatus.
    not_multistatus: Option<&'static str>,
}

#[derive(Serialize)]
struct DiffJson {
    summary: SummaryJson,
    entries: Vec<EntryJson>,
}

fn side_json(doc: &Document, index: Option<usize>) -> Option<SideJson> {
    let ms = doc.multistatus.as_ref()?;
    let r = ms.responses.get(index?)?;
    Some(SideJson {
        status: r.status_code(),
        propstats: ms.propstats_of(r).iter().map(|p| p.code()).collect(),
    })
}

fn load_first(path: &std::path::Path, threads: Option<u16>) -> Result<Document, Exit> {
    let threads = threads.map(usize::from);
    match load_path(
        path,
        LoadOptions {
            threads,
            ..LoadOptions::default()
        },
    ) {
        Ok(mut docs) if !docs.is_empty() => Ok(docs.remove(0)),
        Ok(_) => {
            eprintln!("error: {}: nothing to read", path.display());
            Err(Exit::Unusable)
        }
        Err(e) => {
            eprintln!("error: {e}");
            Err(Exit::Unusable)
        }
    }
}

pub fn run(args: &DiffArgs) -> Exit {
    let mut fail_kinds = Vec::new();
    for k in &args.fail_on {
        match ChangeKind::parse(k) {
            Some(kind) => fail_kinds.push(kind),
            None => {
                eprintln!(
                    "error: unknown change kind `{k}` in --fail-on\n  = try: fixed, regressed, still_failing, status_changed, props_changed, added, removed, unchanged"
                );
                return Exit::Unusable;
            }
        }
    }
    let query = match &args.filter {
        None => None,
        Some(text) => match FilterQuery::parse(text) {
            Ok(q) => Some(q),
            Err(e) => {
                eprint!("{}", render_filter_error(&e, text));
                return Exit::Unusable;
            }
        },
    };
    // The two sides load in parallel.
    let (before, after) = std::thread::scope(|s| {
        let b = s.spawn(|| load_first(&args.before, args.threads));
        let a = load_first(&args.after, args.threads);
        (b.join().unwrap_or(Err(Exit::Unusable)), a)
    });
    let (before, after) = match (before, after) {
        (Ok(b), Ok(a)) => (b, a),
        _ => return Exit::Unusable,
    };
    for (name, doc) in [("before", &before), ("after", &after)] {
        if let Some(what) = &doc.not_multistatus {
            eprintln!(
                "note: {name} ({}) is not a multistatus: {what}",
                doc.info.label
            );
        }
    }
    let d = diff(
        &before,
        &after,
        DiffOptions {
            all_props: args.all_props,
        },
    );
    let kept = match &query {
        Some(q) => filter_entries(&d, &before, &after, q),
        None => vec![true; d.entries.len()],
    };
    let not_ms = match (d.before_is_multistatus, d.after_is_multistatus) {
        (true, true) => None,
        (false, true) => Some("before"),
        (true, false) => Some("after"),
        (false, false) => Some("both"),
    };
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    let written = if args.json {
        let entries = d
            .entries
            .iter()
            .zip(&kept)
            .filter(|(_, k)| **k)
            .map(|(e, _)| EntryJson {
                path: e.path.clone(),
                change: e.change.as_str(),
                before: side_json(&before, e.before),
                after: side_json(&after, e.after),
                props: e
                    .props
                    .iter()
                    .map(|p| PropJson {
                        name: p.name.clone(),
                        before: p.before.clone(),
                        after: p.after.clone(),
                        before_status: p.before_status,
                        after_status: p.after_status,
                    })
                    .collect(),
            })
            .collect();
        let json = DiffJson {
            summary: SummaryJson {
                fixed: d.count(ChangeKind::Fixed),
                regressed: d.count(ChangeKind::Regressed),
                still_failing: d.count(ChangeKind::StillFailing),
                status_changed: d.count(ChangeKind::StatusChanged),
                props_changed: d.count(ChangeKind::PropsChanged),
                added: d.count(ChangeKind::Added),
                removed: d.count(ChangeKind::Removed),
                unchanged: d.count(ChangeKind::Unchanged),
                not_multistatus: not_ms,
            },
            entries,
        };
        serde_json::to_string(&json)
            .map_err(std::io::Error::other)
            .and_then(|s| writeln!(out, "{s}"))
    } else {
        text(&mut out, &d, &before, &after, &kept, args.unchanged)
    };
    if written.is_err() {
        return Exit::Done;
    }
    if !d.before_is_multistatus && !d.after_is_multistatus {
        return Exit::Unusable;
    }
    let failing = d
        .entries
        .iter()
        .zip(&kept)
        .any(|(e, k)| *k && fail_kinds.contains(&e.change));
    if failing { Exit::FailOn } else { Exit::Done }
}

fn codes(doc: &Document, index: Option<usize>) -> String {
    match side_json(doc, index) {
        None => "-".into(),
        Some(s) => {
            let mut parts: Vec<String> = s.status.map(|c| c.to_string()).into_iter().collect();
            parts.extend(
                s.propstats
                    .iter()
                    .map(|c| c.map(|c| c.to_string()).unwrap_or_else(|| "?".into())),
            );
            if parts.is_empty() {
                "none".into()
            } else {
                parts.join("+")
            }
        }
    }
}

fn text(
    out: &mut impl Write,
    d: &Diff,
    before: &Document,
    after: &Document,
    kept: &[bool],
    unchanged: bool,
) -> std::io::Result<()> {
    writeln!(out, "{} -> {}", before.info.label, after.info.label)?;
    let summary: Vec<String> = ChangeKind::ALL
        .iter()
        .map(|k| format!("{} {}", d.count(*k), k.as_str()))
        .collect();
    writeln!(out, "  {}", summary.join(", "))?;
    for (e, k) in d.entries.iter().zip(kept) {
        if !*k || (e.change == ChangeKind::Unchanged && !unchanged) {
            continue;
        }
        writeln!(
            out,
            "  {:<15} {}  {} -> {}",
            e.change.as_str(),
            e.path,
            codes(before, e.before),
            codes(after, e.after)
        )?;
        for p in &e.props {
            writeln!(
                out,
                "      {}: {} -> {}",
                p.name,
                p.before.as_deref().unwrap_or("(absent)"),
                p.after.as_deref().unwrap_or("(absent)")
            )?;
        }
    }
    Ok(())
}
