//! `davscope demo-server [--port P]`: a practice WebDAV server on 127.0.0.1 with
//! faults a user switches on and off, and [`start`], the same server as a library
//! call for tests and the window.
//!
//! The WebDAV work is done by dav-server (MemFs + MemLs) behind a small front that
//! produces the failures real servers send and dav-server does not: a 403 inside a
//! 207 for a forbidden folder, a 423 inside a 207 (with `lock-token-submitted`) when
//! the parent of a locked file is deleted or moved (dav-server alone answers a bare
//! 423), 404s for resources an index still lists, 507 for a full quota, and hrefs
//! rewritten to a back-end host as a misconfigured reverse proxy leaves them. The
//! front also answers REPORT (multiget, sync-collection, calendar/addressbook-query),
//! which dav-server leaves unimplemented without its CalDAV/CardDAV features.
//!
//! Threads: [`start`] runs one named thread with a single-threaded tokio runtime;
//! dropping the [`DemoServer`] stops it. Depends on the core for nothing; never
//! imports the UI.

use std::collections::BTreeMap;
use std::convert::Infallible;
use std::io::BufRead as _;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use bytes::Bytes;
use dav_server::memfs::MemFs;
use dav_server::memls::MemLs;
use dav_server::{DavConfig, DavHandler};
use http_body_util::{BodyExt as _, Full};
use hyper::body::Incoming;
use hyper::{Method, Request, Response, StatusCode};

use crate::cli::Exit;

/// The host a proxy-like rewrite puts into hrefs.
pub const BACKEND: &str = "http://backend.internal:8080";
/// The forbidden folder.
pub const FORBIDDEN_DIR: &str = "/private/";
/// The file bob locks.
pub const LOCKED_FILE: &str = "/projects/plan.txt";
/// Resources an index still lists but the storage lost.
pub const GHOSTS: [&str; 2] = ["/docs/old-draft.txt", "/calendars/work/cancelled.ics"];
/// Where the faults are switched.
pub const CONTROL_PATH: &str = "/_faults";

const MAX_REQUEST_BYTES: usize = 4 << 20;

#[derive(Debug, clap::Args)]
pub struct DemoArgs {
    /// Port on 127.0.0.1 (0 picks a free one).
    #[arg(long, default_value_t = 4918)]
    pub port: u16,
    /// Faults switched on at start (repeatable): forbidden, locked, missing, quota,
    /// rewrite, all.
    #[arg(long = "fault", value_name = "NAME")]
    pub faults: Vec<String>,
}

/// A fault the practice server can show.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Fault {
    /// `/private/` answers 403: inside the 207 of a PROPFIND, and for every write.
    Forbidden,
    /// bob holds a lock on `/projects/plan.txt`; deleting or moving `/projects/` gets a
    /// 207 with a 423 and `lock-token-submitted` inside.
    Locked,
    /// Listings show resources the storage lost, as 404 responses.
    Missing,
    /// Writes answer 507 (`quota-not-exceeded`); PROPPATCH sets get 507 propstats.
    Quota,
    /// Hrefs and Location headers name `http://backend.internal:8080/...`.
    Rewrite,
}

impl Fault {
    pub const ALL: [Fault; 5] = [
        Fault::Forbidden,
        Fault::Locked,
        Fault::Missing,
        Fault::Quota,
        Fault::Rewrite,
    ];

    pub fn name(&self) -> &'static str {
        match self {
            Fault::Forbidden => "forbidden",
            Fault::Locked => "locked",
            Fault::Missing => "missing",
            Fault::Quota => "quota",
            Fault::Rewrite => "rewrite",
        }
    }

    pub fn parse(name: &str) -> Option<Fault> {
        Fault::ALL
            .into_iter()
            .find(|f| f.name().eq_ignore_ascii_case(name.trim()))
    }

    /// What a user sees when it is on.
    pub fn about(&self) -> &'static str {
        match self {
            Fault::Forbidden => "/private/ answers 403 (inside the 207 of a PROPFIND; writes too)",
            Fault::Locked => {
                "bob locks /projects/plan.txt: DELETE or MOVE of /projects/ gets a 207 with 423 inside"
            }
            Fault::Missing => {
                "listings show /docs/old-draft.txt and /calendars/work/cancelled.ics as 404"
            }
            Fault::Quota => "PUT, MKCOL, COPY answer 507; PROPPATCH sets get 507 propstats",
            Fault::Rewrite => {
                "hrefs and Location name http://backend.internal:8080/ (proxy not rewriting)"
            }
        }
    }

    fn index(&self) -> usize {
        *self as usize
    }
}

/// The fault switches, shared with the server (cheap to clone).
#[derive(Clone, Debug, Default)]
pub struct Faults(Arc<FaultFlags>);

#[derive(Debug, Default)]
struct FaultFlags {
    on: [AtomicBool; 5],
}

impl Faults {
    pub fn set(&self, fault: Fault, on: bool) {
        self.0.on[fault.index()].store(on, Ordering::SeqCst);
    }

    pub fn is_on(&self, fault: Fault) -> bool {
        self.0.on[fault.index()].load(Ordering::SeqCst)
    }

    pub fn set_all(&self, on: bool) {
        for f in Fault::ALL {
            self.set(f, on);
        }
    }

    /// `forbidden=on locked=off ...`.
    pub fn describe(&self) -> String {
        Fault::ALL
            .iter()
            .map(|f| format!("{}={}", f.name(), if self.is_on(*f) { "on" } else { "off" }))
            .collect::<Vec<_>>()
            .join(" ")
    }

    /// Applies `name=on|off` pairs (`all` names every fault). Returns what was not
    /// understood.
    pub fn apply(&self, pairs: &[(String, String)]) -> Result<(), String> {
        let mut changes = Vec::new();
        for (k, v) in pairs {
            let on = match v.trim().to_ascii_lowercase().as_str() {
                "on" | "1" | "true" | "yes" => true,
                "off" | "0" | "false" | "no" => false,
                other => return Err(format!("`{k}={other}`: say on or off")),
            };
            if k.eq_ignore_ascii_case("all") {
                changes.extend(Fault::ALL.map(|f| (f, on)));
            } else {
                let f = Fault::parse(k).ok_or_else(|| {
                    format!(
                        "unknown fault `{k}`; known: {}, all",
                        Fault::ALL.map(|f| f.name()).join(", ")
                    )
                })?;
                changes.push((f, on));
            }
        }
        for (f, on) in changes {
            self.set(f, on);
        }
        Ok(())
    }
}

/// A running practice server. Dropping it stops the server.
pub struct DemoServer {
    addr: SocketAddr,
    faults: Faults,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl DemoServer {
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://127.0.0.1:PORT/`.
    pub fn url(&self) -> String {
        format!("http://{}/", self.addr)
    }

    pub fn faults(&self) -> &Faults {
        &self.faults
    }

    /// Stops the server and waits for its thread.
    pub fn stop(mut self) {
        self.shutdown_now();
    }

    fn shutdown_now(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

impl Drop for DemoServer {
    fn drop(&mut self) {
        self.shutdown_now();
    }
}

impl std::fmt::Debug for DemoServer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "DemoServer({}, {})", self.addr, self.faults.describe())
    }
}

/// Starts the practice server on 127.0.0.1:`port` (0 picks a free port), seeded and
/// ready when this returns. All faults start off.
pub fn start(port: u16) -> std::io::Result<DemoServer> {
    let listener = std::net::TcpListener::bind(("127.0.0.1", port))?;
    listener.set_nonblocking(true)?;
    let addr = listener.local_addr()?;
    let faults = Faults::default();
    let (shutdown_tx, shutdown_rx) = tokio::sync::oneshot::channel::<()>();
    let (ready_tx, ready_rx) = std::sync::mpsc::channel::<std::io::Result<()>>();
    let thread_faults = faults.clone();
    let thread = std::thread::Builder::new()
        .name("davscope-demo-server".into())
        .spawn(move || {
            let runtime = match tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
            {
                Ok(r) => r,
                Err(e) => {
                    let _ = ready_tx.send(Err(e));
                    return;
                }
            };
            runtime.block_on(serve(listener, thread_faults, shutdown_rx, ready_tx));
        })?;
    match ready_rx.recv() {
        Ok(Ok(())) => Ok(DemoServer {
            addr,
            faults,
            shutdown: Some(shutdown_tx),
            thread: Some(thread),
        }),
        Ok(Err(e)) => Err(e),
        Err(_) => Err(std::io::Error::other("the demo server thread stopped")),
    }
}

struct State {
    dav: DavHandler,
    faults: Faults,
    /// bob's lock token while the `locked` fault is applied, and when it was taken
    /// or refreshed (dav-server's MemLs caps lock timeouts at 600 s).
    lock_token: tokio::sync::Mutex<Option<(String, std::time::Instant)>>,
    /// Bumped by every successful write; the sync-token.
    generation: AtomicU64,
}

async fn serve(
    listener: std::net::TcpListener,
    faults: Faults,
    mut shutdown: tokio::sync::oneshot::Receiver<()>,
    ready: std::sync::mpsc::Sender<std::io::Result<()>>,
) {
    let listener = match tokio::net::TcpListener::from_std(listener) {
        Ok(l) => l,
        Err(e) => {
            let _ = ready.send(Err(e));
            return;
        }
    };
    let dav = DavHandler::builder()
        .filesystem(MemFs::new())
        .locksystem(MemLs::new())
        .build_handler();
    let state = Arc::new(State {
        dav,
        faults,
        lock_token: tokio::sync::Mutex::new(None),
        generation: AtomicU64::new(1),
    });
    if let Err(e) = seed(&state.dav).await {
        let _ = ready.send(Err(std::io::Error::other(e)));
        return;
    }
    let _ = ready.send(Ok(()));
    loop {
        tokio::select! {
            _ = &mut shutdown => break,
            accepted = listener.accept() => {
                let Ok((stream, _)) = accepted else { continue };
                let state = state.clone();
                tokio::spawn(async move {
                    let service = hyper::service::service_fn(move |req| {
                        let state = state.clone();
                        async move { Ok::<_, Infallible>(front(&state, req).await) }
                    });
                    let _ = hyper::server::conn::http1::Builder::new()
                        .serve_connection(hyper_util::rt::TokioIo::new(stream), service)
                        .await;
                });
            }
        }
    }
}

type Reply = Response<Full<Bytes>>;

/// Sends one request to dav-server and collects the reply.
async fn dav_call(
    dav: &DavHandler,
    config: Option<DavConfig>,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: Bytes,
) -> Result<(StatusCode, hyper::HeaderMap, Bytes), String> {
    let mut builder = Request::builder()
        .method(Method::from_bytes(method.as_bytes()).map_err(|e| e.to_string())?)
        .uri(path);
    for (k, v) in headers {
        builder = builder.header(*k, *v);
    }
    let req = builder.body(Full::new(body)).map_err(|e| e.to_string())?;
    let resp = match config {
        Some(c) => dav.handle_with(c, req).await,
        None => dav.handle(req).await,
    };
    let (parts, body) = resp.into_parts();
    let bytes = body.collect().await.map_err(|e| e.to_string())?.to_bytes();
    Ok((parts.status, parts.headers, bytes))
}

const EVENT: &str = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//davscope//demo//EN\r\nBEGIN:VEVENT\r\nUID:{uid}@davscope.demo\r\nDTSTAMP:20250101T090000Z\r\nDTSTART:{start}\r\nDTEND:{end}\r\nSUMMARY:{summary}\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
const CARD: &str = "BEGIN:VCARD\r\nVERSION:3.0\r\nUID:{uid}@davscope.demo\r\nFN:{name}\r\nEMAIL:{email}\r\nEND:VCARD\r\n";

async fn seed(dav: &DavHandler) -> Result<(), String> {
    let dirs = [
        "/docs/",
        "/projects/",
        "/private/",
        "/calendars/",
        "/calendars/work/",
        "/contacts/",
    ];
    for d in dirs {
        let (status, _, _) = dav_call(dav, None, "MKCOL", d, &[], Bytes::new()).await?;
        if !status.is_success() {
            return Err(format!("seeding: MKCOL {d} answered {status}"));
        }
    }
    let event = |uid: &str, start: &str, end: &str, summary: &str| {
        EVENT
            .replace("{uid}", uid)
            .replace("{start}", start)
            .replace("{end}", end)
            .replace("{summary}", summary)
    };
    let card = |uid: &str, name: &str, email: &str| {
        CARD.replace("{uid}", uid)
            .replace("{name}", name)
            .replace("{email}", email)
    };
    let files: Vec<(&str, String)> = vec![
        ("/welcome.txt", WELCOME.to_string()),
        ("/docs/readme.txt", "Practice files for davscope.\n".into()),
        (
            "/docs/notes.md",
            "# Notes\n\n- try PROPFIND at Depth 1\n".into(),
        ),
        (
            "/docs/report 2024.txt",
            "A file name with a space.\n".into(),
        ),
        ("/projects/plan.txt", "Q3 plan: ship the explorer.\n".into()),
        ("/projects/budget.csv", "item,amount\nservers,1200\n".into()),
        ("/private/salaries.csv", "name,amount\n".into()),
        (
            "/calendars/work/standup.ics",
            event(
                "standup",
                "20250106T090000Z",
                "20250106T091500Z",
                "Stand-up",
            ),
        ),
        (
            "/calendars/work/review.ics",
            event("review", "20250110T140000Z", "20250110T150000Z", "Review"),
        ),
        (
            "/contacts/alice.vcf",
            card("alice", "Alice Example", "alice@example.com"),
        ),
        (
            "/contacts/bob.vcf",
            card("bob", "Bob Example", "bob@example.com"),
        ),
    ];
    for (path, content) in files {
        let uri = encode_path(path);
        let (status, _, _) = dav_call(dav, None, "PUT", &uri, &[], Bytes::from(content)).await?;
        if !status.is_success() {
            return Err(format!("seeding: PUT {path} answered {status}"));
        }
    }
    Ok(())
}

const WELCOME: &str = "davscope practice server.\n\nSwitch faults with POST /_faults?forbidden=on (forbidden, locked, missing, quota, rewrite, all).\n";

fn encode_path(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for b in path.bytes() {
        if b.is_ascii_alphanumeric() || b"/-._~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Percent-decoded text (the core's decoder; invalid escapes stay as written).
fn decode_path(path: &str) -> String {
    crate::core::href::percent_decode(path).0
}

/// `/a/b` is inside `/a/` (and `/a/` is inside `/a/`); `/ab` is not.
fn inside(path: &str, dir: &str) -> bool {
    let dir_bare = dir.trim_end_matches('/');
    path == dir_bare || path.starts_with(dir)
}

fn reply(status: StatusCode, content_type: &str, body: impl Into<Bytes>) -> Reply {
    let mut r = Response::new(Full::new(body.into()));
    *r.status_mut() = status;
    if let Ok(v) = content_type.parse() {
        r.headers_mut().insert(hyper::header::CONTENT_TYPE, v);
    }
    r
}

fn xml_reply(status: StatusCode, body: String) -> Reply {
    reply(status, "application/xml; charset=utf-8", body)
}

fn dav_error(status: StatusCode, condition: &str) -> Reply {
    xml_reply(
        status,
        format!(
            "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<D:error xmlns:D=\"DAV:\"><D:{condition}/></D:error>\n"
        ),
    )
}

fn status_line(code: StatusCode) -> String {
    format!(
        "HTTP/1.1 {} {}",
        code.as_u16(),
        code.canonical_reason().unwrap_or("")
    )
}

fn multistatus(responses: &[String], extra: &str) -> String {
    let mut out = String::from(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<D:multistatus xmlns:D=\"DAV:\">",
    );
    for r in responses {
        out.push_str(r);
    }
    out.push_str(extra);
    out.push_str("</D:multistatus>\n");
    out
}

fn status_response(href: &str, code: StatusCode, error: Option<&str>) -> String {
    let error = error
        .map(|e| format!("<D:error>{e}</D:error>"))
        .unwrap_or_default();
    format!(
        "<D:response><D:href>{}</D:href><D:status>{}</D:status>{error}</D:response>",
        xml_escape(href),
        status_line(code)
    )
}

fn xml_escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// dav-server's multistatus split into (head, responses, tail).
fn split_multistatus(body: &str) -> Option<(String, Vec<String>, String)> {
    let first = body.find("<D:response>")?;
    let last_end = body.rfind("</D:response>")? + "</D:response>".len();
    let mut responses = Vec::new();
    let mut rest = &body[first..last_end];
    while let Some(start) = rest.find("<D:response>") {
        let end = rest[start..].find("</D:response>")? + start + "</D:response>".len();
        responses.push(rest[start..end].to_string());
        rest = &rest[end..];
    }
    Some((
        body[..first].to_string(),
        responses,
        body[last_end..].to_string(),
    ))
}

fn href_of(response: &str) -> Option<String> {
    let start = response.find("<D:href>")? + "<D:href>".len();
    let end = response[start..].find("</D:href>")? + start;
    Some(response[start..end].to_string())
}

/// The path of an href (absolute or not), percent-decoded.
fn href_path(href: &str) -> String {
    let path = match href.find("://") {
        Some(i) => {
            let after = &href[i + 3..];
            after.find('/').map(|j| &after[j..]).unwrap_or("/")
        }
        None => href,
    };
    decode_path(&path.replace("&amp;", "&"))
}

fn rewrite_hrefs(body: &str) -> String {
    body.replace("<D:href>/", &format!("<D:href>{BACKEND}/"))
}

fn query_pairs(query: Option<&str>) -> Vec<(String, String)> {
    query
        .unwrap_or("")
        .split('&')
        .filter(|s| !s.is_empty())
        .map(|kv| match kv.split_once('=') {
            Some((k, v)) => (decode_path(k), decode_path(v)),
            None => (decode_path(kv), "on".into()),
        })
        .collect()
}

fn control(state: &State, method: &Method, query: Option<&str>) -> Reply {
    let faults = &state.faults;
    let text = |faults: &Faults| {
        let mut out = format!("{}\n", faults.describe());
        for f in Fault::ALL {
            out.push_str(&format!("  {:9} {}\n", f.name(), f.about()));
        }
        out
    };
    match *method {
        Method::GET | Method::HEAD if query.is_none_or(str::is_empty) => {
            reply(StatusCode::OK, "text/plain; charset=utf-8", text(faults))
        }
        Method::POST | Method::PUT => match faults.apply(&query_pairs(query)) {
            Ok(()) => reply(StatusCode::OK, "text/plain; charset=utf-8", text(faults)),
            Err(e) => reply(
                StatusCode::BAD_REQUEST,
                "text/plain; charset=utf-8",
                format!("{e}\n"),
            ),
        },
        _ => {
            let mut r = reply(
                StatusCode::METHOD_NOT_ALLOWED,
                "text/plain; charset=utf-8",
                "switch faults with POST /_faults?forbidden=on&locked=off (GET shows them)\n",
            );
            if let Ok(v) = "GET, POST".parse() {
                r.headers_mut().insert(hyper::header::ALLOW, v);
            }
            r
        }
    }
}

/// Makes bob's lock match the `locked` switch, refreshing it before MemLs lets it
/// expire.
async fn sync_lock(state: &State) {
    let want = state.faults.is_on(Fault::Locked);
    let mut held = state.lock_token.lock().await;
    if let Some((token, since)) = held.as_ref()
        && (!want || since.elapsed().as_secs() > 240)
    {
        let header = format!("<{token}>");
        let _ = dav_call(
            &state.dav,
            Some(DavConfig::new().principal("bob")),
            "UNLOCK",
            LOCKED_FILE,
            &[("Lock-Token", &header)],
            Bytes::new(),
        )
        .await;
        *held = None;
    }
    if want && held.is_none() {
        let body = "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<D:lockinfo xmlns:D=\"DAV:\"><D:lockscope><D:exclusive/></D:lockscope><D:locktype><D:write/></D:locktype><D:owner><D:href>mailto:bob@example.com</D:href></D:owner></D:lockinfo>";
        if let Ok((status, headers, _)) = dav_call(
            &state.dav,
            Some(DavConfig::new().principal("bob")),
            "LOCK",
            LOCKED_FILE,
            &[("Timeout", "Second-600"), ("Depth", "0")],
            Bytes::from(body),
        )
        .await
            && status.is_success()
        {
            *held = headers
                .get("lock-token")
                .and_then(|v| v.to_str().ok())
                .map(|v| {
                    (
                        v.trim_matches(|c| c == '<' || c == '>').to_string(),
                        std::time::Instant::now(),
                    )
                });
        }
    }
}

async fn front(state: &State, req: Request<Incoming>) -> Reply {
    let (parts, body) = req.into_parts();
    let path = decode_path(parts.uri.path());
    if path == CONTROL_PATH {
        return control(state, &parts.method, parts.uri.query());
    }
    let body = match http_body_util::Limited::new(body, MAX_REQUEST_BYTES)
        .collect()
        .await
    {
        Ok(b) => b.to_bytes(),
        Err(_) => {
            return reply(
                StatusCode::PAYLOAD_TOO_LARGE,
                "text/plain; charset=utf-8",
                "request body too large for the practice server\n",
            );
        }
    };
    sync_lock(state).await;
    let mut out = match faulted(state, &parts, &path, &body).await {
        Some(r) => r,
        None => pass(state, &parts, &path, body).await,
    };
    if state.faults.is_on(Fault::Rewrite) {
        out = rewrite_reply(out).await;
    }
    out.headers_mut().insert(
        hyper::header::SERVER,
        hyper::header::HeaderValue::from_static("davscope-demo (dav-server)"),
    );
    out
}

async fn rewrite_reply(reply_in: Reply) -> Reply {
    let (mut parts, body) = reply_in.into_parts();
    for name in [hyper::header::LOCATION, hyper::header::CONTENT_LOCATION] {
        if let Some(v) = parts.headers.get(&name).and_then(|v| v.to_str().ok())
            && v.starts_with('/')
            && let Ok(new) = format!("{BACKEND}{v}").parse()
        {
            parts.headers.insert(name, new);
        }
    }
    let bytes = match body.collect().await {
        Ok(b) => b.to_bytes(),
        Err(never) => match never {},
    };
    let is_xml = parts
        .headers
        .get(hyper::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("xml"));
    let bytes = match (is_xml, std::str::from_utf8(&bytes)) {
        (true, Ok(text)) => Bytes::from(rewrite_hrefs(text)),
        _ => bytes,
    };
    parts.headers.remove(hyper::header::CONTENT_LENGTH);
    Response::from_parts(parts, Full::new(bytes))
}

fn header<'a>(parts: &'a hyper::http::request::Parts, name: &str) -> Option<&'a str> {
    parts.headers.get(name).and_then(|v| v.to_str().ok())
}

fn destination_path(parts: &hyper::http::request::Parts) -> Option<String> {
    header(parts, "destination").map(href_path)
}

fn is_write(method: &Method) -> bool {
    !matches!(
        method.as_str(),
        "GET" | "HEAD" | "OPTIONS" | "PROPFIND" | "REPORT"
    )
}

/// The failures the front produces itself; `None` passes the request to dav-server.
async fn faulted(
    state: &State,
    parts: &hyper::http::request::Parts,
    path: &str,
    body: &Bytes,
) -> Option<Reply> {
    let method = parts.method.as_str();
    let faults = &state.faults;
    if faults.is_on(Fault::Forbidden) {
        let dest_inside = destination_path(parts).is_some_and(|d| inside(&d, FORBIDDEN_DIR));
        if inside(path, FORBIDDEN_DIR) || dest_inside {
            if method == "PROPFIND" {
                let href = encode_path(path);
                return Some(xml_reply(
                    StatusCode::MULTI_STATUS,
                    multistatus(&[status_response(&href, StatusCode::FORBIDDEN, None)], ""),
                ));
            }
            if method != "OPTIONS" {
                return Some(reply(
                    StatusCode::FORBIDDEN,
                    "text/plain; charset=utf-8",
                    "403 Forbidden: you may not access /private/ (practice fault `forbidden`)\n",
                ));
            }
        }
    }
    if faults.is_on(Fault::Quota) {
        match method {
            "PUT" | "MKCOL" => {
                return Some(dav_error(
                    StatusCode::INSUFFICIENT_STORAGE,
                    "quota-not-exceeded",
                ));
            }
            "COPY" => return Some(quota_copy(state, parts, path).await),
            "PROPPATCH" => return quota_proppatch(path, body),
            _ => {}
        }
    }
    if method == "REPORT" {
        return Some(report(state, path, body).await);
    }
    None
}

/// A COPY with a full quota: a plain 507 for a file; for a collection, a 207 with a
/// 507 for every member that could not be written (as Apache reports a partial copy).
async fn quota_copy(state: &State, parts: &hyper::http::request::Parts, path: &str) -> Reply {
    let Some(dest) = destination_path(parts) else {
        return reply(
            StatusCode::BAD_REQUEST,
            "text/plain; charset=utf-8",
            "COPY needs a Destination header\n",
        );
    };
    let members = list(state, path, "infinity").await;
    let src = format!("{}/", path.trim_end_matches('/'));
    let files: Vec<String> = members
        .iter()
        .filter(|(p, _)| p.starts_with(&src) && *p != src)
        .map(|(p, _)| format!("{}/{}", dest.trim_end_matches('/'), &p[src.len()..]))
        .collect();
    if files.is_empty() {
        return dav_error(StatusCode::INSUFFICIENT_STORAGE, "quota-not-exceeded");
    }
    let responses: Vec<String> = files
        .iter()
        .map(|f| {
            status_response(
                &encode_path(f),
                StatusCode::INSUFFICIENT_STORAGE,
                Some("<D:quota-not-exceeded/>"),
            )
        })
        .collect();
    xml_reply(StatusCode::MULTI_STATUS, multistatus(&responses, ""))
}

/// A PROPPATCH with a full quota: sets get 507, removes would succeed but fail with
/// 424 (PROPPATCH is atomic, RFC 4918 §9.2).
fn quota_proppatch(path: &str, body: &Bytes) -> Option<Reply> {
    let text = std::str::from_utf8(body).ok()?;
    let (sets, removes) = proppatch_names(text)?;
    if sets.is_empty() {
        return None;
    }
    let mut decls = BTreeMap::new();
    let mut propstat = |names: &[(String, String)], code: StatusCode| -> String {
        let mut props = String::new();
        for (ns, local) in names {
            let n = decls.len();
            let prefix = decls
                .entry(ns.clone())
                .or_insert_with(|| format!("p{n}"))
                .clone();
            props.push_str(&format!("<{prefix}:{local}/>"));
        }
        format!(
            "<D:propstat><D:prop>{props}</D:prop><D:status>{}</D:status></D:propstat>",
            status_line(code)
        )
    };
    let mut inner = propstat(&sets, StatusCode::INSUFFICIENT_STORAGE);
    if !removes.is_empty() {
        inner.push_str(&propstat(&removes, StatusCode::FAILED_DEPENDENCY));
    }
    let ns_decls: String = decls
        .iter()
        .map(|(ns, p)| format!(" xmlns:{p}=\"{}\"", xml_escape(ns)))
        .collect();
    let response = format!(
        "<D:response{ns_decls}><D:href>{}</D:href>{inner}<D:responsedescription>quota exceeded (practice fault `quota`)</D:responsedescription></D:response>",
        encode_path(path)
    );
    Some(xml_reply(
        StatusCode::MULTI_STATUS,
        multistatus(&[response], ""),
    ))
}

/// The (namespace, local name) of the properties a PROPPATCH sets and removes.
type Names = Vec<(String, String)>;

fn proppatch_names(text: &str) -> Option<(Names, Names)> {
    use quick_xml::events::Event;
    use quick_xml::name::ResolveResult;
    let mut reader = quick_xml::NsReader::from_str(text);
    let mut stack: Vec<String> = Vec::new();
    let mut sets = Vec::new();
    let mut removes = Vec::new();
    loop {
        let (resolved, event) = reader.read_resolved_event().ok()?;
        let (e, empty) = match event {
            Event::Start(e) => (e, false),
            Event::Empty(e) => (e, true),
            Event::End(_) => {
                stack.pop();
                continue;
            }
            Event::Eof => break,
            _ => continue,
        };
        let ns = match resolved {
            ResolveResult::Bound(ns) => ns.as_ref().to_string(),
            _ => String::new(),
        };
        let local = e.local_name().as_ref().to_string();
        // propertyupdate / set|remove / prop / the property
        if stack.len() == 3 && stack[2] == "prop" {
            let target = if stack[1] == "set" {
                &mut sets
            } else {
                &mut removes
            };
            target.push((ns, local.clone()));
        }
        if !empty {
            stack.push(local);
        }
    }
    Some((sets, removes))
}

/// Paths and collection flags under `path` from dav-server (depth `1` or `infinity`).
async fn list(state: &State, path: &str, depth: &str) -> Vec<(String, bool)> {
    let body = "<?xml version=\"1.0\" encoding=\"utf-8\"?><D:propfind xmlns:D=\"DAV:\"><D:prop><D:resourcetype/><D:getetag/></D:prop></D:propfind>";
    let Ok((status, _, bytes)) = dav_call(
        &state.dav,
        None,
        "PROPFIND",
        &encode_path(path),
        &[("Depth", depth), ("X-Litmus", "davscope-demo")],
        Bytes::from(body),
    )
    .await
    else {
        return Vec::new();
    };
    if status != StatusCode::MULTI_STATUS {
        return Vec::new();
    }
    let text = String::from_utf8_lossy(&bytes);
    let Some((_, responses, _)) = split_multistatus(&text) else {
        return Vec::new();
    };
    responses
        .iter()
        .filter_map(|r| {
            let p = href_path(&href_of(r)?);
            Some((p, r.contains("collection")))
        })
        .collect()
}

/// Passes a request to dav-server, then adds what the faults change in its reply.
async fn pass(
    state: &State,
    parts: &hyper::http::request::Parts,
    path: &str,
    body: Bytes,
) -> Reply {
    let method = parts.method.as_str().to_string();
    let mut headers: Vec<(String, String)> = parts
        .headers
        .iter()
        .filter_map(|(k, v)| Some((k.as_str().to_string(), v.to_str().ok()?.to_string())))
        .collect();
    let depth = header(parts, "depth").unwrap_or("").to_ascii_lowercase();
    // The practice server answers Depth: infinity (dav-server refuses it unless asked
    // through its litmus switch).
    if method == "PROPFIND" && depth == "infinity" {
        headers.push(("X-Litmus".into(), "davscope-demo".into()));
    }
    let uri = parts
        .uri
        .path_and_query()
        .map(|p| p.as_str().to_string())
        .unwrap_or_else(|| "/".into());
    let header_refs: Vec<(&str, &str)> = headers
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let (status, mut out_headers, bytes) =
        match dav_call(&state.dav, None, &method, &uri, &header_refs, body).await {
            Ok(x) => x,
            Err(e) => {
                return reply(
                    StatusCode::BAD_REQUEST,
                    "text/plain; charset=utf-8",
                    format!("{e}\n"),
                );
            }
        };
    if is_write(&parts.method) && status.is_success() {
        state.generation.fetch_add(1, Ordering::SeqCst);
    }
    let mut bytes = bytes;
    if method == "PROPFIND" && status == StatusCode::MULTI_STATUS {
        let text = String::from_utf8_lossy(&bytes).into_owned();
        if let Some(new) = adjust_listing(state, &text, path, &depth) {
            bytes = Bytes::from(new);
            out_headers.remove(hyper::header::CONTENT_LENGTH);
        }
    }
    // dav-server answers a lock held on a member with a bare 423; Apache and WsgiDAV
    // answer a 207 naming each locked member (RFC 4918 §9.6.1, §9.9.4).
    if status == StatusCode::LOCKED && matches!(method.as_str(), "DELETE" | "MOVE") {
        let roots = lock_roots(state, path).await;
        let target = format!("{}/", path.trim_end_matches('/'));
        let members: Vec<&String> = roots
            .iter()
            .filter(|r| r.as_str() != path && **r != target && r.starts_with(&target))
            .collect();
        if !members.is_empty() && members.len() == roots.len() {
            let responses: Vec<String> = members
                .iter()
                .map(|m| {
                    let href = encode_path(m);
                    status_response(
                        &href,
                        StatusCode::LOCKED,
                        Some(&format!(
                            "<D:lock-token-submitted><D:href>{href}</D:href></D:lock-token-submitted>"
                        )),
                    )
                })
                .collect();
            return xml_reply(StatusCode::MULTI_STATUS, multistatus(&responses, ""));
        }
    }
    // RFC 4918 §9.6, §9.7: a lock conflict on the target names the lock it needs.
    if status == StatusCode::LOCKED && bytes.is_empty() {
        bytes = Bytes::from(format!(
            "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<D:error xmlns:D=\"DAV:\"><D:lock-token-submitted><D:href>{}</D:href></D:lock-token-submitted></D:error>\n",
            encode_path(path)
        ));
        out_headers.remove(hyper::header::CONTENT_LENGTH);
        if let Ok(v) = "application/xml; charset=utf-8".parse() {
            out_headers.insert(hyper::header::CONTENT_TYPE, v);
        }
    }
    let mut r = Response::new(Full::new(bytes));
    *r.status_mut() = status;
    *r.headers_mut() = out_headers;
    r
}

/// The roots of the locks held on `path` and below (decoded paths).
async fn lock_roots(state: &State, path: &str) -> Vec<String> {
    let body = "<?xml version=\"1.0\" encoding=\"utf-8\"?><D:propfind xmlns:D=\"DAV:\"><D:prop><D:lockdiscovery/></D:prop></D:propfind>";
    let Ok((status, _, bytes)) = dav_call(
        &state.dav,
        None,
        "PROPFIND",
        &encode_path(path),
        &[("Depth", "infinity"), ("X-Litmus", "davscope-demo")],
        Bytes::from(body),
    )
    .await
    else {
        return Vec::new();
    };
    if status != StatusCode::MULTI_STATUS {
        return Vec::new();
    }
    let text = String::from_utf8_lossy(&bytes);
    let mut roots: Vec<String> = Vec::new();
    for part in text.split("<D:lockroot>").skip(1) {
        if let Some(href) = href_of(part) {
            let p = href_path(&href);
            if !roots.contains(&p) {
                roots.push(p);
            }
        }
    }
    roots
}

/// The forbidden folder and the ghosts in a PROPFIND listing.
fn adjust_listing(state: &State, text: &str, path: &str, depth: &str) -> Option<String> {
    let forbidden = state.faults.is_on(Fault::Forbidden);
    let missing = state.faults.is_on(Fault::Missing);
    if !forbidden && !missing {
        return None;
    }
    let (head, mut responses, tail) = split_multistatus(text)?;
    if forbidden {
        let mut kept = Vec::with_capacity(responses.len());
        for r in responses {
            let p = href_path(&href_of(&r).unwrap_or_default());
            if p == FORBIDDEN_DIR || p == FORBIDDEN_DIR.trim_end_matches('/') {
                kept.push(status_response(FORBIDDEN_DIR, StatusCode::FORBIDDEN, None));
            } else if !inside(&p, FORBIDDEN_DIR) {
                kept.push(r);
            }
        }
        responses = kept;
    }
    if missing && depth != "0" {
        let dir = format!("{}/", path.trim_end_matches('/'));
        for ghost in GHOSTS {
            let parent = &ghost[..ghost.rfind('/').map(|i| i + 1).unwrap_or(0)];
            let listed = if depth == "infinity" {
                ghost.starts_with(&dir)
            } else {
                parent == dir
            };
            if listed {
                responses.push(status_response(ghost, StatusCode::NOT_FOUND, None));
            }
        }
    }
    Some(format!("{head}{}{tail}", responses.concat()))
}

/// REPORT: multiget, sync-collection and calendar/addressbook-query (every member,
/// no filtering); other reports get 403 `supported-report` (RFC 3253 §3.6).
async fn report(state: &State, path: &str, body: &Bytes) -> Reply {
    let Ok(text) = std::str::from_utf8(body) else {
        return reply(
            StatusCode::BAD_REQUEST,
            "text/plain; charset=utf-8",
            "the REPORT body is not UTF-8\n",
        );
    };
    let Some(parsed) = parse_report(text) else {
        return reply(
            StatusCode::BAD_REQUEST,
            "text/plain; charset=utf-8",
            "the REPORT body is not well-formed XML\n",
        );
    };
    let hrefs: Vec<String> = match parsed.kind.as_str() {
        "calendar-multiget" | "addressbook-multiget" => parsed.hrefs.clone(),
        "calendar-query" | "addressbook-query" | "sync-collection" => {
            if parsed.kind == "sync-collection"
                && !parsed.token.is_empty()
                && parsed.token != sync_token(state)
                && !parsed.token.starts_with("http://davscope.demo/sync/")
            {
                return dav_error(StatusCode::FORBIDDEN, "valid-sync-token");
            }
            if parsed.kind == "sync-collection" && parsed.token == sync_token(state) {
                Vec::new()
            } else {
                let ext = match parsed.kind.as_str() {
                    "calendar-query" => Some(".ics"),
                    "addressbook-query" => Some(".vcf"),
                    _ => None,
                };
                let mut found: Vec<String> = list(state, path, "1")
                    .await
                    .into_iter()
                    .filter(|(p, coll)| {
                        !coll
                            && p.trim_end_matches('/') != path.trim_end_matches('/')
                            && ext.is_none_or(|e| p.ends_with(e))
                    })
                    .map(|(p, _)| encode_path(&p))
                    .collect();
                if state.faults.is_on(Fault::Missing) {
                    let dir = format!("{}/", path.trim_end_matches('/'));
                    for ghost in GHOSTS {
                        if ghost.starts_with(&dir) && !ghost[dir.len()..].contains('/') {
                            found.push(ghost.to_string());
                        }
                    }
                }
                found
            }
        }
        _ => return dav_error(StatusCode::FORBIDDEN, "supported-report"),
    };
    let mut responses = Vec::new();
    let mut namespaces: BTreeMap<String, String> = BTreeMap::new();
    for href in &hrefs {
        responses.push(multiget_response(state, href, &parsed.props, &mut namespaces).await);
    }
    let extra = if parsed.kind == "sync-collection" {
        format!("<D:sync-token>{}</D:sync-token>", sync_token(state))
    } else {
        String::new()
    };
    let mut body = multistatus(&responses, &extra);
    let decls: String = namespaces
        .iter()
        .map(|(ns, p)| format!(" xmlns:{p}=\"{}\"", xml_escape(ns)))
        .collect();
    body = body.replacen(
        "<D:multistatus xmlns:D=\"DAV:\">",
        &format!("<D:multistatus xmlns:D=\"DAV:\"{decls}>"),
        1,
    );
    xml_reply(StatusCode::MULTI_STATUS, body)
}

fn sync_token(state: &State) -> String {
    format!(
        "http://davscope.demo/sync/{}",
        state.generation.load(Ordering::SeqCst)
    )
}

struct ReportBody {
    kind: String,
    hrefs: Vec<String>,
    /// (namespace, local name) of the requested properties.
    props: Vec<(String, String)>,
    token: String,
}

fn parse_report(text: &str) -> Option<ReportBody> {
    use quick_xml::events::Event;
    use quick_xml::name::ResolveResult;
    let mut reader = quick_xml::NsReader::from_str(text);
    let mut stack: Vec<String> = Vec::new();
    let mut out = ReportBody {
        kind: String::new(),
        hrefs: Vec::new(),
        props: Vec::new(),
        token: String::new(),
    };
    let mut text_buf = String::new();
    loop {
        let (resolved, event) = reader.read_resolved_event().ok()?;
        let (e, empty) = match event {
            Event::Start(e) => (e, false),
            Event::Empty(e) => (e, true),
            Event::Text(t) => {
                text_buf.push_str(t.as_ref());
                continue;
            }
            Event::GeneralRef(r) => {
                let name = r.as_ref();
                text_buf.push_str(&crate::core::text::decode_text(&format!("&{name};")));
                continue;
            }
            Event::End(_) => {
                let closed = stack.pop().unwrap_or_default();
                if stack.len() == 1 {
                    match closed.as_str() {
                        "href" => out.hrefs.push(text_buf.trim().to_string()),
                        "sync-token" => out.token = text_buf.trim().to_string(),
                        _ => {}
                    }
                }
                text_buf.clear();
                continue;
            }
            Event::Eof => break,
            _ => continue,
        };
        let ns = match resolved {
            ResolveResult::Bound(ns) => ns.as_ref().to_string(),
            _ => String::new(),
        };
        let local = e.local_name().as_ref().to_string();
        if stack.is_empty() {
            out.kind = local.clone();
        } else if stack.len() == 2 && stack[1] == "prop" {
            out.props.push((ns, local.clone()));
        }
        text_buf.clear();
        if !empty {
            stack.push(local);
        }
    }
    if out.kind.is_empty() {
        return None;
    }
    if out.props.is_empty() {
        out.props.push(("DAV:".into(), "getetag".into()));
    }
    Some(out)
}

/// One response of a multiget: 404 when the resource is missing; else the requested
/// properties, `getetag`, `calendar-data` and `address-data` found, the others 404.
async fn multiget_response(
    state: &State,
    href: &str,
    props: &[(String, String)],
    namespaces: &mut BTreeMap<String, String>,
) -> String {
    let path = href_path(href);
    let forbidden = state.faults.is_on(Fault::Forbidden) && inside(&path, FORBIDDEN_DIR);
    if forbidden {
        return status_response(href, StatusCode::FORBIDDEN, None);
    }
    let (status, headers, content) = match dav_call(
        &state.dav,
        None,
        "GET",
        &encode_path(&path),
        &[],
        Bytes::new(),
    )
    .await
    {
        Ok(x) => x,
        Err(_) => return status_response(href, StatusCode::INTERNAL_SERVER_ERROR, None),
    };
    if status == StatusCode::NOT_FOUND || status == StatusCode::METHOD_NOT_ALLOWED {
        return status_response(href, StatusCode::NOT_FOUND, None);
    }
    if !status.is_success() {
        return status_response(href, status, None);
    }
    let etag = headers
        .get(hyper::header::ETAG)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    let mut found = String::new();
    let mut missing = String::new();
    for (ns, local) in props {
        let tag = if ns == "DAV:" {
            format!("D:{local}")
        } else {
            let n = namespaces.len();
            let prefix = namespaces
                .entry(ns.clone())
                .or_insert_with(|| match ns.as_str() {
                    "urn:ietf:params:xml:ns:caldav" => "C".into(),
                    "urn:ietf:params:xml:ns:carddav" => "CR".into(),
                    _ => format!("x{n}"),
                })
                .clone();
            format!("{prefix}:{local}")
        };
        match (ns.as_str(), local.as_str()) {
            ("DAV:", "getetag") if !etag.is_empty() => {
                found.push_str(&format!("<{tag}>{}</{tag}>", xml_escape(&etag)));
            }
            ("urn:ietf:params:xml:ns:caldav", "calendar-data")
            | ("urn:ietf:params:xml:ns:carddav", "address-data") => {
                found.push_str(&format!(
                    "<{tag}>{}</{tag}>",
                    xml_escape(&String::from_utf8_lossy(&content))
                ));
            }
            _ => missing.push_str(&format!("<{tag}/>")),
        }
    }
    let mut out = format!("<D:response><D:href>{}</D:href>", xml_escape(href));
    if !found.is_empty() {
        out.push_str(&format!(
            "<D:propstat><D:prop>{found}</D:prop><D:status>{}</D:status></D:propstat>",
            status_line(StatusCode::OK)
        ));
    }
    if !missing.is_empty() {
        out.push_str(&format!(
            "<D:propstat><D:prop>{missing}</D:prop><D:status>{}</D:status></D:propstat>",
            status_line(StatusCode::NOT_FOUND)
        ));
    }
    out.push_str("</D:response>");
    out
}

/// The `demo-server` command: serve until interrupted; faults switch from stdin or
/// over HTTP.
pub fn run(args: &DemoArgs) -> Exit {
    let server = match start(args.port) {
        Ok(s) => s,
        Err(e) => {
            eprintln!(
                "error: cannot start the practice server on 127.0.0.1:{}: {e}",
                args.port
            );
            if e.kind() == std::io::ErrorKind::AddrInUse {
                eprintln!("hint: another program uses that port; try --port 0 for a free one");
            }
            return Exit::Unusable;
        }
    };
    let pairs: Vec<(String, String)> = args
        .faults
        .iter()
        .map(|f| (f.clone(), "on".to_string()))
        .collect();
    if let Err(e) = server.faults().apply(&pairs) {
        eprintln!("error: --fault: {e}");
        return Exit::Unusable;
    }
    let url = server.url();
    println!("davscope practice WebDAV server on {url}");
    println!("  tree: /welcome.txt /docs/ /projects/ /private/ /calendars/work/ /contacts/");
    println!("  try:  davscope fetch {url} --depth 1");
    println!(
        "        davscope fetch {url}calendars/work/ --body calendar-multiget:/calendars/work/standup.ics,/calendars/work/gone.ics"
    );
    println!();
    println!("faults (all off at start unless --fault):");
    for f in Fault::ALL {
        println!("  {:9} {}", f.name(), f.about());
    }
    println!();
    println!("switch them here: type `forbidden on`, `locked off`, `all off`, `status`, `quit`");
    println!("or over HTTP:     curl -X POST '{url}_faults?forbidden=on&locked=on'");
    println!("now: {}", server.faults().describe());
    let stdin = std::io::stdin();
    for line in stdin.lock().lines() {
        let Ok(line) = line else { break };
        let words: Vec<&str> = line.split_whitespace().collect();
        match words.as_slice() {
            [] => continue,
            ["quit" | "exit" | "q"] => return Exit::Done,
            ["status" | "s"] => println!("{}", server.faults().describe()),
            [name, state] => match server
                .faults()
                .apply(&[(name.to_string(), state.to_string())])
            {
                Ok(()) => println!("now: {}", server.faults().describe()),
                Err(e) => println!("{e}"),
            },
            _ => println!("say `NAME on`, `NAME off`, `all off`, `status` or `quit`"),
        }
    }
    // stdin closed (started in the background): serve until the process is stopped.
    loop {
        std::thread::park();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn split_and_rewrite() {
        let body = "<?xml version=\"1.0\"?><D:multistatus xmlns:D=\"DAV:\"><D:response><D:href>/a/</D:href></D:response><D:response><D:href>/a/b%20c</D:href></D:response></D:multistatus>";
        let (head, rs, tail) = split_multistatus(body).expect("split");
        assert_eq!(rs.len(), 2);
        assert_eq!(format!("{head}{}{tail}", rs.concat()), body);
        assert_eq!(href_path(&href_of(&rs[1]).expect("href")), "/a/b c");
        assert!(rewrite_hrefs(body).contains("<D:href>http://backend.internal:8080/a/</D:href>"));
    }

    #[test]
    fn faults_apply() {
        let f = Faults::default();
        f.apply(&[("all".into(), "on".into()), ("quota".into(), "off".into())])
            .expect("apply");
        assert!(f.is_on(Fault::Forbidden) && !f.is_on(Fault::Quota));
        assert!(f.apply(&[("nope".into(), "on".into())]).is_err());
        assert!(inside("/private/x", "/private/") && inside("/private", "/private/"));
        assert!(!inside("/privateer", "/private/"));
    }

    #[test]
    fn proppatch_names_are_read() {
        let body = "<D:propertyupdate xmlns:D=\"DAV:\" xmlns:Z=\"urn:z\"><D:set><D:prop><Z:color>red</Z:color><D:displayname>x</D:displayname></D:prop></D:set><D:remove><D:prop><Z:old/></D:prop></D:remove></D:propertyupdate>";
        let (sets, removes) = proppatch_names(body).expect("parse");
        assert_eq!(
            sets,
            [
                ("urn:z".into(), "color".into()),
                ("DAV:".into(), "displayname".into())
            ]
        );
        assert_eq!(removes, [("urn:z".to_string(), "old".to_string())]);
    }
}
