//! Live requests: build a WebDAV request, send it with reqwest's blocking client,
//! capture the exchange (redacted), and write it as a raw HTTP snapshot that
//! `core::document::load_bytes` reads back.
//!
//! Owns the request model ([`Request`], [`Auth`], [`Transport`]), the errors in words
//! ([`FetchError`]) and the auth-challenge summary ([`auth_challenges`]); its `body`
//! module holds the body templates ([`Template`]) and the XML check before sending
//! ([`check_xml`]). Digest auth is answered once per request (`digest_auth` crate).
//! Synchronous: [`send`] blocks; it spawns no thread of its own (reqwest's blocking
//! client runs its own runtime) — the GUI calls it from its tasks module, the CLI
//! directly. Never imports egui, eframe or rfd. Timings use a monotonic clock; no
//! wall-clock time is read.
//!
//! Secrets: passwords and tokens live only in [`Auth`] (whose `Debug` hides them) and
//! in the `Authorization` header on the wire. Everything [`send`] returns and
//! everything [`Exchange::to_raw_http`] writes has `Authorization`,
//! `Proxy-Authorization`, `Cookie` and `Set-Cookie` redacted, and a password in the
//! URL is removed from the recorded URL. A proxy URL may not carry a password
//! (it would be saved with the request): an authenticating proxy is reached through
//! the system settings (`HTTPS_PROXY`), which are read at send time and never stored.

use std::fmt;
use std::io::Read;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use base64::Engine as _;

mod body;
pub use body::{
    COMMON_PROPS, CommonProp, NAMESPACES, PropName, TEMPLATE_NAMES, Template, check_xml,
    sync_token_of, template, xml_escape,
};

use crate::core::model::Problem;
use crate::core::parse::input::redact;
use crate::core::status::reason_phrase;

/// The `User-Agent` davscope sends.
pub const USER_AGENT: &str = concat!("davscope/", env!("CARGO_PKG_VERSION"));

/// Methods offered by the request editor; any other token is accepted too.
pub const METHODS: [&str; 12] = [
    "PROPFIND",
    "REPORT",
    "PROPPATCH",
    "MKCOL",
    "COPY",
    "MOVE",
    "DELETE",
    "LOCK",
    "UNLOCK",
    "SEARCH",
    "OPTIONS",
    "GET",
];

/// Headers a WebDAV user reaches for, offered by the headers editor.
pub const DAV_HEADERS: [&str; 7] = [
    "Destination",
    "Overwrite",
    "If",
    "Lock-Token",
    "Timeout",
    "Brief",
    "Prefer",
];

/// The `Depth` request header.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Depth {
    Zero,
    One,
    Infinity,
}

impl Depth {
    pub fn as_str(&self) -> &'static str {
        match self {
            Depth::Zero => "0",
            Depth::One => "1",
            Depth::Infinity => "infinity",
        }
    }

    /// `0`, `1` or `infinity` (also `inf`), case-insensitive.
    pub fn parse(text: &str) -> Option<Depth> {
        match text.trim().to_ascii_lowercase().as_str() {
            "0" => Some(Depth::Zero),
            "1" => Some(Depth::One),
            "infinity" | "inf" => Some(Depth::Infinity),
            _ => None,
        }
    }

    /// A warning for combinations servers commonly refuse.
    pub fn warning(&self, method: &str) -> Option<&'static str> {
        (*self == Depth::Infinity && method.eq_ignore_ascii_case("PROPFIND")).then_some(
            "many servers refuse PROPFIND with Depth: infinity (403 with \
             DAV:propfind-finite-depth); walk the tree with Depth: 1 instead",
        )
    }
}

/// Credentials. `Debug` never shows a password or a token.
#[derive(Clone, Default, PartialEq, Eq)]
pub enum Auth {
    #[default]
    None,
    Basic {
        user: String,
        password: String,
    },
    /// RFC 7616 Digest: the first request goes out without credentials, the answer to
    /// the server's challenge goes out once.
    Digest {
        user: String,
        password: String,
    },
    Bearer {
        token: String,
    },
}

impl fmt::Debug for Auth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Auth::None => write!(f, "None"),
            Auth::Basic { user, .. } => {
                write!(f, "Basic {{ user: {user:?}, password: [redacted] }}")
            }
            Auth::Digest { user, .. } => {
                write!(f, "Digest {{ user: {user:?}, password: [redacted] }}")
            }
            Auth::Bearer { .. } => write!(f, "Bearer {{ token: [redacted] }}"),
        }
    }
}

impl Auth {
    /// The scheme name, for reports (`None` when no credentials are sent).
    pub fn scheme(&self) -> Option<&'static str> {
        match self {
            Auth::None => None,
            Auth::Basic { .. } => Some("Basic"),
            Auth::Digest { .. } => Some("Digest"),
            Auth::Bearer { .. } => Some("Bearer"),
        }
    }
}

/// Which proxy to use.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum ProxyChoice {
    /// The system's settings (`HTTPS_PROXY`, `HTTP_PROXY`, `ALL_PROXY`, `NO_PROXY`).
    #[default]
    System,
    /// Bypass every proxy.
    None,
    /// This proxy URL (`http://host:3128`, `socks5://...` is not supported).
    Url(String),
}

/// How the request travels.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Transport {
    /// Accept any certificate (self-signed, expired, wrong host). Off by default.
    pub insecure: bool,
    /// Extra trusted CA certificates (PEM), added to the system's roots.
    pub ca_file: Option<PathBuf>,
    pub proxy: ProxyChoice,
    /// For the whole exchange, connect to last byte.
    pub timeout_secs: u64,
    /// Off by default: a redirect is shown, not followed.
    pub follow_redirects: bool,
    /// The reply body (decoded) may not be larger.
    pub max_body_bytes: u64,
}

impl Default for Transport {
    fn default() -> Self {
        Transport {
            insecure: false,
            ca_file: None,
            proxy: ProxyChoice::System,
            timeout_secs: 30,
            follow_redirects: false,
            max_body_bytes: 256 << 20,
        }
    }
}

/// A request to send.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Request {
    pub url: String,
    /// Any method token: PROPFIND, REPORT, ..., or a custom one.
    pub method: String,
    /// `None` sends no `Depth` header.
    pub depth: Option<Depth>,
    /// Extra headers, in order. A `Content-Type` here replaces the default one.
    pub headers: Vec<(String, String)>,
    pub body: Option<Vec<u8>>,
    pub auth: Auth,
    pub transport: Transport,
}

impl Request {
    /// A PROPFIND with Depth 1 and no body (which servers treat as allprop).
    pub fn propfind(url: impl Into<String>) -> Self {
        Request {
            url: url.into(),
            method: "PROPFIND".into(),
            depth: Some(Depth::One),
            headers: Vec::new(),
            body: None,
            auth: Auth::None,
            transport: Transport::default(),
        }
    }
}

/// The request as sent, redacted.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SentRequest {
    pub method: String,
    /// Without any password that was in the URL.
    pub url: String,
    /// As sent, credentials redacted; includes `Host` and `Content-Length`.
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

/// How long the exchange took, from a monotonic clock.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Timings {
    /// From sending to the reply's headers (connect and TLS included).
    pub headers_ms: u64,
    /// From sending to the last byte of the body.
    pub total_ms: u64,
}

/// One request and its reply.
#[derive(Clone, Debug)]
pub struct Exchange {
    pub request: SentRequest,
    /// `HTTP/1.1`, `HTTP/2`, ...
    pub version: String,
    pub status: u16,
    pub reason: String,
    /// Reply headers in order, `Set-Cookie` redacted.
    pub headers: Vec<(String, String)>,
    pub remote_addr: Option<SocketAddr>,
    pub timings: Timings,
    /// Redirects followed (only with `follow_redirects`), as `(status, location)`.
    pub redirects: Vec<(u16, String)>,
    /// The URL the reply came from (differs from the request's after redirects).
    pub final_url: String,
    /// The reply body, decoded (gzip removed).
    pub body: Vec<u8>,
}

/// What can go wrong, in words.
#[derive(Debug, thiserror::Error)]
pub enum FetchError {
    #[error("invalid URL `{url}`: {reason}")]
    InvalidUrl { url: String, reason: String },
    #[error("invalid request: {0}")]
    InvalidRequest(String),
    #[error("the request body is not well-formed XML: {}", .0.message)]
    InvalidXml(Problem),
    #[error("cannot read the CA file {path}: {reason}")]
    CaFile { path: String, reason: String },
    #[error("invalid proxy `{url}`: {reason}")]
    InvalidProxy { url: String, reason: String },
    #[error("DNS lookup failed for `{host}`: {detail}")]
    Dns { host: String, detail: String },
    #[error("connection refused by {target}: nothing listens on that port")]
    ConnectionRefused { target: String },
    #[error("timed out after {secs} s {phase}")]
    Timeout { secs: u64, phase: &'static str },
    #[error("TLS failure with {host}: {problem}")]
    Tls { host: String, problem: TlsProblem },
    #[error("cannot connect to {target}: {detail}")]
    Connect { target: String, detail: String },
    #[error("the connection failed: {detail}")]
    Connection { detail: String },
    #[error("the reply body is larger than the limit of {limit} bytes ({})", match .declared { Some(n) => format!("Content-Length says {n}"), None => format!("{received} bytes received before stopping") })]
    BodyTooLarge {
        limit: u64,
        received: u64,
        declared: Option<u64>,
    },
    #[error("too many redirects (last: {last})")]
    TooManyRedirects { last: String },
    #[error("cancelled")]
    Cancelled,
}

/// Which TLS check failed, as far as the error chain tells.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TlsProblem {
    /// Self-signed, or signed by a CA this machine does not trust (rustls cannot tell
    /// the two apart).
    UnknownIssuer,
    HostnameMismatch,
    Expired,
    NotYetValid,
    Revoked,
    /// The server does not speak TLS on that port (a plain HTTP server?).
    NotTls,
    /// The server sent a TLS alert (protocol version, client certificate required...).
    Alert(String),
    Other(String),
}

impl fmt::Display for TlsProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TlsProblem::UnknownIssuer => write!(
                f,
                "the certificate's issuer is unknown: it is self-signed or signed by a CA this machine does not trust"
            ),
            TlsProblem::HostnameMismatch => {
                write!(f, "the certificate is not valid for this host name")
            }
            TlsProblem::Expired => write!(f, "the certificate has expired"),
            TlsProblem::NotYetValid => write!(f, "the certificate is not valid yet"),
            TlsProblem::Revoked => write!(f, "the certificate has been revoked"),
            TlsProblem::NotTls => write!(
                f,
                "the server did not answer with TLS (is it plain http on that port?)"
            ),
            TlsProblem::Alert(a) => write!(f, "the server refused the handshake ({a})"),
            TlsProblem::Other(s) => write!(f, "{s}"),
        }
    }
}

impl FetchError {
    /// What the user can do about it.
    pub fn hint(&self) -> Option<String> {
        Some(match self {
            FetchError::InvalidUrl { .. } => {
                "give an absolute http:// or https:// URL, e.g. https://host/dav/".into()
            }
            FetchError::InvalidXml(_) => {
                "fix the body, or start from a template (--body allprop)".into()
            }
            FetchError::Dns { .. } => {
                "check the host name; behind a proxy, the proxy resolves it (--proxy URL)".into()
            }
            FetchError::ConnectionRefused { .. } => {
                "is the server running, and on this port? (davscope demo-server starts a practice server)".into()
            }
            FetchError::Timeout { .. } => {
                "the server or a proxy did not answer in time: raise --timeout, or bypass the proxy (--no-proxy)".into()
            }
            FetchError::Tls { problem, .. } => match problem {
                TlsProblem::UnknownIssuer => {
                    "trust its CA with --cacert FILE, or skip the check with --insecure (not for real credentials)".into()
                }
                TlsProblem::HostnameMismatch => {
                    "use the host name the certificate names, or --insecure to skip the check".into()
                }
                TlsProblem::Expired | TlsProblem::NotYetValid => {
                    "renew the certificate (or check this machine's clock)".into()
                }
                TlsProblem::NotTls => "try http:// instead of https://".into(),
                _ => return None,
            },
            FetchError::BodyTooLarge { .. } => {
                "raise the limit, or ask for less (Depth: 1, fewer properties)".into()
            }
            FetchError::TooManyRedirects { .. } => {
                "the redirects loop: fetch without following them to see where they point".into()
            }
            FetchError::Connection { detail } if detail.contains("invalid HTTP version") => {
                "the server did not answer with HTTP: is it an https:// server?".into()
            }
            _ => return None,
        })
    }
}

/// Sends a request and reads the reply. `progress` is called with the body bytes
/// received so far; returning `false` cancels.
///
/// A reply with any status (401, 404, 500...) is an [`Exchange`], not an error.
pub fn send(
    request: &Request,
    progress: &mut dyn FnMut(u64) -> bool,
) -> Result<Exchange, FetchError> {
    let mut url = reqwest::Url::parse(request.url.trim()).map_err(|e| FetchError::InvalidUrl {
        url: request.url.clone(),
        reason: e.to_string(),
    })?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(FetchError::InvalidUrl {
            url: request.url.clone(),
            reason: format!("scheme `{}` is not http or https", url.scheme()),
        });
    }
    let host = url.host_str().unwrap_or("").to_string();
    if host.is_empty() {
        return Err(FetchError::InvalidUrl {
            url: request.url.clone(),
            reason: "no host".into(),
        });
    }
    // Credentials in the URL become Basic auth and leave the recorded URL.
    let mut auth = request.auth.clone();
    if let Some(password) = url.password() {
        let user = percent_decode(url.username());
        let password = percent_decode(password);
        if auth == Auth::None {
            auth = Auth::Basic { user, password };
        }
        let _ = url.set_password(None);
        let _ = url.set_username("");
    }
    let method = reqwest::Method::from_bytes(request.method.trim().as_bytes()).map_err(|_| {
        FetchError::InvalidRequest(format!(
            "`{}` is not a valid method token",
            request.method.trim()
        ))
    })?;
    if let Some(body) = &request.body
        && looks_like_xml(body, &request.headers)
    {
        check_xml(body).map_err(FetchError::InvalidXml)?;
    }

    let mut headers: Vec<(String, String)> = vec![
        ("User-Agent".into(), USER_AGENT.into()),
        ("Accept".into(), "*/*".into()),
        ("Accept-Encoding".into(), "gzip".into()),
    ];
    if let Some(d) = request.depth {
        headers.push(("Depth".into(), d.as_str().into()));
    }
    for (k, v) in &request.headers {
        let k = k.trim();
        if k.is_empty() {
            continue;
        }
        reqwest::header::HeaderName::from_bytes(k.as_bytes())
            .map_err(|_| FetchError::InvalidRequest(format!("`{k}` is not a valid header name")))?;
        reqwest::header::HeaderValue::from_str(v.trim()).map_err(|_| {
            FetchError::InvalidRequest(format!("the value of `{k}` is not a valid header value"))
        })?;
        // A user's header replaces a default one of the same name.
        headers.retain(|(name, _)| !name.eq_ignore_ascii_case(k));
        headers.push((k.to_string(), v.trim().to_string()));
    }
    if request.body.is_some() && !has_header(&headers, "content-type") {
        let body = request.body.as_deref().unwrap_or(&[]);
        if looks_like_xml(body, &[]) {
            headers.push((
                "Content-Type".into(),
                "application/xml; charset=utf-8".into(),
            ));
        }
    }
    match &auth {
        Auth::Basic { user, password } => {
            let token =
                base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}"));
            headers.push(("Authorization".into(), format!("Basic {token}")));
        }
        Auth::Bearer { token } => {
            headers.push(("Authorization".into(), format!("Bearer {}", token.trim())));
        }
        Auth::None | Auth::Digest { .. } => {}
    }

    let redirects = Arc::new(Mutex::new(Vec::new()));
    let client = build_client(&request.transport, redirects.clone())?;
    let body = request.body.clone().unwrap_or_default();
    let started = Instant::now();
    let mut response = execute(&client, &method, &url, &headers, &body, request, &host)?;

    if let Auth::Digest { user, password } = &auth
        && response.status().as_u16() == 401
    {
        let offered: Vec<(String, String)> = response_headers(&response);
        if let Some(challenge) = auth_challenges(&offered)
            .into_iter()
            .find(|c| c.scheme.eq_ignore_ascii_case("digest"))
        {
            let mut prompt = digest_auth::parse(&challenge.raw).map_err(|e| {
                FetchError::InvalidRequest(format!("cannot answer the Digest challenge: {e}"))
            })?;
            let uri = match url.query() {
                Some(q) => format!("{}?{q}", url.path()),
                None => url.path().to_string(),
            };
            let context = digest_auth::AuthContext::new_with_method(
                user.as_str(),
                password.as_str(),
                uri,
                Some(body.as_slice()),
                digest_auth::HttpMethod(method.as_str().to_string().into()),
            );
            let answer = prompt.respond(&context).map_err(|e| {
                FetchError::InvalidRequest(format!("cannot answer the Digest challenge: {e}"))
            })?;
            // Drain the 401 so the connection can be reused.
            let _ = std::io::copy(&mut response.by_ref().take(1 << 20), &mut std::io::sink());
            headers.push(("Authorization".into(), answer.to_header_string()));
            response = execute(&client, &method, &url, &headers, &body, request, &host)?;
        }
    }
    let headers_ms = started.elapsed().as_millis() as u64;

    let status = response.status().as_u16();
    let version = match response.version() {
        reqwest::Version::HTTP_09 => "HTTP/0.9",
        reqwest::Version::HTTP_10 => "HTTP/1.0",
        reqwest::Version::HTTP_2 => "HTTP/2",
        reqwest::Version::HTTP_3 => "HTTP/3",
        _ => "HTTP/1.1",
    }
    .to_string();
    let remote_addr = response.remote_addr();
    let final_url = strip_userinfo(response.url());
    let reply_headers: Vec<(String, String)> = response_headers(&response)
        .into_iter()
        .map(|(k, v)| {
            let v = redact(&k, &v);
            (k, v)
        })
        .collect();
    let limit = request.transport.max_body_bytes;
    let declared = header_value(&reply_headers, "content-length").and_then(|v| v.parse().ok());
    if let Some(n) = declared
        && n > limit
    {
        return Err(FetchError::BodyTooLarge {
            limit,
            received: 0,
            declared: Some(n),
        });
    }
    if !progress(0) {
        return Err(FetchError::Cancelled);
    }
    let mut reply_body =
        Vec::with_capacity(declared.unwrap_or(0).min(limit).min(64 << 20) as usize);
    let mut chunk = vec![0u8; 64 * 1024];
    loop {
        let n = match response.read(&mut chunk) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(classify_io(&e, &request.transport, &host, &url)),
        };
        if reply_body.len() as u64 + n as u64 > limit {
            return Err(FetchError::BodyTooLarge {
                limit,
                received: reply_body.len() as u64 + n as u64,
                declared: None,
            });
        }
        reply_body.extend_from_slice(&chunk[..n]);
        if !progress(reply_body.len() as u64) {
            return Err(FetchError::Cancelled);
        }
    }
    let total_ms = started.elapsed().as_millis() as u64;

    let mut sent_headers = vec![("Host".to_string(), host_header(&url))];
    sent_headers.extend(
        headers
            .iter()
            .map(|(k, v)| (k.clone(), redact(k, v)))
            .filter(|(k, _)| !k.eq_ignore_ascii_case("host")),
    );
    if request.body.is_some() {
        sent_headers.push(("Content-Length".into(), body.len().to_string()));
    }
    let redirects = redirects.lock().map(|r| r.clone()).unwrap_or_default();
    Ok(Exchange {
        request: SentRequest {
            method: method.as_str().to_string(),
            url: url.to_string(),
            headers: sent_headers,
            body,
        },
        version,
        status,
        reason: reason_phrase(status).to_string(),
        headers: reply_headers,
        remote_addr,
        timings: Timings {
            headers_ms,
            total_ms,
        },
        redirects,
        final_url,
        body: reply_body,
    })
}

fn execute(
    client: &reqwest::blocking::Client,
    method: &reqwest::Method,
    url: &reqwest::Url,
    headers: &[(String, String)],
    body: &[u8],
    request: &Request,
    host: &str,
) -> Result<reqwest::blocking::Response, FetchError> {
    let mut builder = client.request(method.clone(), url.clone());
    for (k, v) in headers {
        builder = builder.header(k.as_str(), v.as_str());
    }
    if request.body.is_some() {
        builder = builder.body(body.to_vec());
    }
    builder
        .send()
        .map_err(|e| classify(&e, &request.transport, host, url))
}

fn response_headers(response: &reqwest::blocking::Response) -> Vec<(String, String)> {
    response
        .headers()
        .iter()
        .map(|(k, v)| {
            (
                canonical_header_name(k.as_str()),
                String::from_utf8_lossy(v.as_bytes()).into_owned(),
            )
        })
        .collect()
}

/// `content-type` -> `Content-Type` (hyper lowercases names; curl shows them as sent,
/// and most servers send this form).
fn canonical_header_name(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut upper = true;
    for c in name.chars() {
        if upper {
            out.extend(c.to_uppercase());
        } else {
            out.push(c);
        }
        upper = c == '-';
    }
    match out.as_str() {
        "Dav" => "DAV".into(),
        "Www-Authenticate" => "WWW-Authenticate".into(),
        "Etag" => "ETag".into(),
        _ => out,
    }
}

fn build_client(
    transport: &Transport,
    redirects: Arc<Mutex<Vec<(u16, String)>>>,
) -> Result<reqwest::blocking::Client, FetchError> {
    let timeout = Duration::from_secs(transport.timeout_secs.max(1));
    let policy = if transport.follow_redirects {
        reqwest::redirect::Policy::custom(move |attempt| {
            if let Ok(mut r) = redirects.lock() {
                r.push((attempt.status().as_u16(), strip_userinfo(attempt.url())));
            }
            if attempt.previous().len() >= 10 {
                attempt.error("too many redirects")
            } else {
                attempt.follow()
            }
        })
    } else {
        reqwest::redirect::Policy::none()
    };
    let mut builder = reqwest::blocking::Client::builder()
        .timeout(timeout)
        .connect_timeout(timeout)
        .redirect(policy)
        .gzip(true)
        .tls_danger_accept_invalid_certs(transport.insecure);
    if let Some(path) = &transport.ca_file {
        let ca_error = |reason: String| FetchError::CaFile {
            path: path.display().to_string(),
            reason,
        };
        let pem = std::fs::read(path).map_err(|e| ca_error(e.to_string()))?;
        let certs =
            reqwest::Certificate::from_pem_bundle(&pem).map_err(|e| ca_error(e.to_string()))?;
        if certs.is_empty() {
            return Err(ca_error("no PEM certificate in it".into()));
        }
        builder = builder.tls_certs_merge(certs);
    }
    builder = match &transport.proxy {
        ProxyChoice::System => builder,
        ProxyChoice::None => builder.no_proxy(),
        ProxyChoice::Url(u) => {
            if reqwest::Url::parse(u).is_ok_and(|p| p.password().is_some()) {
                return Err(FetchError::InvalidProxy {
                    url: "[a URL with a password]".into(),
                    reason: "a proxy password would be saved with the request; set HTTPS_PROXY in the environment and use the system proxy".into(),
                });
            }
            let proxy = reqwest::Proxy::all(u.as_str()).map_err(|e| FetchError::InvalidProxy {
                url: u.clone(),
                reason: error_chain(&e),
            })?;
            builder.proxy(proxy)
        }
    };
    builder.build().map_err(|e| {
        FetchError::InvalidRequest(format!("cannot set up the client: {}", error_chain(&e)))
    })
}

fn strip_userinfo(url: &reqwest::Url) -> String {
    let mut url = url.clone();
    let _ = url.set_password(None);
    url.to_string()
}

fn host_header(url: &reqwest::Url) -> String {
    let host = url.host_str().unwrap_or("");
    let host = if host.contains(':') && !host.starts_with('[') {
        format!("[{host}]")
    } else {
        host.to_string()
    };
    match url.port() {
        Some(p) => format!("{host}:{p}"),
        None => host,
    }
}

fn target_of(url: &reqwest::Url) -> String {
    let port = url.port_or_known_default().unwrap_or(0);
    format!("{}:{port}", url.host_str().unwrap_or(""))
}

/// Percent-decoded text (the core's decoder; invalid escapes stay as written).
fn percent_decode(text: &str) -> String {
    crate::core::href::percent_decode(text).0
}

fn has_header(headers: &[(String, String)], name: &str) -> bool {
    headers.iter().any(|(k, _)| k.eq_ignore_ascii_case(name))
}

fn header_value<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.trim())
}

fn looks_like_xml(body: &[u8], headers: &[(String, String)]) -> bool {
    if let Some(ct) = header_value(headers, "content-type") {
        return ct.to_ascii_lowercase().contains("xml");
    }
    let trimmed = body.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(body);
    trimmed
        .iter()
        .find(|b| !b.is_ascii_whitespace())
        .is_some_and(|b| *b == b'<')
}

/// The whole error chain as one line.
fn error_chain(err: &(dyn std::error::Error + 'static)) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut current: Option<&(dyn std::error::Error + 'static)> = Some(err);
    while let Some(e) = current {
        let text = e.to_string();
        if !parts.iter().any(|p| p.contains(&text)) {
            parts.push(text);
        }
        current = e.source();
    }
    parts.join(": ")
}

/// Every error in the chain, looking inside `io::Error`s too (whose `source()` skips
/// the wrapped error).
fn chain_of<'a>(
    err: &'a (dyn std::error::Error + 'static),
) -> Vec<&'a (dyn std::error::Error + 'static)> {
    let mut out = Vec::new();
    let mut current: Option<&(dyn std::error::Error + 'static)> = Some(err);
    while let Some(e) = current {
        out.push(e);
        if let Some(io) = e.downcast_ref::<std::io::Error>()
            && let Some(inner) = io.get_ref()
        {
            let inner: &(dyn std::error::Error + 'static) = inner;
            current = Some(inner);
            continue;
        }
        current = e.source();
        if out.len() > 32 {
            break;
        }
    }
    out
}

fn classify(
    err: &reqwest::Error,
    transport: &Transport,
    host: &str,
    url: &reqwest::Url,
) -> FetchError {
    if err.is_timeout() {
        return FetchError::Timeout {
            secs: transport.timeout_secs,
            phase: if err.is_connect() {
                "while connecting"
            } else {
                "waiting for the reply"
            },
        };
    }
    if err.is_redirect() {
        return FetchError::TooManyRedirects {
            last: err.url().map(strip_userinfo).unwrap_or_default(),
        };
    }
    if err.is_builder() {
        return FetchError::InvalidRequest(error_chain(err));
    }
    classify_chain(err, transport, host, url)
}

fn classify_io(
    err: &std::io::Error,
    transport: &Transport,
    host: &str,
    url: &reqwest::Url,
) -> FetchError {
    for e in chain_of(err) {
        if let Some(r) = e.downcast_ref::<reqwest::Error>() {
            return classify(r, transport, host, url);
        }
    }
    if err.kind() == std::io::ErrorKind::TimedOut {
        return FetchError::Timeout {
            secs: transport.timeout_secs,
            phase: "reading the reply body",
        };
    }
    classify_chain(err, transport, host, url)
}

fn classify_chain(
    err: &(dyn std::error::Error + 'static),
    transport: &Transport,
    host: &str,
    url: &reqwest::Url,
) -> FetchError {
    let chain = chain_of(err);
    for e in &chain {
        if let Some(tls) = e.downcast_ref::<rustls::Error>() {
            return FetchError::Tls {
                host: host.to_string(),
                problem: tls_problem(tls),
            };
        }
    }
    for e in &chain {
        if let Some(io) = e.downcast_ref::<std::io::Error>() {
            match io.kind() {
                std::io::ErrorKind::ConnectionRefused => {
                    return FetchError::ConnectionRefused {
                        target: target_of(url),
                    };
                }
                std::io::ErrorKind::TimedOut => {
                    return FetchError::Timeout {
                        secs: transport.timeout_secs,
                        phase: "while connecting",
                    };
                }
                _ => {}
            }
        }
    }
    let text = error_chain(err);
    let lower = text.to_ascii_lowercase();
    if lower.contains("dns error")
        || lower.contains("failed to lookup address")
        || lower.contains("name or service not known")
        || lower.contains("no address associated")
    {
        return FetchError::Dns {
            host: host.to_string(),
            detail: last_part(&text),
        };
    }
    if lower.contains("certificate") || lower.contains("tls") || lower.contains("handshake") {
        return FetchError::Tls {
            host: host.to_string(),
            problem: TlsProblem::Other(last_part(&text)),
        };
    }
    if lower.contains("connection refused") {
        return FetchError::ConnectionRefused {
            target: target_of(url),
        };
    }
    if lower.contains("client error (connect)") || lower.contains("tcp connect error") {
        return FetchError::Connect {
            target: target_of(url),
            detail: last_part(&text),
        };
    }
    FetchError::Connection { detail: text }
}

fn last_part(text: &str) -> String {
    text.rsplit(": ").next().unwrap_or(text).to_string()
}

fn tls_problem(err: &rustls::Error) -> TlsProblem {
    use rustls::CertificateError as C;
    match err {
        rustls::Error::InvalidCertificate(cert) => match cert {
            C::UnknownIssuer => TlsProblem::UnknownIssuer,
            C::NotValidForName | C::NotValidForNameContext { .. } => TlsProblem::HostnameMismatch,
            C::Expired | C::ExpiredContext { .. } => TlsProblem::Expired,
            C::NotValidYet | C::NotValidYetContext { .. } => TlsProblem::NotYetValid,
            C::Revoked => TlsProblem::Revoked,
            C::Other(other) => {
                let text = other.to_string();
                let lower = text.to_ascii_lowercase();
                if lower.contains("unknown") && lower.contains("issuer")
                    || lower.contains("self-signed")
                    || lower.contains("self signed")
                {
                    TlsProblem::UnknownIssuer
                } else if lower.contains("name") {
                    TlsProblem::HostnameMismatch
                } else if lower.contains("expired") {
                    TlsProblem::Expired
                } else {
                    TlsProblem::Other(format!("invalid certificate: {text}"))
                }
            }
            other => TlsProblem::Other(format!("invalid certificate: {other:?}")),
        },
        rustls::Error::InvalidMessage(_)
        | rustls::Error::InappropriateMessage { .. }
        | rustls::Error::InappropriateHandshakeMessage { .. } => TlsProblem::NotTls,
        rustls::Error::AlertReceived(alert) => TlsProblem::Alert(format!("{alert:?}")),
        rustls::Error::NoCertificatesPresented => {
            TlsProblem::Other("the server presented no certificate".into())
        }
        other => TlsProblem::Other(other.to_string()),
    }
}

/// One challenge of a `WWW-Authenticate` (or `Proxy-Authenticate`) header.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Challenge {
    pub scheme: String,
    /// `realm`, `qop`, `algorithm`, ... (names lower-cased, quotes removed).
    pub params: Vec<(String, String)>,
    /// The challenge as sent, scheme included.
    pub raw: String,
}

impl Challenge {
    pub fn param(&self, name: &str) -> Option<&str> {
        self.params
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// The auth challenges in a reply's `WWW-Authenticate` headers (several headers, and
/// several challenges in one header, RFC 9110 §11.6.1).
pub fn auth_challenges(headers: &[(String, String)]) -> Vec<Challenge> {
    let mut out: Vec<Challenge> = Vec::new();
    for (k, v) in headers {
        if !k.eq_ignore_ascii_case("www-authenticate") {
            continue;
        }
        for item in split_commas(v) {
            let item = item.trim();
            if item.is_empty() {
                continue;
            }
            // `scheme`, `scheme token68`, `scheme k=v`, or a `k=v` continuing the last.
            let (first_word, rest) = match item.split_once(char::is_whitespace) {
                Some((w, r)) => (w, r.trim_start()),
                None => (item, ""),
            };
            let is_param = first_word.contains('=') || rest.starts_with('=');
            if is_param && let Some(last) = out.last_mut() {
                if let Some((pk, pv)) = item.split_once('=') {
                    last.params
                        .push((pk.trim().to_ascii_lowercase(), unquote(pv.trim())));
                }
                last.raw.push_str(", ");
                last.raw.push_str(item);
                continue;
            }
            let (scheme, rest) = match item.split_once(char::is_whitespace) {
                Some((s, r)) => (s, r.trim()),
                None => (item, ""),
            };
            let mut challenge = Challenge {
                scheme: scheme.to_string(),
                params: Vec::new(),
                raw: item.to_string(),
            };
            if let Some((pk, pv)) = rest.split_once('=')
                && !pk.trim().is_empty()
                && !pk.contains(' ')
                && !pv.trim().is_empty()
            {
                challenge
                    .params
                    .push((pk.trim().to_ascii_lowercase(), unquote(pv.trim())));
            }
            out.push(challenge);
        }
    }
    out
}

/// Splits on commas outside quoted strings.
fn split_commas(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start = 0;
    let mut quoted = false;
    let mut escaped = false;
    for (i, c) in text.char_indices() {
        if escaped {
            escaped = false;
            continue;
        }
        match c {
            '\\' if quoted => escaped = true,
            '"' => quoted = !quoted,
            ',' if !quoted => {
                out.push(&text[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    out.push(&text[start..]);
    out
}

fn unquote(value: &str) -> String {
    match value.strip_prefix('"').and_then(|v| v.strip_suffix('"')) {
        Some(inner) => inner.replace("\\\"", "\"").replace("\\\\", "\\"),
        None => value.to_string(),
    }
}

/// A one-line summary of the offered auth schemes: `Basic (realm "x"), Digest
/// (realm "y", qop auth, algorithm MD5)`. `None` when the headers offer none.
pub fn summarise_auth(headers: &[(String, String)]) -> Option<String> {
    let challenges = auth_challenges(headers);
    if challenges.is_empty() {
        return None;
    }
    let parts: Vec<String> = challenges
        .iter()
        .map(|c| {
            let mut details = Vec::new();
            if let Some(realm) = c.param("realm") {
                details.push(format!("realm \"{realm}\""));
            }
            for name in ["qop", "algorithm", "error", "scope"] {
                if let Some(v) = c.param(name) {
                    details.push(format!("{name} {v}"));
                }
            }
            if details.is_empty() {
                c.scheme.clone()
            } else {
                format!("{} ({})", c.scheme, details.join(", "))
            }
        })
        .collect();
    Some(parts.join(", "))
}

impl Exchange {
    /// For a 401: which schemes the server offers, in words.
    pub fn auth_summary(&self) -> Option<String> {
        if self.status != 401 {
            return None;
        }
        Some(match summarise_auth(&self.headers) {
            Some(s) => format!("the server asks for authentication: {s}"),
            None => "the server asks for authentication but offers no scheme (no WWW-Authenticate header)".into(),
        })
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        header_value(&self.headers, name)
    }

    /// A raw HTTP snapshot: the redacted request (request line in absolute form,
    /// headers, body), then the reply as `curl -i` saves it. Read back by
    /// `core::document::load_bytes` (format `http`, with the request context).
    ///
    /// The reply body is written decoded, so `Transfer-Encoding` is dropped and
    /// `Content-Length` is set to the written length. A request body holding a line
    /// that starts with `HTTP/` would be taken for the reply when read back: it is
    /// then left out and an `X-Davscope-Note` header says so. A method token the
    /// reader does not take for one (lower-case letters, digits) leaves the request
    /// out of the snapshot the same way.
    pub fn to_raw_http(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(self.body.len() + self.request.body.len() + 1024);
        let method_ok = !self.request.method.is_empty()
            && self.request.method.len() <= 20
            && self
                .request
                .method
                .bytes()
                .all(|b| b.is_ascii_uppercase() || b == b'-');
        if method_ok {
            let body = &self.request.body;
            let body_ok = !body_has_status_line(body);
            out.extend_from_slice(
                format!("{} {} HTTP/1.1\r\n", self.request.method, self.request.url).as_bytes(),
            );
            for (k, v) in &self.request.headers {
                let v = if k.eq_ignore_ascii_case("content-length") && !body_ok {
                    "0".to_string()
                } else {
                    redact(k, v)
                };
                out.extend_from_slice(format!("{k}: {}\r\n", one_line(&v)).as_bytes());
            }
            if !body_ok {
                out.extend_from_slice(
                    format!(
                        "X-Davscope-Note: request body ({} bytes) left out: a line in it starts with HTTP/\r\n",
                        body.len()
                    )
                    .as_bytes(),
                );
            }
            out.extend_from_slice(b"\r\n");
            if body_ok && !body.is_empty() {
                out.extend_from_slice(body);
                if !body.ends_with(b"\n") {
                    out.extend_from_slice(b"\r\n");
                }
            }
        }
        out.extend_from_slice(
            format!("{} {} {}\r\n", self.version, self.status, self.reason)
                .trim_end_matches(' ')
                .as_bytes(),
        );
        if !out.ends_with(b"\r\n") {
            out.extend_from_slice(b"\r\n");
        }
        for (k, v) in &self.headers {
            if k.eq_ignore_ascii_case("transfer-encoding")
                || k.eq_ignore_ascii_case("content-length")
            {
                continue;
            }
            out.extend_from_slice(format!("{k}: {}\r\n", one_line(&redact(k, v))).as_bytes());
        }
        if !method_ok {
            out.extend_from_slice(
                format!(
                    "X-Davscope-Note: request {} {} left out: the method is not an upper-case token\r\n",
                    one_line(&self.request.method),
                    self.request.url
                )
                .as_bytes(),
            );
        }
        out.extend_from_slice(format!("Content-Length: {}\r\n\r\n", self.body.len()).as_bytes());
        out.extend_from_slice(&self.body);
        out
    }
}

fn one_line(v: &str) -> String {
    v.replace(['\r', '\n'], " ")
}

fn body_has_status_line(body: &[u8]) -> bool {
    body.starts_with(b"HTTP/") || memchr::memmem::find(body, b"\nHTTP/").is_some()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::document::{Bytes, LoadOptions, load_bytes};

    #[test]
    fn auth_challenges_are_split() {
        let headers = vec![
            (
                "WWW-Authenticate".to_string(),
                "Digest realm=\"dav, here\", qop=\"auth,auth-int\", nonce=\"abc\", algorithm=MD5, Basic realm=\"b\"".to_string(),
            ),
            ("www-authenticate".to_string(), "Bearer error=\"invalid_token\"".to_string()),
            ("www-authenticate".to_string(), "Negotiate".to_string()),
            ("www-authenticate".to_string(), "NTLM TlRMTVNTUAACAAAA==".to_string()),
        ];
        let c = auth_challenges(&headers);
        let schemes: Vec<&str> = c.iter().map(|c| c.scheme.as_str()).collect();
        assert_eq!(schemes, ["Digest", "Basic", "Bearer", "Negotiate", "NTLM"]);
        assert_eq!(c[0].param("realm"), Some("dav, here"));
        assert_eq!(c[0].param("qop"), Some("auth,auth-int"));
        assert_eq!(c[1].param("realm"), Some("b"));
        let s = summarise_auth(&headers).expect("summary");
        assert!(s.starts_with("Digest (realm \"dav, here\", qop auth,auth-int, algorithm MD5), Basic (realm \"b\")"), "{s}");
        assert!(digest_auth::parse(&c[0].raw).is_ok(), "{}", c[0].raw);
    }

    #[test]
    fn auth_debug_hides_secrets() {
        let a = Auth::Basic {
            user: "alice".into(),
            password: "s3cret-pw".into(),
        };
        assert!(!format!("{a:?}").contains("s3cret"));
        let b = Auth::Bearer {
            token: "tok-123".into(),
        };
        assert!(!format!("{b:?}").contains("tok-123"));
    }

    fn exchange(request_body: &[u8], method: &str) -> Exchange {
        Exchange {
            request: SentRequest {
                method: method.into(),
                url: "https://dav.example/cal/".into(),
                headers: vec![
                    ("Host".into(), "dav.example".into()),
                    ("Authorization".into(), "Basic YWxpY2U6czNjcmV0".into()),
                    ("Cookie".into(), "sid=abc".into()),
                    ("Content-Length".into(), request_body.len().to_string()),
                ],
                body: request_body.to_vec(),
            },
            version: "HTTP/1.1".into(),
            status: 207,
            reason: "Multi-Status".into(),
            headers: vec![
                ("Content-Type".into(), "application/xml".into()),
                ("Transfer-Encoding".into(), "chunked".into()),
                ("Set-Cookie".into(), "sid=def".into()),
            ],
            remote_addr: None,
            timings: Timings::default(),
            redirects: Vec::new(),
            final_url: "https://dav.example/cal/".into(),
            body: b"<D:multistatus xmlns:D=\"DAV:\"><D:response><D:href>/cal/a</D:href><D:status>HTTP/1.1 404 Not Found</D:status></D:response></D:multistatus>".to_vec(),
        }
    }

    #[test]
    fn snapshot_reads_back() {
        for (body, method) in [
            (
                &b"<D:propfind xmlns:D=\"DAV:\"><D:allprop/></D:propfind>"[..],
                "PROPFIND",
            ),
            (b"", "PROPFIND"),
            (b"<a>\nHTTP/1.1 200 OK\n</a>", "PROPPATCH"),
            (b"<a/>", "mkcalendar"),
        ] {
            let ex = exchange(body, method);
            let raw = ex.to_raw_http();
            let text = String::from_utf8_lossy(&raw);
            assert!(!text.contains("YWxpY2U6czNjcmV0"), "{text}");
            assert!(!text.contains("sid="), "{text}");
            let docs = load_bytes(
                "snap",
                std::sync::Arc::new(Bytes::Owned(raw.clone())),
                LoadOptions::default(),
            )
            .expect("load");
            assert_eq!(docs.len(), 1);
            let d = &docs[0];
            assert_eq!(d.info.http_status, Some(207), "{text}");
            assert!(d.multistatus.is_some(), "{text}");
            assert_eq!(d.responses().len(), 1);
            assert!(d.problems.is_empty(), "{:?}\n{text}", d.problems);
            if method == "mkcalendar" {
                assert!(d.info.request.is_none());
            } else {
                let req = d.info.request.as_ref().expect("request");
                assert_eq!(req.method, method);
                assert_eq!(req.url, "https://dav.example/cal/");
            }
        }
    }

    #[test]
    fn errors_are_classified_by_their_chain() {
        let url = reqwest::Url::parse("https://dav.example:8443/x").expect("url");
        let t = Transport::default();
        let dns = std::io::Error::other(
            "client error (Connect): dns error: failed to lookup address information: Name or service not known",
        );
        assert!(matches!(
            classify_chain(&dns, &t, "dav.example", &url),
            FetchError::Dns { .. }
        ));
        let refused = std::io::Error::from(std::io::ErrorKind::ConnectionRefused);
        match classify_chain(&refused, &t, "dav.example", &url) {
            FetchError::ConnectionRefused { target } => assert_eq!(target, "dav.example:8443"),
            other => panic!("{other:?}"),
        }
        let tls = std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            rustls::Error::InvalidCertificate(rustls::CertificateError::Expired),
        );
        assert!(matches!(
            classify_chain(&tls, &t, "dav.example", &url),
            FetchError::Tls {
                problem: TlsProblem::Expired,
                ..
            }
        ));
        let mut r = Request::propfind("http://127.0.0.1:1/");
        r.transport.proxy = ProxyChoice::Url("http://u:secret@127.0.0.1:3128".into());
        match send(&r, &mut |_| true) {
            Err(e @ FetchError::InvalidProxy { .. }) => assert!(!e.to_string().contains("secret")),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn invalid_urls_are_words() {
        let mut r = Request::propfind("ftp://x/");
        assert!(matches!(
            send(&r, &mut |_| true),
            Err(FetchError::InvalidUrl { .. })
        ));
        r.url = "not a url".into();
        assert!(matches!(
            send(&r, &mut |_| true),
            Err(FetchError::InvalidUrl { .. })
        ));
        r.url = "http://127.0.0.1:1/".into();
        r.method = "BAD METHOD".into();
        assert!(matches!(
            send(&r, &mut |_| true),
            Err(FetchError::InvalidRequest(_))
        ));
    }
}
