//! The administrators' commands of the `migdesk-central` program (`user …`, `department …`,
//! `release …`): their arguments, and what they print. The work is [`migdesk_central::admin`]'s.

use std::path::{Path, PathBuf};

use clap::{Subcommand, ValueEnum};
use migdesk_api::Role;
use migdesk_central::admin::{self, NewDepartment, NewUser};
use migdesk_central::db;
use migdesk_central::sql::Conn;

use crate::Failure;

#[derive(Subcommand)]
pub enum UserCommand {
    /// Add an officer or a supervisor; prints the account's first password once.
    Add {
        #[arg(long)]
        db: PathBuf,
        /// Small Latin letters, digits, '.', '-' or '_' (3 to 64).
        #[arg(long)]
        username: String,
        /// As letters and e-mails to applicants name the officer.
        #[arg(long)]
        name: String,
        #[arg(long, value_enum)]
        role: RoleArg,
        /// The department's id (`department list`).
        #[arg(long)]
        department: String,
    },
    /// Disable an account: it cannot sign in again, and its sessions end at once.
    Disable {
        #[arg(long)]
        db: PathBuf,
        #[arg(long)]
        username: String,
    },
    /// Let a disabled account sign in again, with the password it had.
    Enable {
        #[arg(long)]
        db: PathBuf,
        #[arg(long)]
        username: String,
    },
    /// Give an account a new password (printed once) and end its sessions.
    ResetPassword {
        #[arg(long)]
        db: PathBuf,
        #[arg(long)]
        username: String,
    },
    /// The accounts, of one department or all.
    List {
        #[arg(long)]
        db: PathBuf,
        #[arg(long)]
        department: Option<String>,
    },
}

#[derive(Subcommand)]
pub enum DepartmentCommand {
    /// Add a regional department.
    Add {
        #[arg(long)]
        db: PathBuf,
        /// Small Latin letters, digits or '-' (2 to 40), e.g. sumgait.
        #[arg(long)]
        id: String,
        /// Its name in Azerbaijani.
        #[arg(long)]
        name_az: String,
        #[arg(long)]
        name_en: String,
        #[arg(long)]
        name_ru: String,
        /// The districts it serves, as one line of text.
        #[arg(long, default_value = "")]
        districts: String,
    },
    /// The departments, with how many accounts each has that are not disabled.
    List {
        #[arg(long)]
        db: PathBuf,
    },
}

#[derive(Clone, Copy, ValueEnum)]
pub enum RoleArg {
    Officer,
    Supervisor,
}

pub fn user(command: UserCommand) -> Result<(), Failure> {
    let operator = admin::operator();
    match command {
        UserCommand::Add {
            db: path,
            username,
            name,
            role,
            department,
        } => {
            let role = match role {
                RoleArg::Officer => Role::Officer,
                RoleArg::Supervisor => Role::Supervisor,
            };
            let user = NewUser {
                username: &username,
                full_name: &name,
                role,
                department: &department,
            };
            let password = admin::add_user(&Conn::sqlite(&db::open(&path)?), &user, &operator)?;
            eprintln!(
                "added {username} ({}, {department}); the first password, shown this once:",
                role.as_str()
            );
            println!("{password}");
        }
        UserCommand::Disable { db: path, username } => {
            let ended =
                admin::disable_user(&Conn::sqlite(&db::open(&path)?), &username, &operator)?;
            println!("disabled {username}; sessions ended: {ended}");
        }
        UserCommand::Enable { db: path, username } => {
            admin::enable_user(&Conn::sqlite(&db::open(&path)?), &username, &operator)?;
            println!("enabled {username}");
        }
        UserCommand::ResetPassword { db: path, username } => {
            let password =
                admin::reset_password(&Conn::sqlite(&db::open(&path)?), &username, &operator)?;
            eprintln!("{username}'s sessions are ended; the new password, shown this once:");
            println!("{password}");
        }
        UserCommand::List {
            db: path,
            department,
        } => {
            let rows = admin::users(&Conn::sqlite(&db::open(&path)?), department.as_deref())?;
            println!("USERNAME\tROLE\tDEPARTMENT\tSTATE\tLAST SYNC\tNAME");
            for row in rows {
                let state = row
                    .disabled_at
                    .map_or_else(|| "active".to_owned(), |at| format!("disabled {at}"));
                println!(
                    "{}\t{}\t{}\t{state}\t{}\t{}",
                    row.username,
                    row.role.as_str(),
                    row.department,
                    row.last_sync_at.as_deref().unwrap_or("never"),
                    row.full_name
                );
            }
        }
    }
    Ok(())
}

pub fn department(command: DepartmentCommand) -> Result<(), Failure> {
    match command {
        DepartmentCommand::Add {
            db: path,
            id,
            name_az,
            name_en,
            name_ru,
            districts,
        } => {
            let department = NewDepartment {
                id: &id,
                names: [&name_az, &name_en, &name_ru],
                districts: &districts,
            };
            admin::add_department(
                &Conn::sqlite(&db::open(&path)?),
                &department,
                &admin::operator(),
            )?;
            println!("added the department {id}");
        }
        DepartmentCommand::List { db: path } => {
            println!("ID\tACTIVE ACCOUNTS\tNAME\tDISTRICTS");
            for row in admin::departments(&Conn::sqlite(&db::open(&path)?))? {
                println!(
                    "{}\t{}\t{}\t{}",
                    row.id, row.active_users, row.names[0], row.districts
                );
            }
        }
    }
    Ok(())
}

#[derive(Subcommand)]
pub enum ReleaseCommand {
    /// Publish a new desk for the signed-in desks to install: its package (the .deb
    /// `scripts/package.sh` built), the signature `tauri signer sign --app-version VERSION`
    /// made of it, and notes in Azerbaijani, English and Russian (a TOML file with the keys
    /// `az`, `en` and `ru`).
    Publish {
        #[arg(long)]
        db: PathBuf,
        #[arg(long)]
        bundle: PathBuf,
        #[arg(long)]
        signature: PathBuf,
        /// MAJOR.MINOR.PATCH, the version the package was built and signed as.
        #[arg(long)]
        version: String,
        #[arg(long)]
        notes: PathBuf,
    },
    /// Take a published desk back: no desk is offered it any more, and the version may be
    /// published again (e.g. when it was signed with the wrong key).
    Withdraw {
        #[arg(long)]
        db: PathBuf,
        #[arg(long)]
        version: String,
    },
    /// The published desks, newest first.
    List {
        #[arg(long)]
        db: PathBuf,
    },
}

pub fn release(command: ReleaseCommand) -> Result<(), Failure> {
    match command {
        ReleaseCommand::Publish {
            db,
            bundle,
            signature,
            version,
            notes,
        } => publish(&db, &bundle, &signature, &version, &notes),
        ReleaseCommand::Withdraw { db, version } => {
            migdesk_central::releases::withdraw(
                &Conn::sqlite(&db::open(&db)?),
                &version,
                &admin::operator(),
            )?;
            println!("withdrew desk {version}: no desk is offered it any more");
            Ok(())
        }
        ReleaseCommand::List { db } => {
            println!("VERSION\tBYTES\tSHA-256\tPUBLISHED");
            for (version, size, sha256, at) in
                migdesk_central::releases::list(&Conn::sqlite(&db::open(&db)?))?
            {
                println!("{version}\t{size}\t{sha256}\t{at}");
            }
            Ok(())
        }
    }
}

/// `release publish`: the files read, the release kept.
fn publish(
    path: &Path,
    bundle: &Path,
    signature: &Path,
    version: &str,
    notes: &Path,
) -> Result<(), Failure> {
    let read = |file: &Path| {
        std::fs::read(file).map_err(|e| format!("cannot read {}: {e}", file.display()))
    };
    let package = read(bundle)?;
    let signature = String::from_utf8(read(signature)?)
        .map_err(|_| format!("{} is not a signature file", signature.display()))?;
    let notes_text = String::from_utf8(read(notes)?)
        .map_err(|_| format!("{} is not UTF-8 text", notes.display()))?;
    let notes: migdesk_api::ReleaseNotes = toml::from_str(&notes_text).map_err(|e| {
        format!(
            "{}: the notes are a TOML file with the keys az, en and ru: {}",
            notes.display(),
            e.message()
        )
    })?;
    let published = migdesk_central::releases::publish(
        &Conn::sqlite(&db::open(path)?),
        &package,
        &signature,
        version,
        &notes,
        &admin::operator(),
    )?;
    println!(
        "published desk {} ({} bytes, SHA-256 {}): signed-in desks older than it are offered it",
        published.version, published.size, published.sha256
    );
    Ok(())
}
