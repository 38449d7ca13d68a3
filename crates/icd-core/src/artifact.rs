//! The container every ICD Desk artifact file uses, and the byte-level
//! tables inside it.
//!
//! A file is a header followed by named sections:
//!
//! ```text
//! 0   magic      b"ICDDESK\0"
//! 8   version    u32 LE  (FORMAT_VERSION)
//! 12  kind       [u8; 4] (b"TABL", b"TERM", b"MCE_")
//! 16  checksum   u32 LE  CRC-32 of every byte after this field
//! 20  release    u16 LE length + UTF-8 (the source data release)
//!     sections   u32 LE count, then per section: tag [u8; 4], offset u32, length u32
//!     payload
//! ```
//!
//! Readers never copy: they keep the caller's bytes (`D: AsRef<[u8]>`, e.g.
//! a `Vec<u8>` fetched by the web worker) and decode rows on access.
//! Integrity is checked once on open (magic, version, kind, checksum,
//! section bounds), so later accessors can stay simple; they still use
//! checked indexing and return empty values rather than panic.

use std::collections::HashMap;
use std::ops::Range;

/// Magic bytes at the start of every artifact.
pub const MAGIC: &[u8; 8] = b"ICDDESK\0";
/// Version of the container and of every section layout. Bump on any change.
pub const FORMAT_VERSION: u32 = 2;

/// Why an artifact cannot be read. Every case is fixed by rebuilding the
/// artifacts with `icd build-index` (or `cargo xtask serve`), which the
/// messages say.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ArtifactError {
    /// The bytes are not an ICD Desk artifact at all (wrong file, HTML error page...).
    #[error("not an ICD Desk artifact (bad magic bytes); check the file path or rebuild with `icd build-index`")]
    BadMagic,
    /// The file ends before its header or a section does.
    #[error("artifact is truncated ({len} bytes); rebuild with `icd build-index`")]
    Truncated {
        /// Bytes present.
        len: usize,
    },
    /// Written by another version of ICD Desk.
    #[error("artifact format version {found}, this build reads version {expected}; rebuild with `icd build-index`")]
    Version {
        /// Version in the file.
        found: u32,
        /// Version this build reads.
        expected: u32,
    },
    /// A file of another kind was given (e.g. the MCE file where the tabular was expected).
    #[error("artifact holds '{found}' data where '{expected}' was expected; check the file names in the index folder")]
    Kind {
        /// Kind expected.
        expected: String,
        /// Kind found.
        found: String,
    },
    /// The checksum does not match: the file was damaged or partly written.
    #[error("artifact is corrupt (checksum {found:08x}, expected {expected:08x}); rebuild with `icd build-index`")]
    Checksum {
        /// Stored checksum.
        expected: u32,
        /// Computed checksum.
        found: u32,
    },
    /// A section the reader needs is absent or malformed.
    #[error("artifact section '{section}' is missing or malformed: {problem}; rebuild with `icd build-index`")]
    Section {
        /// Section tag.
        section: String,
        /// What is wrong.
        problem: String,
    },
}

impl ArtifactError {
    pub(crate) fn section(tag: &[u8; 4], problem: impl Into<String>) -> ArtifactError {
        ArtifactError::Section {
            section: String::from_utf8_lossy(tag).into_owned(),
            problem: problem.into(),
        }
    }
}

/// Builds an artifact file.
#[derive(Debug)]
pub struct ArtifactWriter {
    kind: [u8; 4],
    release: String,
    sections: Vec<([u8; 4], Vec<u8>)>,
}

impl ArtifactWriter {
    /// A new file of `kind` for the source data `release`.
    pub fn new(kind: [u8; 4], release: &str) -> ArtifactWriter {
        ArtifactWriter {
            kind,
            release: release.to_string(),
            sections: Vec::new(),
        }
    }

    /// Appends a section. Tags must be unique.
    pub fn section(&mut self, tag: [u8; 4], bytes: Vec<u8>) -> &mut Self {
        debug_assert!(self.sections.iter().all(|(t, _)| *t != tag));
        self.sections.push((tag, bytes));
        self
    }

    /// The complete file.
    pub fn finish(&self) -> Vec<u8> {
        let release = self.release.as_bytes();
        let release_len = release.len().min(u16::MAX as usize);
        let header_len = 20 + 2 + release_len + 4 + self.sections.len() * 12;
        let mut out =
            Vec::with_capacity(header_len + self.sections.iter().map(|s| s.1.len()).sum::<usize>());
        out.extend_from_slice(MAGIC);
        out.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
        out.extend_from_slice(&self.kind);
        out.extend_from_slice(&[0; 4]); // checksum, filled below
        out.extend_from_slice(&(release_len as u16).to_le_bytes());
        out.extend_from_slice(&release[..release_len]);
        out.extend_from_slice(&(self.sections.len() as u32).to_le_bytes());
        let mut offset = header_len;
        for (tag, bytes) in &self.sections {
            out.extend_from_slice(tag);
            out.extend_from_slice(&(offset as u32).to_le_bytes());
            out.extend_from_slice(&(bytes.len() as u32).to_le_bytes());
            offset += bytes.len();
        }
        for (_, bytes) in &self.sections {
            out.extend_from_slice(bytes);
        }
        let crc = crc32fast::hash(&out[20..]);
        out[16..20].copy_from_slice(&crc.to_le_bytes());
        out
    }
}

/// The validated layout of an artifact: its release and section ranges.
#[derive(Debug, Clone)]
pub struct Layout {
    /// Source data release the file was built from.
    pub release: String,
    sections: Vec<([u8; 4], Range<usize>)>,
}

impl Layout {
    /// Validates `bytes` as an artifact of `kind`.
    pub fn read(bytes: &[u8], kind: [u8; 4]) -> Result<Layout, ArtifactError> {
        let truncated = || ArtifactError::Truncated { len: bytes.len() };
        if bytes.len() < 8 || &bytes[..8] != MAGIC {
            return Err(if bytes.len() < 8 && MAGIC.starts_with(bytes) {
                truncated()
            } else {
                ArtifactError::BadMagic
            });
        }
        let mut r = Cursor { bytes, pos: 8 };
        let version = r.u32().ok_or_else(truncated)?;
        if version != FORMAT_VERSION {
            return Err(ArtifactError::Version {
                found: version,
                expected: FORMAT_VERSION,
            });
        }
        let found_kind = r.take(4).ok_or_else(truncated)?;
        if found_kind != kind {
            return Err(ArtifactError::Kind {
                expected: String::from_utf8_lossy(&kind).into_owned(),
                found: String::from_utf8_lossy(found_kind).into_owned(),
            });
        }
        let stored = r.u32().ok_or_else(truncated)?;
        let release_len = r.u16().ok_or_else(truncated)? as usize;
        let release = r.take(release_len).ok_or_else(truncated)?;
        let count = r.u32().ok_or_else(truncated)? as usize;
        if count > 1024 {
            return Err(truncated());
        }
        let mut sections = Vec::with_capacity(count);
        for _ in 0..count {
            let tag: [u8; 4] = r
                .take(4)
                .ok_or_else(truncated)?
                .try_into()
                .map_err(|_| truncated())?;
            let offset = r.u32().ok_or_else(truncated)? as usize;
            let len = r.u32().ok_or_else(truncated)? as usize;
            let end = offset.checked_add(len).ok_or_else(truncated)?;
            if end > bytes.len() {
                return Err(truncated());
            }
            sections.push((tag, offset..end));
        }
        let found = crc32fast::hash(&bytes[20..]);
        if found != stored {
            return Err(ArtifactError::Checksum {
                expected: stored,
                found,
            });
        }
        Ok(Layout {
            release: String::from_utf8_lossy(release).into_owned(),
            sections,
        })
    }

    /// The byte range of section `tag`.
    pub fn section(&self, tag: &[u8; 4]) -> Result<Range<usize>, ArtifactError> {
        self.sections
            .iter()
            .find(|(t, _)| t == tag)
            .map(|(_, r)| r.clone())
            .ok_or_else(|| ArtifactError::section(tag, "absent"))
    }
}

struct Cursor<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl<'a> Cursor<'a> {
    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        let s = self.bytes.get(self.pos..self.pos.checked_add(n)?)?;
        self.pos += n;
        Some(s)
    }
    fn u16(&mut self) -> Option<u16> {
        Some(u16::from_le_bytes(self.take(2)?.try_into().ok()?))
    }
    fn u32(&mut self) -> Option<u32> {
        Some(u32::from_le_bytes(self.take(4)?.try_into().ok()?))
    }
}

/// "No such row": the value stored for absent references.
pub const NONE: u32 = u32::MAX;

/// Builds a table of fixed-width rows of `u32`s, stored column-major.
#[derive(Debug)]
pub struct RowsBuilder {
    width: usize,
    data: Vec<u32>,
}

impl RowsBuilder {
    /// A table whose rows have `width` columns.
    pub fn new(width: usize) -> RowsBuilder {
        RowsBuilder {
            width,
            data: Vec::new(),
        }
    }
    /// Appends a row; returns its index.
    pub fn push(&mut self, row: &[u32]) -> u32 {
        assert_eq!(row.len(), self.width, "row width");
        let id = self.len() as u32;
        self.data.extend_from_slice(row);
        id
    }
    /// Overwrites one cell.
    pub fn set(&mut self, row: u32, col: usize, value: u32) {
        self.data[row as usize * self.width + col] = value;
    }
    /// Reads one cell.
    pub fn get(&self, row: u32, col: usize) -> u32 {
        self.data[row as usize * self.width + col]
    }
    /// Number of rows.
    pub fn len(&self) -> usize {
        self.data.len() / self.width
    }
    /// Whether there are no rows.
    pub fn is_empty(&self) -> bool {
        self.data.is_empty()
    }
    /// Little-endian bytes of the chosen columns only, column after column.
    pub fn columns_to_bytes(&self, cols: &[usize]) -> Vec<u8> {
        let n = self.len();
        let mut out = Vec::with_capacity(n * cols.len() * 4);
        for &col in cols {
            for row in 0..n {
                out.extend_from_slice(&self.data[row * self.width + col].to_le_bytes());
            }
        }
        out
    }

    /// Little-endian bytes, column after column: values of one column sit
    /// together, which compresses far better than rows.
    pub fn to_bytes(&self) -> Vec<u8> {
        self.to_bytes_with(Planes::NONE)
    }

    /// Like [`RowsBuilder::to_bytes`], with the columns in `planes` stored
    /// as byte planes (see [`Planes`]); the reader must be given the same
    /// `planes` ([`Rows::planes`]).
    pub fn to_bytes_with(&self, planes: Planes) -> Vec<u8> {
        let n = self.len();
        let mut out = Vec::with_capacity(self.data.len() * 4);
        for col in 0..self.width {
            if planes.has(col) {
                for k in 0..4 {
                    for row in 0..n {
                        out.push(self.data[row * self.width + col].to_le_bytes()[k]);
                    }
                }
            } else {
                for row in 0..n {
                    out.extend_from_slice(&self.data[row * self.width + col].to_le_bytes());
                }
            }
        }
        out
    }
}

/// Which columns of a [`Rows`] table are stored as byte planes: all the
/// lowest bytes of the column, then all the second bytes, and so on. A
/// column of ids that grow slowly (string ids in preorder, note counts)
/// then has long runs of equal high bytes, which brotli and gzip code in
/// almost nothing; in the tabular's node table this halves the compressed
/// size (152 KB to 66 KB with brotli). A cell is still read in constant
/// time, from four places. Columns whose low bytes repeat as whole values
/// (flags, codes) compress better as plain `u32`s, so each table names its
/// own: writer and reader share one constant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Planes(u32);

impl Planes {
    /// Every column plain.
    pub const NONE: Planes = Planes(0);
    /// The columns `cols` as byte planes (`cols` below 32).
    pub const fn of(cols: &[usize]) -> Planes {
        let mut mask = 0u32;
        let mut i = 0;
        while i < cols.len() {
            mask |= 1 << cols[i];
            i += 1;
        }
        Planes(mask)
    }
    /// Whether column `col` is stored as byte planes.
    pub const fn has(self, col: usize) -> bool {
        col < 32 && self.0 & (1 << col) != 0
    }
}

/// Little-endian bytes of a `u32` slice.
pub fn u32s_to_bytes(values: &[u32]) -> Vec<u8> {
    values.iter().flat_map(|v| v.to_le_bytes()).collect()
}

/// A read-only view of fixed-width `u32` rows.
#[derive(Debug, Clone, Copy)]
pub struct Rows<'a> {
    data: &'a [u8],
    width: usize,
    planes: Planes,
}

impl<'a> Rows<'a> {
    /// Views `data` as rows of `width` columns; checks the length.
    pub fn new(data: &'a [u8], width: usize, tag: &[u8; 4]) -> Result<Rows<'a>, ArtifactError> {
        if width == 0 || !data.len().is_multiple_of(width * 4) {
            return Err(ArtifactError::section(
                tag,
                format!("length {} is not a multiple of {}", data.len(), width * 4),
            ));
        }
        Ok(Rows {
            data,
            width,
            planes: Planes::NONE,
        })
    }
    /// Views without checking; used after [`Rows::new`] succeeded on open.
    pub(crate) fn unchecked(data: &'a [u8], width: usize) -> Rows<'a> {
        Rows {
            data,
            width,
            planes: Planes::NONE,
        }
    }
    /// The same rows, read with the byte-plane columns `planes` (what the
    /// writer gave [`RowsBuilder::to_bytes_with`]).
    pub fn planes(self, planes: Planes) -> Rows<'a> {
        Rows { planes, ..self }
    }
    /// Number of rows.
    pub fn len(&self) -> usize {
        self.data.len() / (self.width * 4)
    }
    /// Whether there are no rows.
    pub fn is_empty(&self) -> bool {
        self.data.is_empty()
    }
    /// One cell; [`NONE`] when out of range (only possible in a forged file).
    pub fn get(&self, row: u32, col: usize) -> u32 {
        let n = self.len();
        if row as usize >= n || col >= self.width {
            return NONE;
        }
        let base = col * n * 4;
        if self.planes.has(col) {
            let byte = |k: usize| self.data.get(base + k * n + row as usize).copied();
            match (byte(0), byte(1), byte(2), byte(3)) {
                (Some(a), Some(b), Some(c), Some(d)) => u32::from_le_bytes([a, b, c, d]),
                _ => NONE,
            }
        } else {
            let at = base + row as usize * 4;
            match self.data.get(at..at + 4) {
                Some(b) => u32::from_le_bytes([b[0], b[1], b[2], b[3]]),
                None => NONE,
            }
        }
    }
}

/// Builds a pool of strings, each stored once; id 0 is the empty string.
/// Stored as the concatenated bytes and the LEB128 lengths of the strings
/// (lengths compress far better than offsets); readers rebuild the offsets
/// once on open.
#[derive(Debug)]
pub struct StrPoolBuilder {
    bytes: Vec<u8>,
    lengths: Vec<u8>,
    count: u32,
    ids: HashMap<String, u32>,
}

impl Default for StrPoolBuilder {
    fn default() -> Self {
        let mut p = StrPoolBuilder {
            bytes: Vec::new(),
            lengths: Vec::new(),
            count: 0,
            ids: HashMap::new(),
        };
        p.add("");
        p
    }
}

impl StrPoolBuilder {
    /// The id of `s`, adding it if new. Ids follow insertion order, so
    /// builds are deterministic.
    pub fn add(&mut self, s: &str) -> u32 {
        if let Some(id) = self.ids.get(s) {
            return *id;
        }
        let id = self.count;
        self.count += 1;
        self.bytes.extend_from_slice(s.as_bytes());
        let mut n = s.len();
        loop {
            let b = (n & 0x7f) as u8;
            n >>= 7;
            if n == 0 {
                self.lengths.push(b);
                break;
            }
            self.lengths.push(b | 0x80);
        }
        self.ids.insert(s.to_string(), id);
        id
    }
    /// Writes the pool as two sections, `lengths_tag` and `bytes_tag`.
    pub fn write(&self, w: &mut ArtifactWriter, lengths_tag: [u8; 4], bytes_tag: [u8; 4]) {
        w.section(lengths_tag, self.lengths.clone());
        w.section(bytes_tag, self.bytes.clone());
    }
}

/// A read-only string pool.
#[derive(Debug, Clone, Copy)]
pub struct StrPool<'a> {
    offsets: &'a [u32],
    bytes: &'a [u8],
}

impl<'a> StrPool<'a> {
    /// Decodes the lengths into offsets (`count + 1` of them) and checks
    /// that they cover the bytes exactly, at UTF-8 boundaries.
    pub fn offsets(lengths: &[u8], bytes: &[u8], tag: &[u8; 4]) -> Result<Vec<u32>, ArtifactError> {
        let text =
            std::str::from_utf8(bytes).map_err(|e| ArtifactError::section(tag, e.to_string()))?;
        let mut offsets = Vec::with_capacity(lengths.len() + 1);
        offsets.push(0u32);
        let (mut at, mut n, mut shift) = (0usize, 0usize, 0u32);
        for &b in lengths {
            if shift > 28 {
                return Err(ArtifactError::section(tag, "bad length"));
            }
            n |= ((b & 0x7f) as usize) << shift;
            shift += 7;
            if b & 0x80 == 0 {
                at += n;
                if at > bytes.len() || !text.is_char_boundary(at) {
                    return Err(ArtifactError::section(tag, "lengths exceed the bytes"));
                }
                offsets.push(at as u32);
                n = 0;
                shift = 0;
            }
        }
        if shift != 0 || at != bytes.len() || offsets.len() < 2 {
            return Err(ArtifactError::section(
                tag,
                "lengths do not cover the bytes",
            ));
        }
        Ok(offsets)
    }
    /// A view over offsets from [`StrPool::offsets`].
    pub fn new(offsets: &'a [u32], bytes: &'a [u8]) -> StrPool<'a> {
        StrPool { offsets, bytes }
    }
    /// String `id`; empty for an unknown id.
    pub fn get(&self, id: u32) -> &'a str {
        let (Some(&start), Some(&end)) = (
            self.offsets.get(id as usize),
            self.offsets.get(id as usize + 1),
        ) else {
            return "";
        };
        self.bytes
            .get(start as usize..end as usize)
            .and_then(|b| std::str::from_utf8(b).ok())
            .unwrap_or("")
    }
    /// Number of strings.
    pub fn len(&self) -> usize {
        self.offsets.len().saturating_sub(1)
    }
    /// Whether the pool holds nothing.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// A tree written in preorder, rebuilt from each row's depth on open, so
/// parents and child lists need not be stored.
#[derive(Debug, Clone, Default)]
pub struct Tree {
    /// Parent of each row ([`NONE`] for a root).
    pub parents: Vec<u32>,
    /// Where each row's children start in `children`; one more entry than rows.
    pub starts: Vec<u32>,
    /// Children of every row, grouped by parent, in row order.
    pub children: Vec<u32>,
    /// Rows at depth 0.
    pub roots: Vec<u32>,
}

impl Tree {
    /// Rebuilds the tree from the depth of each row (`depth(i)`), checking
    /// that depths only grow by one from a row to the next.
    pub fn from_depths(
        n: usize,
        depth: impl Fn(u32) -> u32,
        tag: &[u8; 4],
    ) -> Result<Tree, ArtifactError> {
        let mut parents = Vec::with_capacity(n);
        let mut stack: Vec<u32> = Vec::new();
        let mut roots = Vec::new();
        for i in 0..n as u32 {
            let d = depth(i) as usize;
            if d > stack.len() {
                return Err(ArtifactError::section(tag, "depths skip a level"));
            }
            stack.truncate(d);
            let parent = stack.last().copied().unwrap_or(NONE);
            if parent == NONE {
                roots.push(i);
            }
            parents.push(parent);
            stack.push(i);
        }
        let mut starts = vec![0u32; n + 1];
        for &p in &parents {
            if p != NONE {
                starts[p as usize + 1] += 1;
            }
        }
        for i in 0..n {
            starts[i + 1] += starts[i];
        }
        let mut fill = starts.clone();
        let mut children = vec![0u32; starts[n] as usize];
        for (i, &p) in parents.iter().enumerate() {
            if p != NONE {
                children[fill[p as usize] as usize] = i as u32;
                fill[p as usize] += 1;
            }
        }
        Ok(Tree {
            parents,
            starts,
            children,
            roots,
        })
    }

    /// The parent of row `i`.
    pub fn parent(&self, i: u32) -> Option<u32> {
        self.parents.get(i as usize).copied().filter(|p| *p != NONE)
    }

    /// The children of row `i`.
    pub fn children(&self, i: u32) -> &[u32] {
        let (Some(&s), Some(&e)) = (self.starts.get(i as usize), self.starts.get(i as usize + 1))
        else {
            return &[];
        };
        self.children.get(s as usize..e as usize).unwrap_or(&[])
    }
}

/// An empty map, for accessors of maps that were checked on open.
pub fn empty_map() -> fst::Map<&'static [u8]> {
    static EMPTY: std::sync::OnceLock<Vec<u8>> = std::sync::OnceLock::new();
    let bytes = EMPTY.get_or_init(|| fst::MapBuilder::memory().into_inner().unwrap_or_default());
    fst::Map::new(bytes.as_slice()).unwrap_or_else(|_| unreachable!("an empty fst is valid"))
}

/// Checks that a section holds a valid `fst::Map`.
///
/// `fst::Map::new` reads only the header and footer, and walking a map whose
/// nodes are corrupt panics inside `fst` (an index out of bounds). The
/// file's CRC-32 catches accidental damage, but a file whose CRC was
/// recomputed over damaged bytes got through (found by the `artifact_open`
/// fuzz target), so the map's own checksum, written by `fst` 0.4, is
/// verified too.
pub fn check_fst(bytes: &[u8], tag: &[u8; 4]) -> Result<(), ArtifactError> {
    let map = fst::Map::new(bytes).map_err(|e| ArtifactError::section(tag, e.to_string()))?;
    map.as_fst()
        .verify()
        .map_err(|e| ArtifactError::section(tag, e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Vec<u8> {
        let mut w = ArtifactWriter::new(*b"TEST", "FY2026");
        let mut pool = StrPoolBuilder::default();
        assert_eq!(pool.add("alpha"), 1);
        assert_eq!(pool.add("béta"), 2);
        assert_eq!(pool.add("alpha"), 1);
        pool.write(&mut w, *b"POFF", *b"PSTR");
        let mut rows = RowsBuilder::new(2);
        rows.push(&[1, 2]);
        rows.push(&[3, NONE]);
        w.section(*b"ROWS", rows.to_bytes());
        w.finish()
    }

    #[test]
    fn write_then_read() {
        let bytes = sample();
        let layout = Layout::read(&bytes, *b"TEST").unwrap();
        assert_eq!(layout.release, "FY2026");
        let (o, s) = (
            layout.section(b"POFF").unwrap(),
            layout.section(b"PSTR").unwrap(),
        );
        let offsets = StrPool::offsets(&bytes[o], &bytes[s.clone()], b"PSTR").unwrap();
        let pool = StrPool::new(&offsets, &bytes[s]);
        assert_eq!(
            (pool.get(0), pool.get(1), pool.get(2), pool.get(99)),
            ("", "alpha", "béta", "")
        );
        let rows = Rows::new(&bytes[layout.section(b"ROWS").unwrap()], 2, b"ROWS").unwrap();
        assert_eq!(
            (
                rows.len(),
                rows.get(0, 1),
                rows.get(1, 1),
                rows.get(2, 0),
                rows.get(0, 5)
            ),
            (2, 2, NONE, NONE, NONE)
        );
        assert!(layout.section(b"NOPE").is_err());
    }

    #[test]
    fn every_damage_is_a_typed_error() {
        let good = sample();
        assert_eq!(
            Layout::read(b"<html>", *b"TEST").unwrap_err(),
            ArtifactError::BadMagic
        );
        assert_eq!(
            Layout::read(b"ICDD", *b"TEST").unwrap_err(),
            ArtifactError::Truncated { len: 4 }
        );
        assert!(matches!(
            Layout::read(&good, *b"TABL"),
            Err(ArtifactError::Kind { .. })
        ));
        let mut old = good.clone();
        old[8] = 0;
        assert!(matches!(
            Layout::read(&old, *b"TEST"),
            Err(ArtifactError::Version { found: 0, .. })
        ));
        let mut flipped = good.clone();
        let last = flipped.len() - 1;
        flipped[last] ^= 1;
        assert!(matches!(
            Layout::read(&flipped, *b"TEST"),
            Err(ArtifactError::Checksum { .. })
        ));
        for cut in 0..good.len() {
            assert!(
                Layout::read(&good[..cut], *b"TEST").is_err(),
                "cut at {cut}"
            );
        }
    }

    proptest::proptest! {
        #[test]
        fn rows_round_trip_with_planes(
            rows in proptest::collection::vec(proptest::collection::vec(proptest::num::u32::ANY, 3), 0..40),
            mask in 0u32..8,
        ) {
            let planes = Planes::of(&(0..3).filter(|c| mask & (1 << c) != 0).collect::<Vec<_>>());
            let mut b = RowsBuilder::new(3);
            for r in &rows {
                b.push(r);
            }
            let bytes = b.to_bytes_with(planes);
            proptest::prop_assert_eq!(bytes.len(), b.to_bytes().len());
            let view = Rows::new(&bytes, 3, b"ROWS").unwrap().planes(planes);
            for (i, r) in rows.iter().enumerate() {
                for (c, v) in r.iter().enumerate() {
                    proptest::prop_assert_eq!(view.get(i as u32, c), *v);
                }
            }
            proptest::prop_assert_eq!(view.get(rows.len() as u32, 0), NONE);
        }

        #[test]
        fn garbage_never_panics(bytes in proptest::collection::vec(proptest::num::u8::ANY, 0..200)) {
            let _ = Layout::read(&bytes, *b"TEST");
        }

        #[test]
        fn pools_round_trip(strings in proptest::collection::vec("\\PC{0,8}", 0..30)) {
            let mut pool = StrPoolBuilder::default();
            let ids: Vec<u32> = strings.iter().map(|s| pool.add(s)).collect();
            let mut w = ArtifactWriter::new(*b"TEST", "x");
            pool.write(&mut w, *b"POFF", *b"PSTR");
            let bytes = w.finish();
            let layout = Layout::read(&bytes, *b"TEST").unwrap();
            let (o, s) = (layout.section(b"POFF").unwrap(), layout.section(b"PSTR").unwrap());
            let offsets = StrPool::offsets(&bytes[o], &bytes[s.clone()], b"PSTR").unwrap();
            let view = StrPool::new(&offsets, &bytes[s]);
            for (s, id) in strings.iter().zip(ids) {
                proptest::prop_assert_eq!(view.get(id), s.as_str());
            }
        }
    }
}
