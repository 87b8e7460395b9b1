//! The catalogue is well formed: every family, entry, control, measure, picture and config
//! obeys the naming rule of ARCHITECTURE.md, and every id leads to its statement and code.
use boundlab::experiment::{list_configs, CHART_KINDS};
use boundlab::families::REGISTRY;
use boundlab::links;
use std::collections::BTreeSet;
use std::path::Path;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn ids_are_unique_and_start_with_their_family() {
    let mut seen = BTreeSet::new();
    for f in REGISTRY.families {
        for e in f.entries() {
            assert!(seen.insert(e.id), "{} is defined twice", e.id);
            assert_eq!(
                e.family(),
                f.name,
                "{} is listed in family {}",
                e.id,
                f.name
            );
            assert!(!e.topic().is_empty(), "{} has no topic", e.id);
        }
    }
}

/// Families still being built, each with the issue that completes it: they may hold fewer
/// than seven entries meanwhile. Shrink-only: a family leaves when it reaches seven.
const IN_PROGRESS: &[(&str, &str)] = &[];

#[test]
fn every_family_has_entries_and_a_theory_file() {
    for f in REGISTRY.families {
        let building = IN_PROGRESS.iter().any(|(name, _)| *name == f.name);
        assert!(
            !(building && f.entries().count() >= 7),
            "{} has seven entries: take it off IN_PROGRESS",
            f.name
        );
        assert!(
            building || f.entries().count() >= 7,
            "{}: {} entries",
            f.name,
            f.entries().count()
        );
        assert!(
            root().join(f.theory).exists(),
            "{}: no {}",
            f.name,
            f.theory
        );
        assert_eq!(f.theory, format!("theory/{}.md", f.name));
    }
}

#[test]
fn every_id_has_a_theory_section_and_is_defined_in_its_topic_file() {
    let mut missing = Vec::new();
    for f in REGISTRY.families {
        for e in f.entries() {
            if links::theory_section(root(), f, e).is_none() {
                missing.push(format!("{}: no heading naming it in {}", e.id, f.theory));
            }
            if links::code_place(root(), e).is_none() {
                missing.push(format!(
                    "{}: not defined in {}",
                    e.id,
                    links::code_file(e).display()
                ));
            }
        }
    }
    assert!(missing.is_empty(), "{missing:#?}");
}

#[test]
fn rounding_sensitive_lists_name_the_familys_own_entries() {
    for f in REGISTRY.families {
        for id in f.rounding_sensitive {
            assert!(
                f.entries().any(|e| e.id == *id),
                "{}: rounding_sensitive names {id}, which is not one of its entries",
                f.name
            );
        }
    }
}

/// Word occurrences of `ident` in `text`.
fn occurrences(text: &str, ident: &str) -> usize {
    text.match_indices(ident)
        .filter(|(i, _)| {
            let before = text[..*i].chars().last();
            let after = text[i + ident.len()..].chars().next();
            let word = |c: Option<char>| c.is_some_and(|c| c.is_alphanumeric() || c == '_');
            !word(before) && !word(after)
        })
        .count()
}

#[test]
fn every_control_is_a_named_constant_that_its_check_uses() {
    let mut problems = Vec::new();
    for f in REGISTRY.families {
        let dir = root().join("src/families").join(f.name);
        let text: String = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| std::fs::read_to_string(e.unwrap().path()).unwrap())
            .collect();
        for e in f.entries() {
            assert!(!e.controls.is_empty(), "{} has no negative control", e.id);
            let mut names = BTreeSet::new();
            for c in e.controls {
                assert!(names.insert(c.name), "{}: control {} twice", e.id, c.name);
                // defined, listed in the entry, and read by the check: at least three uses
                let ident = c.name.to_uppercase();
                if occurrences(&text, &ident) < 3 {
                    problems.push(format!(
                        "{} / {}: the constant {ident} is not used by a check in {}",
                        e.id,
                        c.name,
                        dir.display()
                    ));
                }
            }
        }
    }
    assert!(problems.is_empty(), "{problems:#?}");
}

#[test]
fn measures_and_pictures_are_named_once_and_after_their_family() {
    let mut seen = BTreeSet::new();
    for f in REGISTRY.families {
        for m in f.measures {
            assert!(seen.insert(m.name), "measure {} twice", m.name);
            assert!(
                m.name.starts_with(&format!("{}.", f.name)),
                "measure {} in family {}",
                m.name,
                f.name
            );
            for i in m.indicators {
                assert!(
                    m.metrics.contains(i),
                    "measure {}: indicator `{i}` is not one of its metrics",
                    m.name
                );
            }
        }
        for p in f.pictures {
            assert!(seen.insert(p.name), "picture {} twice", p.name);
            assert!(
                !CHART_KINDS.contains(&p.name),
                "picture {} is a chart kind",
                p.name
            );
        }
    }
}

#[test]
fn every_config_names_real_ids_and_a_real_measure() {
    let configs = list_configs(&root().join("experiments")).unwrap();
    assert!(!configs.is_empty());
    for (path, c) in &configs {
        REGISTRY
            .measure(&c.measure)
            .unwrap_or_else(|m| panic!("{}: {m}", path.display()));
        // the contact sheet's caption: one line saying what the figures show
        assert!(
            c.claim
                .as_deref()
                .is_some_and(|l| !l.is_empty() && !l.contains('\n')),
            "{}: needs a one-line `claim` (figures/README.md shows it under the thumbnails)",
            path.display()
        );
        for id in &c.bounds {
            assert!(
                REGISTRY.entry(id).is_ok(),
                "{}: bounds names `{id}`, which is not in the catalogue",
                path.display()
            );
        }
        assert_eq!(
            path.file_stem().unwrap().to_string_lossy(),
            c.name,
            "a config is named after its file"
        );
    }
}

/// Entries whose controls all change only the stated bound, not the computation: issue #10
/// (item 6) gives each a mutation control. The list can only shrink: an entry listed here
/// that has gained a mutation fails this test until it is taken off the list, and an entry
/// not listed here must have a mutation.
const NO_MUTATION_YET: &[&str] = &[];

#[test]
fn every_entry_has_a_mutation_control_or_is_on_the_shrinking_debt_list() {
    use boundlab::bounds::ControlKind;
    let mut problems = Vec::new();
    for e in REGISTRY.entries() {
        let has = e.controls.iter().any(|c| c.kind == ControlKind::Mutation);
        let listed = NO_MUTATION_YET.contains(&e.id);
        if has && listed {
            problems.push(format!(
                "{} has a mutation control now: take it off the list",
                e.id
            ));
        }
        if !has && !listed {
            problems.push(format!(
                "{} has no control that changes the computation",
                e.id
            ));
        }
    }
    for id in NO_MUTATION_YET {
        if REGISTRY.entry(id).is_err() {
            problems.push(format!("{id} is listed but is not an entry"));
        }
    }
    assert!(problems.is_empty(), "{problems:#?}");
}
