//! Demo data: the real regional departments, officers and a supervisor for each, and N
//! applications, deterministic from a seed value, with real document files. A share of the
//! applications is defective so each decision has real cases: a required document missing, a
//! passport number on the form that differs from the document's text, an unreadable page, a
//! name spelled differently, a passport whose machine-readable zone has a wrong check digit or
//! states another date of birth. [`SeedReport::defects`] lists which application has which.

pub mod application;
pub mod docs;
mod history;

use crate::sql::Conn;
use chrono::{DateTime, Duration, NaiveDate, Utc};
use migdesk_domain::{Calendar, Catalogue, Lang, passport_numbers};
use rand::rngs::StdRng;
use rand::seq::IndexedRandom;
use rand::{Rng, SeedableRng};
use rusqlite::params;

use crate::auth;
use crate::clock;
use crate::error::{ApiError, ApiResult};
use crate::store;
use migdesk_api::{ChangeKind, Event};

#[derive(Debug)]
pub struct DepartmentSeed {
    pub id: &'static str,
    pub name: [&'static str; 3],
    pub districts: &'static str,
    /// Officers (full names); the first user of each department is its supervisor.
    pub staff: &'static [&'static str],
    /// Share of the applications routed here, in tenths.
    pub weight: u32,
}

pub const DEPARTMENTS: &[DepartmentSeed] = &[
    DepartmentSeed {
        id: "baku",
        name: [
            "Bakı şəhər Regional Miqrasiya İdarəsi",
            "Baku City Regional Migration Department",
            "Бакинское городское региональное управление миграции",
        ],
        districts: "Baku",
        staff: &[
            "Rəşad Quliyev",
            "Aysel Məmmədova",
            "Elvin Hüseynov",
            "Günay Əliyeva",
            "Tural İsmayılov",
            "Nigar Həsənova",
        ],
        weight: 40,
    },
    DepartmentSeed {
        id: "ganja",
        name: [
            "Gəncə Regional Miqrasiya İdarəsi",
            "Ganja Regional Migration Department",
            "Гянджинское региональное управление миграции",
        ],
        districts: "Ganja, Goygol, Samukh, Shamkir, Dashkasan",
        staff: &[
            "Samirə Rzayeva",
            "Orxan Cəfərov",
            "Leyla Nəsirova",
            "Kamran Babayev",
        ],
        weight: 12,
    },
    DepartmentSeed {
        id: "shaki",
        name: [
            "Şəki Regional Miqrasiya İdarəsi",
            "Shaki Regional Migration Department",
            "Шекинское региональное управление миграции",
        ],
        districts: "Shaki, Zagatala, Balakan, Gakh, Oguz",
        staff: &["Fuad Səfərov", "Könül Abbasova", "İlqar Şükürov"],
        weight: 8,
    },
    DepartmentSeed {
        id: "lankaran",
        name: [
            "Lənkəran Regional Miqrasiya İdarəsi",
            "Lankaran Regional Migration Department",
            "Ленкоранское региональное управление миграции",
        ],
        districts: "Lankaran, Astara, Yardymli, Masally, Lerik",
        staff: &["Vüsal Mirzəyev", "Səbinə Qasımova", "Ramil Əsgərov"],
        weight: 8,
    },
    DepartmentSeed {
        id: "shirvan",
        name: [
            "Şirvan Regional Miqrasiya İdarəsi",
            "Shirvan Regional Migration Department",
            "Ширванское региональное управление миграции",
        ],
        districts: "Shirvan, Salyan, Neftchala, Hajigabul, Bilasuvar",
        staff: &["Elnur Kərimov", "Ülviyyə Zeynalova", "Nurlan Məmmədli"],
        weight: 7,
    },
    DepartmentSeed {
        id: "khachmaz",
        name: [
            "Xaçmaz Regional Miqrasiya İdarəsi",
            "Khachmaz Regional Migration Department",
            "Хачмазское региональное управление миграции",
        ],
        districts: "Khachmaz, Guba, Gusar, Shabran, Siyazan",
        staff: &["Anar Vəliyev", "Xədicə Orucova", "Emin Əhmədov"],
        weight: 8,
    },
    DepartmentSeed {
        id: "aghsu",
        name: [
            "Ağsu Regional Miqrasiya İdarəsi",
            "Aghsu Regional Migration Department",
            "Агсуинское региональное управление миграции",
        ],
        districts: "Aghsu, Shamakhi, Ismayilli, Gobustan, Kurdamir",
        staff: &["Zaur Hacıyev", "Pərvanə Əlizadə", "Cavid Nağıyev"],
        weight: 7,
    },
    DepartmentSeed {
        id: "yevlakh",
        name: [
            "Yevlax Regional Miqrasiya İdarəsi",
            "Yevlakh Regional Migration Department",
            "Евлахское региональное управление миграции",
        ],
        districts: "Yevlakh, Aghdash, Barda, Ujar, Zardab, Tartar, Aghjabadi",
        staff: &["Mübariz Əkbərov", "Sevinc Talıbova", "Rauf Hümbətov"],
        weight: 10,
    },
];

/// A demo account, as printed after seeding.
#[derive(Debug, Clone)]
pub struct Account {
    pub department: &'static str,
    pub username: String,
    pub full_name: &'static str,
    pub role: &'static str,
    pub password: String,
    pub id: String,
}

/// What seeding made.
#[derive(Debug, Clone)]
pub struct SeedReport {
    pub accounts: Vec<Account>,
    /// Earlier applications of the same applicants, already decided (with
    /// [`SeedOptions::applicant_history`]).
    pub earlier: usize,
    /// Decisions in the past year's decided applications ([`SeedOptions::decided_history`]).
    pub decisions: usize,
    pub applications: usize,
    pub documents: usize,
    pub defective: usize,
    /// Each defective application's number and what is wrong with it.
    pub defects: Vec<(String, &'static str)>,
    /// The demo applicant portal's credential (named `demo-portal`), shown once.
    pub portal_token: String,
}

struct Nationality {
    code: &'static str,
    lang: Lang,
    /// (Latin given name, native given name)
    given: &'static [(&'static str, &'static str)],
    family: &'static [(&'static str, &'static str)],
}

const NATIONALITIES: &[Nationality] = &[
    Nationality {
        code: "RUS",
        lang: Lang::Ru,
        given: &[
            ("Ivan", "Иван"),
            ("Olga", "Ольга"),
            ("Dmitry", "Дмитрий"),
            ("Anna", "Анна"),
            ("Sergey", "Сергей"),
        ],
        family: &[
            ("Petrov", "Петров"),
            ("Smirnova", "Смирнова"),
            ("Kuznetsov", "Кузнецов"),
            ("Volkova", "Волкова"),
        ],
    },
    Nationality {
        code: "TUR",
        lang: Lang::Az,
        given: &[
            ("Mehmet", "Mehmet"),
            ("Ayşe", "Ayşe"),
            ("Emre", "Emre"),
            ("Zeynep", "Zeynep"),
            ("Burak", "Burak"),
        ],
        family: &[
            ("Yılmaz", "Yılmaz"),
            ("Demir", "Demir"),
            ("Şahin", "Şahin"),
            ("Öztürk", "Öztürk"),
        ],
    },
    Nationality {
        code: "IRN",
        lang: Lang::En,
        given: &[
            ("Reza", "رضا"),
            ("Maryam", "مریم"),
            ("Ali", "علی"),
            ("Fatemeh", "فاطمه"),
        ],
        family: &[
            ("Hosseini", "حسینی"),
            ("Ahmadi", "احمدی"),
            ("Karimi", "کریمی"),
            ("Rezaei", "رضایی"),
        ],
    },
    Nationality {
        code: "IND",
        lang: Lang::En,
        given: &[
            ("Rahul", "राहुल"),
            ("Priya", "प्रिया"),
            ("Arjun", "अर्जुन"),
            ("Ananya", "अनन्या"),
        ],
        family: &[
            ("Sharma", "शर्मा"),
            ("Patel", "पटेल"),
            ("Iyer", "अय्यर"),
            ("Gupta", "गुप्ता"),
        ],
    },
    Nationality {
        code: "CHN",
        lang: Lang::En,
        given: &[("Wei", "伟"), ("Fang", "芳"), ("Jun", "军"), ("Li", "丽")],
        family: &[
            ("Wang", "王"),
            ("Zhang", "张"),
            ("Liu", "刘"),
            ("Chen", "陈"),
        ],
    },
    Nationality {
        code: "GEO",
        lang: Lang::Ru,
        given: &[
            ("Giorgi", "გიორგი"),
            ("Nino", "ნინო"),
            ("Davit", "დავით"),
            ("Tamar", "თამარ"),
        ],
        family: &[
            ("Beridze", "ბერიძე"),
            ("Kapanadze", "კაპანაძე"),
            ("Gelashvili", "გელაშვილი"),
        ],
    },
    Nationality {
        code: "UKR",
        lang: Lang::Ru,
        given: &[
            ("Olena", "Олена"),
            ("Andriy", "Андрій"),
            ("Iryna", "Ірина"),
            ("Taras", "Тарас"),
        ],
        family: &[
            ("Kovalenko", "Коваленко"),
            ("Shevchenko", "Шевченко"),
            ("Bondarenko", "Бондаренко"),
        ],
    },
    Nationality {
        code: "AZE",
        lang: Lang::Az,
        given: &[
            ("Ismayil", "İsmayıl"),
            ("Gulnar", "Gülnar"),
            ("Ilham", "İlham"),
            ("Sevda", "Sevda"),
            ("Chingiz", "Çingiz"),
        ],
        family: &[
            ("Mammadov", "Məmmədov"),
            ("Ismayilli", "İsmayıllı"),
            ("Huseynova", "Hüseynova"),
            ("Aliyev", "Əliyev"),
        ],
    },
];

/// Services and how often they come in (weights).
const SERVICE_MIX: &[(&str, u32)] = &[
    ("stay-registration", 14),
    ("stay-extension", 14),
    ("trp-issue", 16),
    ("trp-extend", 10),
    ("prp-issue", 5),
    ("prp-extend", 3),
    ("work-permit-issue", 14),
    ("work-permit-extend", 8),
    ("citizenship-acquire", 3),
    ("citizenship-restore", 2),
    ("citizenship-renounce", 2),
    ("citizenship-establish", 2),
    ("refugee-status", 3),
    ("migration-service-job", 4),
];

fn weighted<'a, T>(rng: &mut StdRng, items: &'a [(T, u32)]) -> &'a T {
    let total: u32 = items.iter().map(|(_, w)| w).sum();
    let mut pick = rng.random_range(0..total);
    for (item, w) in items {
        if pick < *w {
            return item;
        }
        pick -= w;
    }
    &items[items.len() - 1].0
}

/// A department's supervisor (its first staff member) and `officers` numbered officers, as
/// (username, full name).
fn numbered_staff(dep: &DepartmentSeed, officers: usize) -> Vec<(String, &'static str)> {
    const NAMES: &[&str] = &[
        "Kamran Məmmədov",
        "Leyla Həsənova",
        "Tural Abbasov",
        "Nigar Rzayeva",
        "Orxan Cəfərov",
        "Səidə İsmayılova",
        "Fərid Babayev",
        "Ülkər Novruzova",
    ];
    let supervisor = dep.staff[0];
    std::iter::once((username(supervisor), supervisor))
        .chain((1..=officers).map(|k| {
            (
                format!("{}.officer{k}", dep.id),
                NAMES[(k - 1) % NAMES.len()],
            )
        }))
        .collect()
}

fn username(full_name: &str) -> String {
    let folded = migdesk_domain::fold::fold(full_name);
    folded.replace(' ', ".")
}

fn password(rng: &mut StdRng) -> String {
    const WORDS: &[&str] = &[
        "xəzər",
        "novruz",
        "qala",
        "bulaq",
        "dəniz",
        "çinar",
        "göyçay",
        "şəki",
        "lənkəran",
        "qobustan",
    ];
    let a = WORDS.choose(rng).copied().unwrap_or("xəzər");
    let b = WORDS.choose(rng).copied().unwrap_or("qala");
    let n: u32 = rng.random_range(10..99);
    migdesk_domain::fold::fold(&format!("{a}-{b}-{n}"))
}

fn fin(rng: &mut StdRng) -> String {
    const ALPHABET: &[u8] = b"0123456789ABCDEFGHJKLMNPQRSTUVWXYZ";
    (0..7)
        .map(|_| ALPHABET[rng.random_range(0..ALPHABET.len())] as char)
        .collect()
}

/// A passport number in the shape `nationality`'s state writes them (two letters and seven
/// digits for a state without one). It takes the same draws from `rng` as before the states'
/// shapes were known, so the rest of the demo stays as it was; a shape those draws do not spell
/// is spelt from a stream of its own, keyed by them.
fn passport(rng: &mut StdRng, nationality: &str) -> String {
    let prefix: String = (0..2)
        .map(|_| (b'A' + rng.random_range(0..26u8)) as char)
        .collect();
    let drawn = match nationality {
        "AZE" => format!("C{:08}", rng.random_range(0..100_000_000u32)),
        "RUS" => format!(
            "{:02}{:07}",
            rng.random_range(10..99u32),
            rng.random_range(0..10_000_000u32)
        ),
        _ => format!("{prefix}{:07}", rng.random_range(0..10_000_000u32)),
    };
    let shape = passport_numbers::shape(nationality).unwrap_or("AA9999999");
    if passport_numbers::fits(&drawn, shape) {
        return drawn;
    }
    let mut own = application::own_stream(&drawn);
    shape
        .chars()
        .map(|c| match c {
            'A' => (b'A' + own.random_range(0..26u8)) as char,
            '9' => (b'0' + own.random_range(0..10u8)) as char,
            c => c,
        })
        .collect()
}

/// A one-letter change that keeps a name plausible: the officer's "spelled differently" case.
fn misspell(name: &str, rng: &mut StdRng) -> String {
    let swaps = [
        ("ov", "of"),
        ("i", "y"),
        ("a", "e"),
        ("sh", "ş"),
        ("k", "q"),
        ("e", "a"),
    ];
    for _ in 0..swaps.len() {
        let (from, to) = swaps[rng.random_range(0..swaps.len())];
        if let Some(pos) = name.to_lowercase().rfind(from) {
            let mut s = name.to_owned();
            s.replace_range(pos..pos + from.len(), to);
            return s;
        }
    }
    format!("{name}a")
}

/// A line of the printed application form: the field's label in Azerbaijani and its value as
/// the applicant gave it (a coded choice in words).
fn form_line(
    key: &str,
    value: &str,
    service: &migdesk_domain::catalogue::Service,
    tier: &migdesk_domain::catalogue::FeeTier,
) -> String {
    let label = match key {
        "surname" => "Soyad",
        "given_names" => "Ad",
        "date_of_birth" => "Doğum tarixi",
        "nationality" => "Vətəndaşlıq",
        "passport_number" => "Pasportun nömrəsi",
        "email" => "E-poçt",
        "phone" => "Telefon",
        "address" => "Ünvan",
        "service" => "Xidmət",
        "fee_tier" => "Dövlət rüsumu",
        "purpose" => "Məqsəd",
        other => other,
    };
    let value = match key {
        "service" => service.name.az.clone(),
        "fee_tier" => format!("{} AZN", tier.fee_azn),
        "purpose" => match value {
            "work" => "İş",
            "family" => "Ailə",
            "study" => "Təhsil",
            "business" => "Biznes",
            "residence" => "Yaşayış",
            other => other,
        }
        .to_owned(),
        _ => value.to_owned(),
    };
    format!("{label}: {value}")
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Defect {
    None,
    MissingDocument,
    PassportMismatch,
    UnreadablePage,
    NameSpelling,
    /// The passport's machine-readable zone has a wrong check digit (the passport number's).
    MrzCheckDigit,
    /// The passport's machine-readable zone states another date of birth than the form.
    MrzBirthDate,
}

impl Defect {
    /// The defect's name in the seed's defects list.
    fn name(self) -> &'static str {
        match self {
            Defect::None => "none",
            Defect::MissingDocument => "missing-document",
            Defect::PassportMismatch => "passport-number-differs",
            Defect::UnreadablePage => "unreadable-page",
            Defect::NameSpelling => "name-spelled-differently",
            Defect::MrzCheckDigit => "mrz-check-digit",
            Defect::MrzBirthDate => "mrz-date-of-birth-differs",
        }
    }
}

/// When the offices in Baku last closed (18:00) at or before `now`: the moment the `seed`
/// command counts its dates back from. Applications are then filed during office hours, and
/// seeding the same seed twice on the same office day gives the same dates, so the same cases
/// are due first (what the window benchmark opens) wherever the clock stands within the day.
pub fn office_day_close(now: DateTime<Utc>) -> DateTime<Utc> {
    let local = now.with_timezone(&clock::baku());
    let today = local
        .date_naive()
        .and_hms_opt(18, 0, 0)
        .and_then(|close| close.and_local_timezone(clock::baku()).single());
    match today {
        Some(close) if close <= local => close.with_timezone(&Utc),
        Some(close) => (close - Duration::days(1)).with_timezone(&Utc),
        None => now,
    }
}

/// What to seed.
#[derive(Debug, Clone)]
pub struct SeedOptions {
    pub cases: usize,
    /// The same seed gives the same people, forms and files (dates follow `now`; the `seed`
    /// command passes [`office_day_close`]).
    pub seed: u64,
    /// Generate document files (off for load tests of the feed alone).
    pub documents: bool,
    /// With `documents`: each file a one-page text PDF of a few kilobytes instead of the demo's
    /// scans (load runs, where the number of requests matters, not their bytes).
    pub light_documents: bool,
    /// Spread the applications over the first this many departments only.
    pub departments: Option<usize>,
    /// Staff each department the applications go to with its supervisor and this many officers
    /// (made-up, numbered, all with the supervisor's password), instead of the demo's staff.
    pub officers_per_department: Option<usize>,
    /// Route every application to this department instead of spreading them.
    pub department: Option<String>,
    /// Also file, for about one applicant in five, an earlier application already decided
    /// (accepted or refused, with reasons), so that cases show the applicant's history. Off for
    /// tests that count what the feed brings; the `seed` command turns it on.
    pub applicant_history: bool,
    /// Also file this many applications decided over the past year (for the statistics).
    pub decided_history: usize,
}

impl SeedOptions {
    /// The files each application is filed with.
    fn files(&self) -> application::Files {
        match (self.documents, self.light_documents) {
            (false, _) => application::Files::None,
            (true, true) => application::Files::Light,
            (true, false) => application::Files::Full,
        }
    }

    pub fn new(cases: usize, seed: u64) -> Self {
        Self {
            cases,
            seed,
            documents: true,
            light_documents: false,
            departments: None,
            officers_per_department: None,
            department: None,
            applicant_history: false,
            decided_history: 0,
        }
    }
}

fn internal(e: impl std::fmt::Display) -> ApiError {
    ApiError::internal(format!("cannot seed the database: {e}"))
}

/// The name of the demo applicant portal's credential.
pub const DEMO_PORTAL: &str = "demo-portal";

/// Seeds the database. Refuses a database that already has departments.
pub fn seed(
    conn: &Conn<'_>,
    catalogue: &Catalogue,
    calendar: &Calendar,
    options: &SeedOptions,
    now: DateTime<Utc>,
) -> ApiResult<SeedReport> {
    let (cases, seed) = (options.cases, options.seed);
    let only = match &options.department {
        Some(id) => Some(
            DEPARTMENTS
                .iter()
                .find(|d| d.id == id)
                .ok_or_else(|| ApiError::bad_request(format!("no department {id:?}")))?,
        ),
        None => None,
    };
    let existing: i64 = conn
        .query_row("SELECT COUNT(*) FROM departments", [], |r| r.get(0))
        .map_err(internal)?;
    if existing > 0 {
        return Err(ApiError::bad_request(
            "the database already holds data: seed a new file",
        ));
    }
    let mut rng = StdRng::seed_from_u64(seed);
    let tx = conn.transaction().map_err(internal)?;
    let mut accounts = Vec::new();
    let served = &DEPARTMENTS[..options
        .departments
        .unwrap_or(DEPARTMENTS.len())
        .clamp(1, DEPARTMENTS.len())];

    for dep in DEPARTMENTS {
        tx.execute(
            "INSERT INTO departments (id, name_az, name_en, name_ru, districts) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![dep.id, dep.name[0], dep.name[1], dep.name[2], dep.districts],
        )
        .map_err(internal)?;
        let staffed =
            only.map_or_else(|| served.iter().any(|d| d.id == dep.id), |d| d.id == dep.id);
        let staff = match options.officers_per_department {
            Some(n) if staffed => numbered_staff(dep, n),
            _ => dep
                .staff
                .iter()
                .map(|name| (username(name), *name))
                .collect(),
        };
        // Numbered officers share their supervisor's password (hashed once: hashing is slow
        // on purpose, and a load run has hundreds of them).
        let numbered = staffed && options.officers_per_department.is_some();
        let mut hashed: Option<(String, String)> = None;
        for (i, (username, full_name)) in staff.into_iter().enumerate() {
            let role = if i == 0 { "supervisor" } else { "officer" };
            let (password, hash) = match &hashed {
                Some(shared) if numbered => shared.clone(),
                _ => {
                    let password = password(&mut rng);
                    let hash = auth::hash_password(&password).map_err(internal)?;
                    hashed = Some((password.clone(), hash.clone()));
                    (password, hash)
                }
            };
            let id = format!("u-{}-{}", dep.id, username.replace('.', "-"));
            tx.execute(
                "INSERT INTO users (id, username, full_name, role, department_id, password_hash) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![id, username, full_name, role, dep.id, hash],
            )
            .map_err(internal)?;
            accounts.push(Account {
                department: dep.id,
                username,
                full_name,
                role,
                password,
                id,
            });
        }
    }

    let dep_weights: Vec<(&DepartmentSeed, u32)> = served.iter().map(|d| (d, d.weight)).collect();
    let mut documents = 0;
    let mut defects = Vec::new();
    let mut counters = std::collections::HashMap::new();
    // Each application's applicant, service and department, for the earlier applications.
    let mut filed: Vec<(String, &'static str, &'static str)> = Vec::new();

    for _ in 0..cases {
        let dep = only.unwrap_or_else(|| *weighted(&mut rng, &dep_weights));
        let officers: Vec<&Account> = accounts
            .iter()
            .filter(|a| a.department == dep.id && a.role == "officer")
            .collect();
        let officer = officers[rng.random_range(0..officers.len())];
        let service_code = *weighted(&mut rng, SERVICE_MIX);
        let service = catalogue
            .service(service_code)
            .ok_or_else(|| internal(format!("{service_code} is not in the catalogue")))?;
        let tier = &service.tiers[rng.random_range(0..service.tiers.len())];

        // Submitted within the last 45 calendar days, during office hours in Baku.
        let days_ago = rng.random_range(0..45i64);
        let submitted =
            now - Duration::days(days_ago) - Duration::minutes(rng.random_range(0..600));
        let submitted_date = clock::local_date(submitted);
        let due: NaiveDate = calendar
            .add_working_days(submitted_date, tier.deadline_working_days)
            .map_err(internal)?;

        let year = submitted_date.format("%Y").to_string();
        let counter = counters.entry(year.clone()).or_insert(0u32);
        *counter += 1;
        let number = format!("MX-{year}-{:06}", seed % 100 * 10_000 + u64::from(*counter));
        let application::Filed {
            id,
            applicant,
            form,
            files,
            defect,
            ..
        } = application::generate(
            &mut rng,
            catalogue,
            service_code,
            tier,
            dep,
            &number,
            options.files(),
        )?;
        if defect != Defect::None {
            defects.push((number.clone(), defect.name()));
        }
        let submitted_s = clock::format(submitted);
        tx.execute(
            "INSERT INTO applications (id, number, service, tier, submitted_at, due_date, department_id, status, officer_id, version, applicant, form, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 'pending', ?8, 2, ?9, ?10, ?5)",
            params![
                id,
                number,
                service_code,
                tier.code,
                submitted_s,
                due.to_string(),
                dep.id,
                officer.id,
                serde_json::to_string(&applicant).map_err(internal)?,
                serde_json::to_string(&form).map_err(internal)?,
            ],
        )
        .map_err(internal)?;

        for (doc_type, file_name, bytes) in &files {
            store::add_document(&tx, &id, doc_type, file_name, bytes, &submitted_s)?;
            documents += 1;
        }

        store::add_event(
            &tx,
            &id,
            &submitted_s,
            None,
            &Event::Received {
                channel: "e-gov portal".into(),
            },
        )?;
        store::add_event(
            &tx,
            &id,
            &submitted_s,
            None,
            &Event::Assigned {
                to: officer.id.to_owned(),
                to_name: officer.full_name.to_owned(),
                by: "routing".into(),
            },
        )?;
        store::record_change(
            &tx,
            &id,
            dep.id,
            Some(&officer.id),
            None,
            ChangeKind::Created,
            &submitted_s,
        )?;
        if options.applicant_history {
            filed.push((
                serde_json::to_string(&applicant).map_err(internal)?,
                service_code,
                dep.id,
            ));
        }
    }
    let portal_token = crate::portal::issue_from(&tx, DEMO_PORTAL, rng.random())?;
    let earlier = earlier_applications(&tx, calendar, &filed, seed, now)?;
    let decisions =
        history::decided_history(&tx, catalogue, calendar, &accounts, only, options, now)?;
    tx.commit().map_err(internal)?;
    Ok(SeedReport {
        accounts,
        applications: cases,
        documents,
        defective: defects.len(),
        defects,
        portal_token,
        earlier,
        decisions,
    })
}

/// The identity pages of `count` applications made up as the demo makes them (from `seed`),
/// each with what is printed on it: the ground truth the desk's recogniser is measured against
/// (a defective zone among them, as in the demo).
pub fn identity_pages(seed: u64, count: usize) -> ApiResult<Vec<application::IdentityPage>> {
    let catalogue = Catalogue::builtin();
    let mut rng = StdRng::seed_from_u64(seed);
    let mut pages = Vec::with_capacity(count);
    while pages.len() < count {
        let reference = format!("ID-{}", pages.len());
        let (dep, service_code, tier) = application::chosen(&mut rng, &catalogue, None)?;
        let filed = application::generate(
            &mut rng,
            &catalogue,
            service_code,
            tier,
            dep,
            &reference,
            application::Files::Full,
        )?;
        pages.extend(filed.identity);
    }
    Ok(pages)
}

/// Files, for about one applicant in five of `filed`, an earlier application for the same
/// service, decided months ago — refused for contradictory information, or accepted — in the
/// same department, with no officer holding it now (so no desk's queue shows it; the cases of
/// the same applicant list it). Its own random stream, so the rest of the seed stays the same.
/// Returns how many.
fn earlier_applications(
    tx: &Conn<'_>,
    calendar: &Calendar,
    filed: &[(String, &'static str, &'static str)],
    seed: u64,
    now: DateTime<Utc>,
) -> ApiResult<usize> {
    let mut rng = StdRng::seed_from_u64(seed ^ 0x00ea_711e);
    let mut count = 0;
    for (applicant, service, department) in filed {
        if rng.random_range(0..5) != 0 {
            continue;
        }
        count += 1;
        let submitted = now - Duration::days(rng.random_range(200..300));
        let submitted_s = clock::format(submitted);
        let due = calendar
            .add_working_days(clock::local_date(submitted), 15)
            .map_err(internal)?;
        let decided_s = clock::format(submitted + Duration::days(rng.random_range(3..12)));
        let refused = rng.random_range(0..2) == 0;
        let id = uuid::Builder::from_random_bytes(rng.random())
            .into_uuid()
            .to_string();
        let number = format!(
            "MX-{}-9{:05}",
            clock::local_date(submitted).format("%Y"),
            (seed % 100) * 1000 + count as u64
        );
        tx.execute(
            "INSERT INTO applications (id, number, service, tier, submitted_at, due_date, department_id, status, officer_id, version, applicant, form, updated_at)
             VALUES (?1, ?2, ?3, 'standard', ?4, ?5, ?6, ?7, NULL, 3, ?8, '[]', ?9)",
            params![
                id,
                number,
                service,
                submitted_s,
                due.to_string(),
                department,
                if refused { "refused" } else { "accepted" },
                applicant,
                decided_s,
            ],
        )
        .map_err(internal)?;
        store::add_event(
            tx,
            &id,
            &submitted_s,
            None,
            &Event::Received {
                channel: "e-gov portal".into(),
            },
        )?;
        store::add_event(
            tx,
            &id,
            &decided_s,
            None,
            &Event::Decided {
                decision_id: uuid::Builder::from_random_bytes(rng.random())
                    .into_uuid()
                    .to_string(),
                kind: if refused {
                    migdesk_api::DecisionKind::Refuse
                } else {
                    migdesk_api::DecisionKind::Accept
                },
                missing_documents: Vec::new(),
                missing_other: None,
                reasons: if refused {
                    vec![migdesk_api::RefusalReason {
                        code: migdesk_api::ReasonCode::Contradictory,
                        fields: vec!["passport_number".into()],
                        documents: Vec::new(),
                    }]
                } else {
                    Vec::new()
                },
                note: String::new(),
                decided_at: decided_s.clone(),
            },
        )?;
    }
    Ok(count)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usernames_are_ascii_and_unique() {
        let mut all = std::collections::HashSet::new();
        for d in DEPARTMENTS {
            for s in d.staff {
                let u = username(s);
                assert!(u.is_ascii(), "{u}");
                assert!(all.insert(u.clone()), "{u} twice");
            }
        }
        assert_eq!(username("Aysel Məmmədova"), "aysel.memmedova");
    }

    #[test]
    fn dates_count_back_from_when_the_offices_last_closed() {
        let at = |s: &str| {
            DateTime::parse_from_rfc3339(s)
                .expect("a moment")
                .with_timezone(&Utc)
        };
        // 18:00 in Baku is 14:00 UTC.
        let closed = at("2026-12-04T14:00:00Z");
        for now in [
            "2026-12-04T14:00:00Z",
            "2026-12-04T19:30:00Z",
            "2026-12-05T05:40:00Z",
            "2026-12-05T13:59:59Z",
        ] {
            assert_eq!(office_day_close(at(now)), closed, "{now}");
        }
        assert_eq!(
            office_day_close(at("2026-12-05T14:00:01Z")),
            at("2026-12-05T14:00:00Z")
        );
    }

    #[test]
    fn misspelling_changes_the_name_a_little() {
        let mut rng = StdRng::seed_from_u64(1);
        let m = misspell("Ivan Petrov", &mut rng);
        assert_ne!(m, "Ivan Petrov");
        assert!(m.len().abs_diff("Ivan Petrov".len()) <= 1, "{m}");
    }
}
