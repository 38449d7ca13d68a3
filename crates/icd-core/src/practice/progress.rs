//! A student's progress: points by kind, by chapter and by topic (a kind
//! in a chapter), the weak topics, and the options of a "drill my weak
//! spots" set. Plain data with no I/O: the app keeps it on the device
//! only when the student opts in, and exports it as this JSON.
//!
//! ```
//! use icd_core::practice::{Kind, Progress, Score};
//! let mut p = Progress::default();
//! let missed = Score { earned: 0, possible: 1, correct: false, feedback: vec![] };
//! p.record(Kind::Seventh, None, &missed);
//! p.record(Kind::Seventh, None, &missed);
//! assert_eq!(p.weak()[0].kind, Kind::Seventh);
//! assert_eq!(p.drill(10, 7).unwrap().kinds, vec![Kind::Seventh]);
//! ```

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::{Chapter, Kind, Options, Score};

/// The format version of [`Progress`] as exported.
pub const PROGRESS_VERSION: u32 = 1;

/// A topic is weak below this share of its points.
pub const WEAK_BELOW: f64 = 0.75;

/// A topic is judged after this many items, not before.
pub const MIN_ITEMS: u32 = 2;

/// Items answered and points earned of those possible.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tally {
    /// Items answered.
    pub items: u32,
    /// Points earned.
    pub earned: u32,
    /// Points possible.
    pub possible: u32,
}

impl Tally {
    fn add(&mut self, s: &Score) {
        self.items += 1;
        self.earned += s.earned;
        self.possible += s.possible;
    }

    /// The share of the points earned, 0 to 1 (1 when nothing was possible).
    pub fn rate(&self) -> f64 {
        if self.possible == 0 {
            1.0
        } else {
            f64::from(self.earned) / f64::from(self.possible)
        }
    }
}

/// A kind of item in one chapter (or in none: an item about no code).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Topic {
    /// The kind.
    pub kind: Kind,
    /// The chapter, if the item is about a code.
    pub chapter: Option<Chapter>,
}

/// A weak topic and its tally.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Weak {
    /// The kind.
    pub kind: Kind,
    /// The chapter.
    pub chapter: Option<Chapter>,
    /// Its tally.
    pub tally: Tally,
}

/// Points by kind, chapter and topic.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Progress {
    /// [`PROGRESS_VERSION`].
    pub version: u32,
    /// By kind.
    pub by_kind: BTreeMap<Kind, Tally>,
    /// By chapter.
    pub by_chapter: BTreeMap<Chapter, Tally>,
    /// By topic, in a list (a JSON object's keys are strings only).
    pub by_topic: Vec<(Topic, Tally)>,
}

impl Default for Progress {
    fn default() -> Progress {
        Progress {
            version: PROGRESS_VERSION,
            by_kind: BTreeMap::new(),
            by_chapter: BTreeMap::new(),
            by_topic: Vec::new(),
        }
    }
}

impl Progress {
    /// Counts one answered item.
    pub fn record(&mut self, kind: Kind, chapter: Option<Chapter>, score: &Score) {
        self.by_kind.entry(kind).or_default().add(score);
        if let Some(c) = chapter {
            self.by_chapter.entry(c).or_default().add(score);
        }
        let topic = Topic { kind, chapter };
        match self.by_topic.iter_mut().find(|(t, _)| *t == topic) {
            Some((_, tally)) => tally.add(score),
            None => {
                let mut tally = Tally::default();
                tally.add(score);
                self.by_topic.push((topic, tally));
                self.by_topic.sort_by_key(|(t, _)| *t);
            }
        }
    }

    /// Items answered in all.
    pub fn items(&self) -> u32 {
        self.by_kind.values().map(|t| t.items).sum()
    }

    /// The topics answered at least [`MIN_ITEMS`] times with less than
    /// [`WEAK_BELOW`] of their points, weakest first.
    pub fn weak(&self) -> Vec<Weak> {
        let mut w: Vec<Weak> = self
            .by_topic
            .iter()
            .filter(|(_, t)| t.items >= MIN_ITEMS && t.rate() < WEAK_BELOW)
            .map(|(topic, tally)| Weak {
                kind: topic.kind,
                chapter: topic.chapter,
                tally: *tally,
            })
            .collect();
        w.sort_by(|a, b| {
            a.tally
                .rate()
                .total_cmp(&b.tally.rate())
                .then(b.tally.items.cmp(&a.tally.items))
        });
        w
    }

    /// A set weighted to the weak topics: each weak kind is taken in turn
    /// as often as it has weak topics, weaker first (up to three times),
    /// over the chapters of the weak topics (every chapter when a weak
    /// topic has none). `None` when nothing is weak.
    pub fn drill(&self, count: usize, seed: u64) -> Option<Options> {
        let weak = self.weak();
        if weak.is_empty() {
            return None;
        }
        let mut weight: Vec<(Kind, usize)> = Vec::new();
        for w in &weak {
            match weight.iter_mut().find(|(k, _)| *k == w.kind) {
                Some((_, n)) => *n = (*n + 1).min(3),
                None => weight.push((w.kind, 1)),
            }
        }
        // Interleaved, so that the generator's turn takes a kind listed
        // twice twice as often: [a, b, a] rather than [a, a, b].
        let rounds = weight.iter().map(|(_, n)| *n).max().unwrap_or(1);
        let mut kinds = Vec::new();
        for r in 0..rounds {
            kinds.extend(weight.iter().filter(|(_, n)| *n > r).map(|(k, _)| *k));
        }
        let mut chapters: Vec<Chapter> = Vec::new();
        if weak.iter().all(|w| w.chapter.is_some()) {
            for c in weak.iter().filter_map(|w| w.chapter) {
                if !chapters.contains(&c) {
                    chapters.push(c);
                }
            }
            chapters.sort();
        }
        Some(Options {
            kinds,
            chapters,
            count,
            seed,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(earned: u32, possible: u32) -> Score {
        Score {
            earned,
            possible,
            correct: earned == possible,
            feedback: Vec::new(),
        }
    }

    fn ch(n: u8) -> Option<Chapter> {
        Chapter::new(n)
    }

    /// Records `(kind, chapter, earned, possible)` and prints the weak
    /// topics and the drill's kinds and chapters.
    fn check(answers: &[(Kind, Option<Chapter>, u32, u32)], expect: &str) {
        let mut p = Progress::default();
        for (k, c, e, n) in answers {
            p.record(*k, *c, &s(*e, *n));
        }
        let weak: Vec<String> = p
            .weak()
            .iter()
            .map(|w| {
                format!(
                    "{}/{} {}of{}",
                    w.kind.name(),
                    w.chapter.map(|c| c.to_string()).unwrap_or("-".into()),
                    w.tally.earned,
                    w.tally.possible
                )
            })
            .collect();
        let drill = match p.drill(10, 1) {
            None => "no drill".to_string(),
            Some(o) => format!(
                "kinds {} chapters {}",
                o.kinds
                    .iter()
                    .map(|k| k.name())
                    .collect::<Vec<_>>()
                    .join(","),
                o.chapters
                    .iter()
                    .map(|c| c.to_string())
                    .collect::<Vec<_>>()
                    .join(",")
            ),
        };
        assert_eq!(format!("{}; {drill}", weak.join(" ")), expect);
        // What is exported reads back the same.
        let json = serde_json::to_string(&p).unwrap();
        assert_eq!(
            serde_json::from_str::<Progress>(&json).unwrap(),
            p,
            "{json}"
        );
    }

    use Kind::*;

    #[test]
    fn nothing_answered_is_nothing_weak() {
        check(&[], "; no drill");
    }

    #[test]
    fn one_miss_is_not_yet_weak() {
        check(&[(Seventh, ch(19), 0, 1)], "; no drill");
    }

    #[test]
    fn two_misses_make_a_weak_topic_and_a_drill_of_its_kind_and_chapter() {
        check(
            &[
                (Seventh, ch(19), 0, 1),
                (Seventh, ch(19), 0, 1),
                (Tables, ch(19), 1, 1),
                (Tables, ch(19), 1, 1),
            ],
            "seventh/19 0of2; kinds seventh chapters 19",
        );
    }

    #[test]
    fn a_kind_weak_in_two_chapters_comes_twice_as_often() {
        check(
            &[
                (Seventh, ch(19), 0, 1),
                (Seventh, ch(19), 0, 1),
                (Seventh, ch(13), 1, 1),
                (Seventh, ch(13), 0, 1),
                (Sequencing, ch(6), 1, 1),
                (Sequencing, ch(6), 0, 1),
                (Sequencing, ch(6), 0, 1),
            ],
            "seventh/19 0of2 sequencing/6 1of3 seventh/13 1of2; kinds seventh,sequencing,seventh chapters 6,13,19",
        );
    }

    #[test]
    fn partial_credit_counts_by_points() {
        check(
            &[
                (Case, ch(3), 2, 3),
                (Case, ch(3), 2, 3),
                (Audit, ch(18), 3, 4),
                (Audit, ch(18), 3, 4),
            ],
            "case/3 4of6; kinds case chapters 3",
        );
    }

    #[test]
    fn a_weak_topic_with_no_chapter_drills_every_chapter() {
        check(
            &[
                (Audit, None, 0, 2),
                (Audit, None, 0, 2),
                (Seventh, ch(19), 0, 1),
                (Seventh, ch(19), 0, 1),
            ],
            "seventh/19 0of2 audit/- 0of4; kinds seventh,audit chapters ",
        );
    }
}
