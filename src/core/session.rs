//! The workspace: what the user wrote (checklist ticks and notes per path, request
//! history), versioned serde_json, saved atomically (temp file, fsync, rename). A
//! file that cannot be read is reported and kept aside, never overwritten.
//!
//! Holds no payload content and no credential. Depends on serde only.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

/// The format version written today.
pub const VERSION: u32 = 1;

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
}

impl Default for Workspace {
    fn default() -> Self {
        Workspace {
            version: VERSION,
            checklist: BTreeMap::new(),
        }
    }
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
