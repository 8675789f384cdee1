//! Integration tests: the real server on a loopback port, over real HTTP, on a real SQLite
//! file seeded with the demo data.

mod admin;
mod alerts;
mod appeals;
mod applicant_history;
mod approvals;
mod audit_log;
mod bad_input;
mod cases;
mod cli;
mod common;
mod counter;
mod decisions;
mod intake;
mod letters;
mod mail;
mod notes;
mod openapi;
mod pool;
mod portal;
mod postgres;
mod releases;
mod seeded_documents;
mod session;
mod statistics;
mod supervision;
