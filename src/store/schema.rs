//! The store's schema as a list of versioned migrations, applied on open.
//!
//! `PRAGMA user_version` holds the number of migrations applied. A migration is never
//! edited once released: a change to the schema is a new entry at the end of
//! [`MIGRATIONS`]. A store whose version is higher than this build knows was written by a
//! newer omroep and is refused rather than guessed at.

use rusqlite::Connection;

/// Migration `n` (1-based) is `MIGRATIONS[n - 1]`.
///
/// Times are Unix seconds (UTC). `sources.configured_url` is the URL as the configuration
/// names it and never changes; `sources.url` is where it is fetched now (moved by
/// permanent redirects). An entry belongs to the source that first stored it (`owner`,
/// whose later versions update it) and is linked to every source that carries it through
/// `entry_sources`; `in_feed` says whether it was in that source's latest document.
/// When it was last seen is kept per link, not on the (wide) entry row: a 304 then costs
/// one update of the source (an entry in the feed was seen at the source's
/// `last_success`), and an unchanged entry never has its JSON rewritten.
///
/// Migration 2 adds the local file cache (`local_files.rs`): per full path, the last
/// outcome of a Markdown file and the last probe of an audio file, as JSON that carries
/// the stamps and content hashes of the files they came from.
///
/// Migration 3 stores those results as MessagePack (`data BLOB`) instead of JSON, which a
/// second run decodes several times faster. The old rows are dropped, not converted: the
/// tables are a cache, and the next run simply reads those files again.
///
/// Migration 4 changes no table: it marks the store as holding entries in the packed
/// form (`entry_value.rs`: MessagePack behind format bytes 2 and 3, with 16-byte BLOB
/// hashes), which builds before it cannot read. They refuse such a store as "written by
/// a newer omroep" instead of reporting its entries as damaged. The rows stored before
/// it stay as they are and still read.
pub const MIGRATIONS: &[&str] = &[
    r#"
CREATE TABLE sources (
    id INTEGER PRIMARY KEY,
    configured_url TEXT NOT NULL UNIQUE,
    url TEXT NOT NULL,
    feed_json TEXT,
    etag TEXT,
    last_modified TEXT,
    body_hash TEXT,
    last_fetch INTEGER,
    last_success INTEGER,
    last_status INTEGER,
    last_error TEXT,
    consecutive_failures INTEGER NOT NULL DEFAULT 0,
    next_fetch INTEGER,
    retired_at INTEGER
);
CREATE TABLE redirects (
    id INTEGER PRIMARY KEY,
    source INTEGER NOT NULL REFERENCES sources(id) ON DELETE CASCADE,
    from_url TEXT NOT NULL,
    to_url TEXT NOT NULL,
    status INTEGER NOT NULL,
    at INTEGER NOT NULL
);
CREATE INDEX redirects_source ON redirects(source);
CREATE TABLE entries (
    id INTEGER PRIMARY KEY,
    key TEXT NOT NULL UNIQUE,
    owner INTEGER NOT NULL REFERENCES sources(id) ON DELETE CASCADE,
    guid TEXT,
    link TEXT,
    hash TEXT NOT NULL,
    sort_date INTEGER NOT NULL,
    first_seen INTEGER NOT NULL,
    last_changed INTEGER NOT NULL,
    -- Last: a long value spills into overflow pages, which a lookup of the columns
    -- before it then never has to read.
    json TEXT NOT NULL
);
CREATE INDEX entries_link ON entries(link) WHERE link IS NOT NULL;
-- No index on the sort date: dates are scattered, so such an index would dirty a page
-- per entry in every update; the build's read sorts its selection instead.
CREATE TABLE entry_sources (
    source INTEGER NOT NULL REFERENCES sources(id) ON DELETE CASCADE,
    entry INTEGER NOT NULL REFERENCES entries(id) ON DELETE CASCADE,
    in_feed INTEGER NOT NULL DEFAULT 1,
    last_seen INTEGER NOT NULL,
    PRIMARY KEY (source, entry)
) WITHOUT ROWID;
CREATE INDEX entry_sources_entry ON entry_sources(entry);
CREATE TABLE media (
    url TEXT PRIMARY KEY,
    length INTEGER,
    mime_type TEXT,
    checked_at INTEGER NOT NULL
);
"#,
    r#"
CREATE TABLE local_documents (
    path TEXT PRIMARY KEY,
    json TEXT NOT NULL
);
CREATE TABLE local_audio (
    path TEXT PRIMARY KEY,
    json TEXT NOT NULL
);
"#,
    r#"
DROP TABLE local_documents;
DROP TABLE local_audio;
CREATE TABLE local_documents (
    path TEXT PRIMARY KEY,
    data BLOB NOT NULL
);
CREATE TABLE local_audio (
    path TEXT PRIMARY KEY,
    data BLOB NOT NULL
);
"#,
    "-- entries.json and entries.hash may hold the packed forms from here on",
];

/// Why the schema could not be brought up to date.
#[derive(Debug, thiserror::Error)]
pub enum MigrateError {
    #[error(
        "written by a newer omroep (schema version {found}, this one knows up to {known}); upgrade omroep"
    )]
    TooNew { found: i64, known: i64 },
    #[error("could not migrate to schema version {version}: {source}")]
    Failed {
        version: i64,
        source: rusqlite::Error,
    },
    #[error("{0}")]
    Sql(#[from] rusqlite::Error),
}

/// Applies every migration the store has not seen yet, each in its own transaction
/// together with the version bump, so that a crash leaves a whole version or none.
pub fn migrate(conn: &mut Connection) -> Result<i64, MigrateError> {
    let known = MIGRATIONS.len() as i64;
    let found: i64 = conn.pragma_query_value(None, "user_version", |row| row.get(0))?;
    if found > known {
        return Err(MigrateError::TooNew { found, known });
    }
    for (index, sql) in MIGRATIONS.iter().enumerate().skip(found as usize) {
        let version = index as i64 + 1;
        let apply = |conn: &mut Connection| -> rusqlite::Result<()> {
            let tx = conn.transaction()?;
            tx.execute_batch(sql)?;
            tx.pragma_update(None, "user_version", version)?;
            tx.commit()
        };
        apply(conn).map_err(|source| MigrateError::Failed { version, source })?;
    }
    Ok(known)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn version(conn: &Connection) -> i64 {
        conn.pragma_query_value(None, "user_version", |row| row.get(0))
            .unwrap()
    }

    #[test]
    fn a_new_store_gets_every_migration_once() {
        let mut conn = Connection::open_in_memory().unwrap();
        assert_eq!(migrate(&mut conn).unwrap(), MIGRATIONS.len() as i64);
        assert_eq!(version(&conn), MIGRATIONS.len() as i64);
        // A second open finds nothing to do (re-running CREATE TABLE would fail).
        migrate(&mut conn).unwrap();
        let tables: i64 = conn
            .query_row(
                "SELECT count(*) FROM sqlite_master WHERE type = 'table'",
                [],
                |row| row.get(0),
            )
            .unwrap();
        assert_eq!(tables, 7);
    }

    #[test]
    fn a_store_from_a_newer_omroep_is_refused() {
        let mut conn = Connection::open_in_memory().unwrap();
        conn.pragma_update(None, "user_version", 99).unwrap();
        let error = migrate(&mut conn).unwrap_err();
        assert!(matches!(error, MigrateError::TooNew { found: 99, .. }));
        assert!(error.to_string().contains("upgrade omroep"));
    }
}
