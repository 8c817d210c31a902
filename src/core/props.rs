//! Well-known properties read humanely: sizes, resource types, privilege sets and
//! active locks. Namespace-agnostic scans of a property's raw inner XML (its
//! prefixes are declared higher up, so local names are matched).
//!
//! Used by the details panel and the diagnosis; depends only on quick-xml.

use quick_xml::Reader;
use quick_xml::events::Event;

/// An `activelock` from a `lockdiscovery` value.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ActiveLock {
    pub scope: String,
    pub kind: String,
    pub depth: String,
    pub owner: String,
    pub timeout: String,
    pub token: String,
    pub root: String,
}

fn local(name: &str) -> &str {
    name.rsplit(':').next().unwrap_or(name)
}

/// Local names of the elements directly or indirectly inside a fragment, in order.
pub fn element_names(raw: &str) -> Vec<String> {
    let mut reader = Reader::from_str(raw);
    let mut out = Vec::new();
    loop {
        match reader.read_event() {
            Ok(Event::Start(e)) | Ok(Event::Empty(e)) => {
                out.push(local(e.name().as_ref()).to_string());
            }
            Ok(Event::Eof) | Err(_) => break,
            Ok(_) => {}
        }
    }
    out
}

/// Local names of the children of a fragment's root element.
pub fn root_children(raw: &str) -> Vec<String> {
    let mut reader = Reader::from_str(raw);
    let mut out = Vec::new();
    let mut depth = 0usize;
    loop {
        match reader.read_event() {
            Ok(Event::Start(e)) => {
                if depth == 1 {
                    out.push(local(e.name().as_ref()).to_string());
                }
                depth += 1;
            }
            Ok(Event::Empty(e)) => {
                if depth == 1 {
                    out.push(local(e.name().as_ref()).to_string());
                }
            }
            Ok(Event::End(_)) => depth = depth.saturating_sub(1),
            Ok(Event::Eof) | Err(_) => break,
            Ok(_) => {}
        }
    }
    out
}

/// The active locks in a `lockdiscovery` value.
pub fn active_locks(raw: &str) -> Vec<ActiveLock> {
    let mut reader = Reader::from_str(raw);
    let mut locks = Vec::new();
    let mut current: Option<ActiveLock> = None;
    let mut path: Vec<String> = Vec::new();
    loop {
        match reader.read_event() {
            Ok(Event::Start(e)) => {
                let name = local(e.name().as_ref()).to_string();
                if name == "activelock" {
                    current = Some(ActiveLock::default());
                }
                path.push(name);
            }
            Ok(Event::Empty(e)) => {
                let name = local(e.name().as_ref()).to_string();
                if let (Some(lock), Some(parent)) = (current.as_mut(), path.last()) {
                    match parent.as_str() {
                        "lockscope" => lock.scope = name,
                        "locktype" => lock.kind = name,
                        _ => {}
                    }
                }
            }
            Ok(Event::End(_)) => {
                if path.pop().as_deref() == Some("activelock")
                    && let Some(lock) = current.take()
                {
                    locks.push(lock);
                }
            }
            Ok(Event::Text(t)) => {
                let text = t.trim().to_string();
                if text.is_empty() {
                    continue;
                }
                let Some(lock) = current.as_mut() else {
                    continue;
                };
                let inside = |n: &str| path.iter().any(|p| p == n);
                let field = if inside("locktoken") {
                    &mut lock.token
                } else if inside("lockroot") {
                    &mut lock.root
                } else if inside("owner") {
                    &mut lock.owner
                } else if path.last().is_some_and(|p| p == "timeout") {
                    &mut lock.timeout
                } else if path.last().is_some_and(|p| p == "depth") {
                    &mut lock.depth
                } else {
                    continue;
                };
                if !field.is_empty() {
                    field.push(' ');
                }
                field.push_str(&text);
            }
            Ok(Event::GeneralRef(_)) => {}
            Ok(Event::Eof) | Err(_) => break,
            Ok(_) => {}
        }
    }
    locks
}

/// A byte count for people: `48213` -> `48,213 bytes (47.1 KB)`.
pub fn human_size(text: &str) -> Option<String> {
    let n: i128 = text.trim().parse().ok()?;
    let digits = n.abs().to_string();
    let mut grouped = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            grouped.push(',');
        }
        grouped.push(c);
    }
    if n < 0 {
        return Some(format!("-{grouped} (unknown / unlimited)"));
    }
    let f = n as f64;
    let unit = if f >= 1e12 {
        format!(" ({:.1} TB)", f / 1_099_511_627_776.0)
    } else if f >= 1e9 {
        format!(" ({:.1} GB)", f / 1_073_741_824.0)
    } else if f >= 1e6 {
        format!(" ({:.1} MB)", f / 1_048_576.0)
    } else if f >= 1e3 {
        format!(" ({:.1} KB)", f / 1024.0)
    } else {
        String::new()
    };
    Some(format!("{grouped} bytes{unit}"))
}

/// A one-line humane reading of a well-known property, when there is one.
pub fn humane(namespace: &str, local_name: &str, raw: &str, text: &str) -> Option<String> {
    match (namespace, local_name) {
        ("DAV:", "getcontentlength" | "quota-used-bytes" | "quota-available-bytes")
        | ("http://owncloud.org/ns", "size") => human_size(text),
        ("DAV:", "resourcetype") => {
            let kinds = element_names(raw);
            Some(if kinds.is_empty() {
                "file (no resource type)".to_string()
            } else {
                kinds.join(", ")
            })
        }
        ("DAV:", "current-user-privilege-set") => {
            let privs: Vec<String> = element_names(raw)
                .into_iter()
                .filter(|n| n != "privilege")
                .collect();
            Some(if privs.is_empty() {
                "no privileges".to_string()
            } else {
                privs.join(", ")
            })
        }
        ("DAV:", "lockdiscovery") => {
            let locks = active_locks(raw);
            Some(match locks.len() {
                0 => "not locked".to_string(),
                n => format!("{n} active lock{}", if n == 1 { "" } else { "s" }),
            })
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locks_are_read() {
        let raw = r#"<D:activelock><D:locktype><D:write/></D:locktype><D:lockscope><D:exclusive/></D:lockscope><D:depth>0</D:depth><D:owner><D:href>mailto:bob@example.com</D:href></D:owner><D:timeout>Second-3600</D:timeout><D:locktoken><D:href>opaquelocktoken:e71d</D:href></D:locktoken><D:lockroot><D:href>/a</D:href></D:lockroot></D:activelock>"#;
        let locks = active_locks(raw);
        assert_eq!(locks.len(), 1);
        let l = &locks[0];
        assert_eq!((l.scope.as_str(), l.kind.as_str()), ("exclusive", "write"));
        assert_eq!(l.owner, "mailto:bob@example.com");
        assert_eq!(l.token, "opaquelocktoken:e71d");
        assert_eq!(l.timeout, "Second-3600");
        assert_eq!(l.depth, "0");
        assert_eq!(l.root, "/a");
    }

    #[test]
    fn sizes_and_types() {
        assert_eq!(
            human_size("48213").as_deref(),
            Some("48,213 bytes (47.1 KB)")
        );
        assert_eq!(human_size("12").as_deref(), Some("12 bytes"));
        assert_eq!(human_size("x"), None);
        assert_eq!(
            humane("DAV:", "resourcetype", "<d:collection/>", "").as_deref(),
            Some("collection")
        );
        assert_eq!(
            humane(
                "DAV:",
                "current-user-privilege-set",
                "<d:privilege><d:read/></d:privilege>",
                ""
            )
            .as_deref(),
            Some("read")
        );
    }
}
