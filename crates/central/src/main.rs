//! `migdesk-central`: seed a demo database, administer accounts and departments, or serve the
//! case API.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{CommandFactory, Parser, Subcommand};

mod admin_command;
use admin_command::DatabaseArg;
mod serve_config;
use migdesk_central::database::Database;
use migdesk_central::{AppState, Config, db, seed};
use migdesk_domain::{Calendar, Catalogue};

#[derive(Parser)]
#[command(
    name = "migdesk-central",
    version,
    about = "The migration service's central case API (reference implementation)"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Create a demo database: departments, officers, supervisors and applications with documents.
    /// Dates count back from when the offices in Baku last closed (18:00), so the same seed on
    /// the same office day gives the same database.
    Seed {
        /// The database to seed (migrated first).
        #[command(flatten)]
        db: DatabaseArg,
        /// How many applications.
        #[arg(long, default_value_t = 300)]
        cases: usize,
        /// The same seed gives the same data.
        #[arg(long, default_value_t = 2026)]
        seed: u64,
        /// Route every application to this department (e.g. baku) instead of spreading them.
        #[arg(long)]
        department: Option<String>,
        /// Also write the defective applications, one "number<TAB>defect" a line, to this file.
        #[arg(long)]
        defects: Option<PathBuf>,
        /// How many applications decided over the past year to file, for the statistics.
        #[arg(long, default_value_t = 600)]
        history: usize,
        #[command(flatten)]
        data: DataFiles,
    },
    /// Issue a credential for the applicant portal (printed once; stored hashed), or revoke one.
    PortalToken {
        #[command(flatten)]
        db: DatabaseArg,
        /// The credential's name (one per portal deployment).
        #[arg(long, default_value = "portal")]
        name: String,
        /// Revoke the credential of this name instead.
        #[arg(long, conflicts_with = "name")]
        revoke: Option<String>,
    },
    /// Submit made-up new applications to a running centre, as the applicant portal does,
    /// at a steady rate (with a portal credential issued for it in the centre's database).
    Simulate {
        /// The running centre's database (for the simulator's portal credential).
        #[command(flatten)]
        db: DatabaseArg,
        /// The running centre.
        #[arg(long, default_value = "http://127.0.0.1:8470")]
        server: String,
        /// Applications a minute, e.g. 6/min.
        #[arg(long, default_value = "6/min", value_parser = migdesk_central::simulate::parse_rate)]
        rate: f64,
        /// Stop after this many applications; without it, run until stopped.
        #[arg(long)]
        count: Option<u64>,
        /// Only to this department (e.g. baku).
        #[arg(long)]
        department: Option<String>,
        /// The same seed gives the same applicants.
        #[arg(long, default_value_t = 1)]
        seed: u64,
        #[command(flatten)]
        data: DataFiles,
    },
    /// Officers' and supervisors' accounts: add, disable, enable, reset-password, list.
    User {
        #[command(subcommand)]
        command: admin_command::UserCommand,
    },
    /// Regional departments: add, list.
    Department {
        #[command(subcommand)]
        command: admin_command::DepartmentCommand,
    },
    /// New versions of the desk, offered to the signed-in desks: publish, withdraw, list.
    Release {
        #[command(subcommand)]
        command: admin_command::ReleaseCommand,
    },
    /// Bring a database's schema up to date: `sqlite:PATH` (created when missing) or
    /// `postgres://USER@HOST:PORT/NAME` (an existing, empty or older database). Safe to run
    /// again, and from several instances at once.
    Migrate {
        /// Read here, not by the argument parser, so that a URL it refuses is not echoed with
        /// its password.
        #[arg(long)]
        database: String,
    },
    /// Back the database up while the centre serves: a consistent, compacted copy written to
    /// a new file (to restore: stop the centre, put the file in the database's place, run
    /// `restored`, start it again).
    Backup {
        #[command(flatten)]
        db: DatabaseArg,
        /// The backup's file; it must not exist.
        #[arg(long)]
        out: PathBuf,
    },
    /// After restoring the database from a backup: start a new epoch of the change feed, so
    /// every desk syncs again from the start and sends again what the centre no longer holds.
    Restored {
        #[command(flatten)]
        db: DatabaseArg,
    },
    /// The centre's hash-chained audit trail.
    Audit {
        #[command(subcommand)]
        command: AuditCommand,
    },
    /// Serve the API.
    #[command(args_override_self = true)]
    Serve {
        /// Read these settings from a TOML file, one key per option (`db`, `listen`,
        /// `tls_cert`, …); an option also given here wins over the file.
        #[arg(long)]
        config: Option<PathBuf>,
        /// The database (migrated first; several instances may serve one PostgreSQL
        /// database).
        #[command(flatten)]
        db: DatabaseArg,
        #[arg(long, default_value = "127.0.0.1:8470")]
        listen: SocketAddr,
        /// Serve HTTPS with this certificate (PEM, the server's first, then its chain).
        #[arg(long, requires = "tls_key")]
        tls_cert: Option<PathBuf>,
        /// The certificate's private key (PEM, PKCS #8).
        #[arg(long, requires = "tls_cert")]
        tls_key: Option<PathBuf>,
        /// Bearer tokens expire after this many minutes.
        #[arg(long, default_value_t = 720)]
        token_minutes: i64,
        /// A desk not heard from for this many seconds may hold unsent decisions: the
        /// supervisor is warned before moving its officer's cases.
        #[arg(long, default_value_t = 900)]
        quiet_desk_seconds: i64,
        /// Calls a minute the applicant portal's routes take from one client address.
        #[arg(long, default_value_t = 120)]
        portal_per_address: u32,
        /// Calls a minute the applicant portal's routes take under one portal credential.
        #[arg(long, default_value_t = 1200)]
        portal_per_credential: u32,
        /// Send the applicants' e-mails through this relay (smtp://HOST:PORT); without it they
        /// stay queued and readable through the API.
        #[arg(long)]
        smtp: Option<String>,
        /// Where applicants follow their applications, printed on every decision letter.
        #[arg(long, default_value = migdesk_central::letter::DEFAULT_TRACKING_ADDRESS)]
        tracking_address: String,
        /// The sender of the applicants' e-mails.
        #[arg(
            long,
            default_value = "Dövlət Miqrasiya Xidməti <no-reply@migration.gov.az>"
        )]
        smtp_from: String,
        #[command(flatten)]
        data: DataFiles,
    },
}

#[derive(Subcommand)]
enum AuditCommand {
    /// Walk the chain: OK with the row count and the last hash, or the first broken row (and a
    /// failure exit status).
    Verify {
        /// The database, opened to read only and left as it is.
        #[command(flatten)]
        db: DatabaseArg,
    },
}

#[derive(clap::Args)]
struct DataFiles {
    /// An edited service catalogue (TOML); the built-in one otherwise.
    #[arg(long)]
    catalogue: Option<PathBuf>,
    /// An edited working-day calendar (TOML); the built-in one otherwise.
    #[arg(long)]
    calendar: Option<PathBuf>,
}

impl DataFiles {
    fn load(&self) -> Result<(Catalogue, Calendar), String> {
        let catalogue = match &self.catalogue {
            Some(p) => {
                Catalogue::from_toml(&read(p)?).map_err(|e| format!("{}: {e}", p.display()))?
            }
            None => Catalogue::builtin(),
        };
        let calendar = match &self.calendar {
            Some(p) => {
                Calendar::from_toml(&read(p)?).map_err(|e| format!("{}: {e}", p.display()))?
            }
            None => Calendar::builtin(),
        };
        Ok((catalogue, calendar))
    }
}

fn read(path: &PathBuf) -> Result<String, String> {
    std::fs::read_to_string(path).map_err(|e| format!("cannot read {}: {e}", path.display()))
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { () = ctrl_c => {}, () = term => {} }
}

/// Any failure, told in words on standard error.
type Failure = Box<dyn std::error::Error + Send + Sync>;

async fn run(cli: Cli) -> Result<(), Failure> {
    match cli.command {
        Command::Seed {
            db,
            cases,
            seed: seed_value,
            department,
            defects,
            history,
            data,
        } => {
            let (catalogue, calendar) = data.load()?;
            let database = db.database()?;
            let report = db
                .write(move |conn| {
                    seed::seed(
                        conn,
                        &catalogue,
                        &calendar,
                        &seed::SeedOptions {
                            department: department.clone(),
                            applicant_history: true,
                            decided_history: history,
                            ..seed::SeedOptions::new(cases, seed_value)
                        },
                        seed::office_day_close(migdesk_central::clock::now()),
                    )
                })
                .await?;
            println!(
                "Seeded {database}: {} applications ({} with defects), {} documents, {} earlier applications of the same applicants, decided, and {} decisions of the past year.\n",
                report.applications,
                report.defective,
                report.documents,
                report.earlier,
                report.decisions
            );
            println!(
                "{:<10} {:<11} {:<24} {:<26} password",
                "department", "role", "user name", "full name"
            );
            for a in &report.accounts {
                println!(
                    "{:<10} {:<11} {:<24} {:<26} {}",
                    a.department, a.role, a.username, a.full_name, a.password
                );
            }
            println!(
                "\napplicant portal credential ({}): {}",
                seed::DEMO_PORTAL,
                report.portal_token
            );
            if let Some(file) = defects {
                let list: String = report
                    .defects
                    .iter()
                    .map(|(number, defect)| format!("{number}\t{defect}\n"))
                    .collect();
                std::fs::write(&file, list)
                    .map_err(|e| format!("cannot write {}: {e}", file.display()))?;
            }
            Ok(())
        }
        Command::PortalToken { db, name, revoke } => {
            match revoke {
                Some(name) => {
                    let revoking = name.clone();
                    if !db
                        .write(move |c| migdesk_central::portal::revoke(c, &revoking))
                        .await?
                    {
                        return Err(format!("no portal credential {name:?} to revoke").into());
                    }
                    eprintln!("revoked the portal credential {name:?}");
                }
                None => {
                    let issuing = name.clone();
                    let token = db
                        .write(move |c| migdesk_central::portal::issue(c, &issuing))
                        .await?;
                    eprintln!(
                        "the portal credential {name:?} (shown once; keep it in the portal's secret store):"
                    );
                    println!("{token}");
                }
            }
            Ok(())
        }
        Command::Simulate {
            db,
            server,
            rate,
            count,
            department,
            seed: seed_value,
            data,
        } => {
            let (catalogue, _) = data.load()?;
            let name = format!(
                "simulator {}",
                migdesk_central::clock::format(migdesk_central::clock::now())
            );
            let token = db
                .write(move |c| migdesk_central::portal::issue(c, &name))
                .await?;
            let simulation = migdesk_central::simulate::Simulation {
                server,
                token,
                per_minute: rate,
                count,
                seed: seed_value,
                department,
            };
            eprintln!(
                "submitting {} applications a minute to {}",
                simulation.per_minute, simulation.server
            );
            let sent =
                migdesk_central::simulate::run(&simulation, &catalogue, |request, receipt| {
                    println!(
                        "{}\t{}\t{}\tdue {}",
                        receipt.number, request.department_id, request.service, receipt.due_date
                    );
                })
                .await?;
            eprintln!("submitted {sent} applications");
            Ok(())
        }
        Command::User { command } => admin_command::user(command).await,
        Command::Department { command } => admin_command::department(command).await,
        Command::Release { command } => admin_command::release(command).await,
        Command::Migrate { database } => {
            let database: migdesk_central::database::Database = database.parse()?;
            let migrated = migdesk_central::database::migrate(&database).await?;
            match migrated.applied {
                0 => eprintln!("{database} is up to date (migration {})", migrated.version),
                n => eprintln!(
                    "{database} is now at migration {} ({n} applied)",
                    migrated.version
                ),
            }
            Ok(())
        }
        Command::Backup { db, out } => {
            let database = db.database()?;
            let (written, restore) = match &database {
                Database::Sqlite(path) => (
                    migdesk_central::backup::backup(path, &out)?,
                    "stop the centre, put the file in the database's place and run `migdesk-central restored --db …`",
                ),
                Database::Postgres(url) => (
                    migdesk_central::backup::backup_postgres(&database, url, &out).await?,
                    "create an empty database (LOCALE 'C', TEMPLATE template0), run `pg_restore --no-owner --dbname URL FILE`, then `migdesk-central restored --database URL`, and serve it",
                ),
            };
            eprintln!(
                "backed up {} applications into {} ({} bytes); to restore it, {restore}",
                written.applications,
                out.display(),
                written.bytes
            );
            Ok(())
        }
        Command::Restored { db } => {
            let epoch = db.write(migdesk_central::instance::restored).await?;
            eprintln!("the change feed starts epoch {epoch}: desks sync again from the start");
            Ok(())
        }
        Command::Audit {
            command: AuditCommand::Verify { db },
        } => match match db.database()? {
            Database::Sqlite(path) => migdesk_central::audit_log::verify_file(&path)?,
            database => {
                db::Db::postgres_as_is(&database)
                    .await?
                    .read(migdesk_central::audit_log::verify)
                    .await?
            }
        } {
            migdesk_central::audit_log::Verdict::Intact { rows, last_hash } => {
                println!(
                    "OK: {rows} rows of the audit log are chained; the last hash is {last_hash}"
                );
                Ok(())
            }
            migdesk_central::audit_log::Verdict::Broken { id, why } => {
                Err(format!("the audit log is broken at row {id}: {why}").into())
            }
        },
        Command::Serve {
            config: _,
            db,
            listen,
            tls_cert,
            tls_key,
            token_minutes,
            quiet_desk_seconds,
            portal_per_address,
            portal_per_credential,
            smtp,
            tracking_address,
            smtp_from,
            data,
        } => {
            let mailer = smtp
                .map(|url| {
                    migdesk_central::mail::Mailer::new(&migdesk_central::mail::SmtpConfig {
                        url,
                        from: smtp_from,
                    })
                })
                .transpose()?;
            let (catalogue, calendar) = data.load()?;
            if token_minutes <= 0 {
                return Err("--token-minutes must be positive".into());
            }
            let database = db.database()?;
            let state = AppState::new(
                db::Db::open(&database).await?,
                catalogue,
                calendar,
                Config {
                    token_ttl_seconds: token_minutes * 60,
                    quiet_desk_seconds: quiet_desk_seconds.max(0),
                    portal_limits: migdesk_central::portal::PortalLimits {
                        per_address_per_minute: portal_per_address,
                        per_credential_per_minute: portal_per_credential,
                    },
                    tracking_address,
                    ..Config::default()
                },
            )?;
            let acceptor = match (&tls_cert, &tls_key) {
                (Some(cert), Some(key)) => Some(migdesk_central::tls::acceptor(cert, key)?),
                _ => None,
            };
            let listener = tokio::net::TcpListener::bind(listen)
                .await
                .map_err(|e| format!("cannot listen on {listen}: {e}"))?;
            let addr = listener.local_addr().map_err(|e| e.to_string())?;
            let scheme = if acceptor.is_some() { "https" } else { "http" };
            let mail = if mailer.is_some() {
                "sent through the --smtp relay"
            } else {
                "kept queued (no --smtp relay)"
            };
            // One line, so that whoever reads it may close the pipe afterwards: nothing else is
            // written to standard output while serving.
            println!(
                "migdesk-central serving {database} on {scheme}://{addr}/api/v1/ (OpenAPI: /api/v1/openapi.json); applicants' e-mails {mail}",
            );
            match acceptor {
                Some(acceptor) => {
                    let listener = migdesk_central::tls::TlsListener::new(listener, acceptor)?;
                    migdesk_central::serve_with_mail(listener, state, mailer, shutdown_signal())
                        .await?;
                }
                None => {
                    migdesk_central::serve_with_mail(listener, state, mailer, shutdown_signal())
                        .await?;
                }
            }
            Ok(())
        }
    }
}

fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "migdesk_central=info,tower_http=warn".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    let args = match serve_config::expand(&Cli::command(), std::env::args_os().collect()) {
        Ok(args) => args,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::FAILURE;
        }
    };
    let cli = Cli::parse_from(args);
    let outcome = tokio::runtime::Runtime::new()
        .map_err(|e| format!("cannot start: {e}").into())
        .and_then(|runtime| runtime.block_on(run(cli)));
    if let Err(e) = outcome {
        eprintln!("error: {e}");
        return ExitCode::FAILURE;
    }
    ExitCode::SUCCESS
}
