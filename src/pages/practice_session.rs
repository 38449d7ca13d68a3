//! A practice session as the URL states it: the seed, the count, the kinds
//! and chapters, when feedback comes and whether the set is timed
//! (`#/practice?seed=7&count=10&kinds=seventh,excludes1&chapters=19&feedback=end&timed=30`).
//! The same URL gives the same items, so an instructor shares a quiz by
//! link. Pure: the page renders what this module decides.
//!
//! ```
//! use icd_desk::pages::practice_session::{Feedback, Session};
//! use icd_desk::route::PracticeQuery;
//! let q = PracticeQuery { seed: Some(7), kinds: Some("seventh,excludes1".into()), feedback: Some("end".into()), ..Default::default() };
//! let (s, problems) = Session::from_query(&q);
//! assert!(problems.is_empty());
//! assert_eq!((s.seed, s.kinds.len(), s.feedback), (7, 2, Feedback::End));
//! assert_eq!(Session::from_query(&s.to_query()).0, s);
//! ```

use icd_core::practice::{score, Chapter, Item, Kind, Score};

use crate::route::PracticeQuery;

/// Items in a set at most: more is never a quiz.
pub const MAX_COUNT: usize = 100;
/// Minutes a timed set may last at most.
pub const MAX_MINUTES: u32 = 240;

/// When the feedback for an answer is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Feedback {
    /// After each item, with its explanation (practice).
    #[default]
    Item,
    /// Only at the end, all items reviewed together (an exam).
    End,
}

impl Feedback {
    /// The name in the URL.
    pub fn name(self) -> &'static str {
        match self {
            Feedback::Item => "item",
            Feedback::End => "end",
        }
    }
}

/// A session, read from the URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    /// The seed: the same seed gives the same items.
    pub seed: u64,
    /// How many items (1 to [`MAX_COUNT`]).
    pub count: usize,
    /// The kinds, taken in turn; empty: all.
    pub kinds: Vec<Kind>,
    /// The chapters; empty: all.
    pub chapters: Vec<Chapter>,
    /// When feedback comes.
    pub feedback: Feedback,
    /// The time allowed, in minutes; `None`: untimed.
    pub minutes: Option<u32>,
}

impl Default for Session {
    fn default() -> Session {
        Session {
            seed: 1,
            count: 10,
            kinds: Vec::new(),
            chapters: Vec::new(),
            feedback: Feedback::Item,
            minutes: None,
        }
    }
}

fn list<T: std::str::FromStr>(s: Option<&str>, problems: &mut Vec<String>) -> Vec<T>
where
    T::Err: std::fmt::Display,
{
    s.unwrap_or_default()
        .split([',', ' '])
        .filter(|w| !w.trim().is_empty())
        .filter_map(|w| match w.parse::<T>() {
            Ok(v) => Some(v),
            Err(e) => {
                problems.push(e.to_string());
                None
            }
        })
        .collect()
}

impl Session {
    /// The session of a query, and what in it could not be read (each
    /// said with how to fix it); what cannot be read is left out.
    pub fn from_query(q: &PracticeQuery) -> (Session, Vec<String>) {
        let mut problems = Vec::new();
        let kinds = list::<Kind>(q.kinds.as_deref(), &mut problems);
        let chapters = list::<Chapter>(q.chapters.as_deref(), &mut problems);
        let feedback = match q.feedback.as_deref().map(str::trim) {
            None | Some("") | Some("item") => Feedback::Item,
            Some("end") => Feedback::End,
            Some(other) => {
                problems.push(format!(
                    "feedback '{other}' is not known: use feedback=item (after each item) or feedback=end (at the end)"
                ));
                Feedback::Item
            }
        };
        let count = q.count.unwrap_or(10);
        if !(1..=MAX_COUNT).contains(&count) {
            problems.push(format!(
                "count {count} is out of range: a set has 1 to {MAX_COUNT} items"
            ));
        }
        let minutes = q.timed.filter(|m| *m > 0);
        if minutes.is_some_and(|m| m > MAX_MINUTES) {
            problems.push(format!(
                "timed={} is too long: a timed set lasts at most {MAX_MINUTES} minutes",
                minutes.unwrap_or_default()
            ));
        }
        (
            Session {
                seed: q.seed.unwrap_or(1),
                count: count.clamp(1, MAX_COUNT),
                kinds,
                chapters,
                feedback,
                minutes: minutes.map(|m| m.min(MAX_MINUTES)),
            },
            problems,
        )
    }

    /// The query that gives this session; what is at its default is left out.
    pub fn to_query(&self) -> PracticeQuery {
        let join = |v: Vec<String>| (!v.is_empty()).then(|| v.join(","));
        PracticeQuery {
            seed: Some(self.seed),
            count: Some(self.count),
            kinds: join(self.kinds.iter().map(|k| k.name().to_string()).collect()),
            chapters: join(self.chapters.iter().map(|c| c.to_string()).collect()),
            feedback: (self.feedback != Feedback::Item).then(|| self.feedback.name().to_string()),
            timed: self.minutes,
        }
    }

    /// The exam-like set: every kind in a fixed turn, 20 items, feedback at
    /// the end, 30 minutes (about 90 seconds an item, the pace of the RHIT
    /// exam's 150 questions in 3.5 hours).
    pub fn exam(seed: u64) -> Session {
        Session {
            seed,
            count: 20,
            kinds: Kind::ALL.to_vec(),
            chapters: Vec::new(),
            feedback: Feedback::End,
            minutes: Some(30),
        }
    }

    /// What the items depend on: a reply for another key is not this set's.
    pub fn key(&self) -> String {
        let q = self.to_query();
        format!(
            "{}|{}|{}|{}",
            self.seed,
            self.count,
            q.kinds.unwrap_or_default(),
            q.chapters.unwrap_or_default()
        )
    }

    /// A line saying what the set is.
    pub fn describe(&self) -> String {
        let kinds = if self.kinds.is_empty() {
            "all kinds".to_string()
        } else {
            let mut names: Vec<String> = Vec::new();
            for k in &self.kinds {
                let n = k.name().replace('_', " ");
                if !names.contains(&n) {
                    names.push(n);
                }
            }
            names.join(", ")
        };
        let chapters = if self.chapters.is_empty() {
            "all chapters".to_string()
        } else {
            let c: Vec<String> = self.chapters.iter().map(|c| c.to_string()).collect();
            format!(
                "chapter{} {}",
                if c.len() > 1 { "s" } else { "" },
                c.join(", ")
            )
        };
        let timing = match self.minutes {
            Some(m) => format!("timed, {m} min"),
            None => "untimed".to_string(),
        };
        let feedback = match self.feedback {
            Feedback::Item => "feedback after each item",
            Feedback::End => "feedback at the end",
        };
        format!(
            "Set {}: {kinds}; {chapters}; {timing}; {feedback}.",
            self.seed
        )
    }
}

/// One answered item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answer {
    /// What was given, as read ([`read_answer`]); empty when time ran out.
    pub given: Vec<String>,
    /// Its score.
    pub score: Score,
    /// Whether time ran out before it was answered.
    pub timed_out: bool,
}

/// The answer as typed: codes separated by commas or spaces; a lone number
/// picks that choice.
pub fn read_answer(item: &Item, typed: &str) -> Vec<String> {
    let t = typed.trim();
    if let Ok(n) = t.parse::<usize>() {
        if let Some(c) = n.checked_sub(1).and_then(|i| item.choices.get(i)) {
            return vec![c.clone()];
        }
    }
    t.split(|c: char| c == ',' || c == ';' || c.is_whitespace())
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect()
}

/// Scores what was typed for an item.
pub fn answer(item: &Item, typed: &str) -> Answer {
    let given = read_answer(item, typed);
    Answer {
        score: score(item, &given),
        given,
        timed_out: false,
    }
}

/// Time is up: every item not yet answered is locked with no points.
pub fn lock(items: &[Item], answers: &mut Vec<Answer>) {
    for item in items.iter().skip(answers.len()) {
        answers.push(Answer {
            given: Vec::new(),
            score: score(item, &[]),
            timed_out: true,
        });
    }
}

/// Points earned and possible over the answers so far.
pub fn total(answers: &[Answer]) -> (u32, u32) {
    answers.iter().fold((0, 0), |(e, p), a| {
        (e + a.score.earned, p + a.score.possible)
    })
}

/// The time left of a timed set, in whole seconds (never below zero, never
/// above the set's time: the page's clock may have last ticked before the
/// set started).
pub fn seconds_left(started_ms: f64, now_ms: f64, minutes: u32) -> u32 {
    let left = f64::from(minutes) * 60.0 - (now_ms - started_ms).max(0.0) / 1000.0;
    left.max(0.0).ceil() as u32
}

/// `m:ss` for a countdown.
pub fn clock(seconds: u32) -> String {
    format!("{}:{:02}", seconds / 60, seconds % 60)
}
