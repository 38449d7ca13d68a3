use super::*;

fn v(ch: char, label: &str) -> SourceValue {
    SourceValue {
        ch,
        label: label.into(),
    }
}

fn axis(pos: u8, title: &str, values: Vec<SourceValue>) -> SourceAxis {
    SourceAxis {
        pos,
        title: title.into(),
        values,
    }
}

/// Two tables of the gastrointestinal system, cut down from the real ones.
pub(crate) fn sample() -> PcsSource {
    let head = |op: char, label: &str| {
        [
            axis(1, "Section", vec![v('0', "Medical and Surgical")]),
            axis(2, "Body System", vec![v('D', "Gastrointestinal System")]),
            axis(3, "Operation", vec![v(op, label)]),
        ]
    };
    PcsSource {
        release: "test".into(),
        tables: vec![
            SourceTable {
                axes: head('B', "Excision"),
                definition: "Cutting out or off, without replacement, a portion of a body part"
                    .into(),
                rows: vec![[
                    axis(
                        4,
                        "Body Part",
                        vec![v('J', "Appendix"), v('N', "Sigmoid Colon")],
                    ),
                    axis(
                        5,
                        "Approach",
                        vec![v('0', "Open"), v('4', "Percutaneous Endoscopic")],
                    ),
                    axis(6, "Device", vec![v('Z', "No Device")]),
                    axis(
                        7,
                        "Qualifier",
                        vec![v('X', "Diagnostic"), v('Z', "No Qualifier")],
                    ),
                ]],
            },
            SourceTable {
                axes: head('T', "Resection"),
                definition: "Cutting out or off, without replacement, all of a body part".into(),
                rows: vec![
                    [
                        axis(4, "Body Part", vec![v('J', "Appendix")]),
                        axis(
                            5,
                            "Approach",
                            vec![v('0', "Open"), v('4', "Percutaneous Endoscopic")],
                        ),
                        axis(6, "Device", vec![v('Z', "No Device")]),
                        axis(7, "Qualifier", vec![v('Z', "No Qualifier")]),
                    ],
                    [
                        axis(4, "Body Part", vec![v('N', "Sigmoid Colon")]),
                        axis(
                            5,
                            "Approach",
                            vec![v('0', "Open"), v('7', "Via Natural or Artificial Opening")],
                        ),
                        axis(6, "Device", vec![v('Z', "No Device")]),
                        axis(7, "Qualifier", vec![v('Z', "No Qualifier")]),
                    ],
                ],
            },
        ],
        keys: vec![
            KeyEntry {
                section: '0',
                axis: 3,
                axis_title: "Operation".into(),
                titles: vec!["Resection".into()],
                definition: "Cutting out or off, without replacement, all of a body part".into(),
                explanation: String::new(),
                includes: vec!["Total nephrectomy, total lobectomy of lung".into()],
            },
            KeyEntry {
                section: '0',
                axis: 4,
                axis_title: "Body Part".into(),
                titles: vec!["Sigmoid Colon".into()],
                includes: vec!["Rectosigmoid junction".into(), "Sigmoid flexure".into()],
                ..Default::default()
            },
            KeyEntry {
                section: '0',
                axis: 5,
                axis_title: "Approach".into(),
                titles: vec!["Percutaneous Endoscopic".into()],
                definition: "Entry, by puncture or minor incision, of instrumentation".into(),
                ..Default::default()
            },
        ],
        aggregates: vec![Aggregate {
            device: "Cardiac Lead, Pacemaker".into(),
            operation: "Insertion".into(),
            body_systems: vec!["Heart and Great Vessels".into()],
            parent_ch: 'M',
            parent: "Cardiac Lead".into(),
        }],
        index: vec![
            IndexTerm {
                level: 0,
                title: "Appendectomy".into(),
                ..Default::default()
            },
            IndexTerm {
                level: 1,
                see: "Excision, Appendix".into(),
                code: "0DBJ".into(),
                ..Default::default()
            },
            IndexTerm {
                level: 1,
                see: "Resection, Appendix".into(),
                code: "0DTJ".into(),
                ..Default::default()
            },
            IndexTerm {
                level: 0,
                title: "Sigmoid flexure".into(),
                use_: "Sigmoid Colon".into(),
                ..Default::default()
            },
        ],
    }
}

fn code(s: &str) -> PcsCode {
    s.parse().unwrap()
}

#[test]
fn write_then_read() {
    let pcs = Pcs::open(sample().build().unwrap()).unwrap();
    assert_eq!(pcs.release(), "test");
    assert_eq!(
        (pcs.table_count(), pcs.row_count(), pcs.code_count()),
        (2, 3, 12)
    );
    let t = pcs.table("0dt").unwrap();
    assert_eq!(pcs.table_key(t), "0DT");
    assert_eq!(pcs.table_rows(t), 1..3);
    assert!(pcs.table("0DQ").is_none());
    let row = pcs.find(&code("0DTN7ZZ")).unwrap();
    assert_eq!(pcs.row_table(row), t);
    assert!(pcs.find(&code("0DTN4ZZ")).is_none());
    assert_eq!(
        pcs.title(&code("0DTJ4ZZ")).unwrap(),
        "Resection of Appendix, Percutaneous Endoscopic Approach"
    );
    assert_eq!(
        pcs.title(&code("0DBN0ZX")).unwrap(),
        "Excision of Sigmoid Colon, Open Approach, Diagnostic"
    );
    let axes = pcs.axes(&code("0DTJ4ZZ")).unwrap();
    assert_eq!(axes[4].label, "Percutaneous Endoscopic");
    assert_eq!(axes[3].title, "Body Part");
    assert_eq!(
        pcs.definition('0', 3, "Resection").unwrap().includes.len(),
        1
    );
    assert_eq!(
        pcs.key_entries('0', 4, "Sigmoid Colon", None)[0].includes[1],
        "Sigmoid flexure"
    );
    assert_eq!(
        pcs.keys_named("sigmoid flexure")[0].titles,
        ["Sigmoid Colon"]
    );
    assert_eq!(pcs.aggregates()[0].parent_ch, 'M');
    let main = pcs.index_main("appendectomy");
    assert_eq!(main, [IndexId(0)]);
    let kids = pcs.index_children(main[0]);
    assert_eq!(pcs.index_term(kids[1]).code, "0DTJ");
    assert_eq!(pcs.index_path(kids[1]), "Appendectomy");
}

#[test]
fn offered_values_narrow_with_the_prefix() {
    let pcs = Pcs::open(sample().build().unwrap()).unwrap();
    let chars = |p: &str| pcs.offered(p).iter().map(|o| o.ch).collect::<String>();
    assert_eq!(chars(""), "0");
    assert_eq!(chars("0D"), "BT");
    assert_eq!(chars("0DT"), "JN");
    assert_eq!(chars("0DTN"), "07");
    assert_eq!(chars("0DTJ"), "04");
    assert_eq!(chars("0DTJ4Z"), "Z");
    assert_eq!(chars("0DTJ4ZZ"), "");
    assert_eq!(chars("0DQ"), "");
    let op = &pcs.offered("0D")[1];
    assert!(op.definition.starts_with("Cutting out"));
    let ap = &pcs.offered("0DTJ")[1];
    assert!(ap.definition.starts_with("Entry, by puncture"));
    assert_eq!(
        pcs.offered("0DT")[1].includes,
        ["Rectosigmoid junction", "Sigmoid flexure"]
    );
}

#[test]
fn check_names_the_first_invalid_character() {
    let pcs = Pcs::open(sample().build().unwrap()).unwrap();
    assert!(pcs.check(&code("0DTJ4ZZ")).is_ok());
    let e = pcs.check(&code("0DTN4ZZ")).unwrap_err();
    assert_eq!((e.position, e.ch, e.axis.as_str()), (5, '4', "Approach"));
    assert_eq!(
        e.to_string(),
        "0DTN4ZZ: character 5 ('4') is not allowed after 0DTN; Approach allows 0 Open, 7 Via Natural or Artificial Opening"
    );
    let e = pcs.check(&code("1DTJ4ZZ")).unwrap_err();
    assert_eq!((e.position, e.prefix.as_str()), (1, "the start"));
}

#[test]
fn damage_is_a_typed_error() {
    let good = sample().build().unwrap();
    for cut in (0..good.len()).step_by(7) {
        assert!(Pcs::open(&good[..cut]).is_err(), "cut at {cut}");
    }
    let mut bad = good.clone();
    let last = bad.len() - 1;
    bad[last] ^= 1;
    assert!(matches!(
        Pcs::open(bad),
        Err(ArtifactError::Checksum { .. })
    ));
}

#[test]
fn bad_sources_are_refused() {
    let mut src = sample();
    src.tables.push(src.tables[0].clone());
    assert!(matches!(
        src.build(),
        Err(BuildError::DuplicateTable { .. })
    ));
    let mut src = sample();
    src.tables[0].rows[0][0].values[0].ch = 'O';
    assert!(matches!(src.build(), Err(BuildError::BadChar { .. })));
}

proptest::proptest! {
    #[test]
    fn garbage_never_panics(bytes in proptest::collection::vec(proptest::num::u8::ANY, 0..300)) {
        let _ = Pcs::open(bytes);
    }
}
