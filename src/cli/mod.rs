//! The headless face: clap arguments -> `run()` -> text or JSON on stdout, the reason
//! on stderr, and the exit code (0 done, 1 a `--fail-on` matched, 2 unusable input).
//! Calls the core directly; never imports the UI.

use std::path::PathBuf;

use clap::{Parser, Subcommand};

pub use crate::demo;
pub mod diagnose;
pub mod diff;
pub mod fetch;
pub mod inspect;
pub mod report;

/// Exit codes shared by every command (SEMANTICS.md).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Exit {
    Done = 0,
    FailOn = 1,
    Unusable = 2,
}

#[derive(Debug, Parser)]
#[command(
    name = "davscope",
    version,
    about = "Explore WebDAV 207 Multi-Status payloads: every resource, colour-coded by status.",
    long_about = "Explore WebDAV 207 Multi-Status payloads.\n\nWithout a command, opens the explorer window (on FILEs, or on the bundled sample).\nWith a command, works headless."
)]
pub struct Args {
    #[command(subcommand)]
    pub command: Option<Command>,
    /// Files to open in the window (bare XML, a raw HTTP response, a HAR file, .gz).
    pub files: Vec<PathBuf>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Read payloads and report responses, statuses and problems.
    Inspect(inspect::InspectArgs),
    /// Compare two payloads by resource: what a fix changed.
    Diff(diff::DiffArgs),
    /// Likely causes of the failures, with evidence, ranked.
    Diagnose(diagnose::DiagnoseArgs),
    /// Send one WebDAV request and report the reply as `inspect` does.
    Fetch(Box<fetch::FetchArgs>),
    /// Serve a practice WebDAV server on 127.0.0.1 with faults to switch on and off.
    DemoServer(demo::DemoArgs),
}

/// Runs a headless command; returns the exit code.
pub fn run(command: Command) -> Exit {
    match command {
        Command::Inspect(args) => inspect::run(&args),
        Command::Diff(args) => diff::run(&args),
        Command::Diagnose(args) => diagnose::run(&args),
        Command::Fetch(args) => fetch::run(&args),
        Command::DemoServer(args) => demo::run(&args),
    }
}
