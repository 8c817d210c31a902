//! Profiling aid: parses FILE ROUNDS times on one thread (no tree), next to the
//! bare quick-xml loop, and prints both times.
fn main() {
    let p = std::env::args().nth(1).unwrap_or_default();
    let rounds: usize = std::env::args()
        .nth(2)
        .and_then(|r| r.parse().ok())
        .unwrap_or(5);
    let data = std::fs::read(&p).unwrap_or_default();
    for _ in 0..rounds {
        let t = std::time::Instant::now();
        let mut reader = quick_xml::Reader::from_reader(&data[..]);
        let mut n = 0u64;
        while let Ok(e) = reader.read_event() {
            if matches!(e, quick_xml::events::Event::Eof) {
                break;
            }
            n += 1;
        }
        let bare = t.elapsed();
        let t = std::time::Instant::now();
        let parsed = davscope::core::parse::xml::parse_body(&data, None);
        let parse = t.elapsed();
        println!(
            "bare {bare:?} parse {parse:?} = {:.2}x ({n} events, {} responses)",
            parse.as_secs_f64() / bare.as_secs_f64(),
            parsed.multistatus.map(|m| m.responses.len()).unwrap_or(0)
        );
    }
}
