//! `icd lookup`, `icd validate` and `icd search` on ICD-10-PCS codes and tables (and the search's exit status), end to
//! end, with artifacts built from `../shared/data` (or `ICD_DATA_DIR`) into a
//! temporary folder. Snapshots update with `UPDATE_EXPECT=1`.

mod common;
use common::*;

use std::process::Command;

use expect_test::{expect, Expect};

/// Runs `icd ARGS --index DIR` and snapshots stdout, then stderr, then the exit status.
fn check(args: &[&str], expect: Expect) {
    let o = icd_with_index(args);
    let mut out = String::from_utf8_lossy(&o.stdout).into_owned();
    let err = String::from_utf8_lossy(&o.stderr);
    if !err.is_empty() {
        out.push_str(&format!("stderr: {err}"));
    }
    out.push_str(&format!("exit {}\n", o.status.code().unwrap_or(-1)));
    expect.assert_eq(&out);
}

#[test]
fn lookup_a_code_shows_axes_definitions_keys_and_validity() {
    check(
        &["lookup", "0DTJ4ZZ"],
        expect![[r#"
            0DTJ4ZZ  Resection of Appendix, Percutaneous Endoscopic Approach
              1 Section        0  Medical and Surgical
              2 Body System    D  Gastrointestinal System
              3 Operation      T  Resection
              4 Body Part      J  Appendix
              5 Approach       4  Percutaneous Endoscopic
              6 Device         Z  No Device
              7 Qualifier      Z  No Qualifier
            Root operation Resection: Cutting out or off, without replacement, all of a body part
              Includes: Total nephrectomy, total lobectomy of lung
            Approach Percutaneous Endoscopic: Entry, by puncture or minor incision, of instrumentation through the skin or mucous membrane and any other body layers necessary to reach and visualize the site of the procedure
            Body part key (Appendix): includes Appendiceal orifice; Vermiform appendix
              valid (MCE): 2015-10-01 to now
              MCE procedure flags: none
            exit 0
        "#]],
    );
}

#[test]
fn lookup_a_code_with_devices_shows_the_device_key_and_aggregation() {
    check(
        &["lookup", "02H63JZ", "--date", "2026-05-01"],
        expect![[r#"
            02H63JZ  Insertion of Cardiac Lead, Pacemaker into Right Atrium, Percutaneous Approach
              1 Section        0  Medical and Surgical
              2 Body System    2  Heart and Great Vessels
              3 Operation      H  Insertion
              4 Body Part      6  Atrium, Right
              5 Approach       3  Percutaneous
              6 Device         J  Cardiac Lead, Pacemaker
              7 Qualifier      Z  No Qualifier
            Root operation Insertion: Putting in a nonbiological appliance that monitors, assists, performs, or prevents a physiological function but does not physically take the place of a body part
              Includes: Insertion of radioactive implant, insertion of central venous catheter
            Approach Percutaneous: Entry, by puncture or minor incision, of instrumentation through the skin or mucous membrane and any other body layers necessary to reach the site of the procedure
            Body part key (Atrium, Right): includes Atrium dextrum cordis; Right auricular appendix; Sinus venosus
            Device key (Cardiac Lead, Pacemaker for Insertion in Heart and Great Vessels): includes ACUITY(tm) Steerable Lead; Attain Ability(R) lead; Attain StarFix(R) (OTW) lead; Cardiac resynchronization therapy (CRT) lead; Corox (OTW) Bipolar Lead
            Device aggregation: Cardiac Lead, Pacemaker (specific value for Insertion) aggregates to M Cardiac Lead in Heart and Great Vessels
              valid (MCE): 2015-10-01 to now
              on 2026-05-01: valid on 2026-05-01
              MCE procedure flags: none
            exit 0
        "#]],
    );
}

#[test]
fn lookup_shows_mce_procedure_flags() {
    check(
        &["lookup", "00F3XZZ"],
        expect![[r#"
            00F3XZZ  Fragmentation in Intracranial Epidural Space, External Approach
              1 Section        0  Medical and Surgical
              2 Body System    0  Central Nervous System and Cranial Nerves
              3 Operation      F  Fragmentation
              4 Body Part      3  Epidural Space, Intracranial
              5 Approach       X  External
              6 Device         Z  No Device
              7 Qualifier      Z  No Qualifier
            Root operation Fragmentation: Breaking solid matter in a body part into pieces
              Explanation: Physical force (e.g., manual, ultrasonic) applied directly or indirectly is used to break the solid matter into pieces. The solid matter may be an abnormal byproduct of a biological function or a foreign body. The pieces of solid matter are not taken out
              Includes: Extracorporeal shockwave lithotripsy, transurethral lithotripsy
            Approach External: Procedures performed directly on the skin or mucous membrane and procedures performed indirectly by the application of external force through the skin or mucous membrane
            Body part key (Epidural Space, Intracranial): includes Extradural space, intracranial
              valid (MCE): 2015-10-01 to now
              MCE procedure flags: noncovered
            exit 0
        "#]],
    );
}

#[test]
fn an_mce_only_code_is_valid_without_a_row_or_title() {
    check(
        &["lookup", "02HM3JZ", "--date", "2026-05-01"],
        expect![[r#"
            02HM3JZ  (no title in the Tables)
              02HM3JZ is listed by the MCE master (see its validity periods) but no row of the Tables allows it: a code of a later update than ICD-10-PCS Tables FY2026, Definitions FY2026, Index FY2025, so it has no title here
              valid (MCE): 2026-04-01 to now
              on 2026-05-01: valid on 2026-05-01
              MCE procedure flags: none
            exit 0
        "#]],
    );
}

#[test]
fn a_wrong_code_names_its_first_invalid_character() {
    check(
        &["lookup", "0DTJ3ZZ"],
        expect![[r#"
        stderr: error: 0DTJ3ZZ: character 5 ('3') is not allowed after 0DTJ; Approach allows 0 Open, 4 Percutaneous Endoscopic, 7 Via Natural or Artificial Opening, 8 Via Natural or Artificial Opening Endoscopic
        exit 2
    "#]],
    );
}

#[test]
fn lookup_a_table_shows_every_row() {
    check(
        &["lookup", "--pcs-table", "0DT"],
        expect![[r#"
        Table 0DT (106 codes in the rows shown)
          1 Section      0  Medical and Surgical
          2 Body System  D  Gastrointestinal System
          3 Operation    T  Resection
          Definition: Cutting out or off, without replacement, all of a body part
        Row 1 (68 codes)
          Body Part    1 Esophagus, Upper | 2 Esophagus, Middle | 3 Esophagus, Lower | 4 Esophagogastric Junction | 5 Esophagus | 6 Stomach | 7 Stomach, Pylorus | 8 Small Intestine | 9 Duodenum | A Jejunum | B Ileum | C Ileocecal Valve | E Large Intestine | H Cecum | K Ascending Colon | P Rectum | Q Anus
          Approach     0 Open | 4 Percutaneous Endoscopic | 7 Via Natural or Artificial Opening | 8 Via Natural or Artificial Opening Endoscopic
          Device       Z No Device
          Qualifier    Z No Qualifier
        Row 2 (6 codes)
          Body Part    F Large Intestine, Right | J Appendix
          Approach     0 Open | 7 Via Natural or Artificial Opening | 8 Via Natural or Artificial Opening Endoscopic
          Device       Z No Device
          Qualifier    Z No Qualifier
        Row 3 (4 codes)
          Body Part    F Large Intestine, Right | J Appendix
          Approach     4 Percutaneous Endoscopic
          Device       Z No Device
          Qualifier    G Hand-Assisted | Z No Qualifier
        Row 4 (16 codes)
          Body Part    G Large Intestine, Left | L Transverse Colon | M Descending Colon | N Sigmoid Colon
          Approach     0 Open | 7 Via Natural or Artificial Opening | 8 Via Natural or Artificial Opening Endoscopic | F Via Natural or Artificial Opening With Percutaneous Endoscopic Assistance
          Device       Z No Device
          Qualifier    Z No Qualifier
        Row 5 (8 codes)
          Body Part    G Large Intestine, Left | L Transverse Colon | M Descending Colon | N Sigmoid Colon
          Approach     4 Percutaneous Endoscopic
          Device       Z No Device
          Qualifier    G Hand-Assisted | Z No Qualifier
        Row 6 (4 codes)
          Body Part    R Anal Sphincter | U Omentum
          Approach     0 Open | 4 Percutaneous Endoscopic
          Device       Z No Device
          Qualifier    Z No Qualifier
        exit 0
    "#]],
    );
}

#[test]
fn lookup_a_partial_code_shows_the_rows_allowing_it() {
    check(
        &["lookup", "0DTJ"],
        expect![[r#"
        Table 0DT (10 codes in the rows shown)
          1 Section      0  Medical and Surgical
          2 Body System  D  Gastrointestinal System
          3 Operation    T  Resection
          Definition: Cutting out or off, without replacement, all of a body part
        Row 1 (6 codes)
          Body Part    F Large Intestine, Right | J Appendix
          Approach     0 Open | 7 Via Natural or Artificial Opening | 8 Via Natural or Artificial Opening Endoscopic
          Device       Z No Device
          Qualifier    Z No Qualifier
        Row 2 (4 codes)
          Body Part    F Large Intestine, Right | J Appendix
          Approach     4 Percutaneous Endoscopic
          Device       Z No Device
          Qualifier    G Hand-Assisted | Z No Qualifier
        exit 0
    "#]],
    );
}

#[test]
fn validate_accepts_pcs_beside_cm_codes() {
    check(
        &[
            "validate",
            "--date",
            "2026-05-01",
            "0DTJ4ZZ",
            "0dtj3zz",
            "02HM3JZ",
            "30233AZ",
            "E11.9",
        ],
        expect![[r#"
            0DTJ4ZZ    valid on 2026-05-01  Resection of Appendix, Percutaneous Endoscopic Approach
            0dtj3zz    INVALID: not an ICD-10-PCS code: 0DTJ3ZZ: character 5 ('3') is not allowed after 0DTJ; Approach allows 0 Open, 4 Percutaneous Endoscopic, 7 Via Natural or Artificial Opening, 8 Via Natural or Artificial Opening Endoscopic
            02HM3JZ    valid on 2026-05-01  (valid per the MCE master; no row or title in the ICD-10-PCS Tables)
            30233AZ    NOT VALID on 2026-05-01: ICD-10-PCS code valid 2015-10-01 to 2026-03-31  Transfusion of Stem Cells, Embryonic into Peripheral Vein, Percutaneous Approach
            E11.9      valid on 2026-05-01  Type 2 diabetes mellitus without complications
            exit 1
        "#]],
    );
}

#[test]
fn search_pcs_ranks_the_resection_first() {
    check(
        &[
            "search",
            "--system",
            "pcs",
            "--top",
            "3",
            "laparoscopic appendectomy",
        ],
        expect![[r#"
            0DTJ4ZZ  27.94  Resection of Appendix, Percutaneous Endoscopic Approach  [open: axis 6, 7 of table 0DT]
                      via Appendectomy (see Resection, Appendix)
            0DBJ4ZZ  27.44  Excision of Appendix, Percutaneous Endoscopic Approach  [open: axis 6, 7 of table 0DB]
                      via Appendectomy (see Excision, Appendix)
            0DTJ4ZG  27.39  Resection of Appendix, Hand-Assisted, Percutaneous Endoscopic Approach  [open: axis 6, 7 of table 0DT]
                      via Appendectomy (see Resection, Appendix)
            exit 0
        "#]],
    );
}

#[test]
fn search_pcs_reads_stdin_and_prints_json_lines() {
    use std::io::Write;
    let mut child = Command::new(env!("CARGO_BIN_EXE_icd"))
        .args(["search", "--system", "pcs", "--top", "2", "--index"])
        .arg(index())
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"laparoscopic appendectomy\nkidney transplant\n")
        .unwrap();
    let out = child.wait_with_output().unwrap();
    let lines: Vec<serde_json::Value> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[0]["query"], "laparoscopic appendectomy");
    assert_eq!(lines[0]["results"][0]["code"], "0DTJ4ZZ");
    assert_eq!(lines[1]["results"][0]["table"], "0TY");
    assert_eq!(lines[1]["results"].as_array().unwrap().len(), 2);
}

/// `icd search --json` exits 0 when it suggests something, also when it
/// assigns no code ("E11", a category, is suggested with its choices), and
/// 1 when it finds nothing; for both systems.
#[test]
fn search_json_exit_status_says_whether_anything_was_found() {
    let status = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_icd"))
            .arg("search")
            .args(args)
            .arg("--json")
            .arg("--index")
            .arg(index())
            .output()
            .unwrap()
            .status
            .code()
    };
    assert_eq!(status(&["E11"]), Some(0), "icd search E11 --json");
    assert_eq!(status(&["chf"]), Some(0), "icd search chf --json");
    assert_eq!(
        status(&["qqxzv wwkjh"]),
        Some(1),
        "a query that finds nothing"
    );
    assert_eq!(
        status(&["--system", "pcs", "laparoscopic appendectomy"]),
        Some(0),
        "a PCS search"
    );
}
