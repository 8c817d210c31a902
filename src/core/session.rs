//! The workspace: what the user wrote (checklist ticks and notes per path, request
//! history), versioned serde_json, saved atomically (temp file, fsync, rename). A
//! file that cannot be read is reported and kept aside, never overwritten.
//!
//! Holds no payload content and no credential: a history entry keeps the request as
//! [`SavedRequest`] (credential headers dropped, a password in the URL removed, only
//! the *name* of an environment variable holding a secret) and the file name of its
//! snapshot, never the reply. Depends on serde and the request model of
//! `core::fetch`; never on the UI.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::core::fetch::{Auth, Depth, Request, Transport};

/// The format version written today. 2 added `history` (a version 1 file loads
/// with an empty history).
pub const VERSION: u32 = 2;

/// Most history entries kept; older ones are dropped first.
pub const HISTORY_LIMIT: usize = 200;

/// Ticks and notes of one path's checklist.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PathState {
    #[serde(default)]
    pub checked: Vec<bool>,
    #[serde(default)]
    pub notes: Vec<String>,
    /// Set when a comparison confirmed the fix (what showed it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub confirmed: Option<String>,
}

impl PathState {
    /// Makes room for the six steps (older files may hold fewer).
    pub fn ensure_len(&mut self) {
        let n = crate::core::checklist::STEPS.len();
        if self.checked.len() < n {
            self.checked.resize(n, false);
        }
        if self.notes.len() < n {
            self.notes.resize(n, String::new());
        }
    }
}

/// Everything the user wrote that must survive restarts and crashes.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Workspace {
    pub version: u32,
    /// Per decoded path (match key: no trailing slash).
    #[serde(default)]
    pub checklist: BTreeMap<String, PathState>,
    /// Requests sent from the window, oldest first (since version 2).
    #[serde(default)]
    pub history: Vec<HistoryEntry>,
}

impl Default for Workspace {
    fn default() -> Self {
        Workspace {
            version: VERSION,
            checklist: BTreeMap::new(),
            history: Vec::new(),
        }
    }
}

impl Workspace {
    /// The id the next history entry gets (ids are never reused).
    pub fn next_history_id(&self) -> u64 {
        self.history.iter().map(|e| e.id).max().unwrap_or(0) + 1
    }

    /// Appends an entry, dropping the oldest beyond [`HISTORY_LIMIT`]; returns the
    /// dropped entries (their snapshot files are the caller's to remove).
    pub fn push_history(&mut self, entry: HistoryEntry) -> Vec<HistoryEntry> {
        self.history.push(entry);
        let excess = self.history.len().saturating_sub(HISTORY_LIMIT);
        self.history.drain(..excess).collect()
    }

    pub fn history_entry(&self, id: u64) -> Option<&HistoryEntry> {
        self.history.iter().find(|e| e.id == id)
    }
}

/// Where a request's secret comes from, as saved: never the secret itself.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum SavedAuth {
    #[default]
    None,
    /// `password_env`: the environment variable read at send time (`None`: typed in
    /// the window, asked again after a restart).
    Basic {
        user: String,
        password_env: Option<String>,
    },
    Digest {
        user: String,
        password_env: Option<String>,
    },
    Bearer {
        token_env: Option<String>,
    },
}

/// A request as the workspace keeps it: everything needed to send it again except
/// the secret.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SavedRequest {
    /// Without a password.
    pub url: String,
    pub method: String,
    #[serde(default)]
    pub depth: Option<Depth>,
    /// Without `Authorization`, `Proxy-Authorization`, `Cookie`, `X-Api-Key`.
    #[serde(default)]
    pub headers: Vec<(String, String)>,
    /// The body when it is UTF-8 text (request bodies are XML).
    #[serde(default)]
    pub body: Option<String>,
    #[serde(default)]
    pub auth: SavedAuth,
    #[serde(default)]
    pub transport: Transport,
}

/// Headers never saved: they carry credentials.
const SECRET_HEADERS: [&str; 4] = [
    "authorization",
    "proxy-authorization",
    "cookie",
    "x-api-key",
];

/// True for a header that carries a credential.
pub fn is_secret_header(name: &str) -> bool {
    SECRET_HEADERS
        .iter()
        .any(|s| name.trim().eq_ignore_ascii_case(s))
}

/// `scheme://user:password@host/...` -> `scheme://user@host/...`.
pub fn url_without_password(url: &str) -> String {
    let Some(scheme_end) = url.find("://").map(|i| i + 3) else {
        return url.to_string();
    };
    let rest = &url[scheme_end..];
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let authority = &rest[..authority_end];
    let Some(at) = authority.rfind('@') else {
        return url.to_string();
    };
    let userinfo = &authority[..at];
    let user = userinfo.split_once(':').map_or(userinfo, |(u, _)| u);
    format!(
        "{}{user}@{}{}",
        &url[..scheme_end],
        &authority[at + 1..],
        &rest[authority_end..]
    )
}

impl SavedRequest {
    /// The request without its secret. `secret_env` names the environment variable
    /// the secret was read from, when it was.
    pub fn of(request: &Request, secret_env: Option<&str>) -> Self {
        let env = secret_env.map(str::to_string);
        SavedRequest {
            url: url_without_password(&request.url),
            method: request.method.clone(),
            depth: request.depth,
            headers: request
                .headers
                .iter()
                .filter(|(k, _)| !is_secret_header(k))
                .cloned()
                .collect(),
            body: request
                .body
                .as_ref()
                .and_then(|b| String::from_utf8(b.clone()).ok()),
            auth: match &request.auth {
                Auth::None => SavedAuth::None,
                Auth::Basic { user, .. } => SavedAuth::Basic {
                    user: user.clone(),
                    password_env: env,
                },
                Auth::Digest { user, .. } => SavedAuth::Digest {
                    user: user.clone(),
                    password_env: env,
                },
                Auth::Bearer { .. } => SavedAuth::Bearer { token_env: env },
            },
            transport: request.transport.clone(),
        }
    }

    /// The request to send, with `auth` supplied by the caller (the secret is not
    /// saved).
    pub fn to_request(&self, auth: Auth) -> Request {
        Request {
            url: self.url.clone(),
            method: self.method.clone(),
            depth: self.depth,
            headers: self.headers.clone(),
            body: self.body.as_ref().map(|b| b.clone().into_bytes()),
            auth,
            transport: self.transport.clone(),
        }
    }
}

/// One exchange sent from the window.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct HistoryEntry {
    pub id: u64,
    /// When it was sent, seconds since the Unix epoch (UTC).
    pub at_secs: u64,
    pub request: SavedRequest,
    /// The reply's status; `None` when no reply came (see `error`).
    #[serde(default)]
    pub status: Option<u16>,
    /// What went wrong, in words, when no reply came.
    #[serde(default)]
    pub error: Option<String>,
    /// The snapshot's file name in the `snapshots` folder beside the workspace.
    #[serde(default)]
    pub snapshot: Option<String>,
    #[serde(default)]
    pub total_ms: Option<u64>,
}

/// Why a workspace could not be read or written.
#[derive(Debug, thiserror::Error)]
pub enum SessionError {
    #[error("cannot read the workspace {path}: {source}")]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error(
        "the workspace {path} is damaged ({reason}); it was kept as {kept} and a new one started"
    )]
    Corrupt {
        path: PathBuf,
        reason: String,
        kept: PathBuf,
    },
    #[error(
        "the workspace {path} was written by a newer davscope (version {found}); it was kept as {kept}"
    )]
    TooNew {
        path: PathBuf,
        found: u32,
        kept: PathBuf,
    },
    #[error("cannot save the workspace {path}: {source}")]
    Write {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

/// The default workspace file: `$XDG_DATA_HOME/davscope/workspace.json`, else
/// `~/.local/share/davscope/workspace.json`.
pub fn default_path() -> Option<PathBuf> {
    let base = std::env::var_os("XDG_DATA_HOME")
        .map(PathBuf::from)
        .filter(|p| p.is_absolute())
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".local/share")))?;
    Some(base.join("davscope").join("workspace.json"))
}

/// Moves a damaged file aside (never deletes it); returns where it went.
fn keep_aside(path: &Path, now_secs: u64) -> PathBuf {
    let kept = path.with_extension(format!("json.damaged-{now_secs}"));
    if std::fs::rename(path, &kept).is_err() {
        return path.to_path_buf();
    }
    kept
}

/// Loads a workspace. A missing file is an empty workspace. A damaged one is kept
/// aside and reported; the caller carries on with an empty workspace.
pub fn load(path: &Path, now_secs: u64) -> Result<Workspace, SessionError> {
    let bytes = match std::fs::read(path) {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Workspace::default()),
        Err(source) => {
            return Err(SessionError::Read {
                path: path.to_path_buf(),
                source,
            });
        }
    };
    match serde_json::from_slice::<Workspace>(&bytes) {
        Ok(ws) if ws.version > VERSION => Err(SessionError::TooNew {
            path: path.to_path_buf(),
            found: ws.version,
            kept: keep_aside(path, now_secs),
        }),
        Ok(mut ws) => {
            for s in ws.checklist.values_mut() {
                s.ensure_len();
            }
            Ok(ws)
        }
        Err(e) => Err(SessionError::Corrupt {
            path: path.to_path_buf(),
            reason: e.to_string(),
            kept: keep_aside(path, now_secs),
        }),
    }
}

/// Writes a file atomically: a temp file beside it, fsync, rename over.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    if let Some(dir) = path.parent()
        && !dir.as_os_str().is_empty()
    {
        std::fs::create_dir_all(dir)?;
    }
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = path.with_file_name(format!(".{name}.tmp-{}", std::process::id()));
    let result = (|| {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        std::fs::rename(&tmp, path)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

/// Saves a workspace atomically.
pub fn save(path: &Path, ws: &Workspace) -> Result<(), SessionError> {
    let json = serde_json::to_vec_pretty(ws).map_err(|e| SessionError::Write {
        path: path.to_path_buf(),
        source: std::io::Error::other(e),
    })?;
    write_atomic(path, &json).map_err(|source| SessionError::Write {
        path: path.to_path_buf(),
        source,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dir(name: &str) -> PathBuf {
        let d =
            std::env::temp_dir().join(format!("davscope-session-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        d
    }

    #[test]
    fn round_trip_and_missing_file() {
        let d = dir("rt");
        let p = d.join("ws.json");
        assert_eq!(load(&p, 0).expect("missing is empty"), Workspace::default());
        let mut ws = Workspace::default();
        let s = ws.checklist.entry("/a".into()).or_default();
        s.ensure_len();
        s.checked[2] = true;
        s.notes[1] = "granted read to alice (ticket 42)".into();
        save(&p, &ws).expect("save");
        assert_eq!(load(&p, 0).expect("load"), ws);
        let leftovers: Vec<_> = std::fs::read_dir(&d)
            .expect("dir")
            .filter_map(Result::ok)
            .filter(|e| e.file_name().to_string_lossy().contains(".tmp"))
            .collect();
        assert!(leftovers.is_empty());
        let _ = std::fs::remove_dir_all(&d);
    }

    #[test]
    fn a_version_1_file_loads_with_an_empty_history() {
        let d = dir("v1");
        std::fs::create_dir_all(&d).expect("dir");
        let p = d.join("ws.json");
        std::fs::write(
            &p,
            br#"{"version": 1, "checklist": {"/a": {"checked": [true]}}}"#,
        )
        .expect("write");
        let ws = load(&p, 0).expect("v1 loads");
        assert!(ws.history.is_empty());
        assert!(ws.checklist["/a"].checked[0]);
        let _ = std::fs::remove_dir_all(&d);
    }

    #[test]
    fn a_saved_request_holds_no_secret() {
        let mut r = Request::propfind("https://alice:pw-in-url@dav.example/files/?x=1");
        r.headers = vec![
            ("Authorization".into(), "Basic YWxpY2U6cHc=".into()),
            ("cookie".into(), "sid=1".into()),
            ("Brief".into(), "t".into()),
        ];
        r.auth = Auth::Basic {
            user: "alice".into(),
            password: "typed-secret".into(),
        };
        let saved = SavedRequest::of(&r, None);
        assert_eq!(saved.url, "https://alice@dav.example/files/?x=1");
        assert_eq!(saved.headers, [("Brief".to_string(), "t".to_string())]);
        let json = serde_json::to_string(&saved).expect("json");
        for secret in ["pw-in-url", "YWxpY2U6cHc", "sid=1", "typed-secret"] {
            assert!(!json.contains(secret), "{json}");
        }
        let again = saved.to_request(Auth::None);
        assert_eq!(again.method, "PROPFIND");
        assert_eq!(again.depth, Some(Depth::One));
        assert_eq!(url_without_password("http://h:1/a@b"), "http://h:1/a@b");
        assert_eq!(url_without_password("http://u@h/"), "http://u@h/");
    }

    #[test]
    fn history_is_capped_and_ids_grow() {
        let mut ws = Workspace::default();
        let entry = |id| HistoryEntry {
            id,
            at_secs: 0,
            request: SavedRequest::of(&Request::propfind("http://h/"), None),
            status: Some(207),
            error: None,
            snapshot: Some(format!("{id}.http")),
            total_ms: None,
        };
        for _ in 0..HISTORY_LIMIT + 3 {
            let id = ws.next_history_id();
            let dropped = ws.push_history(entry(id));
            assert!(dropped.len() <= 1);
        }
        assert_eq!(ws.history.len(), HISTORY_LIMIT);
        assert_eq!(ws.history[0].id, 4);
        assert_eq!(ws.next_history_id(), HISTORY_LIMIT as u64 + 4);
    }

    #[test]
    fn a_damaged_file_is_kept_not_overwritten() {
        let d = dir("bad");
        std::fs::create_dir_all(&d).expect("dir");
        let p = d.join("ws.json");
        std::fs::write(&p, b"{\"version\": 1, \"checklist\": {\"/a\": ").expect("write");
        let err = load(&p, 7).expect_err("damaged");
        let SessionError::Corrupt { kept, .. } = &err else {
            panic!("{err}")
        };
        assert_eq!(
            std::fs::read(kept).expect("kept"),
            b"{\"version\": 1, \"checklist\": {\"/a\": "
        );
        assert!(err.to_string().contains("kept as"));
        std::fs::write(&p, b"{\"version\": 99}").expect("write");
        assert!(matches!(
            load(&p, 8),
            Err(SessionError::TooNew { found: 99, .. })
        ));
        let _ = std::fs::remove_dir_all(&d);
    }
}
