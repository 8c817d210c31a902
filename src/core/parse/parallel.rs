//! The parallel load: the body cut at response boundaries, the pieces parsed on
//! worker threads, merged in document order, the path tree built as they arrive.
//!
//! Exactness comes from proofs, not from the cut finder: a piece starts from the
//! parser state at a boundary (between two children of the multistatus), and a
//! piece counts only if it ends at the next boundary with nothing a sequential
//! parse would word differently (no error, no lost problem). Any failed proof, or
//! an end tag a piece cannot check, makes the whole load sequential. The result is
//! always the sequential one. Depends on `parse::xml` and `tree`.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::mpsc;

use crate::core::model::{Multistatus, Severity};
use crate::core::parse::xml::{BoundaryState, ParsedBody, Parser, RunEnd};
use crate::core::tree::{PathTree, ResponseInfo, TreeBuilder, TreeMerger, href_text};

/// Bodies smaller than this are parsed sequentially: threads would cost more.
pub const MIN_PARALLEL_BYTES: usize = 4 << 20;

/// Pieces per worker thread (smaller pieces balance the load and make progress
/// finer).
const PIECES_PER_THREAD: usize = 32;

fn debug(msg: &str) {
    if std::env::var_os("DAVSCOPE_DEBUG").is_some() {
        eprintln!("davscope: parallel load: {msg}");
    }
}

/// Where the next boundary candidate after `from` is: a `response` end tag with a
/// DAV: prefix, whitespace, and a `response` start tag with a DAV: prefix. Returns
/// the offset of the start tag's `<`.
pub fn find_cut(body: &[u8], from: usize, prefixes: &[Vec<u8>]) -> Option<usize> {
    let finder = memchr::memmem::Finder::new(b"response>");
    let mut pos = from;
    while pos < body.len() {
        let at = pos + finder.find(&body[pos..])?;
        pos = at + 1;
        let closes = prefixes.iter().any(|p| {
            let mut tag = b"</".to_vec();
            if !p.is_empty() {
                tag.extend_from_slice(p);
                tag.push(b':');
            }
            at >= tag.len() && body[at - tag.len()..at] == tag[..]
        });
        if !closes {
            continue;
        }
        let mut j = at + b"response>".len();
        while j < body.len() && body[j].is_ascii_whitespace() {
            j += 1;
        }
        if body.get(j) != Some(&b'<') {
            continue;
        }
        let opens = prefixes.iter().any(|p| {
            let mut tag = b"<".to_vec();
            if !p.is_empty() {
                tag.extend_from_slice(p);
                tag.push(b':');
            }
            tag.extend_from_slice(b"response");
            body[j..].starts_with(&tag)
                && matches!(
                    body.get(j + tag.len()),
                    Some(b'>' | b' ' | b'\t' | b'\r' | b'\n' | b'/')
                )
        });
        if opens {
            return Some(j);
        }
    }
    None
}

/// The first boundary candidate, before any prefix is known: `</x:response>` (or
/// `</response>`) then `<y:response`.
fn first_cut(body: &[u8]) -> Option<usize> {
    let finder = memchr::memmem::Finder::new(b"response>");
    let mut pos = 0;
    while pos < body.len() {
        let at = pos + finder.find(&body[pos..])?;
        pos = at + 1;
        let back = &body[at.saturating_sub(64)..at];
        let Some(lt) = memchr::memrchr(b'<', back) else {
            continue;
        };
        let name = &back[lt + 1..];
        let Some(prefix) = name.strip_prefix(b"/") else {
            continue;
        };
        let prefix = prefix.strip_suffix(b":").unwrap_or(prefix);
        if prefix
            .iter()
            .any(|b| b.is_ascii_whitespace() || *b == b':' || *b == b'>')
        {
            continue;
        }
        if let Some(cut) = find_cut(body, at.saturating_sub(name.len() + 1), &[prefix.to_vec()]) {
            return Some(cut);
        }
        // Another prefix may open the next response: accept any.
        let mut j = at + b"response>".len();
        while j < body.len() && body[j].is_ascii_whitespace() {
            j += 1;
        }
        if body.get(j) == Some(&b'<') {
            let rest = &body[j + 1..body.len().min(j + 80)];
            if let Some(r) = memchr::memmem::find(rest, b"response")
                && rest[..r]
                    .iter()
                    .all(|b| !b.is_ascii_whitespace() && *b != b'<' && *b != b'>')
            {
                return Some(j);
            }
        }
    }
    None
}

/// A piece's result.
struct Piece {
    parsed: ParsedBody,
    proven: bool,
    /// The piece's own path tree, built on the worker.
    tree: PathTree,
}

fn proven(parser: &Parser<'_, '_>, end: RunEnd, last: bool) -> bool {
    end == RunEnd::Done
        && parser.dropped() == 0
        && parser.problem_list().iter().all(|p| {
            p.severity != Severity::Error || p.message.starts_with("undeclared namespace prefix")
        })
        && (last || parser.boundary_state().is_some())
}

/// What the workers have read so far, for the progress bar.
#[derive(Default)]
struct Counters {
    bytes: std::sync::atomic::AtomicU64,
    responses: std::sync::atomic::AtomicU64,
}

fn parse_piece(
    body: &[u8],
    state: &BoundaryState,
    (start, end): (usize, usize),
    cancel: &AtomicBool,
    counters: &Counters,
    request_url: Option<&str>,
) -> Piece {
    // The tree grows as each response closes, while its bytes are in cache.
    let mut builder = TreeBuilder::new(request_url, 0);
    let mut sink = |i: u32, href: Option<crate::core::model::Span>, info: ResponseInfo| {
        let raw = href
            .and_then(|s| body.get(s.start as usize..s.end as usize))
            .unwrap_or(&[]);
        builder.add(i, &href_text(raw), &info);
    };
    let mut p = Parser::at_boundary(body, state, Some(&mut sink));
    let (mut last_b, mut last_r) = (start as u64, 0u64);
    let mut check = |b: u64, r: u64| {
        counters
            .bytes
            .fetch_add(b.saturating_sub(last_b), Ordering::Relaxed);
        counters
            .responses
            .fetch_add(r.saturating_sub(last_r), Ordering::Relaxed);
        (last_b, last_r) = (b, r);
        !cancel.load(Ordering::Relaxed)
    };
    let mut progress: Option<&mut dyn FnMut(u64, u64) -> bool> = Some(&mut check);
    let run = p.run(start, end, None, &mut progress);
    let read = p.response_count() as u64;
    counters
        .bytes
        .fetch_add((end as u64).saturating_sub(last_b), Ordering::Relaxed);
    counters
        .responses
        .fetch_add(read.saturating_sub(last_r), Ordering::Relaxed);
    let last = end >= body.len();
    let ok = proven(&p, run, last);
    let parsed = p.finish(run == RunEnd::Cancelled);
    Piece {
        parsed,
        proven: ok,
        tree: builder.finish_piece(),
    }
}

/// Appends `part` to `into`, remapping names, shapes and indices.
fn merge(into: &mut ParsedBody, part: ParsedBody) {
    let (Some(ms), Some(mut add)) = (into.multistatus.as_mut(), part.multistatus) else {
        return;
    };
    let map = ms.names.merge(&add.names);
    let shape_map = ms.shapes.merge(&add.shapes, &map);
    let remap = |id: crate::core::model::NameId| map.get(id.0 as usize).copied().unwrap_or(id);
    let (resp_base, ps_base) = (ms.responses.len() as u32, ms.propstats.len() as u32);
    for r in &mut add.responses {
        r.propstats_start += ps_base;
    }
    for p in &mut add.propstats {
        p.shape = shape_map
            .get(p.shape.0 as usize)
            .copied()
            .unwrap_or(p.shape);
    }
    for c in &mut add.conditions {
        c.response += resp_base;
        c.name = remap(c.name);
    }
    ms.responses.extend(add.responses);
    ms.propstats.extend(add.propstats);
    ms.conditions.extend(add.conditions);
    if ms.context.is_none() {
        ms.context = add.context;
    }
    if add.description.is_some() {
        ms.description = add.description;
    }
    if add.sync_token.is_some() {
        ms.sync_token = add.sync_token;
    }
    ms.span.end = ms.span.end.max(add.span.end);
    // A sequential parse reports each undeclared prefix once.
    for p in part.problems {
        let repeated = p.message.starts_with("undeclared namespace prefix")
            && into.problems.iter().any(|q| q.message == p.message);
        if !repeated {
            into.problems.push(p);
        }
    }
    if part.root.is_some() && into.root.is_none() {
        into.root = part.root;
    }
}

fn add_to_tree(builder: &mut TreeBuilder<'_>, ms: &Multistatus, body: &[u8], base: u32) {
    for (i, r) in ms.responses.iter().enumerate() {
        let info = ResponseInfo::of(ms, r);
        let raw = if r.flags.has(crate::core::model::ResponseFlags::NO_HREF) {
            &[][..]
        } else {
            let s = ms.relative(r, r.href);
            body.get(s.start as usize..s.end as usize).unwrap_or(&[])
        };
        builder.add(base + i as u32, &href_text(raw), &info);
    }
}

/// Parses and indexes `body` on `threads` threads. `None` when the body is not
/// worth it or a proof failed: the caller then parses sequentially (same result).
pub fn parse_and_index(
    body: &[u8],
    threads: usize,
    min_bytes: usize,
    progress: &mut Option<&mut dyn FnMut(u64, u64) -> bool>,
    request_url: Option<&str>,
) -> Option<(ParsedBody, PathTree, usize)> {
    if threads < 2 || body.len() < min_bytes {
        return None;
    }
    let Some(first) = first_cut(body) else {
        debug("no response boundary found");
        return None;
    };
    // The prefix, sequentially, up to the first boundary.
    let mut head = Parser::new(body, None);
    let run = head.run(0, first, None, progress);
    if run != RunEnd::Done || !proven(&head, run, false) {
        debug("the first boundary is not one");
        return None;
    }
    let state = head.boundary_state()?;
    let prefixes = state.dav_prefixes();
    if prefixes.is_empty() {
        debug("no prefix is bound to DAV: at the boundary");
        return None;
    }
    let mut head = head.finish(false);
    // Cut the rest into pieces at boundary candidates near equal sizes.
    let pieces_wanted = threads * PIECES_PER_THREAD;
    let step = (body.len() - first) / pieces_wanted.max(1);
    let mut cuts = vec![first];
    for k in 1..pieces_wanted {
        let target = first + k * step;
        let from = target.max(cuts.last().copied().unwrap_or(first) + 1);
        match find_cut(body, from, &prefixes) {
            Some(c) if c > *cuts.last().unwrap_or(&first) => cuts.push(c),
            _ => break,
        }
    }
    cuts.push(body.len());
    let ranges: Vec<(usize, usize)> = cuts.windows(2).map(|w| (w[0], w[1])).collect();
    debug(&format!("{} pieces on {threads} threads", ranges.len()));

    let cancel = AtomicBool::new(false);
    let next = AtomicUsize::new(0);
    let counters = Counters::default();
    counters.bytes.store(first as u64, Ordering::Relaxed);
    let mut merger = TreeMerger::new(0);
    let head_ms = head.multistatus.as_ref()?;
    let mut head_tree = TreeBuilder::new(request_url, head_ms.responses.len());
    add_to_tree(&mut head_tree, head_ms, body, 0);
    merger.absorb(head_tree.finish_piece());
    let responses = head_ms.responses.len() as u32;
    let outcome = std::thread::scope(|scope| {
        let (tx, rx) = mpsc::channel::<(usize, Piece)>();
        for w in 0..threads {
            let tx = tx.clone();
            let (ranges, state, cancel, next, counters) =
                (&ranges, &state, &cancel, &next, &counters);
            let spawned = std::thread::Builder::new()
                .name(format!("parse {w}"))
                .spawn_scoped(scope, move || {
                    loop {
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        let Some(&(start, end)) = ranges.get(i) else {
                            break;
                        };
                        if cancel.load(Ordering::Relaxed) {
                            break;
                        }
                        let piece =
                            parse_piece(body, state, (start, end), cancel, counters, request_url);
                        if tx.send((i, piece)).is_err() {
                            break;
                        }
                    }
                });
            if spawned.is_err() {
                cancel.store(true, Ordering::Relaxed);
            }
        }
        drop(tx);
        // Merge in document order as pieces arrive; the tree grows meanwhile.
        let mut waiting: Vec<Option<Piece>> = (0..ranges.len()).map(|_| None).collect();
        let mut merged = 0;
        let head_responses = u64::from(responses);
        loop {
            let (i, piece) = match rx.recv_timeout(std::time::Duration::from_millis(100)) {
                Ok(got) => got,
                Err(mpsc::RecvTimeoutError::Timeout) => {
                    // Between pieces, report what the workers have read.
                    let read = counters.bytes.load(Ordering::Relaxed);
                    let found = head_responses + counters.responses.load(Ordering::Relaxed);
                    if let Some(cb) = progress.as_mut()
                        && !cb(read, found)
                    {
                        cancel.store(true, Ordering::Relaxed);
                        return Err(true);
                    }
                    continue;
                }
                Err(mpsc::RecvTimeoutError::Disconnected) => break,
            };
            if let Some(slot) = waiting.get_mut(i) {
                *slot = Some(piece);
            }
            while merged < ranges.len() {
                let Some(piece) = waiting[merged].take() else {
                    break;
                };
                if !piece.proven || piece.parsed.cancelled {
                    cancel.store(true, Ordering::Relaxed);
                    return Err(piece.parsed.cancelled);
                }
                if merged == 0 {
                    // Room for all, estimated from the first piece: no regrowth.
                    let (s, e) = ranges[0];
                    let n = piece.tree.response_node.len() as f64;
                    let estimate = n * (body.len() as f64 / (e - s).max(1) as f64) * 1.1;
                    let estimate = estimate.min(body.len() as f64 / 16.0) as usize;
                    merger.reserve(estimate);
                    if let Some(ms) = head.multistatus.as_mut() {
                        ms.responses.reserve(estimate);
                    }
                }
                merger.absorb(piece.tree);
                merge(&mut head, piece.parsed);
                merged += 1;
                if let Some(cb) = progress.as_mut()
                    && !cb(
                        counters
                            .bytes
                            .load(Ordering::Relaxed)
                            .max(ranges[merged - 1].1 as u64),
                        head_responses + counters.responses.load(Ordering::Relaxed),
                    )
                {
                    cancel.store(true, Ordering::Relaxed);
                    return Err(true);
                }
            }
        }
        if merged == ranges.len() {
            Ok(())
        } else {
            Err(false)
        }
    });
    match outcome {
        Ok(()) => {
            if let Some(ms) = head.multistatus.as_mut() {
                crate::core::model::trim_slack(&mut ms.responses);
                crate::core::model::trim_slack(&mut ms.propstats);
                crate::core::model::trim_slack(&mut ms.conditions);
            }
            Some((head, merger.finish(), ranges.len() + 1))
        }
        Err(true) => {
            head.cancelled = true;
            Some((head, PathTree::default(), 0))
        }
        Err(false) => {
            debug("a piece did not end at a boundary: falling back to the sequential parse");
            None
        }
    }
}
