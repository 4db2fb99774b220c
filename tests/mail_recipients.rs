//! Recipients files: the fixture list loads in every format, and every
//! problem in the bad files is reported with its row and column.

mod support;

use bpfpress::mail::recipients::{self, Language, LoadOptions, RecipientsError};
use std::path::PathBuf;

fn fx(p: &str) -> PathBuf {
    support::fixture("recipients").join(p)
}

const MAILING: LoadOptions = LoadOptions {
    require_email: true,
    skip_invalid: false,
};

#[test]
fn fixture_institutions_load() {
    let r = recipients::load(&fx("institutions.csv"), MAILING).unwrap();
    assert_eq!(r.list.len(), 21);
    assert!(
        r.skipped.is_empty() && r.warnings.is_empty(),
        "{:?}",
        r.warnings
    );
    let by_org = |s: &str| {
        r.list
            .iter()
            .find(|x| x.organisation.starts_with(s))
            .unwrap()
    };

    let unesco = by_org("UNESCO");
    assert_eq!(unesco.index, 1);
    assert_eq!(
        unesco.stem,
        "001-unesco-communication-and-information-sector"
    );
    assert_eq!(unesco.language, Language::Fr);
    assert_eq!(unesco.salutation, "Madame la Directrice,");
    assert_eq!(
        unesco.address,
        ["7, place de Fontenoy", "75352 Paris 07 SP"]
    );
    assert_eq!(unesco.country.as_deref(), Some("France"));

    assert_eq!(
        by_org("International Telecommunication").salutation,
        "Dear Dr Петров,"
    );
    assert_eq!(
        by_org("Office of the Secretary").salutation,
        "Dear Sir or Madam,"
    );
    assert_eq!(by_org("Council of Europe").salutation, "Madame, Monsieur,");
    assert_eq!(
        by_org("Organization of American States").salutation,
        "Estimada señora, estimado señor:"
    );
    assert_eq!(
        by_org("UN Economic Commission for Latin").salutation,
        "Estimada Sra. María José Fernández Núñez:"
    );
    assert_eq!(
        by_org("League of Arab States").salutation,
        "Dear Colleagues,"
    );
    // Letters in all six UN languages, each with its own salutation.
    assert_eq!(
        by_org("UN Economic and Social Commission for Western Asia").salutation,
        "الدكتورة حداد المحترمة،"
    );
    assert_eq!(by_org("China IGF").salutation, "尊敬的李博士：");
    assert_eq!(
        by_org("Russian IGF").salutation,
        "Уважаемая госпожа Смирнова!"
    );
    assert_eq!(by_org("Arab IGF").salutation, "السيد العلي المحترم،");
    let mut langs: Vec<Language> = r.list.iter().map(|x| x.language).collect();
    langs.sort_by_key(|l| l.code());
    langs.dedup();
    assert_eq!(langs.len(), 6, "{langs:?}");
    assert_eq!(by_org("Forum sur la gouvernance").salutation, "Monsieur,");

    // Every stem is safe and unique.
    let mut stems: Vec<_> = r.list.iter().map(|x| x.stem.as_str()).collect();
    for s in &stems {
        assert!(
            s.chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-'),
            "{s}"
        );
    }
    stems.sort();
    stems.dedup();
    assert_eq!(stems.len(), 21);
    assert_eq!(
        by_org("Russian IGF").stem,
        "016-russian-igf-national-igf-initiative"
    );
}

#[test]
fn toml_json_and_bom_load_the_same_fields() {
    let t = recipients::load(&fx("institutions.toml"), MAILING).unwrap();
    assert_eq!(t.list.len(), 2);
    assert_eq!(t.list[0].contact_name.as_deref(), Some("Ирина Соколова"));
    assert_eq!(t.list[0].address, ["Palais des Nations", "1211 Geneva 10"]);
    assert_eq!(t.list[1].address, ["19-21 avenue Bosquet", "75007 Paris"]);
    assert_eq!(t.list[1].salutation, "Monsieur le Secrétaire général,");
    assert_eq!(
        t.list[1].stem,
        "002-organisation-internationale-de-la-francophonie"
    );

    let j = recipients::load(&fx("institutions.json"), MAILING).unwrap();
    assert_eq!(j.list[0].salutation, "Estimada Dra. Ana Belén Muñoz:");
    assert_eq!(j.list[0].address, ["Paseo de Recoletos, 8", "28001 Madrid"]);
    assert_eq!(j.list[1].contact_name.as_deref(), Some("سارة الخليفة"));
    assert_eq!(j.list[1].stem, "002-gulf-cooperation-council-ict-committee");

    let b = recipients::load(&fx("bom.csv"), MAILING).unwrap();
    assert_eq!(b.list[0].organisation, "Organisation des Nations Unies");
    assert_eq!(b.list[0].contact_name.as_deref(), Some("Zoé Lambert"));
}

fn problems(e: RecipientsError) -> Vec<(usize, String, String)> {
    match e {
        RecipientsError::Invalid { problems, .. } => problems
            .into_iter()
            .map(|p| (p.row, p.column, p.message))
            .collect(),
        other => panic!("expected validation problems, got: {other}"),
    }
}

#[test]
fn every_problem_is_listed_with_row_and_column() {
    let err = recipients::load(&fx("bad/problems.csv"), MAILING).unwrap_err();
    let text = err.to_string();
    assert!(
        text.contains("bad/problems.csv: 6 problem(s); nothing was produced"),
        "{text}"
    );
    assert!(
        text.contains(
            "row 3 (line 4), column email: \"someone-at-example.org\" is not a valid email"
        ),
        "{text}"
    );
    let p = problems(err);
    let cols: Vec<(usize, &str)> = p.iter().map(|(r, c, _)| (*r, c.as_str())).collect();
    assert_eq!(
        cols,
        [
            (2, "organisation"),
            (3, "email"),
            (4, "organisation"),
            (5, "email"),
            (6, "language"),
            (7, "email"),
        ]
    );
    assert!(
        p[2].2
            .contains("duplicate organisation \"Valid Agency\" (first in row 1)"),
        "{:?}",
        p[2]
    );
    assert!(
        p[3].2.contains("duplicate email") && p[3].2.contains("first in row 1"),
        "{:?}",
        p[3]
    );
    assert!(
        p[4].2
            .contains("unknown language \"de\"; use ar, zh, en, fr, ru or es"),
        "{:?}",
        p[4]
    );
    assert!(p[5].2.contains("required for mailings"), "{:?}", p[5]);
}

#[test]
fn skip_invalid_keeps_the_good_rows_and_lists_the_others() {
    let opts = LoadOptions {
        require_email: true,
        skip_invalid: true,
    };
    let r = recipients::load(&fx("bad/problems.csv"), opts).unwrap();
    let kept: Vec<_> = r.list.iter().map(|x| x.stem.as_str()).collect();
    assert_eq!(kept, ["001-valid-agency"]);
    let skipped: Vec<_> = r.skipped.iter().map(|s| s.row).collect();
    assert_eq!(skipped, [2, 3, 4, 5, 6, 7]);
    assert_eq!(r.skipped[1].organisation, "Bad Email Institute");

    // Letters only: a row without email is fine.
    let letters = LoadOptions {
        require_email: false,
        skip_invalid: true,
    };
    let r = recipients::load(&fx("bad/problems.csv"), letters).unwrap();
    assert!(r.list.iter().any(|x| x.stem == "007-no-email-commission"));
}

#[test]
fn encoding_errors_name_the_byte_and_line() {
    let e = recipients::load(&fx("bad/latin1.csv"), MAILING).unwrap_err();
    match &e {
        RecipientsError::Encoding {
            byte, line, offset, ..
        } => {
            assert_eq!((*byte, *line), (0xE9, 3));
            assert_eq!(*offset, 110);
        }
        other => panic!("{other}"),
    }
    let msg = e.to_string();
    assert!(
        msg.contains("latin1.csv: not UTF-8: byte 0xE9") && msg.contains("Save the file as UTF-8"),
        "{msg}"
    );

    let e = recipients::load(&fx("bad/utf16.csv"), MAILING).unwrap_err();
    assert!(e.to_string().contains("UTF-16"), "{e}");
}

#[test]
fn structural_problems() {
    let e = recipients::load(&fx("bad/extra-field.csv"), MAILING).unwrap_err();
    let p = problems(e);
    // the row is reported whole, and its shifted email column too
    assert_eq!(p.len(), 2, "{p:?}");
    assert_eq!((p[0].0, p[0].1.as_str()), (2, ""));
    assert!(
        p[0].2
            .contains("has 3 fields but the header names 2 columns"),
        "{p:?}"
    );
    assert_eq!((p[1].0, p[1].1.as_str()), (2, "email"));

    let e = recipients::load(&fx("bad/problems.json"), MAILING).unwrap_err();
    let p = problems(e);
    let cols: Vec<(usize, &str)> = p.iter().map(|(r, c, _)| (*r, c.as_str())).collect();
    assert_eq!(
        cols,
        [(2, "organisation"), (3, "organisation"), (4, "")],
        "{p:?}"
    );
    assert!(p[0].2.contains("must be text, found true"));
    assert!(p[1].2.contains("control character (U+000A)"));

    // no header naming the organisation, empty file, unknown columns
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("x.csv");
    std::fs::write(&f, "name,email\nA,a@example.org\n").unwrap();
    let e = recipients::load(&f, MAILING).unwrap_err();
    assert!(e.to_string().contains("no organisation column"), "{e}");
    std::fs::write(&f, "organisation,email\n").unwrap();
    assert!(matches!(
        recipients::load(&f, MAILING),
        Err(RecipientsError::Empty { .. })
    ));
    std::fs::write(
        &f,
        "organisation;contact_name;email;language\nUnion africaine, Commission;Awa Diop;a.diop@au.example.org;fr\n",
    )
    .unwrap();
    let r = recipients::load(&f, MAILING).unwrap();
    assert_eq!(r.list[0].organisation, "Union africaine, Commission");
    assert_eq!(r.list[0].email.as_deref(), Some("a.diop@au.example.org"));
    std::fs::write(&f, "Organization,E-mail,Phone\nA,a@example.org,123\n").unwrap();
    let r = recipients::load(&f, MAILING).unwrap();
    assert_eq!(r.list[0].email.as_deref(), Some("a@example.org"));
    assert!(
        r.warnings[0].contains("unknown column \"phone\""),
        "{:?}",
        r.warnings
    );
    assert!(matches!(
        recipients::load(&dir.path().join("missing.csv"), MAILING),
        Err(RecipientsError::Io { .. })
    ));
}
