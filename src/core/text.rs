//! Text out of raw XML content, and positions in a body.
//!
//! Owns entity decoding (the five predefined entities and character references;
//! nothing else is ever expanded), CDATA and comment stripping, and the mapping of
//! byte offsets to line and column. Depends only on `std` and `memchr`.

use std::borrow::Cow;

/// The character data of raw XML content: entity and character references resolved,
/// CDATA unwrapped, comments and processing instructions dropped. Unknown entities
/// stay as written. Markup of child elements is kept as is.
pub fn decode_text(raw: &str) -> Cow<'_, str> {
    if !raw.contains(['&', '<']) {
        return Cow::Borrowed(raw);
    }
    let mut out = String::with_capacity(raw.len());
    let mut rest = raw;
    while let Some(i) = rest.find(['&', '<']) {
        out.push_str(&rest[..i]);
        rest = &rest[i..];
        if let Some(after) = rest.strip_prefix("<![CDATA[") {
            let end = after.find("]]>").unwrap_or(after.len());
            out.push_str(&after[..end]);
            rest = after.get(end + 3..).unwrap_or("");
        } else if let Some(after) = rest.strip_prefix("<!--") {
            let end = after.find("-->").map(|e| e + 3).unwrap_or(after.len());
            rest = &after[end..];
        } else if let Some(after) = rest.strip_prefix("<?") {
            let end = after.find("?>").map(|e| e + 2).unwrap_or(after.len());
            rest = &after[end..];
        } else if rest.starts_with('<') {
            out.push('<');
            rest = &rest[1..];
        } else {
            let semi = rest[1..].find(';').filter(|&s| s <= 10);
            let resolved = semi.and_then(|s| resolve_entity(&rest[1..1 + s]));
            match (semi, resolved) {
                (Some(s), Some(c)) => {
                    out.push(c);
                    rest = &rest[s + 2..];
                }
                _ => {
                    out.push('&');
                    rest = &rest[1..];
                }
            }
        }
    }
    out.push_str(rest);
    Cow::Owned(out)
}

fn resolve_entity(name: &str) -> Option<char> {
    match name {
        "amp" => Some('&'),
        "lt" => Some('<'),
        "gt" => Some('>'),
        "quot" => Some('"'),
        "apos" => Some('\''),
        _ => {
            let num = name.strip_prefix('#')?;
            let code = if let Some(hex) = num.strip_prefix(['x', 'X']) {
                u32::from_str_radix(hex, 16).ok()?
            } else {
                num.parse::<u32>().ok()?
            };
            char::from_u32(code)
        }
    }
}

/// Line starts of a body, for turning byte offsets into line and column.
pub struct LineIndex<'a> {
    body: &'a [u8],
    starts: Vec<usize>,
}

impl<'a> LineIndex<'a> {
    /// Indexes lines up to `limit` bytes (the largest offset that will be asked).
    pub fn new(body: &'a [u8], limit: usize) -> Self {
        let limit = limit.min(body.len());
        let mut starts = vec![0];
        starts.extend(memchr::memchr_iter(b'\n', &body[..limit]).map(|i| i + 1));
        LineIndex { body, starts }
    }

    /// 1-based line and 1-based column in characters for a byte offset.
    pub fn position(&self, offset: u64) -> (u32, u32) {
        let offset = usize::try_from(offset)
            .unwrap_or(usize::MAX)
            .min(self.body.len());
        let line = self.starts.partition_point(|&s| s <= offset).max(1);
        let start = self.starts[line - 1];
        let column = String::from_utf8_lossy(&self.body[start..offset])
            .chars()
            .count();
        (
            u32::try_from(line).unwrap_or(u32::MAX),
            u32::try_from(column + 1).unwrap_or(u32::MAX),
        )
    }

    /// The text of a 1-based line, without its line ending.
    pub fn line_text(&self, line: u32) -> Cow<'a, str> {
        let i = (line as usize).saturating_sub(1);
        let Some(&start) = self.starts.get(i) else {
            return Cow::Borrowed("");
        };
        let end = self.starts.get(i + 1).map(|&s| s - 1).unwrap_or_else(|| {
            memchr::memchr(b'\n', &self.body[start..])
                .map(|e| start + e)
                .unwrap_or(self.body.len())
        });
        let end = end.min(start + 4096).min(self.body.len());
        let text = &self.body[start..end];
        let text = text.strip_suffix(b"\r").unwrap_or(text);
        String::from_utf8_lossy(text)
    }
}

/// A fast hash of bytes for in-memory tables (not for anything that leaves the
/// process): eight bytes at a time, the tail read in a register.
pub fn hash_bytes(seed: u64, bytes: &[u8]) -> u64 {
    const K: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut h = (seed ^ ((bytes.len() as u64) << 48)).wrapping_mul(K);
    let mut chunks = bytes.chunks_exact(8);
    for c in &mut chunks {
        let w = u64::from_le_bytes(c.try_into().unwrap_or([0; 8]));
        h = (h.rotate_left(5) ^ w).wrapping_mul(K);
    }
    let rest = chunks.remainder();
    if !rest.is_empty() {
        // The last eight bytes (overlapping), or the few there are.
        let w = if bytes.len() >= 8 {
            u64::from_le_bytes(bytes[bytes.len() - 8..].try_into().unwrap_or([0; 8]))
        } else {
            rest.iter()
                .enumerate()
                .fold(0u64, |w, (i, &b)| w | (u64::from(b) << (8 * i)))
        };
        h = (h.rotate_left(5) ^ w).wrapping_mul(K);
    }
    h ^ (h >> 29)
}

/// Where the lines of a whole body start, for a view that scrolls through all of
/// them: every 64th line start is kept (a 25M-line payload costs 3 MB, not
/// 200 MB) and the rest are found by scanning at most 63 lines.
#[derive(Clone, Debug, Default)]
pub struct SparseLines {
    /// Start of lines 0, 64, 128, ...
    marks: Vec<usize>,
    lines: usize,
}

const LINES_PER_MARK: usize = 64;

impl SparseLines {
    pub fn new(body: &[u8]) -> Self {
        let mut marks = vec![0];
        let mut lines = 1;
        for nl in memchr::memchr_iter(b'\n', body) {
            if lines % LINES_PER_MARK == 0 {
                marks.push(nl + 1);
            }
            lines += 1;
        }
        SparseLines { marks, lines }
    }

    /// Number of lines (a body without a final newline still has its last line).
    pub fn len(&self) -> usize {
        self.lines
    }

    pub fn is_empty(&self) -> bool {
        self.lines == 0
    }

    /// Byte offset where 0-based `line` starts (the body's end past the last).
    pub fn start(&self, body: &[u8], line: usize) -> usize {
        let Some(&mark) = self.marks.get(line / LINES_PER_MARK) else {
            return body.len();
        };
        let skip = line % LINES_PER_MARK;
        if skip == 0 {
            return mark.min(body.len());
        }
        memchr::memchr_iter(b'\n', body.get(mark..).unwrap_or(&[]))
            .nth(skip - 1)
            .map_or(body.len(), |i| mark + i + 1)
    }

    /// The 0-based line holding byte `offset`.
    pub fn line_of(&self, body: &[u8], offset: usize) -> usize {
        let block = self
            .marks
            .partition_point(|&m| m <= offset)
            .saturating_sub(1);
        let mark = self.marks.get(block).copied().unwrap_or(0);
        let upto = offset.min(body.len());
        let within = if upto > mark {
            memchr::memchr_iter(b'\n', &body[mark..upto]).count()
        } else {
            0
        };
        (block * LINES_PER_MARK + within).min(self.lines.saturating_sub(1))
    }

    /// The bytes of 0-based `line`, without its line ending.
    pub fn line<'b>(&self, body: &'b [u8], line: usize) -> &'b [u8] {
        let start = self.start(body, line);
        let rest = body.get(start..).unwrap_or(&[]);
        let end = memchr::memchr(b'\n', rest).unwrap_or(rest.len());
        let text = &rest[..end];
        text.strip_suffix(b"\r").unwrap_or(text)
    }
}

/// A short, single-line excerpt of a text for messages.
pub fn excerpt(text: &str, max_chars: usize) -> String {
    let flat: String = text
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    let flat = flat.trim();
    if flat.chars().count() <= max_chars {
        flat.to_string()
    } else {
        let cut: String = flat.chars().take(max_chars).collect();
        format!("{cut}…")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sparse_lines_agree_with_a_full_index() {
        let mut body = Vec::new();
        for i in 0..1000 {
            body.extend_from_slice(format!("line {i}").as_bytes());
            body.extend_from_slice(if i % 7 == 0 { b"\r\n" } else { b"\n" });
            if i % 50 == 0 {
                body.push(b'\n');
            }
        }
        body.extend_from_slice(b"last, no newline");
        let full: Vec<usize> = std::iter::once(0)
            .chain(memchr::memchr_iter(b'\n', &body).map(|i| i + 1))
            .collect();
        let s = SparseLines::new(&body);
        assert_eq!(s.len(), full.len());
        for (line, &start) in full.iter().enumerate() {
            assert_eq!(s.start(&body, line), start, "line {line}");
            let end = full.get(line + 1).map_or(body.len(), |e| e - 1);
            let want = &body[start..end];
            assert_eq!(
                s.line(&body, line),
                want.strip_suffix(b"\r").unwrap_or(want)
            );
        }
        for offset in (0..body.len()).step_by(3) {
            let want = full.partition_point(|&x| x <= offset) - 1;
            assert_eq!(s.line_of(&body, offset), want, "offset {offset}");
        }
        assert!(SparseLines::new(b"").len() == 1);
    }

    #[test]
    fn entities_and_cdata() {
        assert_eq!(decode_text("a &amp; b"), "a & b");
        assert_eq!(decode_text("&quot;5f3&quot;"), "\"5f3\"");
        assert_eq!(decode_text("&#x41;&#66;"), "AB");
        assert_eq!(decode_text("&nbsp;x"), "&nbsp;x", "unknown entity stays");
        assert_eq!(decode_text("<![CDATA[a<b]]>c"), "a<bc");
        assert_eq!(decode_text("a<!-- hidden -->b"), "ab");
        assert_eq!(decode_text("& alone"), "& alone");
        assert!(matches!(decode_text("plain"), Cow::Borrowed(_)));
    }

    #[test]
    fn positions_count_characters() {
        let body = "ab\nçd\r\nxyz".as_bytes();
        let idx = LineIndex::new(body, body.len());
        assert_eq!(idx.position(0), (1, 1));
        assert_eq!(idx.position(3), (2, 1));
        // 'd' follows the two-byte 'ç'
        assert_eq!(idx.position(5), (2, 2));
        assert_eq!(idx.position(8), (3, 1));
        assert_eq!(idx.line_text(2), "çd");
        assert_eq!(idx.position(999), (3, 4));
    }
}

/// A hasher for keys that are already well-mixed hashes (u64 / (u32, u64)): it
/// folds the written integers instead of running SipHash over them again.
#[derive(Clone, Copy, Debug, Default)]
pub struct PrehashedHasher(u64);

impl std::hash::Hasher for PrehashedHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 = (self.0 ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3);
        }
    }
    fn write_u32(&mut self, n: u32) {
        self.0 = (self.0 ^ u64::from(n)).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = self.0.rotate_left(5) ^ n;
    }
}

/// `BuildHasher` for [`PrehashedHasher`].
pub type Prehashed = std::hash::BuildHasherDefault<PrehashedHasher>;
