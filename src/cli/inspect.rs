//! `davscope inspect FILE... [--filter Q] [--tree] [--json] [--fail-on Q]`.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;

use crate::cli::Exit;
use crate::cli::report::{inspect_json, inspect_summary, telling_headers};
use crate::core::document::{Document, LoadOptions, load_path};
use crate::core::filter::{self, FilterQuery, FilteredTree};
use crate::core::model::Outcome;
use crate::core::render::{render_filter_error, render_problem};
use crate::core::status::{StatusClass, reason_phrase};
use crate::core::tree::{NONE, PathTree};

#[derive(Debug, clap::Args)]
pub struct InspectArgs {
    /// Payload files: bare XML, a raw HTTP response (`curl -i`), a HAR export, .gz.
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
    /// Only responses matching this query (see README: the filter language).
    #[arg(long, value_name = "Q")]
    pub filter: Option<String>,
    /// Print the path tree, coloured by status on a terminal.
    #[arg(long)]
    pub tree: bool,
    /// One JSON object per document (JSON Lines).
    #[arg(long)]
    pub json: bool,
    /// Parse with N threads (default: every core for big payloads; 1 = sequential).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..))]
    pub threads: Option<u16>,
    /// Exit 1 when any response matches this query (e.g. `outcome:failed`).
    #[arg(long, value_name = "Q")]
    pub fail_on: Option<String>,
}

impl InspectArgs {
    pub fn for_files(files: Vec<PathBuf>) -> Self {
        InspectArgs {
            files,
            filter: None,
            tree: false,
            json: false,
            fail_on: None,
            threads: None,
        }
    }
}

fn parse_query(q: &Option<String>, flag: &str) -> Result<Option<FilterQuery>, Exit> {
    match q {
        None => Ok(None),
        Some(text) => match FilterQuery::parse(text) {
            Ok(query) => Ok(Some(query)),
            Err(e) => {
                eprint!("{}", render_filter_error(&e, text));
                eprintln!("  (in {flag})");
                Err(Exit::Unusable)
            }
        },
    }
}

pub fn run(args: &InspectArgs) -> Exit {
    let filter = match parse_query(&args.filter, "--filter") {
        Ok(f) => f,
        Err(e) => return e,
    };
    let fail_on = match parse_query(&args.fail_on, "--fail-on") {
        Ok(f) => f,
        Err(e) => return e,
    };
    let mut exit = Exit::Done;
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    let colour = std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none();
    for path in &args.files {
        let docs = match load_path(
            path,
            LoadOptions {
                threads: args.threads.map(usize::from),
                ..LoadOptions::default()
            },
        ) {
            Ok(d) => d,
            Err(e) => {
                eprintln!("error: {e}");
                exit = exit.max(Exit::Unusable);
                continue;
            }
        };
        for doc in &docs {
            let filtered = match (&filter, &doc.multistatus) {
                (Some(q), Some(ms)) => Some(filter::apply(q, ms, &doc.tree, None)),
                _ => None,
            };
            if let (Some(q), Some(ms)) = (&fail_on, &doc.multistatus)
                && filter::apply(q, ms, &doc.tree, None).matched_count > 0
            {
                exit = exit.max(Exit::FailOn);
            }
            if let Err(e) = report_document(
                &mut out,
                doc,
                filtered.as_ref(),
                args.json,
                args.tree,
                colour,
            ) {
                exit = exit.max(e.exit);
                if e.closed {
                    // stdout closed (a pipe into `head`): stop quietly.
                    return exit;
                }
            }
        }
    }
    exit
}

/// Why printing a document did not simply succeed.
pub(crate) struct Reported {
    /// The exit code it calls for (2 for a reply that is not a multistatus).
    pub exit: Exit,
    /// stdout is closed: stop printing.
    pub closed: bool,
}

/// Prints one document as `inspect` does (JSON line or human text), and the reason
/// on stderr when it is not a multistatus.
pub(crate) fn report_document(
    out: &mut impl Write,
    doc: &Document,
    filtered: Option<&FilteredTree>,
    json: bool,
    tree: bool,
    colour: bool,
) -> Result<(), Reported> {
    let mut exit = Exit::Done;
    if let Some(what) = &doc.not_multistatus {
        eprintln!(
            "error: {}: not a multistatus: {what}{}",
            doc.info.label,
            doc.info
                .http_status
                .map(|s| format!(" (HTTP {s} {})", reason_phrase(s)))
                .unwrap_or_default()
        );
        exit = Exit::Unusable;
    }
    let written = if json {
        serde_json::to_string(&inspect_json(doc, filtered))
            .map_err(std::io::Error::other)
            .and_then(|line| writeln!(out, "{line}"))
    } else {
        human(out, doc, filtered, tree, colour)
    };
    match (written, exit) {
        (Err(_), exit) => Err(Reported { exit, closed: true }),
        (Ok(()), Exit::Done) => Ok(()),
        (Ok(()), exit) => Err(Reported {
            exit,
            closed: false,
        }),
    }
}

fn size(bytes: u64) -> String {
    match bytes {
        b if b >= 1 << 30 => format!("{:.1} GB", b as f64 / (1u64 << 30) as f64),
        b if b >= 1 << 20 => format!("{:.1} MB", b as f64 / (1u64 << 20) as f64),
        b if b >= 1 << 10 => format!("{:.1} KB", b as f64 / 1024.0),
        b => format!("{b} bytes"),
    }
}

fn human(
    out: &mut impl Write,
    doc: &Document,
    filtered: Option<&FilteredTree>,
    tree: bool,
    colour: bool,
) -> std::io::Result<()> {
    let info = &doc.info;
    let mut what = format!("{}, {}", info.format.as_str(), size(info.bytes));
    if info.gzip {
        what.push_str(", gzip");
    }
    if let Some(s) = info.http_status {
        what.push_str(&format!(", HTTP {s} {}", reason_phrase(s)));
    }
    if let Some(enc) = info.transcoded_from {
        what.push_str(&format!(", {enc}"));
    }
    writeln!(out, "{} ({what})", info.label)?;
    if let Some(req) = &info.request {
        writeln!(out, "  request: {} {}", req.method, req.url)?;
    }
    for (k, v) in telling_headers(doc) {
        writeln!(out, "  {k}: {v}")?;
    }
    let json = inspect_summary(doc, filtered);
    match &doc.multistatus {
        None => {
            writeln!(
                out,
                "  not a multistatus: {}",
                doc.not_multistatus.as_deref().unwrap_or("unknown")
            )?;
        }
        Some(_) => {
            let s = &json.summary;
            writeln!(
                out,
                "  {} responses: {} ok, {} partial, {} failed",
                s.responses, s.ok, s.partial, s.failed
            )?;
            if s.shown != s.responses {
                writeln!(out, "  {} of {} match the filter", s.shown, s.responses)?;
            }
            let by: Vec<String> = s
                .by_status
                .iter()
                .map(|(code, n)| format!("{code}×{n}"))
                .collect();
            if !by.is_empty() {
                writeln!(out, "  by status: {}", by.join("  "))?;
            }
            if let Some(t) = &json.sync_token {
                writeln!(out, "  sync-token: {t}")?;
            }
        }
    }
    if doc.problems.is_empty() {
        writeln!(out, "  no problems")?;
    } else {
        writeln!(out, "  {} problem(s):", doc.problems.len())?;
        for p in doc.problems.iter().take(50) {
            for line in render_problem(p, &info.label, doc.body.bytes()).lines() {
                writeln!(out, "    {line}")?;
            }
        }
    }
    if tree && doc.multistatus.is_some() {
        print_tree(out, &doc.tree, filtered, colour)?;
    }
    writeln!(out)
}

fn paint(text: &str, code: Option<u16>, failed: bool, colour: bool) -> String {
    if !colour {
        return text.to_string();
    }
    let ansi = match StatusClass::of(code) {
        StatusClass::Success if !failed => "32",
        StatusClass::Redirection => "36",
        StatusClass::ClientError => "33",
        StatusClass::ServerError => "31",
        _ => "35",
    };
    format!("\x1b[{ansi}m{text}\x1b[0m")
}

fn print_tree(
    out: &mut impl Write,
    tree: &PathTree,
    filtered: Option<&FilteredTree>,
    colour: bool,
) -> std::io::Result<()> {
    let mut stack: Vec<u32> = vec![0];
    while let Some(id) = stack.pop() {
        if filtered.is_some_and(|f| !f.visible.get(id as usize).copied().unwrap_or(false)) {
            continue;
        }
        let node = &tree.nodes[id as usize];
        let indent = "  ".repeat(node.depth() as usize + 1);
        let mut name = tree.name(id).to_string();
        if node.collection() && id != 0 {
            name.push('/');
        }
        let own = match node.outcome() {
            Some(o) => {
                let code = node
                    .code()
                    .map(|c| c.to_string())
                    .unwrap_or_else(|| "---".into());
                let mark = match o {
                    Outcome::Ok => "",
                    Outcome::Partial => " partial",
                    Outcome::Failed => " FAILED",
                };
                paint(
                    &format!("[{code}{mark}]"),
                    node.code(),
                    o == Outcome::Failed,
                    colour,
                )
            }
            None => "[implicit]".to_string(),
        };
        let rollup = if node.first_child != NONE && node.failed() > 0 {
            let worst = node
                .worst()
                .map(|c| format!(", worst {c}"))
                .unwrap_or_default();
            paint(
                &format!("  {} failed{worst}", node.failed()),
                node.worst(),
                true,
                colour,
            )
        } else {
            String::new()
        };
        writeln!(out, "{indent}{name} {own}{rollup}")?;
        let first = stack.len();
        stack.extend(tree.children(id));
        stack[first..].reverse();
    }
    Ok(())
}
