//! `migdesk-central simulate`: new applications arriving at a running centre, as the applicant
//! portal submits them — through the intake route, with the portal's credential — at a steady
//! rate, so a demo's queues move and the distribution rule can be watched at work. Each is made
//! up as the seed makes its applications (people, forms, scanned files, some defective).

use std::time::Duration;

use rand::SeedableRng;
use rand::rngs::StdRng;
use reqwest::StatusCode;

use crate::error::{ApiError, ApiResult};
use migdesk_api::{ErrorBody, IntakeReceipt};

/// What to submit, where, and how fast.
#[derive(Debug, Clone)]
pub struct Simulation {
    /// The centre's address, `http://HOST:PORT`.
    pub server: String,
    /// The applicant portal's credential.
    pub token: String,
    /// Applications a minute.
    pub per_minute: f64,
    /// Stop after this many; without it, run until stopped.
    pub count: Option<u64>,
    /// The same seed gives the same applicants.
    pub seed: u64,
    /// Only to this department; otherwise spread as the demo's departments' shares are.
    pub department: Option<String>,
}

/// A rate as `N/min` or `N` (a minute implied): more than 0, at most 600 a minute.
pub fn parse_rate(text: &str) -> Result<f64, String> {
    let number = text.trim().trim_end_matches("/min").trim();
    match number.parse::<f64>() {
        Ok(n) if n > 0.0 && n <= 600.0 => Ok(n),
        _ => Err(format!(
            "{text:?} is not a rate: write applications a minute, e.g. 6/min (at most 600)"
        )),
    }
}

/// Submits applications until `count` are in (or for ever), one every `60 / per_minute`
/// seconds, telling `received` of each receipt. A refusal of one application is told on
/// standard error and the next goes on; a centre that cannot be reached ends the run.
pub async fn run(
    sim: &Simulation,
    catalogue: &migdesk_domain::Catalogue,
    mut received: impl FnMut(&migdesk_api::IntakeRequest, &IntakeReceipt),
) -> ApiResult<u64> {
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(60))
        .build()
        .map_err(|e| ApiError::internal(format!("an HTTP client: {e}")))?;
    let url = format!(
        "{}{}/intake/applications",
        sim.server.trim_end_matches('/'),
        migdesk_api::PREFIX
    );
    let pause = Duration::from_secs_f64(60.0 / sim.per_minute);
    let mut rng = StdRng::seed_from_u64(sim.seed);
    let mut submitted = 0u64;
    let mut tick = tokio::time::interval(pause);
    while sim.count.is_none_or(|c| submitted < c) {
        tick.tick().await;
        let reference = format!("e-gov {}-{}", sim.seed, submitted + 1);
        let request = crate::seed::application::intake_request(
            &mut rng,
            catalogue,
            sim.department.as_deref(),
            &reference,
        )?;
        loop {
            let resp = client
                .post(&url)
                .bearer_auth(&sim.token)
                .json(&request)
                .send()
                .await
                .map_err(|e| ApiError::internal(format!("the centre at {url}: {e}")))?;
            let status = resp.status();
            let retry = resp
                .headers()
                .get(reqwest::header::RETRY_AFTER)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.parse::<u64>().ok());
            let bytes = resp
                .bytes()
                .await
                .map_err(|e| ApiError::internal(format!("the centre at {url}: {e}")))?;
            if status.is_success() {
                let receipt: IntakeReceipt = serde_json::from_slice(&bytes).map_err(|e| {
                    ApiError::internal(format!("the centre's receipt does not fit: {e}"))
                })?;
                received(&request, &receipt);
                break;
            }
            let message = serde_json::from_slice::<ErrorBody>(&bytes)
                .map(|b| b.message)
                .unwrap_or_else(|_| String::from_utf8_lossy(&bytes).into_owned());
            match (status, retry) {
                (StatusCode::TOO_MANY_REQUESTS, Some(seconds)) => {
                    tokio::time::sleep(Duration::from_secs(seconds)).await;
                }
                (StatusCode::UNAUTHORIZED, _) => {
                    return Err(ApiError::unauthorized(format!(
                        "the centre refused the portal credential: {message}"
                    )));
                }
                _ => {
                    eprintln!("the centre refused an application ({status}): {message}");
                    break;
                }
            }
        }
        submitted += 1;
    }
    Ok(submitted)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rates_are_a_minutes_applications() {
        assert_eq!(parse_rate("6/min"), Ok(6.0));
        assert_eq!(parse_rate(" 0.5 "), Ok(0.5));
        assert!(parse_rate("0").is_err());
        assert!(parse_rate("fast").is_err());
        assert!(parse_rate("601/min").is_err());
    }

    #[test]
    fn made_up_applications_pass_the_centres_own_checks() {
        let catalogue = migdesk_domain::Catalogue::builtin();
        let mut rng = StdRng::seed_from_u64(5);
        for n in 0..6 {
            let req = crate::seed::application::intake_request(
                &mut rng,
                &catalogue,
                (n % 2 == 0).then_some("shaki"),
                "e-gov 5-1",
            )
            .unwrap();
            if n % 2 == 0 {
                assert_eq!(req.department_id, "shaki");
            }
            let today = crate::clock::local_date(crate::clock::now()).to_string();
            assert_eq!(
                crate::api::intake::problems_of(&catalogue, &req, &today),
                []
            );
        }
    }
}
