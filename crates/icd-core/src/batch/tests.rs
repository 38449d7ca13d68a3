use super::*;

/// Reads `text` pushed in chunks of `size` bytes (at char boundaries).
fn chunked(text: &str, format: Format, size: usize) -> Vec<Item> {
    let mut imp = Importer::new(format);
    let mut out = Vec::new();
    let mut start = 0;
    while start < text.len() {
        let mut end = (start + size).min(text.len());
        while !text.is_char_boundary(end) {
            end += 1;
        }
        imp.push(&text[start..end], &mut out);
        start = end;
    }
    imp.finish(&mut out);
    out
}

/// One line per item: the place and the record's JSON, or the reason (the
/// FHIR and HL7 readers' snapshots).
pub(super) fn json_summary(items: &[Item]) -> String {
    items
        .iter()
        .map(|i| match i {
            Item::Record { place, record } => {
                format!("{place}: {}", serde_json::to_string(record).unwrap())
            }
            Item::Claim { place, .. } => format!("{place}: a claim"),
            Item::Broken { place, reason } => format!("{place}: broken: {reason}"),
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// A comparable summary of items: place and record id, or place and reason.
fn summary(items: &[Item]) -> Vec<String> {
    items
        .iter()
        .map(|i| match i {
            Item::Record { place, record } => format!(
                "{place}: record {} pdx {} sdx {} px {}",
                record.id.as_ref().map_or("-", |t| t.as_str()),
                record
                    .principal_dx
                    .as_ref()
                    .map_or("-", |d| d.code.as_str()),
                record.secondary_dx.len(),
                record.procedures.len()
            ),
            Item::Claim { place, claim } => format!("{place}: claim {}", claim.pdx.code),
            Item::Broken { place, reason } => format!("{place}: broken {reason}"),
        })
        .collect()
}

const CSV: &str = "id,principal_dx,secondary_dx,procedures,reason_for_visit\n\
A1,I21.4:Y,E11.9:Y;I10:Y,02703DZ:2026-04-03,chest pain\n\
\n\
A2,J18.9,,,\"cough, fever\nand chills\"\n\
A3,I10,x,y,z,too,many\n\
A4,N17.9,,,\n";

const JSONL: &str = "{\"id\": \"A1\", \"principal_dx\": {\"code\": \"I21.4\"}}\n\
{\"id\": \"A2\", \"principal_dx\": {\"code\": \n\
{\"id\": \"A3\", \"secondary_dx\": [{\"code\": \"I10\"}]}\n\
[1]\n\
\n\
{\"id\": 4}\n";

/// A quote inside a field is a character, not the start of a quoted field
/// (as the csv reader reads it), so it must not hide the line ends after it.
const STRAY_QUOTE: &str = "id,na\"me,principal_dx\nA1,x\"y,I10\nA2,\"y, z\",E11.9\r\nA3,,N17.9";

const PRETTY: &str =
    "{\n  \"id\": \"A1\",\n  \"principal_dx\": {\"code\": \"I21.4\"}\n}\n{\n  \"id\": \"A2\"\n}\n";

#[test]
fn csv_rows_with_places_and_reasons() {
    let got = summary(&read(CSV, Format::Csv));
    assert_eq!(
        got,
        [
            "line 2: record A1 pdx I21.4 sdx 2 px 1",
            "line 4: record A2 pdx J18.9 sdx 0 px 0",
            "line 6: broken the row has 7 fields but the header has 5; quote a field that holds a comma",
            "line 7: record A4 pdx N17.9 sdx 0 px 0",
        ]
    );
}

#[test]
fn json_lines_lose_only_the_broken_line() {
    let got = summary(&read(JSONL, Format::Record));
    assert_eq!(got.len(), 5, "{got:#?}");
    assert_eq!(got[0], "line 1: record A1 pdx I21.4 sdx 0 px 0");
    assert!(got[1].starts_with("line 2: broken not JSON"), "{}", got[1]);
    assert_eq!(got[2], "line 3: record A3 pdx - sdx 1 px 0");
    assert!(
        got[3].starts_with("entry 1 (line 4): broken not a record"),
        "{}",
        got[3]
    );
    assert_eq!(got[4], "line 6: record 4 pdx - sdx 0 px 0");
}

#[test]
fn a_stray_quote_is_a_character() {
    let got = summary(&read(STRAY_QUOTE, Format::Csv));
    assert_eq!(
        got,
        [
            "line 2: record A1 pdx I10 sdx 0 px 0",
            "line 3: record A2 pdx E11.9 sdx 0 px 0",
            "line 4: record A3 pdx N17.9 sdx 0 px 0",
        ]
    );
}

#[test]
fn pretty_values_one_after_another() {
    let got = summary(&read(PRETTY, Format::Record));
    assert_eq!(
        got,
        [
            "line 1: record A1 pdx I21.4 sdx 0 px 0",
            "line 5: record A2 pdx - sdx 0 px 0"
        ]
    );
}

#[test]
fn an_array_is_entries() {
    // Each entry is placed on the line it starts on; a string with brackets,
    // commas and escaped quotes does not move the count.
    let text = "[\n{\"id\": \"A1\"},\n{\"id\": \"A2\",\n \"patient\": {\"name\": \"[a, \\\"b\\\"], {c}\"}},\n\n  {\"id\": \"A3\"}, {\"id\": \"A4\"}\n]\n";
    let got = summary(&read(text, Format::Record));
    assert_eq!(
        got,
        [
            "entry 1 (line 2): record A1 pdx - sdx 0 px 0",
            "entry 2 (line 3): record A2 pdx - sdx 0 px 0",
            "entry 3 (line 6): record A3 pdx - sdx 0 px 0",
            "entry 4 (line 6): record A4 pdx - sdx 0 px 0"
        ]
    );
    for size in [1, 5, 17] {
        assert_eq!(
            summary(&chunked(text, Format::Record, size)),
            got,
            "in chunks of {size}"
        );
    }
}

#[test]
fn a_file_cut_inside_a_value_says_so() {
    let got = summary(&read(
        "{\"id\": \"A1\",\n \"principal_dx\":",
        Format::Record,
    ));
    assert_eq!(
        got,
        ["line 1: broken not JSON: the file ends inside a value"]
    );
}

#[test]
fn chunk_size_does_not_change_what_is_read() {
    for (text, format) in [
        (CSV, Format::Csv),
        (JSONL, Format::Record),
        (PRETTY, Format::Record),
        (STRAY_QUOTE, Format::Csv),
        ("id\tprincipal_dx\nA1\tI10\n", Format::Csv),
    ] {
        let whole = summary(&read(text, format));
        for size in [1, 2, 3, 7, 16, 64] {
            assert_eq!(
                summary(&chunked(text, format, size)),
                whole,
                "{format} in chunks of {size}"
            );
        }
    }
}

#[test]
fn a_byte_order_mark_is_skipped() {
    let got = summary(&read("\u{feff}id,principal_dx\nA1,I10\n", Format::Csv));
    assert_eq!(got, ["line 2: record A1 pdx I10 sdx 0 px 0"]);
}

#[test]
fn tab_separated_and_mapped_columns() {
    let text = "Account\tPDX\tDX2\tDX3\nA1\tI10\tE11.9:Y\tN18.4\n";
    let map = ColumnMap {
        columns: vec![
            ("account".into(), "id".into()),
            ("pdx".into(), "principal_dx".into()),
            ("dx2".into(), "secondary_dx".into()),
            ("dx3".into(), "secondary_dx".into()),
        ],
    };
    let mut imp = Importer::new(Format::Csv).with_columns(map);
    let mut out = Vec::new();
    imp.push(text, &mut out);
    imp.finish(&mut out);
    assert_eq!(summary(&out), ["line 2: record A1 pdx I10 sdx 2 px 0"]);
    assert_eq!(imp.csv_header().unwrap(), ["account", "pdx", "dx2", "dx3"]);
}

#[test]
fn formats_are_guessed_from_name_and_content() {
    let cases = [
        ("a.csv", "{", Format::Csv),
        ("a.txt", "MSH|^~\\&|", Format::Hl7),
        ("a.json", "{\"resourceType\": \"Bundle\"", Format::Fhir),
        ("a.jsonl", "{\"id\": \"A1\"}", Format::Record),
        (
            "a.jsonl",
            "{\"discharge_date\": 20250601, \"pdx\": {}}",
            Format::Claim,
        ),
        ("a", "id,principal_dx", Format::Csv),
    ];
    for (name, start, want) in cases {
        assert_eq!(Format::guess(name, start), want, "{name} {start}");
    }
    for f in Format::ALL {
        assert_eq!(Format::parse(f.name()), Some(f));
    }
}

/// Found by the `record_json` fuzz target: `[49E13999` is out of range at
/// column 10, `[49E1399999` at column 11; the reader waits for the line to
/// end before it reports an error on it.
#[test]
fn an_error_at_a_chunk_end_waits_for_the_line() {
    let text = "9  [49E1399999E0854]\n{\"id\": \"A1\"}\n";
    let whole = summary(&read(text, Format::Record));
    for size in 1..=text.len() {
        assert_eq!(
            summary(&chunked(text, Format::Record, size)),
            whole,
            "chunks of {size}"
        );
    }
}
