//! Thin entry point: parse arguments; no command opens the window, a command runs
//! headless.

use clap::Parser as _;
use davscope::cli::{self, Args};

fn main() -> std::process::ExitCode {
    let args = Args::parse();
    match args.command {
        Some(command) => std::process::ExitCode::from(cli::run(command) as u8),
        None => open_window(args.files),
    }
}

#[cfg(feature = "gui")]
fn open_window(files: Vec<std::path::PathBuf>) -> std::process::ExitCode {
    match davscope::app::run(files) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: cannot open the window: {e:#}");
            eprintln!("hint: on a machine without a display, use `davscope inspect FILE`");
            std::process::ExitCode::from(2)
        }
    }
}

#[cfg(not(feature = "gui"))]
fn open_window(files: Vec<std::path::PathBuf>) -> std::process::ExitCode {
    if files.is_empty() {
        eprintln!("error: this davscope was built without the window (feature `gui`)");
        eprintln!("hint: run `davscope inspect FILE`, or `davscope --help`");
        return std::process::ExitCode::from(2);
    }
    let args = cli::inspect::InspectArgs::for_files(files);
    std::process::ExitCode::from(cli::inspect::run(&args) as u8)
}
