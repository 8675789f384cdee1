//! Writes the sample files made in code into a folder: the hostile corpus and one good file of
//! each kind. The fuzzing command seeds its corpus with them.
//!
//! `cargo run -p migdesk-docs --features samples --example write_samples -- DIR`

use std::path::PathBuf;
use std::process::ExitCode;

use migdesk_docs::samples;

fn main() -> ExitCode {
    let Some(dir) = std::env::args_os().nth(1).map(PathBuf::from) else {
        eprintln!("usage: write_samples DIR");
        return ExitCode::from(2);
    };
    let good = [
        (
            "good-text.pdf",
            samples::text_pdf(&["Applicant: Elvin Mammadov"]),
        ),
        ("good.jpg", samples::jpeg(64, 48)),
    ];
    let hostile = samples::hostile()
        .into_iter()
        .map(|s| (s.file_name, s.bytes));
    let written = std::fs::create_dir_all(&dir).and_then(|()| {
        let mut n = 0;
        for (name, bytes) in good.into_iter().chain(hostile) {
            std::fs::write(dir.join(name), bytes)?;
            n += 1;
        }
        Ok(n)
    });
    match written {
        Ok(n) => {
            println!("{n} sample files in {}", dir.display());
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("{}: {e}", dir.display());
            ExitCode::FAILURE
        }
    }
}
