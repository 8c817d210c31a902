//! The parsed multistatus: compact, index-based, and free of cross-response state.
//!
//! Owns the data types every other core module reads. Depends on nothing but `std`.
//!
//! Design (for the parallel load): text is never copied out of the body. Every
//! response records its byte [`Span`] in the body and every piece of text inside it
//! is a [`RelSpan`] relative to the response start, so a chunk parsed on another
//! thread needs no rebasing of its text. Child records (hrefs, propstats, props,
//! error conditions) live in flat vectors addressed by `u32` ranges; merging two
//! chunk models only adds offsets. Property names are interned in a [`NameTable`]
//! whose ids a merge remaps.

use std::collections::HashMap;
use std::num::NonZeroU16;

/// A byte range in the (decoded, UTF-8) body.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Span {
    pub start: u64,
    pub end: u64,
}

impl Span {
    pub fn len(&self) -> u64 {
        self.end.saturating_sub(self.start)
    }
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// A byte range relative to the start of the response that holds it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct RelSpan {
    pub start: u32,
    pub len: u32,
}

/// Interned id of a qualified name in a [`NameTable`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct NameId(pub u32);

/// A qualified XML name: namespace URI (empty for none) and local name.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct QName {
    pub namespace: String,
    pub local: String,
    /// Set when the prefix was not declared: `namespace` then holds the raw prefix.
    pub unbound_prefix: bool,
}

impl QName {
    /// Clark notation, `{DAV:}getetag`; `getetag` without a namespace; `nc:x` for an
    /// undeclared prefix (the raw name, since no URI is known).
    pub fn clark(&self) -> String {
        if self.unbound_prefix {
            format!("{}:{}", self.namespace, self.local)
        } else if self.namespace.is_empty() {
            self.local.clone()
        } else {
            format!("{{{}}}{}", self.namespace, self.local)
        }
    }
}

/// Interned qualified names; ids are dense and stable for one table.
#[derive(Clone, Debug, Default)]
pub struct NameTable {
    names: Vec<QName>,
    index: HashMap<QName, NameId>,
}

impl NameTable {
    pub fn intern(&mut self, name: QName) -> NameId {
        if let Some(id) = self.index.get(&name) {
            return *id;
        }
        let id = NameId(u32::try_from(self.names.len()).unwrap_or(u32::MAX));
        self.names.push(name.clone());
        self.index.insert(name, id);
        id
    }
    pub fn name(&self, id: NameId) -> Option<&QName> {
        self.names.get(id.0 as usize)
    }
    pub fn find(&self, namespace: &str, local: &str) -> Option<NameId> {
        self.names
            .iter()
            .position(|n| n.namespace == namespace && n.local == local && !n.unbound_prefix)
            .and_then(|i| u32::try_from(i).ok())
            .map(NameId)
    }
    pub fn len(&self) -> usize {
        self.names.len()
    }
    pub fn is_empty(&self) -> bool {
        self.names.is_empty()
    }
    pub fn iter(&self) -> impl Iterator<Item = (NameId, &QName)> {
        self.names
            .iter()
            .enumerate()
            .map(|(i, n)| (NameId(i as u32), n))
    }
    /// Merges `other` into `self`; returns the id map from `other`'s ids to ours.
    pub fn merge(&mut self, other: &NameTable) -> Vec<NameId> {
        other.names.iter().map(|n| self.intern(n.clone())).collect()
    }
}

/// A `<status>` element: the code it carries (when readable) and where its text is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct StatusLine {
    pub code: Option<NonZeroU16>,
    pub text: RelSpan,
}

impl StatusLine {
    pub fn code(&self) -> Option<u16> {
        self.code.map(NonZeroU16::get)
    }
}

/// How a property's value is held.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ValueKind {
    /// `<x/>` or `<x></x>`.
    Empty,
    /// Character data only (entities resolved on read).
    Text,
    /// Child elements: the raw inner XML is the value.
    Xml,
}

/// One property inside a `<prop>`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Prop {
    pub name: NameId,
    pub kind: ValueKind,
    /// The inner content (between start and end tag).
    pub value: RelSpan,
}

/// A child of an `<error>` element (a precondition such as `need-privileges`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ErrorCondition {
    pub name: NameId,
    /// The whole element, tags included.
    pub element: RelSpan,
}

/// A `<propstat>`: props `props_start..props_end` in [`Multistatus::props`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Propstat {
    pub status: Option<StatusLine>,
    pub props_start: u32,
    pub props_end: u32,
    pub errors_start: u32,
    pub errors_end: u32,
    pub description: Option<RelSpan>,
}

/// Flags on a response the parser noticed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ResponseFlags(pub u8);

impl ResponseFlags {
    /// Both a response-level status and propstats (forbidden by RFC 4918 §14.24).
    pub const STATUS_AND_PROPSTAT: u8 = 1;
    /// No `<href>`.
    pub const NO_HREF: u8 = 2;
    /// No readable status code at all.
    pub const NO_CODE: u8 = 4;
    /// A `<status>` whose text holds no readable code.
    pub const UNREADABLE_STATUS: u8 = 8;

    pub fn has(&self, flag: u8) -> bool {
        self.0 & flag != 0
    }
}

/// One `<response>`. Ranges index the flat vectors of [`Multistatus`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Response {
    /// The whole `<response>` element in the body.
    pub span: Span,
    pub hrefs_start: u32,
    pub hrefs_end: u32,
    pub status: Option<StatusLine>,
    pub propstats_start: u32,
    pub propstats_end: u32,
    pub errors_start: u32,
    pub errors_end: u32,
    pub description: Option<RelSpan>,
    /// Text of the `<href>` inside `<location>`.
    pub location: Option<RelSpan>,
    pub flags: ResponseFlags,
}

/// The outcome of one response (see SEMANTICS.md). Ordered failed < partial < ok.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Outcome {
    Failed,
    Partial,
    Ok,
}

impl Outcome {
    pub fn as_str(&self) -> &'static str {
        match self {
            Outcome::Failed => "failed",
            Outcome::Partial => "partial",
            Outcome::Ok => "ok",
        }
    }
    pub fn parse(s: &str) -> Option<Outcome> {
        match s {
            "failed" => Some(Outcome::Failed),
            "partial" => Some(Outcome::Partial),
            "ok" => Some(Outcome::Ok),
            _ => None,
        }
    }
}

/// The parsed `<multistatus>`.
#[derive(Clone, Debug, Default)]
pub struct Multistatus {
    /// The `<multistatus>` element (to its end, or to where the body stopped).
    pub span: Span,
    pub responses: Vec<Response>,
    pub hrefs: Vec<RelSpan>,
    pub propstats: Vec<Propstat>,
    pub props: Vec<Prop>,
    pub errors: Vec<ErrorCondition>,
    pub names: NameTable,
    pub description: Option<Span>,
    pub sync_token: Option<Span>,
}

impl Multistatus {
    pub fn hrefs_of(&self, r: &Response) -> &[RelSpan] {
        self.hrefs
            .get(r.hrefs_start as usize..r.hrefs_end as usize)
            .unwrap_or(&[])
    }
    pub fn propstats_of(&self, r: &Response) -> &[Propstat] {
        self.propstats
            .get(r.propstats_start as usize..r.propstats_end as usize)
            .unwrap_or(&[])
    }
    pub fn props_of(&self, p: &Propstat) -> &[Prop] {
        self.props
            .get(p.props_start as usize..p.props_end as usize)
            .unwrap_or(&[])
    }
    pub fn errors_of(&self, r: &Response) -> &[ErrorCondition] {
        self.errors
            .get(r.errors_start as usize..r.errors_end as usize)
            .unwrap_or(&[])
    }
    pub fn propstat_errors(&self, p: &Propstat) -> &[ErrorCondition] {
        self.errors
            .get(p.errors_start as usize..p.errors_end as usize)
            .unwrap_or(&[])
    }

    /// Every status code of a response: its own, then each propstat's, in order.
    pub fn codes(&self, r: &Response) -> impl Iterator<Item = Option<u16>> + '_ {
        let own = r.status.map(|s| s.code());
        own.into_iter().chain(
            self.propstats_of(r)
                .iter()
                .map(|p| p.status.and_then(|s| s.code())),
        )
    }

    /// The outcome per SEMANTICS.md: ok when every code is 2xx, partial when some
    /// are, failed when none is (a response with no readable code is failed).
    pub fn outcome(&self, r: &Response) -> Outcome {
        let mut any_ok = false;
        let mut any_bad = false;
        for code in self.codes(r) {
            match code {
                Some(c) if (200..300).contains(&c) => any_ok = true,
                _ => any_bad = true,
            }
        }
        match (any_ok, any_bad) {
            (true, false) => Outcome::Ok,
            (true, true) => Outcome::Partial,
            _ => Outcome::Failed,
        }
    }

    /// The one code that best stands for a response: its own status; else the first
    /// 2xx propstat (ok / partial); else the first propstat code.
    pub fn headline_code(&self, r: &Response) -> Option<u16> {
        if let Some(s) = r.status {
            return s.code();
        }
        let codes = || {
            self.propstats_of(r)
                .iter()
                .filter_map(|p| p.status.and_then(|s| s.code()))
        };
        codes()
            .find(|c| (200..300).contains(c))
            .or_else(|| codes().next())
    }

    /// The code that explains a failure: the response status when not 2xx, else the
    /// first non-2xx propstat code.
    pub fn failure_code(&self, r: &Response) -> Option<u16> {
        self.codes(r).flatten().find(|c| !(200..300).contains(c))
    }

    pub fn relative(&self, r: &Response, rel: RelSpan) -> Span {
        let start = r.span.start + u64::from(rel.start);
        Span {
            start,
            end: start + u64::from(rel.len),
        }
    }
}

/// How bad a [`Problem`] is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    Warning,
    Error,
}

impl Severity {
    pub fn as_str(&self) -> &'static str {
        match self {
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

/// Something wrong with the input, positioned in the body.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    pub severity: Severity,
    pub message: String,
    /// Byte offset in the body.
    pub offset: u64,
    /// 1-based line; 0 until positions are resolved.
    pub line: u32,
    /// 1-based column in characters.
    pub column: u32,
    /// What the user can do about it.
    pub hint: Option<String>,
}

impl Problem {
    pub fn new(severity: Severity, message: impl Into<String>, offset: u64) -> Self {
        Problem {
            severity,
            message: message.into(),
            offset,
            line: 0,
            column: 0,
            hint: None,
        }
    }
    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn status(code: u16) -> Option<StatusLine> {
        Some(StatusLine {
            code: NonZeroU16::new(code),
            text: RelSpan::default(),
        })
    }

    fn ms_with(codes_own: Option<u16>, propstat_codes: &[Option<u16>]) -> (Multistatus, Response) {
        let mut ms = Multistatus::default();
        for c in propstat_codes {
            ms.propstats.push(Propstat {
                status: c.and_then(status),
                props_start: 0,
                props_end: 0,
                errors_start: 0,
                errors_end: 0,
                description: None,
            });
        }
        let r = Response {
            span: Span::default(),
            hrefs_start: 0,
            hrefs_end: 0,
            status: codes_own.and_then(status),
            propstats_start: 0,
            propstats_end: propstat_codes.len() as u32,
            errors_start: 0,
            errors_end: 0,
            description: None,
            location: None,
            flags: ResponseFlags::default(),
        };
        (ms, r)
    }

    #[test]
    fn outcome_follows_semantics() {
        let (ms, r) = ms_with(None, &[Some(200), Some(404)]);
        assert_eq!(ms.outcome(&r), Outcome::Partial);
        assert_eq!(ms.headline_code(&r), Some(200));
        assert_eq!(ms.failure_code(&r), Some(404));
        let (ms, r) = ms_with(Some(423), &[]);
        assert_eq!(ms.outcome(&r), Outcome::Failed);
        let (ms, r) = ms_with(None, &[Some(201)]);
        assert_eq!(ms.outcome(&r), Outcome::Ok);
        let (ms, r) = ms_with(None, &[]);
        assert_eq!(ms.outcome(&r), Outcome::Failed, "no code at all is failed");
        let (ms, r) = ms_with(None, &[None]);
        assert_eq!(ms.outcome(&r), Outcome::Failed);
        assert!(Outcome::Failed < Outcome::Partial && Outcome::Partial < Outcome::Ok);
    }

    #[test]
    fn name_table_merge_remaps() {
        let mut a = NameTable::default();
        let q = |ns: &str, l: &str| QName {
            namespace: ns.into(),
            local: l.into(),
            unbound_prefix: false,
        };
        a.intern(q("DAV:", "getetag"));
        let mut b = NameTable::default();
        let x = b.intern(q("urn:x", "color"));
        let e = b.intern(q("DAV:", "getetag"));
        let map = a.merge(&b);
        assert_eq!(map[e.0 as usize], NameId(0));
        assert_eq!(
            a.name(map[x.0 as usize]).map(QName::clark).as_deref(),
            Some("{urn:x}color")
        );
    }
}
