//! The e-mail an applicant receives when a decision is recorded, in the applicant's language.

use migdesk_domain::{Catalogue, Lang};

use crate::model::{Applicant, DecisionKind, DecisionRequest, ReasonCode};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Email {
    pub subject: String,
    pub body: String,
}

/// What the message needs to know about the case.
#[derive(Debug, Clone)]
pub struct CaseFacts<'a> {
    pub number: &'a str,
    pub service: &'a str,
    pub submitted_on: &'a str,
    pub applicant: &'a Applicant,
    pub officer_name: &'a str,
    /// Document id → document type code, to name documents cited in refusal reasons.
    pub documents: &'a [(String, String)],
}

fn doc_name(catalogue: &Catalogue, code: &str, lang: Lang) -> String {
    catalogue
        .document_type(code)
        .map(|d| d.name.get(lang).to_owned())
        .unwrap_or_else(|| code.to_owned())
}

/// Renders the notification for a decision.
pub fn render(catalogue: &Catalogue, facts: &CaseFacts<'_>, decision: &DecisionRequest) -> Email {
    let lang = facts.applicant.language;
    let service = catalogue
        .service(facts.service)
        .map(|s| s.name.get(lang).to_owned())
        .unwrap_or_else(|| facts.service.to_owned());
    let name = &facts.applicant.name_latin;
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
                let label = match (reason.code, lang) {
                    (ReasonCode::FormIncorrect, Lang::Az) => "Ərizə-anket düzgün doldurulmayıb",
                    (ReasonCode::FormIncorrect, Lang::En) => {
                        "The application form was filled in incorrectly"
                    }
                    (ReasonCode::FormIncorrect, Lang::Ru) => {
                        "Заявление-анкета заполнено неправильно"
                    }
                    (ReasonCode::Contradictory, Lang::Az) => {
                        "Təqdim edilmiş məlumatlar ziddiyyətlidir"
                    }
                    (ReasonCode::Contradictory, Lang::En) => {
                        "The information provided is contradictory"
                    }
                    (ReasonCode::Contradictory, Lang::Ru) => {
                        "Представленные сведения противоречивы"
                    }
                    (ReasonCode::Other, Lang::Az) => "Digər səbəb",
                    (ReasonCode::Other, Lang::En) => "Another reason",
                    (ReasonCode::Other, Lang::Ru) => "Другая причина",
                };
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
