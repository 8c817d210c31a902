//! The request editor's state — the form a user fills (URL, method, Depth, headers,
//! body and its templates, auth, transport) — and what the window makes of a reply:
//! the reply summary, the probe summary, snapshot names, UTC times.
//!
//! The typed password or token lives only in [`RequestForm::secret`]: it goes into
//! the [`Request`] handed to `core::fetch::send` and nowhere else (the form has no
//! `Debug`, [`RequestForm::saved`] drops it). Depends on `core::fetch` and
//! `core::session`; draws nothing.

use crate::core::fetch::{
    self, Auth, COMMON_PROPS, Depth, Exchange, PropName, ProxyChoice, Request, Template, Transport,
};
use crate::core::parse::input::RequestContext;
use crate::core::session::{SavedAuth, SavedRequest, is_secret_header};

/// The auth scheme chosen in the editor.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AuthKind {
    None,
    Basic,
    Digest,
    Bearer,
}

impl AuthKind {
    pub const ALL: [AuthKind; 4] = [
        AuthKind::None,
        AuthKind::Basic,
        AuthKind::Digest,
        AuthKind::Bearer,
    ];

    pub fn label(&self) -> &'static str {
        match self {
            AuthKind::None => "none",
            AuthKind::Basic => "Basic",
            AuthKind::Digest => "Digest",
            AuthKind::Bearer => "Bearer",
        }
    }
}

/// Where the password or token comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SecretSource {
    /// Typed into the masked field (memory only).
    Typed,
    /// Read from an environment variable at send time.
    Env,
}

/// The proxy choice in the editor.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ProxyKind {
    System,
    None,
    Url,
}

/// The body templates of `core::fetch`, as the editor offers them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TemplateKind {
    AllProp,
    PropName,
    Props,
    CalendarMultiget,
    CalendarQuery,
    AddressbookMultiget,
    SyncCollection,
    ProppatchSet,
    ProppatchRemove,
    LockInfo,
}

impl TemplateKind {
    pub const ALL: [TemplateKind; 10] = [
        TemplateKind::AllProp,
        TemplateKind::PropName,
        TemplateKind::Props,
        TemplateKind::CalendarMultiget,
        TemplateKind::CalendarQuery,
        TemplateKind::AddressbookMultiget,
        TemplateKind::SyncCollection,
        TemplateKind::ProppatchSet,
        TemplateKind::ProppatchRemove,
        TemplateKind::LockInfo,
    ];

    pub fn label(&self) -> &'static str {
        match self {
            TemplateKind::AllProp => "allprop",
            TemplateKind::PropName => "propname",
            TemplateKind::Props => "chosen properties",
            TemplateKind::CalendarMultiget => "calendar-multiget",
            TemplateKind::CalendarQuery => "calendar-query (time range)",
            TemplateKind::AddressbookMultiget => "addressbook-multiget",
            TemplateKind::SyncCollection => "sync-collection",
            TemplateKind::ProppatchSet => "PROPPATCH set",
            TemplateKind::ProppatchRemove => "PROPPATCH remove",
            TemplateKind::LockInfo => "lockinfo",
        }
    }
}

/// The template chooser's inputs.
#[derive(Clone, Debug)]
pub struct TemplateForm {
    pub kind: TemplateKind,
    /// Per entry of `COMMON_PROPS`.
    pub picked: Vec<bool>,
    /// More property names, comma-separated (`C:calendar-data`, `{ns}name`).
    pub extra_props: String,
    /// One href per line.
    pub hrefs: String,
    /// iCalendar UTC times, `20250101T000000Z`.
    pub start: String,
    pub end: String,
    /// Filled with the `sync-token` of the last reply that had one.
    pub sync_token: String,
    /// `name = value`, one per line.
    pub proppatch_set: String,
    /// One name per line.
    pub proppatch_remove: String,
    pub lock_owner: String,
    /// Why the last "Use template" failed.
    pub error: Option<String>,
}

impl TemplateForm {
    fn new(now_secs: u64) -> Self {
        let picked = COMMON_PROPS
            .iter()
            .map(|p| {
                p.prefix == "D"
                    && matches!(
                        p.name,
                        "displayname" | "resourcetype" | "getetag" | "getlastmodified"
                    )
            })
            .collect();
        let (start, end) = month_range(now_secs);
        TemplateForm {
            kind: TemplateKind::AllProp,
            picked,
            extra_props: String::new(),
            hrefs: String::new(),
            start,
            end,
            sync_token: String::new(),
            proppatch_set: "displayname = Notes".into(),
            proppatch_remove: String::new(),
            lock_owner: "mailto:me@example.com".into(),
            error: None,
        }
    }

    /// The template these inputs describe.
    pub fn template(&self) -> Result<Template, String> {
        let names = |text: &str| -> Result<Vec<PropName>, String> {
            text.split([',', '\n'])
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(PropName::parse)
                .collect()
        };
        let hrefs = || -> Vec<String> {
            self.hrefs
                .split(['\n', ','])
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_string)
                .collect()
        };
        Ok(match self.kind {
            TemplateKind::AllProp => Template::AllProp,
            TemplateKind::PropName => Template::PropName,
            TemplateKind::Props => {
                let mut props: Vec<PropName> = COMMON_PROPS
                    .iter()
                    .zip(&self.picked)
                    .filter(|(_, on)| **on)
                    .map(|(p, _)| PropName::parse(&format!("{}:{}", p.prefix, p.name)))
                    .collect::<Result<_, _>>()?;
                props.extend(names(&self.extra_props)?);
                if props.is_empty() {
                    return Err("pick at least one property".into());
                }
                Template::Props(props)
            }
            TemplateKind::CalendarMultiget | TemplateKind::AddressbookMultiget => {
                let hrefs = hrefs();
                if hrefs.is_empty() {
                    return Err("give at least one href, one per line".into());
                }
                if self.kind == TemplateKind::CalendarMultiget {
                    Template::CalendarMultiget { hrefs }
                } else {
                    Template::AddressbookMultiget { hrefs }
                }
            }
            TemplateKind::CalendarQuery => Template::parse(&format!(
                "calendar-query:{}/{}",
                self.start.trim(),
                self.end.trim()
            ))?,
            TemplateKind::SyncCollection => Template::SyncCollection {
                token: self.sync_token.trim().to_string(),
            },
            TemplateKind::ProppatchSet => {
                let mut sets = Vec::new();
                for line in self.proppatch_set.lines().filter(|l| !l.trim().is_empty()) {
                    let (k, v) = line
                        .split_once('=')
                        .ok_or_else(|| format!("`{}`: write name = value", line.trim()))?;
                    sets.push((PropName::parse(k)?, v.trim().to_string()));
                }
                if sets.is_empty() {
                    return Err("give at least one `name = value` line".into());
                }
                Template::ProppatchSet(sets)
            }
            TemplateKind::ProppatchRemove => {
                let props = names(&self.proppatch_remove)?;
                if props.is_empty() {
                    return Err("give at least one property name".into());
                }
                Template::ProppatchRemove(props)
            }
            TemplateKind::LockInfo => Template::LockInfo {
                owner: self.lock_owner.trim().to_string(),
            },
        })
    }
}

/// Everything the request editor shows. No `Debug`: it holds the typed secret.
pub struct RequestForm {
    pub url: String,
    /// One of `core::fetch::METHODS` (ignored when `custom` is set).
    pub method: String,
    pub custom: bool,
    pub custom_method: String,
    pub depth: Option<Depth>,
    pub headers: Vec<(String, String)>,
    pub body: String,
    pub template: TemplateForm,
    pub auth_kind: AuthKind,
    pub user: String,
    pub secret_source: SecretSource,
    /// The typed password or token. Memory only: never saved, never logged.
    pub secret: String,
    pub secret_env: String,
    pub insecure: bool,
    pub ca_file: String,
    pub proxy: ProxyKind,
    pub proxy_url: String,
    pub timeout_secs: u64,
    pub follow_redirects: bool,
    pub max_body_mb: u64,
    /// How the editor was last filled (from a document, a history entry, a step).
    pub note: Option<String>,
    /// The body last checked and what the check said.
    body_checked: Option<(String, Option<String>)>,
}

impl RequestForm {
    pub fn new(now_secs: u64) -> Self {
        let transport = Transport::default();
        RequestForm {
            url: String::new(),
            method: "PROPFIND".into(),
            custom: false,
            custom_method: String::new(),
            depth: Some(Depth::One),
            headers: Vec::new(),
            body: String::new(),
            template: TemplateForm::new(now_secs),
            auth_kind: AuthKind::None,
            user: String::new(),
            secret_source: SecretSource::Typed,
            secret: String::new(),
            secret_env: String::new(),
            insecure: transport.insecure,
            ca_file: String::new(),
            proxy: ProxyKind::System,
            proxy_url: String::new(),
            timeout_secs: transport.timeout_secs,
            follow_redirects: transport.follow_redirects,
            max_body_mb: transport.max_body_bytes >> 20,
            note: None,
            body_checked: None,
        }
    }

    /// The method token that will be sent.
    pub fn effective_method(&self) -> String {
        if self.custom {
            self.custom_method.trim().to_string()
        } else {
            self.method.clone()
        }
    }

    /// Sets the method, as a custom token when it is not one of the offered ones.
    pub fn set_method(&mut self, method: &str) {
        let method = method.trim();
        if let Some(m) = fetch::METHODS
            .iter()
            .find(|m| m.eq_ignore_ascii_case(method))
        {
            self.method = (*m).to_string();
            self.custom = false;
        } else {
            self.custom = true;
            self.custom_method = method.to_string();
        }
    }

    /// Whether the body is sent as XML (and so checked first).
    fn body_is_xml(&self) -> bool {
        if let Some((_, ct)) = self
            .headers
            .iter()
            .find(|(k, _)| k.trim().eq_ignore_ascii_case("content-type"))
        {
            return ct.to_ascii_lowercase().contains("xml");
        }
        self.body.trim_start().starts_with('<')
    }

    /// The XML check of the body, rendered with the caret (`None`: fine, or not XML).
    /// Re-checked only when the body changed.
    pub fn body_error(&mut self) -> Option<String> {
        let fresh = self
            .body_checked
            .as_ref()
            .is_some_and(|(text, _)| *text == self.body);
        if !fresh {
            let error = if self.body.trim().is_empty() || !self.body_is_xml() {
                None
            } else {
                fetch::check_xml(self.body.as_bytes())
                    .err()
                    .map(|p| crate::core::render::render_problem(&p, "body", self.body.as_bytes()))
            };
            self.body_checked = Some((self.body.clone(), error));
        }
        self.body_checked.as_ref().and_then(|(_, e)| e.clone())
    }

    /// Fills the body (and the method and Depth it goes with) from the template.
    pub fn apply_template(&mut self) {
        match self.template.template() {
            Ok(t) => {
                self.body = fetch::template(&t);
                self.set_method(t.method());
                self.depth = t.depth();
                self.template.error = None;
            }
            Err(e) => self.template.error = Some(e),
        }
    }

    /// The credentials, the secret read from the field or the environment.
    pub fn auth(&self) -> Result<Auth, String> {
        let secret = || -> Result<String, String> {
            match self.secret_source {
                SecretSource::Typed => {
                    if self.secret.is_empty() {
                        Err(format!(
                            "type the {} (it is never saved), or read it from an environment variable",
                            self.secret_word()
                        ))
                    } else {
                        Ok(self.secret.clone())
                    }
                }
                SecretSource::Env => {
                    let var = self.secret_env.trim();
                    if var.is_empty() {
                        return Err(format!(
                            "name the environment variable that holds the {}",
                            self.secret_word()
                        ));
                    }
                    match std::env::var(var) {
                        Ok(v) if !v.is_empty() => Ok(v),
                        Ok(_) => Err(format!("the environment variable {var} is empty")),
                        Err(std::env::VarError::NotPresent) => Err(format!(
                            "the environment variable {var} is not set (in the environment davscope was started from)"
                        )),
                        Err(std::env::VarError::NotUnicode(_)) => {
                            Err(format!("the environment variable {var} is not valid UTF-8"))
                        }
                    }
                }
            }
        };
        let user = || -> Result<String, String> {
            let u = self.user.trim();
            if u.is_empty() {
                Err("give a user name".into())
            } else {
                Ok(u.to_string())
            }
        };
        Ok(match self.auth_kind {
            AuthKind::None => Auth::None,
            AuthKind::Basic => Auth::Basic {
                user: user()?,
                password: secret()?,
            },
            AuthKind::Digest => Auth::Digest {
                user: user()?,
                password: secret()?,
            },
            AuthKind::Bearer => Auth::Bearer { token: secret()? },
        })
    }

    /// "password" or "token".
    pub fn secret_word(&self) -> &'static str {
        if self.auth_kind == AuthKind::Bearer {
            "token"
        } else {
            "password"
        }
    }

    pub fn transport(&self) -> Result<Transport, String> {
        let proxy = match self.proxy {
            ProxyKind::System => ProxyChoice::System,
            ProxyKind::None => ProxyChoice::None,
            ProxyKind::Url => {
                let url = self.proxy_url.trim();
                if url.is_empty() {
                    return Err(
                        "give the proxy URL (http://host:port), or choose system or none".into(),
                    );
                }
                ProxyChoice::Url(url.to_string())
            }
        };
        let ca = self.ca_file.trim();
        Ok(Transport {
            insecure: self.insecure,
            ca_file: (!ca.is_empty()).then(|| ca.into()),
            proxy,
            timeout_secs: self.timeout_secs.max(1),
            follow_redirects: self.follow_redirects,
            max_body_bytes: self.max_body_mb.max(1) << 20,
        })
    }

    /// The request the editor describes (reads the secret; no network).
    pub fn to_request(&self) -> Result<Request, String> {
        let url = self.url.trim();
        if url.is_empty() {
            return Err("give the URL to query (http:// or https://)".into());
        }
        let method = self.effective_method();
        if method.is_empty() {
            return Err("give the custom method token".into());
        }
        let headers = self
            .headers
            .iter()
            .filter(|(k, _)| !k.trim().is_empty())
            .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
            .collect();
        Ok(Request {
            url: url.to_string(),
            method,
            depth: self.depth,
            headers,
            body: (!self.body.trim().is_empty()).then(|| self.body.clone().into_bytes()),
            auth: self.auth()?,
            transport: self.transport()?,
        })
    }

    /// `request` as the workspace keeps it (no secret).
    pub fn saved(&self, request: &Request) -> SavedRequest {
        let env = (self.secret_source == SecretSource::Env && self.auth_kind != AuthKind::None)
            .then_some(self.secret_env.trim());
        SavedRequest::of(request, env)
    }

    /// The credentials for a saved request: its environment variable, else what is
    /// typed in the editor now.
    pub fn auth_for(&self, saved: &SavedAuth) -> Result<Auth, String> {
        let mut form = self.shadow();
        match saved {
            SavedAuth::None => return Ok(Auth::None),
            SavedAuth::Basic { user, password_env } | SavedAuth::Digest { user, password_env } => {
                form.auth_kind = if matches!(saved, SavedAuth::Basic { .. }) {
                    AuthKind::Basic
                } else {
                    AuthKind::Digest
                };
                form.user = user.clone();
                if let Some(var) = password_env {
                    form.secret_source = SecretSource::Env;
                    form.secret_env = var.clone();
                }
            }
            SavedAuth::Bearer { token_env } => {
                form.auth_kind = AuthKind::Bearer;
                if let Some(var) = token_env {
                    form.secret_source = SecretSource::Env;
                    form.secret_env = var.clone();
                }
            }
        }
        form.auth()
    }

    /// A copy of the auth fields (for [`Self::auth_for`]).
    fn shadow(&self) -> RequestForm {
        let mut f = RequestForm::new(0);
        f.auth_kind = self.auth_kind;
        f.user = self.user.clone();
        f.secret_source = self.secret_source;
        f.secret = self.secret.clone();
        f.secret_env = self.secret_env.clone();
        f
    }

    /// Fills the editor from a saved request. The typed secret stays.
    pub fn load_saved(&mut self, saved: &SavedRequest) {
        self.url = saved.url.clone();
        self.set_method(&saved.method);
        self.depth = saved.depth;
        self.headers = saved.headers.clone();
        self.body = saved.body.clone().unwrap_or_default();
        match &saved.auth {
            SavedAuth::None => self.auth_kind = AuthKind::None,
            SavedAuth::Basic { user, password_env } | SavedAuth::Digest { user, password_env } => {
                self.auth_kind = if matches!(saved.auth, SavedAuth::Basic { .. }) {
                    AuthKind::Basic
                } else {
                    AuthKind::Digest
                };
                self.user = user.clone();
                if let Some(var) = password_env {
                    self.secret_source = SecretSource::Env;
                    self.secret_env = var.clone();
                }
            }
            SavedAuth::Bearer { token_env } => {
                self.auth_kind = AuthKind::Bearer;
                if let Some(var) = token_env {
                    self.secret_source = SecretSource::Env;
                    self.secret_env = var.clone();
                }
            }
        }
        let t = &saved.transport;
        self.insecure = t.insecure;
        self.ca_file = t
            .ca_file
            .as_ref()
            .map(|p| p.display().to_string())
            .unwrap_or_default();
        (self.proxy, self.proxy_url) = match &t.proxy {
            ProxyChoice::System => (ProxyKind::System, self.proxy_url.clone()),
            ProxyChoice::None => (ProxyKind::None, self.proxy_url.clone()),
            ProxyChoice::Url(u) => (ProxyKind::Url, u.clone()),
        };
        self.timeout_secs = t.timeout_secs;
        self.follow_redirects = t.follow_redirects;
        self.max_body_mb = (t.max_body_bytes >> 20).max(1);
    }

    /// Fills the editor from a captured request (a raw HTTP snapshot or a HAR entry):
    /// method, URL, Depth and headers, without credentials and the headers the client
    /// sets itself. `body` is the captured request body, when the capture had one.
    pub fn load_context(&mut self, context: &RequestContext, body: Option<String>) {
        self.url = context.url.clone();
        self.set_method(&context.method);
        self.depth = context.header("depth").and_then(Depth::parse);
        const CLIENT_SET: [&str; 9] = [
            "host",
            "content-length",
            "depth",
            "user-agent",
            "accept",
            "accept-encoding",
            "connection",
            "transfer-encoding",
            "x-davscope-note",
        ];
        let mut dropped_auth = None;
        self.headers = context
            .headers
            .iter()
            .filter(|(k, v)| {
                if is_secret_header(k) {
                    if k.eq_ignore_ascii_case("authorization") {
                        dropped_auth = v.split_whitespace().next().map(str::to_string);
                    }
                    return false;
                }
                !CLIENT_SET.iter().any(|c| k.eq_ignore_ascii_case(c))
            })
            .cloned()
            .collect();
        self.body = body.unwrap_or_default();
        self.note = dropped_auth.map(|scheme| {
            if let Some(kind) = AuthKind::ALL
                .into_iter()
                .find(|k| k.label().eq_ignore_ascii_case(&scheme))
            {
                self.auth_kind = kind;
            }
            format!("the capture sent {scheme} credentials (redacted in it): give them under Auth")
        });
    }
}

/// The body of the request in a raw HTTP capture that starts with the request (as
/// davscope's snapshots do): between the request's head and the reply's status line.
pub fn request_body_in_capture(original: &[u8]) -> Option<String> {
    let first_line_end = memchr::memchr(b'\n', original)?;
    let first = std::str::from_utf8(&original[..first_line_end]).ok()?;
    let method = first.split_whitespace().next()?;
    if method.starts_with("HTTP/") || !method.bytes().all(|b| b.is_ascii_uppercase() || b == b'-') {
        return None;
    }
    let head_end = memchr::memmem::find(original, b"\r\n\r\n")
        .map(|i| i + 4)
        .or_else(|| memchr::memmem::find(original, b"\n\n").map(|i| i + 2))?;
    let rest = &original[head_end..];
    let reply_at = if rest.starts_with(b"HTTP/") {
        0
    } else {
        memchr::memmem::find(rest, b"\nHTTP/").map(|i| i + 1)?
    };
    let body = &rest[..reply_at];
    // A snapshot ends a body that has no final newline with CRLF.
    let body = body.strip_suffix(b"\r\n").unwrap_or(body);
    if body.iter().all(u8::is_ascii_whitespace) {
        return None;
    }
    String::from_utf8(body.to_vec()).ok()
}

/// Header names the reply view highlights: who answered and what it speaks.
pub fn is_highlighted_header(name: &str) -> bool {
    let n = name.to_ascii_lowercase();
    matches!(
        n.as_str(),
        "server" | "dav" | "allow" | "via" | "content-type"
    ) || n.starts_with("x-forwarded-")
}

/// What a reply shows in the request view.
#[derive(Clone, Debug)]
pub struct ReplySummary {
    /// The history entry it was recorded as.
    pub entry: u64,
    pub method: String,
    pub url: String,
    pub version: String,
    pub status: u16,
    pub reason: String,
    pub remote: Option<String>,
    pub headers_ms: u64,
    pub total_ms: u64,
    pub headers: Vec<(String, String)>,
    /// Followed redirects, and a redirect that was not followed.
    pub redirect_notes: Vec<String>,
    /// For a 401: the schemes the server offers.
    pub auth: Option<String>,
    pub body_bytes: usize,
    /// Where the snapshot is (or why it is only in memory).
    pub snapshot: String,
    /// Set when the reply is not a multistatus: what it is instead.
    pub not_multistatus: Option<String>,
    /// The reply to "Probe server" (OPTIONS): summarised, not opened as a document.
    pub probe: bool,
}

impl ReplySummary {
    pub fn of(entry: u64, x: &Exchange, snapshot: String) -> Self {
        let mut redirect_notes: Vec<String> = x
            .redirects
            .iter()
            .map(|(code, to)| format!("followed a {code} redirect to {to}"))
            .collect();
        if (300..400).contains(&x.status)
            && let Some(loc) = x.header("location")
        {
            redirect_notes.push(format!(
                "the server redirects to {loc} (not followed: tick \"Follow redirects\" to follow)"
            ));
        }
        ReplySummary {
            entry,
            method: x.request.method.clone(),
            url: x.final_url.clone(),
            version: x.version.clone(),
            status: x.status,
            reason: x.reason.clone(),
            remote: x.remote_addr.map(|a| a.to_string()),
            headers_ms: x.timings.headers_ms,
            total_ms: x.timings.total_ms,
            headers: x.headers.clone(),
            redirect_notes,
            auth: x.auth_summary(),
            body_bytes: x.body.len(),
            snapshot,
            not_multistatus: None,
            probe: false,
        }
    }
}

/// "Probe server": what an OPTIONS reply says about WebDAV support.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProbeSummary {
    pub url: String,
    pub status: u16,
    /// Compliance classes of the `DAV` header (`1`, `2`, `3`, `calendar-access`...).
    pub dav_classes: Vec<String>,
    /// Methods of the `Allow` header.
    pub allow: Vec<String>,
    pub server: Option<String>,
    /// `None` when there is no `Allow` header to tell.
    pub propfind_allowed: Option<bool>,
    /// Conclusions, one per line.
    pub lines: Vec<String>,
}

impl ProbeSummary {
    pub fn of(x: &Exchange) -> Self {
        let list = |name: &str| -> Vec<String> {
            x.headers
                .iter()
                .filter(|(k, _)| k.eq_ignore_ascii_case(name))
                .flat_map(|(_, v)| v.split(','))
                .map(|s| s.trim().to_string())
                .filter(|s| !s.is_empty())
                .collect()
        };
        let dav_classes = list("dav");
        let allow: Vec<String> = list("allow").iter().map(|m| m.to_uppercase()).collect();
        let server = x.header("server").map(str::to_string);
        let propfind_allowed = (!allow.is_empty()).then(|| allow.iter().any(|m| m == "PROPFIND"));
        let mut lines = Vec::new();
        if let Some(a) = x.auth_summary() {
            lines.push(format!("{a}: probe again with credentials"));
        } else if !(200..300).contains(&x.status) {
            lines.push(format!(
                "OPTIONS answered {} {}: the headers below may not describe the WebDAV service",
                x.status, x.reason
            ));
        }
        if dav_classes.is_empty() {
            lines.push("no DAV header: this URL does not announce WebDAV (wrong URL, or a proxy strips the header)".into());
        } else {
            let mut about = Vec::new();
            if dav_classes.iter().any(|c| c == "1") {
                about.push("class 1 (basic WebDAV)");
            }
            if dav_classes.iter().any(|c| c == "2") {
                about.push("class 2 (locking)");
            }
            if dav_classes.iter().any(|c| c == "3") {
                about.push("class 3 (RFC 4918)");
            }
            if dav_classes.iter().any(|c| c == "calendar-access") {
                about.push("CalDAV");
            }
            if dav_classes.iter().any(|c| c == "addressbook") {
                about.push("CardDAV");
            }
            if dav_classes.iter().any(|c| c == "access-control") {
                about.push("ACL");
            }
            lines.push(format!(
                "WebDAV compliance: {}",
                if about.is_empty() {
                    dav_classes.join(", ")
                } else {
                    about.join(", ")
                }
            ));
        }
        lines.push(match propfind_allowed {
            Some(true) => "PROPFIND is allowed".into(),
            Some(false) => {
                "PROPFIND is NOT in Allow: the server (or a proxy) refuses it here".into()
            }
            None => "no Allow header: cannot tell whether PROPFIND is allowed".into(),
        });
        if let Some(s) = &server {
            lines.push(format!("server: {s}"));
        }
        ProbeSummary {
            url: x.final_url.clone(),
            status: x.status,
            dav_classes,
            allow,
            server,
            propfind_allowed,
            lines,
        }
    }
}

/// Seconds since the Unix epoch, now (the app reads the clock; the core never does).
pub fn now_secs() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

/// (year, month, day, hour, minute, second) in UTC.
pub fn utc(secs: u64) -> (i64, u32, u32, u32, u32, u32) {
    let days = (secs / 86_400) as i64;
    let rem = secs % 86_400;
    // Howard Hinnant's civil_from_days.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (
        year,
        month,
        day,
        (rem / 3600) as u32,
        (rem % 3600 / 60) as u32,
        (rem % 60) as u32,
    )
}

/// `2025-01-31 12:03:04 UTC`.
pub fn format_utc(secs: u64) -> String {
    let (y, mo, d, h, mi, s) = utc(secs);
    format!("{y:04}-{mo:02}-{d:02} {h:02}:{mi:02}:{s:02} UTC")
}

/// The current month as an iCalendar UTC range.
fn month_range(now_secs: u64) -> (String, String) {
    let (y, m, ..) = utc(now_secs);
    let (ny, nm) = if m == 12 { (y + 1, 1) } else { (y, m + 1) };
    (
        format!("{y:04}{m:02}01T000000Z"),
        format!("{ny:04}{nm:02}01T000000Z"),
    )
}

/// A snapshot's file name: `20250131-120304-0007-PROPFIND.http`.
pub fn snapshot_name(id: u64, at_secs: u64, method: &str) -> String {
    let (y, mo, d, h, mi, s) = utc(at_secs);
    let method: String = method
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' {
                c
            } else {
                '_'
            }
        })
        .take(20)
        .collect();
    format!("{y:04}{mo:02}{d:02}-{h:02}{mi:02}{s:02}-{id:04}-{method}.http")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utc_dates() {
        assert_eq!(format_utc(0), "1970-01-01 00:00:00 UTC");
        assert_eq!(format_utc(951_782_400), "2000-02-29 00:00:00 UTC");
        assert_eq!(format_utc(1_735_689_599), "2024-12-31 23:59:59 UTC");
        assert_eq!(
            month_range(1_735_689_599),
            ("20241201T000000Z".into(), "20250101T000000Z".into())
        );
        assert_eq!(
            snapshot_name(7, 1_735_689_599, "PROPFIND"),
            "20241231-235959-0007-PROPFIND.http"
        );
        assert_eq!(snapshot_name(1, 0, "x/y"), "19700101-000000-0001-x_y.http");
    }

    #[test]
    fn every_template_fills_a_well_formed_body() {
        let mut form = RequestForm::new(1_735_689_599);
        form.template.hrefs = "/cal/a.ics\n/cal/b.ics".into();
        form.template.proppatch_remove = "oc:favorite".into();
        form.template.extra_props = "C:calendar-data".into();
        for kind in TemplateKind::ALL {
            form.template.kind = kind;
            form.apply_template();
            assert_eq!(form.template.error, None, "{kind:?}");
            assert_eq!(form.body_error(), None, "{kind:?}\n{}", form.body);
        }
        assert_eq!(form.effective_method(), "LOCK");
        form.template.kind = TemplateKind::Props;
        form.template.picked.iter_mut().for_each(|p| *p = false);
        form.template.extra_props.clear();
        form.apply_template();
        assert!(form.template.error.is_some());
        form.body = "<D:propfind xmlns:D=\"DAV:\"><D:prop></D:propfind>".into();
        let e = form.body_error().expect("mismatched tags");
        assert!(e.contains("--> body:1:"), "{e}");
    }

    #[test]
    fn the_request_body_is_found_in_a_snapshot() {
        let snap = b"PROPFIND http://h/ HTTP/1.1\r\nDepth: 1\r\n\r\n<a/>\r\nHTTP/1.1 207 Multi-Status\r\n\r\n<x/>";
        assert_eq!(request_body_in_capture(snap).as_deref(), Some("<a/>"));
        let none =
            b"PROPFIND http://h/ HTTP/1.1\r\nDepth: 1\r\n\r\nHTTP/1.1 207 Multi-Status\r\n\r\n<x/>";
        assert_eq!(request_body_in_capture(none), None);
        assert_eq!(
            request_body_in_capture(b"HTTP/1.1 207 Multi-Status\r\n\r\n<x/>"),
            None
        );
    }

    #[test]
    fn a_captured_request_fills_the_editor_without_credentials() {
        let ctx = RequestContext {
            method: "REPORT".into(),
            url: "https://dav.example/cal/".into(),
            headers: vec![
                ("Host".into(), "dav.example".into()),
                ("Depth".into(), "1".into()),
                ("Authorization".into(), "Basic [redacted]".into()),
                ("Content-Type".into(), "application/xml".into()),
                ("Brief".into(), "t".into()),
            ],
        };
        let mut form = RequestForm::new(0);
        form.load_context(&ctx, Some("<a/>".into()));
        assert_eq!(form.effective_method(), "REPORT");
        assert_eq!(form.depth, Some(Depth::One));
        let names: Vec<&str> = form.headers.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(names, ["Content-Type", "Brief"]);
        assert_eq!(form.auth_kind, AuthKind::Basic);
        assert!(form.note.as_deref().is_some_and(|n| n.contains("Basic")));
        form.set_method("MKCALENDAR");
        assert!(form.custom);
        assert_eq!(form.effective_method(), "MKCALENDAR");
    }

    #[test]
    fn a_secret_from_the_environment_is_saved_by_name_only() {
        let mut form = RequestForm::new(0);
        form.url = "http://127.0.0.1:1/".into();
        form.auth_kind = AuthKind::Basic;
        form.user = "alice".into();
        form.secret = "typed".into();
        assert!(matches!(
            form.to_request(),
            Ok(Request {
                auth: Auth::Basic { .. },
                ..
            })
        ));
        form.secret_source = SecretSource::Env;
        form.secret_env = "DAVSCOPE_TEST_SURELY_UNSET_VARIABLE".into();
        let e = form.to_request().err().unwrap_or_default();
        assert!(
            e.contains("DAVSCOPE_TEST_SURELY_UNSET_VARIABLE is not set"),
            "{e}"
        );
        // The variable's name is kept, so a re-run after a restart reads it again.
        let request = Request {
            auth: Auth::Basic {
                user: "alice".into(),
                password: "from-env".into(),
            },
            ..Request::propfind("http://h/")
        };
        let saved = form.saved(&request);
        assert_eq!(
            saved.auth,
            SavedAuth::Basic {
                user: "alice".into(),
                password_env: Some("DAVSCOPE_TEST_SURELY_UNSET_VARIABLE".into()),
            }
        );
        assert!(
            !serde_json::to_string(&saved)
                .unwrap_or_default()
                .contains("from-env")
        );
        form.auth_kind = AuthKind::Bearer;
        form.secret_source = SecretSource::Typed;
        form.secret.clear();
        let e = form.to_request().err().unwrap_or_default();
        assert!(e.contains("type the token"), "{e}");
    }

    #[test]
    fn probe_summary_reads_dav_and_allow() {
        let x = Exchange {
            request: fetch::SentRequest {
                method: "OPTIONS".into(),
                url: "http://h/".into(),
                headers: Vec::new(),
                body: Vec::new(),
            },
            version: "HTTP/1.1".into(),
            status: 200,
            reason: "OK".into(),
            headers: vec![
                ("DAV".into(), "1, 2".into()),
                ("DAV".into(), "calendar-access".into()),
                ("Allow".into(), "OPTIONS, GET, PROPFIND".into()),
                ("Server".into(), "Apache/2.4".into()),
            ],
            remote_addr: None,
            timings: fetch::Timings::default(),
            redirects: Vec::new(),
            final_url: "http://h/".into(),
            body: Vec::new(),
        };
        let p = ProbeSummary::of(&x);
        assert_eq!(p.dav_classes, ["1", "2", "calendar-access"]);
        assert_eq!(p.propfind_allowed, Some(true));
        assert!(
            p.lines[0].contains("class 2 (locking), CalDAV"),
            "{:?}",
            p.lines
        );
        assert_eq!(p.server.as_deref(), Some("Apache/2.4"));
    }
}
