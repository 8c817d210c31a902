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
    /// The id of a name already interned.
    pub fn get(&self, name: &QName) -> Option<NameId> {
        self.index.get(name).copied()
    }
    pub fn len(&self) -> usize {
        self.names.len()
    }
    pub fn is_empty(&self) -> bool {
        self.names.is_empty()
    }
    /// Heap bytes held, roughly (strings, vector and index).
    pub fn heap_bytes(&self) -> usize {
        self.names
            .iter()
            .map(|n| 2 * (n.namespace.capacity() + n.local.capacity()) + 2 * 56)
            .sum::<usize>()
            + self.index.capacity() * 8
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

/// One property inside a `<prop>` (in a [`ResponseDetail`]).
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

/// Interned id of a sequence of property names (one `<prop>`'s names, in order).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ShapeId(pub u32);

/// The property-name sequences of the propstats, interned: a listing repeats a
/// handful of them a million times, so a propstat keeps one id, not its names.
#[derive(Clone, Debug, Default)]
pub struct ShapeTable {
    spans: Vec<(u32, u32)>,
    names: Vec<NameId>,
    index: HashMap<Box<[NameId]>, ShapeId, crate::core::text::Prehashed>,
}

impl ShapeTable {
    pub fn intern(&mut self, names: &[NameId]) -> ShapeId {
        if let Some(id) = self.index.get(names) {
            return *id;
        }
        let id = ShapeId(u32::try_from(self.spans.len()).unwrap_or(u32::MAX));
        let start = u32::try_from(self.names.len()).unwrap_or(u32::MAX);
        self.names.extend_from_slice(names);
        self.spans
            .push((start, u32::try_from(names.len()).unwrap_or(u32::MAX)));
        self.index.insert(Box::from(names), id);
        id
    }
    /// The names of a shape, in document order.
    pub fn names(&self, id: ShapeId) -> &[NameId] {
        self.spans
            .get(id.0 as usize)
            .and_then(|&(s, l)| self.names.get(s as usize..(s + l) as usize))
            .unwrap_or(&[])
    }
    pub fn len(&self) -> usize {
        self.spans.len()
    }
    pub fn is_empty(&self) -> bool {
        self.spans.is_empty()
    }
    /// Merges `other`, whose name ids `name_map` translates into ours; returns the
    /// id map from `other`'s shapes to ours.
    pub fn merge(&mut self, other: &ShapeTable, name_map: &[NameId]) -> Vec<ShapeId> {
        let mut buf = Vec::new();
        (0..other.spans.len())
            .map(|i| {
                buf.clear();
                buf.extend(
                    other
                        .names(ShapeId(i as u32))
                        .iter()
                        .map(|n| name_map.get(n.0 as usize).copied().unwrap_or(*n)),
                );
                self.intern(&buf)
            })
            .collect()
    }
    /// Heap bytes held (for the memory goal).
    pub fn heap_bytes(&self) -> usize {
        self.spans.capacity() * 8 + self.names.capacity() * 4 * 2 + self.index.capacity() * 24
    }
}

/// A `<propstat>`, compact: its code and the shape of its `<prop>`. The values
/// are read on demand ([`ResponseDetail`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Propstat {
    pub code: Option<NonZeroU16>,
    pub flags: PropstatFlags,
    pub shape: ShapeId,
}

impl Propstat {
    pub fn code(&self) -> Option<u16> {
        self.code.map(NonZeroU16::get)
    }
    pub fn is_success(&self) -> bool {
        self.code().is_some_and(|c| (200..300).contains(&c))
    }
}

/// Flags on a propstat.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct PropstatFlags(pub u16);

impl PropstatFlags {
    /// A `<status>` element was present (its code may be unreadable).
    pub const HAS_STATUS: u16 = 1;
    pub fn has(&self, flag: u16) -> bool {
        self.0 & flag != 0
    }
}

/// Flags on a response the parser noticed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ResponseFlags(pub u16);

impl ResponseFlags {
    /// Both a response-level status and propstats (forbidden by RFC 4918 §14.24).
    pub const STATUS_AND_PROPSTAT: u16 = 1;
    /// No `<href>`.
    pub const NO_HREF: u16 = 2;
    /// No readable status code at all.
    pub const NO_CODE: u16 = 4;
    /// A `<status>` whose text holds no readable code.
    pub const UNREADABLE_STATUS: u16 = 8;
    /// A response-level `<status>` element was present.
    pub const HAS_STATUS: u16 = 16;
    /// More than one `<href>`.
    pub const MORE_HREFS: u16 = 32;
    /// `<error>` conditions (response or propstat level).
    pub const HAS_ERROR: u16 = 64;
    /// A `<responsedescription>` (response or propstat level).
    pub const HAS_DESCRIPTION: u16 = 128;
    /// A `<location>`.
    pub const HAS_LOCATION: u16 = 256;
    /// A `resourcetype` holding `collection`, in any propstat.
    pub const COLLECTION: u16 = 512;
    /// A `resourcetype` in a 2xx propstat (the first such one is what the server
    /// declared the resource to be).
    pub const TYPE_DECLARED: u16 = 1024;
    /// ... and it holds `collection`.
    pub const DECLARED_COLLECTION: u16 = 2048;

    pub fn has(&self, flag: u16) -> bool {
        self.0 & flag != 0
    }
}

/// One `<response>`, compact (32 bytes): what the tree, the filters and the
/// summaries need. Everything else is read again from the body on demand with
/// [`crate::core::parse::xml::read_response`], which gives a [`ResponseDetail`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Response {
    /// Where the `<response>` element starts in the body.
    pub start: u64,
    /// Its length (saturated at 4 GiB).
    pub len: u32,
    /// The first `<href>`'s text, whitespace trimmed (empty when there is none).
    pub href: RelSpan,
    pub propstats_start: u32,
    pub propstats_len: u32,
    /// The response-level status code.
    pub code: Option<NonZeroU16>,
    pub flags: ResponseFlags,
}

impl Response {
    /// The whole `<response>` element in the body.
    pub fn span(&self) -> Span {
        Span {
            start: self.start,
            end: self.start + u64::from(self.len),
        }
    }
    /// The response-level status: `None` without a `<status>`, `Some(None)` for
    /// one with no readable code.
    pub fn status(&self) -> Option<Option<u16>> {
        self.flags
            .has(ResponseFlags::HAS_STATUS)
            .then(|| self.code.map(NonZeroU16::get))
    }
    /// The response-level status code, when there is a readable one.
    pub fn status_code(&self) -> Option<u16> {
        self.code.map(NonZeroU16::get)
    }
    /// Whether reading the detail can tell more than the compact record.
    pub fn has_extras(&self) -> bool {
        self.flags.has(
            ResponseFlags::MORE_HREFS
                | ResponseFlags::HAS_ERROR
                | ResponseFlags::HAS_DESCRIPTION
                | ResponseFlags::HAS_LOCATION,
        )
    }
}

/// A `<propstat>` as read in full.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PropstatDetail {
    pub status: Option<StatusLine>,
    pub props: Vec<Prop>,
    pub errors: Vec<ErrorCondition>,
    pub description: Option<RelSpan>,
}

impl PropstatDetail {
    pub fn code(&self) -> Option<u16> {
        self.status.and_then(|s| s.code())
    }
    pub fn is_success(&self) -> bool {
        self.code().is_some_and(|c| (200..300).contains(&c))
    }
}

/// A `<response>` as read in full: spans are relative to the response start.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ResponseDetail {
    pub hrefs: Vec<RelSpan>,
    pub status: Option<StatusLine>,
    pub propstats: Vec<PropstatDetail>,
    /// Response-level error conditions.
    pub errors: Vec<ErrorCondition>,
    pub description: Option<RelSpan>,
    /// Text of the `<href>` inside `<location>`.
    pub location: Option<RelSpan>,
}

impl ResponseDetail {
    /// Every error condition: the response's own, then each propstat's.
    pub fn all_errors(&self) -> impl Iterator<Item = &ErrorCondition> {
        self.errors
            .iter()
            .chain(self.propstats.iter().flat_map(|p| p.errors.iter()))
    }
    /// Every property of every propstat, with its propstat.
    pub fn props(&self) -> impl Iterator<Item = (&PropstatDetail, &Prop)> {
        self.propstats
            .iter()
            .flat_map(|ps| ps.props.iter().map(move |p| (ps, p)))
    }
}

/// An error condition's name, by response (for the `error:` filter).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Condition {
    pub response: u32,
    pub name: NameId,
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

/// The parsed `<multistatus>`, compact.
#[derive(Clone, Debug, Default)]
pub struct Multistatus {
    /// The `<multistatus>` element (to its end, or to where the body stopped).
    pub span: Span,
    pub responses: Vec<Response>,
    pub propstats: Vec<Propstat>,
    pub shapes: ShapeTable,
    /// Error condition names, in document order.
    pub conditions: Vec<Condition>,
    pub names: NameTable,
    pub description: Option<Span>,
    pub sync_token: Option<Span>,
    /// The parser state between two children of the multistatus: what reading one
    /// response again needs (its namespace bindings).
    pub(crate) context: Option<std::sync::Arc<crate::core::parse::xml::BoundaryState>>,
}

impl Multistatus {
    pub fn propstats_of(&self, r: &Response) -> &[Propstat] {
        let s = r.propstats_start as usize;
        self.propstats
            .get(s..s + r.propstats_len as usize)
            .unwrap_or(&[])
    }
    /// The index of a response of this document (found by where it starts).
    pub fn index_of(&self, r: &Response) -> Option<usize> {
        let i = self.responses.partition_point(|x| x.start < r.start);
        (self.responses.get(i)? == r).then_some(i)
    }
    /// The property names of a propstat, in document order.
    pub fn prop_names(&self, p: &Propstat) -> &[NameId] {
        self.shapes.names(p.shape)
    }
    /// Whether a response has a property among `ids` (in any propstat).
    pub fn has_prop(&self, r: &Response, ids: &[NameId]) -> bool {
        self.propstats_of(r)
            .iter()
            .any(|ps| self.prop_names(ps).iter().any(|n| ids.contains(n)))
    }
    /// The error conditions of response `index`.
    pub fn conditions_of(&self, index: usize) -> &[Condition] {
        let i = index as u32;
        let s = self.conditions.partition_point(|c| c.response < i);
        let e = s + self.conditions[s..].partition_point(|c| c.response == i);
        &self.conditions[s..e]
    }

    /// Every status code of a response: its own, then each propstat's, in order.
    pub fn codes(&self, r: &Response) -> impl Iterator<Item = Option<u16>> + '_ {
        r.status()
            .into_iter()
            .chain(self.propstats_of(r).iter().map(|p| p.code()))
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
        if let Some(s) = r.status() {
            return s;
        }
        let codes = || self.propstats_of(r).iter().filter_map(|p| p.code());
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
        let start = r.start + u64::from(rel.start);
        Span {
            start,
            end: start + u64::from(rel.len),
        }
    }

    /// Whether two documents read their responses with the same namespace
    /// bindings (so equal bytes mean equal responses).
    pub fn same_context(&self, other: &Multistatus) -> bool {
        match (&self.context, &other.context) {
            (Some(a), Some(b)) => a.same_bindings(b),
            (None, None) => true,
            _ => false,
        }
    }

    /// Heap bytes the model holds (for the memory goal; the body is not counted).
    pub fn heap_bytes(&self) -> usize {
        self.responses.capacity() * std::mem::size_of::<Response>()
            + self.propstats.capacity() * std::mem::size_of::<Propstat>()
            + self.conditions.capacity() * std::mem::size_of::<Condition>()
            + self.shapes.heap_bytes()
            + self.names.heap_bytes()
    }
}

/// Gives a vector's spare capacity back when it is more than an eighth of its
/// length (a reserved estimate is close enough; a doubled one is not), so the
/// copy a shrink costs is only paid when it saves real memory.
pub fn trim_slack<T>(v: &mut Vec<T>) {
    if v.capacity() > v.len() + v.len() / 8 + 16 {
        v.shrink_to_fit();
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

    fn ms_with(codes_own: Option<u16>, propstat_codes: &[Option<u16>]) -> (Multistatus, Response) {
        let mut ms = Multistatus::default();
        for c in propstat_codes {
            ms.propstats.push(Propstat {
                code: c.and_then(NonZeroU16::new),
                flags: PropstatFlags(PropstatFlags::HAS_STATUS),
                shape: ShapeId(0),
            });
        }
        let r = Response {
            start: 0,
            len: 0,
            href: RelSpan::default(),
            propstats_start: 0,
            propstats_len: propstat_codes.len() as u32,
            code: codes_own.and_then(NonZeroU16::new),
            flags: ResponseFlags(if codes_own.is_some() {
                ResponseFlags::HAS_STATUS
            } else {
                0
            }),
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
    fn compact_records_stay_small() {
        // The memory goal (model heap <= 0.2x the payload) rests on these sizes.
        assert_eq!(std::mem::size_of::<Response>(), 32);
        assert_eq!(std::mem::size_of::<Propstat>(), 8);
    }

    #[test]
    fn shapes_intern_and_merge() {
        let mut a = ShapeTable::default();
        let s1 = a.intern(&[NameId(0), NameId(1)]);
        assert_eq!(a.intern(&[NameId(0), NameId(1)]), s1);
        let s2 = a.intern(&[NameId(1)]);
        assert_ne!(s1, s2);
        assert_eq!(a.names(s2), &[NameId(1)]);
        let mut b = ShapeTable::default();
        let t = b.intern(&[NameId(5)]);
        let map = a.merge(
            &b,
            &[
                NameId(0),
                NameId(0),
                NameId(0),
                NameId(0),
                NameId(0),
                NameId(1),
            ],
        );
        assert_eq!(
            map[t.0 as usize], s2,
            "same names after remapping: same shape"
        );
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
