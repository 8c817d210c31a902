//! The streaming multistatus parser: UTF-8 body bytes -> [`Multistatus`] + problems.
//!
//! quick-xml's zero-copy slice reader gives the events; namespaces are resolved
//! here by URI with a small binding stack (never by prefix). Nothing flows from one
//! response to the next: each response starts from empty fields. Depends on
//! `core::model`, `core::status`, `core::text`; never on the UI.

use std::num::NonZeroU16;

use quick_xml::Reader;
use quick_xml::events::{BytesStart, Event};

use crate::core::model::{
    Condition, ErrorCondition, Multistatus, NameId, NameTable, Problem, Prop, Propstat,
    PropstatDetail, PropstatFlags, QName, RelSpan, Response, ResponseDetail, ResponseFlags,
    Severity, Span, StatusLine, ValueKind,
};
use crate::core::status::parse_status_code;
use crate::core::tree::ResponseInfo;

/// At most this many problems are listed; the rest are counted.
const MAX_PROBLEMS: usize = 500;
/// Progress is reported every this many responses.
const PROGRESS_EVERY: usize = 2048;

/// What a body parse gives.
#[derive(Debug, Default)]
pub struct ParsedBody {
    /// The first DAV:multistatus element (the root or under a wrapper), if any.
    pub multistatus: Option<Multistatus>,
    /// Clark name of the root element, when there is one.
    pub root: Option<String>,
    pub problems: Vec<Problem>,
    /// The caller's progress callback asked to stop.
    pub cancelled: bool,
}

/// Called with (bytes read, responses found); return `false` to cancel.
pub type ProgressFn<'a> = Box<dyn FnMut(u64, u64) -> bool + 'a>;

const NS_NONE: u32 = 0;
const NS_DAV: u32 = 1;
const NS_XML: u32 = 2;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Frame {
    /// Outside any multistatus (the root wrapper, or content after it).
    Outside,
    Multistatus,
    MultistatusDescription,
    SyncToken,
    Response,
    Href,
    ResponseStatus,
    ResponseDescription,
    Location,
    LocationHref,
    Propstat,
    PropstatStatus,
    PropstatDescription,
    Prop,
    /// A property (child of prop).
    Property,
    /// The `<error>` container (response or propstat level).
    Error {
        in_propstat: bool,
    },
    /// A precondition element, child of error.
    Condition {
        in_propstat: bool,
    },
    /// Anything else, including everything inside a property value.
    Other,
}

#[derive(Clone, Debug)]
pub(crate) struct Open {
    frame: Frame,
    /// Where the start tag's name is (to check end tags a chunk did not open).
    name_at: u64,
    name_len: u32,
    /// A DAV:resourcetype property (its value tells a collection).
    resourcetype: bool,
    /// Offset of the `<` of the start tag.
    start: u64,
    /// Offset just after the start tag.
    content_start: u64,
    bindings_len: usize,
    has_children: bool,
    name: Option<NameId>,
}

#[derive(Clone, Debug)]
pub(crate) struct Binding {
    prefix: Box<[u8]>,
    ns: u32,
}

/// A propstat read in the response being built: ranges into the builder's props
/// and propstat errors.
#[derive(Clone, Copy)]
struct PropstatScratch {
    status: Option<StatusLine>,
    props: (u32, u32),
    errors: (u32, u32),
    description: Option<RelSpan>,
}

/// The response being read, in scratch vectors reused from one response to the
/// next (cleared, never carried over: no state flows between responses).
#[derive(Default)]
struct ResponseBuilder {
    start: u64,
    hrefs: Vec<RelSpan>,
    status: Option<StatusLine>,
    description: Option<RelSpan>,
    location: Option<RelSpan>,
    /// Response-level error conditions.
    errors: Vec<ErrorCondition>,
    propstats: Vec<PropstatScratch>,
    props: Vec<Prop>,
    ps_errors: Vec<ErrorCondition>,
    flags: u16,
    // The propstat being read.
    ps_status: Option<StatusLine>,
    ps_props_start: u32,
    ps_errors_start: u32,
    ps_description: Option<RelSpan>,
    /// The propstat's first resourcetype: (seen, holds collection).
    ps_type: Option<bool>,
}

impl ResponseBuilder {
    fn reset(&mut self, start: u64) {
        self.start = start;
        self.hrefs.clear();
        self.status = None;
        self.description = None;
        self.location = None;
        self.errors.clear();
        self.propstats.clear();
        self.props.clear();
        self.ps_errors.clear();
        self.flags = 0;
        self.ps_status = None;
        self.ps_props_start = 0;
        self.ps_errors_start = 0;
        self.ps_description = None;
        self.ps_type = None;
    }

    fn detail(&self) -> ResponseDetail {
        let slice =
            |v: &[Prop], (s, e): (u32, u32)| v.get(s as usize..e as usize).unwrap_or(&[]).to_vec();
        ResponseDetail {
            hrefs: self.hrefs.clone(),
            status: self.status,
            propstats: self
                .propstats
                .iter()
                .map(|p| PropstatDetail {
                    status: p.status,
                    props: slice(&self.props, p.props),
                    errors: self
                        .ps_errors
                        .get(p.errors.0 as usize..p.errors.1 as usize)
                        .unwrap_or(&[])
                        .to_vec(),
                    description: p.description,
                })
                .collect(),
            errors: self.errors.clone(),
            description: self.description,
            location: self.location,
        }
    }
}

/// Receives each complete response as it is read: its index, the span of its
/// first href, and what the path tree needs.
pub type ResponseSink<'s> = &'s mut dyn FnMut(u32, Option<Span>, ResponseInfo);

pub(crate) struct Parser<'b, 's> {
    body: &'b [u8],
    sink: Option<ResponseSink<'s>>,
    namespaces: Vec<Box<[u8]>>,
    bindings: Vec<Binding>,
    stack: Vec<Open>,
    ms: Option<Multistatus>,
    /// Set once the first multistatus closed: later ones are not read.
    ms_done: bool,
    resp: ResponseBuilder,
    names: NameTable,
    problems: Vec<Problem>,
    dropped_problems: usize,
    root: Option<String>,
    root_closed: bool,
    unbound_reported: Vec<Box<[u8]>>,
    /// Set for a chunk: the stack depth it started at (a boundary).
    chunk_depth: Option<usize>,
    /// Interned names by a hash of (namespace, name): the hot path allocates nothing.
    name_cache:
        std::collections::HashMap<u64, (NameId, u32, Box<[u8]>), crate::core::text::Prehashed>,
    /// Set when reading responses again in full: each one's detail lands here.
    details: Option<Vec<ResponseDetail>>,
    shape_buf: Vec<NameId>,
    /// The last prefix resolved: (packed prefix, (bindings, pushes), namespace).
    resolved: Option<(u64, (usize, u64), Option<u32>)>,
    binding_pushes: u64,
}

/// A hash of a namespace id and name bytes.
fn name_hash(ns: u32, bound: bool, name: &[u8]) -> u64 {
    crate::core::text::hash_bytes(u64::from(ns) | (u64::from(bound) << 40), name)
}

/// Parses a UTF-8 body. Never panics; stops at the first well-formedness error
/// quick-xml reports, keeping every response completed before it.
pub fn parse_body(body: &[u8], progress: Option<&mut dyn FnMut(u64, u64) -> bool>) -> ParsedBody {
    parse_body_with(body, progress, None)
}

/// [`parse_body`], handing each complete response to `sink` as soon as it is read.
pub fn parse_body_with(
    body: &[u8],
    mut progress: Option<&mut dyn FnMut(u64, u64) -> bool>,
    sink: Option<ResponseSink<'_>>,
) -> ParsedBody {
    let mut p = Parser::new(body, sink);
    let end = p.run(0, body.len(), None, &mut progress);
    p.finish(end == RunEnd::Cancelled)
}

/// How a run over a slice ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum RunEnd {
    /// The slice was read to its end (or to a syntax error, reported).
    Done,
    Cancelled,
    /// A chunk closed an element it did not open, under another name: only a
    /// sequential parse can report that exactly.
    Unproven,
}

/// The parser's state between two children of the multistatus: all a chunk needs
/// to start reading there exactly as a sequential parse would.
#[derive(Clone, Debug)]
pub(crate) struct BoundaryState {
    stack: Vec<Open>,
    bindings: Vec<Binding>,
    namespaces: Vec<Box<[u8]>>,
    root: Option<String>,
    ms_span: Span,
}

impl BoundaryState {
    /// The same prefixes bound to the same URIs.
    pub(crate) fn same_bindings(&self, other: &BoundaryState) -> bool {
        fn uris(s: &BoundaryState) -> Vec<(&[u8], &[u8])> {
            s.bindings
                .iter()
                .map(|b| {
                    let uri = s
                        .namespaces
                        .get(b.ns as usize)
                        .map(|u| &u[..])
                        .unwrap_or(&[]);
                    (&b.prefix[..], uri)
                })
                .collect()
        }
        uris(self) == uris(other)
    }

    /// Prefixes bound to DAV: here (`""` for a default namespace).
    pub(crate) fn dav_prefixes(&self) -> Vec<Vec<u8>> {
        let mut out: Vec<Vec<u8>> = Vec::new();
        for b in &self.bindings {
            let p = b.prefix.to_vec();
            // The innermost binding of a prefix wins.
            let current = self
                .bindings
                .iter()
                .rev()
                .find(|x| x.prefix == b.prefix)
                .map(|x| x.ns);
            if current == Some(NS_DAV) && !out.contains(&p) {
                out.push(p);
            }
        }
        out
    }
}

impl<'b, 's> Parser<'b, 's> {
    pub(crate) fn new(body: &'b [u8], sink: Option<ResponseSink<'s>>) -> Self {
        Parser {
            body,
            sink,
            namespaces: vec![
                Box::from(&b""[..]),
                Box::from(&b"DAV:"[..]),
                Box::from(&b"http://www.w3.org/XML/1998/namespace"[..]),
            ],
            bindings: Vec::new(),
            stack: Vec::with_capacity(32),
            ms: None,
            ms_done: false,
            resp: ResponseBuilder::default(),
            names: NameTable::default(),
            problems: Vec::new(),
            dropped_problems: 0,
            root: None,
            root_closed: false,
            unbound_reported: Vec::new(),
            name_cache: std::collections::HashMap::default(),
            chunk_depth: None,
            details: None,
            shape_buf: Vec::new(),
            resolved: None,
            binding_pushes: 0,
        }
    }

    /// A parser that starts at a boundary (between two children of the multistatus).
    pub(crate) fn at_boundary(
        body: &'b [u8],
        state: &BoundaryState,
        sink: Option<ResponseSink<'s>>,
    ) -> Self {
        let mut p = Parser::new(body, sink);
        p.stack = state.stack.clone();
        p.bindings = state.bindings.clone();
        p.namespaces = state.namespaces.clone();
        p.root = state.root.clone();
        p.ms = Some(Multistatus {
            span: state.ms_span,
            ..Multistatus::default()
        });
        p.chunk_depth = Some(state.stack.len());
        p
    }

    /// The state when the parser stands between two children of the multistatus;
    /// `None` anywhere else.
    pub(crate) fn boundary_state(&self) -> Option<BoundaryState> {
        let top = self.stack.last()?;
        if top.frame != Frame::Multistatus || self.ms_done {
            return None;
        }
        Some(BoundaryState {
            stack: self.stack.clone(),
            bindings: self.bindings.clone(),
            namespaces: self.namespaces.clone(),
            root: self.root.clone(),
            ms_span: self.ms.as_ref().map(|m| m.span).unwrap_or_default(),
        })
    }

    pub(crate) fn problem_list(&self) -> &[Problem] {
        &self.problems
    }

    pub(crate) fn response_count(&self) -> usize {
        self.ms.as_ref().map(|m| m.responses.len()).unwrap_or(0)
    }

    pub(crate) fn dropped(&self) -> usize {
        self.dropped_problems
    }

    /// Reads `body[start..end]`. `progress` may cancel. In a chunk (a parser made by
    /// [`Parser::at_boundary`]) the end of the slice is not the end of the body
    /// unless `end` is the body's length.
    pub(crate) fn run(
        &mut self,
        start: usize,
        end: usize,
        _unused: Option<()>,
        progress: &mut Option<&mut dyn FnMut(u64, u64) -> bool>,
    ) -> RunEnd {
        let body = self.body;
        // quick-xml skips a leading byte-order mark without counting it in its
        // positions: start after it, so every offset is one into the body.
        let mut start = start;
        if start == 0 && body.starts_with(b"\xEF\xBB\xBF") {
            start = 3.min(end);
            // quick-xml would skip a second one silently, too: say so.
            while body[start..end].starts_with(b"\xEF\xBB\xBF") {
                self.text_outside_root(start as u64);
                start += 3;
            }
        }
        let slice = body.get(start..end).unwrap_or(&[]);
        let base = start as u64;
        let mut reader = Reader::from_reader(slice);
        {
            let config = reader.config_mut();
            // Whitespace between elements never becomes an event (values are read
            // from byte spans, not from text events).
            config.trim_text(true);
            config.check_end_names = true;
            config.expand_empty_elements = false;
            // A chunk closes elements opened before it: checked here, by name.
            config.allow_unmatched_ends = self.chunk_depth.is_some();
        }
        let at_body_end = end >= body.len();
        let mut next_progress =
            self.ms.as_ref().map(|m| m.responses.len()).unwrap_or(0) + PROGRESS_EVERY;
        loop {
            let before = base + reader.buffer_position();
            let event = match reader.read_event() {
                Ok(event) => event,
                Err(err) => {
                    let at = base + reader.error_position();
                    self.syntax_error(&err, at);
                    return RunEnd::Done;
                }
            };
            let after = base + reader.buffer_position();
            // The reader skipped the whitespace before the event: start at the event.
            let mut before = before;
            while before < after
                && body
                    .get(before as usize)
                    .is_some_and(|b| b.is_ascii_whitespace())
            {
                before += 1;
            }
            match event {
                Event::Start(e) => self.start(&e, before, after, false),
                Event::Empty(e) => {
                    self.start(&e, before, after, true);
                    self.end(before, after);
                }
                Event::End(e) => {
                    if let Some(depth) = self.chunk_depth
                        && self.stack.len() <= depth
                    {
                        let opened = self.stack.last().and_then(|o| {
                            body.get(o.name_at as usize..o.name_at as usize + o.name_len as usize)
                        });
                        if opened != Some(e.name().as_ref().as_bytes()) {
                            return RunEnd::Unproven;
                        }
                    }
                    self.end(before, after)
                }
                Event::Text(t) => {
                    if self.stack.is_empty() && t.bytes().any(|b| !b.is_ascii_whitespace()) {
                        let first = t
                            .bytes()
                            .position(|b| !b.is_ascii_whitespace())
                            .unwrap_or(0) as u64;
                        self.text_outside_root(before + first);
                    }
                }
                Event::GeneralRef(_) | Event::CData(_) => {
                    if self.stack.is_empty() {
                        self.text_outside_root(before);
                    }
                }
                Event::Decl(_) => {
                    if before > 0 && !(before == 3 && body.starts_with(b"\xEF\xBB\xBF")) {
                        self.push(
                            Problem::new(
                                Severity::Error,
                                "XML declaration not at the start of the body",
                                before,
                            )
                            .with_hint("something was written before `<?xml`: junk from a proxy, a debug print, or a second document glued on"),
                        );
                    }
                }
                Event::DocType(_) => {
                    self.push(
                        Problem::new(
                            Severity::Warning,
                            "document type declaration ignored",
                            before,
                        )
                        .with_hint(
                            "davscope never expands DTD entities or fetches external definitions",
                        ),
                    );
                }
                Event::Comment(_) | Event::PI(_) => {}
                Event::Eof => {
                    if at_body_end {
                        self.eof(after);
                    }
                    return RunEnd::Done;
                }
            }
            if let Some(ms) = &self.ms
                && ms.responses.len() >= next_progress
            {
                next_progress += PROGRESS_EVERY;
                if let Some(cb) = progress.as_mut()
                    && !cb(after, ms.responses.len() as u64)
                {
                    return RunEnd::Cancelled;
                }
            }
        }
    }

    /// Hands the model over.
    pub(crate) fn finish(mut self, cancelled: bool) -> ParsedBody {
        if let Some(ms) = self.ms.as_mut() {
            ms.names = std::mem::take(&mut self.names);
            // The vectors grew by doubling: give the slack back.
            crate::core::model::trim_slack(&mut ms.responses);
            crate::core::model::trim_slack(&mut ms.propstats);
            crate::core::model::trim_slack(&mut ms.conditions);
        }
        if self.dropped_problems > 0 {
            let at = self.body.len() as u64;
            let n = self.dropped_problems;
            self.problems.push(Problem::new(
                Severity::Warning,
                format!("{n} more problems not listed"),
                at,
            ));
        }
        ParsedBody {
            multistatus: self.ms,
            root: self.root,
            problems: self.problems,
            cancelled,
        }
    }
}

impl Parser<'_, '_> {
    fn push(&mut self, problem: Problem) {
        if self.problems.len() < MAX_PROBLEMS {
            self.problems.push(problem);
        } else {
            self.dropped_problems += 1;
        }
    }

    fn syntax_error(&mut self, err: &quick_xml::Error, at: u64) {
        let mut problem = Problem::new(Severity::Error, format!("malformed XML: {err}"), at);
        let kept = self.ms.as_ref().map(|m| m.responses.len()).unwrap_or(0);
        let in_response = self.stack.iter().any(|o| o.frame == Frame::Response);
        problem = problem.with_hint(format!(
            "reading stopped here; {kept} complete response{} before it {} kept{}",
            if kept == 1 { "" } else { "s" },
            if kept == 1 { "is" } else { "are" },
            if in_response {
                "; the response in progress is not"
            } else {
                ""
            }
        ));
        self.push(problem);
        self.abandon_open_response();
    }

    fn text_outside_root(&mut self, at: u64) {
        let msg = if self.root_closed {
            "text after the root element"
        } else {
            "text before the root element"
        };
        if !self.problems.iter().any(|p| p.message == msg) {
            self.push(Problem::new(Severity::Error, msg, at).with_hint(
                "the body holds something that is not XML; it was skipped, the XML after it was read",
            ));
        }
    }

    fn eof(&mut self, at: u64) {
        if self.stack.is_empty() {
            if self.root.is_none() {
                self.push(Problem::new(
                    Severity::Error,
                    "no XML element in the body",
                    at,
                ));
            }
            return;
        }
        let open: Vec<String> = self
            .stack
            .iter()
            .rev()
            .take(3)
            .map(|o| format!("{:?}", o.frame).to_lowercase())
            .collect();
        let in_response = self.stack.iter().any(|o| o.frame == Frame::Response);
        let kept = self.ms.as_ref().map(|m| m.responses.len()).unwrap_or(0);
        let hint = format!(
            "{kept} complete response{} kept{}; a server or proxy cut the body off (compare Content-Length, check proxy buffering and timeouts)",
            if kept == 1 { "" } else { "s" },
            if in_response {
                ", the last one was incomplete and is not"
            } else {
                ""
            }
        );
        self.push(
            Problem::new(
                Severity::Error,
                format!(
                    "body ends inside an open element (innermost: {}): truncated",
                    open.join(" in ")
                ),
                at,
            )
            .with_hint(hint),
        );
        self.abandon_open_response();
        if let Some(ms) = self.ms.as_mut()
            && !self.ms_done
        {
            ms.span.end = at;
        }
    }

    /// Drops the half-read response so only complete ones remain.
    fn abandon_open_response(&mut self) {
        // A response reaches the model only when it closes: nothing to undo but
        // the scratch.
        self.resp.reset(0);
    }

    fn intern_ns(&mut self, uri: &[u8]) -> u32 {
        if let Some(i) = self.namespaces.iter().position(|n| &n[..] == uri) {
            return i as u32;
        }
        self.namespaces.push(Box::from(uri));
        (self.namespaces.len() - 1) as u32
    }

    /// Resolves a prefix (empty = default namespace). `None` when unbound. The
    /// last answer is kept while the bindings stay the same.
    fn resolve(&mut self, prefix: &[u8]) -> Option<u32> {
        if prefix.len() < 8 {
            // Packed in registers: prefixes are a few bytes.
            let mut key = prefix.len() as u64;
            for (i, &b) in prefix.iter().enumerate() {
                key |= u64::from(b) << (8 * (i + 1));
            }
            let generation = (self.bindings.len(), self.binding_pushes);
            if let Some((k, g, ns)) = self.resolved
                && k == key
                && g == generation
            {
                return ns;
            }
            let ns = self.resolve_slow(prefix);
            self.resolved = Some((key, generation, ns));
            return ns;
        }
        self.resolve_slow(prefix)
    }

    fn resolve_slow(&self, prefix: &[u8]) -> Option<u32> {
        for b in self.bindings.iter().rev() {
            if &b.prefix[..] == prefix {
                return Some(b.ns);
            }
        }
        if prefix.is_empty() {
            Some(NS_NONE)
        } else if prefix == b"xml" {
            Some(NS_XML)
        } else {
            None
        }
    }

    fn read_attributes(&mut self, e: &BytesStart<'_>, at: u64) {
        for attr in e.attributes().with_checks(true) {
            match attr {
                Ok(a) => {
                    let key = a.key.as_ref().as_bytes();
                    let prefix: Option<&[u8]> = if key == b"xmlns" {
                        Some(b"")
                    } else {
                        key.strip_prefix(b"xmlns:")
                    };
                    if let Some(prefix) = prefix {
                        let uri = crate::core::text::decode_text(&a.value).into_owned();
                        let ns = self.intern_ns(uri.as_bytes());
                        self.binding_pushes += 1;
                        self.bindings.push(Binding {
                            prefix: Box::from(prefix),
                            ns,
                        });
                    }
                }
                Err(err) => {
                    let name = e.name().as_ref().to_string();
                    self.push(
                        Problem::new(
                            Severity::Error,
                            format!("malformed attribute in <{name}>: {err}"),
                            at,
                        )
                        .with_hint("attributes after this point in the tag were not read"),
                    );
                    break;
                }
            }
        }
    }

    /// Splits and resolves an element name; reports undeclared prefixes.
    fn element_name(&mut self, raw: &[u8], at: u64) -> (u32, bool) {
        // Names are short: a plain loop beats a library call here.
        let (prefix, local) = match raw.iter().position(|&b| b == b':') {
            Some(i) => (&raw[..i], &raw[i + 1..]),
            None => (&b""[..], raw),
        };
        if local.contains(&b':') {
            self.push(Problem::new(
                Severity::Error,
                format!(
                    "invalid element name <{}>: more than one colon",
                    String::from_utf8_lossy(raw)
                ),
                at,
            ));
        }
        match self.resolve(prefix) {
            Some(ns) => (ns, true),
            None => {
                if !self.unbound_reported.iter().any(|p| &p[..] == prefix) {
                    self.unbound_reported.push(Box::from(prefix));
                    let p = String::from_utf8_lossy(prefix).into_owned();
                    self.push(
                        Problem::new(
                            Severity::Error,
                            format!("undeclared namespace prefix `{p}:`"),
                            at,
                        )
                        .with_hint(format!(
                            "no xmlns:{p}=\"…\" is in scope; names with this prefix are shown as written, their namespace is unknown"
                        )),
                    );
                }
                (u32::MAX, false)
            }
        }
    }

    /// Interns a name, from the cache when it was seen before (no allocation):
    /// the same raw name under the same namespace is the same qualified name.
    fn intern_cached(&mut self, raw: &[u8], ns: u32, bound: bool) -> NameId {
        let h = name_hash(ns, bound, raw);
        if let Some((id, cns, craw)) = self.name_cache.get(&h) {
            if *cns == ns && &craw[..] == raw {
                return *id;
            }
            // A hash collision: intern the slow way, leave the cache as it is.
            return self.intern_name(raw, ns, bound);
        }
        let id = self.intern_name(raw, ns, bound);
        self.name_cache.insert(h, (id, ns, Box::from(raw)));
        id
    }

    fn intern_name(&mut self, raw: &[u8], ns: u32, bound: bool) -> NameId {
        let (prefix, local) = match memchr::memchr(b':', raw) {
            Some(i) => (&raw[..i], &raw[i + 1..]),
            None => (&b""[..], raw),
        };
        let namespace = if bound {
            self.namespaces
                .get(ns as usize)
                .map(|n| String::from_utf8_lossy(n).into_owned())
                .unwrap_or_default()
        } else {
            String::from_utf8_lossy(prefix).into_owned()
        };
        self.names.intern(QName {
            namespace,
            local: String::from_utf8_lossy(local).into_owned(),
            unbound_prefix: !bound,
        })
    }

    fn rel(&self, offset: u64) -> u32 {
        u32::try_from(offset.saturating_sub(self.resp.start)).unwrap_or(u32::MAX)
    }

    fn rel_span(&self, start: u64, end: u64) -> RelSpan {
        RelSpan {
            start: self.rel(start),
            len: u32::try_from(end.saturating_sub(start)).unwrap_or(u32::MAX),
        }
    }

    fn start(&mut self, e: &BytesStart<'_>, before: u64, after: u64, _empty: bool) {
        let bindings_len = self.bindings.len();
        let raw = e.name();
        let raw = raw.as_ref().as_bytes();
        if e.attributes_raw()
            .bytes()
            .any(|b| !b.is_ascii_whitespace() && b != b'/')
        {
            self.read_attributes(e, before);
        }
        let (ns, bound) = self.element_name(raw, before);
        let local = match raw.iter().position(|&b| b == b':') {
            Some(i) => &raw[i + 1..],
            None => raw,
        };
        let dav = bound && ns == NS_DAV;
        if self.stack.is_empty() {
            if self.root.is_none() {
                let id = self.intern_name(raw, ns, bound);
                self.root = self.names.name(id).map(QName::clark);
            } else {
                self.push(Problem::new(
                    Severity::Error,
                    "a second root element",
                    before,
                ));
            }
        }
        let parent = self.stack.last().map(|o| o.frame).unwrap_or(Frame::Outside);
        if let Some(top) = self.stack.last_mut() {
            top.has_children = true;
        }
        let mut name = None;
        let mut resourcetype = false;
        let frame = match parent {
            Frame::Outside if dav && local == b"multistatus" && self.ms.is_none() => {
                self.ms = Some(Multistatus {
                    span: Span {
                        start: before,
                        end: before,
                    },
                    ..Multistatus::default()
                });
                Frame::Multistatus
            }
            Frame::Outside => Frame::Outside,
            Frame::Multistatus if dav => match local {
                b"response" => {
                    self.begin_response(before);
                    Frame::Response
                }
                b"responsedescription" => Frame::MultistatusDescription,
                b"sync-token" => Frame::SyncToken,
                _ => Frame::Other,
            },
            Frame::Response if dav => match local {
                b"href" => Frame::Href,
                b"status" => Frame::ResponseStatus,
                b"propstat" => {
                    self.resp.ps_props_start = self.resp.props.len() as u32;
                    self.resp.ps_errors_start = self.resp.ps_errors.len() as u32;
                    self.resp.ps_status = None;
                    self.resp.ps_description = None;
                    self.resp.ps_type = None;
                    Frame::Propstat
                }
                b"error" => Frame::Error { in_propstat: false },
                b"responsedescription" => Frame::ResponseDescription,
                b"location" => Frame::Location,
                _ => Frame::Other,
            },
            Frame::Location if dav && local == b"href" => Frame::LocationHref,
            Frame::Propstat if dav => match local {
                b"prop" => Frame::Prop,
                b"status" => Frame::PropstatStatus,
                b"error" => Frame::Error { in_propstat: true },
                b"responsedescription" => Frame::PropstatDescription,
                _ => Frame::Other,
            },
            Frame::Prop => {
                name = Some(self.intern_cached(raw, ns, bound));
                resourcetype = dav && local == b"resourcetype";
                Frame::Property
            }
            Frame::Error { in_propstat } => {
                name = Some(self.intern_cached(raw, ns, bound));
                Frame::Condition { in_propstat }
            }
            _ => Frame::Other,
        };
        self.stack.push(Open {
            frame,
            name_at: before + 1,
            name_len: u32::try_from(raw.len()).unwrap_or(u32::MAX),
            resourcetype,
            start: before,
            content_start: after,
            bindings_len,
            has_children: false,
            name,
        });
    }

    fn begin_response(&mut self, at: u64) {
        if self.ms.as_ref().is_some_and(|m| m.context.is_none())
            && let Some(state) = self.boundary_state()
            && let Some(ms) = self.ms.as_mut()
        {
            ms.context = Some(std::sync::Arc::new(state));
        }
        self.resp.reset(at);
    }

    fn status_line(&mut self, content: Span) -> StatusLine {
        let raw = self
            .body
            .get(content.start as usize..content.end as usize)
            .unwrap_or(&[]);
        // The common case (plain ASCII, no markup or entity) needs no copy.
        let plain = std::str::from_utf8(raw)
            .ok()
            .filter(|t| !t.contains(['&', '<']));
        let owned;
        let text: &str = match plain {
            Some(t) => t,
            None => {
                owned = crate::core::text::decode_text(&String::from_utf8_lossy(raw)).into_owned();
                &owned
            }
        };
        let code = parse_status_code(text).and_then(NonZeroU16::new);
        if code.is_none() {
            self.resp.flags |= ResponseFlags::UNREADABLE_STATUS;
            self.push(
                Problem::new(
                    Severity::Warning,
                    format!(
                        "status line without a readable code: \"{}\"",
                        crate::core::text::excerpt(text, 60)
                    ),
                    content.start,
                )
                .with_hint("expected `HTTP/1.1 <code> <reason>`; counted as no code"),
            );
        }
        StatusLine {
            code,
            text: self.rel_span(content.start, content.end),
        }
    }

    fn end(&mut self, before: u64, after: u64) {
        let Some(open) = self.stack.pop() else {
            return;
        };
        self.bindings.truncate(open.bindings_len);
        if self.stack.is_empty() {
            self.root_closed = true;
        }
        let content = Span {
            start: open.content_start.min(before),
            end: before,
        };
        let Some(ms_ref) = self.ms.as_ref() else {
            return;
        };
        if self.ms_done {
            return;
        }
        let _ = ms_ref;
        match open.frame {
            Frame::Multistatus => {
                if let Some(ms) = self.ms.as_mut() {
                    ms.span.end = after;
                }
                self.ms_done = true;
            }
            Frame::MultistatusDescription => {
                if let Some(ms) = self.ms.as_mut() {
                    ms.description = Some(content);
                }
            }
            Frame::SyncToken => {
                if let Some(ms) = self.ms.as_mut() {
                    ms.sync_token = Some(content);
                }
            }
            Frame::Href => {
                let span = self.trimmed_rel(content);
                self.resp.hrefs.push(span);
            }
            Frame::LocationHref => {
                self.resp.location = Some(self.trimmed_rel(content));
            }
            Frame::ResponseStatus => {
                let s = self.status_line(content);
                self.resp.status = Some(s);
            }
            Frame::ResponseDescription => {
                self.resp.description = Some(self.rel_span(content.start, content.end));
            }
            Frame::PropstatStatus => {
                let s = self.status_line(content);
                self.resp.ps_status = Some(s);
            }
            Frame::PropstatDescription => {
                self.resp.ps_description = Some(self.rel_span(content.start, content.end));
            }
            Frame::Property => {
                let kind = if open.has_children {
                    ValueKind::Xml
                } else if self
                    .body
                    .get(content.start as usize..content.end as usize)
                    .is_some_and(|b| b.iter().any(|c| !c.is_ascii_whitespace()))
                {
                    ValueKind::Text
                } else {
                    ValueKind::Empty
                };
                let value = self.rel_span(content.start, content.end);
                if open.resourcetype {
                    let says = self
                        .body
                        .get(content.start as usize..content.end as usize)
                        .is_some_and(|v| memchr::memmem::find(v, b"collection").is_some());
                    if says && kind == ValueKind::Xml {
                        self.resp.flags |= ResponseFlags::COLLECTION;
                    }
                    if self.resp.ps_type.is_none() {
                        self.resp.ps_type = Some(says);
                    }
                }
                if let Some(name) = open.name {
                    self.resp.props.push(Prop { name, kind, value });
                }
            }
            Frame::Condition { in_propstat } => {
                let element = self.rel_span(open.start, after);
                if let Some(name) = open.name {
                    let cond = ErrorCondition { name, element };
                    if in_propstat {
                        self.resp.ps_errors.push(cond);
                    } else {
                        self.resp.errors.push(cond);
                    }
                }
            }
            Frame::Propstat => {
                let status = self.resp.ps_status.take();
                let description = self.resp.ps_description.take();
                let r = &mut self.resp;
                if let Some(collection) = r.ps_type.take()
                    && status
                        .and_then(|s| s.code())
                        .is_some_and(|c| (200..300).contains(&c))
                    && r.flags & ResponseFlags::TYPE_DECLARED == 0
                {
                    r.flags |= ResponseFlags::TYPE_DECLARED;
                    if collection {
                        r.flags |= ResponseFlags::DECLARED_COLLECTION;
                    }
                }
                r.propstats.push(PropstatScratch {
                    status,
                    props: (r.ps_props_start, r.props.len() as u32),
                    errors: (r.ps_errors_start, r.ps_errors.len() as u32),
                    description,
                });
            }
            Frame::Response => self.finish_response(open.start, after),
            _ => {}
        }
    }

    fn trimmed_rel(&self, content: Span) -> RelSpan {
        let bytes = self
            .body
            .get(content.start as usize..content.end as usize)
            .unwrap_or(&[]);
        let lead = bytes
            .iter()
            .position(|b| !b.is_ascii_whitespace())
            .unwrap_or(bytes.len());
        let trail = bytes
            .iter()
            .rev()
            .position(|b| !b.is_ascii_whitespace())
            .unwrap_or(0);
        let start = content.start + lead as u64;
        let end = (content.end - trail as u64).max(start);
        self.rel_span(start, end)
    }

    fn finish_response(&mut self, start: u64, end: u64) {
        let Some(ms) = self.ms.as_mut() else { return };
        let resp = &mut self.resp;
        if let Some(details) = self.details.as_mut() {
            details.push(resp.detail());
        }
        let index = ms.responses.len() as u32;
        let mut flags = resp.flags;
        if resp.status.is_some() {
            flags |= ResponseFlags::HAS_STATUS;
            if !resp.propstats.is_empty() {
                flags |= ResponseFlags::STATUS_AND_PROPSTAT;
            }
        }
        if resp.hrefs.is_empty() {
            flags |= ResponseFlags::NO_HREF;
        } else if resp.hrefs.len() > 1 {
            flags |= ResponseFlags::MORE_HREFS;
        }
        if !resp.errors.is_empty() || !resp.ps_errors.is_empty() {
            flags |= ResponseFlags::HAS_ERROR;
        }
        if resp.description.is_some() || resp.propstats.iter().any(|p| p.description.is_some()) {
            flags |= ResponseFlags::HAS_DESCRIPTION;
        }
        if resp.location.is_some() {
            flags |= ResponseFlags::HAS_LOCATION;
        }
        let propstats_start = ms.propstats.len() as u32;
        for p in &resp.propstats {
            self.shape_buf.clear();
            self.shape_buf.extend(
                resp.props
                    .get(p.props.0 as usize..p.props.1 as usize)
                    .unwrap_or(&[])
                    .iter()
                    .map(|x| x.name),
            );
            let shape = ms.shapes.intern(&self.shape_buf);
            ms.propstats.push(Propstat {
                code: p.status.and_then(|s| s.code),
                flags: PropstatFlags(if p.status.is_some() {
                    PropstatFlags::HAS_STATUS
                } else {
                    0
                }),
                shape,
            });
        }
        for e in resp.errors.iter().chain(resp.ps_errors.iter()) {
            ms.conditions.push(Condition {
                response: index,
                name: e.name,
            });
        }
        let mut response = Response {
            start,
            len: u32::try_from(end.saturating_sub(start)).unwrap_or(u32::MAX),
            href: resp.hrefs.first().copied().unwrap_or_default(),
            propstats_start,
            propstats_len: resp.propstats.len() as u32,
            code: resp.status.and_then(|s| s.code),
            flags: ResponseFlags(flags),
        };
        if ms.codes(&response).all(|c| c.is_none()) {
            response.flags.0 |= ResponseFlags::NO_CODE;
        }
        ms.responses.push(response);
        if let Some(sink) = self.sink.as_mut() {
            let href = (flags & ResponseFlags::NO_HREF == 0)
                .then(|| ms.relative(&response, response.href));
            let info = ResponseInfo::of(ms, &response);
            sink(index, href, info);
        }
        let no_status = resp.status.is_none() && resp.propstats.is_empty();
        if flags & ResponseFlags::STATUS_AND_PROPSTAT != 0 {
            self.push(
                Problem::new(
                    Severity::Warning,
                    "a response has both a status and propstats",
                    start,
                )
                .with_hint("RFC 4918 §14.24 allows one or the other; both were kept"),
            );
        }
        if flags & ResponseFlags::NO_HREF != 0 {
            self.push(Problem::new(
                Severity::Warning,
                "a response has no href",
                start,
            ));
        }
        if no_status {
            self.push(Problem::new(
                Severity::Warning,
                "a response has neither a status nor a propstat",
                start,
            ));
        }
    }
}

/// Reads response `index` of `ms` again, in full (property values, status texts,
/// descriptions, every href). `None` when the document has no such response.
pub fn read_response(body: &[u8], ms: &Multistatus, index: usize) -> Option<ResponseDetail> {
    ResponseReader::new(body, ms)?.read(ms, index)
}

/// Reads many responses of one document again: the parser, its interned names
/// and their document ids are kept from one response to the next (a diagnosis
/// of a big listing reads thousands).
pub struct ResponseReader<'b> {
    parser: Parser<'b, 'static>,
    state: std::sync::Arc<BoundaryState>,
    /// The document's id of each name the parser interned.
    ids: Vec<Option<NameId>>,
}

impl<'b> ResponseReader<'b> {
    pub fn new(body: &'b [u8], ms: &Multistatus) -> Option<Self> {
        let state = ms.context.clone()?;
        let mut parser = Parser::at_boundary(body, &state, None);
        parser.details = Some(Vec::new());
        Some(ResponseReader {
            parser,
            state,
            ids: Vec::new(),
        })
    }

    /// Response `index` of `ms` (the document this reader was made for).
    pub fn read(&mut self, ms: &Multistatus, index: usize) -> Option<ResponseDetail> {
        let r = ms.responses.get(index)?;
        let p = &mut self.parser;
        // Back to the boundary, keeping every allocation and the interned names.
        p.stack.clone_from(&self.state.stack);
        p.bindings.clone_from(&self.state.bindings);
        p.resolved = None;
        p.problems.clear();
        p.dropped_problems = 0;
        p.ms_done = false;
        if let Some(m) = p.ms.as_mut() {
            m.responses.clear();
            m.propstats.clear();
            m.conditions.clear();
        }
        if let Some(d) = p.details.as_mut() {
            d.clear();
        }
        let span = r.span();
        let body_len = p.body.len();
        let end = usize::try_from(span.end).ok()?.min(body_len);
        p.run(usize::try_from(span.start).ok()?, end, None, &mut None);
        let mut d = p.details.as_mut()?.pop()?;
        // Names interned since the last read get their document ids (the load
        // interned every one of them from the same bytes).
        for (_, q) in p.names.iter().skip(self.ids.len()) {
            self.ids.push(ms.names.get(q));
        }
        let ids = &self.ids;
        let remap = |id: NameId| ids.get(id.0 as usize).copied().flatten();
        let fix_errors = |v: &mut Vec<ErrorCondition>| {
            v.retain_mut(|e| remap(e.name).map(|n| e.name = n).is_some());
        };
        fix_errors(&mut d.errors);
        for ps in &mut d.propstats {
            fix_errors(&mut ps.errors);
            ps.props
                .retain_mut(|x| remap(x.name).map(|n| x.name = n).is_some());
        }
        Some(d)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(s: &str) -> ParsedBody {
        parse_body(s.as_bytes(), None)
    }

    fn text<'a>(body: &'a str, ms: &Multistatus, r: &Response, rel: RelSpan) -> &'a str {
        let span = ms.relative(r, rel);
        &body[span.start as usize..span.end as usize]
    }

    #[test]
    fn prefixes_resolve_by_uri() {
        for body in [
            r#"<D:multistatus xmlns:D="DAV:"><D:response><D:href>/a</D:href><D:status>HTTP/1.1 200 OK</D:status></D:response></D:multistatus>"#,
            r#"<multistatus xmlns="DAV:"><response><href>/a</href><status>HTTP/1.1 200 OK</status></response></multistatus>"#,
            r#"<x:multistatus xmlns:x="DAV:" xmlns:y="DAV:"><y:response><x:href>/a</x:href><y:status>HTTP/1.1 200 OK</y:status></y:response></x:multistatus>"#,
            r#"<a:multistatus xmlns:a="DAV:"><b:response xmlns:b="DAV:"><b:href>/a</b:href><status xmlns="DAV:">HTTP/1.1 200 OK</status></b:response></a:multistatus>"#,
        ] {
            let parsed = parse(body);
            let ms = parsed.multistatus.expect("multistatus");
            assert_eq!(ms.responses.len(), 1, "{body}");
            let r = ms.responses[0];
            assert_eq!(text(body, &ms, &r, r.href), "/a");
            assert_eq!(r.status_code(), Some(200));
            // Read again in full, the same response comes back.
            let d = read_response(body.as_bytes(), &ms, 0).expect("detail");
            assert_eq!(d.hrefs, vec![r.href]);
            assert_eq!(d.status.and_then(|s| s.code()), Some(200));
            assert!(parsed.problems.is_empty(), "{:?}", parsed.problems);
        }
    }

    #[test]
    fn a_non_dav_response_element_is_not_a_response() {
        let body = r#"<D:multistatus xmlns:D="DAV:" xmlns:X="urn:x"><X:response><D:href>/x</D:href></X:response></D:multistatus>"#;
        let ms = parse(body).multistatus.expect("ms");
        assert_eq!(ms.responses.len(), 0);
    }

    #[test]
    fn propstats_props_and_errors() {
        let body = r#"<?xml version="1.0"?>
<d:multistatus xmlns:d="DAV:" xmlns:x="urn:x">
 <d:response>
  <d:href> /f%C3%BC </d:href>
  <d:propstat><d:prop><d:getetag>&quot;e1&quot;</d:getetag><x:color/><d:resourcetype><d:collection/></d:resourcetype></d:prop><d:status>HTTP/1.1 200 OK</d:status></d:propstat>
  <d:propstat><d:prop><d:quota/></d:prop><d:status>HTTP/1.1 404 Not Found</d:status></d:propstat>
  <d:error><d:need-privileges><d:resource><d:href>/f</d:href><d:privilege><d:read/></d:privilege></d:resource></d:need-privileges></d:error>
  <d:responsedescription>why</d:responsedescription>
 </d:response>
 <d:response><d:href>/g</d:href><d:status>HTTP/1.1 423 Locked</d:status><d:location><d:href>/h</d:href></d:location></d:response>
 <d:sync-token>tok-1</d:sync-token>
</d:multistatus>"#;
        let parsed = parse(body);
        assert!(parsed.problems.is_empty(), "{:?}", parsed.problems);
        let ms = parsed.multistatus.expect("ms");
        assert_eq!(ms.responses.len(), 2);
        let r = ms.responses[0];
        assert_eq!(text(body, &ms, &r, r.href), "/f%C3%BC");
        let compact = ms.propstats_of(&r);
        assert_eq!(compact.len(), 2);
        assert_eq!(compact[1].code(), Some(404));
        let shape: Vec<String> = ms
            .prop_names(&compact[0])
            .iter()
            .map(|n| ms.names.name(*n).map(QName::clark).unwrap_or_default())
            .collect();
        assert_eq!(
            shape,
            ["{DAV:}getetag", "{urn:x}color", "{DAV:}resourcetype"]
        );
        assert!(r.flags.has(ResponseFlags::COLLECTION));
        assert!(r.flags.has(ResponseFlags::DECLARED_COLLECTION));
        assert!(
            r.flags.has(ResponseFlags::HAS_ERROR) && r.flags.has(ResponseFlags::HAS_DESCRIPTION)
        );
        assert_eq!(ms.conditions_of(0).len(), 1);
        let d = read_response(body.as_bytes(), &ms, 0).expect("detail");
        let ps = &d.propstats;
        assert_eq!(ps.len(), 2);
        let props = &ps[0].props;
        let names: Vec<String> = props
            .iter()
            .map(|p| ms.names.name(p.name).map(QName::clark).unwrap_or_default())
            .collect();
        assert_eq!(
            names,
            ["{DAV:}getetag", "{urn:x}color", "{DAV:}resourcetype"]
        );
        assert_eq!(props[0].kind, ValueKind::Text);
        assert_eq!(text(body, &ms, &r, props[0].value), "&quot;e1&quot;");
        assert_eq!(props[1].kind, ValueKind::Empty);
        assert_eq!(props[2].kind, ValueKind::Xml);
        assert_eq!(ps[1].code(), Some(404));
        let errs = &d.errors;
        assert_eq!(errs.len(), 1);
        assert_eq!(
            ms.names.name(errs[0].name).map(QName::clark).as_deref(),
            Some("{DAV:}need-privileges")
        );
        assert!(text(body, &ms, &r, errs[0].element).starts_with("<d:need-privileges>"));
        assert_eq!(d.description.map(|x| text(body, &ms, &r, x)), Some("why"));
        let g = ms.responses[1];
        assert_eq!(g.status_code(), Some(423));
        let gd = read_response(body.as_bytes(), &ms, 1).expect("detail");
        assert_eq!(gd.location.map(|l| text(body, &ms, &g, l)), Some("/h"));
        let tok = ms.sync_token.expect("token");
        assert_eq!(&body[tok.start as usize..tok.end as usize], "tok-1");
        // the response span is the element, byte-exact
        let gs = g.span();
        assert!(
            body[gs.start as usize..gs.end as usize].starts_with("<d:response>"),
            "{:?}",
            &body[gs.start as usize..gs.end as usize]
        );
        assert!(body[gs.start as usize..gs.end as usize].ends_with("</d:response>"));
    }

    #[test]
    fn offsets_count_a_byte_order_mark() {
        let body = "\u{FEFF}<?xml version=\"1.0\"?><multistatus xmlns=\"DAV:\"><response><href>/a</href><status>HTTP/1.1 200 OK</status></response></multistatus>";
        let parsed = parse(body);
        assert!(parsed.problems.is_empty(), "{:?}", parsed.problems);
        let ms = parsed.multistatus.expect("ms");
        let s = ms.responses[0].span();
        assert!(body[s.start as usize..s.end as usize].starts_with("<response>"));
        assert_eq!(
            text(body, &ms, &ms.responses[0], ms.responses[0].href),
            "/a"
        );
    }

    #[test]
    fn no_state_flows_between_responses() {
        let body = r#"<multistatus xmlns="DAV:"><response><href>/a</href><status>HTTP/1.1 403 Forbidden</status></response><response><href>/b</href></response></multistatus>"#;
        let parsed = parse(body);
        let ms = parsed.multistatus.expect("ms");
        assert_eq!(ms.responses[1].status(), None);
        assert!(ms.responses[1].flags.has(ResponseFlags::NO_CODE));
        assert_eq!(parsed.problems.len(), 1, "{:?}", parsed.problems);
    }

    #[test]
    fn truncated_body_keeps_complete_responses() {
        let body = r#"<multistatus xmlns="DAV:"><response><href>/a</href><status>HTTP/1.1 200 OK</status></response><response><href>/b</href><propstat><prop><getlastmod"#;
        let parsed = parse(body);
        let ms = parsed.multistatus.expect("ms");
        assert_eq!(ms.responses.len(), 1);
        assert_eq!(
            ms.propstats.len(),
            0,
            "the cut response left nothing behind"
        );
        assert_eq!(parsed.problems.len(), 1, "{:?}", parsed.problems);
        assert_eq!(parsed.problems[0].severity, Severity::Error);
    }

    #[test]
    fn status_and_propstat_kept_and_flagged() {
        let body = r#"<multistatus xmlns="DAV:"><response><href>/a</href><status>HTTP/1.1 200 OK</status><propstat><prop><x/></prop><status>HTTP/1.1 403 Forbidden</status></propstat></response></multistatus>"#;
        let parsed = parse(body);
        let ms = parsed.multistatus.expect("ms");
        let r = ms.responses[0];
        assert!(r.flags.has(ResponseFlags::STATUS_AND_PROPSTAT));
        assert_eq!(ms.propstats_of(&r).len(), 1);
        assert!(
            parsed.problems[0]
                .message
                .contains("both a status and propstats")
        );
    }

    #[test]
    fn undeclared_prefix_is_reported_and_reading_goes_on() {
        let body = r#"<d:multistatus xmlns:d="DAV:"><d:response><d:href>/a</d:href><d:propstat><d:prop><nc:x>1</nc:x></d:prop><d:status>HTTP/1.1 200 OK</d:status></d:propstat></d:response></d:multistatus>"#;
        let parsed = parse(body);
        let ms = parsed.multistatus.expect("ms");
        assert_eq!(ms.responses.len(), 1);
        assert_eq!(parsed.problems.len(), 1);
        assert!(parsed.problems[0].message.contains("`nc:`"));
        assert_eq!(
            parsed.problems[0].offset,
            body.find("<nc:x>").map(|o| o as u64).unwrap_or(0)
        );
        let p = ms.prop_names(&ms.propstats[0])[0];
        assert_eq!(ms.names.name(p).map(QName::clark).as_deref(), Some("nc:x"));
        // Read again, the undeclared name maps to the same id.
        let d = read_response(body.as_bytes(), &ms, 0).expect("detail");
        assert_eq!(d.propstats[0].props[0].name, p);
    }

    #[test]
    fn wrapper_root_and_junk_before_prolog() {
        let body = r#"<xml><D:multistatus xmlns:D="DAV:"><D:response><D:href>/a</D:href><D:status>HTTP/1.1 404 x</D:status></D:response></D:multistatus></xml>"#;
        let parsed = parse(body);
        assert_eq!(parsed.root.as_deref(), Some("xml"));
        assert_eq!(parsed.multistatus.map(|m| m.responses.len()), Some(1));
        let body = "junk<?xml version=\"1.0\"?><multistatus xmlns=\"DAV:\"><response><href>/a</href><status>HTTP/1.1 200 OK</status></response></multistatus>";
        let parsed = parse(body);
        assert_eq!(parsed.multistatus.map(|m| m.responses.len()), Some(1));
        assert!(
            parsed
                .problems
                .iter()
                .any(|p| p.offset == 0 && p.message.contains("before the root"))
        );
    }

    #[test]
    fn progress_can_cancel() {
        let mut body = String::from(r#"<multistatus xmlns="DAV:">"#);
        for i in 0..5000 {
            body.push_str(&format!(
                "<response><href>/{i}</href><status>HTTP/1.1 200 OK</status></response>"
            ));
        }
        body.push_str("</multistatus>");
        let mut calls = 0;
        let mut cb = |_b: u64, _r: u64| {
            calls += 1;
            false
        };
        let parsed = parse_body(body.as_bytes(), Some(&mut cb));
        assert!(parsed.cancelled);
        assert_eq!(calls, 1);
    }
}
