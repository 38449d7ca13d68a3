//! General medical language the procedure search reads, beside the
//! classification's own words: organ adjectives (`renal`), combining forms
//! (`nephr-`) and operation suffixes (`-ectomy`).
//!
//! ```
//! use icd_core::pcs::lexicon::{body_parts_of, suffix_operations};
//! assert_eq!(body_parts_of("nephroureter"), ["kidney", "ureter"]);
//! let (suffix, ops) = suffix_operations("appendectomy").unwrap();
//! assert_eq!(suffix, "ectomy");
//! assert!(ops.iter().any(|(op, _)| *op == "Resection"));
//! ```
//!
//! Caveat: these are small general dictionaries, not a terminology: they
//! say which body part or root operation a word's parts usually mean, and
//! the search weighs that as evidence beside the labels and the Index.

/// Adjectives of general medical language and the body part nouns the
/// labels use (`renal` is the kidney, `gastric` the stomach). A statement
/// with the adjective also has the noun; labels that use the adjective
/// (`Renal Artery`) still match it.
pub const ORGAN_ADJECTIVES: &[(&str, &str)] = &[
    ("abdominal", "abdomen"),
    ("anal", "anus"),
    ("aortic", "aorta"),
    ("articular", "joint"),
    ("atrial", "atrium"),
    ("aural", "ear"),
    ("auricular", "ear"),
    ("biliary", "bile duct"),
    ("bronchial", "bronchus"),
    ("calcaneal", "calcaneus"),
    ("cardiac", "heart"),
    ("cerebellar", "cerebellum"),
    ("cerebral", "brain"),
    ("clavicular", "clavicle"),
    ("coccygeal", "coccyx"),
    ("colonic", "colon"),
    ("corneal", "cornea"),
    ("costal", "rib"),
    ("cranial", "skull"),
    ("cutaneous", "skin"),
    ("dental", "tooth"),
    ("dermal", "skin"),
    ("diaphragmatic", "diaphragm"),
    ("duodenal", "duodenum"),
    ("dural", "dura mater"),
    ("endometrial", "endometrium"),
    ("esophageal", "esophagus"),
    ("fibular", "fibula"),
    ("gastric", "stomach"),
    ("gingival", "gingiva"),
    ("gluteal", "buttock"),
    ("hepatic", "liver"),
    ("humeral", "humerus"),
    ("intestinal", "intestine"),
    ("labial", "lip"),
    ("laryngeal", "larynx"),
    ("lingual", "tongue"),
    ("mammary", "breast"),
    ("mandibular", "mandible"),
    ("maxillary", "maxilla"),
    ("mediastinal", "mediastinum"),
    ("meningeal", "meninges"),
    ("muscular", "muscle"),
    ("myocardial", "heart"),
    ("nasal", "nose"),
    ("ocular", "eye"),
    ("oral", "mouth"),
    ("orbital", "orbit"),
    ("otic", "ear"),
    ("ovarian", "ovary"),
    ("palatal", "palate"),
    ("pancreatic", "pancreas"),
    ("patellar", "patella"),
    ("pelvic", "pelvis"),
    ("penile", "penis"),
    ("pericardial", "pericardium"),
    ("peritoneal", "peritoneum"),
    ("phalangeal", "phalanx"),
    ("pharyngeal", "pharynx"),
    ("placental", "placenta"),
    ("pleural", "pleura"),
    ("prostatic", "prostate"),
    ("pulmonary", "lung"),
    ("rectal", "rectum"),
    ("renal", "kidney"),
    ("retinal", "retina"),
    ("sacral", "sacrum"),
    ("scapular", "scapula"),
    ("scleral", "sclera"),
    ("scrotal", "scrotum"),
    ("splenic", "spleen"),
    ("sternal", "sternum"),
    ("testicular", "testis"),
    ("thoracic", "chest"),
    ("tibial", "tibia"),
    ("tonsillar", "tonsil"),
    ("tracheal", "trachea"),
    ("ulnar", "ulna"),
    ("ureteral", "ureter"),
    ("urethral", "urethra"),
    ("uterine", "uterus"),
    ("vaginal", "vagina"),
    ("valvular", "valve"),
    ("ventricular", "ventricle"),
    ("vertebral", "vertebra"),
    ("vesical", "bladder"),
    ("vulvar", "vulva"),
];

/// Words of general medical language for the imaging types of the Imaging
/// and Nuclear Medicine sections (their third axis) and the type labels
/// they mean: an ultrasound or sonogram is Ultrasonography (the
/// definition's "reflected and attenuated high frequency sound waves"), an
/// MRI and a CT their labels' own abbreviations, a radiograph a Plain
/// Radiography. A statement with the word also has the label's words, so
/// the type's tables and the Index paths under it (`Ultrasonography >
/// Abdomen`) match it.
pub const IMAGING_WORDS: &[(&str, &str)] = &[
    ("ct", "Computerized Tomography"),
    ("mri", "Magnetic Resonance Imaging"),
    ("pet", "Positron Emission Tomographic Imaging"),
    ("radiograph", "Plain Radiography"),
    ("sonogram", "Ultrasonography"),
    ("sonography", "Ultrasonography"),
    ("ultrasonogram", "Ultrasonography"),
    ("ultrasound", "Ultrasonography"),
];

/// Words of procedure statements that name a root operation without its
/// label, with shares, from the operations' definitions and explanations:
/// a foreign body or a calculus is the "solid matter" Extirpation takes
/// out; a suture or closure is a Repair; an aspiration or puncture drains;
/// an incision usually drains; a debridement cuts out (Excision).
pub const OPERATION_WORDS: &[(&str, &[(&str, f32)])] = &[
    ("aspiration", &[("Drainage", 1.0)]),
    ("calculus", &[("Extirpation", 1.0)]),
    ("closure", &[("Repair", 0.7), ("Occlusion", 0.3)]),
    ("debridement", &[("Excision", 0.7), ("Extraction", 0.3)]),
    ("foreign", &[("Extirpation", 1.0)]),
    (
        "incision",
        &[("Drainage", 0.6), ("Inspection", 0.2), ("Division", 0.2)],
    ),
    ("puncture", &[("Drainage", 1.0)]),
    ("stone", &[("Extirpation", 0.7), ("Fragmentation", 0.3)]),
    ("suture", &[("Repair", 1.0)]),
    ("thrombus", &[("Extirpation", 1.0)]),
];

/// Words of procedure statements for devices and the device value labels
/// they mean, from the device key and definitions: a prosthesis or a mesh
/// is a Synthetic Substitute (tissue made by hand, not taken from a body),
/// a stent an Intraluminal Device, an electrode a lead. A statement with
/// the word also has the label's words.
pub const DEVICE_WORDS: &[(&str, &str)] = &[
    ("electrode", "Lead"),
    ("electrodes", "Lead"),
    ("mesh", "Synthetic Substitute"),
    ("prosthesis", "Synthetic Substitute"),
    ("prosthetic", "Synthetic Substitute"),
    ("stent", "Intraluminal Device"),
    ("stents", "Intraluminal Device"),
];

/// Devices that are taken out and put back "without cutting or puncturing
/// the skin or a mucous membrane", the root operation Change (its key
/// examples are a urinary catheter change and a gastrostomy tube change;
/// packing, casts and splints are changed in the Placement section). The
/// replacement of one of these is a Change, not a Replacement, which puts
/// in a substitute for a body part.
pub const CHANGED_DEVICES: &[&str] = &["cast", "catheter", "drain", "packing", "splint", "tube"];

/// Operation suffixes of surgical words and the root operations they
/// usually are, with shares, from the operations' definitions: `-ectomy`
/// cuts out (Excision for a portion, Resection for all), `-otomy` cuts
/// into (to drain, divide or explore), `-ostomy` makes an opening
/// (Bypass, or Drainage), `-plasty` reshapes, `-pexy` fixes in place,
/// `-rrhaphy` sutures, `-scopy` looks, `-lysis` frees, `-tripsy` crushes,
/// `-desis` fuses, `-centesis` punctures to drain. Longest first.
pub const SUFFIX_OPERATIONS: &[(&str, &[(&str, f32)])] = &[
    ("centesis", &[("Drainage", 1.0)]),
    ("rrhaphy", &[("Repair", 1.0)]),
    ("ectomy", &[("Excision", 0.5), ("Resection", 0.5)]),
    ("ostomy", &[("Bypass", 0.7), ("Drainage", 0.3)]),
    (
        "plasty",
        &[("Repair", 0.5), ("Replacement", 0.25), ("Supplement", 0.25)],
    ),
    ("tripsy", &[("Fragmentation", 1.0)]),
    (
        "otomy",
        &[("Drainage", 0.5), ("Division", 0.3), ("Inspection", 0.2)],
    ),
    ("scopy", &[("Inspection", 1.0)]),
    ("desis", &[("Fusion", 1.0)]),
    ("lysis", &[("Release", 1.0)]),
    (
        "pexy",
        &[("Reposition", 0.6), ("Reattachment", 0.2), ("Repair", 0.2)],
    ),
];

/// The suffix a word ends with (with at least three letters before it)
/// and its operations.
pub fn suffix_operations(word: &str) -> Option<(&'static str, &'static [(&'static str, f32)])> {
    SUFFIX_OPERATIONS
        .iter()
        .find(|(s, _)| word.len() >= s.len() + 3 && word.ends_with(s))
        .copied()
}

/// Combining forms of surgical words and the body part nouns the labels
/// use (`hyster-` is the uterus, `salping-` the fallopian tube).
pub const COMBINING_FORMS: &[(&str, &str)] = &[
    ("adenoid", "adenoids"),
    ("adren", "adrenal gland"),
    ("aort", "aorta"),
    ("append", "appendix"),
    ("arteri", "artery"),
    ("arthr", "joint"),
    ("blephar", "eyelid"),
    ("bronch", "bronchus"),
    ("cardi", "heart"),
    ("cerebr", "brain"),
    ("cervic", "cervix"),
    ("cheil", "lip"),
    ("cholangi", "bile duct"),
    ("cholecyst", "gallbladder"),
    ("choledoch", "common bile duct"),
    ("chondr", "cartilage"),
    ("col", "colon"),
    ("colp", "vagina"),
    ("cost", "rib"),
    ("crani", "skull"),
    ("cyst", "bladder"),
    ("dacry", "lacrimal"),
    ("dactyl", "finger"),
    ("derm", "skin"),
    ("duoden", "duodenum"),
    ("encephal", "brain"),
    ("enter", "intestine"),
    ("episi", "perineum"),
    ("esophag", "esophagus"),
    ("gastr", "stomach"),
    ("gingiv", "gingiva"),
    ("gloss", "tongue"),
    ("hepat", "liver"),
    ("hyster", "uterus"),
    ("ile", "ileum"),
    ("irid", "iris"),
    ("jejun", "jejunum"),
    ("kerat", "cornea"),
    ("labyrinth", "inner ear"),
    ("laryng", "larynx"),
    ("mamm", "breast"),
    ("mast", "breast"),
    ("mastoid", "mastoid sinus"),
    ("mening", "meninges"),
    ("myel", "spinal cord"),
    ("myring", "tympanic membrane"),
    ("nephr", "kidney"),
    ("neur", "nerve"),
    ("odont", "tooth"),
    ("onych", "nail"),
    ("oophor", "ovary"),
    ("ophthalm", "eye"),
    ("orch", "testis"),
    ("orchi", "testis"),
    ("oste", "bone"),
    ("palat", "palate"),
    ("pancreat", "pancreas"),
    ("parathyroid", "parathyroid gland"),
    ("pericardi", "pericardium"),
    ("perine", "perineum"),
    ("peritone", "peritoneum"),
    ("phalang", "phalanx"),
    ("pharyng", "pharynx"),
    ("phleb", "vein"),
    ("pleur", "pleura"),
    ("pneum", "lung"),
    ("pneumon", "lung"),
    ("proct", "rectum"),
    ("prostat", "prostate"),
    ("pyel", "kidney pelvis"),
    ("pylor", "pylorus"),
    ("rect", "rectum"),
    ("retin", "retina"),
    ("rhin", "nose"),
    ("salping", "fallopian tube"),
    ("scler", "sclera"),
    ("sial", "salivary gland"),
    ("sigmoid", "sigmoid colon"),
    ("splen", "spleen"),
    ("spondyl", "vertebra"),
    ("stern", "sternum"),
    ("synov", "joint"),
    ("tend", "tendon"),
    ("tenon", "tendon"),
    ("thym", "thymus"),
    ("thyr", "thyroid gland"),
    ("thyroid", "thyroid gland"),
    ("tonsill", "tonsils"),
    ("trache", "trachea"),
    ("tympan", "tympanic membrane"),
    ("ureter", "ureter"),
    ("urethr", "urethra"),
    ("uter", "uterus"),
    ("uvul", "uvula"),
    ("vagin", "vagina"),
    ("valv", "valve"),
    ("vas", "vas deferens"),
    ("vesic", "bladder"),
    ("vitr", "vitreous"),
    ("vulv", "vulva"),
];

/// The body parts a word's combining forms name, in order: the longest
/// form the word begins with, then, past a linking `ic`, `o` or `i`, the
/// next (`pancreaticoduoden` is pancreas and duodenum). Stops at the first
/// letters no form begins.
pub fn body_parts_of(word: &str) -> Vec<&'static str> {
    let longest = |rest: &str| {
        COMBINING_FORMS
            .iter()
            .filter(|(f, _)| rest.starts_with(f))
            .max_by_key(|(f, _)| f.len())
            .copied()
    };
    let mut out = Vec::new();
    let mut rest = word;
    loop {
        // The form here, or past one linking vowel (`salping-o-oophor`).
        let found = longest(rest).map(|f| (f, rest)).or_else(|| {
            let r = rest.strip_prefix(['o', 'i'])?;
            longest(r).map(|f| (f, r))
        });
        let Some(((form, noun), at)) = found else {
            break;
        };
        if !out.contains(&noun) {
            out.push(noun);
        }
        rest = &at[form.len()..];
        rest = rest.strip_prefix("ic").unwrap_or(rest);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn combining_forms_read_in_order() {
        for (word, want) in [
            ("nephroureter", &["kidney", "ureter"][..]),
            ("pancreaticoduoden", &["pancreas", "duodenum"]),
            ("salpingooophor", &["fallopian tube", "ovary"]),
            ("cholecyst", &["gallbladder"]),
            ("mastoid", &["mastoid sinus"]),
            ("gastrojejun", &["stomach", "jejunum"]),
            ("xyz", &[]),
        ] {
            assert_eq!(body_parts_of(word), want, "{word}");
        }
    }

    #[test]
    fn suffixes_name_operations() {
        for (word, suffix, op) in [
            ("hysterectomy", "ectomy", "Resection"),
            ("arthrotomy", "otomy", "Drainage"),
            ("colostomy", "ostomy", "Bypass"),
            ("herniorrhaphy", "rrhaphy", "Repair"),
            ("cystoscopy", "scopy", "Inspection"),
            ("arthrodesis", "desis", "Fusion"),
            ("paracentesis", "centesis", "Drainage"),
            ("orchiopexy", "pexy", "Reposition"),
        ] {
            let (s, ops) = suffix_operations(word).unwrap();
            assert_eq!(s, suffix, "{word}");
            assert!(ops.iter().any(|(o, _)| *o == op), "{word}: {ops:?}");
        }
        // Too short to carry a body part, or no suffix at all.
        assert!(suffix_operations("scopy").is_none());
        assert!(suffix_operations("biopsy").is_none());
        // The shares of each suffix sum to one.
        for (s, ops) in SUFFIX_OPERATIONS {
            let total: f32 = ops.iter().map(|o| o.1).sum();
            assert!((total - 1.0).abs() < 1e-6, "{s}");
        }
    }

    #[test]
    fn organ_adjectives_are_sorted_and_unique() {
        for w in OPERATION_WORDS.windows(2) {
            assert!(w[0].0 < w[1].0, "{:?}", w[0].0);
        }
        for (word, ops) in OPERATION_WORDS {
            let total: f32 = ops.iter().map(|o| o.1).sum();
            assert!((total - 1.0).abs() < 1e-6, "{word}");
        }
        for w in ORGAN_ADJECTIVES.windows(2) {
            assert!(w[0].0 < w[1].0, "{:?}", w);
        }
        for w in DEVICE_WORDS.windows(2) {
            assert!(w[0].0 < w[1].0, "{:?}", w);
        }
        for w in CHANGED_DEVICES.windows(2) {
            assert!(w[0] < w[1], "{:?}", w);
        }
        for w in COMBINING_FORMS.windows(2) {
            assert!(w[0].0 < w[1].0, "{:?}", w);
        }
    }
}
