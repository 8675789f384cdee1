//! After the decision: a supervisor reopens a decided case when a complaint is upheld or a court
//! orders it, and an accepted case is marked executed when the permit or document is issued.

use serde::{Deserialize, Serialize};

use crate::session::OfficerRef;

/// The most characters of a reopening's reference (a complaint's or a court case's number).
pub const MAX_REFERENCE: usize = 100;

/// The most characters of an issued document's number.
pub const MAX_DOCUMENT_NUMBER: usize = 40;

/// Why a decided case is opened again.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum ReopenGround {
    /// The service upheld the applicant's administrative complaint.
    ComplaintUpheld,
    /// A court ordered the application to be decided again.
    CourtOrder,
}

/// A supervisor's reopening of a decided case (accepted or refused): it goes back to its
/// officer, waiting for a decision, with a new deadline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ReopenRequest {
    pub ground: ReopenGround,
    /// The complaint's or the court order's number, 1 to 100 characters once trimmed.
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 100))]
    pub reference: String,
    /// Why, in the supervisor's words, 1 to [`crate::MAX_REASON`] characters once trimmed.
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 1000))]
    pub reason: String,
    /// The case's version the supervisor saw; if it changed since, nothing happens (409).
    pub based_on_version: i64,
}

/// The permit or document issued on an accepted case.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ExecutionRequest {
    /// The card's or document's number, 1 to 40 letters, digits, spaces or dashes.
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 40))]
    pub document_number: String,
    /// The day it was issued (YYYY-MM-DD), not after today.
    #[cfg_attr(feature = "openapi", schema(format = Date))]
    pub issued_on: String,
}

/// An accepted case's execution, as the centre keeps it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Execution {
    pub document_number: String,
    /// YYYY-MM-DD.
    pub issued_on: String,
    /// Who recorded it.
    pub by: OfficerRef,
    /// When the centre recorded it (RFC 3339).
    pub recorded_at: String,
}

/// A reference or reason trimmed and checked: `Err` says what is wrong.
pub fn bounded_text(what: &str, text: &str, max: usize) -> Result<String, String> {
    let text = text.trim();
    if text.is_empty() {
        return Err(format!("{what} is required"));
    }
    if text.chars().count() > max {
        return Err(format!("{what} is longer than {max} characters"));
    }
    Ok(text.to_owned())
}

/// An issued document's number as kept: trimmed, upper case, 1 to 40 letters, digits, spaces
/// or dashes.
pub fn document_number(text: &str) -> Result<String, String> {
    let number = bounded_text("the document number", text, MAX_DOCUMENT_NUMBER)?;
    if let Some(c) = number
        .chars()
        .find(|c| !(c.is_alphanumeric() || *c == ' ' || *c == '-'))
    {
        return Err(format!("the document number may not contain {c:?}"));
    }
    Ok(number.to_uppercase())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn texts_are_trimmed_and_bounded() {
        assert_eq!(
            bounded_text("the reference", "  A-12 ", 10).unwrap(),
            "A-12"
        );
        assert!(bounded_text("the reference", "   ", 10).is_err());
        assert!(bounded_text("the reference", &"x".repeat(11), 10).is_err());
        assert_eq!(
            bounded_text("x", &"ə".repeat(10), 10)
                .unwrap()
                .chars()
                .count(),
            10
        );
    }

    #[test]
    fn document_numbers_are_upper_case_letters_digits_spaces_dashes() {
        assert_eq!(document_number(" aa 1234-5 ").unwrap(), "AA 1234-5");
        assert_eq!(document_number("İş-7").unwrap(), "İŞ-7");
        assert!(document_number("12/34").is_err());
        assert!(document_number("").is_err());
        assert!(document_number(&"1".repeat(41)).is_err());
    }

    #[test]
    fn requests_refuse_unknown_fields() {
        let wrong = serde_json::from_str::<ExecutionRequest>(
            r#"{"document_number":"1","issued_on":"2026-12-01","extra":1}"#,
        );
        assert!(wrong.is_err());
        let reopen: ReopenRequest = serde_json::from_str(
            r#"{"ground":"court_order","reference":"2-1234/2026","reason":"x","based_on_version":3}"#,
        )
        .unwrap();
        assert_eq!(reopen.ground, ReopenGround::CourtOrder);
    }
}
