//! A loaded document: the input bytes (byte-exact), the decoded body, the parsed
//! multistatus, its problems with positions, and its path tree.
//!
//! Owns loading (mmap, sniffing, parsing) and the "not a multistatus" verdict.
//! Synchronous; the GUI calls it from a background task.

use std::borrow::Cow;
use std::path::Path;
use std::sync::Arc;

use crate::core::model::{
    Multistatus, Problem, RelSpan, Response, ResponseDetail, ResponseFlags, Severity, Span,
};
use crate::core::parse::input::{self, BodySource, Format, RequestContext, Unwrapped};
use crate::core::parse::xml::{self, ProgressFn};
use crate::core::text::{LineIndex, decode_text, excerpt};
use crate::core::tree::PathTree;

/// The input's bytes: memory-mapped or owned.
pub enum Bytes {
    Mapped(memmap2::Mmap),
    Owned(Vec<u8>),
}

impl std::ops::Deref for Bytes {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        match self {
            Bytes::Mapped(m) => m,
            Bytes::Owned(v) => v,
        }
    }
}

impl std::fmt::Debug for Bytes {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Bytes({} bytes)", self.len())
    }
}

/// Why an input could not be used at all.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error("cannot read {path}: {source}")]
    Io {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("cancelled")]
    Cancelled,
}

/// The body a document was parsed from.
#[derive(Clone, Debug)]
pub struct Body {
    bytes: Arc<Bytes>,
    decoded: Option<Arc<Vec<u8>>>,
    range: std::ops::Range<usize>,
}

impl Body {
    pub fn bytes(&self) -> &[u8] {
        match &self.decoded {
            Some(d) => d,
            None => self.bytes.get(self.range.clone()).unwrap_or(&[]),
        }
    }
}

/// What was read, for reports.
#[derive(Clone, Debug)]
pub struct InputInfo {
    /// The file name, plus `#N` for a HAR entry.
    pub label: String,
    pub format: Format,
    /// The input was a gzip file.
    pub gzip: bool,
    pub http_status: Option<u16>,
    pub http_reason: Option<String>,
    pub headers: Vec<(String, String)>,
    pub request: Option<RequestContext>,
    /// Size of the input file in bytes.
    pub bytes: u64,
    /// Set when the body was transcoded to UTF-8 (offsets then refer to the UTF-8 text).
    pub transcoded_from: Option<&'static str>,
    /// Where the body starts in the input when it is a verbatim slice of it.
    pub body_offset: Option<u64>,
    /// Pieces the body was parsed in on several threads (0: sequentially).
    pub pieces: usize,
}

impl InputInfo {
    pub fn header(&self, name: &str) -> Option<&str> {
        input::header(&self.headers, name)
    }
}

/// One document: a reply and what davscope made of it.
#[derive(Debug)]
pub struct Document {
    pub info: InputInfo,
    /// The input file's bytes, byte-exact.
    pub original: Arc<Bytes>,
    pub body: Body,
    pub multistatus: Option<Multistatus>,
    /// Clark name of the body's root element.
    pub root: Option<String>,
    /// Set when the body is not a multistatus: what it is instead.
    pub not_multistatus: Option<String>,
    /// Sorted by offset, positions resolved.
    pub problems: Vec<Problem>,
    pub tree: PathTree,
}

/// Options for [`load_path`] and [`load_bytes`].
#[derive(Default)]
pub struct LoadOptions<'a> {
    /// Called with (bytes read, responses found); return `false` to cancel.
    pub progress: Option<ProgressFn<'a>>,
    /// Threads for the parse: `None` uses every core, `Some(1)` is the sequential
    /// load. The result is the same either way.
    pub threads: Option<usize>,
}

/// Reads and parses a file. Several documents come back for a HAR file with several
/// multistatus entries.
pub fn load_path(path: &Path, options: LoadOptions<'_>) -> Result<Vec<Document>, LoadError> {
    let io = |source| LoadError::Io {
        path: path.display().to_string(),
        source,
    };
    let file = std::fs::File::open(path).map_err(io)?;
    let len = file.metadata().map_err(io)?.len();
    let bytes = if len == 0 {
        Bytes::Owned(Vec::new())
    } else {
        // SAFETY: the map is read-only; if another process truncates the file while it
        // is mapped, reads may fault — the same risk every mmap-based viewer takes, and
        // the price of opening 750 MB payloads without copying them.
        #[allow(unsafe_code)]
        let mapped = unsafe { memmap2::Mmap::map(&file) };
        match mapped {
            Ok(m) => Bytes::Mapped(m),
            Err(_) => Bytes::Owned(std::fs::read(path).map_err(io)?),
        }
    };
    let label = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.display().to_string());
    load_bytes(&label, Arc::new(bytes), options)
}

/// Parses bytes already in memory (a pasted payload, a fetched reply).
pub fn load_bytes(
    label: &str,
    original: Arc<Bytes>,
    mut options: LoadOptions<'_>,
) -> Result<Vec<Document>, LoadError> {
    let total = original.len() as u64;
    let (unwrap_source, gzip): (Arc<Bytes>, bool) = if original.starts_with(&[0x1f, 0x8b]) {
        match input::gunzip(&original) {
            Ok(v) => (Arc::new(Bytes::Owned(v)), true),
            Err(_) => (original.clone(), false),
        }
    } else {
        (original.clone(), false)
    };
    let mut docs = Vec::new();
    let parts = input::unwrap_input(&unwrap_source);
    let several = parts.len() > 1;
    for part in parts {
        let doc = build(
            label,
            &original,
            &unwrap_source,
            gzip,
            total,
            part,
            several,
            &mut options,
        )?;
        docs.push(doc);
    }
    Ok(docs)
}

#[allow(clippy::too_many_arguments)]
fn build(
    label: &str,
    original: &Arc<Bytes>,
    source: &Arc<Bytes>,
    gzip: bool,
    total: u64,
    part: Unwrapped,
    several: bool,
    options: &mut LoadOptions<'_>,
) -> Result<Document, LoadError> {
    let (mut body, body_offset) = match part.body {
        BodySource::Range(r) => {
            let offset = (!gzip).then_some(r.start as u64);
            (
                Body {
                    bytes: source.clone(),
                    decoded: None,
                    range: r,
                },
                offset,
            )
        }
        BodySource::Decoded(v) => (
            Body {
                bytes: source.clone(),
                decoded: Some(Arc::new(v)),
                range: 0..0,
            },
            None,
        ),
    };
    let mut transcoded_from = None;
    if let Some((utf8, from)) = input::transcode(body.bytes()) {
        body.decoded = Some(Arc::new(utf8));
        transcoded_from = Some(from);
    }
    let label = match (several, part.part) {
        (true, Some(n)) | (false, Some(n)) if part.format == Format::Har => format!("{label}#{n}"),
        _ => label.to_string(),
    };
    let info = InputInfo {
        label,
        format: part.format,
        gzip,
        http_status: part.http_status,
        http_reason: part.http_reason,
        headers: part.headers,
        request: part.request,
        bytes: total,
        transcoded_from,
        body_offset: body_offset.filter(|_| transcoded_from.is_none()),
        pieces: 0,
    };
    let mut info = info;
    let bytes = body.bytes();
    let verdict = sniff_non_xml(bytes);
    let mut built_tree = PathTree::default();
    let (parsed, not_ms) = match verdict {
        Some(what) => (xml::ParsedBody::default(), Some(what)),
        None => {
            let progress: Option<&mut dyn FnMut(u64, u64) -> bool> = match options.progress.as_mut()
            {
                Some(p) => Some(&mut **p),
                None => None,
            };
            let request_url = info.request.as_ref().map(|r| r.url.as_str());
            // Asked for explicitly, threads are used whatever the size; by default
            // only bodies big enough to gain from them.
            let (threads, min_bytes) = match options.threads {
                Some(n) => (n, 0),
                None => (
                    std::thread::available_parallelism()
                        .map(|n| n.get())
                        .unwrap_or(1),
                    crate::core::parse::parallel::MIN_PARALLEL_BYTES,
                ),
            };
            let (parsed, tree, pieces) =
                parse_and_index(bytes, progress, request_url, threads, min_bytes);
            info.pieces = pieces;
            if parsed.cancelled {
                return Err(LoadError::Cancelled);
            }
            built_tree = tree;
            let not_ms = if parsed.multistatus.is_none() {
                Some(describe_non_multistatus(bytes, parsed.root.as_deref()))
            } else {
                None
            };
            (parsed, not_ms)
        }
    };
    let mut problems = part.problems;
    if not_ms.is_none() {
        problems.extend(parsed.problems);
    }
    problems.sort_by_key(|p| p.offset);
    let limit = problems.iter().map(|p| p.offset).max().unwrap_or(0) as usize + 1;
    let index = LineIndex::new(bytes, limit);
    for p in &mut problems {
        let (line, column) = index.position(p.offset);
        p.line = line;
        p.column = column;
    }
    let tree = if parsed.multistatus.is_some() {
        built_tree
    } else {
        PathTree::default()
    };
    Ok(Document {
        info,
        original: original.clone(),
        body,
        multistatus: parsed.multistatus,
        root: parsed.root,
        not_multistatus: not_ms,
        problems,
        tree,
    })
}

/// Responses handed from the parser to the tree builder per message.
const BATCH: usize = 4096;

/// Parses a body and builds its path tree at the same time: the parser hands each
/// complete response to a second thread that builds the tree, so the tree costs
/// (almost) no wall time on two or more cores. The result equals parsing first and
/// calling `PathTree::build` (tested).
fn parse_and_index(
    bytes: &[u8],
    mut progress: Option<&mut dyn FnMut(u64, u64) -> bool>,
    request_url: Option<&str>,
    threads: usize,
    min_bytes: usize,
) -> (xml::ParsedBody, PathTree, usize) {
    if let Some(done) = crate::core::parse::parallel::parse_and_index(
        bytes,
        threads,
        min_bytes,
        &mut progress,
        request_url,
    ) {
        return done;
    }
    type Batch = Vec<(u32, Option<Span>, crate::core::tree::ResponseInfo)>;
    std::thread::scope(|scope| {
        let (tx, rx) = std::sync::mpsc::sync_channel::<Batch>(8);
        let builder = std::thread::Builder::new()
            .name("tree".into())
            .spawn_scoped(scope, move || {
                let mut b = crate::core::tree::TreeBuilder::new(request_url, 0);
                for batch in rx {
                    for (ri, href, info) in batch {
                        let raw = href
                            .and_then(|h| bytes.get(h.start as usize..h.end as usize))
                            .unwrap_or(&[]);
                        b.add(ri, &crate::core::tree::href_text(raw), &info);
                    }
                }
                b.finish()
            });
        let mut batch: Batch = Vec::with_capacity(BATCH);
        let mut sink = |ri: u32, href: Option<Span>, info: crate::core::tree::ResponseInfo| {
            batch.push((ri, href, info));
            if batch.len() == BATCH {
                // The builder only stops early if it panicked; join reports that.
                let _ = tx.send(std::mem::replace(&mut batch, Vec::with_capacity(BATCH)));
            }
        };
        let parsed = xml::parse_body_with(bytes, progress, Some(&mut sink));
        let _ = tx.send(batch);
        drop(tx);
        let tree = match builder {
            Ok(handle) => handle.join().ok(),
            Err(_) => None,
        };
        // Without a second thread (or if it failed), build the tree here.
        let tree = tree.unwrap_or_else(|| match &parsed.multistatus {
            Some(ms) => PathTree::build(ms, bytes, request_url),
            None => PathTree::default(),
        });
        (parsed, tree, 0)
    })
}

/// Recognises bodies that are plainly not XML, without parsing them.
fn sniff_non_xml(body: &[u8]) -> Option<String> {
    let head = &body[..body.len().min(4096)];
    let trimmed: &[u8] = {
        let h = head.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(head);
        let n = h
            .iter()
            .position(|b| !b.is_ascii_whitespace())
            .unwrap_or(h.len());
        &h[n..]
    };
    if trimmed.is_empty() {
        return Some("an empty body".to_string());
    }
    let binary = head.iter().filter(|b| **b == 0).count() > 0
        || head
            .iter()
            .filter(|b| b.is_ascii_control() && !b.is_ascii_whitespace())
            .count()
            > head.len() / 10;
    if binary {
        return Some(format!("binary data ({} bytes), not text", body.len()));
    }
    let lower = String::from_utf8_lossy(&trimmed[..trimmed.len().min(512)]).to_ascii_lowercase();
    if lower.starts_with("<!doctype html") || lower.starts_with("<html") {
        let text = String::from_utf8_lossy(head);
        let title = text.to_ascii_lowercase().find("<title>").and_then(|i| {
            let rest = &text[i + 7..];
            rest.to_ascii_lowercase()
                .find("</title>")
                .map(|e| excerpt(&rest[..e], 80))
        });
        return Some(match title {
            Some(t) => format!("an HTML page (title: \"{t}\")"),
            None => "an HTML page".to_string(),
        });
    }
    if trimmed.starts_with(b"{") || trimmed.starts_with(b"[") {
        return Some(format!(
            "JSON, not XML: {}",
            excerpt(&String::from_utf8_lossy(trimmed), 80)
        ));
    }
    if !trimmed.starts_with(b"<") && memchr::memchr(b'<', trimmed).is_none() {
        return Some(format!(
            "plain text, not XML: \"{}\"",
            excerpt(&String::from_utf8_lossy(trimmed), 80)
        ));
    }
    None
}

fn describe_non_multistatus(body: &[u8], root: Option<&str>) -> String {
    match root {
        Some("{DAV:}error") => {
            let text = String::from_utf8_lossy(&body[..body.len().min(64 * 1024)]);
            // The conditions are the root's children (namespace-agnostic names).
            let names = crate::core::props::root_children(&text);
            let conditions: Vec<String> = names
                .iter()
                .filter(|n| !["exception", "message"].contains(&n.as_str()))
                .take(3)
                .map(|c| format!("DAV:{c}"))
                .collect();
            let named = if conditions.is_empty() {
                String::new()
            } else {
                format!(" ({})", conditions.join(", "))
            };
            let message = text
                .find("message>")
                .map(|i| &text[i + 8..])
                .and_then(|rest| {
                    rest.find('<')
                        .map(|e| excerpt(&decode_text(&rest[..e]), 100))
                });
            match message {
                Some(m) => format!("a DAV:error document{named}, not a multistatus: \"{m}\""),
                None => format!("a DAV:error document{named}, not a multistatus"),
            }
        }
        Some(root) => format!("an XML document whose root is {root}, not a DAV:multistatus"),
        None => "not XML: no element could be read".to_string(),
    }
}

impl Document {
    /// The multistatus, or an empty one for a document that is not one.
    pub fn responses(&self) -> &[Response] {
        self.multistatus
            .as_ref()
            .map(|m| m.responses.as_slice())
            .unwrap_or(&[])
    }

    /// Raw bytes of a span of the body, as text (lossy for invalid UTF-8).
    pub fn span_text(&self, span: Span) -> Cow<'_, str> {
        let bytes = self.body.bytes();
        let s = (span.start as usize).min(bytes.len());
        let e = (span.end as usize).clamp(s, bytes.len());
        String::from_utf8_lossy(&bytes[s..e])
    }

    /// The raw text (as written) of a span relative to a response.
    pub fn raw(&self, r: &Response, rel: RelSpan) -> Cow<'_, str> {
        let span = Span {
            start: r.start + u64::from(rel.start),
            end: r.start + u64::from(rel.start) + u64::from(rel.len),
        };
        self.span_text(span)
    }

    /// Character data of a span relative to a response (entities resolved).
    pub fn text(&self, r: &Response, rel: RelSpan) -> String {
        decode_text(&self.raw(r, rel)).into_owned()
    }

    /// Every href of a response, as sent (entities resolved, whitespace trimmed).
    pub fn hrefs(&self, r: &Response) -> Vec<String> {
        if r.flags.has(ResponseFlags::NO_HREF) {
            return Vec::new();
        }
        if r.flags.has(ResponseFlags::MORE_HREFS)
            && let Some(d) = self.detail_of(r)
        {
            return d
                .hrefs
                .iter()
                .map(|h| self.text(r, *h).trim().to_string())
                .collect();
        }
        vec![self.text(r, r.href).trim().to_string()]
    }

    /// A response read again in full (values, status texts, descriptions).
    pub fn detail(&self, index: usize) -> Option<ResponseDetail> {
        crate::core::parse::xml::read_response(self.body.bytes(), self.multistatus.as_ref()?, index)
    }

    /// [`Document::detail`] of a response of this document.
    pub fn detail_of(&self, r: &Response) -> Option<ResponseDetail> {
        self.detail(self.multistatus.as_ref()?.index_of(r)?)
    }

    /// The decoded path of a response (SEMANTICS.md): its first href normalised
    /// against the request URL when known.
    pub fn path_of(&self, index: usize) -> String {
        let Some(r) = self.responses().get(index) else {
            return String::new();
        };
        let first = self.hrefs(r).into_iter().next().unwrap_or_default();
        crate::core::href::normalize(&first, self.info.request.as_ref().map(|q| q.url.as_str()))
            .path
    }

    /// [`Document::path_of`] of every response, in order (consecutive hrefs share
    /// their prefixes, so this is much faster than asking one by one).
    pub fn paths(&self) -> Vec<String> {
        let base = self.info.request.as_ref().map(|q| q.url.as_str());
        let mut norm = crate::core::href::Normalizer::default();
        let body = self.body.bytes();
        let Some(ms) = &self.multistatus else {
            return Vec::new();
        };
        ms.responses
            .iter()
            .enumerate()
            .map(|(i, r)| {
                if r.flags.has(ResponseFlags::NO_HREF) {
                    return self.path_of(i);
                }
                let s = ms.relative(r, r.href);
                let raw = crate::core::tree::href_text(
                    body.get(s.start as usize..s.end as usize).unwrap_or(&[]),
                );
                norm.path_for(&raw, base)
            })
            .collect()
    }

    /// Errors count; a document with any error-level problem is damaged.
    pub fn error_count(&self) -> usize {
        self.problems
            .iter()
            .filter(|p| p.severity == Severity::Error)
            .count()
    }
}
