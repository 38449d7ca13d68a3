//! `icd sample`: synthetic coded encounters for measuring and for trying
//! the batch tools, with no patient in them.
//!
//! Every code is drawn from the built artifacts (the MCE diagnosis and
//! procedure tables: codes valid on the discharge date), with a fixed
//! pseudo-random generator, so `--seed` gives the same file on every
//! machine. The encounters are not clinically coherent: a principal
//! diagnosis and its secondaries are drawn independently, so the record
//! check finds what it would on careless coding (age and sex conflicts,
//! manifestation codes as principal) and the DRG mix is not a hospital's.
//! They are for speed, scale and the shape of the report, not for its
//! figures.
//!
//! ```text
//! icd sample --count 1000000 --seed 7 > claims.csv
//! icd report claims.csv
//! ```

use std::io::{BufWriter, Write};

use anyhow::Result;
use icd_core::mce::Table;
use icd_core::registry::Capability;
use icd_core::Date;
use serde_json::json;

use crate::IndexDir;

/// The output form.
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum SampleFormat {
    /// CSV with the header `icd check` reads.
    Csv,
    /// JSON Lines records.
    Record,
}

#[derive(clap::Args, Debug)]
pub struct Args {
    /// How many encounters.
    #[arg(long, default_value_t = 1000)]
    count: u64,
    /// Seed of the generator: the same seed gives the same file.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Output form.
    #[arg(long, value_enum, default_value = "csv")]
    format: SampleFormat,
    #[command(flatten)]
    index: IndexDir,
}

/// SplitMix64 (Steele, Lea and Flood 2014): small, fast, and the same
/// sequence everywhere, which is all a sample generator needs.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    /// A generator from a seed.
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    /// The next 64 bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (`n > 0`).
    pub fn below(&mut self, n: u64) -> u64 {
        // Lemire's multiply-shift: unbiased enough for samples.
        ((u128::from(self.next_u64()) * u128::from(n)) >> 64) as u64
    }

    /// True with probability `percent` / 100.
    pub fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }

    /// One of `items`.
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }
}

/// The codes encounters are drawn from: valid on every discharge date the
/// generator writes.
#[derive(Debug)]
pub struct Codes {
    /// ICD-10-CM diagnosis codes, no dot.
    pub dx: Vec<String>,
    /// ICD-10-PCS procedure codes.
    pub pcs: Vec<String>,
}

/// The first and last discharge dates written: inside FY2026 (October 1,
/// 2025 to September 30, 2026), the year the loaded tables cover.
const FIRST_DAY: (u32, u32, u32) = (2025, 10, 1);
const DAYS: u64 = 365;

/// Discharge statuses with rough weights (percent): home, SNF, home
/// health, transfer, AMA, expired, hospice.
const STATUSES: [(&str, u64); 8] = [
    ("01", 62),
    ("03", 12),
    ("06", 12),
    ("02", 3),
    ("07", 2),
    ("20", 3),
    ("50", 2),
    ("62", 4),
];

impl Codes {
    /// The codes of the MCE tables valid throughout FY2026.
    pub fn from_engine(engine: &icd_core::Engine<Vec<u8>>) -> Result<Codes> {
        let mce = &engine.library()?.mce;
        let first = Date::from_ymd(FIRST_DAY.0, FIRST_DAY.1, FIRST_DAY.2)
            .unwrap_or_else(|| unreachable!("a real day"));
        let last = Date::from_ymd(2026, 9, 30).unwrap_or_else(|| unreachable!("a real day"));
        let valid = |table: Table| -> Vec<String> {
            mce.codes(table)
                .into_iter()
                .filter(|c| {
                    mce.periods(table, c)
                        .iter()
                        .any(|p| p.contains(first) && p.contains(last))
                })
                .collect()
        };
        let codes = Codes {
            dx: valid(Table::Dx),
            pcs: valid(Table::Sg),
        };
        anyhow::ensure!(
            !codes.dx.is_empty() && !codes.pcs.is_empty(),
            "the MCE tables list no code valid in FY2026: rebuild the artifacts with `icd build-index`"
        );
        Ok(codes)
    }
}

/// One synthetic encounter as CSV fields, in [`HEADER`] order.
pub const HEADER: &str = "id,setting,age,sex,admission_date,admission_time,discharge_date,discharge_time,discharge_status,principal_dx,secondary_dx,procedures,mrn,attending,admitting_dx";

/// The fields of encounter `n`.
pub fn encounter(rng: &mut Rng, codes: &Codes, n: u64) -> [String; 15] {
    let outpatient = rng.chance(15);
    let first = Date::from_ymd(FIRST_DAY.0, FIRST_DAY.1, FIRST_DAY.2)
        .unwrap_or_else(|| unreachable!("a real day"));
    let mut discharge = first;
    for _ in 0..rng.below(DAYS) {
        discharge = discharge.next_day().unwrap_or(discharge);
    }
    let los = if outpatient { 0 } else { rng.below(8) };
    // The admission is `los` days before the discharge (the stay may
    // start before October 1: only the discharge date must be in FY2026).
    let admission = shift_back(discharge, los).unwrap_or(discharge);
    let time = |rng: &mut Rng| format!("{:02}:{:02}", rng.below(24), rng.below(60));
    let timed = rng.chance(70);
    let status = if outpatient {
        String::new()
    } else {
        let mut roll = rng.below(100);
        let mut s = STATUSES[0].0;
        for (code, weight) in STATUSES {
            if roll < weight {
                s = code;
                break;
            }
            roll -= weight;
        }
        s.to_string()
    };
    let poa = ["Y", "Y", "Y", "N", "U", "W"];
    let secondary: Vec<String> = (0..rng.below(if outpatient { 4 } else { 9 }))
        .map(|_| format!("{}:{}", rng.pick(&codes.dx), rng.pick(&poa)))
        .collect();
    let procedures: Vec<String> = if outpatient {
        Vec::new()
    } else {
        (0..rng.below(4))
            .map(|_| format!("{}:{}", rng.pick(&codes.pcs), admission))
            .collect()
    };
    let pdx = rng.pick(&codes.dx).clone();
    let (at, dt) = if timed {
        (time(rng), time(rng))
    } else {
        (String::new(), String::new())
    };
    [
        format!("S{n:07}"),
        if outpatient {
            "outpatient"
        } else {
            "inpatient"
        }
        .to_string(),
        rng.below(100).to_string(),
        if rng.chance(50) { "F" } else { "M" }.to_string(),
        admission.to_string(),
        at,
        discharge.to_string(),
        dt,
        status,
        format!("{pdx}:Y"),
        secondary.join(";"),
        procedures.join(";"),
        format!("{:08}", rng.below(100_000_000)),
        format!("Attending {:03}", rng.below(200)),
        if outpatient {
            String::new()
        } else {
            pdx.clone()
        },
    ]
}

fn shift_back(d: Date, days: u64) -> Option<Date> {
    let target = d.day_number() - days as i64;
    // Dates step forward only: walk from the first of a month far enough back.
    let mut y = d.year();
    let mut m = d.month();
    for _ in 0..(days / 28 + 1) {
        if m == 1 {
            m = 12;
            y -= 1;
        } else {
            m -= 1;
        }
    }
    let mut day = Date::from_ymd(y, m, 1)?;
    while day.day_number() < target {
        day = day.next_day()?;
    }
    Some(day)
}

/// Writes `count` encounters to `w`.
pub fn write(
    w: &mut impl Write,
    codes: &Codes,
    count: u64,
    seed: u64,
    format: SampleFormat,
) -> std::io::Result<()> {
    let mut rng = Rng::new(seed);
    if format == SampleFormat::Csv {
        writeln!(w, "{HEADER}")?;
    }
    for n in 1..=count {
        let f = encounter(&mut rng, codes, n);
        match format {
            SampleFormat::Csv => writeln!(w, "{}", f.join(","))?,
            SampleFormat::Record => {
                let list = |s: &str, key: &str| -> Vec<serde_json::Value> {
                    s.split(';')
                        .filter(|x| !x.is_empty())
                        .map(|x| {
                            let (code, v) = x.split_once(':').unwrap_or((x, ""));
                            json!({"code": code, key: v})
                        })
                        .collect()
                };
                let opt = |s: &str| (!s.is_empty()).then_some(s.to_string());
                let (pdx, pdx_poa) = f[9].split_once(':').unwrap_or((&f[9], "Y"));
                let v = json!({
                    "id": f[0], "setting": f[1],
                    "patient": {"mrn": f[12], "age": f[2], "sex": f[3]},
                    "attending": f[13],
                    "admitting_dx": opt(&f[14]),
                    "admission": {"date": f[4], "time": opt(&f[5])},
                    "discharge": {"date": f[6], "time": opt(&f[7]), "status": opt(&f[8])},
                    "principal_dx": {"code": pdx, "poa": pdx_poa},
                    "secondary_dx": list(&f[10], "poa"),
                    "procedures": list(&f[11], "date"),
                });
                writeln!(w, "{v}")?
            }
        }
    }
    Ok(())
}

/// Runs `icd sample`.
pub fn run(args: Args) -> Result<bool> {
    let engine = crate::open_engine(&args.index.dir, Capability::Browse)?;
    let codes = Codes::from_engine(&engine)?;
    let stdout = std::io::stdout();
    let mut w = BufWriter::with_capacity(1 << 16, stdout.lock());
    match write(&mut w, &codes, args.count, args.seed, args.format).and_then(|_| w.flush()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(e.into()),
        _ => Ok(true),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_seed_gives_the_same_numbers() {
        let a: Vec<u64> = (0..5)
            .scan(Rng::new(7), |r, _| Some(r.next_u64()))
            .collect();
        let b: Vec<u64> = (0..5)
            .scan(Rng::new(7), |r, _| Some(r.next_u64()))
            .collect();
        let c: Vec<u64> = (0..5)
            .scan(Rng::new(8), |r, _| Some(r.next_u64()))
            .collect();
        assert_eq!(a, b);
        assert_ne!(a, c);
        let mut r = Rng::new(1);
        assert!((0..1000).all(|_| r.below(3) < 3));
    }

    #[test]
    fn shifting_back_crosses_months_and_years() {
        let d = |s: &str| s.parse::<Date>().unwrap();
        for (from, days, to) in [
            ("2025-10-03", 5, "2025-09-28"),
            ("2026-01-02", 7, "2025-12-26"),
            ("2026-03-01", 1, "2026-02-28"),
            ("2026-03-01", 0, "2026-03-01"),
        ] {
            assert_eq!(shift_back(d(from), days), Some(d(to)), "{from} - {days}");
        }
    }
}
