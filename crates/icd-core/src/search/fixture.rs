//! A tiny library for the search's unit tests: a few Tabular List
//! categories written as the XML has them, an Alphabetic Index that leads
//! to them, and three abbreviations. Each part of the search is tested on
//! it beside its code, so ranking is never tested only through the full
//! data from another crate.
//!
//! Caveat: it is small on purpose; a test that needs a new code adds it
//! here with the index term that reaches it.

use std::sync::OnceLock;

use crate::lookup::{Artifacts, Library};
use crate::mce::MceSource;
use crate::search::SearchIndex;
use crate::tabular::{SourceKind, SourceNode, TabularSource};
use crate::terms::{SourceTerm, TermSource};

/// The fixture's library and its search index.
pub(super) type Fixture = (Library<Vec<u8>>, SearchIndex<Vec<u8>>);

/// The library and its search index, built once.
pub(super) fn lib() -> &'static Fixture {
    static LIB: OnceLock<Fixture> = OnceLock::new();
    LIB.get_or_init(|| {
        let tabular = TabularSource {
            release: "fixture".into(),
            chapters: vec![chapter()],
        }
        .build(|_| true)
        .expect("the fixture's tabular builds")
        .bytes;
        let terms = |title: &str, terms: Vec<SourceTerm>| {
            TermSource {
                release: "fixture".into(),
                title: title.into(),
                columns: vec![],
                key_all_levels: false,
                terms,
            }
            .build()
            .expect("the fixture's index builds")
        };
        let mce = MceSource {
            release: "fixture".into(),
            dx: vec![],
            sg: vec![],
            ages: vec![],
            discharge: vec![],
        }
        .build();
        let lib = Library::open(Artifacts {
            tabular,
            index: terms("Alphabetic Index", index()),
            eindex: terms("External Cause Index", vec![]),
            neoplasm: terms("Table of Neoplasms", vec![]),
            drug: terms("Table of Drugs and Chemicals", vec![]),
            mce,
        })
        .expect("the fixture opens");
        let abbreviations = "CHF\tcongestive heart failure\n\
                             MS\tmultiple sclerosis | mitral stenosis\n\
                             AS\taortic stenosis\tcollides with English word\n";
        let idx = SearchIndex::open(super::build(&lib, abbreviations, "fixture"))
            .expect("the fixture's search index opens");
        (lib, idx)
    })
}

fn node(key: &str, title: &str, kids: Vec<SourceNode>) -> SourceNode {
    let kind = if key.contains('-') {
        SourceKind::Block
    } else {
        SourceKind::Diag
    };
    let mut n = SourceNode::new(kind, key, title);
    n.children = kids;
    n
}

fn leaf(key: &str, title: &str) -> SourceNode {
    node(key, title, vec![])
}

fn chapter() -> SourceNode {
    let mut torus = node(
        "S52.52",
        "Torus fracture of lower end of radius",
        vec![
            leaf("S52.521", "Torus fracture of lower end of right radius"),
            leaf("S52.522", "Torus fracture of lower end of left radius"),
            leaf(
                "S52.529",
                "Torus fracture of lower end of unspecified radius",
            ),
        ],
    );
    torus.seventh = vec![
        ('A', "initial encounter for closed fracture".into()),
        (
            'D',
            "subsequent encounter for fracture with routine healing".into(),
        ),
        ('S', "sequela".into()),
    ];
    let heart = node(
        "I30-I5A",
        "Other forms of heart disease",
        vec![node(
            "I50",
            "Heart failure",
            vec![
                node(
                    "I50.2",
                    "Systolic (congestive) heart failure",
                    vec![
                        leaf("I50.20", "Unspecified systolic (congestive) heart failure"),
                        leaf("I50.21", "Acute systolic (congestive) heart failure"),
                        leaf("I50.22", "Chronic systolic (congestive) heart failure"),
                        leaf(
                            "I50.23",
                            "Acute on chronic systolic (congestive) heart failure",
                        ),
                    ],
                ),
                leaf("I50.9", "Heart failure, unspecified"),
            ],
        )],
    );
    let valves = node(
        "I05-I09",
        "Chronic rheumatic heart diseases",
        vec![node(
            "I05",
            "Rheumatic mitral valve diseases",
            vec![leaf("I05.0", "Rheumatic mitral stenosis")],
        )],
    );
    let nerves = node(
        "G35-G37",
        "Demyelinating diseases of the central nervous system",
        vec![leaf("G35", "Multiple sclerosis")],
    );
    let injury = node(
        "S50-S59",
        "Injuries to the elbow and forearm",
        vec![node(
            "S52",
            "Fracture of forearm",
            vec![node(
                "S52.5",
                "Fracture of lower end of radius",
                vec![torus],
            )],
        )],
    );
    let mut ch = SourceNode::new(SourceKind::Chapter, "1", "All of it");
    ch.children = vec![nerves, valves, heart, injury];
    ch
}

/// The index in preorder: `(level, term, code)`.
fn index() -> Vec<SourceTerm> {
    [
        (0, "Failure, failed", ""),
        (1, "heart", "I50.9"),
        (2, "congestive", "I50.9"),
        (2, "systolic", "I50.2-"),
        (0, "Fracture, traumatic", ""),
        (1, "radius", ""),
        (2, "torus", "S52.52-"),
        (0, "Sclerosis, sclerotic", ""),
        (1, "multiple", "G35"),
        (0, "Stenosis, stenotic", ""),
        (1, "mitral", "I05.0"),
    ]
    .into_iter()
    .map(|(level, title, code)| SourceTerm {
        level,
        title: title.into(),
        code: code.into(),
        ..Default::default()
    })
    .collect()
}
