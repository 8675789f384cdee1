//! Document files: each verified document's bytes in a file of its own beside the cache
//! (`cache.files/`), sealed with AES-256-GCM under a key derived from the cache key. The
//! cache's `files` table names each file; a file counts only once that row is committed, and
//! the row is written only after the file is on disk (flushed), so a crash leaves at worst a
//! file no row names, removed at the next start.
//!
//! SQLCipher encrypts and authenticates every 4 KiB page of a large blob one by one, and a
//! blob goes through the write-ahead log and then into the database: about 110 MB/s here, the
//! first sync's pace. A sealed file is written once, at the speed of AES-NI.
//!
//! Format: a 16-byte header (`MAGIC`, then an 8-byte random nonce prefix), then the bytes in
//! chunks of [`CHUNK`], each followed by its 16-byte tag. A chunk's nonce is the prefix and
//! the chunk's index; its associated data the file's SHA-256 and length, so a chunk cannot be
//! moved to another place, another file or a shorter file unnoticed, and a range is read by
//! opening only the chunks that hold it.

use std::fs::File;
use std::io::{Read, Seek, SeekFrom, Write};
use std::ops::Range;
#[cfg(unix)]
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
use std::path::{Path, PathBuf};

use openssl::cipher::Cipher;
use openssl::cipher_ctx::CipherCtx;
use sha2::{Digest, Sha256};

use super::CacheKey;
use crate::error::{DeskError, DeskResult, ErrorKind};

const MAGIC: &[u8; 8] = b"mdfile01";
const HEADER: usize = 16;
const TAG: usize = 16;
/// Bytes sealed under one tag: a range read opens whole chunks.
pub(crate) const CHUNK: usize = 64 << 10;

/// How many files of a batch are flushed at once: a flush mostly waits for the disk.
const FLUSHERS: usize = 8;

/// From how many files a batch is made durable by flushing the whole disk that holds them
/// ([`Files::flush`]): for a few files, flushing each costs less than waiting for whatever
/// else the workstation has written.
#[cfg(target_os = "linux")]
const FLUSH_WHOLE_DISK_FROM: usize = 8;

/// The folder of sealed files beside the cache file `db`.
pub(crate) fn folder_of(db: &Path) -> PathBuf {
    db.with_extension("files")
}

/// A stored file as the `files` table names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct FileRef {
    pub sha256: String,
    pub size: u64,
    pub name: String,
}

/// A file sealed and written, not yet flushed nor named by the cache. It holds no open file: a
/// sync's batches wait by the hundred, and a desk's open files are limited.
#[derive(Debug)]
pub(crate) struct Sealed {
    pub file: FileRef,
}

/// The folder of sealed files and the key that seals them (AES-256-GCM through OpenSSL, which
/// the desk links for TLS already: 4.3 GB/s here with the processor's vector AES, where the
/// pure-Rust `aes-gcm` sealed 1.5 GB/s; a first sync's 81 MB took 54 ms of processor for it).
#[derive(Clone)]
pub(crate) struct Files {
    dir: PathBuf,
    key: [u8; 32],
}

/// A chunk's tag.
type Tag = [u8; TAG];

impl std::fmt::Debug for Files {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Files").field("dir", &self.dir).finish()
    }
}

fn chunks(size: u64) -> u64 {
    size.div_ceil(CHUNK as u64).max(1)
}

fn sealed_len(size: u64) -> u64 {
    HEADER as u64 + size + chunks(size) * TAG as u64
}

fn nonce(prefix: &[u8], index: u64) -> [u8; 12] {
    let mut n = [0u8; 12];
    n[..8].copy_from_slice(prefix);
    n[8..].copy_from_slice(&u32::try_from(index).unwrap_or(u32::MAX).to_be_bytes());
    n
}

fn aad(sha256: &str, size: u64) -> Vec<u8> {
    let mut a = Vec::with_capacity(sha256.len() + 8);
    a.extend_from_slice(sha256.as_bytes());
    a.extend_from_slice(&size.to_be_bytes());
    a
}

/// Seals one chunk in place with its nonce and the file's associated data; answers its tag.
fn seal_chunk(
    ctx: &mut CipherCtx,
    prefix: &[u8],
    index: u64,
    aad: &[u8],
    chunk: &mut [u8],
) -> DeskResult<Tag> {
    let mut tag = [0u8; TAG];
    ctx.encrypt_init(None, None, Some(&nonce(prefix, index)))
        .and_then(|()| ctx.cipher_update(aad, None))
        .and_then(|_| ctx.cipher_update_inplace(chunk, chunk.len()))
        .and_then(|_| ctx.cipher_final(&mut []))
        .and_then(|_| ctx.tag(&mut tag))
        .map_err(crypto)?;
    Ok(tag)
}

/// Opens one chunk in place; an error when its tag does not hold (changed, moved, cut).
fn open_chunk(
    ctx: &mut CipherCtx,
    prefix: &[u8],
    index: u64,
    aad: &[u8],
    chunk: &mut [u8],
    tag: &[u8],
) -> Result<(), openssl::error::ErrorStack> {
    ctx.decrypt_init(None, None, Some(&nonce(prefix, index)))?;
    ctx.cipher_update(aad, None)?;
    ctx.cipher_update_inplace(chunk, chunk.len())?;
    ctx.set_tag(tag)?;
    ctx.cipher_final(&mut [])?;
    Ok(())
}

fn crypto(e: openssl::error::ErrorStack) -> DeskError {
    DeskError::internal(format!("document files' cipher: {e}"))
}

fn io(what: &str, path: &Path, e: std::io::Error) -> DeskError {
    DeskError::storage(format!("cannot {what} {}: {e}", path.display()))
}

fn damaged(file: &FileRef) -> DeskError {
    DeskError::new(
        ErrorKind::Document,
        format!(
            "the stored copy of document {} is damaged; sync to fetch it again",
            &file.sha256[..file.sha256.len().min(12)]
        ),
    )
}

impl Files {
    /// The folder beside the cache file `db` (created, readable by its owner alone), its files
    /// sealed with a key derived from `key`.
    pub(crate) fn open(db: &Path, key: &CacheKey) -> DeskResult<Self> {
        let dir = folder_of(db);
        let mut folder = std::fs::DirBuilder::new();
        folder.recursive(true);
        #[cfg(unix)]
        folder.mode(0o700);
        folder.create(&dir).map_err(|e| io("create", &dir, e))?;
        let derived = Sha256::new()
            .chain_update(b"migdesk document files v1\0")
            .chain_update(key.0)
            .finalize();
        Ok(Self {
            dir,
            key: derived.into(),
        })
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.join(name)
    }

    /// Seals `bytes` (whose SHA-256 is `sha256`) into a new file and flushes it to disk.
    pub(crate) fn write(&self, sha256: &str, bytes: &[u8]) -> DeskResult<FileRef> {
        let Sealed { file } = self.seal(sha256, bytes)?;
        self.flush_file(&file)?;
        Ok(file)
    }

    /// Flushes one written file's bytes to disk.
    fn flush_file(&self, file: &FileRef) -> DeskResult<()> {
        let path = self.path(&file.name);
        File::options()
            .write(true)
            .open(&path)
            .and_then(|f| f.sync_data())
            .map_err(|e| io("flush", &path, e))
    }

    /// Flushes sealed files to disk, then their names in the folder. On an error, they are
    /// removed.
    pub(crate) fn flush(&self, sealed: Vec<Sealed>) -> DeskResult<Vec<FileRef>> {
        match self.make_durable(&sealed) {
            Ok(()) => Ok(sealed.into_iter().map(|s| s.file).collect()),
            Err(e) => {
                self.forget(sealed)?;
                Err(e)
            }
        }
    }

    fn make_durable(&self, sealed: &[Sealed]) -> DeskResult<()> {
        #[cfg(target_os = "linux")]
        if sealed.len() >= FLUSH_WHOLE_DISK_FROM {
            return self.flush_filesystem();
        }
        self.flush_each(sealed).and_then(|()| self.sync_folder())
    }

    /// Flushes each file, several at once (a flush waits for the disk; a batch's flushes
    /// overlap).
    fn flush_each(&self, sealed: &[Sealed]) -> DeskResult<()> {
        let flushers = sealed.len().clamp(1, FLUSHERS);
        std::thread::scope(|scope| {
            let flushing: Vec<_> = sealed
                .chunks(sealed.len().div_ceil(flushers).max(1))
                .map(|part| {
                    scope.spawn(move || part.iter().try_for_each(|s| self.flush_file(&s.file)))
                })
                .collect();
            flushing.into_iter().try_for_each(|f| {
                f.join()
                    .map_err(|_| DeskError::internal("a file's flush failed in itself"))?
            })
        })
    }

    /// Flushes everything written to the disk that holds the folder, names included, in one
    /// call (`syncfs`): one journal commit for the whole batch where a flush per file costs one
    /// each (544 files, 81 MB: 45 ms instead of 120 on the development machine). Linux reports
    /// through it any write of those files that failed (since 5.8). Elsewhere, each file is
    /// flushed.
    #[cfg(target_os = "linux")]
    fn flush_filesystem(&self) -> DeskResult<()> {
        File::open(&self.dir)
            .and_then(|d| rustix::fs::syncfs(&d).map_err(std::io::Error::from))
            .map_err(|e| io("flush", &self.dir, e))
    }

    /// Removes sealed files that will not be named.
    pub(crate) fn forget(&self, sealed: Vec<Sealed>) -> DeskResult<()> {
        self.remove(&sealed.into_iter().map(|s| s.file.name).collect::<Vec<_>>())
    }

    /// Seals `bytes` into a new file, written but not flushed (see [`Files::flush`]).
    pub(crate) fn seal(&self, sha256: &str, bytes: &[u8]) -> DeskResult<Sealed> {
        let mut id = [0u8; 16];
        rand::RngCore::fill_bytes(&mut rand::rng(), &mut id);
        let name = hex::encode(id);
        let size = bytes.len() as u64;
        let mut prefix = [0u8; 8];
        rand::RngCore::fill_bytes(&mut rand::rng(), &mut prefix);
        let associated = aad(sha256, size);
        let mut out = Vec::with_capacity(usize::try_from(sealed_len(size)).unwrap_or(0));
        out.extend_from_slice(MAGIC);
        out.extend_from_slice(&prefix);
        let mut parts = bytes.chunks(CHUNK).peekable();
        let mut ctx = self.context(true)?;
        if parts.peek().is_none() {
            // An empty file still carries a tag: it is known to be empty, not cut short.
            let tag = seal_chunk(&mut ctx, &prefix, 0, &associated, &mut [])?;
            out.extend_from_slice(&tag);
        }
        for (index, part) in parts.enumerate() {
            let at = out.len();
            out.extend_from_slice(part);
            let tag = seal_chunk(&mut ctx, &prefix, index as u64, &associated, &mut out[at..])?;
            out.extend_from_slice(&tag);
        }
        let path = self.path(&name);
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        options.mode(0o600);
        let mut file = options.open(&path).map_err(|e| io("create", &path, e))?;
        file.write_all(&out).map_err(|e| io("write", &path, e))?;
        Ok(Sealed {
            file: FileRef {
                sha256: sha256.to_owned(),
                size,
                name,
            },
        })
    }

    /// A cipher context holding the key, to seal (`true`) or to open chunks with.
    fn context(&self, sealing: bool) -> DeskResult<CipherCtx> {
        let cipher = Some(Cipher::aes_256_gcm());
        let mut ctx = CipherCtx::new().map_err(crypto)?;
        if sealing {
            ctx.encrypt_init(cipher, Some(&self.key), None)
        } else {
            ctx.decrypt_init(cipher, Some(&self.key), None)
        }
        .map_err(crypto)?;
        Ok(ctx)
    }

    /// Makes the new files' names durable in the folder (after [`Files::write`], before the
    /// cache names them).
    pub(crate) fn sync_folder(&self) -> DeskResult<()> {
        // A folder is flushed through a handle of its own on Unix; elsewhere a file's flush
        // carries its name.
        #[cfg(unix)]
        File::open(&self.dir)
            .and_then(|d| d.sync_all())
            .map_err(|e| io("flush", &self.dir, e))?;
        Ok(())
    }

    /// The whole file, opened and checked.
    #[cfg(test)]
    pub(crate) fn read(&self, file: &FileRef) -> DeskResult<Vec<u8>> {
        self.read_range(file, 0..file.size)
    }

    /// Bytes `range` of the file (cut at its end), opening only the chunks that hold them.
    pub(crate) fn read_range(&self, file: &FileRef, range: Range<u64>) -> DeskResult<Vec<u8>> {
        let end = range.end.min(file.size);
        let start = range.start.min(end);
        let path = self.path(&file.name);
        let mut handle = match File::open(&path) {
            Ok(h) => h,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Err(damaged(file)),
            Err(e) => return Err(io("open", &path, e)),
        };
        let meta = handle.metadata().map_err(|e| io("read", &path, e))?;
        if meta.len() != sealed_len(file.size) {
            return Err(damaged(file));
        }
        let mut header = [0u8; HEADER];
        handle
            .read_exact(&mut header)
            .map_err(|e| io("read", &path, e))?;
        if &header[..8] != MAGIC {
            return Err(damaged(file));
        }
        let prefix = &header[8..];
        let associated = aad(&file.sha256, file.size);
        let chunk = CHUNK as u64;
        let (first, last) = if file.size == 0 {
            (0, 0)
        } else if start == end {
            return Ok(Vec::new());
        } else {
            (start / chunk, (end - 1) / chunk)
        };
        let mut out = Vec::with_capacity(usize::try_from(end - start).unwrap_or(0));
        let mut buf = vec![0u8; CHUNK + TAG];
        let mut ctx = self.context(false)?;
        for index in first..=last {
            let plain = (file.size - index * chunk).min(chunk);
            let at = HEADER as u64 + index * (chunk + TAG as u64);
            let sealed = &mut buf[..usize::try_from(plain).unwrap_or(0) + TAG];
            handle
                .seek(SeekFrom::Start(at))
                .and_then(|_| handle.read_exact(sealed))
                .map_err(|e| io("read", &path, e))?;
            let (body, tag) = sealed.split_at_mut(sealed.len() - TAG);
            open_chunk(&mut ctx, prefix, index, &associated, body, tag)
                .map_err(|_| damaged(file))?;
            let from = start.saturating_sub(index * chunk).min(plain);
            let to = end.saturating_sub(index * chunk).min(plain);
            out.extend_from_slice(
                &body[usize::try_from(from).unwrap_or(0)..usize::try_from(to).unwrap_or(0)],
            );
        }
        Ok(out)
    }

    /// Removes the named files (their rows are gone); one already gone is no error.
    pub(crate) fn remove(&self, names: &[String]) -> DeskResult<()> {
        for name in names {
            let path = self.path(name);
            match std::fs::remove_file(&path) {
                Ok(()) => {}
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => return Err(io("remove", &path, e)),
            }
        }
        Ok(())
    }

    /// Whether file `name` was last written more than `age` ago (or cannot be told).
    pub(crate) fn older_than(&self, name: &str, age: std::time::Duration) -> bool {
        std::fs::metadata(self.path(name))
            .and_then(|m| m.modified())
            .ok()
            .and_then(|t| t.elapsed().ok())
            .is_none_or(|elapsed| elapsed > age)
    }

    /// The names of the files in the folder.
    pub(crate) fn names(&self) -> DeskResult<Vec<String>> {
        let entries = std::fs::read_dir(&self.dir).map_err(|e| io("read", &self.dir, e))?;
        Ok(entries
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect())
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn files() -> (tempfile::TempDir, Files) {
        let dir = tempfile::tempdir().unwrap();
        let files = Files::open(&dir.path().join("cache.db"), &CacheKey::random()).unwrap();
        (dir, files)
    }

    fn sha(bytes: &[u8]) -> String {
        hex::encode(Sha256::digest(bytes))
    }

    /// A file as desks sealed it before OpenSSL did (the pure-Rust `aes-gcm`), the same format.
    fn sealed_the_old_way(files: &Files, sha256: &str, bytes: &[u8], prefix: [u8; 8]) -> Vec<u8> {
        use aes_gcm::aead::{AeadInPlace, KeyInit};
        let cipher = aes_gcm::Aes256Gcm::new_from_slice(&files.key).unwrap();
        let associated = aad(sha256, bytes.len() as u64);
        let mut out = [MAGIC.as_slice(), &prefix].concat();
        let parts: Vec<&[u8]> = if bytes.is_empty() {
            vec![&[]]
        } else {
            bytes.chunks(CHUNK).collect()
        };
        for (index, part) in parts.into_iter().enumerate() {
            let mut chunk = part.to_vec();
            let tag = cipher
                .encrypt_in_place_detached(
                    aes_gcm::Nonce::from_slice(&nonce(&prefix, index as u64)),
                    &associated,
                    &mut chunk,
                )
                .unwrap();
            out.extend_from_slice(&chunk);
            out.extend_from_slice(&tag);
        }
        out
    }

    #[test]
    fn files_sealed_before_open_and_files_sealed_now_are_the_same_bytes() {
        let (_dir, files) = files();
        for size in [0, 5, CHUNK, 2 * CHUNK + 3] {
            let bytes: Vec<u8> = (0..size).map(|i| (i * 13 % 256) as u8).collect();
            let written = files.write(&sha(&bytes), &bytes).unwrap();
            let on_disk = std::fs::read(files.path(&written.name)).unwrap();
            let prefix: [u8; 8] = on_disk[8..HEADER].try_into().unwrap();
            assert_eq!(
                on_disk,
                sealed_the_old_way(&files, &written.sha256, &bytes, prefix),
                "size {size}"
            );
            // And a file an older desk wrote reads back.
            let old = FileRef {
                name: "written-by-an-older-desk".into(),
                ..written
            };
            std::fs::write(
                files.path(&old.name),
                sealed_the_old_way(&files, &old.sha256, &bytes, [7; 8]),
            )
            .unwrap();
            assert_eq!(files.read(&old).unwrap(), bytes, "size {size}");
        }
    }

    #[test]
    fn a_file_reads_back_whole_and_in_any_range() {
        let (_dir, files) = files();
        for size in [0, 1, CHUNK - 1, CHUNK, CHUNK + 1, 3 * CHUNK + 17] {
            let bytes: Vec<u8> = (0..size).map(|i| (i * 7 % 251) as u8).collect();
            let written = files.write(&sha(&bytes), &bytes).unwrap();
            assert_eq!(files.read(&written).unwrap(), bytes, "size {size}");
            let n = size as u64;
            for (a, b) in [
                (0, 1),
                (1, n),
                (n / 2, n / 2 + CHUNK as u64),
                (n, n + 5),
                (0, n + 9),
            ] {
                let (a2, b2) = (a.min(n) as usize, b.min(n) as usize);
                let want = if a2 < b2 { &bytes[a2..b2] } else { &[][..] };
                assert_eq!(
                    files.read_range(&written, a..b).unwrap(),
                    want,
                    "size {size}, {a}..{b}"
                );
            }
        }
    }

    #[test]
    fn the_bytes_on_disk_are_sealed() {
        let (_dir, files) = files();
        let bytes = b"PASSPORT C01234567 ISMAYILLI".repeat(100);
        let written = files.write(&sha(&bytes), &bytes).unwrap();
        let on_disk = std::fs::read(files.path(&written.name)).unwrap();
        assert!(!on_disk.windows(9).any(|w| w == b"C01234567"));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = |path: &Path| std::fs::metadata(path).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode(&files.path(&written.name)), 0o600);
            assert_eq!(mode(&files.dir), 0o700);
        }
    }

    #[test]
    fn a_changed_moved_or_cut_file_is_reported_damaged_not_read() {
        let (_dir, files) = files();
        let bytes: Vec<u8> = (0..3 * CHUNK).map(|i| i as u8).collect();
        let written = files.write(&sha(&bytes), &bytes).unwrap();
        let path = files.path(&written.name);
        let good = std::fs::read(&path).unwrap();

        // One bit flipped in the second chunk: that chunk fails, the first still reads.
        let mut bad = good.clone();
        bad[HEADER + CHUNK + TAG + 10] ^= 1;
        std::fs::write(&path, &bad).unwrap();
        assert_eq!(files.read(&written).unwrap_err().kind, ErrorKind::Document);
        assert_eq!(files.read_range(&written, 0..10).unwrap(), &bytes[..10]);

        // Two chunks swapped.
        let mut swapped = good.clone();
        let (c0, c1) = (
            HEADER..HEADER + CHUNK + TAG,
            HEADER + CHUNK + TAG..HEADER + 2 * (CHUNK + TAG),
        );
        let first = good[c0.clone()].to_vec();
        swapped[c0].copy_from_slice(&good[c1.clone()]);
        swapped[c1].copy_from_slice(&first);
        std::fs::write(&path, &swapped).unwrap();
        assert!(files.read_range(&written, 0..10).is_err());

        // Cut short, or claimed to be another file.
        std::fs::write(&path, &good[..good.len() - 1]).unwrap();
        assert!(files.read(&written).is_err());
        std::fs::write(&path, &good).unwrap();
        let other = FileRef {
            sha256: sha(b"another"),
            ..written.clone()
        };
        assert!(files.read(&other).is_err());
        assert_eq!(files.read(&written).unwrap(), bytes);

        // Gone.
        files.remove(std::slice::from_ref(&written.name)).unwrap();
        assert_eq!(files.read(&written).unwrap_err().kind, ErrorKind::Document);
    }

    #[test]
    fn another_key_opens_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("cache.db");
        let one = Files::open(&db, &CacheKey::random()).unwrap();
        let bytes = b"form".to_vec();
        let written = one.write(&sha(&bytes), &bytes).unwrap();
        let other = Files::open(&db, &CacheKey::random()).unwrap();
        assert!(other.read(&written).is_err());
        assert_eq!(one.names().unwrap(), vec![written.name]);
    }
}
