//! The comparison's view state: two documents, their diff and diff tree, the
//! filter, and the flattened rows. Rebuilt on change, never per frame.

use std::sync::Arc;

use crate::core::diff::{ChangeKind, Diff, DiffOptions, DiffTree, diff, filter_entries};
use crate::core::document::Document;
use crate::core::filter::{FilterError, FilterQuery};

/// A before/after comparison on screen.
pub struct CompareState {
    pub before: Arc<Document>,
    pub after: Arc<Document>,
    pub diff: Diff,
    pub tree: DiffTree,
    pub all_props: bool,
    pub filter_text: String,
    pub filter_error: Option<FilterError>,
    /// Per kind in `ChangeKind::ALL` order; unchanged hidden by default.
    pub shown: [bool; 8],
    /// Per entry: passes the filter.
    pub matched: Vec<bool>,
    pub visible: Vec<bool>,
    pub expanded: Vec<bool>,
    pub rows: Vec<u32>,
    pub selected: Option<u32>,
}

impl CompareState {
    pub fn new(before: Arc<Document>, after: Arc<Document>, all_props: bool) -> Self {
        let d = diff(&before, &after, DiffOptions { all_props });
        let tree = DiffTree::build(&d);
        let n = tree.nodes.len();
        let mut shown = [true; 8];
        shown[ChangeKind::Unchanged as usize] = false;
        let mut s = CompareState {
            before,
            after,
            matched: vec![true; d.entries.len()],
            diff: d,
            tree,
            all_props,
            filter_text: String::new(),
            filter_error: None,
            shown,
            visible: vec![true; n],
            expanded: vec![true; n],
            rows: Vec::new(),
            selected: None,
        };
        s.apply_filter();
        s
    }

    pub fn swapped(&self) -> Self {
        let mut s = CompareState::new(self.after.clone(), self.before.clone(), self.all_props);
        s.shown = self.shown;
        s.filter_text = self.filter_text.clone();
        s.apply_filter();
        s
    }

    pub fn with_all_props(&self, all_props: bool) -> Self {
        let mut s = CompareState::new(self.before.clone(), self.after.clone(), all_props);
        s.shown = self.shown;
        s.filter_text = self.filter_text.clone();
        s.apply_filter();
        s
    }

    pub fn apply_filter(&mut self) {
        match FilterQuery::parse(&self.filter_text) {
            Ok(q) => {
                self.filter_error = None;
                self.matched = if q.is_empty() {
                    vec![true; self.diff.entries.len()]
                } else {
                    filter_entries(&self.diff, &self.before, &self.after, &q)
                };
            }
            Err(e) => self.filter_error = Some(e),
        }
        // A node shows when an entry at or below passes; children come after parents.
        let nodes = &self.tree.nodes;
        let mut visible = vec![false; nodes.len()];
        for id in (0..nodes.len()).rev() {
            let own = nodes[id].entry.is_some_and(|e| {
                let e = e as usize;
                self.matched.get(e).copied().unwrap_or(false)
                    && self.shown[self.diff.entries[e].change as usize]
            });
            if own || visible[id] {
                visible[id] = true;
                let p = nodes[id].parent;
                if p != u32::MAX {
                    visible[p as usize] = true;
                }
            }
        }
        self.visible = visible;
        self.rebuild_rows();
    }

    pub fn rebuild_rows(&mut self) {
        self.rows.clear();
        let mut stack: Vec<u32> = self
            .tree
            .nodes
            .first()
            .map(|n| n.children.clone())
            .unwrap_or_default();
        stack.reverse();
        while let Some(id) = stack.pop() {
            if !self.visible[id as usize] {
                continue;
            }
            self.rows.push(id);
            if self.expanded[id as usize] {
                let first = stack.len();
                stack.extend(self.tree.nodes[id as usize].children.iter().copied());
                stack[first..].reverse();
            }
        }
    }

    pub fn toggle(&mut self, id: u32) {
        if let Some(e) = self.expanded.get_mut(id as usize) {
            *e = !*e;
            self.rebuild_rows();
        }
    }

    /// Rows shown vs entries compared.
    pub fn shown_count(&self) -> usize {
        self.diff
            .entries
            .iter()
            .zip(&self.matched)
            .filter(|(e, m)| **m && self.shown[e.change as usize])
            .count()
    }

    /// The entry of the selected row.
    pub fn selected_entry(&self) -> Option<&crate::core::diff::DiffEntry> {
        let node = self.tree.nodes.get(self.selected? as usize)?;
        self.diff.entries.get(node.entry? as usize)
    }
}

/// A line as compared: trimmed, namespace prefixes of tags dropped (`<d:href>` and
/// `<D:href>` are the same line).
fn line_key(line: &str) -> String {
    let line = line.trim();
    let mut out = String::with_capacity(line.len());
    let mut rest = line;
    while let Some(i) = rest.find('<') {
        out.push_str(&rest[..=i]);
        rest = &rest[i + 1..];
        if let Some(r) = rest.strip_prefix('/') {
            out.push('/');
            rest = r;
        }
        let name_end = rest.find([' ', '>', '/']).unwrap_or(rest.len());
        if let Some(colon) = rest[..name_end].find(':') {
            rest = &rest[colon + 1..];
        }
    }
    out.push_str(rest);
    out
}

/// Lines of `a` and `b` that are not in their longest common subsequence.
pub fn differing_lines(a: &[&str], b: &[&str]) -> (Vec<bool>, Vec<bool>) {
    let ka: Vec<String> = a.iter().map(|l| line_key(l)).collect();
    let kb: Vec<String> = b.iter().map(|l| line_key(l)).collect();
    let (a, b) = (&ka, &kb);
    let (n, m) = (a.len(), b.len());
    if n * m > 4_000_000 {
        // Too big to align: mark lines that differ position by position.
        let da = (0..n).map(|i| b.get(i) != a.get(i)).collect();
        let db = (0..m).map(|i| a.get(i) != b.get(i)).collect();
        return (da, db);
    }
    let mut lcs = vec![vec![0u32; m + 1]; n + 1];
    for i in (0..n).rev() {
        for j in (0..m).rev() {
            lcs[i][j] = if a[i] == b[j] {
                lcs[i + 1][j + 1] + 1
            } else {
                lcs[i + 1][j].max(lcs[i][j + 1])
            };
        }
    }
    let (mut da, mut db) = (vec![true; n], vec![true; m]);
    let (mut i, mut j) = (0, 0);
    while i < n && j < m {
        if a[i] == b[j] {
            da[i] = false;
            db[j] = false;
            i += 1;
            j += 1;
        } else if lcs[i + 1][j] >= lcs[i][j + 1] {
            i += 1;
        } else {
            j += 1;
        }
    }
    (da, db)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lcs_marks_only_changed_lines() {
        let (a, b) = differing_lines(
            &["<r>", "<x>1</x>", "<y/>", "</r>"],
            &["<r>", "<x>2</x>", "<y/>", "</r>"],
        );
        assert_eq!(a, [false, true, false, false]);
        assert_eq!(b, [false, true, false, false]);
        let (a, b) = differing_lines(&["<D:href>", "</D:href>"], &["<d:href>", "</d:href>"]);
        assert_eq!((a, b), (vec![false, false], vec![false, false]));
    }
}
