//! [`Engine`]: the one façade the app's worker and the CLI talk to.
//!
//! It opens artifacts as they arrive ([`Engine::add`]), from whatever
//! loader its owner has: the CLI reads files, the worker fetches them. It
//! owns the [`Library`], the search index, the CC/MCC tables and the
//! record check's caches, and borrows nothing, so it can live in a worker
//! for the life of the page. A request whose artifacts are not loaded yet
//! gets [`NotLoaded`], naming them; [`Engine::missing`] says what to fetch
//! first for a capability, which is how the worker loads on demand.
//!
//! ```
//! use icd_core::registry::Capability;
//! use icd_core::Engine;
//! let engine: Engine<Vec<u8>> = Engine::new();
//! let first: Vec<&str> = engine.missing(Capability::Search).iter().map(|a| a.file).collect();
//! assert_eq!(first.len(), 7); // the library's six and the search index
//! assert!(engine.search("chf", &Default::default()).is_err());
//! ```

use crate::drg::DrgTables;
use crate::lookup::{CodeReport, LookupError, OpenError};
use crate::pcs::Pcs;
use crate::record::ccmcc::CcMcc;
use crate::record::{CheckCache, Checker, Finding, Record};
use crate::registry::{self, ArtifactId, ArtifactSpec, Capability};
use crate::search::{NoteReading, Options, SearchIndex, StatementResult};
use crate::validate::CodeCheck;
use crate::{Artifacts, Code, Date, Library};

/// A request needs artifacts that are not loaded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{} not loaded yet: load {} first (`icd build-index` writes them)", capability_name(*.capability), .files.join(", "))]
pub struct NotLoaded {
    /// What was asked.
    pub capability: Capability,
    /// The files it still needs, in fetch order.
    pub files: Vec<&'static str>,
}

fn capability_name(c: Capability) -> &'static str {
    match c {
        Capability::Browse => "the code tables are",
        Capability::Search => "search is",
        Capability::Check => "the record check is",
        Capability::Group => "MS-DRG grouping is",
        Capability::Pcs => "ICD-10-PCS is",
    }
}

/// Everything the app and the CLI answer from. See the [module docs](self).
#[derive(Debug)]
pub struct Engine<D> {
    /// The library's six files until all have arrived.
    parts: [Option<D>; 6],
    lib: Option<Library<D>>,
    search: Option<SearchIndex<D>>,
    ccmcc: Option<CcMcc<D>>,
    drg: Option<DrgTables<D>>,
    pcs: Option<Pcs<D>>,
    cache: Option<CheckCache>,
}

impl<D: AsRef<[u8]>> Default for Engine<D> {
    fn default() -> Self {
        Engine::new()
    }
}

impl<D: AsRef<[u8]>> Engine<D> {
    /// An engine with nothing loaded.
    pub fn new() -> Engine<D> {
        Engine {
            parts: [None, None, None, None, None, None],
            lib: None,
            search: None,
            ccmcc: None,
            drg: None,
            pcs: None,
            cache: None,
        }
    }

    /// Opens every artifact `load` returns: `Ok(None)` means the file is
    /// not there, which fails only for a required one.
    pub fn open<E>(
        mut load: impl FnMut(&'static ArtifactSpec) -> Result<Option<D>, E>,
    ) -> Result<Engine<D>, EngineError<E>> {
        let mut engine = Engine::new();
        for spec in &registry::ARTIFACTS {
            match load(spec).map_err(EngineError::Load)? {
                Some(bytes) => engine.add(spec.id, bytes).map_err(EngineError::Open)?,
                None if spec.required => return Err(EngineError::Missing(spec.file)),
                None => {}
            }
        }
        Ok(engine)
    }

    /// Opens one artifact. The library opens when the last of its six
    /// arrives; an artifact added again replaces the one before.
    pub fn add(&mut self, id: ArtifactId, bytes: D) -> Result<(), OpenError> {
        let err = |source| OpenError {
            file: registry::spec(id).file,
            source,
        };
        let part = match id {
            ArtifactId::Tabular => 0,
            ArtifactId::Index => 1,
            ArtifactId::Eindex => 2,
            ArtifactId::Neoplasm => 3,
            ArtifactId::Drug => 4,
            ArtifactId::Mce => 5,
            ArtifactId::Search => {
                self.search = Some(SearchIndex::open(bytes).map_err(err)?);
                return Ok(());
            }
            ArtifactId::CcMcc => {
                self.ccmcc = Some(CcMcc::open(bytes).map_err(err)?);
                return Ok(());
            }
            ArtifactId::Drg => {
                self.drg = Some(DrgTables::open(bytes).map_err(err)?);
                return Ok(());
            }
            ArtifactId::Pcs => {
                self.pcs = Some(Pcs::open(bytes).map_err(err)?);
                return Ok(());
            }
        };
        self.parts[part] = Some(bytes);
        if self.parts.iter().all(Option::is_some) {
            let files: Vec<D> = std::mem::take(&mut self.parts)
                .into_iter()
                .flatten()
                .collect();
            let artifacts =
                Artifacts::from_files(files).unwrap_or_else(|| unreachable!("all six are there"));
            let lib = Library::open(artifacts)?;
            self.cache = Some(CheckCache::new(&lib));
            self.lib = Some(lib);
        }
        Ok(())
    }

    /// Whether `id` is open.
    pub fn has(&self, id: ArtifactId) -> bool {
        match id {
            ArtifactId::Search => self.search.is_some(),
            ArtifactId::CcMcc => self.ccmcc.is_some(),
            ArtifactId::Drg => self.drg.is_some(),
            ArtifactId::Pcs => self.pcs.is_some(),
            _ => self.lib.is_some(),
        }
    }

    /// The artifacts `capability` reads that are not open, in fetch order.
    pub fn missing(&self, capability: Capability) -> Vec<&'static ArtifactSpec> {
        registry::needed_for(capability)
            .filter(|a| !self.has(a.id))
            .collect()
    }

    /// The required artifacts `capability` still lacks, as an error.
    fn need(&self, capability: Capability) -> Result<(), NotLoaded> {
        let files: Vec<&'static str> = self
            .missing(capability)
            .into_iter()
            .filter(|a| a.required)
            .map(|a| a.file)
            .collect();
        if files.is_empty() {
            Ok(())
        } else {
            Err(NotLoaded { capability, files })
        }
    }

    /// The library, once its six files are open.
    pub fn library(&self) -> Result<&Library<D>, NotLoaded> {
        self.need(Capability::Browse)?;
        self.lib.as_ref().ok_or_else(|| unreachable!("checked"))
    }

    /// The library and the search index.
    pub fn search_parts(&self) -> Result<(&Library<D>, &SearchIndex<D>), NotLoaded> {
        self.need(Capability::Search)?;
        match (&self.lib, &self.search) {
            (Some(l), Some(s)) => Ok((l, s)),
            _ => unreachable!("checked"),
        }
    }

    /// The CC/MCC tables, when they are loaded.
    pub fn ccmcc(&self) -> Option<&CcMcc<D>> {
        self.ccmcc.as_ref()
    }

    /// The MS-DRG grouper tables: the one artifact grouping cannot do
    /// without, optional for everything else.
    pub fn drg(&self) -> Result<&DrgTables<D>, NotLoaded> {
        self.drg.as_ref().ok_or(NotLoaded {
            capability: Capability::Group,
            files: vec![registry::file(ArtifactId::Drg)],
        })
    }

    /// The ICD-10-PCS tables: the one artifact PCS cannot do without.
    pub fn pcs(&self) -> Result<&Pcs<D>, NotLoaded> {
        self.pcs.as_ref().ok_or(NotLoaded {
            capability: Capability::Pcs,
            files: vec![registry::file(ArtifactId::Pcs)],
        })
    }

    /// The data release of each open artifact: (title, release).
    pub fn releases(&self) -> Vec<(&'static str, &str)> {
        let mut out = self.lib.as_ref().map(Library::releases).unwrap_or_default();
        if let Some(s) = &self.search {
            out.push((registry::spec(ArtifactId::Search).title, s.release()));
        }
        if let Some(c) = &self.ccmcc {
            out.push((registry::spec(ArtifactId::CcMcc).title, c.release()));
        }
        if let Some(d) = &self.drg {
            out.push((registry::spec(ArtifactId::Drg).title, d.release()));
        }
        if let Some(p) = &self.pcs {
            out.push((registry::spec(ArtifactId::Pcs).title, p.release()));
        }
        out
    }

    /// Searches a query ([`crate::search::search`]).
    pub fn search(&self, query: &str, opts: &Options) -> Result<Vec<StatementResult>, NotLoaded> {
        let (lib, idx) = self.search_parts()?;
        Ok(crate::search::search(lib, idx, query, opts))
    }

    /// Reads a note ([`crate::search::read_note`]).
    pub fn read_note(&self, text: &str, opts: &Options) -> Result<NoteReading, NotLoaded> {
        let (lib, idx) = self.search_parts()?;
        Ok(crate::search::read_note(lib, idx, text, opts))
    }

    /// A code's full report ([`Library::lookup`]).
    pub fn lookup(
        &self,
        code: &Code,
        on: Option<Date>,
    ) -> Result<Result<CodeReport, LookupError>, NotLoaded> {
        Ok(self.library()?.lookup(code, on))
    }

    /// Checks pasted codes on a date of service ([`crate::validate::validate`]).
    pub fn validate(&self, pasted: &str, date: Date) -> Result<Vec<CodeCheck>, NotLoaded> {
        Ok(crate::validate::validate(self.library()?, pasted, date))
    }

    /// A record checker that keeps its caches in the engine, with CC/MCC
    /// capture when those tables are loaded and `today` for dates in the
    /// future. Make one per request or per batch: it is cheap, and what it
    /// learns stays for the next.
    pub fn checker(&self, today: Option<Date>) -> Result<Checker<'_, D>, NotLoaded> {
        let lib = self.library()?;
        let mut checker = match &self.cache {
            Some(cache) => Checker::with_cache(lib, cache),
            None => Checker::new(lib),
        };
        if let Some(t) = &self.ccmcc {
            checker = checker.with_ccmcc(t);
        }
        if let Some(today) = today {
            checker = checker.today(today);
        }
        Ok(checker)
    }

    /// The MS-DRG of an inpatient record with its drivers and what-if
    /// list, when the grouper tables are loaded; `None` for an outpatient
    /// record.
    pub fn group_record(
        &self,
        record: &Record,
    ) -> Result<Option<(crate::drg::Grouping, crate::drg::WhatIf)>, NotLoaded> {
        let tables = self.drg()?;
        if record.setting() == Some(crate::record::model::Setting::Outpatient) {
            return Ok(None);
        }
        let claim = crate::drg::Claim::from_record(record, crate::drg::HospitalStatus::default());
        Ok(Some((tables.group(&claim), tables.what_if(&claim))))
    }

    /// The MS-DRG of an inpatient record without the what-if list (which
    /// groups the record once more per CC/MCC and per procedure): what a
    /// batch needs. `None` for an outpatient record; the claim is the one
    /// [`Engine::group_record`] groups.
    pub fn grouping(&self, record: &Record) -> Result<Option<crate::drg::Grouping>, NotLoaded> {
        let tables = self.drg()?;
        if record.setting() == Some(crate::record::model::Setting::Outpatient) {
            return Ok(None);
        }
        let claim = crate::drg::Claim::from_record(record, crate::drg::HospitalStatus::default());
        Ok(Some(tables.group(&claim)))
    }

    /// Every finding on one record ([`Checker::check`]).
    pub fn check(&self, record: &Record, today: Option<Date>) -> Result<Vec<Finding>, NotLoaded> {
        Ok(self.checker(today)?.check(record))
    }
}

/// Why [`Engine::open`] failed.
#[derive(Debug, thiserror::Error)]
pub enum EngineError<E> {
    /// The loader failed.
    #[error("{0}")]
    Load(E),
    /// A required artifact is not there.
    #[error("{0} is missing: build the artifacts with `icd build-index`")]
    Missing(&'static str),
    /// An artifact did not open.
    #[error(transparent)]
    Open(#[from] OpenError),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_empty_engine_names_what_each_capability_needs() {
        let e: Engine<Vec<u8>> = Engine::new();
        assert_eq!(e.missing(Capability::Browse).len(), 6);
        assert_eq!(e.missing(Capability::Check).len(), 8);
        assert_eq!(e.drg().unwrap_err().files, ["drg.icdx"]);
        let err = e.library().unwrap_err();
        assert_eq!(err.files.len(), 6);
        assert!(err.to_string().contains("tabular.icdx"), "{err}");
        // CC/MCC is optional: the check needs only the library.
        assert_eq!(
            e.check(&Record::default(), None).unwrap_err().files.len(),
            6
        );
    }

    #[test]
    fn a_damaged_artifact_is_refused_with_its_file_name() {
        let mut e: Engine<Vec<u8>> = Engine::new();
        let err = e
            .add(ArtifactId::Search, b"not an artifact".to_vec())
            .unwrap_err();
        assert_eq!(err.file, "search.icdx");
        assert!(!e.has(ArtifactId::Search));
        let err = e.add(ArtifactId::Tabular, Vec::new());
        // The library waits for its six before opening.
        assert!(err.is_ok());
        assert!(!e.has(ArtifactId::Tabular));
    }

    #[test]
    fn a_required_file_the_loader_lacks_fails_open_and_an_optional_one_does_not() {
        let r = Engine::<Vec<u8>>::open(|spec| {
            Ok::<_, String>((spec.id == ArtifactId::CcMcc).then(Vec::new))
        });
        match r {
            Err(EngineError::Missing(f)) => assert_eq!(f, "tabular.icdx"),
            other => panic!("{other:?}"),
        }
        let r =
            Engine::<Vec<u8>>::open(|spec| Err::<Option<Vec<u8>>, _>(format!("no {}", spec.file)));
        assert_eq!(r.unwrap_err().to_string(), "no tabular.icdx");
    }
}
