//! Request bodies: the templates (allprop ... lockinfo), the property names the
//! picker offers, the XML check before sending, and the `sync-token` of a reply for
//! the next sync-collection. Pure functions over text; part of `core::fetch`.

use crate::core::fetch::Depth;
use crate::core::model::{Problem, Severity};
use crate::core::text::LineIndex;

/// Checks that a body is well-formed XML with declared prefixes, before it is sent.
/// The problem carries its offset, line and column (render it with
/// `core::render::render_problem`).
pub fn check_xml(body: &[u8]) -> Result<(), Problem> {
    use quick_xml::events::Event;
    use quick_xml::name::ResolveResult;

    let located = |message: String, offset: usize, hint: Option<&str>| {
        let mut p = Problem::new(Severity::Error, message, offset as u64);
        let (line, column) = LineIndex::new(body, offset + 1).position(offset as u64);
        p.line = line;
        p.column = column;
        if let Some(h) = hint {
            p = p.with_hint(h);
        }
        p
    };
    let text = match std::str::from_utf8(body) {
        Ok(t) => t,
        Err(e) => {
            return Err(located(
                "the body is not UTF-8".into(),
                e.valid_up_to(),
                Some("save the body as UTF-8"),
            ));
        }
    };
    let mut reader = quick_xml::NsReader::from_str(text);
    reader.config_mut().check_end_names = true;
    let mut open: Vec<String> = Vec::new();
    let mut root_seen = false;
    let mut root_closed = false;
    loop {
        let before = reader.buffer_position() as usize;
        let (resolved, event) = match reader.read_resolved_event() {
            Ok(x) => x,
            Err(e) => {
                return Err(located(
                    format!("malformed XML: {e}"),
                    reader.error_position() as usize,
                    None,
                ));
            }
        };
        let unbound = matches!(resolved, ResolveResult::Unknown(_));
        match event {
            Event::Start(e) | Event::Empty(e) if root_closed => {
                let _ = e;
                return Err(located(
                    "a second root element: XML has exactly one".into(),
                    before,
                    Some("wrap the elements in one, e.g. <D:propfind xmlns:D=\"DAV:\">"),
                ));
            }
            Event::Start(e) => {
                let name = e.name().as_ref().to_string();
                if unbound {
                    return Err(unbound_prefix(&name, before, &located));
                }
                check_attribute_prefixes(&reader, &e, before, &located)?;
                root_seen = true;
                open.push(name);
            }
            Event::Empty(e) => {
                let name = e.name().as_ref().to_string();
                if unbound {
                    return Err(unbound_prefix(&name, before, &located));
                }
                check_attribute_prefixes(&reader, &e, before, &located)?;
                root_seen = true;
                if open.is_empty() {
                    root_closed = true;
                }
            }
            Event::End(_) => {
                open.pop();
                if open.is_empty() {
                    root_closed = true;
                }
            }
            Event::Text(t)
                if open.is_empty() && t.as_ref().bytes().any(|b| !b.is_ascii_whitespace()) =>
            {
                let first = t
                    .as_ref()
                    .bytes()
                    .position(|b| !b.is_ascii_whitespace())
                    .unwrap_or(0);
                return Err(located(
                    format!(
                        "text {} the root element",
                        if root_closed { "after" } else { "before" }
                    ),
                    before + first,
                    None,
                ));
            }
            Event::GeneralRef(r) => {
                let name = r.as_ref().to_string();
                let known = matches!(name.as_str(), "lt" | "gt" | "amp" | "apos" | "quot")
                    || name.starts_with('#');
                if !known {
                    return Err(located(
                        format!("unknown entity &{name};"),
                        before,
                        Some(
                            "only &lt; &gt; &amp; &apos; &quot; and character references are predefined",
                        ),
                    ));
                }
                if open.is_empty() {
                    return Err(located(
                        "text outside the root element".into(),
                        before,
                        None,
                    ));
                }
            }
            Event::CData(_) if open.is_empty() => {
                return Err(located(
                    "CDATA outside the root element".into(),
                    before,
                    None,
                ));
            }
            Event::Eof => {
                if let Some(name) = open.last() {
                    return Err(located(
                        format!("<{name}> is not closed"),
                        body.len(),
                        Some("close every element; the body ends too early"),
                    ));
                }
                if !root_seen {
                    return Err(located(
                        "no XML element in the body".into(),
                        body.len(),
                        None,
                    ));
                }
                return Ok(());
            }
            _ => {}
        }
    }
}

fn unbound_prefix(
    name: &str,
    at: usize,
    located: &dyn Fn(String, usize, Option<&str>) -> Problem,
) -> Problem {
    let prefix = name.split_once(':').map(|(p, _)| p).unwrap_or(name);
    located(
        format!("prefix `{prefix}` is not declared"),
        at,
        Some("declare it, e.g. xmlns:D=\"DAV:\" on the root element"),
    )
}

fn check_attribute_prefixes(
    reader: &quick_xml::NsReader<&[u8]>,
    e: &quick_xml::events::BytesStart<'_>,
    at: usize,
    located: &dyn Fn(String, usize, Option<&str>) -> Problem,
) -> Result<(), Problem> {
    for attr in e.attributes() {
        let attr = match attr {
            Ok(a) => a,
            Err(err) => {
                return Err(located(format!("malformed attribute: {err}"), at, None));
            }
        };
        let (resolved, _) = reader.resolver().resolve_attribute(attr.key);
        if matches!(resolved, quick_xml::name::ResolveResult::Unknown(_)) {
            let name = attr.key.as_ref().to_string();
            return Err(unbound_prefix(&name, at, located));
        }
    }
    Ok(())
}

/// A property name: namespace and local name.
#[derive(Clone, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub struct PropName {
    pub ns: String,
    pub name: String,
}

/// Namespaces with their usual prefixes.
pub const NAMESPACES: [(&str, &str); 7] = [
    ("D", "DAV:"),
    ("C", "urn:ietf:params:xml:ns:caldav"),
    ("CR", "urn:ietf:params:xml:ns:carddav"),
    ("CS", "http://calendarserver.org/ns/"),
    ("A", "http://apple.com/ns/ical/"),
    ("oc", "http://owncloud.org/ns"),
    ("nc", "http://nextcloud.org/ns"),
];

/// A property the picker offers.
#[derive(Clone, Copy, Debug)]
pub struct CommonProp {
    /// Usual prefix (see [`NAMESPACES`]).
    pub prefix: &'static str,
    pub name: &'static str,
    pub about: &'static str,
}

const fn prop(prefix: &'static str, name: &'static str, about: &'static str) -> CommonProp {
    CommonProp {
        prefix,
        name,
        about,
    }
}

/// Common DAV, CalDAV, CardDAV and ownCloud/Nextcloud properties, for the picker.
pub const COMMON_PROPS: [CommonProp; 32] = [
    prop("D", "displayname", "name to show"),
    prop("D", "resourcetype", "collection or not"),
    prop("D", "getetag", "entity tag"),
    prop("D", "getlastmodified", "last change"),
    prop("D", "getcontentlength", "size in bytes"),
    prop("D", "getcontenttype", "media type"),
    prop("D", "creationdate", "creation time"),
    prop("D", "lockdiscovery", "active locks"),
    prop("D", "supportedlock", "lock kinds supported"),
    prop("D", "quota-available-bytes", "free space (RFC 4331)"),
    prop("D", "quota-used-bytes", "used space (RFC 4331)"),
    prop("D", "sync-token", "collection sync token (RFC 6578)"),
    prop("D", "current-user-principal", "who you are (RFC 5397)"),
    prop(
        "D",
        "current-user-privilege-set",
        "what you may do (RFC 3744)",
    ),
    prop("D", "owner", "owner principal (RFC 3744)"),
    prop("D", "supported-report-set", "REPORTs supported (RFC 3253)"),
    prop("C", "calendar-home-set", "where calendars live"),
    prop("C", "calendar-data", "the iCalendar text"),
    prop("C", "calendar-description", "calendar description"),
    prop("C", "supported-calendar-component-set", "VEVENT, VTODO..."),
    prop("CS", "getctag", "collection change tag"),
    prop("A", "calendar-color", "calendar colour"),
    prop("CR", "addressbook-home-set", "where address books live"),
    prop("CR", "address-data", "the vCard text"),
    prop("CR", "addressbook-description", "address book description"),
    prop("oc", "fileid", "ownCloud/Nextcloud file id"),
    prop("oc", "id", "ownCloud/Nextcloud id"),
    prop("oc", "permissions", "ownCloud permission letters"),
    prop("oc", "size", "folder size"),
    prop("oc", "owner-display-name", "owner's name"),
    prop("nc", "has-preview", "Nextcloud preview available"),
    prop("nc", "mount-type", "Nextcloud mount kind"),
];

impl PropName {
    pub fn dav(name: &str) -> Self {
        PropName {
            ns: "DAV:".into(),
            name: name.into(),
        }
    }

    /// `displayname` (DAV:), `C:calendar-data`, `cal:calendar-data`, `oc:fileid`, or
    /// Clark notation `{http://example.com/ns}color`. Known prefixes are those of
    /// [`NAMESPACES`], case-insensitive, plus `d`, `cal`, `card`, `cs`.
    pub fn parse(text: &str) -> Result<Self, String> {
        let text = text.trim();
        if let Some(rest) = text.strip_prefix('{') {
            let (ns, name) = rest
                .split_once('}')
                .ok_or_else(|| format!("`{text}`: Clark notation needs {{namespace}}name"))?;
            return Self::checked(ns, name, text);
        }
        match text.split_once(':') {
            None => Self::checked("DAV:", text, text),
            Some((prefix, name)) => {
                let ns = match prefix.to_ascii_lowercase().as_str() {
                    "d" | "dav" => "DAV:",
                    "c" | "cal" | "caldav" => "urn:ietf:params:xml:ns:caldav",
                    "cr" | "card" | "carddav" => "urn:ietf:params:xml:ns:carddav",
                    "cs" => "http://calendarserver.org/ns/",
                    "a" | "apple" => "http://apple.com/ns/ical/",
                    "oc" => "http://owncloud.org/ns",
                    "nc" => "http://nextcloud.org/ns",
                    _ => {
                        return Err(format!(
                            "`{text}`: unknown prefix `{prefix}` (use D, C, CR, CS, A, oc, nc or {{namespace}}name)"
                        ));
                    }
                };
                Self::checked(ns, name, text)
            }
        }
    }

    fn checked(ns: &str, name: &str, text: &str) -> Result<Self, String> {
        let valid = !name.is_empty()
            && name
                .chars()
                .next()
                .is_some_and(|c| c.is_alphabetic() || c == '_')
            && name
                .chars()
                .all(|c| c.is_alphanumeric() || matches!(c, '-' | '_' | '.'));
        if !valid {
            return Err(format!("`{text}`: `{name}` is not an XML name"));
        }
        Ok(PropName {
            ns: ns.to_string(),
            name: name.to_string(),
        })
    }
}

/// A request body template.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Template {
    AllProp,
    PropName,
    Props(Vec<PropName>),
    CalendarMultiget {
        hrefs: Vec<String>,
    },
    /// `start` and `end` as iCalendar UTC times, `20250101T000000Z`.
    CalendarQuery {
        start: String,
        end: String,
    },
    AddressbookMultiget {
        hrefs: Vec<String>,
    },
    /// An empty token asks for the initial sync.
    SyncCollection {
        token: String,
    },
    ProppatchSet(Vec<(PropName, String)>),
    ProppatchRemove(Vec<PropName>),
    LockInfo {
        owner: String,
    },
}

/// Template names, as [`Template::parse`] takes them.
pub const TEMPLATE_NAMES: [&str; 10] = [
    "allprop",
    "propname",
    "props",
    "calendar-multiget",
    "calendar-query",
    "addressbook-multiget",
    "sync-collection",
    "proppatch-set",
    "proppatch-remove",
    "lockinfo",
];

impl Template {
    /// `NAME` or `NAME:ARGS`:
    /// `allprop`, `propname`, `props:displayname,getetag,C:calendar-data`,
    /// `calendar-multiget:/cal/a.ics,/cal/b.ics`,
    /// `calendar-query:20250101T000000Z/20250201T000000Z`,
    /// `addressbook-multiget:/ab/1.vcf,/ab/2.vcf`, `sync-collection[:TOKEN]`,
    /// `proppatch-set:oc:favorite=1,displayname=Notes`,
    /// `proppatch-remove:oc:favorite`, `lockinfo[:OWNER]`.
    pub fn parse(spec: &str) -> Result<Template, String> {
        let spec = spec.trim();
        let (name, args) = match spec.split_once(':') {
            Some((n, a)) => (n.trim(), Some(a.trim())),
            None => (spec, None),
        };
        let list = |args: Option<&str>| -> Vec<String> {
            args.unwrap_or("")
                .split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_string)
                .collect()
        };
        let needs = |what: &str| format!("`{name}` needs {what}, e.g. --body '{}'", example(name));
        match name.to_ascii_lowercase().as_str() {
            "allprop" => Ok(Template::AllProp),
            "propname" => Ok(Template::PropName),
            "props" | "prop" => {
                let props = list(args)
                    .iter()
                    .map(|p| PropName::parse(p))
                    .collect::<Result<Vec<_>, _>>()?;
                if props.is_empty() {
                    return Err(needs("property names"));
                }
                Ok(Template::Props(props))
            }
            "calendar-multiget" | "addressbook-multiget" => {
                let hrefs = list(args);
                if hrefs.is_empty() {
                    return Err(needs("hrefs"));
                }
                Ok(if name.starts_with("calendar") {
                    Template::CalendarMultiget { hrefs }
                } else {
                    Template::AddressbookMultiget { hrefs }
                })
            }
            "calendar-query" => {
                let (start, end) = args
                    .and_then(|a| a.split_once('/'))
                    .ok_or_else(|| needs("START/END"))?;
                for t in [start, end] {
                    if !is_ical_utc(t.trim()) {
                        return Err(format!(
                            "`{t}` is not an iCalendar UTC time like 20250101T000000Z"
                        ));
                    }
                }
                Ok(Template::CalendarQuery {
                    start: start.trim().into(),
                    end: end.trim().into(),
                })
            }
            "sync-collection" => Ok(Template::SyncCollection {
                token: args.unwrap_or("").to_string(),
            }),
            "proppatch-set" => {
                let mut sets = Vec::new();
                for item in list(args) {
                    let (k, v) = item
                        .split_once('=')
                        .ok_or_else(|| format!("`{item}`: proppatch-set takes NAME=VALUE"))?;
                    sets.push((PropName::parse(k)?, v.to_string()));
                }
                if sets.is_empty() {
                    return Err(needs("NAME=VALUE pairs"));
                }
                Ok(Template::ProppatchSet(sets))
            }
            "proppatch-remove" => {
                let props = list(args)
                    .iter()
                    .map(|p| PropName::parse(p))
                    .collect::<Result<Vec<_>, _>>()?;
                if props.is_empty() {
                    return Err(needs("property names"));
                }
                Ok(Template::ProppatchRemove(props))
            }
            "lockinfo" => Ok(Template::LockInfo {
                owner: args.unwrap_or("davscope").to_string(),
            }),
            _ => Err(format!(
                "unknown template `{name}`; known: {}",
                TEMPLATE_NAMES.join(", ")
            )),
        }
    }

    /// The method this body goes with.
    pub fn method(&self) -> &'static str {
        match self {
            Template::AllProp | Template::PropName | Template::Props(_) => "PROPFIND",
            Template::CalendarMultiget { .. }
            | Template::CalendarQuery { .. }
            | Template::AddressbookMultiget { .. }
            | Template::SyncCollection { .. } => "REPORT",
            Template::ProppatchSet(_) | Template::ProppatchRemove(_) => "PROPPATCH",
            Template::LockInfo { .. } => "LOCK",
        }
    }

    /// The Depth the specification asks for (`None`: send no Depth header).
    pub fn depth(&self) -> Option<Depth> {
        match self {
            Template::AllProp | Template::PropName | Template::Props(_) => Some(Depth::One),
            // RFC 4791 §7.8: Depth 1 searches the calendar's members.
            Template::CalendarQuery { .. } => Some(Depth::One),
            // RFC 6578 §3.2: only defined for Depth 0.
            Template::SyncCollection { .. } => Some(Depth::Zero),
            Template::LockInfo { .. } => Some(Depth::Zero),
            _ => None,
        }
    }
}

fn example(name: &str) -> &'static str {
    match name {
        "props" | "prop" => "props:displayname,getetag",
        "calendar-multiget" => "calendar-multiget:/cal/a.ics,/cal/b.ics",
        "addressbook-multiget" => "addressbook-multiget:/ab/1.vcf",
        "calendar-query" => "calendar-query:20250101T000000Z/20250201T000000Z",
        "proppatch-set" => "proppatch-set:displayname=Notes",
        "proppatch-remove" => "proppatch-remove:oc:favorite",
        _ => "allprop",
    }
}

fn is_ical_utc(t: &str) -> bool {
    let b = t.as_bytes();
    b.len() == 16
        && b[..8].iter().all(u8::is_ascii_digit)
        && b[8] == b'T'
        && b[9..15].iter().all(u8::is_ascii_digit)
        && b[15] == b'Z'
}

/// Escapes text for XML content and attribute values.
pub fn xml_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c => out.push(c),
        }
    }
    out
}

/// Assigns prefixes to the namespaces a body uses.
struct Prefixes {
    used: Vec<(String, String)>,
}

impl Prefixes {
    fn new() -> Self {
        Prefixes {
            used: vec![("D".into(), "DAV:".into())],
        }
    }

    fn prefix(&mut self, ns: &str) -> String {
        if let Some((p, _)) = self.used.iter().find(|(_, n)| n == ns) {
            return p.clone();
        }
        let p = NAMESPACES
            .iter()
            .find(|(_, n)| *n == ns)
            .map(|(p, _)| p.to_string())
            .unwrap_or_else(|| format!("x{}", self.used.len()));
        self.used.push((p.clone(), ns.to_string()));
        p
    }

    fn tag(&mut self, prop: &PropName) -> String {
        format!("{}:{}", self.prefix(&prop.ns), prop.name)
    }

    fn declarations(&self) -> String {
        self.used
            .iter()
            .map(|(p, n)| format!(" xmlns:{p}=\"{}\"", xml_escape(n)))
            .collect()
    }
}

fn prop_block(prefixes: &mut Prefixes, props: &[PropName], indent: &str) -> String {
    let mut out = format!("{indent}<D:prop>\n");
    for p in props {
        out.push_str(&format!("{indent}  <{}/>\n", prefixes.tag(p)));
    }
    out.push_str(&format!("{indent}</D:prop>\n"));
    out
}

fn hrefs_block(hrefs: &[String]) -> String {
    hrefs
        .iter()
        .map(|h| format!("  <D:href>{}</D:href>\n", xml_escape(h)))
        .collect()
}

fn document(root: &str, prefixes: &Prefixes, inner: &str) -> String {
    format!(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<{root}{}>\n{inner}</{root}>\n",
        prefixes.declarations()
    )
}

/// The XML body of a template.
pub fn template(t: &Template) -> String {
    let mut px = Prefixes::new();
    match t {
        Template::AllProp => document("D:propfind", &px, "  <D:allprop/>\n"),
        Template::PropName => document("D:propfind", &px, "  <D:propname/>\n"),
        Template::Props(props) => {
            let inner = prop_block(&mut px, props, "  ");
            document("D:propfind", &px, &inner)
        }
        Template::CalendarMultiget { hrefs } => {
            px.prefix("urn:ietf:params:xml:ns:caldav");
            let props = [
                PropName::dav("getetag"),
                PropName {
                    ns: "urn:ietf:params:xml:ns:caldav".into(),
                    name: "calendar-data".into(),
                },
            ];
            let inner = prop_block(&mut px, &props, "  ") + &hrefs_block(hrefs);
            document("C:calendar-multiget", &px, &inner)
        }
        Template::AddressbookMultiget { hrefs } => {
            px.prefix("urn:ietf:params:xml:ns:carddav");
            let props = [
                PropName::dav("getetag"),
                PropName {
                    ns: "urn:ietf:params:xml:ns:carddav".into(),
                    name: "address-data".into(),
                },
            ];
            let inner = prop_block(&mut px, &props, "  ") + &hrefs_block(hrefs);
            document("CR:addressbook-multiget", &px, &inner)
        }
        Template::CalendarQuery { start, end } => {
            px.prefix("urn:ietf:params:xml:ns:caldav");
            let props = [
                PropName::dav("getetag"),
                PropName {
                    ns: "urn:ietf:params:xml:ns:caldav".into(),
                    name: "calendar-data".into(),
                },
            ];
            let mut inner = prop_block(&mut px, &props, "  ");
            inner.push_str(&format!(
                "  <C:filter>\n    <C:comp-filter name=\"VCALENDAR\">\n      <C:comp-filter name=\"VEVENT\">\n        <C:time-range start=\"{}\" end=\"{}\"/>\n      </C:comp-filter>\n    </C:comp-filter>\n  </C:filter>\n",
                xml_escape(start),
                xml_escape(end)
            ));
            document("C:calendar-query", &px, &inner)
        }
        Template::SyncCollection { token } => {
            let mut inner = if token.is_empty() {
                "  <D:sync-token/>\n".to_string()
            } else {
                format!("  <D:sync-token>{}</D:sync-token>\n", xml_escape(token))
            };
            inner.push_str("  <D:sync-level>1</D:sync-level>\n");
            inner.push_str(&prop_block(&mut px, &[PropName::dav("getetag")], "  "));
            document("D:sync-collection", &px, &inner)
        }
        Template::ProppatchSet(sets) => {
            let mut inner = "  <D:set>\n    <D:prop>\n".to_string();
            for (p, v) in sets {
                let tag = px.tag(p);
                inner.push_str(&format!("      <{tag}>{}</{tag}>\n", xml_escape(v)));
            }
            inner.push_str("    </D:prop>\n  </D:set>\n");
            document("D:propertyupdate", &px, &inner)
        }
        Template::ProppatchRemove(props) => {
            let mut inner = "  <D:remove>\n".to_string();
            inner.push_str(&prop_block(&mut px, props, "    "));
            inner.push_str("  </D:remove>\n");
            document("D:propertyupdate", &px, &inner)
        }
        Template::LockInfo { owner } => {
            let inner = format!(
                "  <D:lockscope><D:exclusive/></D:lockscope>\n  <D:locktype><D:write/></D:locktype>\n  <D:owner>{}</D:owner>\n",
                xml_escape(owner)
            );
            document("D:lockinfo", &px, &inner)
        }
    }
}

/// The `sync-token` of a reply body (for filling the next sync-collection template).
pub fn sync_token_of(body: &[u8]) -> Option<String> {
    let text = std::str::from_utf8(body).ok()?;
    let mut reader = quick_xml::NsReader::from_str(text);
    let mut depth = 0usize;
    let mut inside = false;
    let mut token = String::new();
    loop {
        let (resolved, event) = reader.read_resolved_event().ok()?;
        match event {
            quick_xml::events::Event::Start(e) => {
                depth += 1;
                let dav = matches!(resolved, quick_xml::name::ResolveResult::Bound(ns) if ns.as_ref() == "DAV:");
                // Only the multistatus' own sync-token (depth 2), not a property's.
                if dav && depth == 2 && e.local_name().as_ref() == "sync-token" {
                    inside = true;
                }
            }
            quick_xml::events::Event::End(_) => {
                if inside {
                    return Some(crate::core::text::decode_text(token.trim()).into_owned());
                }
                depth = depth.saturating_sub(1);
            }
            quick_xml::events::Event::Text(t) if inside => {
                token.push_str(t.as_ref());
            }
            quick_xml::events::Event::GeneralRef(r) if inside => {
                token.push('&');
                token.push_str(r.as_ref());
                token.push(';');
            }
            quick_xml::events::Event::Eof => return None,
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn templates_are_well_formed_xml() {
        let specs = [
            "allprop",
            "propname",
            "props:displayname,getetag,C:calendar-data,oc:fileid,{http://x.example/ns}color",
            "calendar-multiget:/cal/a.ics,/cal/b&c.ics",
            "calendar-query:20250101T000000Z/20250201T000000Z",
            "addressbook-multiget:/ab/1.vcf",
            "sync-collection",
            "sync-collection:http://example.com/sync/1?a=1&b=2",
            "proppatch-set:oc:favorite=1,displayname=<Notes & more>",
            "proppatch-remove:oc:favorite",
            "lockinfo:mailto:alice@example.com",
        ];
        for spec in specs {
            let t = Template::parse(spec).expect(spec);
            let xml = template(&t);
            check_xml(xml.as_bytes()).unwrap_or_else(|p| panic!("{spec}: {p:?}\n{xml}"));
        }
        assert!(Template::parse("props").is_err());
        assert!(Template::parse("calendar-query:2025/2026").is_err());
        assert!(Template::parse("nope").is_err());
        assert!(Template::parse("props:zz:foo").is_err());
    }

    #[test]
    fn check_xml_reports_position() {
        let bad = b"<D:propfind xmlns:D=\"DAV:\">\n  <D:prop><D:getetag></D:prop>\n</D:propfind>";
        let p = check_xml(bad).expect_err("mismatched");
        assert_eq!(p.line, 2, "{p:?}");
        let p = check_xml(b"<x:propfind/>").expect_err("unbound");
        assert!(p.message.contains("`x`"), "{p:?}");
        let p = check_xml(b"<a>").expect_err("unclosed");
        assert!(p.message.contains("not closed"), "{p:?}");
        assert!(check_xml(b"<a/><b/>").is_err());
        assert!(check_xml(b"<a>&nbsp;</a>").is_err());
        assert!(check_xml(b"<a>&amp;&#160;</a>").is_ok());
        assert!(check_xml(b"  ").is_err());
    }

    #[test]
    fn sync_token_is_found() {
        let body = b"<d:multistatus xmlns:d=\"DAV:\"><d:response><d:href>/a</d:href><d:propstat><d:prop><d:sync-token>inner</d:sync-token></d:prop></d:propstat></d:response><d:sync-token>http://x/sync/3?a=1&amp;b=2</d:sync-token></d:multistatus>";
        assert_eq!(
            sync_token_of(body).as_deref(),
            Some("http://x/sync/3?a=1&b=2")
        );
    }
}
