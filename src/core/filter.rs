//! The filter language shared by the CLI and the GUI, and the filtered tree.
//!
//! `FilterQuery::parse` -> a list of terms ANDed together -> [`apply`] gives the
//! matching responses and the nodes to show (matches and their ancestors). The UI
//! walks the result; it never evaluates a query per frame. Depends on the model,
//! the tree and the status tables only.
//!
//! Terms (any may start with `-` to negate):
//! - `status:4xx`, `status:403,423`, `status:locked`, `status:none` — any code of the
//!   response (its own or a propstat's) matches;
//! - `outcome:failed` (`ok`, `partial`, `failed`, comma lists);
//! - `path:/docs/**` — a glob on the decoded path (`*` within a segment, `**` across);
//!   without a wildcard, the path and everything below it;
//! - `prop:getetag` (any namespace) or `prop:{urn:x}color`;
//! - `error:need-privileges` (or `{DAV:}need-privileges`);
//! - `change:regressed` — only in a diff;
//! - anything else is free text, matched case-insensitively in the decoded path;
//!   `"quoted text"` keeps spaces.

use crate::core::model::{Multistatus, NameId, Outcome};
use crate::core::status::StatusCategory;
use crate::core::tree::{NONE, PathTree};

/// A query error, with the character range of the offending term.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct FilterError {
    pub message: String,
    /// Character offsets in the query.
    pub start: usize,
    pub end: usize,
    pub hint: Option<String>,
}

/// One status selector.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StatusSel {
    Code(u16),
    Class(u16),
    Category(StatusCategory),
    None,
}

/// What a term tests.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Test {
    Status(Vec<StatusSel>),
    Outcome(Vec<Outcome>),
    Path(String),
    Prop(String),
    Error(String),
    Change(Vec<String>),
    Text(String),
}

/// A term: a test, maybe negated.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Term {
    pub negated: bool,
    pub test: Test,
}

/// A parsed query: terms ANDed together. Empty matches everything.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FilterQuery {
    pub terms: Vec<Term>,
}

/// The change kinds `change:` accepts (see `core::diff`).
pub const CHANGE_KINDS: [&str; 8] = [
    "fixed",
    "regressed",
    "still_failing",
    "status_changed",
    "props_changed",
    "added",
    "removed",
    "unchanged",
];

fn category_by_name(name: &str) -> Option<StatusCategory> {
    use StatusCategory as C;
    let all = [
        C::Ok,
        C::Moved,
        C::BadRequest,
        C::Unauthorized,
        C::Forbidden,
        C::NotFound,
        C::NotAllowed,
        C::Conflict,
        C::Gone,
        C::PreconditionFailed,
        C::UnsupportedMediaType,
        C::Locked,
        C::FailedDependency,
        C::TooEarly,
        C::ClientError,
        C::NotImplemented,
        C::BadGateway,
        C::InsufficientStorage,
        C::ServerError,
    ];
    let wanted = name.replace(['-', '_'], " ");
    all.into_iter().find(|c| c.name() == wanted)
}

fn tokenize(query: &str) -> Vec<(usize, usize, String, bool)> {
    let chars: Vec<char> = query.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        if chars[i].is_whitespace() {
            i += 1;
            continue;
        }
        let start = i;
        let mut tok = String::new();
        let mut in_quotes = false;
        // A token that starts with a quote is free text, colon or not.
        let quoted = chars[i] == '"';
        while i < chars.len() && (in_quotes || !chars[i].is_whitespace()) {
            if chars[i] == '"' {
                in_quotes = !in_quotes;
            } else {
                tok.push(chars[i]);
            }
            i += 1;
        }
        out.push((start, i, tok, quoted));
    }
    out
}

impl FilterQuery {
    /// Parses a query; errors point at the term.
    pub fn parse(query: &str) -> Result<FilterQuery, FilterError> {
        let mut terms = Vec::new();
        for (start, end, tok, quoted) in tokenize(query) {
            let err = |message: String, hint: Option<&str>| FilterError {
                message,
                start,
                end,
                hint: hint.map(str::to_string),
            };
            let (negated, body) = match tok.strip_prefix('-') {
                Some(rest) if !rest.is_empty() => (true, rest),
                _ => (false, tok.as_str()),
            };
            let test = match body.split_once(':') {
                _ if quoted => Test::Text(body.to_lowercase()),
                Some((key, value)) if is_key(key) => {
                    if value.is_empty() {
                        return Err(err(
                            format!("`{key}:` needs a value"),
                            Some(example_for(key)),
                        ));
                    }
                    match key {
                        "status" => Test::Status(parse_status(value).map_err(|m| {
                            err(m, Some("status:404, status:4xx, status:403,423, status:locked"))
                        })?),
                        "outcome" => Test::Outcome(
                            value
                                .split(',')
                                .map(|v| {
                                    Outcome::parse(v).ok_or_else(|| {
                                        err(
                                            format!("unknown outcome `{v}`"),
                                            Some("outcome:ok, outcome:partial, outcome:failed"),
                                        )
                                    })
                                })
                                .collect::<Result<_, _>>()?,
                        ),
                        "path" => Test::Path(value.to_string()),
                        "prop" => Test::Prop(value.to_string()),
                        "error" => Test::Error(value.to_string()),
                        "change" => Test::Change(
                            value
                                .split(',')
                                .map(|v| {
                                    let v = v.replace('-', "_");
                                    if CHANGE_KINDS.contains(&v.as_str()) {
                                        Ok(v)
                                    } else {
                                        Err(err(
                                            format!("unknown change kind `{v}`"),
                                            Some("fixed, regressed, still_failing, status_changed, props_changed, added, removed, unchanged"),
                                        ))
                                    }
                                })
                                .collect::<Result<_, _>>()?,
                        ),
                        _ => Test::Text(body.to_string()),
                    }
                }
                Some((key, _))
                    if !key.is_empty()
                        && key.chars().all(|c| c.is_ascii_alphabetic())
                        && !body.contains("//") =>
                {
                    return Err(err(
                        format!("unknown filter key `{key}:`"),
                        Some(
                            "keys: status, outcome, path, prop, error, change; quote text with a colon: \"a:b\"",
                        ),
                    ));
                }
                _ => Test::Text(body.to_lowercase()),
            };
            terms.push(Term { negated, test });
        }
        Ok(FilterQuery { terms })
    }

    pub fn is_empty(&self) -> bool {
        self.terms.is_empty()
    }

    /// Does the query test change kinds (only meaningful in a diff)?
    pub fn uses_change(&self) -> bool {
        self.terms.iter().any(|t| matches!(t.test, Test::Change(_)))
    }
}

fn is_key(key: &str) -> bool {
    matches!(
        key,
        "status" | "outcome" | "path" | "prop" | "error" | "change"
    )
}

fn example_for(key: &str) -> &'static str {
    match key {
        "status" => "status:404, status:4xx, status:403,423",
        "outcome" => "outcome:failed",
        "path" => "path:/docs/**",
        "prop" => "prop:getetag, prop:{urn:x}color",
        "error" => "error:need-privileges",
        _ => "change:regressed",
    }
}

fn parse_status(value: &str) -> Result<Vec<StatusSel>, String> {
    value
        .split(',')
        .map(|v| {
            let lower = v.to_ascii_lowercase();
            if lower == "none" {
                return Ok(StatusSel::None);
            }
            if lower.len() == 3 && lower.ends_with("xx") {
                if let Some(d) = lower.chars().next().and_then(|c| c.to_digit(10))
                    && (1..=5).contains(&d)
                {
                    return Ok(StatusSel::Class(d as u16));
                }
                return Err(format!("`{v}` is not a status class (1xx to 5xx)"));
            }
            if let Ok(code) = lower.parse::<u16>() {
                if (100..=599).contains(&code) {
                    return Ok(StatusSel::Code(code));
                }
                return Err(format!("`{v}` is not an HTTP status code (100 to 599)"));
            }
            category_by_name(&lower)
                .map(StatusSel::Category)
                .ok_or_else(|| format!("`{v}` is not a status code, class or category"))
        })
        .collect()
}

/// A query bound to one document's names.
struct Bound<'q> {
    query: &'q FilterQuery,
    props: Vec<Vec<NameId>>,
    errors: Vec<Vec<NameId>>,
    /// Per term: the nodes of a subtree a `path:` term stands for (a pattern
    /// that is a plain path or `/prefix/**`), so no path string is built.
    subtrees: Vec<Option<Vec<bool>>>,
    /// The tree node of each response.
    response_node: &'q [u32],
}

/// The path a `path:` pattern selects the subtree of, when it is one: a plain
/// absolute path, or one followed by `/**` (`/**` alone: everything).
fn subtree_root(pattern: &str) -> Option<&str> {
    let prefix = pattern.strip_suffix("/**").unwrap_or(pattern);
    let plain = !prefix.contains(['*', '?']);
    let absolute =
        prefix.is_empty() || (prefix.starts_with('/') && (prefix == "/" || !prefix.ends_with('/')));
    (plain && absolute && !(prefix == "/" && pattern.ends_with("/**"))).then_some(prefix)
}

/// Marks every node at or below the nodes whose path is `path` (side-by-side
/// duplicates included).
fn subtree_marks(tree: &PathTree, path: &str) -> Vec<bool> {
    let mut marks = vec![false; tree.nodes.len()];
    let mut level = vec![0u32];
    for seg in path.split('/').filter(|s| !s.is_empty()) {
        level = level
            .iter()
            .flat_map(|&n| tree.children(n).filter(|&c| tree.name(c) == seg))
            .collect();
    }
    for n in level {
        if let Some(m) = marks.get_mut(n as usize) {
            *m = true;
        }
    }
    // A parent is numbered before its children: one pass in order marks the rest.
    for i in 1..tree.nodes.len() {
        let p = tree.nodes[i].parent;
        if p != NONE && marks[p as usize] {
            marks[i] = true;
        }
    }
    marks
}

fn names_matching(ms: &Multistatus, pattern: &str) -> Vec<NameId> {
    ms.names
        .iter()
        .filter(|(_, q)| {
            if pattern.starts_with('{') || pattern.contains(':') {
                q.clark() == pattern
            } else {
                q.local == pattern
            }
        })
        .map(|(id, _)| id)
        .collect()
}

fn status_matches(sel: &StatusSel, code: Option<u16>) -> bool {
    match (sel, code) {
        (StatusSel::None, None) => true,
        (StatusSel::Code(c), Some(x)) => *c == x,
        (StatusSel::Class(d), Some(x)) => x / 100 == *d,
        (StatusSel::Category(cat), Some(_)) => StatusCategory::of(code) == *cat,
        _ => false,
    }
}

/// Glob on a path: `*` any run within a segment, `**` any run, `?` one char.
pub fn glob_match(pattern: &str, path: &str) -> bool {
    if !pattern.contains(['*', '?']) {
        let p = crate::core::href::path_key(pattern);
        let k = crate::core::href::path_key(path);
        return k == p || (k.starts_with(p) && (p.ends_with('/') || k[p.len()..].starts_with('/')));
    }
    // `/docs/**` (the common case): a prefix test, no backtracking.
    if let Some(prefix) = pattern.strip_suffix("/**")
        && !prefix.contains(['*', '?'])
    {
        return path.len() > prefix.len()
            && path.starts_with(prefix)
            && path.as_bytes()[prefix.len()] == b'/'
            || path == prefix;
    }
    glob_rec(pattern.as_bytes(), path.as_bytes())
}

/// Length of the UTF-8 character starting at `s[0]` (1 for a stray byte).
fn char_len(s: &[u8]) -> usize {
    match s.first() {
        Some(b) if *b >= 0xF0 => 4,
        Some(b) if *b >= 0xE0 => 3,
        Some(b) if *b >= 0xC0 => 2,
        _ => 1,
    }
    .min(s.len().max(1))
}

fn glob_rec(p: &[u8], s: &[u8]) -> bool {
    match p.first() {
        None => s.is_empty(),
        Some(b'*') if p.get(1) == Some(&b'*') => {
            let rest = &p[2..];
            // `/**/` also matches a single `/`.
            let slashless = rest.strip_prefix(b"/").filter(|r| !r.is_empty());
            (0..=s.len())
                .any(|i| glob_rec(rest, &s[i..]) || slashless.is_some_and(|r| glob_rec(r, &s[i..])))
        }
        Some(b'*') => {
            for i in 0..=s.len() {
                if glob_rec(&p[1..], &s[i..]) {
                    return true;
                }
                if i < s.len() && s[i] == b'/' {
                    return false;
                }
            }
            false
        }
        Some(b'?') => !s.is_empty() && s[0] != b'/' && glob_rec(&p[1..], &s[char_len(s)..]),
        Some(c) => !s.is_empty() && s[0] == *c && glob_rec(&p[1..], &s[1..]),
    }
}

impl Bound<'_> {
    fn matches(
        &self,
        ms: &Multistatus,
        index: usize,
        path: &str,
        lower_path: &str,
        change: Option<&str>,
    ) -> bool {
        let Some(r) = ms.responses.get(index) else {
            return false;
        };
        self.query.terms.iter().enumerate().all(|(ti, term)| {
            let hit = match &term.test {
                Test::Status(sels) => ms
                    .codes(r)
                    .any(|code| sels.iter().any(|s| status_matches(s, code))),
                Test::Outcome(outs) => outs.contains(&ms.outcome(r)),
                Test::Path(glob) => match &self.subtrees[ti] {
                    Some(marks) => self
                        .response_node
                        .get(index)
                        .is_some_and(|&n| marks.get(n as usize).copied().unwrap_or(false)),
                    None => glob_match(glob, path),
                },
                Test::Text(t) => lower_path.contains(t.as_str()),
                Test::Prop(_) => {
                    let ids = &self.props[ti];
                    ms.has_prop(r, ids)
                }
                Test::Error(_) => {
                    let ids = &self.errors[ti];
                    r.flags.has(crate::core::model::ResponseFlags::HAS_ERROR)
                        && ms
                            .conditions_of(index)
                            .iter()
                            .any(|e| ids.contains(&e.name))
                }
                Test::Change(kinds) => change.is_some_and(|c| kinds.iter().any(|k| k == c)),
            };
            hit != term.negated
        })
    }
}

/// The result of a filter: which responses match and which nodes to show.
#[derive(Clone, Debug, Default)]
pub struct FilteredTree {
    /// Per response: does it match?
    pub matched: Vec<bool>,
    /// Per node: shown (a match, or an ancestor of one).
    pub visible: Vec<bool>,
    pub matched_count: usize,
}

/// Applies a query to a document's responses and tree. `change_of` gives the
/// change kind of a response in a diff (`None` outside a diff).
pub fn apply(
    query: &FilterQuery,
    ms: &Multistatus,
    tree: &PathTree,
    change_of: Option<&dyn Fn(usize) -> Option<&'static str>>,
) -> FilteredTree {
    let bound = Bound {
        query,
        props: query
            .terms
            .iter()
            .map(|t| match &t.test {
                Test::Prop(p) => names_matching(ms, p),
                _ => Vec::new(),
            })
            .collect(),
        errors: query
            .terms
            .iter()
            .map(|t| match &t.test {
                Test::Error(p) => names_matching(ms, p),
                _ => Vec::new(),
            })
            .collect(),
        subtrees: query
            .terms
            .iter()
            .map(|t| match &t.test {
                Test::Path(p) => subtree_root(p).map(|root| subtree_marks(tree, root)),
                _ => None,
            })
            .collect(),
        response_node: &tree.response_node,
    };
    // Paths are built only for terms that need the text of a path.
    let needs_path = query.terms.iter().zip(&bound.subtrees).any(|(t, sub)| {
        matches!(t.test, Test::Text(_)) || (matches!(t.test, Test::Path(_)) && sub.is_none())
    });
    let n = ms.responses.len();
    let mut matched = vec![false; n];
    let change = |i: usize| change_of.and_then(|f| f(i));
    if needs_path {
        // Walk the tree depth-first, keeping the path in one buffer.
        let mut path = String::from("/");
        let mut lower = String::new();
        let needs_lower = query.terms.iter().any(|t| matches!(t.test, Test::Text(_)));
        let mut stack: Vec<(u32, usize)> = tree.children(0).map(|c| (c, 1)).collect();
        stack.reverse();
        if let Some(root) = tree.nodes.first()
            && root.response != NONE
        {
            let i = root.response as usize;
            matched[i] = bound.matches(ms, i, "/", "/", change(i));
        }
        while let Some((id, len)) = stack.pop() {
            path.truncate(len);
            path.push_str(tree.name(id));
            let node = &tree.nodes[id as usize];
            let seg_end = path.len();
            if node.collection() {
                path.push('/');
            }
            if node.response != NONE {
                let i = node.response as usize;
                if needs_lower {
                    lower.clear();
                    lower.extend(path.chars().flat_map(char::to_lowercase));
                }
                matched[i] = bound.matches(ms, i, &path, &lower, change(i));
            }
            path.truncate(seg_end);
            let child_len = seg_end + 1;
            path.push('/');
            let first = stack.len();
            stack.extend(tree.children(id).map(|c| (c, child_len)));
            stack[first..].reverse();
        }
    } else {
        for (i, m) in matched.iter_mut().enumerate() {
            *m = bound.matches(ms, i, "", "", change(i));
        }
    }
    let mut visible = vec![false; tree.nodes.len()];
    let mut matched_count = 0;
    for (i, &m) in matched.iter().enumerate() {
        if m {
            matched_count += 1;
            if let Some(v) = tree
                .response_node
                .get(i)
                .and_then(|&n| visible.get_mut(n as usize))
            {
                *v = true;
            }
        }
    }
    // Children are numbered after their parent: one pass backwards shows the
    // ancestors of every match.
    for i in (1..tree.nodes.len()).rev() {
        let p = tree.nodes[i].parent;
        if visible[i] && p != NONE {
            visible[p as usize] = true;
        }
    }
    if let Some(root) = visible.first_mut() {
        *root = true;
    }
    FilteredTree {
        matched,
        visible,
        matched_count,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::parse::xml::parse_body;

    const BODY: &str = r#"<multistatus xmlns="DAV:" xmlns:x="urn:x">
<response><href>/docs/</href><propstat><prop><getetag>1</getetag></prop><status>HTTP/1.1 200 OK</status></propstat></response>
<response><href>/docs/a.txt</href><status>HTTP/1.1 423 Locked</status><error><lock-token-submitted/></error></response>
<response><href>/docs/sub/B.txt</href><propstat><prop><x:color>red</x:color></prop><status>HTTP/1.1 200 OK</status></propstat><propstat><prop><quota/></prop><status>HTTP/1.1 404 Not Found</status></propstat></response>
<response><href>/other/c.txt</href><status>HTTP/1.1 403 Forbidden</status></response>
</multistatus>"#;

    fn run(q: &str) -> Vec<usize> {
        let ms = parse_body(BODY.as_bytes(), None).multistatus.expect("ms");
        let tree = PathTree::build(&ms, BODY.as_bytes(), None);
        let query = FilterQuery::parse(q).expect("query");
        let f = apply(&query, &ms, &tree, None);
        f.matched
            .iter()
            .enumerate()
            .filter(|(_, m)| **m)
            .map(|(i, _)| i)
            .collect()
    }

    #[test]
    fn terms() {
        assert_eq!(run(""), [0, 1, 2, 3]);
        assert_eq!(run("status:4xx"), [1, 2, 3]);
        assert_eq!(run("status:403,423"), [1, 3]);
        assert_eq!(run("-status:404"), [0, 1, 3]);
        assert_eq!(run("status:locked"), [1]);
        assert_eq!(run("outcome:failed"), [1, 3]);
        assert_eq!(run("outcome:partial"), [2]);
        assert_eq!(run("path:/docs/**"), [0, 1, 2]);
        assert_eq!(run("path:/docs/*.txt"), [1]);
        assert_eq!(run("path:/docs/**/B.txt"), [2]);
        assert_eq!(run("path:/doc/**"), [] as [usize; 0]);
        assert_eq!(run("path:/docs/sub/**"), [2]);
        assert_eq!(run("path:/docs/?.txt"), [1]);
        assert_eq!(run("path:/docs"), [0, 1, 2]);
        assert_eq!(run("prop:getetag"), [0]);
        assert_eq!(run("prop:{urn:x}color"), [2]);
        assert_eq!(run("error:lock-token-submitted"), [1]);
        assert_eq!(run("b.txt"), [2], "free text is case-insensitive");
        assert_eq!(run("docs outcome:failed"), [1]);
        assert_eq!(run("-docs"), [3]);
    }

    #[test]
    fn subtree_paths_agree_with_the_glob() {
        let body = r#"<multistatus xmlns="DAV:">
<response><href>/d/</href><status>HTTP/1.1 200 OK</status></response>
<response><href>/d/a</href><status>HTTP/1.1 200 OK</status></response>
<response><href>/d/a</href><status>HTTP/1.1 404 x</status></response>
<response><href>/d/a/b%20c/</href><status>HTTP/1.1 200 OK</status></response>
<response><href>/D/a</href><status>HTTP/1.1 200 OK</status></response>
<response><href>/dd/x</href><status>HTTP/1.1 200 OK</status></response>
<response><href>/</href><status>HTTP/1.1 200 OK</status></response>
</multistatus>"#;
        let ms = parse_body(body.as_bytes(), None).multistatus.expect("ms");
        let tree = PathTree::build(&ms, body.as_bytes(), None);
        for pattern in [
            "/d/**",
            "/d",
            "/d/a",
            "/d/a/**",
            "/d/a/b c",
            "/D/**",
            "/**",
            "/",
            "/d/",
            "d",
            "/x/**",
            "/d/a/b c/**",
        ] {
            let q = FilterQuery::parse(&format!("path:\"{pattern}\"")).expect("q");
            let fast = apply(&q, &ms, &tree, None).matched;
            let slow: Vec<bool> = (0..ms.responses.len())
                .map(|i| glob_match(pattern, &tree.path(tree.response_node[i])))
                .collect();
            assert_eq!(fast, slow, "{pattern}");
        }
    }

    #[test]
    fn visible_nodes_include_ancestors() {
        let ms = parse_body(BODY.as_bytes(), None).multistatus.expect("ms");
        let tree = PathTree::build(&ms, BODY.as_bytes(), None);
        let f = apply(
            &FilterQuery::parse("status:404").expect("q"),
            &ms,
            &tree,
            None,
        );
        assert_eq!(f.matched_count, 1);
        let shown: Vec<String> = (0..tree.len() as u32)
            .filter(|&n| f.visible[n as usize])
            .map(|n| tree.path(n))
            .collect();
        assert_eq!(shown, ["/", "/docs/", "/docs/sub/", "/docs/sub/B.txt"]);
    }

    #[test]
    fn errors_are_precise() {
        let e = FilterQuery::parse("status:4xx statu:403").expect_err("bad key");
        assert_eq!((e.start, e.end), (11, 20));
        assert!(e.message.contains("statu"));
        let e = FilterQuery::parse("status:9xx").expect_err("bad class");
        assert!(e.message.contains("9xx"));
        let e = FilterQuery::parse("outcome:broken").expect_err("bad outcome");
        assert!(e.hint.is_some());
        assert!(FilterQuery::parse("status:").is_err());
        assert!(FilterQuery::parse("change:nope").is_err());
        assert!(FilterQuery::parse("\"a:b\"").is_ok());
        let q = FilterQuery::parse("path:\"/a b/\"").expect("quoted value");
        assert_eq!(q.terms[0].test, Test::Path("/a b/".to_string()));
        assert!(FilterQuery::parse("http://host/x").is_ok());
    }
}
