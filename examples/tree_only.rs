//! Profiling aid: builds the path tree of FILE ROUNDS times, nothing else timed.
fn main() {
    let p = std::env::args().nth(1).unwrap_or_default();
    let rounds: usize = std::env::args()
        .nth(2)
        .and_then(|r| r.parse().ok())
        .unwrap_or(5);
    let data = std::fs::read(&p).unwrap_or_default();
    let parsed = davscope::core::parse::xml::parse_body(&data, None);
    let Some(ms) = parsed.multistatus else { return };
    for _ in 0..rounds {
        let t = std::time::Instant::now();
        let tree = davscope::core::tree::PathTree::build(&ms, &data, None);
        println!("{:?} {} nodes", t.elapsed(), tree.nodes.len());
    }
}
