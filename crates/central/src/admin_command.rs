//! The administrators' commands of the `migdesk-central` program (`user …`, `department …`,
//! `release …`): their arguments, and what they print. The work is [`migdesk_central::admin`]'s.

use std::path::{Path, PathBuf};

use clap::{Subcommand, ValueEnum};
use migdesk_api::Role;
use migdesk_central::admin::{self, NewDepartment, NewUser};
use migdesk_central::database::Database;
use migdesk_central::db;
use migdesk_central::error::ApiResult;
use migdesk_central::sql::Conn;

use crate::Failure;

/// The database a command works on: a SQLite file, or any database by URL.
#[derive(clap::Args, Clone)]
#[group(required = true, multiple = false)]
pub struct DatabaseArg {
    /// The SQLite file (shorthand for `--database sqlite:PATH`).
    #[arg(long)]
    db: Option<PathBuf>,
    /// `sqlite:PATH` or `postgres://USER@HOST:PORT/NAME`.
    #[arg(long)]
    database: Option<Database>,
}

impl DatabaseArg {
    /// The database named.
    pub fn database(&self) -> Result<Database, Failure> {
        self.database
            .clone()
            .or_else(|| self.db.clone().map(Database::Sqlite))
            .ok_or_else(|| "give --db PATH or --database URL".into())
    }

    /// Runs `work` in one write transaction on the database (its schema brought up to date
    /// first).
    pub async fn write<T, F>(&self, work: F) -> Result<T, Failure>
    where
        T: Send + 'static,
        F: Fn(&Conn<'_>) -> ApiResult<T> + Send + 'static,
    {
        Ok(db::Db::open(&self.database()?).await?.write(work).await?)
    }
}

#[derive(Subcommand)]
pub enum UserCommand {
    /// Add an officer or a supervisor; prints the account's first password once.
    Add {
        #[command(flatten)]
        db: DatabaseArg,
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
        #[command(flatten)]
        db: DatabaseArg,
        #[arg(long)]
        username: String,
    },
    /// Let a disabled account sign in again, with the password it had.
    Enable {
        #[command(flatten)]
        db: DatabaseArg,
        #[arg(long)]
        username: String,
    },
    /// Give an account a new password (printed once) and end its sessions.
    ResetPassword {
        #[command(flatten)]
        db: DatabaseArg,
        #[arg(long)]
        username: String,
    },
    /// The accounts, of one department or all.
    List {
        #[command(flatten)]
        db: DatabaseArg,
        #[arg(long)]
        department: Option<String>,
    },
}

#[derive(Subcommand)]
pub enum DepartmentCommand {
    /// Add a regional department.
    Add {
        #[command(flatten)]
        db: DatabaseArg,
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
        #[command(flatten)]
        db: DatabaseArg,
    },
}

#[derive(Clone, Copy, ValueEnum)]
pub enum RoleArg {
    Officer,
    Supervisor,
}

pub async fn user(command: UserCommand) -> Result<(), Failure> {
    let operator = admin::operator();
    match command {
        UserCommand::Add {
            db,
            username,
            name,
            role,
            department,
        } => {
            let role = match role {
                RoleArg::Officer => Role::Officer,
                RoleArg::Supervisor => Role::Supervisor,
            };
            let (user_name, department_id) = (username.clone(), department.clone());
            let password = db
                .write(move |c| {
                    let user = NewUser {
                        username: &user_name,
                        full_name: &name,
                        role,
                        department: &department_id,
                    };
                    admin::add_user(c, &user, &operator)
                })
                .await?;
            eprintln!(
                "added {username} ({}, {department}); the first password, shown this once:",
                role.as_str()
            );
            println!("{password}");
        }
        UserCommand::Disable { db, username } => {
            let name = username.clone();
            let ended = db
                .write(move |c| admin::disable_user(c, &name, &operator))
                .await?;
            println!("disabled {username}; sessions ended: {ended}");
        }
        UserCommand::Enable { db, username } => {
            let name = username.clone();
            db.write(move |c| admin::enable_user(c, &name, &operator))
                .await?;
            println!("enabled {username}");
        }
        UserCommand::ResetPassword { db, username } => {
            let name = username.clone();
            let password = db
                .write(move |c| admin::reset_password(c, &name, &operator))
                .await?;
            eprintln!("{username}'s sessions are ended; the new password, shown this once:");
            println!("{password}");
        }
        UserCommand::List { db, department } => {
            let rows = db
                .write(move |c| admin::users(c, department.as_deref()))
                .await?;
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

pub async fn department(command: DepartmentCommand) -> Result<(), Failure> {
    match command {
        DepartmentCommand::Add {
            db,
            id,
            name_az,
            name_en,
            name_ru,
            districts,
        } => {
            let department_id = id.clone();
            db.write(move |c| {
                let department = NewDepartment {
                    id: &department_id,
                    names: [&name_az, &name_en, &name_ru],
                    districts: &districts,
                };
                admin::add_department(c, &department, &admin::operator())
            })
            .await?;
            println!("added the department {id}");
        }
        DepartmentCommand::List { db } => {
            println!("ID\tACTIVE ACCOUNTS\tNAME\tDISTRICTS");
            for row in db.write(admin::departments).await? {
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
        #[command(flatten)]
        db: DatabaseArg,
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
        #[command(flatten)]
        db: DatabaseArg,
        #[arg(long)]
        version: String,
    },
    /// The published desks, newest first.
    List {
        #[command(flatten)]
        db: DatabaseArg,
    },
}

pub async fn release(command: ReleaseCommand) -> Result<(), Failure> {
    match command {
        ReleaseCommand::Publish {
            db,
            bundle,
            signature,
            version,
            notes,
        } => publish(&db, &bundle, &signature, &version, &notes).await,
        ReleaseCommand::Withdraw { db, version } => {
            let withdrawn = version.clone();
            db.write(move |c| {
                migdesk_central::releases::withdraw(c, &withdrawn, &admin::operator())
            })
            .await?;
            println!("withdrew desk {version}: no desk is offered it any more");
            Ok(())
        }
        ReleaseCommand::List { db } => {
            println!("VERSION\tBYTES\tSHA-256\tPUBLISHED");
            for (version, size, sha256, at) in db.write(migdesk_central::releases::list).await? {
                println!("{version}\t{size}\t{sha256}\t{at}");
            }
            Ok(())
        }
    }
}

/// `release publish`: the files read, the release kept.
async fn publish(
    db: &DatabaseArg,
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
    let version = version.to_owned();
    let published = db
        .write(move |c| {
            migdesk_central::releases::publish(
                c,
                &package,
                &signature,
                &version,
                &notes,
                &admin::operator(),
            )
        })
        .await?;
    println!(
        "published desk {} ({} bytes, SHA-256 {}): signed-in desks older than it are offered it",
        published.version, published.size, published.sha256
    );
    Ok(())
}
