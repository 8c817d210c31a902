//! The path tree: built once per document from the normalised hrefs, with implicit
//! folders for paths the payload never listed, each node knowing its own outcome,
//! the worst failure below it and counts of outcomes below it.
//!
//! Owns href anomalies found while building (origins, case-only collisions, paths
//! outside the requested collection) for the diagnosis. Depends on `core::model`
//! and `core::href`; the UI only walks it.

use std::collections::HashMap;
use std::num::NonZeroU16;

use crate::core::href::{self, HrefAnomalies, common_prefix};
use crate::core::model::{Multistatus, Outcome, Response, ResponseFlags};
use crate::core::text::decode_text;

/// "No node" / "no response".
pub const NONE: u32 = u32::MAX;

/// One node: a resource the payload listed, or an implicit folder. Compact (44
/// bytes): a million-resource listing holds a million of them.
#[derive(Clone, Debug)]
pub struct Node {
    pub parent: u32,
    pub first_child: u32,
    pub next_sibling: u32,
    name_start: u32,
    name_len: u32,
    /// Index of the response this node shows, or [`NONE`] for an implicit folder.
    pub response: u32,
    /// Outcomes at or below this node, indexed by `Outcome as usize`.
    pub counts: [u32; 3],
    code: Option<NonZeroU16>,
    worst: Option<NonZeroU16>,
    depth: u16,
    /// Collection, failure below, and the node's own outcome (2 bits).
    bits: u8,
}

const COLLECTION: u8 = 1;
const FAILURE: u8 = 2;
const OUTCOME_SHIFT: u8 = 2;

impl Node {
    fn new(parent: u32, name_start: u32, name_len: u32, depth: u32) -> Node {
        Node {
            parent,
            first_child: NONE,
            next_sibling: NONE,
            name_start,
            name_len,
            response: NONE,
            counts: [0; 3],
            code: None,
            worst: None,
            depth: u16::try_from(depth).unwrap_or(u16::MAX),
            bits: 0,
        }
    }
    pub fn failed(&self) -> u32 {
        self.counts[Outcome::Failed as usize]
    }
    pub fn partial(&self) -> u32 {
        self.counts[Outcome::Partial as usize]
    }
    pub fn ok(&self) -> u32 {
        self.counts[Outcome::Ok as usize]
    }
    pub fn total(&self) -> u32 {
        self.counts.iter().sum()
    }
    /// Depth below the root (the root is 0; saturates at 65535, which only
    /// indentation uses).
    pub fn depth(&self) -> u32 {
        u32::from(self.depth)
    }
    /// A collection: listed as one, or holding other nodes.
    pub fn collection(&self) -> bool {
        self.bits & COLLECTION != 0
    }
    /// The node's own outcome (None for an implicit folder).
    pub fn outcome(&self) -> Option<Outcome> {
        match (self.bits >> OUTCOME_SHIFT) & 3 {
            1 => Some(Outcome::Failed),
            2 => Some(Outcome::Partial),
            3 => Some(Outcome::Ok),
            _ => None,
        }
    }
    /// The node's own headline code.
    pub fn code(&self) -> Option<u16> {
        self.code.map(NonZeroU16::get)
    }
    /// The worst failure code at or below this node, ranked by [`failure_rank`].
    pub fn worst(&self) -> Option<u16> {
        self.worst.map(NonZeroU16::get)
    }
    /// Any failure at or below (so a failure without a code still counts).
    pub fn has_failure(&self) -> bool {
        self.bits & FAILURE != 0
    }
    fn mark_collection(&mut self, on: bool) {
        if on {
            self.bits |= COLLECTION;
        }
    }
    fn set_own(&mut self, outcome: Option<Outcome>, code: Option<u16>) {
        let o = match outcome {
            None => 0,
            Some(Outcome::Failed) => 1,
            Some(Outcome::Partial) => 2,
            Some(Outcome::Ok) => 3,
        };
        self.bits = (self.bits & !(3 << OUTCOME_SHIFT)) | (o << OUTCOME_SHIFT);
        self.code = code.and_then(NonZeroU16::new);
    }
    fn set_failure(&mut self, worst: Option<u16>) {
        self.bits |= FAILURE;
        self.worst = worst.and_then(NonZeroU16::new);
    }
}

/// How alarming a failure code is: server errors above client errors, a 424 (a
/// consequence of another failure) below other 4xx, no code as a 4xx.
pub fn failure_rank(code: Option<u16>) -> (u8, u16) {
    let rank = match code {
        None => 3,
        Some(500..=599) => 5,
        Some(424) => 3,
        Some(400..=499) => 4,
        Some(300..=399) => 2,
        Some(100..=199) => 1,
        Some(_) => 0,
    };
    (rank, code.unwrap_or(0))
}

/// The path tree of one document.
#[derive(Clone, Debug, Default)]
pub struct PathTree {
    /// The nodes; a node's parent always has a smaller index (roll-ups and
    /// filters rely on it to work in one pass).
    pub nodes: Vec<Node>,
    names: String,
    /// Node of each response, in document order.
    pub response_node: Vec<u32>,
    /// Origins (`scheme://host:port`) of absolute hrefs with their counts.
    pub origins: Vec<(String, u32)>,
    /// Responses whose first href had anomalies.
    pub anomalies: Vec<(u32, HrefAnomalies)>,
    /// Sibling nodes whose names differ only in case.
    pub case_collisions: Vec<(u32, u32)>,
    /// Responses whose path lies outside the requested collection.
    pub outside_request: Vec<u32>,
}

impl PathTree {
    /// Builds the tree of a multistatus whose body is `body`, resolving relative
    /// hrefs against `request_url` when known.
    pub fn build(ms: &Multistatus, body: &[u8], request_url: Option<&str>) -> PathTree {
        let mut b = TreeBuilder::new(request_url, ms.responses.len());
        for (ri, r) in ms.responses.iter().enumerate() {
            let info = ResponseInfo::of(ms, r);
            b.add(ri as u32, &first_href(ms, r, body), &info);
        }
        b.finish()
    }

    fn add_node(&mut self, parent: u32, name: &str) -> u32 {
        let id = self.nodes.len() as u32;
        let name_start = self.names.len() as u32;
        self.names.push_str(name);
        let depth = self.nodes[parent as usize].depth() + 1;
        let p = &mut self.nodes[parent as usize];
        let next = p.first_child;
        p.first_child = id;
        let mut node = Node::new(parent, name_start, name.len() as u32, depth);
        node.next_sibling = next;
        self.nodes.push(node);
        id
    }

    /// Puts one node's children in display order — folders first, then names,
    /// case-insensitively — and notes case-only collisions among them.
    fn sort_node(&mut self, id: usize, kids: &mut Vec<u32>) {
        kids.clear();
        let mut c = self.nodes[id].first_child;
        while c != NONE {
            kids.push(c);
            c = self.nodes[c as usize].next_sibling;
        }
        if kids.is_empty() {
            return;
        }
        let folder = |n: u32| {
            self.nodes[n as usize].collection() || self.nodes[n as usize].first_child != NONE
        };
        kids.sort_by(|&a, &b| {
            folder(b)
                .cmp(&folder(a))
                .then_with(|| ci_cmp(self.name(a), self.name(b)))
                .then(a.cmp(&b))
        });
        for w in kids.windows(2) {
            let (a, b) = (self.name(w[0]), self.name(w[1]));
            if a != b && ci_cmp(a, b) == std::cmp::Ordering::Equal {
                self.case_collisions.push((w[0], w[1]));
            }
        }
        self.nodes[id].first_child = kids[0];
        for w in kids.windows(2) {
            self.nodes[w[0] as usize].next_sibling = w[1];
        }
        if let Some(&last) = kids.last() {
            self.nodes[last as usize].next_sibling = NONE;
        }
    }

    fn roll_up(&mut self) {
        for id in (1..self.nodes.len()).rev() {
            let (counts, worst, has_failure, parent) = {
                let n = &self.nodes[id];
                (n.counts, n.worst(), n.has_failure(), n.parent)
            };
            if parent == NONE {
                continue;
            }
            let p = &mut self.nodes[parent as usize];
            for (total, own) in p.counts.iter_mut().zip(counts) {
                *total += own;
            }
            if has_failure {
                if !p.has_failure() || failure_rank(worst) > failure_rank(p.worst()) {
                    p.set_failure(worst);
                } else {
                    p.bits |= FAILURE;
                }
            }
        }
    }

    /// The decoded name of a node (`/` for the root).
    pub fn name(&self, id: u32) -> &str {
        match self.nodes.get(id as usize) {
            Some(n) if id != 0 => self
                .names
                .get(n.name_start as usize..(n.name_start + n.name_len) as usize)
                .unwrap_or(""),
            _ => "/",
        }
    }

    /// The decoded path of a node, a collection with its trailing slash.
    pub fn path(&self, id: u32) -> String {
        let mut parts = Vec::new();
        let mut c = id;
        while c != 0 && c != NONE {
            parts.push(self.name(c));
            c = self.nodes.get(c as usize).map(|n| n.parent).unwrap_or(NONE);
        }
        parts.reverse();
        let mut s = String::from("/");
        s.push_str(&parts.join("/"));
        if id != 0 && self.nodes.get(id as usize).is_some_and(|n| n.collection()) {
            s.push('/');
        }
        s
    }

    /// The node of a decoded path (trailing slash or not).
    pub fn find(&self, path: &str) -> Option<u32> {
        let mut node = 0u32;
        for seg in href::path_key(path).split('/').filter(|s| !s.is_empty()) {
            node = self.children(node).find(|&c| self.name(c) == seg)?;
        }
        Some(node)
    }

    /// Children of a node, in display order.
    pub fn children(&self, id: u32) -> impl Iterator<Item = u32> + '_ {
        let mut c = self
            .nodes
            .get(id as usize)
            .map(|n| n.first_child)
            .unwrap_or(NONE);
        std::iter::from_fn(move || {
            if c == NONE {
                return None;
            }
            let cur = c;
            c = self.nodes[cur as usize].next_sibling;
            Some(cur)
        })
    }

    pub fn len(&self) -> usize {
        self.nodes.len()
    }
    pub fn is_empty(&self) -> bool {
        self.nodes.len() <= 1
    }
}

/// What the tree needs of one response (computed by the parser as it goes, or
/// from a finished multistatus).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ResponseInfo {
    pub outcome: Outcome,
    pub code: Option<u16>,
    /// The failure code of a failed response.
    pub failure: Option<u16>,
    /// A `resourcetype` with `collection` was seen.
    pub collection: bool,
}

impl ResponseInfo {
    pub fn of(ms: &Multistatus, r: &Response) -> ResponseInfo {
        let collection = r.flags.has(ResponseFlags::COLLECTION);
        let outcome = ms.outcome(r);
        ResponseInfo {
            outcome,
            code: ms.headline_code(r),
            failure: if outcome == Outcome::Failed {
                ms.failure_code(r)
            } else {
                None
            },
            collection,
        }
    }
}

/// Builds a [`PathTree`] one response at a time, in document order (so the load
/// can build it on a second thread while the parser reads on).
pub struct TreeBuilder<'u> {
    t: PathTree,
    request_url: Option<&'u str>,
    request_key: Option<String>,
    map: HashMap<(u32, u64), u32, crate::core::text::Prehashed>,
    collided: HashMap<(u32, String), u32>,
    origins: HashMap<String, u32>,
    chain: Vec<u32>,
    norm: href::Normalizer,
    /// Nodes whose children are in display order already: a folder is sorted as
    /// soon as a depth-first listing leaves it, so little is left for `finish`.
    sorted: Vec<bool>,
    kids: Vec<u32>,
    /// The previous path's key (its segments are `chain`).
    prev: String,
    /// Where each of the previous path's segments ends in `prev`.
    ends: Vec<u32>,
}

impl<'u> TreeBuilder<'u> {
    pub fn new(request_url: Option<&'u str>, capacity: usize) -> Self {
        let mut t = PathTree {
            nodes: Vec::with_capacity(capacity + 16),
            ..PathTree::default()
        };
        let mut root = Node::new(NONE, 0, 0, 0);
        root.mark_collection(true);
        t.nodes.push(root);
        let request_key = request_url
            .and_then(href::split_origin)
            .map(|(_, p)| href::normalize(p, None).key().to_string());
        // Children by (parent, hash of name); names whose hash collides go to `collided`.
        let map: HashMap<(u32, u64), u32, crate::core::text::Prehashed> =
            HashMap::with_capacity_and_hasher(capacity, Default::default());
        let collided: HashMap<(u32, String), u32> = HashMap::new();
        let origins: HashMap<String, u32> = HashMap::new();
        // The node chain of the previous path: payloads list trees depth-first, so
        // most paths share all but their last segment with the one before.
        let chain: Vec<u32> = Vec::new();
        let norm = href::Normalizer::default();
        t.response_node.reserve(capacity);
        TreeBuilder {
            t,
            request_url,
            request_key,
            map,
            collided,
            origins,
            chain,
            norm,
            sorted: vec![false],
            kids: Vec::new(),
            prev: String::new(),
            ends: Vec::new(),
        }
    }

    /// Sorts the nodes the listing has left (the chain below `depth`).
    fn close(t: &mut PathTree, chain: &[u32], sorted: &mut [bool], kids: &mut Vec<u32>) {
        for &id in chain.iter().rev() {
            if !sorted[id as usize] {
                t.sort_node(id as usize, kids);
                sorted[id as usize] = true;
            }
        }
    }

    /// Adds response `ri` (indices must come in order) with its first href as sent.
    pub fn add(&mut self, ri: u32, raw: &str, info: &ResponseInfo) {
        let TreeBuilder {
            t,
            request_url,
            request_key,
            map,
            collided,
            origins,
            chain,
            norm,
            sorted,
            kids,
            prev,
            ends,
        } = self;
        let request_url = *request_url;
        let full;
        let simple = if request_url.is_none() || raw.starts_with('/') {
            norm.normalize(raw)
        } else {
            None
        };
        let (path, anomalies): (&str, HrefAnomalies) = match simple {
            Some(a) => (norm.path(), a),
            None => {
                full = href::normalize(raw, request_url);
                if let Some(o) = &full.origin {
                    *origins.entry(o.clone()).or_insert(0) += 1;
                }
                (full.path.as_str(), full.anomalies)
            }
        };
        if anomalies.0 != 0 {
            t.anomalies.push((ri, anomalies));
        }
        let key = href::path_key(path);
        if let Some(req) = &request_key {
            let inside = req == "/"
                || key == req
                || key
                    .strip_prefix(req.as_str())
                    .is_some_and(|rest| rest.starts_with('/'));
            if !inside {
                t.outside_request.push(ri);
            }
        }
        let is_collection = path.ends_with('/') || info.collection;
        // The segments this path shares with the previous one are the chain's
        // nodes: found from the bytes both share, with no name comparison.
        let same = common_prefix(key.as_bytes(), prev.as_bytes());
        let kb = key.as_bytes();
        let kept = ends
            .partition_point(|&e| {
                let e = e as usize;
                e < same || (e == same && (e == kb.len() || kb.get(e) == Some(&b'/')))
            })
            .min(chain.len());
        if kept < chain.len() {
            Self::close(t, &chain[kept..], sorted, kids);
        }
        chain.truncate(kept);
        ends.truncate(kept);
        let mut node = chain.last().copied().unwrap_or(0);
        let mut depth = kept;
        let mut parent_is_new = false;
        let from = ends.last().map_or(0, |&e| e as usize);
        let base = key.as_ptr() as usize;
        for seg in key
            .get(from..)
            .unwrap_or("")
            .split('/')
            .filter(|s| !s.is_empty())
        {
            let end = seg.as_ptr() as usize - base + seg.len();
            let h = seg_hash(seg);
            // One probe finds the child or makes room for it.
            let parent = node;
            let next_id = t.nodes.len() as u32;
            let mut indexed = false;
            let found = match map.entry((parent, h)) {
                std::collections::hash_map::Entry::Vacant(v) => {
                    v.insert(next_id);
                    indexed = true;
                    None
                }
                std::collections::hash_map::Entry::Occupied(o) => {
                    let c = *o.get();
                    if t.name(c) == seg {
                        Some(c)
                    } else if parent_is_new {
                        None
                    } else {
                        collided.get(&(parent, seg.to_string())).copied()
                    }
                }
            };
            node = match found {
                Some(c) => c,
                None => {
                    let was_leaf = t.nodes[parent as usize].first_child == NONE;
                    let c = t.add_node(parent, seg);
                    sorted.push(false);
                    sorted[parent as usize] = false;
                    // A leaf that becomes a folder moves among its siblings.
                    let grandparent = t.nodes[parent as usize].parent;
                    if was_leaf && grandparent != NONE {
                        sorted[grandparent as usize] = false;
                    }
                    if !indexed {
                        collided.insert((parent, seg.to_string()), c);
                    }
                    parent_is_new = true;
                    c
                }
            };
            chain.push(node);
            ends.push(u32::try_from(end).unwrap_or(u32::MAX));
            depth += 1;
        }
        prev.clear();
        prev.push_str(key);
        // Every node above the last one is a folder. The ones this path shares
        // with the previous one were marked then, but for the previous leaf.
        let first = kept.min(depth).saturating_sub(1);
        for &c in chain.iter().take(depth.saturating_sub(1)).skip(first) {
            t.nodes[c as usize].mark_collection(true);
        }
        if t.nodes[node as usize].response != NONE {
            // The same path twice: both are shown, side by side; later paths
            // still find the first one through the chain and the map.
            let parent = t.nodes[node as usize].parent;
            let name = t.name(node).to_string();
            let parent = if parent == NONE { 0 } else { parent };
            node = t.add_node(
                parent,
                if parent == 0 && name == "/" {
                    "/"
                } else {
                    &name
                },
            );
            sorted.push(false);
            sorted[parent as usize] = false;
        }
        let outcome = info.outcome;
        let nd = &mut t.nodes[node as usize];
        nd.response = ri;
        nd.mark_collection(is_collection);
        nd.set_own(Some(outcome), info.code);
        nd.counts[outcome as usize] += 1;
        if outcome == Outcome::Failed {
            nd.set_failure(info.failure);
        }
        t.response_node.push(node);
    }

    /// Sorts and returns the tree of one piece of a parallel load, counts not
    /// rolled up: a [`TreeMerger`] takes it from here.
    pub fn finish_piece(self) -> PathTree {
        self.sorted_tree()
    }

    /// The tree with every folder's children in display order, origins as found.
    fn sorted_tree(self) -> PathTree {
        let TreeBuilder {
            mut t,
            origins,
            sorted,
            mut kids,
            ..
        } = self;
        for (id, done) in sorted.iter().enumerate() {
            if !done {
                t.sort_node(id, &mut kids);
            }
        }
        t.origins = origins.into_iter().collect();
        t
    }

    /// Sorts, rolls up and returns the tree.
    pub fn finish(self) -> PathTree {
        let mut t = self.sorted_tree();
        t.case_collisions.sort_unstable();
        t.case_collisions.dedup();
        t.roll_up();
        crate::core::model::trim_slack(&mut t.nodes);
        t.origins.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        t
    }
}

/// Joins the trees of the pieces of a parallel load, in document order, into the
/// tree a sequential [`TreeBuilder`] gives. A node under a node the earlier
/// pieces made is looked up by name (a folder's children are indexed the first
/// time one is looked up); everything below a new node is new and is copied with
/// its links, already in display order.
pub struct TreeMerger {
    t: PathTree,
    origins: HashMap<String, u32>,
    map: HashMap<(u32, u64), u32, crate::core::text::Prehashed>,
    collided: HashMap<(u32, String), u32>,
    indexed: Vec<bool>,
    /// Nodes whose children must be put in display order again.
    dirty: Vec<u32>,
    responses: u32,
    /// Responses of the piece being merged that went to a duplicate node.
    fixups: Vec<(u32, u32)>,
}

impl TreeMerger {
    pub fn new(capacity: usize) -> Self {
        let t = TreeBuilder::new(None, capacity).t;
        TreeMerger {
            t,
            origins: HashMap::new(),
            map: HashMap::default(),
            collided: HashMap::new(),
            indexed: vec![false],
            dirty: Vec::new(),
            responses: 0,
            fixups: Vec::new(),
        }
    }

    /// Reserves room for about `nodes` more nodes.
    pub fn reserve(&mut self, nodes: usize) {
        self.t.nodes.reserve(nodes);
        self.t.response_node.reserve(nodes);
        self.indexed.reserve(nodes);
    }

    /// The child of `parent` named `name`, indexing `parent`'s children first.
    fn find_child(&mut self, parent: u32, name: &str) -> Option<u32> {
        if !self.indexed[parent as usize] {
            self.indexed[parent as usize] = true;
            let kids: Vec<u32> = self.t.children(parent).collect();
            for c in kids {
                self.index(parent, c);
            }
        }
        let h = seg_hash(name);
        match self.map.get(&(parent, h)) {
            Some(&c) if self.t.name(c) == name => Some(c),
            Some(_) => self.collided.get(&(parent, name.to_string())).copied(),
            None => None,
        }
    }

    fn index(&mut self, parent: u32, c: u32) {
        let h = seg_hash(self.t.name(c));
        match self.map.entry((parent, h)) {
            std::collections::hash_map::Entry::Vacant(v) => {
                v.insert(c);
            }
            std::collections::hash_map::Entry::Occupied(mut o) => {
                let first = *o.get();
                if self.t.name(first) != self.t.name(c) {
                    let name = self.t.name(c).to_string();
                    let slot = self.collided.entry((parent, name)).or_insert(c);
                    *slot = (*slot).min(c);
                } else if c < first {
                    // Of side-by-side duplicates, the first one is found.
                    o.insert(c);
                }
            }
        }
    }

    /// Links a new node under an older parent (display order restored at the end).
    fn link(&mut self, parent: u32, c: u32) {
        let (first, grandparent) = {
            let p = &self.t.nodes[parent as usize];
            (p.first_child, p.parent)
        };
        let was_leaf = first == NONE;
        self.t.nodes[c as usize].next_sibling = first;
        self.t.nodes[parent as usize].first_child = c;
        self.dirty.push(parent);
        // A leaf that becomes a folder moves among its siblings.
        if was_leaf && grandparent != NONE {
            self.dirty.push(grandparent);
        }
        if self.indexed[parent as usize] {
            self.index(parent, c);
        }
    }

    fn push_node(&mut self, mut node: Node) -> u32 {
        let id = self.t.nodes.len() as u32;
        node.first_child = NONE;
        node.next_sibling = NONE;
        self.t.nodes.push(node);
        self.indexed.push(false);
        id
    }

    /// Adds the tree of the next piece, whose responses follow the ones so far.
    pub fn absorb(&mut self, piece: PathTree) {
        let base = self.responses;
        let n = piece.nodes.len();
        self.responses += piece.response_node.len() as u32;
        let names_base = self.t.names.len() as u32;
        self.t.names.push_str(&piece.names);
        let new_base = self.t.nodes.len() as u32;
        let mut map = vec![NONE; n];
        if n == 0 {
            return;
        }
        map[0] = 0;
        let own = |node: &Node| node.response != NONE;
        // The root may carry a response of its own.
        if own(&piece.nodes[0]) {
            self.merge_response(0, &piece.nodes[0], base);
        }
        for l in 1..n {
            let ln = &piece.nodes[l];
            let gp = map[ln.parent as usize];
            let mut node = ln.clone();
            node.parent = gp;
            node.name_start += names_base;
            if node.response != NONE {
                node.response += base;
            }
            if gp >= new_base {
                map[l] = self.push_node(node);
                continue;
            }
            match self.find_child(gp, piece.name(l as u32)) {
                Some(g) => {
                    map[l] = g;
                    let was = self.t.nodes[g as usize].collection();
                    self.t.nodes[g as usize].mark_collection(ln.collection());
                    if !was && ln.collection() {
                        self.dirty.push(gp);
                    }
                    if own(ln) {
                        self.merge_response(g, ln, base);
                    }
                }
                None => {
                    let c = self.push_node(node);
                    map[l] = c;
                    self.link(gp, c);
                }
            }
        }
        // Links inside new subtrees carry over, already in display order.
        for l in 1..n {
            let g = map[l];
            if g < new_base {
                continue;
            }
            let ln = &piece.nodes[l];
            if ln.first_child != NONE {
                self.t.nodes[g as usize].first_child = map[ln.first_child as usize];
            }
            if map[ln.parent as usize] >= new_base && ln.next_sibling != NONE {
                self.t.nodes[g as usize].next_sibling = map[ln.next_sibling as usize];
            }
        }
        for &node in &piece.response_node {
            self.t
                .response_node
                .push(map.get(node as usize).copied().unwrap_or(0));
        }
        // Side-by-side duplicates made while merging took their response over.
        for (ri, node) in std::mem::take(&mut self.fixups) {
            if let Some(slot) = self.t.response_node.get_mut(ri as usize) {
                *slot = node;
            }
        }
        for (a, b) in piece.case_collisions {
            let (a, b) = (map[a as usize], map[b as usize]);
            if a != NONE && b != NONE {
                self.t.case_collisions.push((a.min(b), a.max(b)));
            }
        }
        self.t
            .anomalies
            .extend(piece.anomalies.into_iter().map(|(ri, a)| (ri + base, a)));
        self.t
            .outside_request
            .extend(piece.outside_request.into_iter().map(|ri| ri + base));
        for (o, k) in piece.origins {
            *self.origins.entry(o).or_insert(0) += k;
        }
    }

    /// Puts a piece node's response on global node `g`, or beside it when `g`
    /// shows a response already (the same path twice).
    fn merge_response(&mut self, g: u32, ln: &Node, base: u32) {
        let ri = ln.response + base;
        let target = if self.t.nodes[g as usize].response == NONE {
            g
        } else {
            let gn = &self.t.nodes[g as usize];
            let parent = if gn.parent == NONE { 0 } else { gn.parent };
            let mut dup = gn.clone();
            dup.parent = parent;
            dup.bits = 0;
            dup.depth = if g == 0 { 1 } else { gn.depth };
            if g == 0 {
                dup.name_start = self.t.names.len() as u32;
                dup.name_len = 1;
                self.t.names.push('/');
            }
            dup.response = NONE;
            dup.counts = [0; 3];
            dup.worst = None;
            dup.code = None;
            let c = self.push_node(dup);
            self.link(parent, c);
            c
        };
        let nd = &mut self.t.nodes[target as usize];
        nd.response = ri;
        nd.mark_collection(ln.collection());
        nd.set_own(ln.outcome(), ln.code());
        for (c, o) in nd.counts.iter_mut().zip(ln.counts) {
            *c += o;
        }
        if ln.has_failure() {
            nd.set_failure(ln.worst());
        }
        self.fixups.push((ri, target));
    }

    /// Sorts what the merge disordered, rolls up and returns the tree.
    pub fn finish(mut self) -> PathTree {
        let mut dirty = std::mem::take(&mut self.dirty);
        dirty.sort_unstable();
        dirty.dedup();
        let mut kids = Vec::new();
        for id in dirty {
            self.t.sort_node(id as usize, &mut kids);
        }
        let t = &mut self.t;
        t.case_collisions.sort_unstable();
        t.case_collisions.dedup();
        t.roll_up();
        crate::core::model::trim_slack(&mut t.nodes);
        crate::core::model::trim_slack(&mut t.response_node);
        let mut origins: Vec<(String, u32)> = self.origins.into_iter().collect();
        origins.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        t.origins = origins;
        self.t
    }
}

/// Case-insensitive order without allocating: ASCII byte by byte, the rest of
/// both names by lower-cased characters from the first non-ASCII byte on.
fn ci_cmp(a: &str, b: &str) -> std::cmp::Ordering {
    let (x, y) = (a.as_bytes(), b.as_bytes());
    let n = x.len().min(y.len());
    let mut i = 0;
    while i < n {
        let (p, q) = (x[i], y[i]);
        if !p.is_ascii() || !q.is_ascii() {
            // Every byte before `i` is ASCII, so `i` is a char boundary in both.
            let (ra, rb) = (a.get(i..).unwrap_or(""), b.get(i..).unwrap_or(""));
            return ra
                .chars()
                .flat_map(char::to_lowercase)
                .cmp(rb.chars().flat_map(char::to_lowercase));
        }
        match p.to_ascii_lowercase().cmp(&q.to_ascii_lowercase()) {
            std::cmp::Ordering::Equal => i += 1,
            other => return other,
        }
    }
    x.len().cmp(&y.len())
}

fn seg_hash(seg: &str) -> u64 {
    crate::core::text::hash_bytes(0, seg.as_bytes())
}

/// The first href as sent, borrowed from the body when it needs no decoding.
fn first_href<'b>(ms: &Multistatus, r: &Response, body: &'b [u8]) -> std::borrow::Cow<'b, str> {
    if r.flags.has(ResponseFlags::NO_HREF) {
        return std::borrow::Cow::Borrowed("");
    }
    let span = ms.relative(r, r.href);
    href_text(
        body.get(span.start as usize..span.end as usize)
            .unwrap_or(&[]),
    )
}

/// An href's text as sent (entities resolved, whitespace trimmed), borrowed from
/// the body when it needs no decoding.
pub fn href_text(raw: &[u8]) -> std::borrow::Cow<'_, str> {
    if memchr::memchr2(b'&', b'<', raw).is_none()
        && let Ok(t) = std::str::from_utf8(raw)
    {
        return std::borrow::Cow::Borrowed(t.trim());
    }
    std::borrow::Cow::Owned(
        decode_text(&String::from_utf8_lossy(raw))
            .trim()
            .to_string(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nodes_stay_small() {
        // The memory goal (model heap <= 0.2x the payload) rests on this size.
        assert_eq!(std::mem::size_of::<Node>(), 44);
        let mut n = Node::new(0, 0, 0, 70_000);
        assert_eq!(n.depth(), u32::from(u16::MAX), "depth saturates");
        n.set_own(Some(Outcome::Partial), Some(207));
        n.mark_collection(true);
        n.set_failure(Some(424));
        assert_eq!(
            (
                n.outcome(),
                n.code(),
                n.collection(),
                n.has_failure(),
                n.worst()
            ),
            (Some(Outcome::Partial), Some(207), true, true, Some(424))
        );
        n.set_own(None, None);
        assert_eq!((n.outcome(), n.code(), n.collection()), (None, None, true));
    }

    #[test]
    fn every_node_with_children_is_a_folder() {
        // Random listings: deeper, shallower and repeated paths in any order.
        let mut seed: u64 = 0xc0ffee;
        for _ in 0..200 {
            let mut body = String::from(r#"<multistatus xmlns="DAV:">"#);
            for _ in 0..40 {
                seed = seed
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                let mut path = String::new();
                for k in 0..(seed >> 61) {
                    path.push_str(&format!("/{}", (seed >> (8 + 3 * k)) % 3));
                }
                if path.is_empty() {
                    path.push('/');
                }
                body.push_str(&format!(
                    "<response><href>{path}</href><status>HTTP/1.1 200 OK</status></response>"
                ));
            }
            body.push_str("</multistatus>");
            let t = tree_of(&body, None);
            for (id, n) in t.nodes.iter().enumerate() {
                assert!(id == 0 || (n.parent as usize) < id, "parent after child");
                if n.first_child != NONE {
                    assert!(n.collection(), "{} has children\n{body}", t.path(id as u32));
                }
            }
        }
    }

    #[test]
    fn ci_cmp_agrees_with_lowercased_strings() {
        let names = [
            "a",
            "B",
            "b",
            "ab",
            "Ab",
            "\u{e9}t\u{e9}",
            "\u{c9}T\u{c9}",
            "\u{e9}",
            "z",
            "Z\u{e9}",
            "",
            "stra\u{df}e",
            "STRASSE",
            "\u{65e5}\u{672c}",
            "a\u{e9}",
            "A\u{c9}b",
        ];
        for a in names {
            for b in names {
                let want = a.to_lowercase().cmp(&b.to_lowercase());
                assert_eq!(ci_cmp(a, b), want, "{a:?} {b:?}");
            }
        }
    }

    #[test]
    fn common_prefix_counts_equal_leading_bytes() {
        let a = b"/remote.php/dav/files/alice/x";
        for cut in 0..a.len() {
            let mut b = a.to_vec();
            b[cut] ^= 1;
            assert_eq!(common_prefix(a, &b), cut);
        }
        assert_eq!(common_prefix(a, &a[..5]), 5);
        assert_eq!(common_prefix(a, a), a.len());
    }
    use crate::core::parse::xml::parse_body;

    fn tree_of(body: &str, url: Option<&str>) -> PathTree {
        let ms = parse_body(body.as_bytes(), None).multistatus.expect("ms");
        PathTree::build(&ms, body.as_bytes(), url)
    }

    fn resp(href: &str, code: u16) -> String {
        format!("<response><href>{href}</href><status>HTTP/1.1 {code} x</status></response>")
    }

    #[test]
    fn implicit_folders_and_rollup() {
        let body = format!(
            "<multistatus xmlns=\"DAV:\">{}{}{}{}</multistatus>",
            resp("/dav/", 200),
            resp("/dav/a/x.txt", 403),
            resp("/dav/a/y.txt", 500),
            resp("/dav/b%20c.txt", 200),
        );
        let t = tree_of(&body, None);
        // root, dav, a (implicit), x, y, "b c.txt"
        assert_eq!(t.len(), 6);
        let dav = t.children(0).next().expect("dav");
        assert_eq!(t.name(dav), "dav");
        assert_eq!(t.nodes[dav as usize].failed(), 2);
        assert_eq!(t.nodes[dav as usize].ok(), 2);
        assert_eq!(t.nodes[dav as usize].worst(), Some(500));
        let kids: Vec<&str> = t.children(dav).map(|c| t.name(c)).collect();
        assert_eq!(kids, ["a", "b c.txt"], "folders first");
        let a = t.children(dav).next().expect("a");
        assert_eq!(t.nodes[a as usize].response, NONE);
        assert_eq!(t.path(a), "/dav/a/");
        assert_eq!(t.find("/dav/a"), Some(a));
        assert_eq!(t.find("/dav/a/"), Some(a));
        assert_eq!(t.find("/dav/nope"), None);
        assert_eq!(t.find("/"), Some(0));
        assert_eq!(t.nodes[0].total(), 4);
    }

    #[test]
    fn out_of_order_listings_still_sort_like_a_full_sort() {
        let body = format!(
            "<multistatus xmlns=\"DAV:\">{}{}{}{}{}{}{}</multistatus>",
            resp("/b/x", 200),
            resp("/a", 200),
            resp("/zz", 200),
            resp("/b/", 200),
            resp("/a/z", 200),
            resp("/c/", 200),
            resp("/a/y", 200),
        );
        let t = tree_of(&body, None);
        let names =
            |id: u32| -> Vec<String> { t.children(id).map(|c| t.name(c).to_string()).collect() };
        assert_eq!(
            names(0),
            ["a", "b", "c", "zz"],
            "a became a folder after it was listed as a file"
        );
        let a = t.children(0).next().expect("a");
        assert_eq!(names(a), ["y", "z"]);
    }

    #[test]
    fn anomalies_are_noted() {
        let body = format!(
            "<multistatus xmlns=\"DAV:\">{}{}{}{}</multistatus>",
            resp("http://backend:8080/dav/A.txt", 200),
            resp("/dav/a.txt", 200),
            resp("/other/x", 404),
            resp("/dav/a.txt", 200),
        );
        let t = tree_of(&body, Some("https://files.example/dav/"));
        assert_eq!(t.origins, vec![("http://backend:8080".to_string(), 1)]);
        assert_eq!(t.case_collisions.len(), 1);
        assert_eq!(t.outside_request, vec![2]);
        // the duplicate path got its own node
        assert_ne!(t.response_node[1], t.response_node[3]);
    }
}
