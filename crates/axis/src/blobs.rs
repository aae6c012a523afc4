//! Package files, content-addressed: `{data}/packages/ab/cd/<sha256>`. A package is received into a temporary
//! file under `{data}/packages/tmp/` (same file system), fsync'd, then renamed into place and its directory
//! fsync'd, before its database row commits: an acknowledged package is always on disk. Identical bytes are
//! stored once. A crash between the rename and the commit leaves a file no row names: harmless (the next send of
//! the same bytes reuses it).

use std::io;
use std::path::{Path, PathBuf};

#[derive(Debug, Clone)]
pub struct Blobs {
    root: PathBuf,
}

/// A file being received; removed when dropped unless it was [`Blobs::persist`]ed.
pub struct TempFile {
    pub path: PathBuf,
    pub file: Option<tokio::fs::File>,
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
        Ok(Blobs { root })
    }

    /// The file of a package by its SHA-256 (lowercase hex).
    pub fn path_of(&self, sha256: &str) -> PathBuf {
        self.root
            .join(&sha256[0..2])
            .join(&sha256[2..4])
            .join(sha256)
    }

    /// A new temporary file to receive a package into.
    pub async fn temp(&self) -> io::Result<TempFile> {
        let name: [u8; 12] = rand::random();
        let path = self
            .root
            .join("tmp")
            .join(format!("{}.part", hex::encode(name)));
        let file = tokio::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&path)
            .await?;
        Ok(TempFile {
            path,
            file: Some(file),
            kept: false,
        })
    }

    /// Makes a received file durable under its hash. The file must have been written completely; it is
    /// fsync'd, renamed into place (or dropped if the same bytes are already stored) and the directory fsync'd.
    pub async fn persist(&self, mut temp: TempFile, sha256: &str) -> io::Result<PathBuf> {
        if let Some(f) = temp.file.take() {
            f.sync_all().await?;
        }
        let dest = self.path_of(sha256);
        let dir = dest
            .parent()
            .expect("a blob path has a parent")
            .to_path_buf();
        let src = temp.path.clone();
        let dest2 = dest.clone();
        tokio::task::spawn_blocking(move || -> io::Result<()> {
            std::fs::create_dir_all(&dir)?;
            if dest2.exists() {
                // Same name, same bytes (content-addressed): keep the stored one.
                std::fs::remove_file(&src)?;
            } else {
                std::fs::rename(&src, &dest2)?;
            }
            sync_dir(&dir)?;
            if let Some(parent) = dir.parent() {
                sync_dir(parent)?;
            }
            Ok(())
        })
        .await
        .map_err(io::Error::other)??;
        temp.kept = true;
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
