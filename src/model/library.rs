//! The built-in parameter sets, each with its citation and confidence tag.
//!
//! Numbers, citations and confidence tags are listed in docs/sources.md §Models; the
//! comment beside each says where the number was read. Models published as V1 and micro-constants
//! (Domino, Clements, Hijazi) are stored as published and converted to clearances by
//! [`Disposition::from_micro`], so the published numbers stay visible here.

use super::network::{Compartment, Elimination, Formation, Kind, Network, RoutePart, Transfer};
use super::variability::{omega_from_cv, Correlation, Parameter, Variability};
use super::{Disposition, Drug, Metabolite, MicroConstants, ModelSpec, Peripheral, Scaled};
use crate::route::{Route, RouteOverride};

/// The adult default.
pub const DEFAULT_MODEL: &str = "kamp-2020";

/// Ids of every built-in model, in the order `ketasim models` lists them.
pub const IDS: [&str; 7] = [
    "kamp-2020",
    "domino-1984",
    "clements-1981",
    "hijazi-2003",
    "herd-2007",
    "fanta-2015",
    "perez-ruixo-2021",
];

/// ke0 of S-ketamine antinociception: t½ke0 8.3 min ⇒ ke0 = ln 2 / 8.3 min = 0.0835 /min
/// (Olofsen et al., Anesthesiology 2022;136:792, doi:10.1097/ALN.0000000000004176, A).
const OLOFSEN_KE0_PER_H: f64 = std::f64::consts::LN_2 / (8.3 / 60.0);

/// The built-in model with this id.
pub fn get(id: &str) -> Option<ModelSpec> {
    match id {
        "kamp-2020" => Some(kamp_2020()),
        "domino-1984" => Some(domino_1984()),
        "clements-1981" => Some(clements_1981()),
        "hijazi-2003" => Some(hijazi_2003()),
        "herd-2007" => Some(herd_2007()),
        "fanta-2015" => Some(fanta_2015()),
        "perez-ruixo-2021" => Some(perez_ruixo_2021(&EsketamineCovariates::default())),
        _ => None,
    }
}

/// Every built-in model.
pub fn all() -> Vec<ModelSpec> {
    IDS.iter().filter_map(|id| get(id)).collect()
}

/// Per-minute micro-constants → per-hour.
fn per_min(k10: f64, k12: f64, k21: f64, k13: f64, k31: f64) -> MicroConstants {
    MicroConstants {
        k10: k10 * 60.0,
        k12: k12 * 60.0,
        k21: k21 * 60.0,
        k13: k13 * 60.0,
        k31: k31 * 60.0,
    }
}

/// A model given per kg as V1 (L/kg) and micro-constants: every derived volume and
/// clearance is then proportional to weight.
fn per_kg_from_micro(
    v1_l_per_kg: f64,
    k: MicroConstants,
    compartments: usize,
) -> Disposition<Scaled> {
    let d = Disposition::from_micro(v1_l_per_kg, k, compartments);
    Disposition {
        cl_l_h: Scaled::per_kg(d.cl_l_h),
        v1_l: Scaled::per_kg(d.v1_l),
        peripherals: d
            .peripherals
            .iter()
            .map(|p| Peripheral {
                q_l_h: Scaled::per_kg(p.q_l_h),
                v_l: Scaled::per_kg(p.v_l),
            })
            .collect(),
    }
}

fn base(
    id: &str,
    title: &str,
    citation: &str,
    confidence: &str,
    disposition: Disposition<Scaled>,
) -> ModelSpec {
    ModelSpec {
        id: id.into(),
        title: title.into(),
        citation: citation.into(),
        confidence: confidence.into(),
        population: "adults".into(),
        drug: Drug::Racemic,
        disposition,
        ke0_per_h: None,
        ke0_source: "no published ke0 for this model".into(),
        metabolite: None,
        depot_ka_per_h: None,
        route_overrides: Vec::new(),
        notes: Vec::new(),
        network: None,
    }
}

/// Kamp 2020, 3-compartment implementation of the meta-analysis model.
///
/// V1 25, V2 56, V3 157 L/70 kg (∝ W); CL 84, Q2 161, Q3 79 L/h/70 kg (∝ W^0.75), the
/// allometric scaling ketasim uses (docs/sources.md §kamp-2020). Seen in opentiva `Klamp` and the TS TIVA app
/// `ketamine_kamp` ("Table 2"); meta-analytic CL 79 L/h and Vd 252 L are A.
fn kamp_2020() -> ModelSpec {
    let mut m = base(
        "kamp-2020",
        "Kamp 2020, 3-compartment (adults; default)",
        "Kamp J, Olofsen E, Henthorn TK, et al. Ketamine pharmacokinetics: a systematic review of the literature, meta-analysis, and population analysis. Anesthesiology 2020;133:1192–1213. doi:10.1097/ALN.0000000000003577",
        "B: parameters seen in two codebases (opentiva, a TIVA app) citing Table 2; the meta-analytic CL 79 L/h and Vd 252 L/70 kg are A",
        Disposition {
            cl_l_h: Scaled::allometric(84.0, 0.75),
            v1_l: Scaled::allometric(25.0, 1.0),
            peripherals: vec![
                Peripheral { q_l_h: Scaled::allometric(161.0, 0.75), v_l: Scaled::allometric(56.0, 1.0) },
                Peripheral { q_l_h: Scaled::allometric(79.0, 0.75), v_l: Scaled::allometric(157.0, 1.0) },
            ],
        },
    );
    m.ke0_per_h = Some(OLOFSEN_KE0_PER_H);
    m.ke0_source = "ASSUMPTION: borrowed from Olofsen 2022 (S-ketamine antinociception, t½ke0 8.3 min); no ke0 is published for this model".into();
    m.notes = vec![
        "The central compartment is arterial: venous peaks during short infusions are over-predicted (253 vs 185 ng/mL for 0.5 mg/kg over 40 min; docs/sources.md §Model sanity check).".into(),
    ];
    m
}

/// Domino (STANPUMP set): V1 0.063 L/kg; k10 0.4381, k12 0.5921, k13 0.5900, k21 0.2470,
/// k31 0.0146 /min (opentiva `Domino`, fus_anes, TIVA-Flow agree: B).
fn domino_1984() -> ModelSpec {
    let mut m = base(
        "domino-1984",
        "Domino (STANPUMP set), 3-compartment (adults)",
        "Domino EF, Domino SE, Smith RE, et al. Ketamine kinetics in unmedicated and diazepam-premedicated subjects. Clin Pharmacol Ther 1984;36:645 (C: citation not verified; opentiva cites PMID 7198883 with no DOI)",
        "B: the same numbers in three independent codebases (opentiva, fus_anes, TIVA-Flow); the primary citation is C",
        per_kg_from_micro(0.063, per_min(0.4381, 0.5921, 0.2470, 0.5900, 0.0146), 3),
    );
    m.notes = vec![
        "Clearance 1.9 L/min at 70 kg is higher than current estimates (Kamp 2020: 1.3 L/min)."
            .into(),
    ];
    m
}

/// Clements & Nimmo 1981, 250 µg/kg bolus set: V1 1.7522 L/kg; k10 0.0109, k12 0.0186,
/// k21 0.0137 /min (opentiva `Clements250`, TIVA-Flow: B).
fn clements_1981() -> ModelSpec {
    base(
        "clements-1981",
        "Clements & Nimmo 1981, 2-compartment (adults)",
        "Clements JA, Nimmo WS. Pharmacokinetics and analgesic effect of ketamine in man. Br J Anaesth 1981;53:27–30. doi:10.1093/bja/53.1.27",
        "B: opentiva and TIVA-Flow, from the 250 µg/kg bolus data",
        per_kg_from_micro(1.7522, per_min(0.0109, 0.0186, 0.0137, 0.0, 0.0), 2),
    )
}

/// Hijazi 2003 (adult ICU, brain or spinal-cord injury): V1 1.08 L/kg; k10 0.0333,
/// k12 0.0088, k21 0.0030 /min (opentiva `Hijazi`, B). NCA CL 36.0 mL/min/kg is A.
fn hijazi_2003() -> ModelSpec {
    let mut m = base(
        "hijazi-2003",
        "Hijazi 2003, 2-compartment (adult ICU patients)",
        "Hijazi Y, Bodonian C, Bolon M, Salord F, Boulieu R. Pharmacokinetics and haemodynamics of ketamine in intensive care patients with brain or spinal cord injury. Br J Anaesth 2003;90:155–160. doi:10.1093/bja/aeg028",
        "A for the NCA (CL 36.0 mL/min/kg, t½ 4.9 h); B for the micro-constants (opentiva)",
        per_kg_from_micro(1.08, per_min(0.0333, 0.0088, 0.0030, 0.0, 0.0), 2),
    );
    m.population = "adult ICU patients with brain or spinal-cord injury (n = 12)".into();
    m
}

/// Herd & Anderson 2007 (children 1–14 y): V1 38.7, V2 102 L/70 kg (∝ W); CL 90,
/// Q 215 L/h/70 kg (∝ W^0.75) — PubMed 17564643 abstract, A.
fn herd_2007() -> ModelSpec {
    let mut m = base(
        "herd-2007",
        "Herd & Anderson 2007, 2-compartment (children 1–14 y)",
        "Herd DW, Anderson BJ, Holford NHG. Modeling the norketamine metabolite in children and the implications for analgesia. Paediatr Anaesth 2007;17:622–629. doi:10.1111/j.1460-9592.2006.02145.x",
        "A: PubMed abstract (17564643)",
        Disposition {
            cl_l_h: Scaled::allometric(90.0, 0.75),
            v1_l: Scaled::allometric(38.7, 1.0),
            peripherals: vec![Peripheral { q_l_h: Scaled::allometric(215.0, 0.75), v_l: Scaled::allometric(102.0, 1.0) }],
        },
    );
    m.population = "children 1–14 y (n = 54)".into();
    m
}

/// Fanta 2015 S-ketamine with Otto 2021 S-norketamine.
///
/// S-ketamine: V1 133 L (∝ W), CL 95.2 L/h (∝ W^0.75), Vp1 187 L, Q1 23.2 L/h, Vp2 98.8 L,
/// Q2 157 L/h (not weight-scaled in Otto's as-run code). S-norketamine: V 98.6 L (∝ W),
/// CL 57.7 L/h (∝ W^0.75), Vp 160 L, Q 42.8 L/h; all S-ketamine clearance forms it (fm = 1),
/// amounts in S-ketamine mass equivalents (nlmixr2lib `Otto_2021_s_ketamine.R`, B+).
///
/// Oral F = 0.08 (Fanta 2015, A). First-pass S-norketamine fraction 0.72 (D): Fanta
/// reports norketamine AUC 16.5× S-ketamine AUC at oral steady state; with fm = 1,
/// AUC_NK/AUC_K = (F + f_pre)/F × CL_K/CL_NK, so f_pre = 16.5 × 0.08 × 57.7/95.2 − 0.08.
fn fanta_2015() -> ModelSpec {
    let fixed = Scaled::fixed;
    let mut m = base(
        "fanta-2015",
        "Fanta 2015 S-ketamine + Otto 2021 S-norketamine (adults)",
        "Fanta S, Kinnunen M, Backman JT, Kalso E. Population pharmacokinetics of S-ketamine and norketamine in healthy volunteers after intravenous and oral dosing. Eur J Clin Pharmacol 2015;71:441–447. doi:10.1007/s00228-015-1826-y; Otto ME, Bergmann KR, Jacobs G, van Esdonk MJ. Eur J Clin Pharmacol 2021;77:1181–1192. doi:10.1007/s00228-021-03104-1",
        "A for CL and oral F (Fanta abstract); B+ for the rest (nlmixr2lib transcription of Otto 2021 Table 3); first-pass norketamine fraction D",
        Disposition {
            cl_l_h: Scaled::allometric(95.2, 0.75),
            v1_l: Scaled::allometric(133.0, 1.0),
            peripherals: vec![
                Peripheral { q_l_h: fixed(23.2), v_l: fixed(187.0) },
                Peripheral { q_l_h: fixed(157.0), v_l: fixed(98.8) },
            ],
        },
    );
    m.drug = Drug::SKetamine;
    m.ke0_per_h = Some(OLOFSEN_KE0_PER_H);
    m.ke0_source = "Olofsen 2022 (S-ketamine antinociception, t½ke0 8.3 min), fitted with a different PK model (D)".into();
    m.metabolite = Some(Metabolite {
        name: "S-norketamine".into(),
        fraction_formed: 1.0,
        disposition: Disposition {
            cl_l_h: Scaled::allometric(57.7, 0.75),
            v1_l: Scaled::allometric(98.6, 1.0),
            peripherals: vec![Peripheral {
                q_l_h: fixed(42.8),
                v_l: fixed(160.0),
            }],
        },
    });
    let presystemic = 16.5 * 0.08 * 57.7 / 95.2 - 0.08;
    let oral = RouteOverride {
        bioavailability: Some(0.08),
        presystemic_fraction: Some(presystemic),
        ..Default::default()
    };
    // Intranasal keeps the shared two-pathway default (route.rs, fitted on S-ketamine
    // among others): its swallowed share meets this oral F and first pass.
    m.route_overrides = vec![(Route::Oral, oral)];
    m.notes = vec![
        "Describes S-ketamine only: doses are mg of S-ketamine (esketamine). Racemic ketamine is 50% S.".into(),
        "S-norketamine concentrations are in S-ketamine mass equivalents, as fitted by Otto 2021.".into(),
    ];
    m
}

/// The covariates Perez-Ruixo 2021 retained (weight and sex were not).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct EsketamineCovariates {
    /// Age (years): hepatic blood flow falls by 2.19 L/h per year above 60.
    pub age_years: f64,
    /// Asian ancestry: kel ×0.36, noresketamine CLn/F ×0.81.
    pub asian: bool,
}

impl Default for EsketamineCovariates {
    /// The Table 4 reference patient: non-Asian, 18–60 years.
    fn default() -> Self {
        EsketamineCovariates {
            age_years: 45.0,
            asian: false,
        }
    }
}

/// Perez-Ruixo 2021 esketamine nasal/IV/oral model (Clin Pharmacokinet 2021;60:501,
/// Table 3 as transcribed in nlmixr2lib `PerezRuixo_2020_esketamine.R`, B+; CL 114 L/h,
/// Vss 752 L and nasal F are A from the abstract). Weight was not retained, so nothing scales.
///
/// Esketamine: central Vc 192 L exchanging with peripherals (Q1 84.3 L/h, Vp1 143 L;
/// Q2 37.6 L/h, Vp2 417 L) and with a hepato-portal compartment (Vh 101 L) at hepatic
/// flow Qh 151 L/h; the liver eliminates with kel 1.11 /h and forms noresketamine with
/// kmet 2.77 /h, so clearance is well-stirred: Qh·E with E = Vh(kel+kmet)/(Qh+Vh(kel+kmet)).
/// Noresketamine (apparent, /F): Vcn 70 L, CLn 38 L/h, Q3 26.1 L/h, Vpn 115 L.
///
/// Routes: a nasal device puts FRn 0.54 into the nose (ka 2.93 /h into central); each
/// later device in a session has FRn × 0.62. The swallowed rest (1 − FRn) × Fgut 0.64
/// enters a gut depot over 0.53 h (ka 1.45 /h into the liver). An oral solution: Fgut
/// over 0.32 h, ka 0.97 /h into the liver. The printed ODEs have typos (nlmixr2lib
/// errata); this is the bioavailability encoding that reproduces the published
/// F = FRn + (1 − FRn)·Fgut·(1 − E).
pub fn perez_ruixo_2021(c: &EsketamineCovariates) -> ModelSpec {
    let fixed = Scaled::fixed;
    let qh = 151.0 - 2.19 * (c.age_years - 60.0).max(0.0);
    let kel = if c.asian { 1.11 * 0.36 } else { 1.11 };
    let kmet = 2.77;
    let cln = if c.asian { 38.0 * 0.81 } else { 38.0 };
    let vh = 101.0;
    let intrinsic = vh * (kel + kmet);
    let clearance = qh * intrinsic / (qh + intrinsic);
    let (frn, later, fgut) = (0.54, 0.54 * 0.62, 0.64);
    let names = [
        ("central", Kind::Volume(fixed(192.0))),
        ("peripheral-1", Kind::Volume(fixed(143.0))),
        ("peripheral-2", Kind::Volume(fixed(417.0))),
        ("liver", Kind::Volume(fixed(vh))),
        ("nose", Kind::Amount),
        ("gut-swallowed", Kind::Amount),
        ("gut-oral", Kind::Amount),
        ("noresketamine", Kind::Volume(fixed(70.0))),
        ("noresketamine-peripheral", Kind::Volume(fixed(115.0))),
        (
            "effect-site",
            Kind::Effect {
                of: 0,
                ke0_per_h: OLOFSEN_KE0_PER_H,
            },
        ),
    ];
    let exchange = |from, to, q| super::network::Flow {
        from,
        to,
        transfer: Transfer::Clearance(fixed(q)),
        both_ways: true,
    };
    let absorb = |from, to, ka| super::network::Flow {
        from,
        to,
        transfer: Transfer::RateConstant(ka),
        both_ways: false,
    };
    let part = |route, into, fraction_first, fraction_later, over_h| RoutePart {
        route,
        into,
        fraction_first,
        fraction_later,
        over_h,
    };
    let network = Network {
        compartments: names
            .into_iter()
            .map(|(name, kind)| Compartment {
                name: name.into(),
                kind,
            })
            .collect(),
        flows: vec![
            exchange(0, 1, 84.3),
            exchange(0, 2, 37.6),
            exchange(0, 3, qh),
            absorb(4, 0, 2.93),
            absorb(5, 3, 1.45),
            absorb(6, 3, 0.97),
            exchange(7, 8, 26.1),
        ],
        eliminations: vec![
            Elimination {
                from: 3,
                transfer: Transfer::RateConstant(kel),
                forms: None,
            },
            Elimination {
                from: 3,
                transfer: Transfer::RateConstant(kmet),
                forms: Some(Formation {
                    into: 7,
                    fraction: 1.0,
                    molar_mass_ratio: 1.0,
                }),
            },
            Elimination {
                from: 7,
                transfer: Transfer::Clearance(fixed(cln)),
                forms: None,
            },
        ],
        plasma: 0,
        metabolite: Some(7),
        effect: Some(9),
        routes: Vec::new(),
        split_routes: vec![
            part(Route::Intranasal, 4, frn, later, 0.0),
            part(
                Route::Intranasal,
                5,
                (1.0 - frn) * fgut,
                (1.0 - later) * fgut,
                0.53,
            ),
            part(Route::Oral, 6, fgut, fgut, 0.32),
        ],
    };
    let mut m = base(
        "perez-ruixo-2021",
        "Perez-Ruixo 2021 esketamine nasal spray, hepato-portal first pass (adults)",
        "Perez-Ruixo C, Rossenu S, Zannikos P, et al. Population pharmacokinetics of esketamine nasal spray and its metabolite noresketamine in healthy subjects and patients with treatment-resistant depression. Clin Pharmacokinet 2021;60:501–516. doi:10.1007/s40262-020-00953-4",
        "A for CL 114 L/h, Vss 752 L and nasal F (abstract); B+ for the rest (nlmixr2lib transcription of Table 3)",
        Disposition {
            cl_l_h: fixed(clearance),
            v1_l: fixed(192.0),
            peripherals: vec![
                Peripheral { q_l_h: fixed(84.3), v_l: fixed(143.0) },
                Peripheral { q_l_h: fixed(37.6), v_l: fixed(417.0) },
            ],
        },
    );
    m.drug = Drug::SKetamine;
    m.ke0_per_h = Some(OLOFSEN_KE0_PER_H);
    m.ke0_source = "Olofsen 2022 (S-ketamine antinociception, t½ke0 8.3 min), fitted with a different PK model (D)".into();
    m.metabolite = Some(Metabolite {
        name: "noresketamine".into(),
        fraction_formed: kmet / (kel + kmet),
        disposition: Disposition {
            cl_l_h: fixed(cln),
            v1_l: fixed(70.0),
            peripherals: vec![Peripheral {
                q_l_h: fixed(26.1),
                v_l: fixed(115.0),
            }],
        },
    });
    m.network = Some(network);
    m.notes = vec![
        "Doses are mg of esketamine. A nasal session is one dose per 28 mg device, 5 min apart: `{ route = \"intranasal\", amount = \"28 mg\", every = \"5 min\", times = 3 }` is 84 mg; devices within 30 min of the previous one count as later devices (FRn × 0.62).".into(),
        "Covariates: hepatic flow falls 2.19 L/h per year of age above 60; Asian ancestry: kel × 0.36 and noresketamine CLn/F × 0.81. The built-in is the non-Asian patient aged 18–60 (Table 4's reference).".into(),
        "Noresketamine is apparent (/F, no IV noresketamine data): Cmax matches Table 4 but AUC is over-predicted by about 1/F_met = (kel + kmet)/kmet = 1.40 (nlmixr2lib errata).".into(),
        "Venous sampling: Vc 192 L is not comparable to arterial models' V1 (Kamp 25 L).".into(),
    ];
    m
}

/// The between-subject variability published with model `id`, if docs/sources.md
/// §Models lists it; `None` for models published without BSV (Kamp, Domino, Clements, Hijazi).
pub fn published_variability(id: &str) -> Option<Variability> {
    match id {
        "herd-2007" => Some(herd_2007_variability()),
        "fanta-2015" => Some(fanta_2015_variability()),
        _ => None,
    }
}

/// Herd 2007 BSV as CV: V1 64%, V2 52%, CL 38%, Q 19% (PubMed abstract 17564643,
/// docs/sources.md §herd-2007, A). Read as true log-normal CVs ([`omega_from_cv`]); see
/// [`super::variability`] on the "apparent CV" reading.
fn herd_2007_variability() -> Variability {
    let mut v = Variability {
        source: "Herd 2007 (A: PubMed abstract)".into(),
        ..Variability::none()
    };
    v.set(Parameter::CentralVolume, omega_from_cv(0.64));
    v.set(Parameter::PeripheralVolume, omega_from_cv(0.52));
    v.set(Parameter::Clearance, omega_from_cv(0.38));
    v.set(Parameter::IntercompartmentalClearance, omega_from_cv(0.19));
    v
}

/// Otto 2021's re-estimate of S-ketamine BSV on the Fanta 2015 model: ω² V1 0.084,
/// CL 0.026, cov(V1, CL) 0.023, so r = 0.023 / √(0.084 · 0.026) = 0.49 (Table 3 as
/// transcribed in nlmixr2lib `Otto_2021_s_ketamine.R`, docs/sources.md §fanta-2015, B+). Otto's
/// S-norketamine BSV is not applied: populations report parent percentiles only.
fn fanta_2015_variability() -> Variability {
    let (var_v1, var_cl, cov) = (0.084_f64, 0.026_f64, 0.023_f64);
    let mut v = Variability {
        source: "Otto 2021 on Fanta 2015 (B+: nlmixr2lib transcription of Table 3)".into(),
        ..Variability::none()
    };
    v.set(Parameter::CentralVolume, var_v1.sqrt());
    v.set(Parameter::Clearance, var_cl.sqrt());
    v.correlations.push(Correlation {
        between: (Parameter::CentralVolume, Parameter::Clearance),
        r: cov / (var_v1 * var_cl).sqrt(),
    });
    v
}

#[cfg(test)]
mod tests {
    /// Perez-Ruixo 2021's covariates change the well-stirred clearance
    /// CL = Qh·CLint/(Qh + CLint), CLint = Vh·(kel + kmet), as Table 3 says.
    #[test]
    fn perez_ruixo_age_and_ancestry_change_hepatic_clearance() {
        let well_stirred = |qh: f64, kel: f64| {
            let clint = 101.0 * (kel + 2.77);
            qh * clint / (qh + clint)
        };
        let cl = |age_years, asian| {
            perez_ruixo_2021(&EsketamineCovariates { age_years, asian })
                .individual(70.0)
                .disposition
                .cl_l_h
        };
        assert!((cl(30.0, false) - well_stirred(151.0, 1.11)).abs() < 1e-12);
        assert!((cl(60.0, false) - well_stirred(151.0, 1.11)).abs() < 1e-12);
        assert!((cl(80.0, false) - well_stirred(151.0 - 2.19 * 20.0, 1.11)).abs() < 1e-12);
        assert!((cl(45.0, true) - well_stirred(151.0, 1.11 * 0.36)).abs() < 1e-12);
    }

    use super::*;
    use approx::assert_relative_eq;

    /// docs/sources.md gives derived values to 2–3 significant digits.
    const REFERENCE_ROUNDING: f64 = 0.01;

    /// Derived CL (L/min at 70 kg) and Vss (L at 70 kg) from docs/sources.md §Models and §Model sanity check.
    #[test]
    fn derived_clearance_and_vss_match_the_sources_page() {
        let cases = [
            ("kamp-2020", 1.40, 238.0),
            ("domino-1984", 1.93, 2.76 * 70.0),
            ("clements-1981", 1.34, (1.7522 + 2.38) * 70.0),
            ("hijazi-2003", 2.52, (1.08 + 3.17) * 70.0),
            ("herd-2007", 1.50, 141.0),
            ("fanta-2015", 95.2 / 60.0, 133.0 + 187.0 + 98.8),
        ];
        for (id, cl_l_min, vss_l) in cases {
            let d = get(id).unwrap().individual(70.0).disposition;
            assert_relative_eq!(d.cl_l_h / 60.0, cl_l_min, max_relative = REFERENCE_ROUNDING);
            assert_relative_eq!(d.vss_l(), vss_l, max_relative = REFERENCE_ROUNDING);
        }
    }

    #[test]
    fn hijazi_clearance_is_the_published_nca_value() {
        // 36.0 mL/min/kg (Hijazi 2003 abstract, A) = 0.0333 /min × 1.08 L/kg.
        let d = get("hijazi-2003").unwrap().individual(1.0).disposition;
        assert_relative_eq!(
            d.cl_l_h / 60.0 * 1000.0,
            36.0,
            max_relative = REFERENCE_ROUNDING
        );
    }

    #[test]
    fn fanta_first_pass_reproduces_the_published_metabolite_ratio() {
        let m = get("fanta-2015").unwrap();
        let o = m.route_override(Route::Oral).unwrap();
        let (f, fpre) = (o.bioavailability.unwrap(), o.presystemic_fraction.unwrap());
        let ratio = (f + fpre) / f * 95.2 / 57.7;
        assert_relative_eq!(ratio, 16.5, max_relative = 1e-12);
        assert!(f + fpre <= 1.0);
    }

    #[test]
    fn published_variability_matches_the_reference_file() {
        use crate::model::variability::cv_from_omega;
        let herd = published_variability("herd-2007").unwrap();
        assert_relative_eq!(
            cv_from_omega(herd.omega(Parameter::CentralVolume)),
            0.64,
            max_relative = 1e-12
        );
        assert_relative_eq!(
            cv_from_omega(herd.omega(Parameter::IntercompartmentalClearance)),
            0.19,
            max_relative = 1e-12
        );
        let fanta = published_variability("fanta-2015").unwrap();
        assert_relative_eq!(fanta.omega(Parameter::Clearance).powi(2), 0.026);
        let r = fanta.correlation(Parameter::Clearance, Parameter::CentralVolume);
        assert_relative_eq!(r, 0.4922, max_relative = 1e-3);
        assert!(published_variability("kamp-2020").is_none());
    }

    #[test]
    fn every_listed_id_resolves() {
        assert_eq!(all().len(), IDS.len());
        assert!(get(DEFAULT_MODEL).is_some());
    }
}
