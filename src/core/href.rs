//! Href normalisation (SEMANTICS.md "Hrefs and paths").
//!
//! `path` = the href with scheme, host and port removed (remembered as `origin`),
//! resolved against the request URL when known, dot segments removed, and
//! percent-decoded as UTF-8 (an invalid escape stays as written). A collection keeps
//! its trailing slash for display; [`HrefInfo::key`] drops it for matching.

/// Oddities noticed while normalising, kept for diagnosis.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct HrefAnomalies(pub u8);

impl HrefAnomalies {
    /// `%` followed by something that is not two hex digits.
    pub const INVALID_ESCAPE: u8 = 1;
    /// `%25` followed by two hex digits: encoded twice.
    pub const DOUBLE_ENCODED: u8 = 2;
    /// Lower-case hex in escapes (`%c3`), legal but a sign of a different encoder.
    pub const LOWERCASE_ESCAPE: u8 = 4;
    /// Escapes that do not decode to UTF-8.
    pub const NOT_UTF8: u8 = 8;
    /// Characters that should have been escaped (space, non-ASCII).
    pub const UNESCAPED: u8 = 16;
    /// A relative href (resolved against the request URL or `/`).
    pub const RELATIVE: u8 = 32;

    pub fn has(&self, flag: u8) -> bool {
        self.0 & flag != 0
    }
}

/// A normalised href.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HrefInfo {
    /// Decoded path; a collection keeps its trailing slash.
    pub path: String,
    /// `scheme://host[:port]` of an absolute href, lower-cased.
    pub origin: Option<String>,
    pub anomalies: HrefAnomalies,
}

impl HrefInfo {
    /// The match key: the path without its trailing slash (`/` stays `/`).
    pub fn key(&self) -> &str {
        path_key(&self.path)
    }
}

/// The match key of a decoded path.
pub fn path_key(path: &str) -> &str {
    if path.len() > 1 {
        path.strip_suffix('/').unwrap_or(path)
    } else {
        path
    }
}

/// Splits an absolute URL into (origin, path+query). `None` when not absolute.
pub fn split_origin(url: &str) -> Option<(String, &str)> {
    let scheme_end = url.find("://")?;
    let scheme = &url[..scheme_end];
    if scheme.is_empty()
        || !scheme
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))
    {
        return None;
    }
    let rest = &url[scheme_end + 3..];
    let path_start = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let authority = &rest[..path_start];
    // Drop userinfo: it is a credential and never part of an origin.
    let host = authority.rsplit('@').next().unwrap_or(authority);
    let origin = format!(
        "{}://{}",
        scheme.to_ascii_lowercase(),
        host.to_ascii_lowercase()
    );
    let path = &rest[path_start..];
    Some((origin, if path.is_empty() { "/" } else { path }))
}

/// Normalises a raw href (as sent) against an optional request URL.
pub fn normalize(raw: &str, base: Option<&str>) -> HrefInfo {
    let raw = raw.trim();
    let mut anomalies = 0u8;
    let (origin, path_part) = match split_origin(raw) {
        Some((o, p)) => (Some(o), p.to_string()),
        None if raw.starts_with('/') => (None, raw.to_string()),
        None => {
            anomalies |= HrefAnomalies::RELATIVE;
            let base_path = base
                .and_then(|b| split_origin(b).map(|(_, p)| p.to_string()))
                .or_else(|| base.filter(|b| b.starts_with('/')).map(str::to_string))
                .unwrap_or_else(|| "/".to_string());
            let base_path = strip_query(&base_path);
            let dir = match base_path.rfind('/') {
                Some(i) => &base_path[..=i],
                None => "/",
            };
            (None, format!("{dir}{raw}"))
        }
    };
    let path_part = strip_query(&path_part);
    let path = remove_dot_segments(path_part);
    let (decoded, flags) = percent_decode(&path);
    HrefInfo {
        path: if decoded.is_empty() {
            "/".to_string()
        } else {
            decoded
        },
        origin,
        anomalies: HrefAnomalies(anomalies | flags),
    }
}

const C_SLASH: u8 = 1;
/// `/` or `.`: after a slash, an empty or dot segment.
const C_DOT_OR_SLASH: u8 = 2;
const C_QUERY: u8 = 4;
const C_UNESCAPED: u8 = 8;

/// Byte classes for [`Normalizer`].
const CLASS: [u8; 256] = {
    let mut t = [0u8; 256];
    t[b'/' as usize] = C_SLASH | C_DOT_OR_SLASH;
    t[b'.' as usize] = C_DOT_OR_SLASH;
    t[b'?' as usize] = C_QUERY;
    t[b'#' as usize] = C_QUERY;
    t[b' ' as usize] = C_UNESCAPED;
    let mut i = 0x80;
    while i < 256 {
        t[i] = C_UNESCAPED;
        i += 1;
    }
    t
};

/// The fast path of [`normalize`] for the common href: an absolute path without
/// dot segments, query or fragment. Writes the decoded path into `out`; `None`
/// when the href needs the full treatment (the result is then the same as
/// `normalize(raw, None)`).
pub fn normalize_simple(raw: &str, out: &mut String) -> Option<HrefAnomalies> {
    let mut n = Normalizer::default();
    let a = n.normalize(raw)?;
    out.clear();
    out.push_str(n.path());
    Some(a)
}

/// The fast path of [`normalize`] for a run of hrefs, reusing the previous one's work: a
/// listing repeats long prefixes (`/remote.php/dav/files/alice/Projects/...`),
/// so only the part after the last shared `/` is scanned and decoded.
#[derive(Debug, Default)]
pub struct Normalizer {
    raw: Vec<u8>,
    out: String,
    /// Per literal `/` of `raw`: its offset, the decoded length before it and
    /// the anomalies of the bytes before it.
    marks: Vec<(u32, u32, u8)>,
    tail: Vec<u8>,
    valid: bool,
}

impl Normalizer {
    /// The same answer as [`normalize`] for an absolute path with nothing to
    /// resolve (no dot or empty segments, query, fragment or odd escape), `None`
    /// for anything else; the path is [`Normalizer::path`].
    pub fn normalize(&mut self, raw: &str) -> Option<HrefAnomalies> {
        let raw = raw.trim();
        let bytes = raw.as_bytes();
        let result = if bytes.first() == Some(&b'/') {
            self.run(bytes)
        } else {
            None
        };
        if result.is_none() {
            self.valid = false;
        }
        result
    }

    /// The decoded path of an href (as [`normalize`] gives it, against `base`
    /// when known): the fast path when it applies, the full normaliser otherwise.
    pub fn path_for(&mut self, raw: &str, base: Option<&str>) -> String {
        if (base.is_none() || raw.trim_start().starts_with('/')) && self.normalize(raw).is_some() {
            self.out.clone()
        } else {
            normalize(raw, base).path
        }
    }

    /// The decoded path of the last href [`Normalizer::normalize`] accepted.
    pub fn path(&self) -> &str {
        &self.out
    }

    fn run(&mut self, bytes: &[u8]) -> Option<HrefAnomalies> {
        // Resume after the last `/` both hrefs share.
        let (mut at, mut flags) = (0usize, 0u8);
        if self.valid {
            let same = common_prefix(bytes, &self.raw);
            let keep = self.marks.partition_point(|m| (m.0 as usize) < same);
            if keep > 0 {
                let (rp, dp, fl) = self.marks[keep - 1];
                self.marks.truncate(keep - 1);
                self.out.truncate(dp as usize);
                at = rp as usize;
                flags = fl;
            }
        }
        if at == 0 {
            self.marks.clear();
            self.out.clear();
        }
        self.valid = false;
        let tail = &bytes[at..];
        let mut acc = 0u8;
        let mut pair = 0u8;
        let mut prev = 0u8;
        for &b in tail {
            let c = CLASS[b as usize];
            pair |= prev & (c >> 1);
            prev = c & C_SLASH;
            acc |= c;
        }
        if pair != 0 || acc & C_QUERY != 0 {
            return None;
        }
        // Decode the tail, noting each `/` and the anomalies so far.
        self.tail.clear();
        let base = self.out.len();
        let mut i = 0;
        while i < tail.len() {
            let b = tail[i];
            match b {
                b'%' => {
                    let (Some(h), Some(l)) = (
                        tail.get(i + 1).copied().and_then(hex),
                        tail.get(i + 2).copied().and_then(hex),
                    ) else {
                        return None;
                    };
                    if tail[i + 1].is_ascii_lowercase() || tail[i + 2].is_ascii_lowercase() {
                        flags |= HrefAnomalies::LOWERCASE_ESCAPE;
                    }
                    let v = h * 16 + l;
                    if v == b'%' {
                        return None;
                    }
                    self.tail.push(v);
                    i += 3;
                    continue;
                }
                b'/' => self
                    .marks
                    .push(((at + i) as u32, (base + self.tail.len()) as u32, flags)),
                b' ' | 0x80..=0xFF => flags |= HrefAnomalies::UNESCAPED,
                _ => {}
            }
            self.tail.push(b);
            i += 1;
        }
        // The tail starts at an ASCII `/`: checking it alone keeps the whole valid.
        let text = std::str::from_utf8(&self.tail).ok()?;
        self.out.push_str(text);
        self.raw.clear();
        self.raw.extend_from_slice(bytes);
        self.valid = true;
        Some(HrefAnomalies(flags))
    }
}

/// How many leading bytes two byte strings share, eight at a time.
pub fn common_prefix(a: &[u8], b: &[u8]) -> usize {
    let n = a.len().min(b.len());
    let mut i = 0;
    while i + 8 <= n {
        let (x, y) = (
            u64::from_le_bytes(a[i..i + 8].try_into().unwrap_or([0; 8])),
            u64::from_le_bytes(b[i..i + 8].try_into().unwrap_or([0; 8])),
        );
        if x != y {
            return i + ((x ^ y).trailing_zeros() / 8) as usize;
        }
        i += 8;
    }
    while i < n && a[i] == b[i] {
        i += 1;
    }
    i
}

fn strip_query(p: &str) -> &str {
    match p.find(['?', '#']) {
        Some(i) => &p[..i],
        None => p,
    }
}

fn remove_dot_segments(path: &str) -> String {
    if !path.contains("/.") && !path.starts_with('.') && !path.contains("//") {
        return path.to_string();
    }
    let trailing = path.ends_with('/') || path.ends_with("/.") || path.ends_with("/..");
    let mut out: Vec<&str> = Vec::new();
    for seg in path.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                out.pop();
            }
            s => out.push(s),
        }
    }
    let mut s = String::from("/");
    s.push_str(&out.join("/"));
    if trailing && s.len() > 1 {
        s.push('/');
    }
    s
}

fn hex(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

/// Percent-decodes as UTF-8. Invalid escapes stay as written; if the decoded bytes
/// are not UTF-8 the input is returned unchanged.
pub fn percent_decode(s: &str) -> (String, u8) {
    let bytes = s.as_bytes();
    let mut flags = 0u8;
    if bytes.iter().any(|b| *b == b' ' || *b >= 0x80) {
        flags |= HrefAnomalies::UNESCAPED;
    }
    if !bytes.contains(&b'%') {
        return (s.to_string(), flags);
    }
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            match (
                bytes.get(i + 1).copied().and_then(hex),
                bytes.get(i + 2).copied().and_then(hex),
            ) {
                (Some(h), Some(l)) => {
                    if bytes[i + 1].is_ascii_lowercase() || bytes[i + 2].is_ascii_lowercase() {
                        flags |= HrefAnomalies::LOWERCASE_ESCAPE;
                    }
                    let v = h * 16 + l;
                    if v == b'%'
                        && bytes.get(i + 3).copied().and_then(hex).is_some()
                        && bytes.get(i + 4).copied().and_then(hex).is_some()
                    {
                        flags |= HrefAnomalies::DOUBLE_ENCODED;
                    }
                    out.push(v);
                    i += 3;
                    continue;
                }
                _ => flags |= HrefAnomalies::INVALID_ESCAPE,
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    match String::from_utf8(out) {
        Ok(decoded) => (decoded, flags),
        Err(_) => (s.to_string(), flags | HrefAnomalies::NOT_UTF8),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn absolute_relative_and_escapes() {
        let a = normalize("http://Host:8080/a/b%C3%BC/", None);
        assert_eq!(a.path, "/a/bü/");
        assert_eq!(a.key(), "/a/bü");
        assert_eq!(a.origin.as_deref(), Some("http://host:8080"));
        let b = normalize("/a/b%c3%bc", None);
        assert_eq!(b.key(), a.key());
        assert!(b.anomalies.has(HrefAnomalies::LOWERCASE_ESCAPE));
        let c = normalize("/a/bü", None);
        assert_eq!(c.key(), a.key());
        let rel = normalize("x%20y.ics", Some("https://h/cal/work/"));
        assert_eq!(rel.path, "/cal/work/x y.ics");
        assert!(rel.anomalies.has(HrefAnomalies::RELATIVE));
        assert_eq!(normalize("file", None).path, "/file");
        assert_eq!(normalize("/a/./b/../c", None).path, "/a/c");
        assert_eq!(normalize("/", None).key(), "/");
    }

    #[test]
    fn the_fast_path_agrees_with_the_full_one() {
        let mut buf = String::new();
        for raw in [
            "/a/b%C3%BC/",
            "/a/b c",
            "/a/%c3%bc",
            "/plain/path.txt",
            " /t/ ",
            "/a%20b%20c/d%C3%A9",
            "/%E6%97%A5x%20",
            "/a/\u{e9} b",
        ] {
            let a = normalize_simple(raw, &mut buf).expect("simple");
            let full = normalize(raw, None);
            assert_eq!(
                (buf.as_str(), a),
                (full.path.as_str(), full.anomalies),
                "{raw}"
            );
        }
        for raw in [
            "http://h/a",
            "rel",
            "/a/../b",
            "/a?x",
            "/a%zz",
            "/a//b",
            "/x%2541",
            "/a%2",
            "/a%",
            "/a/.x",
            "/a%FF",
        ] {
            assert!(normalize_simple(raw, &mut buf).is_none(), "{raw}");
        }
        // Seeded random hrefs: whenever the fast path answers, it agrees.
        let alphabet = [
            "/", "a", "%", "2", "0", "C", "3", "B", "c", " ", "\u{e9}", ".", "?", "5",
        ];
        let mut seed: u64 = 0x5eed;
        let mut answered = 0;
        for _ in 0..20_000 {
            let mut raw = String::from("/");
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            for k in 0..(seed >> 60) + 1 {
                let pick = (seed >> (4 * (k % 12))) as usize % alphabet.len();
                raw.push_str(alphabet[pick]);
            }
            if let Some(a) = normalize_simple(&raw, &mut buf) {
                answered += 1;
                let full = normalize(&raw, None);
                assert_eq!(
                    (buf.as_str(), a),
                    (full.path.as_str(), full.anomalies),
                    "{raw:?}"
                );
            }
        }
        assert!(answered > 1000, "the fast path answered {answered} times");
    }

    #[test]
    fn the_incremental_normalizer_agrees_with_the_fast_path() {
        // Runs of related hrefs, as listings have them, with every hazard.
        let parts = [
            "/a", "/b%20c", "/%C3%A9", "/%c3%a9", "/x y", "/.d", "/", "?q", "/%zz", "/%25", "/%FF",
            "/\u{e9}", "/dd", "/a%2Fb",
        ];
        let mut seed: u64 = 0xfeed;
        let mut norm = Normalizer::default();
        let mut buf = String::new();
        let mut answered = 0;
        let mut path: Vec<&str> = Vec::new();
        for _ in 0..50_000 {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            // Keep a prefix of the previous href, then add parts.
            let keep = (seed >> 59) as usize % (path.len() + 1);
            path.truncate(keep);
            for k in 0..(seed >> 62) + 1 {
                path.push(parts[(seed >> (8 + 4 * k)) as usize % parts.len()]);
            }
            let raw: String = path.concat();
            let want = normalize_simple(&raw, &mut buf).map(|a| (buf.clone(), a));
            let got = norm.normalize(&raw).map(|a| (norm.path().to_string(), a));
            assert_eq!(got, want, "{raw:?}");
            answered += usize::from(want.is_some());
        }
        assert!(answered > 5000, "{answered}");
    }

    #[test]
    fn invalid_and_double_escapes() {
        let (s, f) = percent_decode("/a%zz");
        assert_eq!(s, "/a%zz");
        assert!(f & HrefAnomalies::INVALID_ESCAPE != 0);
        let (s, f) = percent_decode("/a%2541");
        assert_eq!(s, "/a%41");
        assert!(f & HrefAnomalies::DOUBLE_ENCODED != 0);
        let (s, f) = percent_decode("/a%FF");
        assert_eq!(s, "/a%FF");
        assert!(f & HrefAnomalies::NOT_UTF8 != 0);
    }

    #[test]
    fn userinfo_never_reaches_the_origin() {
        let (o, p) = split_origin("https://bob:secret@h.example/x").expect("abs");
        assert_eq!(o, "https://h.example");
        assert_eq!(p, "/x");
    }
}
