//! Tests of the cache as a whole: keys, encryption at rest, damage and repair, migrations, and
//! the documents' sealed files as the cache names them.

use super::*;
use rusqlite::params;

#[test]
fn a_wrong_key_is_a_clear_error_and_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("cache.db");
    let key = CacheKey::random();
    let store = Store::open(&path, &key).unwrap();
    store.set_meta(Meta::Server, "http://127.0.0.1:1").unwrap();
    drop(store);
    let before = std::fs::read(&path).unwrap();

    let err = Store::open(&path, &CacheKey::random()).unwrap_err();
    assert_eq!(err.kind, crate::ErrorKind::CacheKey);
    assert_eq!(std::fs::read(&path).unwrap(), before);

    let again = Store::open(&path, &key).unwrap();
    assert_eq!(
        again.meta(Meta::Server).unwrap().as_deref(),
        Some("http://127.0.0.1:1")
    );
}

#[test]
fn the_file_is_encrypted_at_rest() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("cache.db");
    let store = Store::open(&path, &CacheKey::random()).unwrap();
    store
        .set_meta(Meta::UserName, "İSMAYILLI Çingiz C01234567")
        .unwrap();
    store
        .conn
        .execute_batch("PRAGMA wal_checkpoint(TRUNCATE);")
        .unwrap();
    drop(store);
    let bytes = std::fs::read(&path).unwrap();
    assert!(
        !bytes.starts_with(b"SQLite format 3"),
        "plain SQLite header"
    );
    let needle = b"C01234567";
    assert!(
        !bytes.windows(needle.len()).any(|w| w == needle),
        "plaintext found in the cache file"
    );
}

#[test]
fn keys_round_trip_through_hex_and_never_print() {
    let k = CacheKey::random();
    assert_eq!(CacheKey::from_hex(&k.to_hex()), Some(k.clone()));
    assert_eq!(CacheKey::from_hex("abcd"), None);
    assert_eq!(format!("{k:?}"), "CacheKey(…)");
}

/// Flips bytes in the middle of the file, where the large partial downloads' pages are.
fn damage(path: &Path) {
    let mut bytes = std::fs::read(path).unwrap();
    let mid = bytes.len() / 2;
    for b in &mut bytes[mid..mid + 64] {
        *b ^= 0x5a;
    }
    std::fs::write(path, bytes).unwrap();
}

#[test]
fn an_unsent_note_counts_as_unsent_work_wherever_decisions_do() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&file_in(dir.path()), &CacheKey::random()).unwrap();
    store
        .conn
        .execute(
            "INSERT INTO notes_outbox (id, case_id, text, written_at, state, owner, instance) VALUES ('n1', 'c1', 'x', '2026-12-01T10:00:00Z', 'pending', 'aysel', 'centre-1')",
            [],
        )
        .unwrap();
    // Wipe refuses, another officer's sign-in is refused, the held work is counted.
    assert_eq!(store.pending_decisions().unwrap(), 1);
    assert_eq!(store.pending_of_others("murad", "centre-1").unwrap(), 1);
    assert_eq!(store.pending_of_others("aysel", "centre-1").unwrap(), 0);
    assert_eq!(store.pending_of("aysel").unwrap(), 1);
    store
        .conn
        .execute("UPDATE notes_outbox SET state = 'sent'", [])
        .unwrap();
    assert_eq!(store.pending_decisions().unwrap(), 0);
}

#[test]
fn a_damaged_cache_is_repaired_keeping_decisions_notes_and_the_audit_trail() {
    let dir = tempfile::tempdir().unwrap();
    let path = file_in(dir.path());
    let key = CacheKey::random();
    let mut store = Store::open(&path, &key).unwrap();
    store.set_meta(Meta::Server, "http://127.0.0.1:1").unwrap();
    store.set_meta(Meta::Cursor, "42").unwrap();
    store
        .keep_documents(&[("abc".into(), b"a scanned form".to_vec())])
        .unwrap();
    store
        .conn
        .execute(
            "INSERT INTO outbox (id, case_id, request, recorded_at, state) VALUES ('d1', 'c1', '{}', '2026-11-20T10:00:00Z', 'pending')",
            [],
        )
        .unwrap();
    store
        .conn
        .execute(
            "INSERT INTO notes_outbox (id, case_id, text, written_at, state) VALUES ('n1', 'c1', 'zəng etdim', '2026-11-20T10:01:00Z', 'pending')",
            [],
        )
        .unwrap();
    store
        .audit("opened", Some("c1"), &serde_json::json!({}))
        .unwrap();
    for i in 0..8u8 {
        let noise: Vec<u8> = (0..1_000_000u32)
            .map(|n| (n.wrapping_mul(2_654_435_761) >> 13) as u8 ^ i)
            .collect();
        store
            .conn
            .execute(
                "INSERT INTO partials (sha256, bytes) VALUES (?1, ?2)",
                params![format!("b{i}"), noise],
            )
            .unwrap();
    }
    store
        .conn
        .execute_batch("PRAGMA wal_checkpoint(TRUNCATE);")
        .unwrap();
    drop(store);
    damage(&path);

    // Opened beside its check, as the desk opens it: the check finds the damage, and a
    // damaged page read meanwhile is refused as damage, not as a storage error.
    let (aside, mut check) = Store::open_checking_aside(&path, &key).unwrap();
    let err = check.wait().unwrap_err();
    assert_eq!(err.kind, crate::ErrorKind::CacheDamaged, "{err:?}");
    let err = aside
        .conn
        .query_row(
            "SELECT max(instr(bytes, x'00010203040506')) FROM partials",
            [],
            |r| r.get::<_, i64>(0),
        )
        .map_err(map_sql)
        .unwrap_err();
    assert_eq!(err.kind, crate::ErrorKind::CacheDamaged, "{err:?}");
    drop(aside);

    let err = Store::open(&path, &key).unwrap_err();
    assert_eq!(err.kind, crate::ErrorKind::CacheDamaged, "{err:?}");
    assert!(err.message.contains("repair"), "{}", err.message);

    let (store, report) = repair(&path, &key).unwrap();
    assert_eq!(report.decisions_kept, 1);
    assert_eq!(report.notes_kept, 1);
    assert_eq!(report.audit_events_kept, 1);
    assert!(report.damaged_copy.exists());
    assert_eq!(
        std::fs::read_dir(files::folder_of(&report.damaged_copy))
            .unwrap()
            .count(),
        1,
        "the documents' files are set aside with it"
    );
    assert_eq!(store.files.names().unwrap().len(), 0);
    assert_eq!(
        store.meta(Meta::Server).unwrap().as_deref(),
        Some("http://127.0.0.1:1")
    );
    assert_eq!(
        store.meta(Meta::Cursor).unwrap(),
        None,
        "the feed starts over"
    );
    assert_eq!(
        store
            .count("SELECT COUNT(*) FROM outbox WHERE id = 'd1' AND state = 'pending'")
            .unwrap(),
        1
    );
    assert_eq!(store.count("SELECT COUNT(*) FROM partials").unwrap(), 0);
    assert_eq!(
        store
            .count("SELECT COUNT(*) FROM audit WHERE kind = 'cache_repaired'")
            .unwrap(),
        1
    );
    drop(store);
    // The repaired cache opens cleanly; wiping removes it and the damaged copy.
    Store::open(&path, &key).unwrap();
    assert!(remove_files(dir.path()).unwrap() >= 3);
    assert!(!path.exists() && !report.damaged_copy.exists());
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
}

#[test]
fn migrations_are_valid_and_an_older_search_index_and_sort_key_are_carried_over() {
    let mut fresh = Connection::open_in_memory().unwrap();
    add_functions(&fresh).unwrap();
    Migrations::from_slice(MIGRATIONS)
        .to_latest(&mut fresh)
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("c.db");
    let key = CacheKey::random();
    {
        let mut conn = unlock(&path, &key).unwrap();
        Migrations::from_slice(&MIGRATIONS[..4])
            .to_latest(&mut conn)
            .unwrap();
        conn.execute_batch(
            "INSERT INTO cases (id, number, service, status, due_date, submitted_at, version, mine, detail, synced_at, applicant)
             VALUES ('a', 'MX-1', 's', 'pending', '2026-11-30', '2026-11-01', 1, 1,
                     '{\"applicant\": {\"name_latin\": \"Elvin Hüseynov\", \"name_native\": \"Elvin Hüseynov\"}}', '', 'X'),
                    ('b', 'MX-2', 's', 'pending', '2026-11-30', '2026-11-01', 1, 1, '{}', '', 'Y');
             INSERT INTO cases_fts (rowid, case_id, text) VALUES (7, 'b', 'ismayilli гасанов'), (9, 'a', 'quliyev');",
        )
        .unwrap();
    }
    let store = Store::open(&path, &key).unwrap();
    let found: Vec<(String, i64, i64)> = store
        .conn
        .prepare("SELECT f.case_id, f.rowid, c.rowid FROM cases_fts f JOIN cases c ON c.id = f.case_id WHERE cases_fts MATCH 'ismayilli'")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].0, "b");
    assert_eq!(found[0].1, found[0].2, "the entry shares its case's rowid");
    // The cases cached before the sort key existed got theirs.
    let key: Vec<u8> = store
        .conn
        .query_row("SELECT applicant_key FROM cases WHERE id = 'b'", [], |r| {
            r.get(0)
        })
        .unwrap();
    assert_eq!(key, migdesk_domain::fold::sort_bytes("Y"));
    // The entries cached before search across scripts got the names' and words' keys.
    for (word, case) in [("guseinov", "a"), ("gasanov", "b")] {
        let found: String = store
            .conn
            .query_row(
                "SELECT case_id FROM cases_fts WHERE cases_fts MATCH ?1",
                [word],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(found, case, "{word}");
    }
}

#[test]
fn an_older_caches_document_bytes_move_into_sealed_files() {
    use sha2::Digest;
    let dir = tempfile::tempdir().unwrap();
    let path = file_in(dir.path());
    let key = CacheKey::random();
    let form: Vec<u8> = (0..200_000u32).map(|n| (n % 253) as u8).collect();
    let sha = hex::encode(sha2::Sha256::digest(&form));
    {
        let mut conn = unlock(&path, &key).unwrap();
        add_functions(&conn).unwrap();
        Migrations::from_slice(&MIGRATIONS[..MIGRATIONS.len() - 1])
            .to_latest(&mut conn)
            .unwrap();
        conn.execute(
            "INSERT INTO blobs (sha256, bytes) VALUES (?1, ?2)",
            params![sha, form],
        )
        .unwrap();
    }
    let store = Store::open(&path, &key).unwrap();
    assert_eq!(store.file(&sha).unwrap(), form);
    assert_eq!(
        store
            .count("SELECT count(*) FROM sqlite_master WHERE name = 'blobs'")
            .unwrap(),
        0,
        "the old table is gone"
    );
    assert_eq!(store.files.names().unwrap().len(), 1);
    drop(store);
    // Opened again: nothing moves twice.
    let store = Store::open(&path, &key).unwrap();
    assert_eq!(store.files.names().unwrap().len(), 1);
    assert_eq!(store.file(&sha).unwrap(), form);
    drop(store);
    assert_eq!(
        remove_files(dir.path()).unwrap(),
        2,
        "the cache and its one document"
    );
    assert!(!files::folder_of(&path).exists());
}

#[test]
fn a_damaged_document_file_is_forgotten_so_the_next_sync_fetches_it_again() {
    let dir = tempfile::tempdir().unwrap();
    let path = file_in(dir.path());
    let mut store = Store::open(&path, &CacheKey::random()).unwrap();
    store
        .conn
        .execute(
            "INSERT INTO documents (id, case_id, type, file_name, mime_type, size, sha256) VALUES ('d1', 'c1', 'passport', 'p.jpg', 'image/jpeg', 5, 'abc')",
            [],
        )
        .unwrap();
    assert_eq!(store.documents_missing().unwrap(), 1);
    store
        .keep_documents(&[("abc".into(), b"bytes".to_vec())])
        .unwrap();
    assert_eq!(store.documents_missing().unwrap(), 0);
    assert_eq!(store.document_file("d1").unwrap().unwrap().1, b"bytes");
    let name = store.files.names().unwrap().remove(0);
    let on_disk = files::folder_of(&path).join(&name);
    let mut sealed = std::fs::read(&on_disk).unwrap();
    let last = sealed.len() - 1;
    sealed[last] ^= 1;
    std::fs::write(&on_disk, sealed).unwrap();

    let err = store.document_file("d1").unwrap_err();
    assert_eq!(err.kind, crate::ErrorKind::Document, "{err}");
    assert!(err.message.contains("sync"), "{}", err.message);
    assert_eq!(store.documents_missing().unwrap(), 1, "fetched again");
    assert!(store.files.names().unwrap().is_empty());
    assert_eq!(store.document_file("d1").unwrap(), None);
}

#[test]
fn a_file_no_row_names_is_removed_at_a_start_once_old() {
    let dir = tempfile::tempdir().unwrap();
    let path = file_in(dir.path());
    let key = CacheKey::random();
    let store = Store::open(&path, &key).unwrap();
    let young = store.files.write("aa", b"young").unwrap();
    let old = store.files.write("bb", b"old").unwrap();
    let folder = files::folder_of(&path);
    let long_ago = std::time::SystemTime::now() - std::time::Duration::from_secs(3600);
    std::fs::File::options()
        .write(true)
        .open(folder.join(&old.name))
        .unwrap()
        .set_modified(long_ago)
        .unwrap();
    drop(store);
    let store = Store::open(&path, &key).unwrap();
    assert_eq!(store.files.names().unwrap(), vec![young.name]);
}

#[test]
fn a_file_that_is_not_a_cache_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("cache.db");
    std::fs::write(&path, b"this is not a database, just text").unwrap();
    let err = Store::open(&path, &CacheKey::random()).unwrap_err();
    assert_eq!(err.kind, crate::ErrorKind::CacheKey, "{err}");
    // A page's worth of something else is refused by the key check itself.
    std::fs::write(&path, [b'x'; 8192]).unwrap();
    let err = Store::open(&path, &CacheKey::random()).unwrap_err();
    assert_eq!(err.kind, crate::ErrorKind::CacheKey, "{err}");
    assert_eq!(
        std::fs::read(&path).unwrap(),
        [b'x'; 8192],
        "left as it was"
    );
}

#[test]
fn a_text_layer_read_late_does_not_replace_what_was_kept_meanwhile() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("cache.db"), &CacheKey::random()).unwrap();
    store
        .keep_documents(&[("abc".into(), b"a scanned form".to_vec())])
        .unwrap();
    assert_eq!(store.unread_files().unwrap(), vec!["abc".to_owned()]);
    let read = |text: &str, recognised: Option<&str>| TextRead {
        sha256: "abc".into(),
        text: Some(text.into()),
        problem: None,
        viewable: true,
        recognised: recognised.map(str::to_owned),
        scans_without_text: 0,
    };
    // The officer had the scan recognised before the reading after the sync reached it.
    store
        .keep_texts(&[read("Hüseynov", Some("[]"))], Keep::Replacing)
        .unwrap();
    store.keep_texts(&[read("", None)], Keep::IfUnread).unwrap();
    let kept: (String, bool) = store
        .conn
        .query_row(
            "SELECT text, recognised FROM document_text WHERE sha256 = 'abc'",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert_eq!(kept, ("Hüseynov".to_owned(), true));
    assert!(store.unread_files().unwrap().is_empty());
    // A recognition asked for again replaces what it had kept.
    store
        .keep_texts(&[read("HUSEYNOV", Some("[]"))], Keep::Replacing)
        .unwrap();
    assert_eq!(
        store
            .count("SELECT COUNT(*) FROM document_text WHERE text = 'HUSEYNOV'")
            .unwrap(),
        1
    );
}
