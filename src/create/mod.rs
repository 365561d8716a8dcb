//! Creating content files for the user: `omroep new` (one post or episode, dated now)
//! and `omroep import` (one file per entry of an existing feed, plus the feed
//! definition). Both write Markdown with YAML front matter that `ingest::post` reads back
//! exactly (`yaml`), into the folder a feed definition reads, under a safe unique name,
//! never over an existing file (`place`).

pub mod import;
pub mod new_entry;
pub mod place;
pub mod yaml;
