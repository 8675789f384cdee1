//! The decision letter: each decision applied to a case, as a PDF in the applicant's language —
//! the decision and its reasons (the words of the applicant's e-mail, with the fields and
//! documents they concern), the officer responsible, the legal deadline, how to dispute it, and a
//! verification code with the tracking address. The text is set in DejaVu Sans, embedded as a
//! subset with its map to Unicode, so every Azerbaijani and Russian letter prints and reads back
//! exactly. The same facts always give the same bytes: the letter is rendered when asked for
//! (the desk's preview, the e-mail's attachment), never stored.

use crate::sql::{Conn, OptionalExtension};
use migdesk_api::{ApplicationDetail, DecisionRequest, Event};
use migdesk_domain::decision::{self, CaseFacts};
use migdesk_domain::{Catalogue, Lang};
use pdf_writer::{Content, Finish, Name, Pdf, Rect, Ref, Str, TextStr};
use sha2::{Digest, Sha256};

use crate::error::{ApiError, ApiResult};
use crate::font::PdfFont;
use crate::store;

/// Where an applicant follows an application, printed on every letter (`serve
/// --tracking-address`).
pub const DEFAULT_TRACKING_ADDRESS: &str = "https://portal.migdesk.example/tracking";

const PAGE_W: f32 = 595.0;
const PAGE_H: f32 = 842.0;
const MARGIN: f32 = 60.0;
const BODY: f32 = 11.0;
const LEADING: f32 = 15.0;

/// The code printed on a letter, by which the service confirms it issued it (the applicant's
/// tracking shows it beside the decision): twelve hex characters of a hash of the decision's id,
/// in three groups.
pub fn verification_code(decision_id: &str) -> String {
    let hash = hex::encode_upper(Sha256::digest(format!("migdesk-letter:{decision_id}")));
    format!("{}-{}-{}", &hash[..4], &hash[4..8], &hash[8..12])
}

/// The applicant's e-mail for `decision` on the case, signed by `officer`: the words the letter
/// carries too.
pub fn email(
    catalogue: &Catalogue,
    detail: &ApplicationDetail,
    officer: &str,
    decision: &migdesk_domain::decision::Decision,
) -> decision::Email {
    let documents: Vec<(String, String)> = detail
        .documents
        .iter()
        .map(|d| (d.id.clone(), d.doc_type.clone()))
        .collect();
    let submitted_on = decision::day_for_applicant(&detail.submitted_at);
    decision::render_email(
        catalogue,
        &CaseFacts {
            number: &detail.number,
            service: &detail.service,
            submitted_on: &submitted_on,
            applicant_name: &detail.applicant.name_latin,
            language: detail.applicant.language,
            officer_name: officer,
            documents: &documents,
        },
        decision,
    )
}

/// The letter's file name: `letter-<application number>.pdf`.
pub fn file_name(conn: &Conn<'_>, application_id: &str) -> String {
    let number: Option<String> = conn
        .query_row(
            "SELECT number FROM applications WHERE id = ?1",
            [application_id],
            |r| r.get(0),
        )
        .ok();
    format!("letter-{}.pdf", number.unwrap_or_default())
}

/// One line of the letter: its words and its size.
struct Line {
    text: String,
    size: f32,
}

/// The words around the e-mail's, in the applicant's language.
struct Words {
    service: &'static str,
    date: &'static str,
    deadline: &'static str,
    working_days: &'static str,
    dispute_title: &'static str,
    dispute: &'static str,
    code: &'static str,
    tracking: &'static str,
}

fn words(lang: Lang) -> Words {
    match lang {
        Lang::Az => Words {
            service: "Azərbaycan Respublikasının Dövlət Miqrasiya Xidməti",
            date: "Qərarın tarixi",
            deadline: "Qanunla müəyyən edilmiş baxılma müddəti",
            working_days: "iş günü",
            dispute_title: "Qərardan necə şikayət etmək olar",
            dispute: "Bu qərarla razı deyilsinizsə, ondan Dövlət Miqrasiya Xidmətinə inzibati şikayət verə və ya inzibati işlər üzrə məhkəməyə müraciət edə bilərsiniz. Şikayətdə müraciətin nömrəsini və bu məktubun yoxlama kodunu göstərin.",
            code: "Yoxlama kodu",
            tracking: "Müraciətin gedişatını izləmək üçün",
        },
        Lang::En => Words {
            service: "State Migration Service of the Republic of Azerbaijan",
            date: "Date of the decision",
            deadline: "Time limit set by law for the decision",
            working_days: "working days",
            dispute_title: "How to dispute this decision",
            dispute: "If you disagree with this decision, you may file an administrative complaint with the State Migration Service or bring a claim before the administrative court. Quote the application number and this letter's verification code.",
            code: "Verification code",
            tracking: "Follow your application at",
        },
        Lang::Ru => Words {
            service: "Государственная миграционная служба Азербайджанской Республики",
            date: "Дата решения",
            deadline: "Установленный законом срок рассмотрения",
            working_days: "рабочих дней",
            dispute_title: "Как обжаловать решение",
            dispute: "Если вы не согласны с этим решением, вы можете подать административную жалобу в Государственную миграционную службу или обратиться в административный суд. Укажите номер заявления и код проверки этого письма.",
            code: "Код проверки",
            tracking: "Следить за ходом заявления можно по адресу",
        },
    }
}

/// Breaks `text` into lines no wider than the page allows at `size`.
fn wrap(text: &str, size: f32, out: &mut Vec<Line>) {
    let room = PAGE_W - 2.0 * MARGIN;
    for paragraph in text.split('\n') {
        let indent: String = paragraph.chars().take_while(|c| *c == ' ').collect();
        // A list item's further lines line up under its words, after the bullet.
        let hanging = if paragraph.trim_start().starts_with('•') {
            format!("{indent}    ")
        } else {
            indent.clone()
        };
        let mut line = String::new();
        for word in paragraph.split_whitespace() {
            let candidate = if line.is_empty() {
                format!("{indent}{word}")
            } else {
                format!("{line} {word}")
            };
            if PdfFont::width(&candidate, size) > room && !line.is_empty() {
                out.push(Line {
                    text: std::mem::take(&mut line),
                    size,
                });
                line = format!("{hanging}{word}");
            } else {
                line = candidate;
            }
        }
        out.push(Line { text: line, size });
    }
}

/// The letter for decision `decision_id` on case `application_id`, if that decision was applied
/// to it; `None` otherwise.
pub fn render(
    conn: &Conn<'_>,
    catalogue: &Catalogue,
    application_id: &str,
    decision_id: &str,
    tracking_address: &str,
) -> ApiResult<Option<Vec<u8>>> {
    let Some(detail) = store::application_detail(conn, application_id)? else {
        return Ok(None);
    };
    let applied = detail
        .history
        .iter()
        .any(|e| matches!(&e.event, Event::Decided { decision_id: id, .. } if id == decision_id));
    let row: Option<(String, String)> = conn
        .query_row(
            "SELECT d.request, u.full_name FROM decisions d JOIN users u ON u.id = d.officer_id
             WHERE d.id = ?1 AND d.application_id = ?2",
            [decision_id, application_id],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    let (Some((request, officer)), true) = (row, applied) else {
        return Ok(None);
    };
    let request: DecisionRequest = serde_json::from_str(&request)
        .map_err(|e| ApiError::internal(format!("decision {decision_id}: {e}")))?;
    let (department_az, department_en, department_ru): (String, String, String) = conn.query_row(
        "SELECT name_az, name_en, name_ru FROM departments WHERE id = ?1",
        [&detail.department_id],
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
    )?;
    let lang = detail.applicant.language;
    let department = match lang {
        Lang::Az => department_az,
        Lang::En => department_en,
        Lang::Ru => department_ru,
    };
    let email = email(catalogue, &detail, &officer, &request.decision());
    let w = words(lang);
    let days = catalogue
        .service(&detail.service)
        .and_then(|s| s.tier(&detail.tier))
        .map(|t| t.deadline_working_days);

    let mut lines = Vec::new();
    wrap(w.service, 13.0, &mut lines);
    wrap(&department, BODY, &mut lines);
    wrap("", BODY, &mut lines);
    wrap(
        &format!(
            "{}: {}",
            w.date,
            decision::day_for_applicant(&request.decided_at)
        ),
        BODY,
        &mut lines,
    );
    wrap(&detail.applicant.name_latin, BODY, &mut lines);
    if detail.applicant.name_native != detail.applicant.name_latin {
        wrap(&detail.applicant.name_native, BODY, &mut lines);
    }
    wrap(&detail.applicant.email, BODY, &mut lines);
    wrap("", BODY, &mut lines);
    wrap(&email.subject, 13.0, &mut lines);
    wrap("", BODY, &mut lines);
    wrap(email.body.trim_end(), BODY, &mut lines);
    wrap("", BODY, &mut lines);
    if let Some(days) = days {
        wrap(
            &format!(
                "{}: {days} {} ({})",
                w.deadline,
                w.working_days,
                decision::day_for_applicant(&detail.due_date)
            ),
            BODY,
            &mut lines,
        );
        wrap("", BODY, &mut lines);
    }
    wrap(w.dispute_title, 12.0, &mut lines);
    wrap(w.dispute, BODY, &mut lines);
    wrap("", BODY, &mut lines);
    wrap(
        &format!("{}: {}", w.code, verification_code(decision_id)),
        BODY,
        &mut lines,
    );
    wrap(
        &format!("{} {tracking_address}", w.tracking),
        BODY,
        &mut lines,
    );
    Ok(Some(pdf(&lines, &email.subject)))
}

/// The lines set on A4 pages, as many as they take.
fn pdf(lines: &[Line], title: &str) -> Vec<u8> {
    let mut pdf = Pdf::new();
    let mut next = 1;
    let mut alloc = || {
        let r = Ref::new(next);
        next += 1;
        r
    };
    let (catalog_id, tree_id, font_id) = (alloc(), alloc(), alloc());
    let per_page = ((PAGE_H - 2.0 * MARGIN) / LEADING).floor().max(1.0) as usize;
    let pages: Vec<&[Line]> = lines.chunks(per_page).collect();
    let ids: Vec<(Ref, Ref)> = pages.iter().map(|_| (alloc(), alloc())).collect();
    pdf.catalog(catalog_id).pages(tree_id);
    pdf.pages(tree_id)
        .kids(ids.iter().map(|(p, _)| *p))
        .count(i32::try_from(ids.len()).unwrap_or(i32::MAX));
    let mut font = PdfFont::new();
    for (page_lines, (page_id, content_id)) in pages.iter().zip(&ids) {
        let mut page = pdf.page(*page_id);
        page.media_box(Rect::new(0.0, 0.0, PAGE_W, PAGE_H))
            .parent(tree_id)
            .contents(*content_id);
        page.resources().fonts().pair(Name(b"F1"), font_id);
        page.finish();
        let mut content = Content::new();
        content.begin_text();
        let mut y = PAGE_H - MARGIN;
        for line in *page_lines {
            if !line.text.is_empty() {
                content.set_font(Name(b"F1"), line.size);
                content.set_text_matrix([1.0, 0.0, 0.0, 1.0, MARGIN, y]);
                content.show(Str(&font.encode(&line.text)));
            }
            y -= LEADING;
        }
        content.end_text();
        pdf.stream(*content_id, &content.finish());
    }
    pdf.document_info(alloc())
        .title(TextStr(title))
        .producer(TextStr("migdesk central service"));
    font.write(&mut pdf, font_id, &mut alloc);
    pdf.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_verification_code_is_stable_and_differs_between_decisions() {
        let a = verification_code("7f1c0c52-7d4c-4d25-9a43-2a3ec2c1e001");
        assert_eq!(a, verification_code("7f1c0c52-7d4c-4d25-9a43-2a3ec2c1e001"));
        assert_ne!(a, verification_code("7f1c0c52-7d4c-4d25-9a43-2a3ec2c1e002"));
        assert_eq!(a.len(), 14);
        assert_eq!(a.matches('-').count(), 2);
    }

    #[test]
    fn long_paragraphs_wrap_within_the_margins_and_keep_every_word() {
        let mut lines = Vec::new();
        let text = words(Lang::Ru).dispute;
        wrap(text, BODY, &mut lines);
        assert!(lines.len() > 1);
        for line in &lines {
            assert!(PdfFont::width(&line.text, BODY) <= PAGE_W - 2.0 * MARGIN);
        }
        let joined: Vec<&str> = lines
            .iter()
            .flat_map(|l| l.text.split_whitespace())
            .collect();
        assert_eq!(joined, text.split_whitespace().collect::<Vec<_>>());
    }
}
