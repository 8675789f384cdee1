#![allow(clippy::unwrap_used)] // A failed unwrap is the test failing.

//! The department's statistics in the real window, over a seeded year of decisions. The
//! supervisor opens the department (`d`), goes to the statistics with `s`, types a year as
//! officers write days and presses Enter: the charts are drawn, the number of decisions is the
//! database's, a chart's table goes to a CSV file. In Russian the charts are titled in Russian.
//! With the network cable pulled, asking again shows the figures kept, and says so.

use migdesk_e2e::AppWindow;
use migdesk_e2e::central::{self, Cable, Centre};
use thirtyfour::Key;

/// Decisions of Baku's cases made from `from` to `to` (days in Baku), as the history holds them.
fn decisions(db: &std::path::Path, from: chrono::NaiveDate, to: chrono::NaiveDate) -> usize {
    let conn = rusqlite::Connection::open(db).unwrap();
    let mut stmt = conn
        .prepare(
            "SELECT json_extract(e.detail, '$.decided_at') FROM events e JOIN applications a ON a.id = e.application_id
             WHERE e.kind = 'decided' AND a.department_id = 'baku'",
        )
        .unwrap();
    let baku = chrono::FixedOffset::east_opt(4 * 3600).unwrap();
    stmt.query_map([], |r| r.get::<_, String>(0))
        .unwrap()
        .map(Result::unwrap)
        .map(|at| {
            chrono::DateTime::parse_from_rfc3339(&at)
                .unwrap()
                .with_timezone(&baku)
                .date_naive()
        })
        .filter(|day| *day >= from && *day <= to)
        .count()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_supervisor_reads_a_year_of_decisions_as_charts_online_and_offline() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("central.db");
    let staff = central::seed(&db, 12, 31, Some("baku"));
    let supervisor = staff
        .iter()
        .find(|a| a.department == "baku" && a.role == "supervisor")
        .unwrap();
    let centre = Centre::start(&db);
    let cable = Cable::to(&centre.base);

    let boss = AppWindow::launch("statistics_supervisor").await.unwrap();
    boss.sign_in(&cable.base, &supervisor.username, &supervisor.password)
        .await;
    boss.sync_queue().await.unwrap();
    boss.expect_focus("queue-list").await.unwrap();
    boss.press("d").await;
    boss.by_css("[data-testid='stat-weeks'] svg[role='img']")
        .await
        .unwrap();
    boss.expect_focus("department").await.unwrap();

    // s, the year's first day, Tab, its last, Enter.
    let today = chrono::Utc::now()
        .with_timezone(&chrono::FixedOffset::east_opt(4 * 3600).unwrap())
        .date_naive();
    let from = today - chrono::Days::new(364);
    boss.press("s").await;
    boss.expect_focus_exactly("stat-from").await.unwrap();
    boss.press(from.format("%d.%m.%Y").to_string()).await;
    boss.press(Key::Tab).await;
    boss.expect_focus_exactly("stat-to").await.unwrap();
    boss.press(today.format("%d.%m.%Y").to_string()).await;
    boss.press(Key::Enter).await;
    let period = format!("{} – {}", from.format("%d.%m.%Y"), today.format("%d.%m.%Y"));
    let started = std::time::Instant::now();
    while !boss.text_of("stat-period").await.starts_with(&period) {
        assert!(
            started.elapsed() < std::time::Duration::from_secs(15),
            "the period shown is {:?}",
            boss.text_of("stat-period").await
        );
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let expected = decisions(&db, from, today);
    assert!(expected > 50, "the seeded year has decisions: {expected}");
    boss.wait_for_text("stat-decided", &expected.to_string())
        .await
        .unwrap();
    // Seven charts, each drawn, with bars.
    let charts = boss
        .driver
        .find_all(thirtyfour::By::Css(
            "[data-testid='stat-chart'] svg[role='img']",
        ))
        .await
        .unwrap();
    assert_eq!(charts.len(), 7);
    let bars = boss
        .driver
        .find_all(thirtyfour::By::Css("[data-testid='stat-weeks'] svg rect"))
        .await
        .unwrap();
    assert!(
        bars.len() >= 53,
        "a bar for each week at least: {}",
        bars.len()
    );
    boss.click_css("[data-testid='department-statistics'] h2")
        .await;
    boss.screenshot("statistics_year").await.unwrap();

    // The weeks' table to a CSV file: a heading and a line a week.
    boss.click_css("[data-testid='stat-weeks'] [data-testid='stat-csv']")
        .await;
    let path = boss
        .by_css("[data-testid='stat-exported'] code")
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let csv = std::fs::read_to_string(&path).unwrap();
    assert!(csv.starts_with('\u{feff}'), "{csv}");
    assert_eq!(csv.lines().count(), 1 + 53, "{csv}");
    let listed: usize = csv
        .lines()
        .skip(1)
        .map(|l| l.rsplit(',').next().unwrap().parse::<usize>().unwrap())
        .sum();
    assert_eq!(listed, expected);

    // In Russian.
    boss.click_css("[data-testid='department'] [data-testid='language-ru']")
        .await;
    let started = std::time::Instant::now();
    loop {
        let heading = boss.by_css("[data-testid='stat-weeks'] h3").await.unwrap();
        if heading.text().await.unwrap_or_default() == "Решения по неделям" {
            break;
        }
        assert!(started.elapsed() < std::time::Duration::from_secs(15));
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    boss.screenshot("statistics_ru").await.unwrap();

    // The cable pulled: asking again shows the figures kept, and says so.
    cable.pull();
    boss.click("stat-show").await;
    boss.by_test_id("stat-offline").await.unwrap();
    assert_eq!(boss.text_of("stat-decided").await, expected.to_string());
    boss.click_css("[data-testid='stat-offline']").await;
    boss.screenshot("statistics_offline").await.unwrap();
    boss.close().await;
    drop(centre);
}
