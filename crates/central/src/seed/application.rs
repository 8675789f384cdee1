//! One applicant's application as the demo makes it: who they are (a nationality, a name in
//! Latin script and their own, a passport, sometimes a FIN), the form they filled, and the files
//! they sent — the application form as a PDF, a photo, the passport's identity page with its
//! machine-readable zone, the other documents as scans — some of them defective on purpose.
//! The seed writes them straight into the database; the simulator submits them through the
//! intake route, as the applicant portal does.

use chrono::{Datelike, NaiveDate};
use migdesk_api::{Applicant, FormField, FormGroup};
use migdesk_domain::catalogue::FeeTier;
use rand::Rng;
use rand::rngs::StdRng;

use super::docs::{self, PageStyle};
use super::{Defect, DepartmentSeed, NATIONALITIES, fin, form_line, internal, misspell, passport};
use crate::error::ApiResult;

/// An application made up: its id, the applicant, the form and the files (type, name, bytes).
pub(crate) struct Filed {
    pub id: String,
    pub applicant: Applicant,
    pub form: Vec<FormGroup>,
    pub files: Vec<(String, String, Vec<u8>)>,
    pub defect: Defect,
    /// What its readable identity page has printed on it, when it has one.
    pub identity: Option<IdentityPage>,
}

/// What an identity page of the demo has printed on it: the ground truth a reader of the scan
/// is measured against.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdentityPage {
    pub title: String,
    /// The holder's fields, "Label / Label: VALUE".
    pub lines: Vec<String>,
    /// The machine-readable zone (TD3), as printed: defective on purpose for some applicants.
    pub zone: [String; 2],
}

impl IdentityPage {
    /// The page as `scanner` scans it.
    pub fn scan(&self, rng: &mut StdRng, scanner: &docs::Scanner) -> image::GrayImage {
        let printed = docs::Printed {
            title: &self.title,
            lines: &self.lines,
            mrz: Some(&self.zone),
        };
        scanner.page(rng, PageStyle::Identity, 0, &printed)
    }
}

/// Which files an application is filed with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Files {
    None,
    /// One small text PDF for each required document (load runs: requests, not bytes).
    Light,
    /// The demo's: forms, photos, scans (some defective on purpose).
    Full,
}

/// Makes up an application for `service_code` at `tier` in `dep`, numbered `number` on its
/// form, with `files`.
pub(crate) fn generate(
    rng: &mut StdRng,
    catalogue: &migdesk_domain::Catalogue,
    service_code: &str,
    tier: &FeeTier,
    dep: &DepartmentSeed,
    number: &str,
    files_made: Files,
) -> ApiResult<Filed> {
    let service = catalogue
        .service(service_code)
        .ok_or_else(|| internal(format!("{service_code} is not in the catalogue")))?;
    let mut files = Vec::new();
    let mut identity = None;
    let nat = if service_code.starts_with("citizenship") || service_code == "migration-service-job"
    {
        &NATIONALITIES[NATIONALITIES.len() - 1]
    } else {
        &NATIONALITIES[rng.random_range(0..NATIONALITIES.len())]
    };
    let gi = rng.random_range(0..nat.given.len());
    let fi = rng.random_range(0..nat.family.len());
    let name_latin = format!("{} {}", nat.given[gi].0, nat.family[fi].0);
    let name_native = format!("{} {}", nat.given[gi].1, nat.family[fi].1);
    let dob = NaiveDate::from_ymd_opt(
        rng.random_range(1958..2006),
        rng.random_range(1..13),
        rng.random_range(1..29),
    )
    .ok_or_else(|| internal("bad date"))?;
    let passport_number = passport(rng, nat.code);
    let applicant = Applicant {
        name_latin: name_latin.clone(),
        name_native,
        fin: (nat.code == "AZE").then(|| fin(rng)),
        passport_number: Some(passport_number.clone()),
        date_of_birth: dob.to_string(),
        nationality: nat.code.to_owned(),
        email: format!(
            "{}.{}@example.org",
            migdesk_domain::fold::fold(nat.given[gi].0),
            migdesk_domain::fold::fold(nat.family[fi].0)
        ),
        language: nat.lang,
    };

    let id = uuid::Builder::from_random_bytes(rng.random())
        .into_uuid()
        .to_string();

    let defect = match rng.random_range(0..100) {
        0..=9 => Defect::MissingDocument,
        10..=17 => Defect::PassportMismatch,
        18..=23 => Defect::UnreadablePage,
        24..=30 => Defect::NameSpelling,
        31..=34 => Defect::MrzCheckDigit,
        35..=38 => Defect::MrzBirthDate,
        _ => Defect::None,
    };
    let form_passport = if defect == Defect::PassportMismatch {
        let mut p = passport_number.clone();
        let last = p.pop().and_then(|c| c.to_digit(10)).unwrap_or(0);
        p.push(char::from_digit((last + 3) % 10, 10).unwrap_or('7'));
        p
    } else {
        passport_number.clone()
    };
    let form = vec![
        FormGroup {
            key: "personal".into(),
            fields: vec![
                FormField {
                    key: "surname".into(),
                    value: nat.family[fi].0.into(),
                },
                FormField {
                    key: "given_names".into(),
                    value: nat.given[gi].0.into(),
                },
                FormField {
                    key: "date_of_birth".into(),
                    value: dob.format("%d.%m.%Y").to_string(),
                },
                FormField {
                    key: "nationality".into(),
                    value: nat.code.into(),
                },
                FormField {
                    key: "passport_number".into(),
                    value: form_passport,
                },
            ],
        },
        FormGroup {
            key: "contact".into(),
            fields: vec![
                FormField {
                    key: "email".into(),
                    value: applicant.email.clone(),
                },
                FormField {
                    key: "phone".into(),
                    value: format!(
                        "+994 {} {:03} {:02} {:02}",
                        ["50", "51", "55", "70", "77"][rng.random_range(0..5)],
                        rng.random_range(0..1000),
                        rng.random_range(0..100),
                        rng.random_range(0..100)
                    ),
                },
                FormField {
                    key: "address".into(),
                    value: format!(
                        "{}, {} küç. {}, AZ{}",
                        dep.districts.split(',').next().unwrap_or("Baku"),
                        ["Nizami", "Füzuli", "Azadlıq", "Səməd Vurğun"][rng.random_range(0..4)],
                        rng.random_range(1..120),
                        rng.random_range(1000..7000)
                    ),
                },
            ],
        },
        FormGroup {
            key: "request".into(),
            fields: vec![
                FormField {
                    key: "service".into(),
                    value: service_code.into(),
                },
                FormField {
                    key: "fee_tier".into(),
                    value: tier.code.clone(),
                },
                FormField {
                    key: "purpose".into(),
                    value: ["work", "family", "study", "business", "residence"]
                        [rng.random_range(0..5)]
                    .into(),
                },
            ],
        },
    ];

    // The documents.
    let mut required = service.required_documents.clone();
    if defect == Defect::MissingDocument && required.len() > 1 {
        let skip = rng.random_range(1..required.len());
        required.remove(skip);
    }
    let doc_name = if defect == Defect::NameSpelling {
        misspell(&name_latin, rng)
    } else {
        name_latin.clone()
    };
    let doc_title = |doc_type: &str| -> String {
        catalogue
            .document_type(doc_type)
            .map_or_else(|| doc_type.to_owned(), |d| d.name.az.clone())
    };
    let text_lines = |doc_type: &str| -> Vec<String> {
        vec![
            doc_title(doc_type),
            format!("Name: {}", doc_name.to_uppercase()),
            format!("Date of birth: {}", dob.format("%d.%m.%Y")),
            format!("Passport: {passport_number}"),
            format!("Nationality: {}", nat.code),
        ]
    };
    // The identity page: the holder's fields as printed, and the machine-readable zone
    // computed from them (defective on purpose for some applications).
    let (doc_given, doc_surname) = doc_name.rsplit_once(' ').unwrap_or((doc_name.as_str(), ""));
    let expiry = NaiveDate::from_ymd_opt(
        2027 + passport_number
            .chars()
            .last()
            .and_then(|c| c.to_digit(10))
            .unwrap_or(0) as i32
            % 8,
        dob.month(),
        dob.day().min(28),
    )
    .ok_or_else(|| internal("bad expiry date"))?;
    let zone_birth = if defect == Defect::MrzBirthDate {
        dob.with_year(dob.year() + 1).unwrap_or(dob)
    } else {
        dob
    };
    let mut mrz = migdesk_domain::mrz::td3(&migdesk_domain::mrz::Passport {
        state: nat.code,
        surname: doc_surname,
        given_names: doc_given,
        number: &passport_number,
        date_of_birth: zone_birth,
        sex: '<',
        expiry,
    });
    if defect == Defect::MrzCheckDigit {
        // The passport number's check digit, off by one.
        let mut chars: Vec<char> = mrz[1].chars().collect();
        let wrong = chars[9].to_digit(10).map_or(0, |d| (d + 1) % 10);
        chars[9] = char::from_digit(wrong, 10).unwrap_or('0');
        mrz[1] = chars.into_iter().collect();
    }
    let identity_lines = vec![
        format!("Soyad / Surname: {}", doc_surname.to_uppercase()),
        format!("Ad / Given names: {}", doc_given.to_uppercase()),
        format!("Vətəndaşlıq / Nationality: {}", nat.code),
        format!("Doğum tarixi / Date of birth: {}", dob.format("%d.%m.%Y")),
        format!(
            "Etibarlıdır / Date of expiry: {}",
            expiry.format("%d.%m.%Y")
        ),
        format!("Pasport № / Passport No.: {passport_number}"),
    ];
    if files_made == Files::None {
        required.clear();
    }
    if files_made == Files::Light {
        for doc_type in &required {
            let lines = text_lines(doc_type);
            files.push((
                doc_type.clone(),
                format!("{doc_type}.pdf"),
                docs::text_pdf(&lines[0], &lines[1..]),
            ));
        }
        required.clear();
    }
    let unreadable_at = (defect == Defect::UnreadablePage && !required.is_empty())
        .then(|| rng.random_range(0..required.len()));
    for (i, doc_type) in required.iter().enumerate() {
        let unreadable = unreadable_at == Some(i);
        let (file_name, bytes) = match doc_type.as_str() {
            "application-form" => {
                let mut lines = vec![format!("Ərizə № {number}")];
                for g in &form {
                    for f in &g.fields {
                        lines.push(form_line(&f.key, &f.value, service, tier));
                    }
                }
                (
                    "application-form.pdf".to_owned(),
                    docs::text_pdf("Elektron ərizə forması", &lines),
                )
            }
            "photos" => ("photo.jpg".to_owned(), docs::photo_jpeg(rng)),
            "passport-copy" | "id-copy" | "identity-document" | "trp-card-copy" => {
                let style = if unreadable {
                    PageStyle::Unreadable
                } else {
                    PageStyle::Identity
                };
                let page = IdentityPage {
                    title: format!("PASPORT / PASSPORT · {}", nat.code),
                    lines: identity_lines.clone(),
                    zone: mrz.clone(),
                };
                let printed = docs::Printed {
                    title: &page.title,
                    lines: &page.lines,
                    mrz: Some(&page.zone),
                };
                // The scan is drawn at 150 dpi, so that the desk's recogniser reads the zone,
                // from a random stream of its own (from the passport number). The page at the
                // demo's 72 dpi is still drawn from the demo's stream, and dropped: the rest of
                // the demo (people, cases, officers) then stays what the tests and the README
                // know, whatever the scanner does.
                let _ = docs::page(rng, style, 0, &printed);
                let mut own = own_stream(&passport_number);
                let p = docs::Scanner::IDENTITY.page(&mut own, style, 0, &printed);
                if !unreadable {
                    identity.get_or_insert(page);
                }
                match rng.random_range(0..3) {
                    0 => (format!("{doc_type}.jpg"), docs::jpeg(&p, 70)),
                    1 => (format!("{doc_type}.png"), docs::png(&p)),
                    _ => {
                        // As OCR software leaves it: the page's fields, then its zone.
                        let mut text = text_lines(doc_type);
                        text.extend(mrz.iter().cloned());
                        (
                            format!("{doc_type}.pdf"),
                            docs::scanned_pdf(std::slice::from_ref(&p), Some(&[text])),
                        )
                    }
                }
            }
            _ => {
                let pages_n = rng.random_range(1..4usize);
                let pages: Vec<_> = (0..pages_n)
                    .map(|pi| {
                        let style = if unreadable && pi == pages_n - 1 {
                            PageStyle::Unreadable
                        } else {
                            PageStyle::Text
                        };
                        let lines = rng.random_range(12..30);
                        let text = text_lines(doc_type);
                        let printed = docs::Printed {
                            title: &text[0],
                            lines: &text[1..],
                            mrz: None,
                        };
                        docs::page(rng, style, lines, &printed)
                    })
                    .collect();
                if rng.random_range(0..5) == 0 {
                    (format!("{doc_type}.tif"), docs::tiff_pages(&pages))
                } else {
                    let text: Vec<Vec<String>> =
                        (0..pages.len()).map(|_| text_lines(doc_type)).collect();
                    let with_text = rng.random_range(0..3) > 0;
                    // Some have a last page scanned later and added without OCR: a text layer
                    // on every page but that one. Decided from a stream of the document's own,
                    // so the rest of the demo stays as it was.
                    let added_later = with_text
                        && pages.len() > 1
                        && own_stream(&format!("{number} {doc_type}")).random_range(0..3) == 0;
                    let layer = &text[..text.len() - usize::from(added_later)];
                    (
                        format!("{doc_type}.pdf"),
                        docs::scanned_pdf(&pages, with_text.then_some(layer)),
                    )
                }
            }
        };
        files.push((doc_type.clone(), file_name, bytes));
    }
    Ok(Filed {
        id,
        applicant,
        form,
        files,
        defect,
        identity,
    })
}

/// A random stream of a thing's own, from its `key`: what it draws leaves the demo's stream as it
/// was.
pub(super) fn own_stream(key: &str) -> StdRng {
    <StdRng as rand::SeedableRng>::seed_from_u64(
        key.bytes()
            .fold(0u64, |h, b| h.wrapping_mul(31).wrapping_add(u64::from(b))),
    )
}

/// Where a made-up application goes and for what: `department` (or one chosen by the
/// departments' shares), a service chosen by the demo's mix, and one of its fee tiers.
pub(crate) fn chosen<'c>(
    rng: &mut StdRng,
    catalogue: &'c migdesk_domain::Catalogue,
    department: Option<&str>,
) -> ApiResult<(&'static DepartmentSeed, &'static str, &'c FeeTier)> {
    let dep = match department {
        Some(id) => super::DEPARTMENTS
            .iter()
            .find(|d| d.id == id)
            .ok_or_else(|| internal(format!("{id:?} is not a department of the demo")))?,
        None => {
            let weights: Vec<(&DepartmentSeed, u32)> =
                super::DEPARTMENTS.iter().map(|d| (d, d.weight)).collect();
            *super::weighted(rng, &weights)
        }
    };
    let service_code = *super::weighted(rng, super::SERVICE_MIX);
    let service = catalogue
        .service(service_code)
        .ok_or_else(|| internal(format!("{service_code} is not in the catalogue")))?;
    let tier = &service.tiers[rng.random_range(0..service.tiers.len())];
    Ok((dep, service_code, tier))
}

/// A made-up application as the applicant portal submits it: to `department` (or one chosen by
/// the departments' shares), for a service chosen by the demo's mix, with its files; `reference`
/// is the portal's own, printed on the form (the centre gives the number).
pub(crate) fn intake_request(
    rng: &mut StdRng,
    catalogue: &migdesk_domain::Catalogue,
    department: Option<&str>,
    reference: &str,
) -> ApiResult<migdesk_api::IntakeRequest> {
    use base64::Engine;
    let (dep, service_code, tier) = chosen(rng, catalogue, department)?;
    let filed = generate(
        rng,
        catalogue,
        service_code,
        tier,
        dep,
        reference,
        Files::Full,
    )?;
    Ok(migdesk_api::IntakeRequest {
        id: filed
            .id
            .parse()
            .map_err(|e| internal(format!("an application id: {e}")))?,
        department_id: dep.id.to_owned(),
        service: service_code.to_owned(),
        tier: tier.code.clone(),
        applicant: filed.applicant,
        form: filed.form,
        documents: filed
            .files
            .into_iter()
            .map(|(doc_type, file_name, bytes)| migdesk_api::SentDocument {
                doc_type,
                file_name,
                content_base64: base64::engine::general_purpose::STANDARD.encode(bytes),
            })
            .collect(),
    })
}
