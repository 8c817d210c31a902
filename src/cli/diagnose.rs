//! `davscope diagnose FILE... [--json]`: ranked likely causes with evidence.

use std::io::Write;
use std::path::PathBuf;

use serde::Serialize;

use crate::cli::Exit;
use crate::core::diagnose::{Finding, diagnose};
use crate::core::document::{LoadOptions, load_path};

#[derive(Debug, clap::Args)]
pub struct DiagnoseArgs {
    /// Payload files: bare XML, a raw HTTP response, a HAR export, .gz.
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
    /// One JSON object per document (JSON Lines).
    #[arg(long)]
    pub json: bool,
    /// Parse with N threads (default: every core for big payloads; 1 = sequential).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..))]
    pub threads: Option<u16>,
}

#[derive(Serialize)]
struct DiagnoseJson<'a> {
    label: &'a str,
    findings: &'a [Finding],
}

pub fn run(args: &DiagnoseArgs) -> Exit {
    let mut exit = Exit::Done;
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
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
                exit = Exit::Unusable;
                continue;
            }
        };
        for doc in &docs {
            let findings = diagnose(doc);
            if let Some(what) = &doc.not_multistatus {
                eprintln!("note: {}: not a multistatus: {what}", doc.info.label);
                exit = Exit::Unusable;
            }
            let written = if args.json {
                serde_json::to_string(&DiagnoseJson {
                    label: &doc.info.label,
                    findings: &findings,
                })
                .map_err(std::io::Error::other)
                .and_then(|s| writeln!(out, "{s}"))
            } else {
                text(&mut out, &doc.info.label, &findings)
            };
            if written.is_err() {
                return exit;
            }
        }
    }
    exit
}

fn text(out: &mut impl Write, label: &str, findings: &[Finding]) -> std::io::Result<()> {
    if findings.is_empty() {
        writeln!(
            out,
            "{label}: no likely cause found: every resource answered as expected"
        )?;
        return writeln!(out);
    }
    writeln!(
        out,
        "{label}: {} finding(s), most likely first",
        findings.len()
    )?;
    for (i, f) in findings.iter().enumerate() {
        writeln!(
            out,
            "\n{}. [{}] {} ({})",
            i + 1,
            f.likelihood.as_str(),
            f.title,
            f.cause.as_str()
        )?;
        for e in &f.evidence {
            writeln!(out, "   - {e}")?;
        }
        if !f.paths.is_empty() {
            writeln!(out, "   paths: {}", f.paths.len())?;
        }
    }
    writeln!(out)
}
