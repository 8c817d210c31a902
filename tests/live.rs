#![allow(clippy::expect_used, clippy::unwrap_used)]
//! Live requests against servers started in this process on 127.0.0.1: the practice
//! server (`davscope::demo`), a plain dav-server (optionally behind Basic auth),
//! a self-signed TLS server, and tiny scripted HTTP servers for replies dav-server
//! never sends. No traffic leaves 127.0.0.1.

use std::convert::Infallible;
use std::io::Write as _;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use base64::Engine as _;
use dav_server::DavHandler;
use dav_server::memfs::MemFs;
use dav_server::memls::MemLs;
use davscope::core::document::{self, Document, LoadOptions};
use davscope::core::fetch::{
    self, Auth, Depth, Exchange, FetchError, ProxyChoice, Request, Template, TlsProblem,
};
use davscope::demo::{self, Fault};

use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};

// ---------------------------------------------------------------- servers

/// A server running on its own thread; dropping it stops it.
struct Server {
    addr: SocketAddr,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(s) = self.stop.take() {
            let _ = s.send(());
        }
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// Runs `serve(listener)` until the server is dropped.
fn spawn<F, Fut>(serve: F) -> Server
where
    F: FnOnce(tokio::net::TcpListener) -> Fut + Send + 'static,
    Fut: std::future::Future<Output = ()>,
{
    let std_listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    std_listener.set_nonblocking(true).unwrap();
    let addr = std_listener.local_addr().unwrap();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let thread = std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async move {
            let listener = tokio::net::TcpListener::from_std(std_listener).unwrap();
            tokio::select! {
                _ = stopped => {}
                _ = serve(listener) => {}
            }
        });
    });
    Server {
        addr,
        stop: Some(stop),
        thread: Some(thread),
    }
}

fn check_basic(req: &hyper::Request<hyper::body::Incoming>, user: &str, password: &str) -> bool {
    let expected = format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}"))
    );
    req.headers()
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v == expected)
}

/// A plain dav-server (MemFs + MemLs), optionally behind Basic auth, optionally TLS.
fn dav_server(auth: Option<(&str, &str)>, tls: Option<tokio_rustls::TlsAcceptor>) -> Server {
    let auth = auth.map(|(u, p)| (u.to_string(), p.to_string()));
    spawn(move |listener| async move {
        let dav = DavHandler::builder()
            .filesystem(MemFs::new())
            .locksystem(MemLs::new())
            .build_handler();
        loop {
            let Ok((stream, _)) = listener.accept().await else {
                continue;
            };
            let dav = dav.clone();
            let auth = auth.clone();
            let tls = tls.clone();
            tokio::spawn(async move {
                let service = hyper::service::service_fn(move |req| {
                    let dav = dav.clone();
                    let auth = auth.clone();
                    async move {
                        if let Some((u, p)) = &auth
                            && !check_basic(&req, u, p)
                        {
                            let resp = hyper::Response::builder()
                                .status(401)
                                .header(
                                    "WWW-Authenticate",
                                    "Basic realm=\"live-test\", charset=\"UTF-8\"",
                                )
                                .header("Content-Type", "text/html")
                                .body(dav_server::body::Body::from(
                                    "<html><head><title>401 Unauthorized</title></head></html>",
                                ))
                                .unwrap();
                            return Ok::<_, Infallible>(resp);
                        }
                        Ok::<_, Infallible>(dav.handle(req).await)
                    }
                });
                let http = hyper::server::conn::http1::Builder::new();
                match tls {
                    Some(acceptor) => {
                        if let Ok(s) = acceptor.accept(stream).await {
                            let _ = http
                                .serve_connection(hyper_util::rt::TokioIo::new(s), service)
                                .await;
                        }
                    }
                    None => {
                        let _ = http
                            .serve_connection(hyper_util::rt::TokioIo::new(stream), service)
                            .await;
                    }
                }
            });
        }
    })
}

/// A scripted HTTP/1.1 server: `respond(request head)` gives the raw reply; the
/// connection closes after it.
fn scripted(respond: fn(&str) -> Vec<u8>) -> Server {
    spawn(move |listener| async move {
        loop {
            let Ok((mut stream, _)) = listener.accept().await else {
                continue;
            };
            tokio::spawn(async move {
                let mut buf = Vec::new();
                let mut chunk = [0u8; 4096];
                let head_end = loop {
                    let Ok(n) = stream.read(&mut chunk).await else {
                        return;
                    };
                    if n == 0 {
                        return;
                    }
                    buf.extend_from_slice(&chunk[..n]);
                    if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
                        break i + 4;
                    }
                };
                let head = String::from_utf8_lossy(&buf[..head_end]).into_owned();
                let length: usize = head
                    .lines()
                    .find_map(|l| {
                        let (k, v) = l.split_once(':')?;
                        k.eq_ignore_ascii_case("content-length")
                            .then(|| v.trim().parse().ok())?
                    })
                    .unwrap_or(0);
                while buf.len() < head_end + length {
                    match stream.read(&mut chunk).await {
                        Ok(0) | Err(_) => break,
                        Ok(n) => buf.extend_from_slice(&chunk[..n]),
                    }
                }
                let _ = stream.write_all(&respond(&head)).await;
                let _ = stream.shutdown().await;
            });
        }
    })
}

fn reply(status: &str, headers: &[(&str, &str)], body: &[u8]) -> Vec<u8> {
    let mut out = format!("HTTP/1.1 {status}\r\nConnection: close\r\n").into_bytes();
    for (k, v) in headers {
        out.extend_from_slice(format!("{k}: {v}\r\n").as_bytes());
    }
    out.extend_from_slice(format!("Content-Length: {}\r\n\r\n", body.len()).as_bytes());
    out.extend_from_slice(body);
    out
}

const SMALL_MS: &[u8] = b"<?xml version=\"1.0\"?><D:multistatus xmlns:D=\"DAV:\"><D:response><D:href>/new/</D:href><D:propstat><D:prop><D:displayname>n</D:displayname></D:prop><D:status>HTTP/1.1 200 OK</D:status></D:propstat></D:response></D:multistatus>";

// ---------------------------------------------------------------- helpers

fn request(url: &str, method: &str, depth: Option<Depth>) -> Request {
    let mut r = Request::propfind(url);
    r.method = method.into();
    r.depth = depth;
    r.transport.proxy = ProxyChoice::None;
    r.transport.timeout_secs = 10;
    r
}

fn send(r: &Request) -> Exchange {
    fetch::send(r, &mut |_| true).unwrap_or_else(|e| panic!("{} {}: {e}", r.method, r.url))
}

fn send_err(r: &Request) -> FetchError {
    match fetch::send(r, &mut |_| true) {
        Ok(x) => panic!(
            "{} {}: expected an error, got {}",
            r.method, r.url, x.status
        ),
        Err(e) => e,
    }
}

/// The snapshot read back, as `inspect` would.
fn doc_of(x: &Exchange) -> Document {
    let raw = x.to_raw_http();
    let mut docs = document::load_bytes(
        "snapshot",
        Arc::new(document::Bytes::Owned(raw)),
        LoadOptions::default(),
    )
    .unwrap();
    assert_eq!(docs.len(), 1);
    docs.remove(0)
}

/// `(path, codes)` of each response, sorted.
fn statuses(doc: &Document) -> Vec<(String, Vec<u16>)> {
    let ms = doc.multistatus.as_ref().expect("a multistatus");
    let mut out: Vec<(String, Vec<u16>)> = ms
        .responses
        .iter()
        .enumerate()
        .map(|(i, r)| (doc.path_of(i), ms.codes(r).flatten().collect()))
        .collect();
    out.sort();
    out
}

fn put(base: &str, path: &str, content: &str) {
    let mut r = request(&format!("{base}{path}"), "PUT", None);
    r.body = Some(content.as_bytes().to_vec());
    r.headers.push(("Content-Type".into(), "text/plain".into()));
    let x = send(&r);
    assert!(
        x.status == 201 || x.status == 204,
        "PUT {path}: {}",
        x.status
    );
}

fn mkcol(base: &str, path: &str) {
    let x = send(&request(&format!("{base}{path}"), "MKCOL", None));
    assert_eq!(x.status, 201, "MKCOL {path}");
}

fn seed_plain(base: &str) {
    mkcol(base, "a/");
    mkcol(base, "a/b/");
    put(base, "a/x.txt", "x");
    put(base, "a/b/y.txt", "y");
}

// ---------------------------------------------------------------- tests

#[test]
fn propfind_at_each_depth() {
    let server = dav_server(None, None);
    let base = format!("http://{}/", server.addr);
    seed_plain(&base);

    let x = send(&request(
        &format!("{base}a/"),
        "PROPFIND",
        Some(Depth::Zero),
    ));
    assert_eq!(x.status, 207);
    assert_eq!(
        x.request
            .headers
            .iter()
            .find(|(k, _)| k == "Depth")
            .unwrap()
            .1,
        "0"
    );
    let d = doc_of(&x);
    assert_eq!(statuses(&d), [("/a/".to_string(), vec![200])]);
    assert_eq!(d.info.request.as_ref().unwrap().method, "PROPFIND");

    let x = send(&request(&format!("{base}a/"), "PROPFIND", Some(Depth::One)));
    let paths: Vec<String> = statuses(&doc_of(&x)).into_iter().map(|(p, _)| p).collect();
    assert_eq!(paths, ["/a/", "/a/b/", "/a/x.txt"]);

    // dav-server refuses infinity with a DAV:error, not a multistatus.
    let x = send(&request(
        &format!("{base}a/"),
        "PROPFIND",
        Some(Depth::Infinity),
    ));
    assert_eq!(x.status, 501);
    let d = doc_of(&x);
    assert!(d.multistatus.is_none());
    assert!(String::from_utf8_lossy(&x.body).contains("propfind-finite-depth"));
    assert!(d.not_multistatus.as_deref().unwrap().contains("DAV:error"));

    // The practice server answers it.
    let demo = demo::start(0).unwrap();
    let x = send(&request(&demo.url(), "PROPFIND", Some(Depth::Infinity)));
    assert_eq!(x.status, 207);
    let s = statuses(&doc_of(&x));
    assert!(
        s.iter().any(|(p, _)| p == "/calendars/work/standup.ics"),
        "{s:?}"
    );
    assert!(s.iter().all(|(_, c)| c.iter().all(|c| *c == 200)), "{s:?}");
}

#[test]
fn report_multiget_and_sync() {
    let demo = demo::start(0).unwrap();
    let url = format!("{}calendars/work/", demo.url());
    let mut r = request(&url, "REPORT", None);
    r.body = Some(
        fetch::template(&Template::CalendarMultiget {
            hrefs: vec![
                "/calendars/work/standup.ics".into(),
                "/calendars/work/nope.ics".into(),
            ],
        })
        .into_bytes(),
    );
    let x = send(&r);
    assert_eq!(x.status, 207);
    let d = doc_of(&x);
    assert_eq!(
        statuses(&d),
        [
            ("/calendars/work/nope.ics".to_string(), vec![404]),
            ("/calendars/work/standup.ics".to_string(), vec![200]),
        ]
    );
    assert!(String::from_utf8_lossy(&x.body).contains("BEGIN:VEVENT"));

    let t = Template::parse("sync-collection").unwrap();
    let mut r = request(&url, "REPORT", t.depth());
    r.body = Some(fetch::template(&t).into_bytes());
    let x = send(&r);
    let token = fetch::sync_token_of(&x.body).expect("a sync-token");
    assert_eq!(statuses(&doc_of(&x)).len(), 2);
    // The same token again: nothing changed.
    r.body = Some(fetch::template(&Template::SyncCollection { token }).into_bytes());
    let x = send(&r);
    assert_eq!(statuses(&doc_of(&x)).len(), 0);
}

#[test]
fn proppatch_with_mixed_results() {
    let server = dav_server(None, None);
    let base = format!("http://{}/", server.addr);
    seed_plain(&base);
    let t = Template::parse("proppatch-set:getetag=forged,{urn:x:test}color=red").unwrap();
    let mut r = request(&format!("{base}a/x.txt"), t.method(), None);
    r.body = Some(fetch::template(&t).into_bytes());
    let x = send(&r);
    assert_eq!(x.status, 207);
    let d = doc_of(&x);
    // A protected property is refused; the rest fails with it (PROPPATCH is atomic).
    assert_eq!(statuses(&d), [("/a/x.txt".to_string(), vec![403, 424])]);

    // The practice server with a full quota: sets 507, removes 424.
    let demo = demo::start(0).unwrap();
    demo.faults().set(Fault::Quota, true);
    let mut r = request(&format!("{}docs/readme.txt", demo.url()), "PROPPATCH", None);
    r.body = Some(
        br#"<D:propertyupdate xmlns:D="DAV:" xmlns:Z="urn:z"><D:set><D:prop><Z:color>red</Z:color></D:prop></D:set><D:remove><D:prop><Z:old/></D:prop></D:remove></D:propertyupdate>"#
            .to_vec(),
    );
    let d = doc_of(&send(&r));
    assert_eq!(
        statuses(&d),
        [("/docs/readme.txt".to_string(), vec![507, 424])]
    );
    demo.faults().set(Fault::Quota, false);
    let d = doc_of(&send(&r));
    assert_eq!(statuses(&d), [("/docs/readme.txt".to_string(), vec![200])]);
}

#[test]
fn lock_then_delete_parent_gives_423_inside_207() {
    let demo = demo::start(0).unwrap();
    let base = demo.url();
    // Our own lock, taken with the lockinfo template.
    let t = Template::parse("lockinfo:mailto:alice@example.com").unwrap();
    let mut r = request(&format!("{base}docs/notes.md"), "LOCK", t.depth());
    r.body = Some(fetch::template(&t).into_bytes());
    r.headers.push(("Timeout".into(), "Second-60".into()));
    let x = send(&r);
    assert_eq!(x.status, 200);
    assert!(x.header("lock-token").is_some());

    let x = send(&request(&format!("{base}docs/"), "DELETE", None));
    assert_eq!(x.status, 207);
    let d = doc_of(&x);
    assert_eq!(statuses(&d), [("/docs/notes.md".to_string(), vec![423])]);
    let json = davscope::cli::report::inspect_json(&d, None);
    assert_eq!(json.responses[0].error, ["{DAV:}lock-token-submitted"]);

    // bob's lock, switched on and off.
    demo.faults().set(Fault::Locked, true);
    let x = send(&request(&format!("{base}projects/"), "DELETE", None));
    assert_eq!(
        statuses(&doc_of(&x)),
        [("/projects/plan.txt".to_string(), vec![423])]
    );
    demo.faults().set(Fault::Locked, false);
    let x = send(&request(&format!("{base}projects/"), "DELETE", None));
    assert_eq!(x.status, 204);

    // The plain dav-server answers the same conflict with a bare 423.
    let server = dav_server(None, None);
    let plain = format!("http://{}/", server.addr);
    seed_plain(&plain);
    let mut r = request(&format!("{plain}a/x.txt"), "LOCK", t.depth());
    r.body = Some(fetch::template(&t).into_bytes());
    assert_eq!(send(&r).status, 200);
    let x = send(&request(&format!("{plain}a/"), "DELETE", None));
    assert_eq!(x.status, 423);
    assert!(doc_of(&x).multistatus.is_none());
}

#[test]
fn practice_faults_switch_on_and_off() {
    let demo = demo::start(0).unwrap();
    let root = request(&demo.url(), "PROPFIND", Some(Depth::One));
    let before = statuses(&doc_of(&send(&root)));
    assert!(before.iter().all(|(_, c)| c == &[200]), "{before:?}");

    demo.faults().set(Fault::Forbidden, true);
    let s = statuses(&doc_of(&send(&root)));
    assert!(s.contains(&("/private/".to_string(), vec![403])), "{s:?}");
    let x = send(&request(
        &format!("{}private/", demo.url()),
        "PROPFIND",
        Some(Depth::One),
    ));
    assert_eq!(
        statuses(&doc_of(&x)),
        [("/private/".to_string(), vec![403])]
    );
    let mut r = request(&format!("{}private/new.txt", demo.url()), "PUT", None);
    r.body = Some(b"x".to_vec());
    assert_eq!(send(&r).status, 403);

    demo.faults().set(Fault::Missing, true);
    let x = send(&request(
        &format!("{}docs/", demo.url()),
        "PROPFIND",
        Some(Depth::One),
    ));
    let s = statuses(&doc_of(&x));
    assert!(
        s.contains(&("/docs/old-draft.txt".to_string(), vec![404])),
        "{s:?}"
    );

    demo.faults().set(Fault::Quota, true);
    let mut r = request(&format!("{}docs/new.txt", demo.url()), "PUT", None);
    r.body = Some(b"x".to_vec());
    let x = send(&r);
    assert_eq!(x.status, 507);
    assert!(String::from_utf8_lossy(&x.body).contains("quota-not-exceeded"));

    demo.faults().set(Fault::Rewrite, true);
    let x = send(&root);
    let d = doc_of(&x);
    let hrefs: Vec<String> = d.responses().iter().flat_map(|r| d.hrefs(r)).collect();
    assert!(
        hrefs.iter().all(|h| h.starts_with(demo::BACKEND)),
        "{hrefs:?}"
    );

    // The control endpoint, as a user would switch them.
    let mut r = request(&format!("{}_faults?all=off", demo.url()), "POST", None);
    r.depth = None;
    let x = send(&r);
    assert_eq!(x.status, 200);
    assert!(String::from_utf8_lossy(&x.body).starts_with("forbidden=off locked=off"));
    assert_eq!(statuses(&doc_of(&send(&root))), before);
}

#[test]
fn wrong_password_is_401_with_the_scheme() {
    let server = dav_server(Some(("alice", "right-pw")), None);
    let url = format!("http://{}/", server.addr);
    let x = send(&request(&url, "PROPFIND", Some(Depth::Zero)));
    assert_eq!(x.status, 401);
    let summary = x.auth_summary().expect("a summary");
    assert!(summary.contains("Basic (realm \"live-test\")"), "{summary}");
    let d = doc_of(&x);
    assert_eq!(d.info.http_status, Some(401));
    assert!(d.multistatus.is_none());

    let mut r = request(&url, "PROPFIND", Some(Depth::Zero));
    r.auth = Auth::Basic {
        user: "alice".into(),
        password: "wrong-pw".into(),
    };
    assert_eq!(send(&r).status, 401);
    r.auth = Auth::Basic {
        user: "alice".into(),
        password: "right-pw".into(),
    };
    let x = send(&r);
    assert_eq!(x.status, 207);
    let auth = x
        .request
        .headers
        .iter()
        .find(|(k, _)| k == "Authorization")
        .unwrap();
    assert_eq!(auth.1, "Basic [redacted]");
}

#[test]
fn digest_challenge_is_answered() {
    let server = scripted(|head| {
        let auth = head
            .lines()
            .find(|l| l.to_ascii_lowercase().starts_with("authorization:"))
            .unwrap_or("");
        if auth.contains("Digest username=\"alice\"") && auth.contains("response=\"") {
            reply(
                "207 Multi-Status",
                &[("Content-Type", "application/xml")],
                SMALL_MS,
            )
        } else {
            reply(
                "401 Unauthorized",
                &[(
                    "WWW-Authenticate",
                    "Digest realm=\"dav\", qop=\"auth\", nonce=\"abc123\", algorithm=MD5, Basic realm=\"dav\"",
                )],
                b"",
            )
        }
    });
    let mut r = request(
        &format!("http://{}/new/", server.addr),
        "PROPFIND",
        Some(Depth::Zero),
    );
    r.auth = Auth::Digest {
        user: "alice".into(),
        password: "digest-pw".into(),
    };
    let x = send(&r);
    assert_eq!(x.status, 207);
    let raw = String::from_utf8_lossy(&x.to_raw_http()).into_owned();
    assert!(raw.contains("Authorization: Digest [redacted]"), "{raw}");
    assert!(!raw.contains("digest-pw"));
}

#[test]
fn timeout_is_reported_in_words() {
    // Accepted by the kernel, never answered.
    let silent = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let mut r = request(
        &format!("http://{}/", silent.local_addr().unwrap()),
        "PROPFIND",
        Some(Depth::Zero),
    );
    r.transport.timeout_secs = 1;
    let started = Instant::now();
    let e = send_err(&r);
    assert!(matches!(e, FetchError::Timeout { secs: 1, .. }), "{e:?}");
    assert!(started.elapsed() < Duration::from_secs(5));
    assert!(e.to_string().starts_with("timed out after 1 s"), "{e}");
    assert!(e.hint().is_some());
}

#[test]
fn connection_refused_is_reported_in_words() {
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let e = send_err(&request(
        &format!("http://127.0.0.1:{port}/"),
        "PROPFIND",
        None,
    ));
    assert!(matches!(e, FetchError::ConnectionRefused { .. }), "{e:?}");
    assert!(e.to_string().contains(&format!("127.0.0.1:{port}")), "{e}");
}

fn tls_acceptor(
    chain: Vec<rustls::pki_types::CertificateDer<'static>>,
    key: &rcgen::KeyPair,
) -> tokio_rustls::TlsAcceptor {
    let key = rustls::pki_types::PrivateKeyDer::Pkcs8(key.serialize_der().into());
    let config = rustls::ServerConfig::builder_with_provider(Arc::new(
        rustls::crypto::aws_lc_rs::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .unwrap()
    .with_no_client_auth()
    .with_single_cert(chain, key)
    .unwrap();
    tokio_rustls::TlsAcceptor::from(Arc::new(config))
}

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("davscope-live-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn self_signed_tls_refused_unless_insecure() {
    let self_signed =
        rcgen::generate_simple_self_signed(vec!["127.0.0.1".into(), "localhost".into()]).unwrap();
    let server = dav_server(
        None,
        Some(tls_acceptor(
            vec![self_signed.cert.der().clone()],
            &self_signed.signing_key,
        )),
    );
    let url = format!("https://{}/", server.addr);
    let mut r = request(&url, "PROPFIND", Some(Depth::Zero));
    let e = send_err(&r);
    match &e {
        FetchError::Tls { problem, .. } => assert_eq!(*problem, TlsProblem::UnknownIssuer, "{e}"),
        other => panic!("{other:?}"),
    }
    assert!(e.hint().unwrap().contains("--insecure"));
    r.transport.insecure = true;
    let x = send(&r);
    assert_eq!(x.status, 207);
    assert_eq!(doc_of(&x).info.request.as_ref().unwrap().url, url);

    // http:// spoken to the TLS port, https:// to a plain port.
    let plain = dav_server(None, None);
    let e = send_err(&request(
        &format!("https://{}/", plain.addr),
        "PROPFIND",
        None,
    ));
    assert!(
        matches!(
            &e,
            FetchError::Tls {
                problem: TlsProblem::NotTls,
                ..
            }
        ),
        "{e:?}"
    );

    // A CA of our own: trusted with ca_file; a certificate for another name is a
    // hostname mismatch.
    let mut ca_params = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
    ca_params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    let ca = rcgen::CertifiedIssuer::self_signed(ca_params, rcgen::KeyPair::generate().unwrap())
        .unwrap();
    let dir = temp_dir("ca");
    let ca_file = dir.join("ca.pem");
    std::fs::write(&ca_file, ca.pem()).unwrap();
    let leaf = |names: Vec<String>| {
        let key = rcgen::KeyPair::generate().unwrap();
        let cert = rcgen::CertificateParams::new(names)
            .unwrap()
            .signed_by(&key, &ca)
            .unwrap();
        dav_server(
            None,
            Some(tls_acceptor(
                vec![cert.der().clone(), ca.der().clone()],
                &key,
            )),
        )
    };
    let good = leaf(vec!["127.0.0.1".into()]);
    let mut r = request(
        &format!("https://{}/", good.addr),
        "PROPFIND",
        Some(Depth::Zero),
    );
    r.transport.ca_file = Some(ca_file.clone());
    assert_eq!(send(&r).status, 207);
    let other = leaf(vec!["dav.example.test".into()]);
    let mut r = request(
        &format!("https://{}/", other.addr),
        "PROPFIND",
        Some(Depth::Zero),
    );
    r.transport.ca_file = Some(ca_file);
    let e = send_err(&r);
    assert!(
        matches!(
            &e,
            FetchError::Tls {
                problem: TlsProblem::HostnameMismatch,
                ..
            }
        ),
        "{e:?}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn non_xml_reply_is_not_a_multistatus() {
    let server = scripted(|_| {
        reply(
            "200 OK",
            &[("Content-Type", "text/html")],
            b"<!DOCTYPE html><html><head><title>Sign in</title></head><body>portal</body></html>",
        )
    });
    let x = send(&request(
        &format!("http://{}/", server.addr),
        "PROPFIND",
        Some(Depth::One),
    ));
    assert_eq!(x.status, 200);
    let d = doc_of(&x);
    assert!(d.multistatus.is_none());
    assert_eq!(
        d.not_multistatus.as_deref(),
        Some("an HTML page (title: \"Sign in\")")
    );
}

#[test]
fn oversize_body_is_refused() {
    let server = scripted(|head| {
        if head.starts_with("PROPFIND /declared") {
            reply("207 Multi-Status", &[], &vec![b' '; 5000])
        } else {
            // Chunked: no length known in advance.
            let mut out =
                b"HTTP/1.1 207 Multi-Status\r\nConnection: close\r\nTransfer-Encoding: chunked\r\n\r\n"
                    .to_vec();
            for _ in 0..10 {
                out.extend_from_slice(b"200\r\n");
                out.extend_from_slice(&[b' '; 0x200]);
                out.extend_from_slice(b"\r\n");
            }
            out.extend_from_slice(b"0\r\n\r\n");
            out
        }
    });
    let mut r = request(
        &format!("http://{}/declared", server.addr),
        "PROPFIND",
        None,
    );
    r.transport.max_body_bytes = 1000;
    let e = send_err(&r);
    assert!(
        matches!(
            e,
            FetchError::BodyTooLarge {
                limit: 1000,
                declared: Some(5000),
                ..
            }
        ),
        "{e:?}"
    );
    r.url = format!("http://{}/chunked", server.addr);
    let e = send_err(&r);
    assert!(
        matches!(e, FetchError::BodyTooLarge { limit: 1000, declared: None, received } if received > 1000),
        "{e:?}"
    );
    // Cancelling through the progress callback.
    r.transport.max_body_bytes = 1 << 20;
    let e = fetch::send(&r, &mut |n| n < 1000).unwrap_err();
    assert!(matches!(e, FetchError::Cancelled), "{e:?}");
}

#[test]
fn redirects_are_shown_not_followed() {
    let server = scripted(|head| {
        if head.starts_with("PROPFIND /old/") {
            reply("301 Moved Permanently", &[("Location", "/new/")], b"")
        } else {
            reply(
                "207 Multi-Status",
                &[("Content-Type", "application/xml")],
                SMALL_MS,
            )
        }
    });
    let mut r = request(
        &format!("http://{}/old/", server.addr),
        "PROPFIND",
        Some(Depth::Zero),
    );
    let x = send(&r);
    assert_eq!(x.status, 301);
    assert_eq!(x.header("location"), Some("/new/"));
    r.transport.follow_redirects = true;
    let x = send(&r);
    assert_eq!(x.status, 207);
    assert_eq!(x.redirects.len(), 1);
    assert!(x.final_url.ends_with("/new/"));
}

#[test]
fn snapshot_reads_back_with_the_same_responses() {
    let demo = demo::start(0).unwrap();
    demo.faults().set(Fault::Forbidden, true);
    demo.faults().set(Fault::Missing, true);
    let t = Template::parse("props:displayname,getetag,resourcetype").unwrap();
    let mut r = request(&demo.url(), "PROPFIND", Some(Depth::Infinity));
    r.body = Some(fetch::template(&t).into_bytes());
    let x = send(&r);
    // Straight from the body, as a bare XML file.
    let direct = document::load_bytes(
        "body.xml",
        Arc::new(document::Bytes::Owned(x.body.clone())),
        LoadOptions::default(),
    )
    .unwrap()
    .remove(0);
    let dir = temp_dir("snap");
    let path = dir.join("propfind.http");
    std::fs::write(&path, x.to_raw_http()).unwrap();
    let back = document::load_path(&path, LoadOptions::default())
        .unwrap()
        .remove(0);
    assert_eq!(back.info.format.as_str(), "http");
    assert_eq!(back.info.http_status, Some(207));
    assert!(back.problems.is_empty(), "{:?}", back.problems);
    let req = back.info.request.as_ref().unwrap();
    assert_eq!(req.method, "PROPFIND");
    assert_eq!(req.header("depth"), Some("infinity"));
    assert_eq!(statuses(&back), statuses(&direct));
    assert!(statuses(&back).contains(&("/private/".to_string(), vec![403])));

    // A gzip reply is stored decoded.
    let server = scripted(|_| {
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        gz.write_all(SMALL_MS).unwrap();
        let body = gz.finish().unwrap();
        reply(
            "207 Multi-Status",
            &[
                ("Content-Encoding", "gzip"),
                ("Content-Type", "application/xml"),
            ],
            &body,
        )
    });
    let x = send(&request(
        &format!("http://{}/new/", server.addr),
        "PROPFIND",
        None,
    ));
    assert_eq!(x.body, SMALL_MS);
    assert_eq!(statuses(&doc_of(&x)), [("/new/".to_string(), vec![200])]);
    let _ = std::fs::remove_dir_all(&dir);
}

/// Every file under `dir`, recursively.
fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let p = entry.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.push(p);
            }
        }
    }
    out
}

#[test]
fn no_secret_reaches_disk() {
    const USER: &str = "alice";
    const PASSWORD: &str = "Zq7-unmistakable-Pw-41x";
    const TOKEN: &str = "tok-Zq7-unmistakable-bearer";
    let server = dav_server(Some((USER, PASSWORD)), None);
    let url = format!("http://{}/", server.addr);
    let dir = temp_dir("secrets");

    // The library.
    let mut r = request(&url, "PROPFIND", Some(Depth::One));
    r.auth = Auth::Basic {
        user: USER.into(),
        password: PASSWORD.into(),
    };
    let x = send(&r);
    assert_eq!(x.status, 207);
    assert!(!format!("{r:?}").contains(PASSWORD));
    assert!(!format!("{x:?}").contains(PASSWORD));
    std::fs::write(dir.join("library.http"), x.to_raw_http()).unwrap();
    r.auth = Auth::Bearer {
        token: TOKEN.into(),
    };
    let x = send(&r);
    assert_eq!(x.status, 401);
    std::fs::write(dir.join("bearer.http"), x.to_raw_http()).unwrap();

    // The real binary, password from the environment, right and wrong.
    let bin = env!("CARGO_BIN_EXE_davscope");
    let mut outputs = Vec::new();
    for (name, password) in [("cli-ok.http", PASSWORD), ("cli-wrong.http", "wrong-pw")] {
        let out = std::process::Command::new(bin)
            .args([
                "fetch",
                &url,
                "--user",
                USER,
                "--password-env",
                "DAVSCOPE_LIVE_PW",
            ])
            .args(["--no-proxy", "--timeout", "10", "-o"])
            .arg(dir.join(name))
            .env("DAVSCOPE_LIVE_PW", password)
            .stdin(std::process::Stdio::null())
            .output()
            .unwrap();
        let expected = if password == PASSWORD { 0 } else { 2 };
        assert_eq!(
            out.status.code(),
            Some(expected),
            "{name}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        outputs.push(out);
    }
    let stderr = String::from_utf8_lossy(&outputs[1].stderr);
    assert!(stderr.contains("Basic (realm \"live-test\")"), "{stderr}");
    let out = std::process::Command::new(bin)
        .args([
            "fetch",
            &url,
            "--bearer-env",
            "DAVSCOPE_LIVE_TOKEN",
            "--no-proxy",
            "-o",
        ])
        .arg(dir.join("cli-bearer.http"))
        .env("DAVSCOPE_LIVE_TOKEN", TOKEN)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    outputs.push(out);

    let b64 = |s: &str| base64::engine::general_purpose::STANDARD.encode(s);
    let needles = [
        PASSWORD.to_string(),
        b64(PASSWORD),
        b64(&format!("{USER}:{PASSWORD}")),
        TOKEN.to_string(),
        b64(TOKEN),
    ];
    let files = files_under(&dir);
    assert_eq!(files.len(), 5, "{files:?}");
    for f in &files {
        let bytes = std::fs::read(f).unwrap();
        let text = String::from_utf8_lossy(&bytes);
        assert!(text.contains("[redacted]"), "{}: {text}", f.display());
        for n in &needles {
            assert!(!text.contains(n.as_str()), "{} holds a secret", f.display());
        }
        // And each one reads back.
        let d = document::load_path(f, LoadOptions::default())
            .unwrap()
            .remove(0);
        assert!(d.info.request.is_some(), "{}", f.display());
    }
    for out in &outputs {
        let all = [out.stdout.as_slice(), out.stderr.as_slice()].concat();
        let text = String::from_utf8_lossy(&all);
        for n in &needles {
            assert!(
                !text.contains(n.as_str()),
                "the output holds a secret: {text}"
            );
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn cli_fetch_prints_inspect_output_and_exit_codes() {
    let demo = demo::start(0).unwrap();
    demo.faults().set(Fault::Locked, true);
    let bin = env!("CARGO_BIN_EXE_davscope");
    let run = |args: &[&str]| {
        std::process::Command::new(bin)
            .arg("fetch")
            .args(args)
            .arg("--no-proxy")
            .stdin(std::process::Stdio::null())
            .output()
            .unwrap()
    };
    let url = format!("{}projects/", demo.url());
    let out = run(&[url.as_str(), "-X", "DELETE", "--json"]);
    assert_eq!(out.status.code(), Some(0));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["summary"]["failed"], 1);
    assert_eq!(json["responses"][0]["status"], 423);
    assert_eq!(json["input"]["request"]["method"], "DELETE");

    let out = run(&[demo.url().as_str(), "--depth", "1"]);
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("HTTP 207 Multi-Status"), "{text}");
    assert!(
        text.contains("responses: 7 ok, 0 partial, 0 failed"),
        "{text}"
    );

    // Not a multistatus: 2, with the reason on stderr.
    let out = run(&[&format!("{}welcome.txt", demo.url()), "-X", "GET"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("not a multistatus"));
    // A body that is not XML is refused before sending.
    let out = run(&[
        demo.url().as_str(),
        "--data",
        "<D:propfind xmlns:D=\"DAV:\"><D:prop>",
    ]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("--> request body:1:"), "{err}");
    // Refused connection: 2 and words.
    let out = run(&["http://127.0.0.1:1/"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("connection refused"));
    // --insecure is loud.
    let out = run(&[demo.url().as_str(), "--insecure", "--depth", "0"]);
    assert!(String::from_utf8_lossy(&out.stderr).contains("warning: --insecure"));
}
