//! What the centre's administrators do on its command line on day one: add officers and
//! supervisors, disable an account (and enable it again), reset a password, list the accounts; add and list
//! departments (`migdesk-central user …`, `department …`). Each change and its row in the audit
//! trail are written in one transaction; the row names the operating system account that ran
//! the command (an administrator has no account of the case API).
//!
//! A new account's or a reset password is made here, printed once by the command, and kept only
//! as its Argon2 hash. Disabling keeps the account (decisions, notes and the audit trail name
//! it): it cannot sign in again, and its sessions end at once.

use crate::sql::{Conn, OptionalExtension};
use migdesk_api::Role;
use rand::Rng;
use rusqlite::params;

use crate::audit_log::{self, Action, Entry};
use crate::auth;
use crate::clock;
use crate::error::{ApiError, ApiResult};

/// Characters of a made password: no 0/O, 1/l/I, which are misread when it is read out.
const PASSWORD_ALPHABET: &[u8] = b"abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
const PASSWORD_LENGTH: usize = 16;

/// An account to add.
#[derive(Debug, Clone)]
pub struct NewUser<'a> {
    pub username: &'a str,
    pub full_name: &'a str,
    pub role: Role,
    pub department: &'a str,
}

/// An account as `user list` shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserRow {
    pub username: String,
    pub full_name: String,
    pub role: Role,
    pub department: String,
    /// When it was disabled.
    pub disabled_at: Option<String>,
    pub last_sync_at: Option<String>,
}

/// A department to add.
#[derive(Debug, Clone)]
pub struct NewDepartment<'a> {
    pub id: &'a str,
    /// In Azerbaijani, English and Russian.
    pub names: [&'a str; 3],
    pub districts: &'a str,
}

/// A department as `department list` shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DepartmentRow {
    pub id: String,
    pub names: [String; 3],
    pub districts: String,
    /// Accounts in it that are not disabled.
    pub active_users: i64,
}

/// Who runs the command, for the audit trail: the account behind `sudo` when there is one.
pub fn operator() -> String {
    ["SUDO_USER", "USER", "LOGNAME"]
        .iter()
        .find_map(|name| std::env::var(name).ok().filter(|v| !v.trim().is_empty()))
        .map_or_else(
            || "unknown".to_owned(),
            |user| format!("administrator {user}"),
        )
}

/// Adds an account; answers its password, made here (print it once: only its hash is kept).
pub fn add_user(conn: &Conn<'_>, user: &NewUser, operator: &str) -> ApiResult<String> {
    check_name("user name", user.username, 3, 64, |c| {
        c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '.' | '-' | '_')
    })?;
    if user.full_name.trim().is_empty() {
        return Err(ApiError::bad_request("the full name is blank"));
    }
    let password = made_password();
    let hash = auth::hash_password(&password).map_err(|e| ApiError::internal(e.to_string()))?;
    let tx = conn.transaction()?;
    department_exists(&tx, user.department)?;
    if id_of(&tx, user.username)?.is_some() {
        return Err(ApiError::bad_request(format!(
            "there is already an account {}",
            user.username
        )));
    }
    // As the seed names them; `a.b` and `a-b` would meet, so a taken id gets a number.
    let base = format!("u-{}-{}", user.department, user.username.replace('.', "-"));
    let mut id = base.clone();
    for n in 2.. {
        if !row_exists(&tx, "SELECT 1 FROM users WHERE id = ?1", &id)? {
            break;
        }
        id = format!("{base}-{n}");
    }
    tx.execute(
        "INSERT INTO users (id, username, full_name, role, department_id, password_hash)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![
            id,
            user.username,
            user.full_name.trim(),
            user.role.as_str(),
            user.department,
            hash
        ],
    )?;
    audit(&tx, Action::UserAdded, operator, &id)?;
    tx.commit()?;
    Ok(password)
}

/// Disables an account and ends its sessions; answers how many were ended.
pub fn disable_user(conn: &Conn<'_>, username: &str, operator: &str) -> ApiResult<usize> {
    let tx = conn.transaction()?;
    let id = id_of(&tx, username)?.ok_or_else(|| no_account(username))?;
    let changed = tx.execute(
        "UPDATE users SET disabled_at = ?2 WHERE id = ?1 AND disabled_at IS NULL",
        params![id, clock::format(clock::now())],
    )?;
    if changed == 0 {
        return Err(ApiError::wrong_state(format!(
            "the account {username} is already disabled"
        )));
    }
    let ended = tx.execute("DELETE FROM tokens WHERE user_id = ?1", [&id])?;
    audit(&tx, Action::UserDisabled, operator, &id)?;
    tx.commit()?;
    Ok(ended)
}

/// Lets a disabled account sign in again (with the password it had).
pub fn enable_user(conn: &Conn<'_>, username: &str, operator: &str) -> ApiResult<()> {
    let tx = conn.transaction()?;
    let id = id_of(&tx, username)?.ok_or_else(|| no_account(username))?;
    let changed = tx.execute(
        "UPDATE users SET disabled_at = NULL WHERE id = ?1 AND disabled_at IS NOT NULL",
        [&id],
    )?;
    if changed == 0 {
        return Err(ApiError::wrong_state(format!(
            "the account {username} is not disabled"
        )));
    }
    audit(&tx, Action::UserEnabled, operator, &id)?;
    tx.commit()?;
    Ok(())
}

/// Gives an account a new password (answered: print it once), ends its sessions and forgets its
/// failed sign-ins. A disabled account stays disabled.
pub fn reset_password(conn: &Conn<'_>, username: &str, operator: &str) -> ApiResult<String> {
    let password = made_password();
    let hash = auth::hash_password(&password).map_err(|e| ApiError::internal(e.to_string()))?;
    let tx = conn.transaction()?;
    let id = id_of(&tx, username)?.ok_or_else(|| no_account(username))?;
    tx.execute(
        "UPDATE users SET password_hash = ?2 WHERE id = ?1",
        params![id, hash],
    )?;
    tx.execute("DELETE FROM tokens WHERE user_id = ?1", [&id])?;
    auth::clear_failures(&tx, username)?;
    audit(&tx, Action::PasswordReset, operator, &id)?;
    tx.commit()?;
    Ok(password)
}

/// The accounts, of one department or all, by department and user name.
pub fn users(conn: &Conn<'_>, department: Option<&str>) -> ApiResult<Vec<UserRow>> {
    if let Some(department) = department {
        department_exists(conn, department)?;
    }
    let mut statement = conn.prepare(
        "SELECT username, full_name, role, department_id, disabled_at, last_sync_at FROM users
         WHERE CAST(?1 AS TEXT) IS NULL OR department_id = ?1 ORDER BY department_id, username",
    )?;
    let rows = statement
        .query_map([department], |r| {
            Ok(UserRow {
                username: r.get(0)?,
                full_name: r.get(1)?,
                role: Role::parse(&r.get::<_, String>(2)?).unwrap_or(Role::Officer),
                department: r.get(3)?,
                disabled_at: r.get(4)?,
                last_sync_at: r.get(5)?,
            })
        })?
        .collect::<Result<_, _>>()?;
    Ok(rows)
}

/// Adds a department.
pub fn add_department(
    conn: &Conn<'_>,
    department: &NewDepartment,
    operator: &str,
) -> ApiResult<()> {
    check_name("department id", department.id, 2, 40, |c| {
        c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-'
    })?;
    for (language, name) in ["Azerbaijani", "English", "Russian"]
        .iter()
        .zip(department.names)
    {
        if name.trim().is_empty() {
            return Err(ApiError::bad_request(format!(
                "the department's {language} name is blank"
            )));
        }
    }
    let tx = conn.transaction()?;
    let exists = row_exists(
        &tx,
        "SELECT 1 FROM departments WHERE id = ?1",
        department.id,
    )?;
    if exists {
        return Err(ApiError::bad_request(format!(
            "there is already a department {}",
            department.id
        )));
    }
    let [az, en, ru] = department.names.map(str::trim);
    tx.execute(
        "INSERT INTO departments (id, name_az, name_en, name_ru, districts) VALUES (?1, ?2, ?3, ?4, ?5)",
        params![department.id, az, en, ru, department.districts.trim()],
    )?;
    audit(&tx, Action::DepartmentAdded, operator, department.id)?;
    tx.commit()?;
    Ok(())
}

/// The departments, by id.
pub fn departments(conn: &Conn<'_>) -> ApiResult<Vec<DepartmentRow>> {
    let mut statement = conn.prepare(
        "SELECT d.id, d.name_az, d.name_en, d.name_ru, d.districts,
                (SELECT count(*) FROM users u WHERE u.department_id = d.id AND u.disabled_at IS NULL)
         FROM departments d ORDER BY d.id",
    )?;
    let rows = statement
        .query_map([], |r| {
            Ok(DepartmentRow {
                id: r.get(0)?,
                names: [r.get(1)?, r.get(2)?, r.get(3)?],
                districts: r.get(4)?,
                active_users: r.get(5)?,
            })
        })?
        .collect::<Result<_, _>>()?;
    Ok(rows)
}

fn made_password() -> String {
    let mut rng = rand::rng();
    (0..PASSWORD_LENGTH)
        .map(|_| char::from(PASSWORD_ALPHABET[rng.random_range(0..PASSWORD_ALPHABET.len())]))
        .collect()
}

fn check_name(
    what: &str,
    value: &str,
    min: usize,
    max: usize,
    allowed: impl Fn(char) -> bool,
) -> ApiResult<()> {
    if !(min..=max).contains(&value.len()) || !value.chars().all(allowed) {
        return Err(ApiError::bad_request(format!(
            "the {what} {value:?} must be {min} to {max} small Latin letters, digits or the marks shown in --help"
        )));
    }
    Ok(())
}

fn id_of(conn: &Conn<'_>, username: &str) -> ApiResult<Option<String>> {
    Ok(conn
        .query_row(
            "SELECT id FROM users WHERE username = ?1",
            [username],
            |r| r.get(0),
        )
        .optional()?)
}

fn department_exists(conn: &Conn<'_>, id: &str) -> ApiResult<()> {
    if row_exists(conn, "SELECT 1 FROM departments WHERE id = ?1", id)? {
        return Ok(());
    }
    Err(ApiError::not_found(format!(
        "there is no department {id} (`migdesk-central department list` shows them)"
    )))
}

/// Whether `sql` (one `?1`) finds a row.
fn row_exists(conn: &Conn<'_>, sql: &str, value: &str) -> ApiResult<bool> {
    Ok(conn
        .query_row(sql, [value], |_| Ok(()))
        .optional()?
        .is_some())
}

fn no_account(username: &str) -> ApiError {
    ApiError::not_found(format!(
        "there is no account {username} (`migdesk-central user list` shows them)"
    ))
}

fn audit(tx: &Conn<'_>, action: Action, operator: &str, subject: &str) -> ApiResult<()> {
    let mut entry = Entry::new(action).subject(subject);
    entry.username = Some(operator.to_owned());
    audit_log::append(tx, &entry, &clock::format(clock::now()))?;
    Ok(())
}
