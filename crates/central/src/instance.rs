//! Who this database is: its instance id (made once with the database; desks pin it at their
//! first sign-in) and the change feed's epoch (made anew after a restore from a backup, so that
//! desks whose position belongs to the lost history sync again from the start).

use crate::sql::Conn;
use rusqlite::params;

use crate::clock;
use crate::error::ApiResult;

/// The instance id and the feed's epoch.
pub fn identity(conn: &Conn<'_>) -> ApiResult<(String, String)> {
    Ok(conn.query_row("SELECT id, epoch FROM instance", [], |r| {
        Ok((r.get(0)?, r.get(1)?))
    })?)
}

/// Marks the database as restored from a backup: a new epoch for the change feed. Desks holding
/// a position of the old one sync again from the start and send again every decision the
/// centre no longer holds. Returns the new epoch.
pub fn restored(conn: &Conn<'_>) -> ApiResult<String> {
    let epoch = hex::encode(rand::random::<[u8; 8]>());
    conn.execute(
        "UPDATE instance SET epoch = ?1, restored_at = ?2",
        params![epoch, clock::format(clock::now())],
    )?;
    Ok(epoch)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_restore_makes_a_new_epoch_and_keeps_the_instance() {
        let raw = crate::db::open_in_memory().unwrap();
        let conn = crate::sql::Conn::sqlite(&raw);
        let (id, epoch) = identity(&conn).unwrap();
        assert_eq!((id.len(), epoch.len()), (32, 16));
        let new = restored(&conn).unwrap();
        assert_ne!(new, epoch);
        assert_eq!(identity(&conn).unwrap(), (id, new));
    }
}
