//! Package files, content-addressed: `{data}/packages/ab/cd/<sha256>`. A package is received into a temporary
//! file under `{data}/packages/tmp/` (same file system), fsync'd, then renamed into place and its directory
//! fsync'd (with the directories above it the first time this process uses them: their entries may be new),
//! before its database row commits: an acknowledged package is always on disk. Identical bytes are
//! stored once. A crash between the rename and the commit leaves a file no row names: harmless (the next send of
//! the same bytes reuses it).

use std::collections::HashSet;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

#[derive(Debug, Clone)]
pub struct Blobs {
    root: PathBuf,
    /// The shard folders (`ab`, and `ab/cd` as `0xabcd`) whose entry in their parent this process has fsync'd:
    /// a package renamed into one of them needs only that folder fsync'd. Empty at start, so that a folder
    /// created by a process that crashed before its fsync is made durable by the first use here.
    durable: Arc<Mutex<Shards>>,
}

#[derive(Debug, Default)]
struct Shards {
    top: HashSet<u8>,
    leaf: HashSet<u16>,
}

/// A file being received; removed when dropped unless it was [`Blobs::persist`]ed.
pub struct TempFile {
    pub path: PathBuf,
    pub file: Option<std::fs::File>,
    kept: bool,
}

impl Drop for TempFile {
    fn drop(&mut self) {
        if !self.kept {
            let _ = std::fs::remove_file(&self.path);
        }
    }
}

impl Blobs {
    /// Opens (creates) `{data}/packages` and empties its `tmp` folder (files of receptions cut short).
    pub fn open(data: &Path) -> io::Result<Blobs> {
        let root = data.join("packages");
        let tmp = root.join("tmp");
        std::fs::create_dir_all(&tmp)?;
        for entry in std::fs::read_dir(&tmp)? {
            let entry = entry?;
            if entry.file_type()?.is_file() {
                let _ = std::fs::remove_file(entry.path());
            }
        }
        Ok(Blobs {
            root,
            durable: Arc::default(),
        })
    }

    /// The file of a package by its SHA-256 (lowercase hex).
    pub fn path_of(&self, sha256: &str) -> PathBuf {
        self.root
            .join(&sha256[0..2])
            .join(&sha256[2..4])
            .join(sha256)
    }

    /// A new temporary file to receive a package into (blocking: from a blocking thread).
    pub fn temp_blocking(&self) -> io::Result<TempFile> {
        let name: [u8; 12] = rand::random();
        let path = self
            .root
            .join("tmp")
            .join(format!("{}.part", hex::encode(name)));
        let file = std::fs::OpenOptions::new()
            .write(true)
            .read(true)
            .create_new(true)
            .open(&path)?;
        Ok(TempFile {
            path,
            file: Some(file),
            kept: false,
        })
    }

    /// A new temporary file to receive a package into.
    pub async fn temp(&self) -> io::Result<TempFile> {
        let blobs = self.clone();
        tokio::task::spawn_blocking(move || blobs.temp_blocking())
            .await
            .map_err(io::Error::other)?
    }

    /// Makes a received file durable under its hash. The file must have been written completely; it is
    /// fsync'd, renamed into place (or dropped if the same bytes are already stored) and the folder fsync'd —
    /// and, the first time this process uses a shard folder, the folders above it too (their new entries).
    pub async fn persist(&self, temp: TempFile, sha256: &str) -> io::Result<PathBuf> {
        let blobs = self.clone();
        let sha256 = sha256.to_string();
        tokio::task::spawn_blocking(move || blobs.persist_blocking(temp, &sha256))
            .await
            .map_err(io::Error::other)?
    }

    /// [`Blobs::persist`], from a blocking thread.
    pub fn persist_blocking(&self, mut temp: TempFile, sha256: &str) -> io::Result<PathBuf> {
        let bad = || io::Error::new(io::ErrorKind::InvalidInput, "not a SHA-256 in hex");
        let top = u8::from_str_radix(sha256.get(0..2).ok_or_else(bad)?, 16).map_err(|_| bad())?;
        let leaf = u16::from_str_radix(sha256.get(0..4).ok_or_else(bad)?, 16).map_err(|_| bad())?;
        let dest = self.path_of(sha256);
        let dir = dest.parent().expect("a blob path has a parent");
        let (top_known, leaf_known) = {
            let d = self.durable.lock().unwrap_or_else(|e| e.into_inner());
            (d.top.contains(&top), d.leaf.contains(&leaf))
        };
        // The folders first, so that the file's fsync (a journal commit) carries their creation along.
        if !leaf_known {
            std::fs::create_dir_all(dir)?;
        }
        if let Some(f) = temp.file.take() {
            f.sync_all()?;
        }
        if dest.exists() {
            // Same name, same bytes (content-addressed): keep the stored one.
            std::fs::remove_file(&temp.path)?;
        } else {
            std::fs::rename(&temp.path, &dest)?;
        }
        temp.kept = true;
        sync_dir(dir)?;
        if !leaf_known {
            let parent = dir.parent().expect("a shard folder has a parent");
            sync_dir(parent)?;
            if !top_known {
                sync_dir(&self.root)?;
            }
            let mut d = self.durable.lock().unwrap_or_else(|e| e.into_inner());
            d.top.insert(top);
            d.leaf.insert(leaf);
        }
        Ok(dest)
    }
}

#[cfg(unix)]
fn sync_dir(dir: &Path) -> io::Result<()> {
    std::fs::File::open(dir)?.sync_all()
}

#[cfg(not(unix))]
fn sync_dir(_dir: &Path) -> io::Result<()> {
    Ok(())
}
