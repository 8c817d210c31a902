//! `davscope fetch URL [-X METHOD] [-H 'K: V']... [--depth D] [--data @FILE | --body
//! TEMPLATE] [--user U --password-env VAR] [--bearer-env VAR] [--proxy URL |
//! --no-proxy] [--insecure] [--cacert FILE] [--timeout SECS] [-o SNAPSHOT] [--json]`.
//!
//! Sends one request with `core::fetch`, then reports the reply exactly as `inspect`
//! reports a file (it reads back the snapshot bytes), and saves the snapshot with
//! `-o` (temp file + rename). Passwords and tokens come from an environment variable
//! or a prompt, never from an argument, and are never written.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::cli::Exit;
use crate::cli::inspect::report_document;
use crate::core::document::{Bytes, LoadOptions, load_bytes};
use crate::core::fetch::{
    self, Auth, Depth, FetchError, ProxyChoice, Request, Template, Transport,
};
use crate::core::render::render_problem;
use crate::core::status::reason_phrase;

#[derive(Debug, clap::Args)]
pub struct FetchArgs {
    /// The URL to query (http:// or https://).
    pub url: String,
    /// Method: PROPFIND (default, or the template's), REPORT, PROPPATCH, MKCOL, COPY,
    /// MOVE, DELETE, LOCK, UNLOCK, SEARCH, OPTIONS, or any token.
    #[arg(short = 'X', long = "request", value_name = "METHOD")]
    pub method: Option<String>,
    /// A request header, `Name: value` (repeatable).
    #[arg(short = 'H', long = "header", value_name = "K: V")]
    pub headers: Vec<String>,
    /// Depth header: 0, 1, infinity or none (default: 1 for PROPFIND, else what the
    /// template's specification asks for).
    #[arg(long, value_name = "D")]
    pub depth: Option<String>,
    /// Request body: `@FILE` reads a file, anything else is sent as written.
    #[arg(long, value_name = "@FILE|TEXT", conflicts_with = "body")]
    pub data: Option<String>,
    /// Body template: allprop, propname, props:NAME,..., calendar-multiget:HREF,...,
    /// calendar-query:START/END, addressbook-multiget:HREF,..., sync-collection\[:TOKEN\],
    /// proppatch-set:NAME=VALUE,..., proppatch-remove:NAME,..., lockinfo\[:OWNER\].
    #[arg(long, value_name = "TEMPLATE")]
    pub body: Option<String>,
    /// User name for Basic auth (Digest with --digest).
    #[arg(short = 'u', long)]
    pub user: Option<String>,
    /// Read the password from this environment variable (else it is asked for).
    #[arg(long, value_name = "VAR", requires = "user")]
    pub password_env: Option<String>,
    /// Answer a Digest challenge instead of sending Basic credentials.
    #[arg(long, requires = "user")]
    pub digest: bool,
    /// Read a bearer token from this environment variable.
    #[arg(long, value_name = "VAR", conflicts_with = "user")]
    pub bearer_env: Option<String>,
    /// Send through this proxy (http://host:port).
    #[arg(long, value_name = "URL", conflicts_with = "no_proxy")]
    pub proxy: Option<String>,
    /// Bypass every proxy, including the system's.
    #[arg(long)]
    pub no_proxy: bool,
    /// Do not check TLS certificates (self-signed, expired, wrong host): unsafe.
    #[arg(short = 'k', long)]
    pub insecure: bool,
    /// Also trust the CA certificates in this PEM file.
    #[arg(long, value_name = "FILE")]
    pub cacert: Option<PathBuf>,
    /// Give up after this many seconds.
    #[arg(long, value_name = "SECS", default_value_t = 30)]
    pub timeout: u64,
    /// Follow redirects (by default a redirect is shown, not followed).
    #[arg(short = 'L', long)]
    pub location: bool,
    /// Refuse reply bodies larger than this many bytes.
    #[arg(long, value_name = "BYTES", default_value_t = 256 << 20)]
    pub max_body: u64,
    /// Save the exchange (redacted request + reply) as a raw HTTP snapshot.
    #[arg(short = 'o', long, value_name = "SNAPSHOT")]
    pub output: Option<PathBuf>,
    /// Print the path tree.
    #[arg(long)]
    pub tree: bool,
    /// One JSON object per document, as `inspect --json`.
    #[arg(long)]
    pub json: bool,
}

/// Prints `error:` and `hint:` lines; returns [`Exit::Unusable`].
fn fail(message: impl std::fmt::Display, hint: Option<String>) -> Exit {
    eprintln!("error: {message}");
    if let Some(h) = hint {
        eprintln!("hint: {h}");
    }
    Exit::Unusable
}

fn secret_from_env(var: &str, what: &str) -> Result<String, Exit> {
    match std::env::var(var) {
        Ok(v) if !v.is_empty() => Ok(v),
        Ok(_) => Err(fail(
            format!("the environment variable {var} ({what}) is empty"),
            None,
        )),
        Err(std::env::VarError::NotPresent) => Err(fail(
            format!("the environment variable {var} ({what}) is not set"),
            Some(format!(
                "export {var} first, or leave the option out to be asked"
            )),
        )),
        Err(std::env::VarError::NotUnicode(_)) => Err(fail(
            format!("the environment variable {var} ({what}) is not valid UTF-8"),
            None,
        )),
    }
}

fn auth_of(args: &FetchArgs) -> Result<Auth, Exit> {
    if let Some(var) = &args.bearer_env {
        return Ok(Auth::Bearer {
            token: secret_from_env(var, "bearer token")?,
        });
    }
    let Some(user) = &args.user else {
        return Ok(Auth::None);
    };
    let password = match &args.password_env {
        Some(var) => secret_from_env(var, "password")?,
        None => {
            if !std::io::stdin().is_terminal() {
                return Err(fail(
                    "--user needs a password and there is no terminal to ask on",
                    Some("pass --password-env VAR with the password in that variable".into()),
                ));
            }
            match rpassword::prompt_password(format!("password for {user}: ")) {
                Ok(p) => p,
                Err(e) => return Err(fail(format!("cannot read the password: {e}"), None)),
            }
        }
    };
    Ok(if args.digest {
        Auth::Digest {
            user: user.clone(),
            password,
        }
    } else {
        Auth::Basic {
            user: user.clone(),
            password,
        }
    })
}

fn parse_headers(raw: &[String]) -> Result<Vec<(String, String)>, Exit> {
    raw.iter()
        .map(|h| match h.split_once(':') {
            Some((k, v)) if !k.trim().is_empty() => {
                Ok((k.trim().to_string(), v.trim().to_string()))
            }
            _ => Err(fail(format!("-H `{h}`: a header is `Name: value`"), None)),
        })
        .collect()
}

/// Builds the request from the arguments (no network).
fn request_of(args: &FetchArgs) -> Result<Request, Exit> {
    let template = match &args.body {
        Some(spec) => Some(Template::parse(spec).map_err(|e| fail(format!("--body: {e}"), None))?),
        None => None,
    };
    let body = match (&args.data, &template) {
        (Some(data), _) => Some(match data.strip_prefix('@') {
            Some(path) => std::fs::read(path)
                .map_err(|e| fail(format!("--data: cannot read {path}: {e}"), None))?,
            None => data.clone().into_bytes(),
        }),
        (None, Some(t)) => Some(fetch::template(t).into_bytes()),
        (None, None) => None,
    };
    let method = args
        .method
        .clone()
        .or_else(|| template.as_ref().map(|t| t.method().to_string()))
        .unwrap_or_else(|| "PROPFIND".to_string());
    let depth = match args.depth.as_deref() {
        Some(d) if d.eq_ignore_ascii_case("none") => None,
        Some(d) => Some(
            Depth::parse(d)
                .ok_or_else(|| fail(format!("--depth `{d}`: say 0, 1, infinity or none"), None))?,
        ),
        None => match &template {
            Some(t) if t.method().eq_ignore_ascii_case(&method) => t.depth(),
            _ if method.eq_ignore_ascii_case("PROPFIND") => Some(Depth::One),
            _ => None,
        },
    };
    let proxy = match (&args.proxy, args.no_proxy) {
        (Some(url), _) => ProxyChoice::Url(url.clone()),
        (None, true) => ProxyChoice::None,
        (None, false) => ProxyChoice::System,
    };
    Ok(Request {
        url: args.url.clone(),
        method,
        depth,
        headers: parse_headers(&args.headers)?,
        body,
        auth: auth_of(args)?,
        transport: Transport {
            insecure: args.insecure,
            ca_file: args.cacert.clone(),
            proxy,
            timeout_secs: args.timeout,
            follow_redirects: args.location,
            max_body_bytes: args.max_body,
        },
    })
}

/// Writes a file atomically: a temporary file beside it, then a rename.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "snapshot".into());
    let temp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
    let result = (|| {
        let mut f = std::fs::File::create(&temp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        std::fs::rename(&temp, path)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&temp);
    }
    result
}

pub fn run(args: &FetchArgs) -> Exit {
    let request = match request_of(args) {
        Ok(r) => r,
        Err(e) => return e,
    };
    if request.transport.insecure {
        let colour = std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none();
        let text = "warning: --insecure: TLS certificates are NOT checked; anyone on the path can read and change this exchange, credentials included";
        if colour {
            eprintln!("\x1b[1;31m{text}\x1b[0m");
        } else {
            eprintln!("{text}");
        }
    }
    if let Some(d) = request.depth
        && let Some(w) = d.warning(&request.method)
    {
        eprintln!("note: {w}");
    }
    let exchange = match fetch::send(&request, &mut |_| true) {
        Ok(x) => x,
        Err(FetchError::InvalidXml(problem)) => {
            let body = request.body.as_deref().unwrap_or(&[]);
            eprint!("{}", render_problem(&problem, "request body", body));
            return fail(
                "the request body is not well-formed XML; nothing was sent",
                None,
            );
        }
        Err(e) => {
            let hint = e.hint();
            return fail(e, hint);
        }
    };
    let raw = exchange.to_raw_http();
    let label = match &args.output {
        Some(path) => {
            if let Err(e) = write_atomic(path, &raw) {
                return fail(format!("cannot write {}: {e}", path.display()), None);
            }
            path.file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_else(|| path.display().to_string())
        }
        None => exchange.request.url.clone(),
    };
    let mut notes = vec![format!(
        "{} {} -> {} {} from {} in {} ms ({} ms to headers)",
        exchange.request.method,
        exchange.request.url,
        exchange.status,
        reason_phrase(exchange.status),
        exchange
            .remote_addr
            .map(|a| a.to_string())
            .unwrap_or_else(|| "?".into()),
        exchange.timings.total_ms,
        exchange.timings.headers_ms,
    )];
    for (code, location) in &exchange.redirects {
        notes.push(format!("followed a {code} redirect to {location}"));
    }
    if (300..400).contains(&exchange.status)
        && let Some(loc) = exchange.header("location")
    {
        notes.push(format!(
            "the server redirects to {loc} (not followed; -L follows redirects)"
        ));
    }
    if let Some(auth) = exchange.auth_summary() {
        notes.push(auth);
    }
    if let Some(path) = &args.output {
        notes.push(format!("snapshot saved to {}", path.display()));
    }
    for n in &notes {
        eprintln!("note: {n}");
    }
    let docs = match load_bytes(&label, Arc::new(Bytes::Owned(raw)), LoadOptions::default()) {
        Ok(d) => d,
        Err(e) => return fail(format!("cannot read the reply back: {e}"), None),
    };
    let mut exit = Exit::Done;
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    let colour = std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none();
    for doc in &docs {
        if let Err(e) = report_document(&mut out, doc, None, args.json, args.tree, colour) {
            exit = exit.max(e.exit);
            if e.closed {
                return exit;
            }
        }
    }
    exit
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser as _;

    fn args(line: &[&str]) -> FetchArgs {
        let mut full = vec!["davscope", "fetch"];
        full.extend_from_slice(line);
        match crate::cli::Args::parse_from(full).command {
            Some(crate::cli::Command::Fetch(a)) => *a,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn defaults_follow_the_template() {
        let r = request_of(&args(&["http://h/", "--no-proxy"])).expect("req");
        assert_eq!(r.method, "PROPFIND");
        assert_eq!(r.depth, Some(Depth::One));
        assert!(r.body.is_none());
        assert_eq!(r.transport.proxy, ProxyChoice::None);
        let r = request_of(&args(&["http://h/", "--body", "sync-collection:tok"])).expect("req");
        assert_eq!(r.method, "REPORT");
        assert_eq!(r.depth, Some(Depth::Zero));
        let r = request_of(&args(&[
            "http://h/",
            "--body",
            "calendar-multiget:/a.ics",
            "--depth",
            "1",
            "-H",
            "Brief: t",
        ]))
        .expect("req");
        assert_eq!(r.depth, Some(Depth::One));
        assert_eq!(r.headers, [("Brief".to_string(), "t".to_string())]);
        let r = request_of(&args(&["http://h/", "-X", "DELETE"])).expect("req");
        assert_eq!(r.depth, None);
    }

    #[test]
    fn atomic_write_replaces() {
        let dir = std::env::temp_dir().join(format!("davscope-aw-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("dir");
        let p = dir.join("snap.http");
        write_atomic(&p, b"one").expect("write");
        write_atomic(&p, b"two").expect("write");
        assert_eq!(std::fs::read(&p).expect("read"), b"two");
        assert_eq!(std::fs::read_dir(&dir).expect("ls").count(), 1);
        let _ = std::fs::remove_dir_all(&dir);
    }
}
