//! An officer's decision on an application, the rules it must follow, and the e-mail it sends
//! the applicant. The central service and the desk share this module: the desk checks a
//! decision and previews the e-mail offline exactly as the centre will check and send it.

use std::collections::HashSet;

use serde::{Deserialize, Serialize};

use crate::{Catalogue, Lang};

/// The longest note an officer may write.
pub const MAX_NOTE: usize = 4000;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum DecisionKind {
    Accept,
    MissingDocuments,
    Refuse,
}

impl DecisionKind {
    pub const ALL: [DecisionKind; 3] = [
        DecisionKind::Accept,
        DecisionKind::MissingDocuments,
        DecisionKind::Refuse,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            DecisionKind::Accept => "accept",
            DecisionKind::MissingDocuments => "missing_documents",
            DecisionKind::Refuse => "refuse",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum ReasonCode {
    /// The form was filled in incorrectly: name the fields.
    FormIncorrect,
    /// The information is contradictory: name the fields or documents concerned.
    Contradictory,
    /// Another reason: explain in the note.
    Other,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(deny_unknown_fields)]
pub struct RefusalReason {
    pub code: ReasonCode,
    /// Form field keys.
    #[serde(default)]
    pub fields: Vec<String>,
    /// Document ids of the application.
    #[serde(default)]
    pub documents: Vec<String>,
}

/// What the officer decided: the part of a decision the officer chooses.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(deny_unknown_fields)]
pub struct Decision {
    pub kind: DecisionKind,
    /// Document type codes from the service's required documents.
    #[serde(default)]
    pub missing_documents: Vec<String>,
    /// Free text for a missing document the catalogue does not list.
    #[serde(default)]
    pub missing_other: Option<String>,
    #[serde(default)]
    pub reasons: Vec<RefusalReason>,
    #[serde(default)]
    pub note: String,
}

impl Decision {
    /// A decision of `kind` with nothing more: no documents named, no reasons, no note.
    pub fn new(kind: DecisionKind) -> Self {
        Self {
            kind,
            missing_documents: Vec::new(),
            missing_other: None,
            reasons: Vec::new(),
            note: String::new(),
        }
    }
}

/// What a decision is checked against: the case as the decider sees it.
#[derive(Debug, Clone, Copy)]
pub struct CaseShape<'a> {
    /// The document type codes the service requires.
    pub required_documents: &'a [String],
    /// The keys of the application form's fields.
    pub field_keys: &'a HashSet<&'a str>,
    /// The ids of the application's documents.
    pub document_ids: &'a HashSet<&'a str>,
}

/// Checks a decision against the case: every named document type, form field and document
/// exists; the reasons fit the decision. The error is a sentence for the person deciding.
pub fn validate(decision: &Decision, case: &CaseShape<'_>) -> Result<(), RuleBroken> {
    rules(decision, case).map_err(RuleBroken)
}

/// A decision that breaks one of the rules, with a sentence for the person deciding.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct RuleBroken(pub String);

fn rules(decision: &Decision, case: &CaseShape<'_>) -> Result<(), String> {
    if decision.note.chars().count() > MAX_NOTE {
        return Err(format!("the note is longer than {MAX_NOTE} characters"));
    }
    let other = decision
        .missing_other
        .as_deref()
        .map(str::trim)
        .unwrap_or("");
    match decision.kind {
        DecisionKind::Accept => {
            if !decision.missing_documents.is_empty()
                || !other.is_empty()
                || !decision.reasons.is_empty()
            {
                return Err("an acceptance names no missing documents and no reasons".into());
            }
        }
        DecisionKind::MissingDocuments => {
            if !decision.reasons.is_empty() {
                return Err("a missing-documents decision has no refusal reasons".into());
            }
            if decision.missing_documents.is_empty() && other.is_empty() {
                return Err("name at least one missing document".into());
            }
            let mut seen = HashSet::new();
            for code in &decision.missing_documents {
                if !case.required_documents.iter().any(|r| r == code) {
                    return Err(format!("{code:?} is not a document this service requires"));
                }
                if !seen.insert(code) {
                    return Err(format!("{code:?} is named twice"));
                }
            }
        }
        DecisionKind::Refuse => {
            if !decision.missing_documents.is_empty() || !other.is_empty() {
                return Err("a refusal names reasons, not missing documents".into());
            }
            if decision.reasons.is_empty() {
                return Err("a refusal needs at least one reason".into());
            }
            for reason in &decision.reasons {
                if let Some(f) = reason
                    .fields
                    .iter()
                    .find(|f| !case.field_keys.contains(f.as_str()))
                {
                    return Err(format!("{f:?} is not a field of this application's form"));
                }
                if let Some(d) = reason
                    .documents
                    .iter()
                    .find(|d| !case.document_ids.contains(d.as_str()))
                {
                    return Err(format!("{d:?} is not a document of this application"));
                }
                match reason.code {
                    ReasonCode::FormIncorrect if reason.fields.is_empty() => {
                        return Err(
                            "\"form_incorrect\" must name the fields filled in incorrectly".into(),
                        );
                    }
                    ReasonCode::Contradictory
                        if reason.fields.is_empty() && reason.documents.is_empty() =>
                    {
                        return Err(
                            "\"contradictory\" must name the fields or documents concerned".into(),
                        );
                    }
                    ReasonCode::Other if decision.note.trim().is_empty() => {
                        return Err("\"other\" must be explained in the note".into());
                    }
                    _ => {}
                }
            }
        }
    }
    Ok(())
}

/// The e-mail an applicant receives.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Email {
    pub subject: String,
    pub body: String,
}

/// What the e-mail needs to know about the case.
#[derive(Debug, Clone)]
pub struct CaseFacts<'a> {
    pub number: &'a str,
    pub service: &'a str,
    /// The submission date as the applicant reads it (`dd.mm.yyyy`).
    pub submitted_on: &'a str,
    /// The applicant's name in Latin script, as in the passport.
    pub applicant_name: &'a str,
    /// The language the applicant chose.
    pub language: Lang,
    pub officer_name: &'a str,
    /// Document id → document type code, to name documents cited in refusal reasons.
    pub documents: &'a [(String, String)],
}

/// `YYYY-MM-DD…` as `dd.mm.yyyy`; anything else unchanged.
pub fn day_for_applicant(timestamp: &str) -> String {
    let day = timestamp.get(..10).unwrap_or(timestamp);
    chrono::NaiveDate::parse_from_str(day, "%Y-%m-%d")
        .map(|d| d.format("%d.%m.%Y").to_string())
        .unwrap_or_else(|_| day.to_owned())
}

fn doc_name(catalogue: &Catalogue, code: &str, lang: Lang) -> String {
    catalogue
        .document_type(code)
        .map(|d| d.name.get(lang).to_owned())
        .unwrap_or_else(|| code.to_owned())
}

/// The words for a refusal reason, in `lang`.
pub fn reason_label(code: ReasonCode, lang: Lang) -> &'static str {
    match (code, lang) {
        (ReasonCode::FormIncorrect, Lang::Az) => "Ərizə-anket düzgün doldurulmayıb",
        (ReasonCode::FormIncorrect, Lang::En) => "The application form was filled in incorrectly",
        (ReasonCode::FormIncorrect, Lang::Ru) => "Заявление-анкета заполнено неправильно",
        (ReasonCode::Contradictory, Lang::Az) => "Təqdim edilmiş məlumatlar ziddiyyətlidir",
        (ReasonCode::Contradictory, Lang::En) => "The information provided is contradictory",
        (ReasonCode::Contradictory, Lang::Ru) => "Представленные сведения противоречивы",
        (ReasonCode::Other, Lang::Az) => "Digər səbəb",
        (ReasonCode::Other, Lang::En) => "Another reason",
        (ReasonCode::Other, Lang::Ru) => "Другая причина",
    }
}

/// Renders the applicant's e-mail for a decision, in the applicant's language.
pub fn render_email(catalogue: &Catalogue, facts: &CaseFacts<'_>, decision: &Decision) -> Email {
    let lang = facts.language;
    let service = catalogue
        .service(facts.service)
        .map(|s| s.name.get(lang).to_owned())
        .unwrap_or_else(|| facts.service.to_owned());
    let name = facts.applicant_name;
    let number = facts.number;
    let date = facts.submitted_on;
    let officer = facts.officer_name;

    let (subject, lead) = match (decision.kind, lang) {
        (DecisionKind::Accept, Lang::Az) => (
            format!("{number} nömrəli müraciətinizin sənədləri qəbul edildi"),
            format!(
                "{date} tarixli «{service}» müraciətinizin sənədləri qəbul edilmişdir. Müraciətin icrasına başlanılmışdır."
            ),
        ),
        (DecisionKind::Accept, Lang::En) => (
            format!("Documents of your application {number} received"),
            format!(
                "The documents of your application \"{service}\" of {date} have been received. Processing of the application has started."
            ),
        ),
        (DecisionKind::Accept, Lang::Ru) => (
            format!("Документы по заявлению № {number} приняты"),
            format!(
                "Документы по вашему заявлению «{service}» от {date} приняты. Начато исполнение заявления."
            ),
        ),
        (DecisionKind::MissingDocuments, Lang::Az) => (
            format!("{number} nömrəli müraciətiniz üzrə çatışmayan sənədlər"),
            format!(
                "{date} tarixli «{service}» müraciətiniz qəbul edilmişdir, lakin aşağıdakı sənədlərin surətləri əldə edilə bilməmişdir. Həmin sənədləri təqdim etməyiniz xahiş olunur:"
            ),
        ),
        (DecisionKind::MissingDocuments, Lang::En) => (
            format!("Documents missing from your application {number}"),
            format!(
                "Your application \"{service}\" of {date} has been accepted, but copies of the following documents could not be received. Please present them:"
            ),
        ),
        (DecisionKind::MissingDocuments, Lang::Ru) => (
            format!("Недостающие документы по заявлению № {number}"),
            format!(
                "Ваше заявление «{service}» от {date} принято, однако копии следующих документов получить не удалось. Просим представить их:"
            ),
        ),
        (DecisionKind::Refuse, Lang::Az) => (
            format!("{number} nömrəli müraciətinizin qəbulundan imtina edildi"),
            format!(
                "{date} tarixli «{service}» müraciətinizin qəbulundan aşağıdakı səbəblərə görə imtina edilmişdir. Çatışmazlıqlar aradan qaldırıldıqdan sonra yenidən müraciət edə bilərsiniz."
            ),
        ),
        (DecisionKind::Refuse, Lang::En) => (
            format!("Your application {number} was not accepted"),
            format!(
                "Your application \"{service}\" of {date} was not accepted for the reasons below. You may apply again once the defects are removed."
            ),
        ),
        (DecisionKind::Refuse, Lang::Ru) => (
            format!("В приёме заявления № {number} отказано"),
            format!(
                "В приёме вашего заявления «{service}» от {date} отказано по причинам, указанным ниже. После устранения недостатков вы можете подать заявление повторно."
            ),
        ),
    };

    let mut lines = Vec::new();
    match decision.kind {
        DecisionKind::Accept => {}
        DecisionKind::MissingDocuments => {
            for code in &decision.missing_documents {
                lines.push(format!("  • {}", doc_name(catalogue, code, lang)));
            }
            if let Some(other) = decision
                .missing_other
                .as_deref()
                .filter(|s| !s.trim().is_empty())
            {
                lines.push(format!("  • {}", other.trim()));
            }
        }
        DecisionKind::Refuse => {
            for reason in &decision.reasons {
                let label = reason_label(reason.code, lang);
                let mut concerned: Vec<String> = reason.fields.clone();
                for doc_id in &reason.documents {
                    let code = facts
                        .documents
                        .iter()
                        .find(|(id, _)| id == doc_id)
                        .map(|(_, code)| code.as_str())
                        .unwrap_or(doc_id);
                    concerned.push(doc_name(catalogue, code, lang));
                }
                if concerned.is_empty() {
                    lines.push(format!("  • {label}"));
                } else {
                    lines.push(format!("  • {label}: {}", concerned.join(", ")));
                }
            }
        }
    }
    let note = decision.note.trim();
    let (greeting, note_label, responsible, closing) = match lang {
        Lang::Az => (
            "Hörmətli",
            "Əməkdaşın qeydi",
            "Müraciətə məsul vəzifəli şəxs",
            "Dövlət Miqrasiya Xidməti",
        ),
        Lang::En => (
            "Dear",
            "Officer's note",
            "Official responsible for your application",
            "State Migration Service",
        ),
        Lang::Ru => (
            "Уважаемый(ая)",
            "Примечание сотрудника",
            "Ответственное должностное лицо",
            "Государственная миграционная служба",
        ),
    };
    let mut body = format!("{greeting} {name},\n\n{lead}\n");
    if !lines.is_empty() {
        body.push('\n');
        body.push_str(&lines.join("\n"));
        body.push('\n');
    }
    if !note.is_empty() {
        body.push_str(&format!("\n{note_label}: {note}\n"));
    }
    body.push_str(&format!("\n{responsible}: {officer}\n\n{closing}\n"));
    Email { subject, body }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn decision(kind: DecisionKind) -> Decision {
        Decision {
            kind,
            missing_documents: Vec::new(),
            missing_other: None,
            reasons: Vec::new(),
            note: String::new(),
        }
    }

    fn check(d: &Decision) -> Result<(), RuleBroken> {
        let required = vec!["passport".to_owned(), "photo".to_owned()];
        let fields: HashSet<&str> = ["surname", "birth_date"].into();
        let docs: HashSet<&str> = ["d1"].into();
        validate(
            d,
            &CaseShape {
                required_documents: &required,
                field_keys: &fields,
                document_ids: &docs,
            },
        )
    }

    #[test]
    fn each_kind_follows_its_rules() {
        assert_eq!(check(&decision(DecisionKind::Accept)), Ok(()));
        let mut missing = decision(DecisionKind::MissingDocuments);
        assert!(check(&missing).unwrap_err().0.contains("at least one"));
        missing.missing_documents = vec!["photo".into()];
        assert_eq!(check(&missing), Ok(()));
        missing.missing_documents.push("diploma".into());
        assert!(check(&missing).unwrap_err().0.contains("\"diploma\""));
        missing.missing_documents = vec!["photo".into(), "photo".into()];
        assert!(check(&missing).unwrap_err().0.contains("twice"));

        let mut refuse = decision(DecisionKind::Refuse);
        assert!(
            check(&refuse)
                .unwrap_err()
                .0
                .contains("at least one reason")
        );
        refuse.reasons = vec![RefusalReason {
            code: ReasonCode::FormIncorrect,
            fields: Vec::new(),
            documents: Vec::new(),
        }];
        assert!(check(&refuse).unwrap_err().0.contains("fields"));
        refuse.reasons[0].fields = vec!["surname".into()];
        assert_eq!(check(&refuse), Ok(()));
        refuse.reasons[0].fields = vec!["nickname".into()];
        assert!(check(&refuse).unwrap_err().0.contains("\"nickname\""));
        refuse.reasons = vec![RefusalReason {
            code: ReasonCode::Other,
            fields: Vec::new(),
            documents: Vec::new(),
        }];
        assert!(check(&refuse).unwrap_err().0.contains("note"));
        refuse.note = "x".repeat(MAX_NOTE + 1);
        assert!(check(&refuse).unwrap_err().0.contains("longer"));
    }

    #[test]
    fn the_email_speaks_the_applicants_language_and_names_what_is_missing() {
        let catalogue = Catalogue::builtin();
        let service = &catalogue.services[0];
        let doc = service.required_documents[0].clone();
        let mut d = decision(DecisionKind::MissingDocuments);
        d.missing_documents = vec![doc.clone()];
        d.missing_other = Some("  notarial copy  ".into());
        for lang in Lang::ALL {
            let facts = CaseFacts {
                number: "MX-1",
                service: &service.code,
                submitted_on: &day_for_applicant("2026-11-02T09:00:00Z"),
                applicant_name: "ISMAYILLI CHINGIZ",
                language: lang,
                officer_name: "Aysel Məmmədova",
                documents: &[],
            };
            let email = render_email(&catalogue, &facts, &d);
            assert!(email.subject.contains("MX-1"), "{email:?}");
            assert!(email.body.contains(service.name.get(lang)), "{email:?}");
            let doc_name = catalogue.document_type(&doc).unwrap().name.get(lang);
            assert!(email.body.contains(&format!("• {doc_name}")), "{email:?}");
            assert!(email.body.contains("• notarial copy\n"), "{email:?}");
            assert!(email.body.contains("02.11.2026"), "{email:?}");
            assert!(email.body.contains("Aysel Məmmədova"), "{email:?}");
        }
    }
}
