//! The desk's own facts, one row each in `meta`: who is signed in, where the feed stands, how
//! the unlock is checked. Every key is a [`Meta`] variant, so a misspelt key does not compile.

use rusqlite::{Connection, OptionalExtension, params};

use super::{Store, map_sql};
use crate::error::DeskResult;

/// A key of the `meta` table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Meta {
    /// The change feed's position after the last page applied.
    Cursor,
    /// When the last page of the feed was applied (RFC 3339).
    LastSync,
    /// The centre this desk last signed in to.
    Server,
    /// The signed-in user's id, name and whole profile (JSON of the contract's `UserProfile`).
    UserId,
    UserName,
    User,
    /// The centre's instance id, pinned at the first sign-in: the cache is that centre's.
    CentralInstance,
    /// This workstation's own id, made with the cache: with the computer's name, how the desk
    /// names itself to the centre.
    DeskId,
    /// How far the centre's clock was ahead of this computer's at the last sign-in (seconds).
    ClockOffset,
    /// Set when the desk was signed out from its lock screen: the officer whose unsent
    /// decisions stay held until they sign in again with the password the desk knew.
    HeldFor,
    /// The unlock password's verifier, the failed tries and the time before which no try counts.
    UnlockVerifier,
    UnlockFailures,
    UnlockNotBefore,
}

impl Meta {
    pub fn key(self) -> &'static str {
        match self {
            Meta::Cursor => "cursor",
            Meta::LastSync => "last_sync",
            Meta::Server => "server",
            Meta::UserId => "user_id",
            Meta::UserName => "user_name",
            Meta::User => "user",
            Meta::CentralInstance => "central_instance",
            Meta::HeldFor => "held_for",
            Meta::ClockOffset => "clock_offset",
            Meta::DeskId => "desk_id",
            Meta::UnlockVerifier => "unlock_verifier",
            Meta::UnlockFailures => "unlock_failures",
            Meta::UnlockNotBefore => "unlock_not_before",
        }
    }

    /// The feed's position: forgotten when the cases are (another officer, a repaired cache).
    pub(crate) const FEED: [Meta; 2] = [Meta::Cursor, Meta::LastSync];

    pub(crate) fn get(self, conn: &Connection) -> DeskResult<Option<String>> {
        conn.query_row("SELECT value FROM meta WHERE key = ?1", [self.key()], |r| {
            r.get(0)
        })
        .optional()
        .map_err(map_sql)
    }

    pub(crate) fn set(self, conn: &Connection, value: &str) -> DeskResult<()> {
        conn.execute(
            "INSERT INTO meta (key, value) VALUES (?1, ?2) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            params![self.key(), value],
        )
        .map(|_| ())
        .map_err(map_sql)
    }

    pub(crate) fn delete(self, conn: &Connection) -> DeskResult<()> {
        conn.execute("DELETE FROM meta WHERE key = ?1", [self.key()])
            .map(|_| ())
            .map_err(map_sql)
    }
}

impl Store {
    pub fn meta(&self, key: Meta) -> DeskResult<Option<String>> {
        key.get(&self.conn)
    }

    pub fn set_meta(&self, key: Meta, value: &str) -> DeskResult<()> {
        key.set(&self.conn, value)
    }

    pub fn delete_meta(&self, key: Meta) -> DeskResult<()> {
        key.delete(&self.conn)
    }
}
