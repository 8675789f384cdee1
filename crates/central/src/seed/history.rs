//! A past year of decided applications, so that the department screen's statistics have
//! something to show: each decided by one of the department's officers — accepted, refused
//! with reasons naming the form's fields, or sent back for missing documents and accepted once
//! they came — some in time and some late. No officer holds them now, so no desk's queue shows
//! them. Their own random stream, so the rest of the seed stays the same.

use crate::sql::Conn;
use chrono::{DateTime, Datelike, Duration, Utc};
use migdesk_api::{DecisionKind, Event, ReasonCode, RefusalReason};
use migdesk_domain::{Calendar, Catalogue};
use rand::rngs::StdRng;
use rand::seq::IndexedRandom;
use rand::{Rng, SeedableRng};
use rusqlite::params;

use super::{
    Account, DEPARTMENTS, DepartmentSeed, SERVICE_MIX, SeedOptions, application, internal, weighted,
};
use crate::clock;
use crate::error::ApiResult;
use crate::store;

/// How far back the history reaches, in days.
const HISTORY_DAYS: i64 = 330;

/// One decision of the history: when, what, and what it named.
fn decided(
    kind: DecisionKind,
    at: &str,
    missing: Vec<String>,
    reasons: Vec<RefusalReason>,
) -> Event {
    Event::Decided {
        decision_id: uuid::Uuid::new_v4().to_string(),
        kind,
        missing_documents: missing,
        missing_other: None,
        reasons,
        note: String::new(),
        decided_at: at.to_owned(),
    }
}

/// Files [`SeedOptions::decided_history`] decided applications in the departments (or in `only`) over the last
/// [`HISTORY_DAYS`] days before `now`. Returns how many decisions they hold.
pub(super) fn decided_history(
    tx: &Conn<'_>,
    catalogue: &Catalogue,
    calendar: &Calendar,
    accounts: &[Account],
    only: Option<&DepartmentSeed>,
    options: &SeedOptions,
    now: DateTime<Utc>,
) -> ApiResult<usize> {
    let mut rng = StdRng::seed_from_u64(options.seed ^ 0x0057_a715);
    let weights: Vec<(&DepartmentSeed, u32)> = DEPARTMENTS.iter().map(|d| (d, d.weight)).collect();
    let mut decisions = 0;
    let mut numbers: std::collections::HashMap<i32, u32> = std::collections::HashMap::new();
    for _ in 0..options.decided_history {
        let dep = only.unwrap_or_else(|| *weighted(&mut rng, &weights));
        let officers: Vec<&Account> = accounts
            .iter()
            .filter(|a| a.department == dep.id && a.role == "officer")
            .collect();
        let Some(officer) = officers.choose(&mut rng) else {
            continue;
        };
        let service_code = *weighted(&mut rng, SERVICE_MIX);
        let Some(service) = catalogue.service(service_code) else {
            continue;
        };
        let tier = &service.tiers[rng.random_range(0..service.tiers.len())];
        let decided_on = now - Duration::days(rng.random_range(1..HISTORY_DAYS));
        // Most within the deadline, some past it.
        let took = rng.random_range(1..(tier.deadline_working_days * 3 / 2).max(2));
        let Ok(submitted_day) = calendar.working_days_before(clock::local_date(decided_on), took)
        else {
            continue;
        };
        let Ok(due) = calendar.add_working_days(submitted_day, tier.deadline_working_days) else {
            continue;
        };
        let submitted =
            decided_on - Duration::days((clock::local_date(decided_on) - submitted_day).num_days());
        // Numbered on from the year's last application already filed (asked once a year).
        let year = submitted_day.year();
        let n = match numbers.get(&year) {
            Some(n) => n + 1,
            None => {
                let next = crate::api::intake::next_number(tx, year)?;
                next.rsplit('-')
                    .next()
                    .and_then(|n| n.parse().ok())
                    .unwrap_or(1)
            }
        };
        numbers.insert(year, n);
        let number = format!("MX-{year}-{n:06}");
        let filed = application::generate(
            &mut rng,
            catalogue,
            service_code,
            tier,
            dep,
            &number,
            application::Files::None,
        )?;

        let roll = rng.random_range(0..100);
        let how_many = rng.random_range(1..3);
        let (submitted_s, decided_s) = (clock::format(submitted), clock::format(decided_on));
        let mut events = vec![(
            submitted_s.clone(),
            None,
            Event::Received {
                channel: "e-gov portal".into(),
            },
        )];
        let status = if roll < 15 {
            let fields: Vec<String> = filed
                .form
                .iter()
                .flat_map(|g| &g.fields)
                .map(|f| f.key.clone())
                .collect();
            let code = *[
                ReasonCode::Contradictory,
                ReasonCode::FormIncorrect,
                ReasonCode::Other,
            ]
            .choose(&mut rng)
            .unwrap_or(&ReasonCode::Other);
            let named = if code == ReasonCode::Other {
                Vec::new()
            } else {
                fields
                    .choose_multiple(&mut rng, how_many)
                    .cloned()
                    .collect()
            };
            let reason = RefusalReason {
                code,
                fields: named,
                documents: Vec::new(),
            };
            events.push((
                decided_s.clone(),
                Some(officer.id.as_str()),
                decided(DecisionKind::Refuse, &decided_s, Vec::new(), vec![reason]),
            ));
            "refused"
        } else if roll < 35 {
            let codes = &service.required_documents;
            let missing: Vec<String> = codes.choose_multiple(&mut rng, how_many).cloned().collect();
            events.push((
                decided_s.clone(),
                Some(officer.id.as_str()),
                decided(
                    DecisionKind::MissingDocuments,
                    &decided_s,
                    missing,
                    Vec::new(),
                ),
            ));
            // Accepted once the documents came; by now at the latest.
            let accepted = (decided_on + Duration::days(rng.random_range(3..15)))
                .min(now - Duration::hours(1));
            let accepted_s = clock::format(accepted);
            events.push((
                accepted_s.clone(),
                Some(officer.id.as_str()),
                decided(DecisionKind::Accept, &accepted_s, Vec::new(), Vec::new()),
            ));
            "accepted"
        } else {
            events.push((
                decided_s.clone(),
                Some(officer.id.as_str()),
                decided(DecisionKind::Accept, &decided_s, Vec::new(), Vec::new()),
            ));
            "accepted"
        };
        let updated = events.last().map(|e| e.0.clone()).unwrap_or_default();
        tx.execute(
            "INSERT INTO applications (id, number, service, tier, submitted_at, due_date, department_id, status, officer_id, version, applicant, form, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, NULL, ?9, ?10, ?11, ?12)",
            params![
                filed.id,
                number,
                service_code,
                tier.code,
                submitted_s,
                due.to_string(),
                dep.id,
                status,
                i64::try_from(events.len()).unwrap_or(1) + 1,
                serde_json::to_string(&filed.applicant).map_err(internal)?,
                serde_json::to_string(&filed.form).map_err(internal)?,
                updated,
            ],
        )
        .map_err(internal)?;
        for (at, actor, event) in &events {
            if matches!(event, Event::Decided { .. }) {
                decisions += 1;
            }
            store::add_event(tx, &filed.id, at, *actor, event)?;
        }
    }
    Ok(decisions)
}
