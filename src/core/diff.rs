//! Before/after comparison of two documents by resource (SEMANTICS.md "Change
//! kinds in a diff").
//!
//! Resources are matched by normalised path (every href of a response names one),
//! never by position or prefix. Each path gets one change kind. Properties are
//! compared by qualified name, prefix- and order-insensitively; volatile ones are
//! ignored unless asked. Depends on the model, `href` and `text`; never on the UI.

use std::collections::HashMap;

use crate::core::document::Document;
use crate::core::filter::{self, FilterQuery};
use crate::core::href;
use crate::core::model::{Multistatus, Outcome, Response, ResponseFlags, ValueKind};
use crate::core::text::decode_text;

/// The change of one path.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ChangeKind {
    Fixed,
    Regressed,
    StillFailing,
    StatusChanged,
    PropsChanged,
    Added,
    Removed,
    Unchanged,
}

impl ChangeKind {
    pub const ALL: [ChangeKind; 8] = [
        ChangeKind::Fixed,
        ChangeKind::Regressed,
        ChangeKind::StillFailing,
        ChangeKind::StatusChanged,
        ChangeKind::PropsChanged,
        ChangeKind::Added,
        ChangeKind::Removed,
        ChangeKind::Unchanged,
    ];

    pub fn as_str(&self) -> &'static str {
        match self {
            ChangeKind::Fixed => "fixed",
            ChangeKind::Regressed => "regressed",
            ChangeKind::StillFailing => "still_failing",
            ChangeKind::StatusChanged => "status_changed",
            ChangeKind::PropsChanged => "props_changed",
            ChangeKind::Added => "added",
            ChangeKind::Removed => "removed",
            ChangeKind::Unchanged => "unchanged",
        }
    }

    pub fn parse(s: &str) -> Option<ChangeKind> {
        let s = s.trim().replace('-', "_");
        ChangeKind::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// Local names of properties whose values change on every request or write.
pub const VOLATILE: [&str; 7] = [
    "getetag",
    "getlastmodified",
    "creationdate",
    "lockdiscovery",
    "getctag",
    "sync-token",
    "etag",
];

/// Options for [`diff`].
#[derive(Clone, Copy, Debug, Default)]
pub struct DiffOptions {
    /// Compare volatile properties too.
    pub all_props: bool,
}

/// One property whose value or propstat status differs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PropChange {
    /// Clark name.
    pub name: String,
    pub before: Option<String>,
    pub after: Option<String>,
    /// Status code of the propstat holding it, per side.
    pub before_status: Option<u16>,
    pub after_status: Option<u16>,
}

/// One path and its change.
#[derive(Clone, Debug)]
pub struct DiffEntry {
    /// Decoded path (from the side that has it, `after` first).
    pub path: String,
    pub change: ChangeKind,
    /// Response index in the before / after document.
    pub before: Option<usize>,
    pub after: Option<usize>,
    pub props: Vec<PropChange>,
}

/// The comparison of two documents.
#[derive(Clone, Debug, Default)]
pub struct Diff {
    /// Sorted by path.
    pub entries: Vec<DiffEntry>,
    /// Counts per kind, in [`ChangeKind::ALL`] order.
    pub counts: [usize; 8],
    pub before_is_multistatus: bool,
    pub after_is_multistatus: bool,
}

impl Diff {
    pub fn count(&self, kind: ChangeKind) -> usize {
        self.counts[kind as usize]
    }
}

struct Side<'d> {
    doc: &'d Document,
    ms: Option<&'d Multistatus>,
    /// (response index, decoded path) per distinct path, in document order.
    paths: Vec<(usize, String)>,
    /// Match key hash -> index in `paths`; keys whose hash collides go to `collided`.
    index: HashMap<u64, u32, crate::core::text::Prehashed>,
    collided: HashMap<String, u32>,
    /// The [`key_hash`] of each of `paths`.
    hashes: Vec<u64>,
}

fn key_hash(key: &str) -> u64 {
    crate::core::text::hash_bytes(0, key.as_bytes())
}

impl Side<'_> {
    /// The `paths` index of a match key whose [`key_hash`] is `hash`.
    fn find(&self, key: &str, hash: u64) -> Option<usize> {
        match self.index.get(&hash) {
            Some(&i) if href::path_key(&self.paths[i as usize].1) == key => Some(i as usize),
            Some(_) => self.collided.get(key).map(|&i| i as usize),
            None => None,
        }
    }
}

fn side(doc: &Document) -> Side<'_> {
    let ms = doc.multistatus.as_ref();
    let base = doc.info.request.as_ref().map(|r| r.url.as_str());
    let mut s = Side {
        doc,
        ms,
        paths: Vec::with_capacity(doc.responses().len()),
        index: HashMap::with_capacity_and_hasher(doc.responses().len(), Default::default()),
        collided: HashMap::new(),
        hashes: Vec::with_capacity(doc.responses().len()),
    };
    let Some(ms) = ms else { return s };
    let body = doc.body.bytes();
    // Consecutive hrefs share long prefixes: only what differs is decoded again.
    let mut norm = href::Normalizer::default();
    for (i, r) in ms.responses.iter().enumerate() {
        let more;
        let hrefs: &[crate::core::model::RelSpan] = if r.flags.has(ResponseFlags::NO_HREF) {
            &[]
        } else if r.flags.has(ResponseFlags::MORE_HREFS) {
            more = doc.detail(i).map(|d| d.hrefs).unwrap_or_default();
            &more
        } else {
            std::slice::from_ref(&r.href)
        };
        for h in hrefs {
            let span = ms.relative(r, *h);
            let raw = body
                .get(span.start as usize..span.end as usize)
                .unwrap_or(&[]);
            let raw = crate::core::tree::href_text(raw);
            let path = norm.path_for(&raw, base);
            let key = href::path_key(&path);
            // One probe: a new path is indexed, a path seen before is skipped
            // (the first response of a path speaks for it).
            let at = s.paths.len() as u32;
            let hash = key_hash(key);
            match s.index.entry(hash) {
                std::collections::hash_map::Entry::Vacant(v) => {
                    v.insert(at);
                }
                std::collections::hash_map::Entry::Occupied(o) => {
                    let first = &s.paths[*o.get() as usize].1;
                    if href::path_key(first) == key || s.collided.contains_key(key) {
                        continue;
                    }
                    s.collided.insert(key.to_string(), at);
                }
            }
            s.paths.push((i, path));
            s.hashes.push(hash);
        }
    }
    s
}

/// Do two responses carry the same codes (order-insensitive)?
fn same_codes(bms: &Multistatus, br: &Response, ams: &Multistatus, ar: &Response) -> bool {
    const N: usize = 16;
    let collect = |ms: &Multistatus, r: &Response| -> Option<([Option<u16>; N], usize)> {
        let mut a = [None; N];
        let mut n = 0;
        for c in ms.codes(r) {
            if n == N {
                return None;
            }
            a[n] = c;
            n += 1;
        }
        a[..n].sort_unstable();
        Some((a, n))
    };
    match (collect(bms, br), collect(ams, ar)) {
        (Some((a, n)), Some((b, m))) => a[..n] == b[..m],
        _ => {
            let mut x: Vec<Option<u16>> = bms.codes(br).collect();
            let mut y: Vec<Option<u16>> = ams.codes(ar).collect();
            x.sort_unstable();
            y.sort_unstable();
            x == y
        }
    }
}

/// Property names of both sides on one numbering: the after side's ids, then the
/// before side's names the after side lacks.
struct Names {
    /// Before id -> common id.
    before: Vec<u32>,
    clark: Vec<String>,
    volatile: Vec<bool>,
}

impl Names {
    fn new(before: Option<&Multistatus>, after: Option<&Multistatus>) -> Names {
        let mut clark: Vec<String> = Vec::new();
        let mut volatile: Vec<bool> = Vec::new();
        let mut by_name: HashMap<crate::core::model::QName, u32> = HashMap::new();
        if let Some(ms) = after {
            for (_, q) in ms.names.iter() {
                by_name.insert(q.clone(), clark.len() as u32);
                clark.push(q.clark());
                volatile.push(VOLATILE.contains(&q.local.as_str()));
            }
        }
        let mut map = Vec::new();
        if let Some(ms) = before {
            for (_, q) in ms.names.iter() {
                let id = match by_name.get(q) {
                    Some(&id) => id,
                    None => {
                        let id = clark.len() as u32;
                        by_name.insert(q.clone(), id);
                        clark.push(q.clark());
                        volatile.push(VOLATILE.contains(&q.local.as_str()));
                        id
                    }
                };
                map.push(id);
            }
        }
        Names {
            before: map,
            clark,
            volatile,
        }
    }
}

/// A property as compared: its common name id, its propstat's status, its value.
struct PropView<'a> {
    id: u32,
    status: Option<u16>,
    kind: ValueKind,
    raw: &'a [u8],
}

fn props_of<'a>(
    doc: &'a Document,
    ms: &'a Multistatus,
    index: usize,
    names: &Names,
    before_side: bool,
    all: bool,
) -> Vec<PropView<'a>> {
    let body = doc.body.bytes();
    let mut out = Vec::new();
    let (Some(r), Some(detail)) = (ms.responses.get(index), doc.detail(index)) else {
        return out;
    };
    for ps in &detail.propstats {
        let status = ps.code();
        for p in &ps.props {
            let id = if before_side {
                names.before.get(p.name.0 as usize).copied()
            } else {
                Some(p.name.0)
            };
            let Some(id) = id else { continue };
            if !all && names.volatile.get(id as usize).copied().unwrap_or(false) {
                continue;
            }
            let span = ms.relative(r, p.value);
            out.push(PropView {
                id,
                status,
                kind: p.kind,
                raw: body
                    .get(span.start as usize..span.end as usize)
                    .unwrap_or(&[]),
            });
        }
    }
    out.sort_by(|a, b| a.id.cmp(&b.id).then(a.status.cmp(&b.status)));
    out
}

/// The comparable form of a value: text trimmed with entities resolved; XML with
/// prefixes dropped (local names), whitespace between tags removed, and empty
/// elements written one way.
pub fn canonical_value(kind: ValueKind, raw: &[u8]) -> String {
    let text = String::from_utf8_lossy(raw);
    match kind {
        ValueKind::Empty => String::new(),
        ValueKind::Text => decode_text(&text).trim().to_string(),
        ValueKind::Xml => {
            use quick_xml::events::Event;
            let mut reader = quick_xml::Reader::from_str(&text);
            let mut out = String::new();
            loop {
                match reader.read_event() {
                    Ok(Event::Start(e)) => {
                        let name = e.name();
                        let n = name.as_ref();
                        out.push('<');
                        out.push_str(n.rsplit(':').next().unwrap_or(n));
                        out.push('>');
                    }
                    Ok(Event::Empty(e)) => {
                        // `<a/>` and `<a></a>` are the same element.
                        let name = e.name();
                        let n = name.as_ref();
                        let local = n.rsplit(':').next().unwrap_or(n);
                        out.push_str(&format!("<{local}></{local}>"));
                    }
                    Ok(Event::End(e)) => {
                        let name = e.name();
                        let n = name.as_ref();
                        out.push_str("</");
                        out.push_str(n.rsplit(':').next().unwrap_or(n));
                        out.push('>');
                    }
                    Ok(Event::Text(t)) => out.push_str(t.trim()),
                    Ok(Event::CData(t)) => out.push_str(&t),
                    Ok(Event::GeneralRef(r)) => {
                        out.push('&');
                        out.push_str(&r);
                        out.push(';');
                    }
                    Ok(Event::Eof) => break,
                    Ok(_) => {}
                    Err(_) => {
                        out.push_str(text.trim());
                        break;
                    }
                }
            }
            out
        }
    }
}

fn value_text(p: &PropView<'_>) -> String {
    canonical_value(p.kind, p.raw)
}

fn compare_props(
    before: &[PropView<'_>],
    after: &[PropView<'_>],
    names: &Names,
) -> Vec<PropChange> {
    let name = |id: u32| names.clark.get(id as usize).cloned().unwrap_or_default();
    let mut out = Vec::new();
    let (mut i, mut j) = (0, 0);
    while i < before.len() || j < after.len() {
        let ord = match (before.get(i), after.get(j)) {
            (Some(b), Some(a)) => b.id.cmp(&a.id),
            (Some(_), None) => std::cmp::Ordering::Less,
            _ => std::cmp::Ordering::Greater,
        };
        match ord {
            std::cmp::Ordering::Less => {
                let b = &before[i];
                out.push(PropChange {
                    name: name(b.id),
                    before: Some(value_text(b)),
                    after: None,
                    before_status: b.status,
                    after_status: None,
                });
                i += 1;
            }
            std::cmp::Ordering::Greater => {
                let a = &after[j];
                out.push(PropChange {
                    name: name(a.id),
                    before: None,
                    after: Some(value_text(a)),
                    before_status: None,
                    after_status: a.status,
                });
                j += 1;
            }
            std::cmp::Ordering::Equal => {
                let (b, a) = (&before[i], &after[j]);
                let same =
                    b.status == a.status && (b.raw == a.raw || value_text(b) == value_text(a));
                if !same {
                    out.push(PropChange {
                        name: name(b.id),
                        before: Some(value_text(b)),
                        after: Some(value_text(a)),
                        before_status: b.status,
                        after_status: a.status,
                    });
                }
                i += 1;
                j += 1;
            }
        }
    }
    // Reported by name, whatever the numbering.
    out.sort_by(|x, y| {
        x.name
            .cmp(&y.name)
            .then(x.before_status.cmp(&y.before_status))
    });
    out
}

/// Puts entries in path order (then kind and indices: a total order, so the
/// result is the same however it is computed). Big lists are sorted in two
/// halves on two threads and merged.
fn sort_entries(entries: &mut Vec<DiffEntry>) {
    fn order(x: &DiffEntry, y: &DiffEntry) -> std::cmp::Ordering {
        href::path_key(&x.path)
            .cmp(href::path_key(&y.path))
            .then(x.change.cmp(&y.change))
            .then(x.before.cmp(&y.before))
            .then(x.after.cmp(&y.after))
    }
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    if threads < 2 || entries.len() < 50_000 {
        entries.sort_unstable_by(order);
        return;
    }
    let mid = entries.len() / 2;
    let right_sorted = std::thread::scope(|scope| {
        let (left, right) = entries.split_at_mut(mid);
        let sorter = std::thread::Builder::new()
            .name("diff sort".into())
            .spawn_scoped(scope, move || right.sort_unstable_by(order));
        left.sort_unstable_by(order);
        sorter.is_ok_and(|h| h.join().is_ok())
    });
    // Without the second thread nothing is lost but time.
    if !right_sorted {
        entries[mid..].sort_unstable_by(order);
    }
    let right = entries.split_off(mid);
    let left = std::mem::take(entries);
    let mut merged = Vec::with_capacity(left.len() + right.len());
    let (mut l, mut r) = (left.into_iter().peekable(), right.into_iter().peekable());
    loop {
        let take_left = match (l.peek(), r.peek()) {
            (Some(a), Some(b)) => order(a, b) != std::cmp::Ordering::Greater,
            (Some(_), None) => true,
            (None, Some(_)) => false,
            (None, None) => break,
        };
        let next = if take_left { l.next() } else { r.next() };
        if let Some(e) = next {
            merged.push(e);
        }
    }
    *entries = merged;
}

/// Compares two documents path by path.
pub fn diff(before: &Document, after: &Document, options: DiffOptions) -> Diff {
    // The two sides are indexed at once, and the paths compared in slices on every
    // core: the result does not depend on the thread count.
    let (b, a) = std::thread::scope(|scope| {
        let handle = std::thread::Builder::new()
            .name("diff side".into())
            .spawn_scoped(scope, || side(before));
        let a = side(after);
        let b = match handle.map(|h| h.join()) {
            Ok(Ok(b)) => b,
            _ => side(before),
        };
        (b, a)
    });
    let names = Names::new(b.ms, a.ms);
    let threads = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1)
        .min(16);
    let per = b.paths.len().div_ceil(threads.max(1)).max(1);
    // Each entry's path string is moved afterwards from the side that names it:
    // `Ok(i)` the after side's path `i`, `Err(i)` the before side's.
    type Part = (Vec<DiffEntry>, Vec<Result<usize, usize>>);
    let compare_slice = |offset: usize, slice: &[(usize, String)]| -> Part {
        let mut entries = Vec::with_capacity(slice.len());
        let mut sources = Vec::with_capacity(slice.len());
        for (k, (bi, bpath)) in slice.iter().enumerate() {
            let key = href::path_key(bpath);
            let hash = b
                .hashes
                .get(offset + k)
                .copied()
                .unwrap_or_else(|| key_hash(key));
            let Some(ai_idx) = a.find(key, hash) else {
                entries.push(DiffEntry {
                    path: String::new(),
                    change: ChangeKind::Removed,
                    before: Some(*bi),
                    after: None,
                    props: Vec::new(),
                });
                sources.push(Err(offset + k));
                continue;
            };
            let (ai, _) = &a.paths[ai_idx];
            let (Some(bms), Some(ams)) = (b.ms, a.ms) else {
                continue;
            };
            let br = &bms.responses[*bi];
            let ar = &ams.responses[*ai];
            entries.push(compare_pair(
                (b.doc, bms, br, *bi),
                (a.doc, ams, ar, *ai),
                &names,
                options,
            ));
            sources.push(Ok(ai_idx));
        }
        (entries, sources)
    };
    let parts: Vec<Part> = if threads > 1 && b.paths.len() > 20_000 {
        std::thread::scope(|scope| {
            let handles: Vec<_> = b
                .paths
                .chunks(per)
                .enumerate()
                .map(|(i, chunk)| scope.spawn(move || compare_slice(i * per, chunk)))
                .collect();
            handles
                .into_iter()
                .zip(b.paths.chunks(per).enumerate())
                .map(|(h, (i, chunk))| h.join().unwrap_or_else(|_| compare_slice(i * per, chunk)))
                .collect()
        })
    } else {
        vec![compare_slice(0, &b.paths)]
    };
    let (mut a, mut b) = (a, b);
    let mut entries = Vec::with_capacity(a.paths.len().max(b.paths.len()));
    let mut matched_after = vec![false; a.paths.len()];
    for (part, sources) in parts {
        for (mut entry, source) in part.into_iter().zip(sources) {
            let taken = match source {
                Ok(i) => {
                    matched_after[i] = true;
                    a.paths.get_mut(i)
                }
                Err(i) => b.paths.get_mut(i),
            };
            if let Some((_, path)) = taken {
                entry.path = std::mem::take(path);
            }
            entries.push(entry);
        }
    }
    for ((ai, apath), matched) in a.paths.iter_mut().zip(&matched_after) {
        if !matched {
            entries.push(DiffEntry {
                path: std::mem::take(apath),
                change: ChangeKind::Added,
                before: None,
                after: Some(*ai),
                props: Vec::new(),
            });
        }
    }
    sort_entries(&mut entries);
    let mut counts = [0usize; 8];
    for e in &entries {
        counts[e.change as usize] += 1;
    }
    Diff {
        entries,
        counts,
        before_is_multistatus: b.ms.is_some(),
        after_is_multistatus: a.ms.is_some(),
    }
}

/// The change of one path present on both sides.
fn compare_pair(
    (bdoc, bms, br, bi): (&Document, &Multistatus, &Response, usize),
    (adoc, ams, ar, ai): (&Document, &Multistatus, &Response, usize),
    names: &Names,
    options: DiffOptions,
) -> DiffEntry {
    let (bo, ao) = (bms.outcome(br), ams.outcome(ar));
    let change = if ao > bo {
        ChangeKind::Fixed
    } else if ao < bo {
        ChangeKind::Regressed
    } else if !same_codes(bms, br, ams, ar) {
        ChangeKind::StatusChanged
    } else if bo == Outcome::Failed {
        ChangeKind::StillFailing
    } else {
        ChangeKind::Unchanged
    };
    // The same bytes read with the same namespace bindings hold the same
    // properties: only responses that differ are read again.
    let same_bytes = || {
        let (bs, as_) = (br.span(), ar.span());
        bms.same_context(ams)
            && bdoc.body.bytes().get(bs.start as usize..bs.end as usize)
                == adoc.body.bytes().get(as_.start as usize..as_.end as usize)
    };
    let props = if change == ChangeKind::StillFailing || same_bytes() {
        Vec::new()
    } else {
        compare_props(
            &props_of(bdoc, bms, bi, names, true, options.all_props),
            &props_of(adoc, ams, ai, names, false, options.all_props),
            names,
        )
    };
    let change = if change == ChangeKind::Unchanged && !props.is_empty() {
        ChangeKind::PropsChanged
    } else {
        change
    };
    DiffEntry {
        // Filled in by the caller, which owns the path strings.
        path: String::new(),
        change,
        before: Some(bi),
        after: Some(ai),
        props,
    }
}

/// Which entries pass a query. Each term is evaluated on the side that has the
/// resource (the after side first); `change:` tests the entry's kind.
pub fn filter_entries(
    d: &Diff,
    before: &Document,
    after: &Document,
    query: &FilterQuery,
) -> Vec<bool> {
    let changes = |after_side: bool| {
        let mut map = HashMap::new();
        for e in &d.entries {
            if let Some(i) = if after_side { e.after } else { e.before } {
                map.entry(i).or_insert(e.change.as_str());
            }
        }
        map
    };
    let matched = |doc: &Document, changes: HashMap<usize, &'static str>| {
        doc.multistatus.as_ref().map(|ms| {
            let f = move |i: usize| changes.get(&i).copied();
            filter::apply(query, ms, &doc.tree, Some(&f)).matched
        })
    };
    let ma = matched(after, changes(true));
    let mb = matched(before, changes(false));
    d.entries
        .iter()
        .map(|e| match (e.after, e.before) {
            (Some(i), _) => ma.as_ref().and_then(|m| m.get(i).copied()).unwrap_or(false),
            (None, Some(i)) => mb.as_ref().and_then(|m| m.get(i).copied()).unwrap_or(false),
            _ => false,
        })
        .collect()
}

/// One row of the before/after property table.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PropRow {
    pub name: String,
    pub before: Option<String>,
    pub after: Option<String>,
    pub before_status: Option<u16>,
    pub after_status: Option<u16>,
    pub changed: bool,
    pub volatile: bool,
}

/// Every property of an entry on both sides, changed ones marked.
pub fn prop_table(before: &Document, after: &Document, e: &DiffEntry) -> Vec<PropRow> {
    let ids = Names::new(before.multistatus.as_ref(), after.multistatus.as_ref());
    let view = |doc: &Document,
                idx: Option<usize>,
                before_side: bool|
     -> Vec<(String, Option<u16>, String)> {
        let (Some(ms), Some(i)) = (doc.multistatus.as_ref(), idx) else {
            return Vec::new();
        };
        props_of(doc, ms, i, &ids, before_side, true)
            .into_iter()
            .map(|p| {
                let v = value_text(&p);
                (
                    ids.clark.get(p.id as usize).cloned().unwrap_or_default(),
                    p.status,
                    v,
                )
            })
            .collect()
    };
    let b = view(before, e.before, true);
    let a = view(after, e.after, false);
    let mut names: Vec<&String> = b.iter().chain(a.iter()).map(|p| &p.0).collect();
    names.sort();
    names.dedup();
    names
        .into_iter()
        .map(|name| {
            let pb = b.iter().find(|p| &p.0 == name);
            let pa = a.iter().find(|p| &p.0 == name);
            let local = name.rsplit('}').next().unwrap_or(name);
            PropRow {
                name: name.clone(),
                before: pb.map(|p| p.2.clone()),
                after: pa.map(|p| p.2.clone()),
                before_status: pb.and_then(|p| p.1),
                after_status: pa.and_then(|p| p.1),
                changed: pb.map(|p| (&p.1, &p.2)) != pa.map(|p| (&p.1, &p.2)),
                volatile: VOLATILE.contains(&local),
            }
        })
        .collect()
}

/// A Markdown summary of a comparison, for tickets and chat.
pub fn markdown(d: &Diff, before: &Document, after: &Document) -> String {
    let mut s = format!(
        "### davscope diff: `{}` → `{}`\n\n| change | paths |\n|---|---|\n",
        before.info.label, after.info.label
    );
    for k in ChangeKind::ALL {
        s.push_str(&format!("| {} | {} |\n", k.as_str(), d.count(k)));
    }
    let notable: Vec<&DiffEntry> = d
        .entries
        .iter()
        .filter(|e| e.change != ChangeKind::Unchanged)
        .collect();
    if !notable.is_empty() {
        s.push_str("\n| path | change | before | after |\n|---|---|---|---|\n");
        for e in notable.iter().take(200) {
            s.push_str(&format!(
                "| `{}` | {} | {} | {} |\n",
                e.path.replace('|', "\\|"),
                e.change.as_str(),
                side_codes(before, e.before),
                side_codes(after, e.after)
            ));
        }
        if notable.len() > 200 {
            s.push_str(&format!("\n… and {} more\n", notable.len() - 200));
        }
    }
    s
}

/// The codes of one side of an entry: `403`, `200+404`, `-` when absent.
pub fn side_codes(doc: &Document, index: Option<usize>) -> String {
    let (Some(ms), Some(i)) = (doc.multistatus.as_ref(), index) else {
        return "-".into();
    };
    let Some(r) = ms.responses.get(i) else {
        return "-".into();
    };
    let parts: Vec<String> = ms
        .codes(r)
        .map(|c| c.map(|c| c.to_string()).unwrap_or_else(|| "?".into()))
        .collect();
    if parts.is_empty() {
        "none".into()
    } else {
        parts.join("+")
    }
}

/// A node of the diff tree: a path segment, rolled-up change counts below it.
#[derive(Clone, Debug)]
pub struct DiffNode {
    pub parent: u32,
    pub children: Vec<u32>,
    pub name: String,
    pub depth: u32,
    /// The entry this node shows (none for a folder only implied by paths).
    pub entry: Option<u32>,
    /// Entries at or below, per kind in [`ChangeKind::ALL`] order.
    pub counts: [u32; 8],
    pub folder: bool,
}

impl DiffNode {
    /// The most telling change at or below: regressions first.
    pub fn headline(&self) -> Option<ChangeKind> {
        const ORDER: [ChangeKind; 8] = [
            ChangeKind::Regressed,
            ChangeKind::StatusChanged,
            ChangeKind::StillFailing,
            ChangeKind::Removed,
            ChangeKind::Fixed,
            ChangeKind::Added,
            ChangeKind::PropsChanged,
            ChangeKind::Unchanged,
        ];
        ORDER.into_iter().find(|k| self.counts[*k as usize] > 0)
    }
}

/// The paths of a diff as a folder tree.
#[derive(Clone, Debug, Default)]
pub struct DiffTree {
    pub nodes: Vec<DiffNode>,
}

impl DiffTree {
    pub fn build(d: &Diff) -> DiffTree {
        let mut nodes = vec![DiffNode {
            parent: u32::MAX,
            children: Vec::new(),
            name: "/".into(),
            depth: 0,
            entry: None,
            counts: [0; 8],
            folder: true,
        }];
        let mut index: HashMap<(u32, String), u32> = HashMap::new();
        for (ei, e) in d.entries.iter().enumerate() {
            let key = href::path_key(&e.path);
            let segs: Vec<&str> = key.split('/').filter(|s| !s.is_empty()).collect();
            let mut node = 0u32;
            for (i, seg) in segs.iter().enumerate() {
                let k = (node, (*seg).to_string());
                node = match index.get(&k) {
                    Some(&c) => c,
                    None => {
                        let id = nodes.len() as u32;
                        let depth = nodes[node as usize].depth + 1;
                        nodes.push(DiffNode {
                            parent: node,
                            children: Vec::new(),
                            name: (*seg).to_string(),
                            depth,
                            entry: None,
                            counts: [0; 8],
                            folder: false,
                        });
                        nodes[node as usize].children.push(id);
                        index.insert(k, id);
                        id
                    }
                };
                if i + 1 < segs.len() {
                    nodes[node as usize].folder = true;
                }
            }
            let n = &mut nodes[node as usize];
            if n.entry.is_none() {
                n.entry = Some(ei as u32);
            }
            n.folder |= e.path.ends_with('/') && e.path.len() > 1;
            n.counts[e.change as usize] += 1;
        }
        for id in (1..nodes.len()).rev() {
            let (counts, parent) = (nodes[id].counts, nodes[id].parent);
            for (t, c) in nodes[parent as usize].counts.iter_mut().zip(counts) {
                *t += c;
            }
        }
        // Folders first, then names.
        let keys: Vec<(bool, String)> = nodes
            .iter()
            .map(|n| (!n.folder && n.children.is_empty(), n.name.to_lowercase()))
            .collect();
        for n in &mut nodes {
            n.children
                .sort_by(|a, b| keys[*a as usize].cmp(&keys[*b as usize]));
        }
        DiffTree { nodes }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::document::{Bytes, LoadOptions, load_bytes};
    use std::sync::Arc;

    fn doc(body: &str) -> Document {
        load_bytes(
            "t",
            Arc::new(Bytes::Owned(body.as_bytes().to_vec())),
            LoadOptions::default(),
        )
        .expect("load")
        .remove(0)
    }

    fn ms(prefix: &str, responses: &[(&str, &str)]) -> String {
        let p = if prefix.is_empty() {
            String::new()
        } else {
            format!("{prefix}:")
        };
        let decl = if prefix.is_empty() {
            "xmlns=\"DAV:\"".to_string()
        } else {
            format!("xmlns:{prefix}=\"DAV:\"")
        };
        let mut s = format!("<{p}multistatus {decl}>");
        for (href, inner) in responses {
            s.push_str(&format!(
                "<{p}response><{p}href>{href}</{p}href>{}</{p}response>",
                inner.replace("P:", &p)
            ));
        }
        s.push_str(&format!("</{p}multistatus>"));
        s
    }

    const OK: &str = "<P:propstat><P:prop><P:displayname>x</P:displayname><P:getetag>1</P:getetag><P:resourcetype><P:collection/></P:resourcetype></P:prop><P:status>HTTP/1.1 200 OK</P:status></P:propstat>";

    #[test]
    fn every_kind() {
        let before = doc(&ms(
            "D",
            &[
                ("/a", "<P:status>HTTP/1.1 403 x</P:status>"),
                ("/b", OK),
                ("/c", "<P:status>HTTP/1.1 404 x</P:status>"),
                ("/d", "<P:status>HTTP/1.1 403 x</P:status>"),
                ("/e", OK),
                ("/f", OK),
                ("/gone", OK),
            ],
        ));
        let e_after = OK.replace(">x<", ">y<");
        let f_after = OK.replace(">1<", ">2<");
        let after = doc(&ms(
            "d",
            &[
                ("/new", OK),
                ("/f", &f_after),
                ("/e", &e_after),
                ("/d", "<P:status>HTTP/1.1 423 x</P:status>"),
                ("/c", "<P:status>HTTP/1.1 404 x</P:status>"),
                ("/b", "<P:status>HTTP/1.1 500 x</P:status>"),
                ("/a", OK),
            ],
        ));
        let d = diff(&before, &after, DiffOptions::default());
        let kind = |p: &str| d.entries.iter().find(|e| e.path == p).map(|e| e.change);
        assert_eq!(kind("/a"), Some(ChangeKind::Fixed));
        assert_eq!(kind("/b"), Some(ChangeKind::Regressed));
        assert_eq!(kind("/c"), Some(ChangeKind::StillFailing));
        assert_eq!(kind("/d"), Some(ChangeKind::StatusChanged));
        assert_eq!(kind("/e"), Some(ChangeKind::PropsChanged));
        assert_eq!(
            kind("/f"),
            Some(ChangeKind::Unchanged),
            "getetag is volatile"
        );
        assert_eq!(kind("/gone"), Some(ChangeKind::Removed));
        assert_eq!(kind("/new"), Some(ChangeKind::Added));
        let e = d.entries.iter().find(|e| e.path == "/e").expect("e");
        assert_eq!(e.props.len(), 1);
        assert_eq!(e.props[0].name, "{DAV:}displayname");
        assert_eq!(
            (e.props[0].before.as_deref(), e.props[0].after.as_deref()),
            (Some("x"), Some("y"))
        );
        let all = diff(&before, &after, DiffOptions { all_props: true });
        assert_eq!(
            all.entries
                .iter()
                .find(|e| e.path == "/f")
                .map(|e| e.change),
            Some(ChangeKind::PropsChanged)
        );
    }

    #[test]
    fn spelling_prefix_and_order_never_count() {
        let before = doc(&ms(
            "D",
            &[("http://h.example/dav/caf%C3%A9/", OK), ("/dav/x%20y", OK)],
        ));
        let after = doc(&ms(
            "",
            &[
                (
                    "/dav/x y",
                    &OK.replace("<P:collection/>", "<P:collection></P:collection>"),
                ),
                ("/dav/caf%c3%a9", OK),
            ],
        ));
        let d = diff(&before, &after, DiffOptions::default());
        assert_eq!(d.count(ChangeKind::Unchanged), 2, "{:?}", d.entries);
        assert_eq!(d.entries.len(), 2);
    }

    #[test]
    fn a_prop_moving_between_propstats_is_a_change() {
        let before = doc(&ms(
            "D",
            &[(
                "/a",
                "<P:propstat><P:prop><P:x/></P:prop><P:status>HTTP/1.1 200 OK</P:status></P:propstat><P:propstat><P:prop><P:y/></P:prop><P:status>HTTP/1.1 404 x</P:status></P:propstat>",
            )],
        ));
        let after = doc(&ms(
            "D",
            &[(
                "/a",
                "<P:propstat><P:prop><P:y/></P:prop><P:status>HTTP/1.1 200 OK</P:status></P:propstat><P:propstat><P:prop><P:x/></P:prop><P:status>HTTP/1.1 404 x</P:status></P:propstat>",
            )],
        ));
        let d = diff(&before, &after, DiffOptions::default());
        assert_eq!(d.entries[0].change, ChangeKind::PropsChanged);
        assert_eq!(d.entries[0].props.len(), 2);
    }

    #[test]
    fn against_itself_only_unchanged_and_still_failing() {
        let body = include_str!("../../samples/mixed-failures.xml");
        let a = doc(body);
        let b = doc(body);
        let d = diff(&a, &b, DiffOptions { all_props: true });
        assert_eq!(
            d.count(ChangeKind::Unchanged) + d.count(ChangeKind::StillFailing),
            d.entries.len()
        );
        assert_eq!(d.count(ChangeKind::StillFailing), 11);
    }

    #[test]
    fn tree_table_and_markdown() {
        let before = doc(&ms(
            "D",
            &[
                ("/x/a", "<P:status>HTTP/1.1 403 x</P:status>"),
                ("/x/b", OK),
            ],
        ));
        let after = doc(&ms(
            "D",
            &[("/x/a", OK), ("/x/b", &OK.replace(">x<", ">z<"))],
        ));
        let d = diff(&before, &after, DiffOptions::default());
        let t = DiffTree::build(&d);
        let x = t.nodes[0].children[0];
        assert_eq!(t.nodes[x as usize].name, "x");
        assert_eq!(t.nodes[x as usize].counts[ChangeKind::Fixed as usize], 1);
        assert_eq!(t.nodes[x as usize].headline(), Some(ChangeKind::Fixed));
        let b = d.entries.iter().find(|e| e.path == "/x/b").expect("b");
        let rows = prop_table(&before, &after, b);
        let name = rows
            .iter()
            .find(|r| r.name == "{DAV:}displayname")
            .expect("displayname");
        assert!(name.changed);
        assert!(rows.iter().any(|r| r.volatile && !r.changed));
        let md = markdown(&d, &before, &after);
        assert!(
            md.contains("| fixed | 1 |") && md.contains("| `/x/a` | fixed | 403 | 200 |"),
            "{md}"
        );
        let q = FilterQuery::parse("change:fixed").expect("q");
        assert_eq!(filter_entries(&d, &before, &after, &q), vec![true, false]);
    }

    #[test]
    fn a_non_multistatus_side_lists_nothing() {
        let page = doc("<html><body>403</body></html>");
        let after = doc(&ms("D", &[("/a", OK), ("/b", OK)]));
        let d = diff(&page, &after, DiffOptions::default());
        assert!(!d.before_is_multistatus && d.after_is_multistatus);
        assert_eq!(d.count(ChangeKind::Added), 2);
    }

    #[test]
    fn several_hrefs_in_one_response_are_several_paths() {
        let before = doc(&ms(
            "D",
            &[(
                "/a</D:href><D:href>/b",
                "<P:status>HTTP/1.1 404 x</P:status>",
            )],
        ));
        let after = doc(&ms(
            "D",
            &[("/a", OK), ("/b", "<P:status>HTTP/1.1 404 x</P:status>")],
        ));
        let d = diff(&before, &after, DiffOptions::default());
        let kinds: Vec<_> = d
            .entries
            .iter()
            .map(|e| (e.path.as_str(), e.change))
            .collect();
        assert_eq!(
            kinds,
            [("/a", ChangeKind::Fixed), ("/b", ChangeKind::StillFailing)]
        );
    }
}
