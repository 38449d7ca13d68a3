//! Retrieval: the words of a reading matched in the vocabulary `fst`
//! (exactly, as a prefix while typing, within an edit distance), documents
//! scored by how much of the query they cover and how much of themselves
//! the query covers, and the best turned into suggestions.
//!
//! Caveat: the scores rank one query's candidates; they are not
//! comparable across queries.

use super::*;

thread_local! {
    static SCRATCH: RefCell<Scratch> = RefCell::new(Scratch::default());
}

/// Per-query accumulators, reused between queries (no allocation per keystroke).
#[derive(Default)]
pub(super) struct Scratch {
    pub(super) score: Vec<f32>,
    pub(super) last: Vec<u16>,
    pub(super) essential: Vec<u16>,
    /// Score from the words of the statement's head ([`head_stems`]).
    pub(super) head: Vec<f32>,
    pub(super) touched: Vec<u32>,
}

pub(super) fn text_suggestions<D: AsRef<[u8]>>(
    lib: &Library<D>,
    idx: &SearchIndex<D>,
    original: &str,
    history: bool,
    typing: bool,
    opts: &Options,
) -> Vec<Suggestion> {
    let w = &opts.weights;
    let mut best: Vec<Suggestion> = Vec::new();
    let mut stems: Vec<String> = Vec::new();
    // What the statement says is absent, read clause by clause (a comma
    // ends a "without").
    let absent = Polarity::of_text(&[original]).absent();
    let head = head_stems(original);
    for (k, reading) in readings(idx, original, typing).into_iter().enumerate() {
        // Later readings take less likely meanings of an abbreviation.
        let discount = 1.0 - opts.weights.reading_discount * k as f32;
        let mut reading = reading;
        let family = reading.iter().any(|(t, _)| t == "family");
        if history && !family && reading.iter().any(|(t, _)| t == "history") {
            reading.push(("personal".to_string(), false));
        }
        let words: Vec<Word> = reading
            .into_iter()
            .filter(|(t, _)| !t.is_empty() && !is_stop(t))
            .take(40)
            .map(|(t, prefix)| {
                let s = stem(&t);
                let weight = if is_steering(&s) { w.steering } else { 1.0 };
                Word {
                    stem: s,
                    weight,
                    prefix,
                }
            })
            .collect();
        if words.is_empty() {
            continue;
        }
        stems.extend(words.iter().map(|w| w.stem.clone()));
        for mut s in rank(lib, idx, &words, &absent, &head, opts) {
            s.score *= discount;
            // A code reached from several places (the index and the tabular
            // agreeing) gains a little from each further one.
            match best.iter_mut().find(|b| b.code == s.code) {
                Some(b) if b.via != s.via && k == 0 && !b.corroborated => {
                    let (strong, weak) = if b.score >= s.score {
                        (b.clone(), s.score)
                    } else {
                        (s, b.score)
                    };
                    *b = strong;
                    b.score += opts.weights.corroboration * weak;
                    b.corroborated = true;
                }
                Some(b) if b.score >= s.score => {}
                Some(b) => *b = s,
                None => best.push(s),
            }
        }
    }
    // The pregnancy and trimester words can fill the candidates with
    // obstetric codes of other conditions before the statement's own
    // condition is reached (hemorrhoids in pregnancy for malaria): the
    // condition's words are looked up alone, so its Chapter 15 code can
    // lead ([`complicating_pregnancy`]).
    if stems.iter().any(|s| is_obstetric(s)) {
        let condition = condition_stems(&stems);
        let plain = |s: &Suggestion| -> String { s.code.chars().filter(|c| *c != '.').collect() };
        let has_condition = best
            .iter()
            .any(|s| !plain(s).starts_with('O') && chapter15_for(lib, &plain(s)).is_some());
        if !condition.is_empty() && !has_condition {
            let words: Vec<Word> = condition
                .iter()
                .map(|s| Word {
                    stem: s.clone(),
                    weight: if is_steering(s) { w.steering } else { 1.0 },
                    prefix: false,
                })
                .collect();
            // Scored as if the other words had not matched.
            let share = condition.len() as f32 / stems.len().max(1) as f32;
            let found = rank(lib, idx, &words, &absent, &head, opts);
            for mut s in found
                .into_iter()
                .filter(|s| !plain(s).starts_with('O') && chapter15_for(lib, &plain(s)).is_some())
                .take(PREGNANCY_LEAD)
            {
                if !best.iter().any(|b| b.code == s.code) {
                    s.score *= share * share;
                    best.push(s);
                }
            }
        }
    }
    // A category or subcategory is never the last word: one the
    // statement's words could not narrow is offered as its first billable
    // codes, each a little below it.
    let mut complete: Vec<Suggestion> = Vec::with_capacity(best.len());
    for s in best {
        if s.billable || s.needs.as_deref() == Some("7th character") {
            complete.push(s);
            continue;
        }
        let t = &lib.tabular;
        let Some(id) = s.code.parse::<Code>().ok().and_then(|c| t.find(&c)) else {
            complete.push(s);
            continue;
        };
        // Codes that differ before the 7th character: the encounter is
        // assumed below, not listed three times.
        let mut kinds: Vec<NodeId> = Vec::new();
        for d in t.billable_descendants_up_to(id, 200) {
            let d = match t.parent(d) {
                Some(p) if t.is_generated(d) => p,
                _ => d,
            };
            if !kinds.contains(&d) {
                kinds.push(d);
            }
            if kinds.len() >= opts.weights.expand {
                break;
            }
        }
        for (i, d) in kinds.into_iter().enumerate() {
            let mut c = suggestion(
                lib,
                d,
                s.score * (1.0 - 0.01 * (i + 1) as f32),
                s.via,
                s.path.clone(),
                Vec::new(),
            );
            c.corroborated = s.corroborated;
            complete.push(c);
        }
    }
    let mut best = complete;
    for s in &mut best {
        assume_seventh(lib, s, opts.encounter);
    }
    // Two documents may now give the same complete code: keep the best.
    best.sort_by(|a, b| b.score.total_cmp(&a.score));
    let mut seen: Vec<String> = Vec::new();
    best.retain(|s| {
        let new = !seen.contains(&s.code);
        seen.push(s.code.clone());
        new
    });
    best.retain(|s| opts.patient.allows(lib, &s.code));
    if stems.iter().any(|s| is_obstetric(s)) {
        complicating_pregnancy(lib, &mut best, &stems, opts);
    }
    best.truncate(opts.top);
    for s in &mut best {
        s.highlights = text::highlight(&s.path, &stems);
    }
    best
}

/// Whether a stem says pregnancy, childbirth or the puerperium.
pub(super) fn is_obstetric(stem: &str) -> bool {
    [
        "pregnanc",
        "childbirth",
        "puerperium",
        "puerper",
        "obstetr",
        "antepartum",
        "postpartum",
    ]
    .contains(&stem)
}

/// Condition codes of other chapters offered for an obstetric statement,
/// at most this many, each led by its Chapter 15 code.
pub(super) const PREGNANCY_LEAD: usize = 3;

/// A condition of another chapter that complicates a pregnancy,
/// childbirth or the puerperium is coded first with the Chapter 15 code
/// whose inclusion note takes it in ("O98.6 Protozoal diseases
/// complicating pregnancy: Conditions in B50-B64"; Guidelines
/// I.C.15.a.1), then with its own code: an obstetric statement's
/// condition code is led by that code, narrowed by the statement's words
/// to the trimester, childbirth or puerperium.
pub(super) fn complicating_pregnancy<D: AsRef<[u8]>>(
    lib: &Library<D>,
    best: &mut Vec<Suggestion>,
    stems: &[String],
    opts: &Options,
) {
    let plain = |s: &Suggestion| -> String { s.code.chars().filter(|c| *c != '.').collect() };
    let condition = condition_stems(stems);
    // An obstetric code that names none of those words matched the
    // pregnancy and trimester words only (hemorrhoids in pregnancy for
    // malaria): it waits behind the condition's own Chapter 15 code when
    // one will lead.
    let will_lead = !condition.is_empty()
        && best
            .iter()
            .any(|s| !plain(s).starts_with('O') && chapter15_for(lib, &plain(s)).is_some());
    let names_condition = |s: &Suggestion| {
        !text::highlight(&s.title, &condition).is_empty()
            || !text::highlight(&s.path, &condition).is_empty()
    };
    let mut out: Vec<Suggestion> = Vec::with_capacity(best.len() + PREGNANCY_LEAD);
    let mut waiting: Vec<Suggestion> = Vec::new();
    let mut led = 0;
    for s in std::mem::take(best) {
        let code = plain(&s);
        if will_lead && led < PREGNANCY_LEAD && code.starts_with('O') && !names_condition(&s) {
            waiting.push(s);
            continue;
        }
        if led < PREGNANCY_LEAD && !code.starts_with('O') && out.len() < opts.top {
            if let Some(node) = chapter15_for(lib, &code) {
                let node = refine(lib, node, stems, &opts.weights);
                let mut lead = suggestion(lib, node, s.score, s.via, s.path.clone(), Vec::new());
                assume_seventh(lib, &mut lead, opts.encounter);
                led += 1;
                if !out.iter().any(|o| o.code == lead.code) && opts.patient.allows(lib, &lead.code)
                {
                    out.push(lead);
                }
            }
        }
        if !out.iter().any(|o| o.code == s.code) {
            out.push(s);
        }
        if led == PREGNANCY_LEAD {
            out.append(&mut waiting);
        }
    }
    out.append(&mut waiting);
    out.retain({
        let mut seen: Vec<String> = Vec::new();
        move |s| {
            let new = !seen.contains(&s.code);
            seen.push(s.code.clone());
            new
        }
    });
    *best = out;
}

/// The words of an obstetric statement that name the condition rather
/// than the pregnancy ("malaria" in "malaria in pregnancy, unspecified
/// trimester").
pub(super) fn condition_stems(stems: &[String]) -> Vec<String> {
    let context: Vec<String> = PREGNANCY_CONTEXT.iter().map(|w| stem(w)).collect();
    let mut out: Vec<String> = Vec::new();
    for s in stems {
        if !is_obstetric(s) && !context.contains(s) && !out.contains(s) {
            out.push(s.clone());
        }
    }
    out
}

/// Words of an obstetric statement that say which pregnancy, trimester or
/// episode it is, not which condition complicates it.
pub(super) const PREGNANCY_CONTEXT: &[&str] = &[
    "mother",
    "maternal",
    "complicating",
    "complicated",
    "complication",
    "trimester",
    "first",
    "second",
    "third",
    "unspecified",
    "condition",
    "delivered",
    "weeks",
];

/// A Chapter 15 code whose inclusion note is "Conditions in ...", with
/// the codes it takes in and the ones it leaves out.
pub(super) type ConditionsIn = (NodeId, Vec<Target>, Vec<Target>);

thread_local! {
    /// The [`ConditionsIn`] codes of one tabular (keyed by its release
    /// string's address and its size), read once.
    static CONDITIONS_IN: RefCell<((usize, usize), Vec<ConditionsIn>)> =
        const { RefCell::new(((0, 0), Vec::new())) };
}

/// The Chapter 15 code whose "Conditions in" inclusion note takes in the
/// code `plain` (no dot), the narrowest first.
pub(super) fn chapter15_for<D: AsRef<[u8]>>(lib: &Library<D>, plain: &str) -> Option<NodeId> {
    let t = &lib.tabular;
    let owner = (t.release().as_ptr() as usize, t.len());
    CONDITIONS_IN.with(|cell| {
        let mut c = cell.borrow_mut();
        if c.0 != owner {
            let mut list = Vec::new();
            for id in t.with_prefix("O") {
                for n in t.own_notes(id) {
                    if n.kind != NoteKind::InclusionTerm {
                        continue;
                    }
                    let Some(rest) = n.text.strip_prefix("Conditions in ") else {
                        continue;
                    };
                    let (take, except) = rest.split_once(" except ").unwrap_or((rest, ""));
                    list.push((id, targets(take), targets(except)));
                }
            }
            // The deepest first: O99.34 before O99.3.
            list.sort_by_key(|(id, _, _)| std::cmp::Reverse(t.depth(*id)));
            *c = (owner, list);
        }
        c.1.iter()
            .find(|(_, take, except)| {
                take.iter().any(|x| x.matches(plain)) && !except.iter().any(|x| x.matches(plain))
            })
            .map(|(id, _, _)| *id)
    })
}

/// Vocabulary words a query word matches, with their credit.
pub(super) fn matches<D: AsRef<[u8]>>(
    idx: &SearchIndex<D>,
    word: &Word,
    w: &Weights,
) -> Vec<(u64, f32)> {
    let vocab = idx.vocab();
    let mut out: Vec<(u64, f32)> = Vec::new();
    if let Some(h) = vocab.get(&word.stem) {
        out.push((h, 1.0));
    }
    // In the Alphabetic Index "NEC" stands for "other specified"
    // (Guidelines I.A.5): a statement's "other" meets it.
    if word.stem == OTHER {
        if let Some(h) = vocab.get("nec") {
            out.push((h, 1.0));
        }
    }
    if word.prefix && word.stem.len() >= 2 {
        // The word being typed: its completions, commonest first.
        let mut stream = vocab.range().ge(&word.stem).into_stream();
        let mut found = Vec::new();
        while let Some((k, h)) = stream.next() {
            if !k.starts_with(word.stem.as_bytes()) || found.len() >= 400 {
                break;
            }
            if k != word.stem.as_bytes() {
                found.push(h);
            }
        }
        // A word typed past its stem ("atheroscleroti" against the stem
        // "atherosclerosi"): complete a slightly shorter form instead.
        let chars: Vec<char> = word.stem.chars().collect();
        for cut in 1..=3usize {
            if !found.is_empty() || !out.is_empty() || chars.len() < cut + 7 {
                break;
            }
            let shorter: String = chars[..chars.len() - cut].iter().collect();
            let mut stream = vocab.range().ge(&shorter).into_stream();
            while let Some((k, h)) = stream.next() {
                if !k.starts_with(shorter.as_bytes()) || found.len() >= 400 {
                    break;
                }
                found.push(h);
            }
        }
        found.sort_by_key(|h| std::cmp::Reverse(SearchIndex::<D>::df(*h)));
        // Two letters say little: keep only their commonest completions.
        let keep = if word.stem.len() < 3 {
            w.short_prefix_completions
        } else {
            w.prefix_completions
        };
        out.extend(found.into_iter().take(keep).map(|h| (h, w.prefix)));
    }
    let len = word.stem.chars().count();
    if out.is_empty() && len >= w.typo_min_len && word.stem.chars().all(|c| c.is_ascii_alphabetic())
    {
        let dist = if len >= w.typo2_min_len { 2 } else { 1 };
        // Stems are mostly prefixes of words, so a misspelt word is also
        // compared with its own shorter forms ("hypertenion" ~ "hyperten").
        let mut found: Vec<(u32, u32, u64)> = Vec::new();
        for cut in 0..=2usize.min(len.saturating_sub(w.typo_min_len)) {
            // Shorter forms only when the whole word found nothing.
            if !found.is_empty() {
                break;
            }
            let q: String = word.stem.chars().take(len - cut).collect();
            let Ok(aut) = Levenshtein::new(&q, dist) else {
                continue;
            };
            let mut stream = vocab.search(aut).into_stream();
            while let Some((k, h)) = stream.next() {
                let d = edit_distance(q.as_bytes(), k) + cut as u32;
                if !found.iter().any(|f| f.2 == h) {
                    found.push((d, SearchIndex::<D>::df(h), h));
                }
                if found.len() >= 60 {
                    break;
                }
            }
        }
        // Closest first, then the commonest: what was most likely meant.
        found.sort_by(|a, b| a.0.cmp(&b.0).then(b.1.cmp(&a.1)));
        out.extend(found.into_iter().take(4).map(|(d, _, h)| {
            (
                h,
                w.typo * (1.0 - w.typo_step * d.saturating_sub(1) as f32).max(w.typo_floor),
            )
        }));
    }
    out
}

/// Optimal string alignment distance (a transposition counts once).
pub(super) fn edit_distance(a: &[u8], b: &[u8]) -> u32 {
    let (n, m) = (a.len(), b.len());
    let mut d = vec![vec![0u32; m + 1]; n + 1];
    for (i, row) in d.iter_mut().enumerate() {
        row[0] = i as u32;
    }
    for (j, cell) in d[0].iter_mut().enumerate() {
        *cell = j as u32;
    }
    for i in 1..=n {
        for j in 1..=m {
            let cost = u32::from(a[i - 1] != b[j - 1]);
            let mut v = (d[i - 1][j] + 1)
                .min(d[i][j - 1] + 1)
                .min(d[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                v = v.min(d[i - 2][j - 2] + 1);
            }
            d[i][j] = v;
        }
    }
    d[n][m]
}

/// The stems of a statement's head, the words before its first comma
/// ("Marginal zone lymphoma" of "Marginal zone lymphoma, intrathoracic
/// lymph nodes"): in the classification's phrasing the head names the
/// condition and what follows the comma qualifies it (site, type,
/// episode). Empty when there is no comma, or nothing after it; a word
/// the qualifier says too is not the head's alone.
pub(super) fn head_stems(statement: &str) -> Vec<String> {
    let Some((head, tail)) = statement.split_once(',') else {
        return Vec::new();
    };
    let tail = text::words(tail);
    if tail.is_empty() {
        return Vec::new();
    }
    let mut out: Vec<String> = text::words(head)
        .into_iter()
        .filter(|w| !tail.contains(w) && !is_steering(w))
        .collect();
    out.sort();
    out.dedup();
    out
}

pub(super) fn rank<D: AsRef<[u8]>>(
    lib: &Library<D>,
    idx: &SearchIndex<D>,
    words: &[Word],
    absent: &[String],
    head: &[String],
    opts: &Options,
) -> Vec<Suggestion> {
    let w = &opts.weights;
    let n = idx.len();
    let ndocs = n.max(1) as f32;
    let query_stems: Vec<String> = words.iter().map(|w| w.stem.clone()).collect();
    // The first column (accidental poisoning, malignant primary) is the
    // default reading of generic words ("overdose", "cancer"), so the
    // specific columns are tried first.
    let neoplasm_col = column_of(&query_stems, NEOPLASM_COLUMNS);
    let drug_col = column_of(&query_stems, DRUG_COLUMNS);
    let (mut total, mut neo_bonus, mut drug_bonus) = (0f32, 0f32, 0f32);
    let mut head_total = 0f32;
    let mut top: Vec<(f32, u32)> = Vec::new();
    SCRATCH.with(|cell| {
        let mut sc = cell.borrow_mut();
        if sc.score.len() != n {
            sc.score = vec![0.0; n];
            sc.last = vec![u16::MAX; n];
            sc.essential = vec![0; n];
            sc.head = vec![0.0; n];
        }
        for (qi, word) in words.iter().enumerate() {
            // Steering words only narrow codes (see `refine`) when their
            // weight is zero; their long postings are then not read.
            if word.weight == 0.0 {
                continue;
            }
            let mut m = matches(idx, word, w);
            m.sort_by(|a, b| b.1.total_cmp(&a.1));
            let df = m
                .first()
                .map(|(h, _)| SearchIndex::<D>::df(*h))
                .unwrap_or(0) as f32;
            // Words found nowhere do not count against the documents.
            let idf = if m.is_empty() {
                0.0
            } else {
                (1.0 + ndocs / (1.0 + df)).ln()
            } * word.weight;
            total += idf;
            let in_head = head.contains(&word.stem);
            if in_head {
                head_total += idf;
            }
            if in_columns(&word.stem, NEOPLASM_COLUMNS) {
                neo_bonus += idf;
            }
            if in_columns(&word.stem, DRUG_COLUMNS) {
                drug_bonus += idf;
            }
            for (h, credit) in m {
                let sc = &mut *sc;
                idx.for_each_posting(h, |doc, optional| {
                    let d = doc as usize;
                    if sc.last[d] == qi as u16 {
                        return;
                    }
                    if sc.last[d] == u16::MAX {
                        sc.touched.push(doc);
                    }
                    sc.last[d] = qi as u16;
                    sc.score[d] += idf * credit;
                    if in_head {
                        sc.head[d] += idf * credit;
                    }
                    if !optional {
                        sc.essential[d] += 1;
                    }
                });
            }
        }
        let total = total.max(1e-6);
        let touched = std::mem::take(&mut sc.touched);
        for &doc in &touched {
            let d = doc as usize;
            let (via, len) = idx.via_len(doc);
            let mut raw = sc.score[d];
            // Column words are matched by the column the table row is read in.
            match via {
                Via::Neoplasm => raw += neo_bonus,
                Via::Drug => raw += drug_bonus,
                _ => {}
            }
            let qcov = (raw / total).min(1.0);
            let dcov = if len == 0 {
                1.0
            } else {
                (sc.essential[d] as f32 / len as f32).min(1.0)
            };
            let via = w.via.of(via);
            let mut score = qcov * qcov * ((1.0 - w.doc_coverage) + w.doc_coverage * dcov) * via;
            if head_total > 0.0 {
                let hcov = (sc.head[d] / head_total).min(1.0);
                score *= (1.0 - w.head) + w.head * hcov;
            }
            sc.score[d] = 0.0;
            sc.head[d] = 0.0;
            sc.last[d] = u16::MAX;
            sc.essential[d] = 0;
            top.push((score, doc));
        }
        sc.touched = touched;
        sc.touched.clear();
    });
    let keep = w.candidates.min(top.len());
    if keep == 0 {
        return Vec::new();
    }
    top.select_nth_unstable_by(keep - 1, |a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
    top.truncate(keep);
    top.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
    let stems: Vec<String> = words.iter().map(|w| w.stem.clone()).collect();
    let polarity = Polarity::of_query(&stems);
    let residual = Residual::of_stems(&stems);
    let says_history = stems.iter().any(|s| s == "histori");
    let mut out: Vec<Suggestion> = Vec::new();
    let mut codes = 0;
    for (score, doc) in top {
        // Enough distinct codes for this reading: the rest cannot rank.
        if codes >= opts.top * 2 {
            break;
        }
        if let Some(mut s) =
            doc_suggestion(lib, idx.doc(doc), score, &stems, neoplasm_col, drug_col, w)
        {
            if !polarity.is_empty() {
                let doc = Polarity::of_text(&[&s.path, &s.title]);
                // What was matched, not the code's title: the index may
                // send a term to a code named after another ("Periostitis"
                // to M86.9 Osteomyelitis).
                let matched = Polarity::of_text(&[&s.path]);
                if polarity.contradicted_by(&doc) || matched.asserts_any(absent) {
                    s.score *= w.contradiction;
                }
            }
            if let Some(r) = residual {
                match Residual::of_title(&s.title) {
                    Some(t) if t == r => {}
                    Some(_) => s.score *= w.residual_opposite,
                    None => s.score *= w.residual_unsaid,
                }
            }
            // A history code is for a statement that says "history".
            if !says_history && is_history_title(&s.title) {
                s.score *= w.residual_opposite;
            }
            if !out.iter().any(|o| o.code == s.code) {
                codes += 1;
            }
            out.push(s);
        }
    }
    out
}

/// The two residual kinds of a category: "other" (specified, not
/// elsewhere classified: .8) and "unspecified" (.9). A statement that says
/// one of them does not mean the other.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Residual {
    Other,
    Unspecified,
}

impl Residual {
    /// The residual stems say, when they say only one.
    pub(super) fn of_stems(stems: &[String]) -> Option<Residual> {
        let other = stems.iter().any(|s| s == OTHER);
        let unspecified = stems.iter().any(|s| s.starts_with(UNSPECIFIED));
        match (other, unspecified) {
            (true, false) => Some(Residual::Other),
            (false, true) => Some(Residual::Unspecified),
            _ => None,
        }
    }

    /// The residual a code's title says, when it says only one.
    pub(super) fn of_title(title: &str) -> Option<Residual> {
        Residual::of_stems(&text::words(title))
    }
}

/// Whether a code's title is a personal or family history ("Personal
/// history of other diseases of the respiratory system").
pub(super) fn is_history_title(title: &str) -> bool {
    let t = title.trim_start().to_lowercase();
    ["personal history", "family history", "history of"]
        .iter()
        .any(|p| t.starts_with(p))
}

/// The stem of "other".
pub(super) const OTHER: &str = "other";

/// The stem prefix of "unspecified".
pub(super) const UNSPECIFIED: &str = "unspecifi";

/// The words a text puts under "with" and under "without": each runs from
/// the word to the next "with"/"without" or comma. Both are steering words,
/// so they do not find documents; they tell apart the ones found.
#[derive(Debug, Default)]
pub(super) struct Polarity {
    pub(super) with: Vec<String>,
    pub(super) without: Vec<String>,
    /// The words before any "with" or "without": what the text is about.
    pub(super) plain: Vec<String>,
}

impl Polarity {
    pub(super) fn of_stems<'a>(stems: impl IntoIterator<Item = &'a String>, into: &mut Polarity) {
        let mut scope: Option<bool> = None;
        let mut previous = "";
        for s in stems {
            let other_than = previous == OTHER && s == "than";
            previous = s.as_str();
            match s.as_str() {
                "with" => scope = Some(true),
                // A title's "not" denies what follows ("malnutrition not
                // light or small for gestational age"), and so does
                // "other than" ("driver of motor vehicle other than
                // motorcycle").
                "without" | "not" => scope = Some(false),
                _ if other_than => scope = Some(false),
                _ => match scope {
                    Some(true) => into.with.push(s.clone()),
                    Some(false) => into.without.push(s.clone()),
                    None => into.plain.push(s.clone()),
                },
            }
        }
    }

    /// The words this puts only under "without" (not also elsewhere):
    /// what the statement says is absent.
    pub(super) fn absent(&self) -> Vec<String> {
        self.without
            .iter()
            .filter(|w| !self.with.contains(w) && !self.plain.contains(w))
            .cloned()
            .collect()
    }

    /// Whether this text is about one of `absent` (names it, and not
    /// under "without"): "Unspecified intracranial injury" for a fracture
    /// "without intracranial injury".
    pub(super) fn asserts_any(&self, absent: &[String]) -> bool {
        absent
            .iter()
            .any(|w| (self.plain.contains(w) || self.with.contains(w)) && !self.without.contains(w))
    }

    pub(super) fn of_query(stems: &[String]) -> Polarity {
        let mut p = Polarity::default();
        Polarity::of_stems(stems, &mut p);
        p
    }

    pub(super) fn of_text(texts: &[&str]) -> Polarity {
        let mut p = Polarity::default();
        for clause in texts.iter().flat_map(|t| t.split([',', ';'])) {
            Polarity::of_stems(&text::words(clause), &mut p);
        }
        p
    }

    pub(super) fn is_empty(&self) -> bool {
        self.with.is_empty() && self.without.is_empty()
    }

    /// Whether `doc` puts under "with" what this puts under "without", or
    /// the other way round: "without complications" against "Diabetes >
    /// type 2 > with > complication".
    pub(super) fn contradicted_by(&self, doc: &Polarity) -> bool {
        self.without.iter().any(|w| doc.with.contains(w))
            || self.with.iter().any(|w| doc.without.contains(w))
    }
}

pub(super) fn in_columns(stem: &str, columns: &[&[&str]]) -> bool {
    columns
        .iter()
        .any(|c| c.iter().any(|p| stem.starts_with(p)))
}

/// The column stems choose (as `column` does for query words).
pub(super) fn column_of(stems: &[String], columns: &[&[&str]]) -> Option<usize> {
    let hit = |c: &[&str]| stems.iter().any(|s| c.iter().any(|p| s.starts_with(p)));
    (1..columns.len())
        .find(|i| hit(columns[*i]))
        .or_else(|| hit(columns[0]).then_some(0))
}

pub(super) fn doc_suggestion<D: AsRef<[u8]>>(
    lib: &Library<D>,
    doc: Doc,
    score: f32,
    stems: &[String],
    neoplasm_col: Option<usize>,
    drug_col: Option<usize>,
    w: &Weights,
) -> Option<Suggestion> {
    let t = &lib.tabular;
    let (raw_code, path) = match doc.via {
        Via::Index | Via::Eindex => {
            let tree = if doc.via == Via::Index {
                &lib.index
            } else {
                &lib.eindex
            };
            let id = TermId(doc.source);
            let mut path = tree.path_text(id);
            if doc.extra != crate::artifact::NONE {
                path = format!("{} (see {})", tree.path_text(TermId(doc.extra)), path);
            }
            (tree.code(id).to_string(), path)
        }
        Via::Neoplasm | Via::Drug => {
            let tree = if doc.via == Via::Neoplasm {
                &lib.neoplasm
            } else {
                &lib.drug
            };
            let id = TermId(doc.source);
            let cells = tree.cells(id);
            let col = if doc.via == Via::Neoplasm {
                neoplasm_col.unwrap_or(5)
            } else {
                drug_col.unwrap_or(0)
            };
            let code = cells.get(col).copied().unwrap_or("");
            let heading = tree.columns().get(col + 1).copied().unwrap_or("");
            (
                code.to_string(),
                format!("{} [{}]", tree.path_text(id), heading),
            )
        }
        Via::Tabular | Via::Code => (
            t.key(NodeId(doc.source)).into_owned(),
            t.title(NodeId(doc.source)).into_owned(),
        ),
        Via::Inclusion => {
            let node = NodeId(doc.source);
            let text = t
                .own_notes(node)
                .into_iter()
                .filter(|n| n.kind == NoteKind::InclusionTerm)
                .nth(doc.extra as usize)
                .map(|n| n.text.to_string())
                .unwrap_or_default();
            (t.key(node).into_owned(), text)
        }
    };
    let code: IndexCode = raw_code.parse().ok()?;
    let node = t.find(&code.code)?;
    let node = refine(lib, node, stems, w);
    Some(suggestion(lib, node, score, doc.via, path, Vec::new()))
}

#[cfg(test)]
mod tests {
    use super::super::fixture;
    use super::*;
    use expect_test::{expect, Expect};

    /// The first three suggestions as `code (via)`, with what a code
    /// still needs or what was assumed.
    fn check(query: &str, expect: Expect) {
        let (lib, idx) = fixture::lib();
        let typing = !query.ends_with(' ');
        let got: Vec<String> = text_suggestions(
            lib,
            idx,
            query.trim_end(),
            false,
            typing,
            &Options::default(),
        )
        .iter()
        .take(3)
        .map(|s| {
            let mut line = format!("{} ({:?})", s.code, s.via);
            if let Some(n) = &s.needs {
                line.push_str(&format!(" needs {n}"));
            }
            if s.assumed.is_some() {
                line.push_str(" 7th assumed");
            }
            line
        })
        .collect();
        expect.assert_eq(&got.join(", "));
    }

    #[test]
    fn words_find_their_codes() {
        check(
            "congestive heart failure ",
            expect!["I50.9 (Index), I50.20 (Tabular), I50.21 (Tabular)"],
        );
        check(
            "heart failure ",
            expect!["I50.9 (Tabular), I50.20 (Index), I50.21 (Tabular)"],
        );
        check("multiple sclerosis ", expect!["G35 (Tabular)"]);
        check("mitral stenosis ", expect!["I05.0 (Index)"]);
    }

    #[test]
    fn typos_and_words_being_typed_still_match() {
        check(
            "hart failure ",
            expect!["I50.9 (Tabular), I50.20 (Index), I50.21 (Tabular)"],
        );
        check(
            "heart fail",
            expect!["I50.9 (Tabular), I50.20 (Index), I50.21 (Tabular)"],
        );
        check("multiple scl", expect!["G35 (Tabular)"]);
    }

    #[test]
    fn abbreviations_and_readings_reach_codes() {
        check(
            "CHF ",
            expect!["I50.9 (Index), I50.20 (Tabular), I50.21 (Tabular)"],
        );
        check("MS ", expect!["G35 (Tabular), I05.0 (Index)"]);
    }

    #[test]
    fn codes_that_are_not_billable_are_narrowed() {
        check(
            "systolic heart failure ",
            expect!["I50.20 (Index), I50.21 (Tabular), I50.22 (Tabular)"],
        );
        check(
            "acute on chronic systolic heart failure ",
            expect!["I50.23 (Tabular), I50.21 (Tabular), I50.22 (Tabular)"],
        );
        check("torus fracture of left radius ", expect!["S52.522A (Index) 7th assumed, S52.521A (Tabular) 7th assumed, S52.529A (Tabular) 7th assumed"]);
    }

    #[test]
    fn nothing_matches_nothing() {
        check("zzzz qqqq ", expect![[""]]);
        check(" ", expect![[""]]);
    }

    #[test]
    fn residuals() {
        let check = |q: &str, want: Option<Residual>| {
            assert_eq!(Residual::of_stems(&text::words(q)), want, "{q}");
        };
        check("Other specified retinal disorders", Some(Residual::Other));
        check("Retinal disorder, unspecified", Some(Residual::Unspecified));
        check("other and unspecified hyperlipidemia", None);
        check("chronic rhinitis", None);
        // "Otherwise" is not "other".
        check("not otherwise specified", None);
    }

    #[test]
    fn absent_words_are_read_clause_by_clause() {
        let absent = |q: &str| Polarity::of_text(&[q]).absent();
        // What a "without" names, unless said elsewhere too.
        assert_eq!(
            absent("fracture of skull without intracranial injury, with loss of consciousness"),
            ["intracrani", "injuri"]
        );
        assert_eq!(
            absent("intracranial hemorrhage without intracranial wound"),
            ["wound"]
        );
        // A comma ends the scope of "without".
        assert_eq!(
            absent("periostitis without osteomyelitis, lower leg"),
            ["osteomyel"]
        );
        // "Other than" excludes what follows.
        assert_eq!(
            absent("collision injuring driver of motor vehicle other than motorcycle"),
            ["motorcycl"]
        );
        let doc = |t: &str| Polarity::of_text(&[t]);
        let skull = absent("fracture of skull without intracranial injury");
        assert!(
            doc("Unspecified intracranial injury with loss of consciousness").asserts_any(&skull)
        );
        assert!(!doc("Unspecified fracture of skull").asserts_any(&skull));
        // A title's "not" denies, as "without" does.
        let light = absent("fetal malnutrition without light-for-dates");
        assert!(!doc(
            "Newborn affected by fetal malnutrition not light or small for gestational age"
        )
        .asserts_any(&light));
    }

    #[test]
    fn the_head_is_the_condition_before_the_comma() {
        assert_eq!(
            head_stems("Burkitt lymphoma, lymph nodes of axilla"),
            ["burkitt", "lymphoma"]
        );
        // A word the qualifier repeats, and steering words, are not the head's.
        assert_eq!(
            head_stems("lymphoma of lymph nodes, lymph nodes of neck"),
            ["lymphoma"]
        );
        assert_eq!(head_stems("left knee gout, chronic"), ["gout", "knee"]);
        // No comma, or nothing after it: no head.
        assert!(head_stems("acute appendicitis").is_empty());
        assert!(head_stems("acute appendicitis, ").is_empty());
    }

    #[test]
    fn history_titles() {
        assert!(is_history_title(
            "Personal history of other diseases of the respiratory system"
        ));
        assert!(is_history_title("Family history of ischemic heart disease"));
        assert!(!is_history_title("Other specified respiratory disorders"));
    }
}
