#![allow(clippy::unwrap_used)] // Test helpers may unwrap: a failure is the test failing.

//! The department's statistics on a supervisor's desk, against the real central service: the
//! figures as the centre answers them, kept in the cache so that they can be read when the
//! centre is out of reach (marked so), a table written as a CSV file the wipe knows of, and an
//! officer refused.

use crate::common;
use common::Centre;

use migdesk_core::ErrorKind;
use migdesk_core::statistics::{StatisticsExport, StatisticsQuery, StatisticsTable};

#[tokio::test]
async fn the_last_figures_are_read_offline_and_a_table_goes_to_csv() {
    let dir = tempfile::tempdir().unwrap();
    let mut options = common::options(6, 47, "lankaran");
    options.decided_history = 60;
    let (central_db, staff) = common::seeded(dir.path(), &options);
    let centre = Centre::start(&central_db).await;
    let supervisor = staff.iter().find(|a| a.role == "supervisor").unwrap();
    let mut boss = common::synced_desk_of(&dir.path().join("boss"), &centre, supervisor).await;

    let year = StatisticsQuery {
        from: Some("2026-01-01".into()),
        to: Some("2026-12-31".into()),
        service: None,
    };
    let supervision = boss.supervision().unwrap();
    let answer = supervision.statistics(&year).await;
    let online = boss.received_statistics(&year, answer).unwrap();
    assert!(!online.offline);
    assert_eq!(online.figures.department_id, "lankaran");
    assert!(
        online.figures.decided.total() > 0,
        "the seeded year has decisions"
    );
    let recent = StatisticsQuery::default();
    let answer = supervision.statistics(&recent).await;
    let recent_figures = boss.received_statistics(&recent, answer).unwrap().figures;

    centre.stop().await;
    // Out of reach: the figures kept for the same question, marked as kept, with their time.
    let answer = supervision.statistics(&year).await;
    assert_eq!(answer.as_ref().unwrap_err().kind, ErrorKind::Offline);
    let kept = boss.received_statistics(&year, answer).unwrap();
    assert!(kept.offline);
    assert_eq!(kept.figures, online.figures);
    assert_eq!(kept.fetched_at, online.fetched_at);
    let answer = supervision.statistics(&recent).await;
    assert_eq!(
        boss.received_statistics(&recent, answer).unwrap().figures,
        recent_figures
    );
    // A question never asked: the latest figures kept, which say their own period.
    let other = StatisticsQuery {
        service: Some("trp-issue".into()),
        ..StatisticsQuery::default()
    };
    let answer = supervision.statistics(&other).await;
    let latest = boss.received_statistics(&other, answer).unwrap();
    assert!(latest.offline);
    assert_eq!(latest.figures.service, None);

    // A table, as the screen shows it, to a CSV file.
    let folder = dir.path().join("documents");
    let export = StatisticsExport {
        table: StatisticsTable::Officers,
        header: vec!["Əməkdaş".into(), "Qəbul".into()],
        rows: online
            .figures
            .by_officer
            .iter()
            .map(|o| {
                vec![
                    o.officer
                        .as_ref()
                        .map(|x| x.full_name.clone())
                        .unwrap_or_default(),
                    o.decided.accepted.to_string(),
                ]
            })
            .collect(),
    };
    let path = boss.export_statistics(&export, &folder).unwrap();
    assert!(path.starts_with(&folder));
    assert!(
        path.file_name()
            .unwrap()
            .to_string_lossy()
            .starts_with("statistics-officers-")
    );
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.starts_with("\u{feff}Əməkdaş,Qəbul\n"), "{text}");
    assert_eq!(text.lines().count(), 1 + online.figures.by_officer.len());
    // Nothing half-written is left beside it.
    assert_eq!(std::fs::read_dir(&folder).unwrap().count(), 1);
}

#[tokio::test]
async fn an_officer_is_refused_the_statistics() {
    let dir = tempfile::tempdir().unwrap();
    let (central_db, staff) = common::seeded(dir.path(), &common::options(4, 48, "lankaran"));
    let centre = Centre::start(&central_db).await;
    let officer = staff.iter().find(|a| a.role == "officer").unwrap();
    let mut desk = common::synced_desk_of(&dir.path().join("officer"), &centre, officer).await;
    let refused = desk.supervision().unwrap_err();
    assert_eq!(refused.kind, ErrorKind::Invalid);
    centre.stop().await;
}
