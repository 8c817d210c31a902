//! The baseline every load figure is measured against: a bare single-thread
//! quick-xml event loop over the same memory-mapped bytes, building nothing.
//!
//! `cargo run --release --example bare_loop -- FILE` prints the events counted
//! and the time taken; time it alternately with `davscope inspect FILE`.

use std::time::Instant;

fn main() -> std::process::ExitCode {
    let Some(path) = std::env::args().nth(1) else {
        eprintln!("usage: bare_loop FILE");
        return std::process::ExitCode::from(2);
    };
    let file = match std::fs::File::open(&path) {
        Ok(f) => f,
        Err(e) => {
            eprintln!("error: {path}: {e}");
            return std::process::ExitCode::from(2);
        }
    };
    // SAFETY: read-only map of a file nobody truncates during the measurement.
    #[allow(unsafe_code)]
    let map = match unsafe { memmap2::Mmap::map(&file) } {
        Ok(m) => m,
        Err(e) => {
            eprintln!("error: {path}: {e}");
            return std::process::ExitCode::from(2);
        }
    };
    let start = Instant::now();
    let mut reader = quick_xml::Reader::from_reader(&map[..]);
    let mut events = 0u64;
    loop {
        match reader.read_event() {
            Ok(quick_xml::events::Event::Eof) => break,
            Ok(_) => events += 1,
            Err(e) => {
                eprintln!("error at byte {}: {e}", reader.error_position());
                break;
            }
        }
    }
    let secs = start.elapsed().as_secs_f64();
    println!(
        "{events} events, {:.3} s, {:.0} MB/s",
        secs,
        map.len() as f64 / secs / 1e6
    );
    std::process::ExitCode::SUCCESS
}
