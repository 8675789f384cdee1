//! What happened to a case, event by event, as the centre recorded it.

use migdesk_domain::decision::{DecisionKind, RefusalReason};
use serde::{Deserialize, Serialize};

use crate::error::ConflictCause;
use crate::session::OfficerRef;
use crate::supervision::ResolutionAction;

/// One event in a case's history.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct HistoryEvent {
    pub at: String,
    /// Who did it; absent for the applicant and for the centre itself.
    pub actor: Option<OfficerRef>,
    /// `kind` and its `detail`.
    #[serde(flatten)]
    pub event: Event,
}

/// An event's kind and the facts recorded with it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "kind", content = "detail", rename_all = "snake_case")]
pub enum Event {
    /// The application arrived.
    Received { channel: String },
    /// The centre's routing gave the case to an officer.
    Assigned {
        to: String,
        to_name: String,
        /// What assigned it: the department's distribution rule (`least_open_work`,
        /// `round_robin`), or `routing` (the demo's seed).
        by: String,
    },
    /// A supervisor moved the case.
    Reassigned {
        from: Option<String>,
        to: String,
        to_name: String,
        reason: String,
    },
    /// The officer's decision was applied.
    Decided {
        decision_id: String,
        kind: DecisionKind,
        #[serde(default)]
        missing_documents: Vec<String>,
        #[serde(default)]
        missing_other: Option<String>,
        #[serde(default)]
        reasons: Vec<RefusalReason>,
        #[serde(default)]
        note: String,
        decided_at: String,
    },
    /// The applicant sent further documents.
    DocumentsAdded { types: Vec<String> },
    /// The applicant withdrew the application.
    Withdrawn {},
    /// A decision arrived that could not be applied; it is kept as a conflict.
    DecisionConflict {
        decision_id: String,
        cause: ConflictCause,
        kind: DecisionKind,
        decided_at: String,
    },
    /// A supervisor answered a conflict.
    ConflictResolved {
        decision_id: String,
        action: ResolutionAction,
        reason: Option<String>,
        /// The officer who made the decision, and their name.
        decided_by: String,
        decided_by_name: String,
        /// The officer who has the case now.
        to: Option<String>,
    },
    /// A supervisor queued again an applicant's e-mail that failed or whose sending was cut off.
    NotificationRequeued {
        notification_id: i64,
        /// `failed`, or `sending` when the outcome of the last attempt is unknown.
        previous_state: String,
        attempts: i64,
        last_error: Option<String>,
        /// The Message-ID of the last attempt, to look up in the relay's log.
        message_id: Option<String>,
    },
    /// A missing-documents decision stopped the deadline with this many working days left.
    DeadlinePaused { working_days_left: i64 },
    /// The documents the applicant owed arrived: the deadline runs again and falls on
    /// `due_date`.
    DeadlineResumed {
        due_date: String,
        working_days_left: i64,
    },
    /// Someone who handles the case wrote an internal note (never sent to the applicant).
    NoteAdded {
        note_id: String,
        text: String,
        /// When its author wrote it, as their desk said.
        written_at: String,
    },
    /// A supervisor opened the decided case again: it waits for a new decision by
    /// `due_date`.
    Reopened {
        ground: crate::ReopenGround,
        reference: String,
        reason: String,
        /// What the case was before (accepted or refused).
        previous_status: crate::Status,
        due_date: String,
    },
    /// The permit or document of an accepted case was issued.
    Executed {
        document_number: String,
        issued_on: String,
    },
    /// The officer's refusal waits for a supervisor's approval (four eyes): the case is not
    /// refused yet and the applicant has not been told.
    RefusalProposed {
        decision_id: String,
        #[serde(default)]
        reasons: Vec<RefusalReason>,
        #[serde(default)]
        note: String,
        decided_at: String,
    },
    /// A supervisor approved the proposed refusal; the `decided` event that follows applies it.
    RefusalApproved {
        decision_id: String,
        #[serde(default)]
        note: String,
    },
    /// A supervisor returned the proposed refusal to its officer with a note: the case waits
    /// for a decision again.
    RefusalReturned { decision_id: String, note: String },
    /// Never sent by this centre: what a client reads for an event newer than itself (shown by
    /// its time and actor).
    Unknown,
}

impl<'de> Deserialize<'de> for HistoryEvent {
    /// An event of a kind this version knows must have its detail right; any other kind reads
    /// as [`Event::Unknown`] with its time and actor.
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        struct Raw {
            at: String,
            actor: Option<OfficerRef>,
            kind: String,
            #[serde(default)]
            detail: serde_json::Value,
        }
        let raw = Raw::deserialize(deserializer)?;
        let event = Event::from_parts(&raw.kind, raw.detail)
            .map_err(|e| serde::de::Error::custom(format!("{} event: {e}", raw.kind)))?;
        Ok(Self {
            at: raw.at,
            actor: raw.actor,
            event,
        })
    }
}

impl Event {
    /// The event of `kind` with its `detail` as stored; a kind this version does not know is
    /// [`Event::Unknown`], a known one with a detail that does not fit is an error.
    pub fn from_parts(kind: &str, detail: serde_json::Value) -> serde_json::Result<Self> {
        if Self::KNOWN.contains(&kind) {
            serde_json::from_value(serde_json::json!({ "kind": kind, "detail": detail }))
        } else {
            Ok(Event::Unknown)
        }
    }

    /// The event's detail as stored beside its kind.
    pub fn detail(&self) -> serde_json::Value {
        serde_json::to_value(self)
            .ok()
            .and_then(|mut v| v.get_mut("detail").map(serde_json::Value::take))
            .unwrap_or(serde_json::Value::Null)
    }

    /// Every kind this version knows.
    pub const KNOWN: [&str; 17] = [
        "received",
        "assigned",
        "reassigned",
        "decided",
        "documents_added",
        "withdrawn",
        "decision_conflict",
        "conflict_resolved",
        "notification_requeued",
        "note_added",
        "deadline_paused",
        "deadline_resumed",
        "reopened",
        "executed",
        "refusal_proposed",
        "refusal_approved",
        "refusal_returned",
    ];

    /// The `kind` as stored and sent.
    pub fn kind(&self) -> &'static str {
        match self {
            Event::Received { .. } => "received",
            Event::Assigned { .. } => "assigned",
            Event::Reassigned { .. } => "reassigned",
            Event::Decided { .. } => "decided",
            Event::DocumentsAdded { .. } => "documents_added",
            Event::Withdrawn {} => "withdrawn",
            Event::DecisionConflict { .. } => "decision_conflict",
            Event::ConflictResolved { .. } => "conflict_resolved",
            Event::NotificationRequeued { .. } => "notification_requeued",
            Event::NoteAdded { .. } => "note_added",
            Event::DeadlinePaused { .. } => "deadline_paused",
            Event::DeadlineResumed { .. } => "deadline_resumed",
            Event::Reopened { .. } => "reopened",
            Event::Executed { .. } => "executed",
            Event::RefusalProposed { .. } => "refusal_proposed",
            Event::RefusalApproved { .. } => "refusal_approved",
            Event::RefusalReturned { .. } => "refusal_returned",
            Event::Unknown => "unknown",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_travel_as_kind_and_detail() {
        let event = HistoryEvent {
            at: "2026-11-30T10:00:00Z".into(),
            actor: None,
            event: Event::DocumentsAdded {
                types: vec!["passport".into()],
            },
        };
        let json = serde_json::to_value(&event).unwrap();
        assert_eq!(json["kind"], "documents_added");
        assert_eq!(json["detail"]["types"][0], "passport");
        let back: HistoryEvent = serde_json::from_value(json).unwrap();
        assert_eq!(back, event);
        let withdrawn: HistoryEvent = serde_json::from_str(
            r#"{"at":"2026-11-30T10:00:00Z","actor":null,"kind":"withdrawn","detail":{}}"#,
        )
        .unwrap();
        assert_eq!(withdrawn.event, Event::Withdrawn {});
    }

    #[test]
    fn an_event_from_a_newer_centre_is_unknown_not_an_error() {
        let event: HistoryEvent = serde_json::from_str(
            r#"{"at":"2026-11-30T10:00:00Z","actor":{"id":"u1","full_name":"Aysel"},"kind":"appeal_upheld","detail":{"reference":"x"}}"#,
        )
        .unwrap();
        assert_eq!(event.event, Event::Unknown);
        assert_eq!(event.actor.as_ref().unwrap().full_name, "Aysel");
        // Kept in a cache and read again, it stays what it was.
        let again: HistoryEvent =
            serde_json::from_str(&serde_json::to_string(&event).unwrap()).unwrap();
        assert_eq!(again, event);
    }

    #[test]
    fn every_known_kind_is_named_as_it_travels() {
        for kind in Event::KNOWN {
            assert_ne!(kind, Event::Unknown.kind());
        }
        let decided = Event::Withdrawn {};
        assert!(Event::KNOWN.contains(&decided.kind()));
    }

    #[test]
    fn a_known_event_with_a_wrong_detail_is_an_error() {
        let wrong = serde_json::from_str::<HistoryEvent>(
            r#"{"at":"2026-11-30T10:00:00Z","actor":null,"kind":"documents_added","detail":{"types":"passport"}}"#,
        );
        assert!(wrong.is_err());
    }
}
