//! Input sniffing and unwrapping: gzip files, raw HTTP captures (chunked framing,
//! gzip/deflate content-encoding), HAR 1.2 exports, and body encodings.
//!
//! Chooses by content, never by file extension. Produces bodies for
//! `parse::xml`; depends on `core::model` only for `Problem`.

use std::io::Read;

use base64::Engine as _;

use crate::core::model::{Problem, Severity};

/// What the user gave.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Xml,
    Http,
    Har,
}

impl Format {
    pub fn as_str(&self) -> &'static str {
        match self {
            Format::Xml => "xml",
            Format::Http => "http",
            Format::Har => "har",
        }
    }
}

/// The request that produced a reply, when the input carries it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RequestContext {
    pub method: String,
    pub url: String,
    /// Headers, with `Authorization` and `Cookie` values redacted.
    pub headers: Vec<(String, String)>,
}

impl RequestContext {
    pub fn header(&self, name: &str) -> Option<&str> {
        header(&self.headers, name)
    }
}

/// One reply found in an input, before XML parsing.
#[derive(Clone, Debug)]
pub struct Unwrapped {
    pub format: Format,
    /// Which part of the input this is (HAR entry number), for labels.
    pub part: Option<usize>,
    pub http_status: Option<u16>,
    pub http_reason: Option<String>,
    /// Response headers, `Set-Cookie` / `Authorization` redacted.
    pub headers: Vec<(String, String)>,
    pub request: Option<RequestContext>,
    pub body: BodySource,
    pub problems: Vec<Problem>,
}

/// Where the body bytes are: a verbatim range of the input, or decoded bytes.
#[derive(Clone, Debug)]
pub enum BodySource {
    Range(std::ops::Range<usize>),
    Decoded(Vec<u8>),
}

/// Case-insensitive header lookup (first match).
pub fn header<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
}

/// Replaces the value of credential-bearing headers.
pub fn redact(name: &str, value: &str) -> String {
    const SECRET: [&str; 5] = [
        "authorization",
        "proxy-authorization",
        "cookie",
        "set-cookie",
        "x-api-key",
    ];
    if SECRET.iter().any(|s| name.eq_ignore_ascii_case(s)) {
        let scheme = value.split_whitespace().next().unwrap_or("");
        if name.to_ascii_lowercase().contains("authorization") && !scheme.is_empty() {
            format!("{scheme} [redacted]")
        } else {
            "[redacted]".to_string()
        }
    } else {
        value.to_string()
    }
}

const MAX_DECODED: u64 = 4 << 30;

/// Gunzips a whole `.gz` file (magic `1f 8b`).
pub fn gunzip(bytes: &[u8]) -> Result<Vec<u8>, String> {
    let mut out = Vec::new();
    flate2::read::MultiGzDecoder::new(bytes)
        .take(MAX_DECODED)
        .read_to_end(&mut out)
        .map_err(|e| format!("gzip data is damaged: {e}"))?;
    Ok(out)
}

fn skip_ws(bytes: &[u8]) -> &[u8] {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let n = bytes
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .unwrap_or(bytes.len());
    &bytes[n..]
}

fn is_request_line(line: &[u8]) -> bool {
    let mut parts = line.split(|b| *b == b' ').filter(|p| !p.is_empty());
    let (Some(method), Some(_target), Some(version)) = (parts.next(), parts.next(), parts.next())
    else {
        return false;
    };
    // A method is any HTTP token (RFC 9110 §5.6.2): MKCALENDAR, M2, mkcol.
    !method.is_empty()
        && method.len() <= 32
        && method
            .iter()
            .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(b))
        && version.starts_with(b"HTTP/")
}

/// Sniffs and unwraps an input. Returns the parts found (a HAR may hold several).
pub fn unwrap_input(bytes: &[u8]) -> Vec<Unwrapped> {
    let trimmed = skip_ws(bytes);
    if trimmed.starts_with(b"HTTP/") {
        return vec![unwrap_http(bytes, None)];
    }
    // A request line is short: never scan a huge body for its first newline.
    let first_line = trimmed[..trimmed.len().min(8192)]
        .split(|b| *b == b'\n')
        .next()
        .map(|l| l.strip_suffix(b"\r").unwrap_or(l))
        .unwrap_or(b"");
    if is_request_line(first_line) {
        return vec![unwrap_capture(bytes)];
    }
    if trimmed.starts_with(b"{")
        && let Some(parts) = unwrap_har(bytes)
    {
        return parts;
    }
    vec![Unwrapped {
        format: Format::Xml,
        part: None,
        http_status: None,
        http_reason: None,
        headers: Vec::new(),
        request: None,
        body: BodySource::Range(0..bytes.len()),
        problems: Vec::new(),
    }]
}

struct Head {
    start_line: String,
    headers: Vec<(String, String)>,
    /// Offset just after the blank line.
    body_start: usize,
}

fn read_head(bytes: &[u8], from: usize) -> Head {
    let mut pos = from;
    let mut start_line = String::new();
    let mut headers: Vec<(String, String)> = Vec::new();
    let mut first = true;
    while pos < bytes.len() {
        let end = memchr::memchr(b'\n', &bytes[pos..])
            .map(|e| pos + e)
            .unwrap_or(bytes.len());
        let line = &bytes[pos..end];
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        pos = (end + 1).min(bytes.len());
        if first {
            start_line = String::from_utf8_lossy(line).trim().to_string();
            first = false;
            continue;
        }
        if line.is_empty() {
            break;
        }
        if (line[0] == b' ' || line[0] == b'\t')
            && let Some(last) = headers.last_mut()
        {
            last.1.push(' ');
            last.1.push_str(String::from_utf8_lossy(line).trim());
            continue;
        }
        let text = String::from_utf8_lossy(line);
        if let Some((k, v)) = text.split_once(':') {
            let k = k.trim().to_string();
            let v = redact(&k, v.trim());
            headers.push((k, v));
        }
    }
    Head {
        start_line,
        headers,
        body_start: pos,
    }
}

fn unwrap_http(bytes: &[u8], request: Option<RequestContext>) -> Unwrapped {
    let mut from = bytes.len() - skip_ws(bytes).len();
    // `curl -i` keeps interim replies (100 Continue) and, with -L, each redirect.
    let mut head = read_head(bytes, from);
    loop {
        let code = status_of(&head.start_line);
        let interim = matches!(code, Some(100..=199));
        let redirect = matches!(code, Some(300..=399))
            && skip_ws(&bytes[head.body_start..]).starts_with(b"HTTP/");
        if !(interim || redirect) {
            break;
        }
        from = bytes.len() - skip_ws(&bytes[head.body_start..]).len();
        if !skip_ws(&bytes[from..]).starts_with(b"HTTP/") {
            break;
        }
        head = read_head(bytes, from);
    }
    let http_status = status_of(&head.start_line);
    let http_reason = head
        .start_line
        .splitn(3, ' ')
        .nth(2)
        .map(str::to_string)
        .filter(|s| !s.is_empty());
    let mut problems = Vec::new();
    let body_start = head.body_start;
    let raw_body = &bytes[body_start..];
    let chunked = header(&head.headers, "transfer-encoding")
        .is_some_and(|v| v.to_ascii_lowercase().contains("chunked"));
    let encoding = header(&head.headers, "content-encoding")
        .map(|v| v.trim().to_ascii_lowercase())
        .filter(|v| !v.is_empty() && v != "identity");
    let mut body = if chunked {
        let (decoded, problem) = dechunk(raw_body);
        if let Some(mut p) = problem {
            p.offset = decoded.len() as u64;
            problems.push(p);
        }
        BodySource::Decoded(decoded)
    } else {
        if let Some(expected) =
            header(&head.headers, "content-length").and_then(|v| v.trim().parse::<usize>().ok())
            && raw_body.len() < expected
        {
            problems.push(
                Problem::new(
                    Severity::Warning,
                    format!(
                        "body is {} bytes, Content-Length says {expected}",
                        raw_body.len()
                    ),
                    raw_body.len() as u64,
                )
                .with_hint("if the XML also ends early, a proxy or the server stopped mid-stream (re-run with the proxy bypassed); if it is complete, the capture was edited after saving"),
            );
        }
        BodySource::Range(body_start..bytes.len())
    };
    if let Some(enc) = encoding {
        let compressed: &[u8] = match &body {
            BodySource::Range(r) => &bytes[r.clone()],
            BodySource::Decoded(v) => v,
        };
        let mut out = Vec::new();
        let result = match enc.as_str() {
            "gzip" | "x-gzip" => flate2::read::MultiGzDecoder::new(compressed)
                .take(MAX_DECODED)
                .read_to_end(&mut out),
            "deflate" => {
                // RFC 9110 says zlib-wrapped; some servers send raw deflate.
                let zlib = flate2::read::ZlibDecoder::new(compressed)
                    .take(MAX_DECODED)
                    .read_to_end(&mut out);
                if zlib.is_err() {
                    out.clear();
                    flate2::read::DeflateDecoder::new(compressed)
                        .take(MAX_DECODED)
                        .read_to_end(&mut out)
                } else {
                    zlib
                }
            }
            other => Err(std::io::Error::other(format!(
                "content-encoding `{other}` is not supported"
            ))),
        };
        // Framing offsets were in compressed bytes: the damage shows where the
        // decoded body ends.
        for p in &mut problems {
            p.offset = out.len() as u64;
        }
        if let Err(e) = result {
            problems.push(
                Problem::new(
                    Severity::Error,
                    format!("could not decode the {enc} body: {e}"),
                    out.len() as u64,
                )
                .with_hint("what was decoded before the damage is shown"),
            );
        }
        body = BodySource::Decoded(out);
    }
    // Framing and decoding problems sit where the usable body ends.
    let body_len = match &body {
        BodySource::Range(r) => r.len(),
        BodySource::Decoded(v) => v.len(),
    } as u64;
    for p in &mut problems {
        p.offset = p.offset.min(body_len);
    }
    Unwrapped {
        format: Format::Http,
        part: None,
        http_status,
        http_reason,
        headers: head.headers,
        request,
        body,
        problems,
    }
}

/// A capture that holds the request before the reply.
fn unwrap_capture(bytes: &[u8]) -> Unwrapped {
    let from = bytes.len() - skip_ws(bytes).len();
    let head = read_head(bytes, from);
    let mut parts = head.start_line.split_whitespace();
    let method = parts.next().unwrap_or("").to_string();
    let target = parts.next().unwrap_or("/").to_string();
    let url = if target.contains("://") {
        target
    } else {
        let host = header(&head.headers, "host").unwrap_or("localhost");
        format!("http://{host}{target}")
    };
    let request = RequestContext {
        method,
        url,
        headers: head.headers.clone(),
    };
    // The request body is Content-Length bytes long when that is given; the reply's
    // status line starts after it.
    let skip = header(&head.headers, "content-length")
        .and_then(|v| v.trim().parse::<usize>().ok())
        .unwrap_or(0);
    let search_from = head.body_start.saturating_add(skip).min(bytes.len());
    let rest = &bytes[search_from..];
    let reply_at = find_status_line(rest).map(|i| search_from + i);
    match reply_at {
        Some(at) => {
            let mut u = unwrap_http(&bytes[at..], Some(request));
            // Offsets stay relative to the whole input.
            if let BodySource::Range(r) = &u.body {
                u.body = BodySource::Range(r.start + at..r.end + at);
            }
            u
        }
        None => Unwrapped {
            format: Format::Http,
            part: None,
            http_status: None,
            http_reason: None,
            headers: Vec::new(),
            request: Some(request),
            body: BodySource::Decoded(Vec::new()),
            problems: vec![
                Problem::new(
                    Severity::Error,
                    "the capture holds a request but no reply",
                    bytes.len() as u64,
                )
                .with_hint("save the reply too: `curl -i` writes the status line and headers"),
            ],
        },
    }
}

fn find_status_line(bytes: &[u8]) -> Option<usize> {
    let mut pos = 0;
    while pos < bytes.len() {
        if bytes[pos..].starts_with(b"HTTP/") && (pos == 0 || bytes[pos - 1] == b'\n') {
            return Some(pos);
        }
        pos += memchr::memchr(b'\n', &bytes[pos..])? + 1;
    }
    None
}

fn status_of(start_line: &str) -> Option<u16> {
    let mut parts = start_line.split_whitespace();
    let version = parts.next()?;
    if !version.starts_with("HTTP/") {
        return None;
    }
    parts.next()?.parse().ok()
}

/// Removes chunked framing. On broken framing, keeps what was read and says where.
fn dechunk(bytes: &[u8]) -> (Vec<u8>, Option<Problem>) {
    let mut out = Vec::with_capacity(bytes.len());
    let mut pos = 0;
    loop {
        let Some(nl) = memchr::memchr(b'\n', &bytes[pos..]) else {
            let problem = Problem::new(
                Severity::Error,
                "chunked body ends without its final 0-size chunk: the reply was cut off",
                0,
            );
            return (out, Some(problem));
        };
        let line = String::from_utf8_lossy(&bytes[pos..pos + nl]);
        let size_text = line
            .trim()
            .split(';')
            .next()
            .unwrap_or("")
            .trim()
            .to_string();
        let Ok(size) = usize::from_str_radix(&size_text, 16) else {
            let problem = Problem::new(
                Severity::Error,
                format!(
                    "invalid chunk size line \"{}\"",
                    crate::core::text::excerpt(&line, 40)
                ),
                0,
            )
            .with_hint("was this saved with `curl -si --raw`? Without --raw curl removes the framing but keeps the header");
            return (out, Some(problem));
        };
        pos += nl + 1;
        if size == 0 {
            return (out, None);
        }
        let end = pos.saturating_add(size);
        if end > bytes.len() {
            out.extend_from_slice(&bytes[pos..]);
            let problem = Problem::new(
                Severity::Error,
                "a chunk is cut off: the reply was truncated",
                0,
            );
            return (out, Some(problem));
        }
        out.extend_from_slice(&bytes[pos..end]);
        pos = end;
        if bytes[pos..].starts_with(b"\r\n") {
            pos += 2;
        } else if bytes[pos..].starts_with(b"\n") {
            pos += 1;
        }
    }
}

fn unwrap_har(bytes: &[u8]) -> Option<Vec<Unwrapped>> {
    let value: serde_json::Value = serde_json::from_slice(bytes).ok()?;
    let entries = value.get("log")?.get("entries")?.as_array()?;
    let mut parts = Vec::new();
    let mut others = Vec::new();
    for (i, entry) in entries.iter().enumerate() {
        let request = entry.get("request");
        let response = entry.get("response");
        let s = |v: Option<&serde_json::Value>, k: &str| {
            v.and_then(|v| v.get(k))
                .and_then(|v| v.as_str())
                .unwrap_or("")
                .to_string()
        };
        let headers_of = |v: Option<&serde_json::Value>| -> Vec<(String, String)> {
            v.and_then(|v| v.get("headers"))
                .and_then(|h| h.as_array())
                .map(|hs| {
                    hs.iter()
                        .map(|h| {
                            let k = s(Some(h), "name");
                            let v = redact(&k, &s(Some(h), "value"));
                            (k, v)
                        })
                        .collect()
                })
                .unwrap_or_default()
        };
        let content = response.and_then(|r| r.get("content"));
        let text = s(content, "text");
        let base64 = s(content, "encoding").eq_ignore_ascii_case("base64");
        let mut problems = Vec::new();
        let body = if base64 {
            match base64::engine::general_purpose::STANDARD.decode(text.trim()) {
                Ok(b) => b,
                Err(e) => {
                    problems.push(Problem::new(
                        Severity::Error,
                        format!("entry {}: base64 body cannot be decoded: {e}", i + 1),
                        0,
                    ));
                    Vec::new()
                }
            }
        } else {
            text.into_bytes()
        };
        let status = response
            .and_then(|r| r.get("status"))
            .and_then(|v| v.as_u64())
            .and_then(|v| u16::try_from(v).ok())
            .filter(|v| *v != 0);
        let part = Unwrapped {
            format: Format::Har,
            part: Some(i + 1),
            http_status: status,
            http_reason: Some(s(response, "statusText")).filter(|r| !r.is_empty()),
            headers: headers_of(response),
            request: Some(RequestContext {
                method: s(request, "method"),
                url: s(request, "url"),
                headers: headers_of(request),
            }),
            body: BodySource::Decoded(body),
            problems,
        };
        let is_ms = match &part.body {
            BodySource::Decoded(b) => looks_like_multistatus(b),
            BodySource::Range(_) => false,
        };
        if is_ms {
            parts.push(part);
        } else {
            others.push(part);
        }
    }
    if parts.is_empty() {
        // Report the most telling entry: the last one, with a note.
        let mut last = others.pop().unwrap_or(Unwrapped {
            format: Format::Har,
            part: None,
            http_status: None,
            http_reason: None,
            headers: Vec::new(),
            request: None,
            body: BodySource::Decoded(Vec::new()),
            problems: Vec::new(),
        });
        last.problems.push(Problem::new(
            Severity::Error,
            format!(
                "none of the {} HAR entries holds a multistatus body",
                entries.len()
            ),
            0,
        ));
        parts.push(last);
    }
    Some(parts)
}

/// A cheap check: does a DAV: multistatus element appear near the start?
pub fn looks_like_multistatus(body: &[u8]) -> bool {
    let head = &body[..body.len().min(64 * 1024)];
    memchr::memmem::find(head, b"multistatus").is_some()
}

/// Transcodes a body to UTF-8 when it is UTF-16 (by BOM) or declares a
/// single-byte encoding. `None` when it already is UTF-8.
pub fn transcode(body: &[u8]) -> Option<(Vec<u8>, &'static str)> {
    if body.starts_with(b"\xFF\xFE") || body.starts_with(b"\xFE\xFF") {
        let enc = if body[0] == 0xFF {
            encoding_rs::UTF_16LE
        } else {
            encoding_rs::UTF_16BE
        };
        let (text, _) = enc.decode_with_bom_removal(body);
        return Some((text.into_owned().into_bytes(), enc.name()));
    }
    let head = &body[..body.len().min(256)];
    if !head.starts_with(b"<?xml") && !head.starts_with(b"\xEF\xBB\xBF<?xml") {
        return None;
    }
    let decl_end = memchr::memmem::find(head, b"?>")?;
    let decl = String::from_utf8_lossy(&head[..decl_end]).to_ascii_lowercase();
    let at = decl.find("encoding")?;
    let rest = &decl[at + 8..];
    let rest = rest.trim_start().strip_prefix('=')?.trim_start();
    let quote = rest.chars().next().filter(|q| *q == '"' || *q == '\'')?;
    let label = rest[1..].split(quote).next()?;
    let enc = encoding_rs::Encoding::for_label(label.as_bytes())?;
    if enc == encoding_rs::UTF_8 || enc == encoding_rs::UTF_16LE || enc == encoding_rs::UTF_16BE {
        return None;
    }
    let (text, _, _) = enc.decode(body);
    Some((text.into_owned().into_bytes(), enc.name()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn body_of<'a>(input: &'a [u8], u: &'a Unwrapped) -> &'a [u8] {
        match &u.body {
            BodySource::Range(r) => &input[r.clone()],
            BodySource::Decoded(v) => v,
        }
    }

    #[test]
    fn raw_http_with_chunked_gzip() {
        use std::io::Write;
        let xml = b"<multistatus xmlns=\"DAV:\"/>";
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        gz.write_all(xml).expect("gzip");
        let gz = gz.finish().expect("gzip");
        let (a, b) = gz.split_at(10);
        let mut input = b"HTTP/1.1 207 Multi-Status\r\nContent-Encoding: gzip\r\nTransfer-Encoding: chunked\r\nSet-Cookie: s=1\r\n\r\n".to_vec();
        for part in [a, b] {
            input.extend_from_slice(format!("{:x}\r\n", part.len()).as_bytes());
            input.extend_from_slice(part);
            input.extend_from_slice(b"\r\n");
        }
        input.extend_from_slice(b"0\r\n\r\n");
        let parts = unwrap_input(&input);
        assert_eq!(parts.len(), 1);
        let u = &parts[0];
        assert_eq!(u.format, Format::Http);
        assert_eq!(u.http_status, Some(207));
        assert!(u.problems.is_empty(), "{:?}", u.problems);
        assert_eq!(body_of(&input, u), xml);
        assert_eq!(header(&u.headers, "set-cookie"), Some("[redacted]"));
    }

    #[test]
    fn continue_then_reply_and_short_body() {
        let input = b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Basic realm=\"x\"\r\nContent-Length: 100\r\n\r\n<html>no</html>";
        let parts = unwrap_input(input);
        let u = &parts[0];
        assert_eq!(u.http_status, Some(401));
        assert_eq!(body_of(input, u), b"<html>no</html>");
        assert_eq!(u.problems.len(), 1, "short body reported");
    }

    #[test]
    fn capture_with_request() {
        let input = b"PROPFIND /dav/ HTTP/1.1\r\nHost: h.example\r\nDepth: 1\r\nAuthorization: Basic c2VjcmV0\r\n\r\n<propfind xmlns=\"DAV:\"><allprop/></propfind>\r\nHTTP/1.1 207 Multi-Status\r\n\r\n<multistatus xmlns=\"DAV:\"/>";
        let parts = unwrap_input(input);
        let u = &parts[0];
        let req = u.request.as_ref().expect("request");
        assert_eq!(req.method, "PROPFIND");
        assert_eq!(req.url, "http://h.example/dav/");
        assert_eq!(req.header("authorization"), Some("Basic [redacted]"));
        assert_eq!(u.http_status, Some(207));
        assert_eq!(body_of(input, u), b"<multistatus xmlns=\"DAV:\"/>");
    }

    #[test]
    fn capture_request_body_and_token_methods() {
        let input = b"mkcalendar /c/ HTTP/1.1\r\nHost: h\r\nContent-Length: 20\r\n\r\n<a>\nHTTP/1.1 200</a>\r\nHTTP/1.1 207 Multi-Status\r\n\r\n<multistatus xmlns=\"DAV:\"/>";
        let u = &unwrap_input(input)[0];
        assert_eq!(
            u.request.as_ref().map(|r| r.method.as_str()),
            Some("mkcalendar")
        );
        assert_eq!(u.http_status, Some(207));
        assert_eq!(body_of(input, u), b"<multistatus xmlns=\"DAV:\"/>");
        assert!(!is_request_line(b"<d:multistatus xmlns:d=\"DAV:\">"));
    }

    #[test]
    fn har_entries_with_base64() {
        let b64 = base64::engine::general_purpose::STANDARD.encode("<multistatus xmlns=\"DAV:\"/>");
        let har = format!(
            r#"{{"log":{{"version":"1.2","entries":[
            {{"request":{{"method":"OPTIONS","url":"https://x/","headers":[]}},"response":{{"status":200,"headers":[],"content":{{"text":""}}}}}},
            {{"request":{{"method":"PROPFIND","url":"https://x/d/","headers":[{{"name":"Cookie","value":"a=b"}}]}},"response":{{"status":207,"headers":[],"content":{{"text":"{b64}","encoding":"base64"}}}}}}]}}}}"#
        );
        let parts = unwrap_input(har.as_bytes());
        assert_eq!(parts.len(), 1);
        assert_eq!(parts[0].part, Some(2));
        assert_eq!(parts[0].http_status, Some(207));
        let req = parts[0].request.as_ref().expect("req");
        assert_eq!(req.method, "PROPFIND");
        assert_eq!(req.header("cookie"), Some("[redacted]"));
    }

    #[test]
    fn broken_chunking_is_reported() {
        let input = b"HTTP/1.1 207 x\r\nTransfer-Encoding: chunked\r\n\r\n10\r\n<multistatus";
        let parts = unwrap_input(input);
        assert_eq!(parts[0].problems.len(), 1);
        assert_eq!(body_of(input, &parts[0]), b"<multistatus");
    }

    #[test]
    fn transcodes_latin1_and_utf16() {
        let latin = b"<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><a>caf\xE9</a>";
        let (out, name) = transcode(latin).expect("latin1");
        assert_eq!(name, "windows-1252");
        assert!(String::from_utf8(out).expect("utf8").contains("café"));
        let mut utf16 = vec![0xFF, 0xFE];
        for u in "<a>é</a>".encode_utf16() {
            utf16.extend_from_slice(&u.to_le_bytes());
        }
        let (out, _) = transcode(&utf16).expect("utf16");
        assert_eq!(out, "<a>é</a>".as_bytes());
        assert!(transcode(b"<?xml version=\"1.0\" encoding=\"utf-8\"?><a/>").is_none());
    }
}
